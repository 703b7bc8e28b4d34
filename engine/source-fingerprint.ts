/**
 * One hash of everything an offline evaluation can depend on besides the stack's own file: every
 * source file of the layers (model/, components/, stacks/, policies/, engine/), the vendored data,
 * the project file, the locked package versions and Node's version. Reading and hashing them all
 * takes about 20 ms; any edit anywhere changes it, so a result keyed by it is never stale.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { PROJECT_ROOT } from "./project";

const SOURCE_DIRS = ["model", "components", "stacks", "policies", "engine", "vendor"];
const SKIP_DIRS = new Set(["node_modules", "dist", ".preview", "__snapshots__"]);
const ROOT_FILES = ["Pulumi.yaml", "package-lock.json", "index.ts", "pulumi-program.js"];

function walk(dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const entry of entries) {
    // Hidden files are no sources (a test's transient `.readme-example-<pid>.ts`, editor files),
    // and one may vanish between the listing and the stat.
    if (entry.startsWith(".")) continue;
    const path = join(dir, entry);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (isDirectory) {
      if (!SKIP_DIRS.has(entry)) walk(path, out);
    } else if (!entry.endsWith(".test.ts") && !entry.endsWith(".md")) {
      out.push(path);
    }
  }
}

const memo = new Map<string, string>();

/** The fingerprint of the tree at `root` (memoised per process: sources do not change under a running process). */
export function sourceFingerprint(root = PROJECT_ROOT): string {
  const known = memo.get(root);
  if (known) return known;
  const fingerprint = computeSourceFingerprint(root);
  memo.set(root, fingerprint);
  return fingerprint;
}

/** The fingerprint of the tree at `root` as it is now (not memoised: for a process whose code may be reloaded, as in vitest's watch mode). */
export function computeSourceFingerprint(root = PROJECT_ROOT): string {
  const files: string[] = [];
  for (const d of SOURCE_DIRS) walk(join(root, d), files);
  files.push(...ROOT_FILES.map((f) => join(root, f)));
  const h = createHash("sha256").update(process.version);
  for (const f of files) {
    h.update(relative(root, f)).update("\0");
    try {
      h.update(readFileSync(f));
    } catch {
      h.update("missing");
    }
    h.update("\0");
  }
  return h.digest("hex");
}

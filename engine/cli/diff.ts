/**
 * `npm run diff -- <base> <head> [--format terminal|markdown|json] [--out FILE] [--budget N]`
 *
 * Compares two offline plans (PreviewDigest JSON, ours or `pulumi preview --json`): either two plan
 * files of one stack, or two directories of `<stack>.json` plans (every stack on either side).
 * Exit 0 after a comparison (whatever it found), 2 on a usage error or an unreadable plan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PreviewDigest } from "../digest";
import { diffDigests, renderJson, renderMarkdown, renderTerminal, type StackDiff } from "../diff";

const USAGE = `usage: npm run diff -- <base.json|base-dir> <head.json|head-dir> [--format terminal|markdown|json] [--out FILE] [--budget CHARS] [--stack NAME]`;

export class UsageError extends Error {}

export interface DiffArgs {
  base: string;
  head: string;
  format: "terminal" | "markdown" | "json";
  out?: string;
  budget?: number;
  stack?: string;
}

export function parseArgs(argv: string[]): DiffArgs {
  const pos: string[] = [];
  let format: DiffArgs["format"] = "terminal";
  let out: string | undefined;
  let budget: number | undefined;
  let stack: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${a.split("=")[0]} needs a value`);
      return v;
    };
    if (a === "--format" || a.startsWith("--format=")) {
      const f = value();
      if (f !== "terminal" && f !== "markdown" && f !== "json") throw new UsageError(`unknown format ${f}`);
      format = f;
    } else if (a === "--markdown") format = "markdown";
    else if (a === "--json") format = "json";
    else if (a === "--out" || a.startsWith("--out=")) out = value();
    else if (a === "--budget" || a.startsWith("--budget=")) {
      budget = Number(value());
      if (!Number.isInteger(budget) || budget < 1000) throw new UsageError("--budget must be an integer ≥ 1000");
    } else if (a === "--stack" || a.startsWith("--stack=")) stack = value();
    else if (a === "-h" || a === "--help") throw new UsageError("");
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else pos.push(a);
  }
  if (pos.length !== 2) throw new UsageError("expected exactly two plans: <base> <head>");
  return { base: pos[0], head: pos[1], format, ...(out ? { out } : {}), ...(budget ? { budget } : {}), ...(stack ? { stack } : {}) };
}

export function readPlan(file: string): PreviewDigest {
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let d: unknown;
  try {
    d = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (!d || typeof d !== "object" || !Array.isArray((d as PreviewDigest).steps)) throw new UsageError(`${file} is not a PreviewDigest (no steps[])`);
  return d as PreviewDigest;
}

/** Plans of a directory, by stack name (file name without `.json`). */
export function readPlanDir(dir: string): Map<string, PreviewDigest> {
  const m = new Map<string, PreviewDigest>();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) m.set(f.slice(0, -5), readPlan(path.join(dir, f)));
  return m;
}

export function diffPaths(base: string, head: string, stack?: string): StackDiff[] {
  const isDir = (p: string) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
  };
  const bd = isDir(base);
  const hd = isDir(head);
  if (bd !== hd) throw new UsageError("give two plan files or two plan directories, not one of each");
  if (!bd) {
    const b = readPlan(base);
    const h = readPlan(head);
    return [diffDigests(b, h, { stack: stack ?? h.engine?.stack ?? b.engine?.stack ?? path.basename(head, ".json") })];
  }
  const bm = readPlanDir(base);
  const hm = readPlanDir(head);
  const stacks = [...new Set([...bm.keys(), ...hm.keys()])].filter((s) => !stack || s === stack).sort();
  return stacks.map((s) =>
    diffDigests(bm.get(s), hm.get(s), {
      stack: s,
      ...(bm.has(s) ? {} : { baseNote: "no plan in base (new stack)" }),
      ...(hm.has(s) ? {} : { headNote: "no plan in head (stack removed)" }),
    }),
  );
}

export function render(diffs: StackDiff[], args: Pick<DiffArgs, "format" | "budget">, color = false): string {
  if (args.format === "json") return renderJson(diffs);
  if (args.format === "markdown") return renderMarkdown(diffs, { ...(args.budget ? { budget: args.budget } : {}), title: "Plan diff" });
  return renderTerminal(diffs, { color, showUnchanged: true });
}

export function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    const diffs = diffPaths(args.base, args.head, args.stack);
    const color = !args.out && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const text = render(diffs, args, color);
    if (args.out) {
      fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
      fs.writeFileSync(args.out, text);
      process.stderr.write(`wrote ${args.out} (${text.length} characters)\n`);
    } else process.stdout.write(text);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) process.stderr.write(`error: ${e.message}\n`);
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

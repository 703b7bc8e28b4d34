/**
 * `npm run diff -- <base> <head> [--format terminal|markdown|json] [--out FILE] [--budget N]`
 *
 * Compares two offline plans (PreviewDigest JSON, ours or `pulumi preview --json`): either two plan
 * files of one stack, or two directories of `<stack>.json` plans (every stack on either side).
 * Exit 0 after a comparison (whatever it found), 2 on a usage error, an unusable `--out` or an
 * unreadable or malformed plan (one line naming the file), 3 on a failure of the tool itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PreviewDigest } from "../digest";
import { diffDigests, renderJson, renderMarkdown, renderTerminal, type StackDiff } from "../diff";
import { readPlanFile } from "../plan-file";
import { checkOutputPath, CliError, EXIT, oneLine, parseCli, runMain } from "./args";

const USAGE = `usage: npm run diff -- <base.json|base-dir> <head.json|head-dir> [--format terminal|markdown|json] [--out FILE] [--budget CHARS] [--stack NAME]`;

/** Kept for callers of this module: the shared CLI error (exit 2). */
export { CliError as UsageError } from "./args";

export interface DiffArgs {
  base: string;
  head: string;
  format: "terminal" | "markdown" | "json";
  out?: string;
  budget?: number;
  stack?: string;
}

export function parseArgs(argv: string[]): DiffArgs {
  const p = parseCli(argv, { format: "string", markdown: "boolean", json: "boolean", out: "string", budget: "string", stack: "string" });
  if (p.help) throw new CliError("");
  let format: DiffArgs["format"] = "terminal";
  const f = p.values.format;
  if (f !== undefined) {
    if (f !== "terminal" && f !== "markdown" && f !== "json") throw new CliError(`unknown format ${f}`);
    format = f;
  }
  if (p.flags.markdown) format = "markdown";
  if (p.flags.json) format = "json";
  let budget: number | undefined;
  if (p.values.budget !== undefined) {
    budget = Number(p.values.budget);
    if (!Number.isInteger(budget) || budget < 1000) throw new CliError("--budget must be an integer ≥ 1000");
  }
  if (p.positional.length !== 2) throw new CliError("expected exactly two plans: <base> <head>");
  const { out, stack } = p.values;
  return { base: p.positional[0], head: p.positional[1], format, ...(out ? { out } : {}), ...(budget ? { budget } : {}), ...(stack ? { stack } : {}) };
}

/** One plan file, validated (engine/plan-file.ts). */
export function readPlan(file: string): PreviewDigest {
  return readPlanFile(file);
}

/** Plans of a directory, by stack name (file name without `.json`). */
export function readPlanDir(dir: string): Map<string, PreviewDigest> {
  const m = new Map<string, PreviewDigest>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new CliError(`cannot list ${dir} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  for (const f of names.filter((f) => f.endsWith(".json")).sort()) m.set(f.slice(0, -5), readPlan(path.join(dir, f)));
  return m;
}

export function diffPaths(base: string, head: string, stack?: string): StackDiff[] {
  const isDir = (p: string) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      throw new CliError(`no such file or directory: ${p}`);
    }
  };
  const bd = isDir(base);
  const hd = isDir(head);
  if (bd !== hd) throw new CliError("give two plan files or two plan directories, not one of each");
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
  let args: DiffArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    if (e.message) process.stderr.write(`diff: ${e.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return e.message ? EXIT.usage : EXIT.ok;
  }
  try {
    // The output path is checked before any work.
    if (args.out) checkOutputPath(args.out, "--out");
    const diffs = diffPaths(args.base, args.head, args.stack);
    const color = !args.out && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const text = render(diffs, args, color);
    if (args.out) {
      fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
      fs.writeFileSync(args.out, text);
      process.stderr.write(`wrote ${args.out} (${text.length} characters)\n`);
    } else process.stdout.write(text);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`diff: ${oneLine(e)}\n`);
      return e.code;
    }
    throw e;
  }
}

if (require.main === module) runMain("diff", () => main(process.argv.slice(2)));

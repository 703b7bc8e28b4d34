/**
 * `npm run preview:pr -- --base <git ref> [--out FILE] [--json FILE] [--affected FILE] [--keep-plans DIR] [--budget N]`
 *
 * What a change does to every stack, with no cloud credentials: checks the base ref out in a
 * temporary git worktree (sharing this checkout's node_modules, so nothing is installed), runs the
 * base's own offline preview there and the head's in the working tree, both for every stack, then
 * diffs the two plans of every stack present on either side. The affected stacks are the ones whose
 * plans differ, not the ones whose files were touched: a profile default changed in
 * `stacks/<platform>.ts` shows up in exactly the stacks it reaches.
 *
 * Writes the markdown PR comment (default .preview/pr-comment.md), prints the terminal diff. Each
 * changed stack's monthly cost before → after, with the lines that moved most, comes from the two
 * plans' `cost` fields (engine/diff/cost.ts).
 * Exit (engine/cli/args.ts): 0 ok; 1 head has a mandatory policy violation (unwaived); 2 usage
 * error, an unusable output path (checked before any work), bad ref, or a head
 * stack that cannot be previewed (config or program error); 3 a failure of the tool itself.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PreviewDigest } from "../digest";
import { SECRET_DIGEST_KEY_ENV } from "../secret-digest";
import { diffDigests, hasChanges, renderJson, renderMarkdown, renderTerminal, type StackDiff } from "../diff";
import { readPlanFile } from "../plan-file";
import { headline, stackCostChange, type StackCostChange } from "../diff/cost";
import { envOfStack, isFoundationEnv } from "../../model/envs";
import { architectureBlock } from "../diagram/pr";
import type { ArchitectureSection } from "../diff/markdown";
import { checkOutputPath, CliError, EXIT, parseCli, runMain } from "./args";

const USAGE = `usage: npm run preview:pr -- --base <git ref> [--out FILE] [--json FILE] [--affected FILE] [--keep-plans DIR] [--budget CHARS] [--title TEXT]
  --out FILE        markdown comment (default .preview/pr-comment.md)
  --json FILE       the structured diff (StackDiff[]) and each changed stack's cost change, as JSON
  --affected FILE   JSON array of the stacks whose plans changed (for a CI matrix)
  --keep-plans DIR  keep the base and head plans in DIR/base and DIR/head`;

const PREVIEW_CLI = "engine/cli/preview.ts";

export interface PrArgs {
  base: string;
  out: string;
  json?: string;
  affected?: string;
  keepPlans?: string;
  budget?: number;
  title?: string;
}

export function parseArgs(argv: string[]): PrArgs {
  const p = parseCli(argv, { base: "string", out: "string", json: "string", affected: "string", "keep-plans": "string", title: "string", budget: "string" }, { positional: false });
  if (p.help) throw new CliError("");
  const { base, json, affected, title } = p.values;
  const keepPlans = p.values["keep-plans"];
  const rest: Partial<PrArgs> = { ...(json ? { json } : {}), ...(affected ? { affected } : {}), ...(keepPlans ? { keepPlans } : {}), ...(title ? { title } : {}) };
  if (p.values.budget !== undefined) {
    const n = Number(p.values.budget);
    if (!Number.isInteger(n) || n < 1000) throw new CliError("--budget must be an integer ≥ 1000");
    rest.budget = n;
  }
  if (!base) throw new CliError("--base <git ref> is required");
  return { base, out: p.values.out ?? ".preview/pr-comment.md", ...rest };
}

function git(args: string[], cwd: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  return { ok: r.status === 0, out: (r.stdout ?? "").trim(), err: (r.stderr ?? "").trim() };
}

/** Stack names from a tree's `stacks/Pulumi.<stack>.yaml` files. */
export function stackFiles(tree: string): string[] {
  const dir = path.join(tree, "stacks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/** A stack file's path relative to the repository root, and the stack it holds. */
const STACK_FILE = /^stacks\/Pulumi\.([a-z0-9-]+)\.ya?ml$/;

/**
 * The stacks a change can reach, or undefined when it may reach any. A plan is a function of the
 * program, the pack, its configs, the vendored data and the stack's own file; a change made only of
 * stack files and Markdown reaches exactly those stacks, plus, for a foundation stack (a platform's
 * `shared`), its platform's other stacks, whose deployability analysis reads it as their upstream.
 * Anything else (code, configs, vendor data, the lock file) reaches every stack.
 */
export function stacksReachedBy(changedPaths: readonly string[], stacksOnEitherSide: readonly string[]): string[] | undefined {
  const reached = new Set<string>();
  for (const p of changedPaths) {
    if (p.endsWith(".md")) continue;
    const stack = STACK_FILE.exec(p)?.[1];
    if (!stack) return undefined;
    reached.add(stack);
    const env = envOfStack(stack);
    if (env && isFoundationEnv(env)) {
      const platform = stack.slice(0, -env.length - 1);
      for (const s of stacksOnEitherSide) if (s.startsWith(`${platform}-`) && s.slice(platform.length + 1) === envOfStack(s)) reached.add(s);
    }
  }
  return [...reached].sort();
}

/** Paths that differ between `base` and the working tree (committed or not), and untracked files. */
function changedPaths(root: string, base: string): string[] | undefined {
  const tracked = git(["diff", "--name-only", base], root);
  const untracked = git(["ls-files", "--others", "--exclude-standard"], root);
  if (!tracked.ok || !untracked.ok) return undefined;
  return [...tracked.out.split("\n"), ...untracked.out.split("\n")].filter(Boolean);
}

interface RunResult {
  code: number;
  stderr: string;
}

/**
 * One throwaway key for this comparison: base and head previews digest their secrets with it, so
 * the diff can say "secret changed" without any value or reusable digest leaving this process.
 */
const SECRET_DIGEST_KEY = randomBytes(32).toString("hex");

function run(cmd: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", [SECRET_DIGEST_KEY_ENV]: SECRET_DIGEST_KEY };
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      if (stderr.length < 20_000) stderr += b.toString();
    });
    child.on("error", (e) => resolve({ code: 127, stderr: e.message }));
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

export interface TreePlans {
  /** Plans by stack. */
  plans: Map<string, PreviewDigest>;
  /** Stacks whose preview failed, with the first line of the reason (terminal only: may quote config). */
  failed: Map<string, string>;
  /** The tree has no preview CLI: every plan is empty. */
  noCli: boolean;
  /** Stacks the tree defines (stack files, or plans written). */
  stacks: string[];
  ms: number;
}

function firstReason(stderr: string): string {
  const line = stderr.split("\n").map((l) => l.trim()).find((l) => l && !l.startsWith("at ") && !l.startsWith("usage:")) ?? "unknown error";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function readPlans(dir: string): Map<string, PreviewDigest> {
  const m = new Map<string, PreviewDigest>();
  if (!fs.existsSync(dir)) return m;
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    try {
      m.set(f.slice(0, -5), readPlanFile(path.join(dir, f)));
    } catch {
      // An unreadable plan counts as missing; the per-stack run below says why.
    }
  }
  return m;
}

/** A command that runs a tree's preview CLI, stack names and flags to follow. */
export interface PreviewCommand {
  cmd: string;
  args: string[];
}

/** The launcher that runs the CLIs from a bundle rebuilt on any source change (engine/build/launch.js). */
const LAUNCHER = "engine/build/launch.js";

/**
 * A tree with the launcher runs its preview from its bundle (kept in the tree's own .preview/, so
 * the base worktree's goes with it); a tree without it (a base from before the launcher) through tsx.
 */
function previewCommand(tree: string, tsx: string): PreviewCommand {
  if (fs.existsSync(path.join(tree, LAUNCHER))) return { cmd: process.execPath, args: [LAUNCHER, "preview"] };
  return { cmd: tsx, args: [PREVIEW_CLI] };
}

/**
 * Runs a tree's own preview CLI over every stack. `--all` first (one process, fast); the preview
 * CLI writes no plan at all when one stack fails, so on failure each stack runs alone to find which.
 */
export async function previewTree(tree: string, outDir: string, cli: PreviewCommand, only?: readonly string[]): Promise<TreePlans> {
  const started = Date.now();
  fs.mkdirSync(outDir, { recursive: true });
  const files = stackFiles(tree).filter((s) => !only || only.includes(s));
  if (!fs.existsSync(path.join(tree, PREVIEW_CLI))) {
    return { plans: new Map(), failed: new Map(), noCli: true, stacks: files, ms: Date.now() - started };
  }
  if (only && files.length === 0) return { plans: new Map(), failed: new Map(), noCli: false, stacks: [], ms: Date.now() - started };
  const all = await run(cli.cmd, [...cli.args, ...(only ? files : ["--all"]), "--json-dir", outDir], tree);
  let plans = readPlans(outDir);
  const failed = new Map<string, string>();
  // 0 ok, 1 policy violations (plans written): both are complete previews.
  if ((all.code === 0 || all.code === 1) && plans.size > 0) {
    return { plans, failed, noCli: false, stacks: [...new Set([...plans.keys(), ...files])].sort(), ms: Date.now() - started };
  }
  const missing = files.filter((s) => !plans.has(s));
  const queue = [...missing];
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      const r = await run(cli.cmd, [...cli.args, s, "--json", path.join(outDir, `${s}.json`)], tree);
      if (r.code !== 0 && r.code !== 1) failed.set(s, firstReason(r.stderr));
    }
  };
  await Promise.all([worker(), worker()]);
  plans = readPlans(outDir);
  for (const s of missing) if (!plans.has(s) && !failed.has(s)) failed.set(s, firstReason(all.stderr));
  for (const s of failed.keys()) plans.delete(s);
  return { plans, failed, noCli: false, stacks: [...new Set([...plans.keys(), ...files])].sort(), ms: Date.now() - started };
}

/** Diffs every stack present on either side. */
export function diffTrees(base: TreePlans, head: TreePlans): StackDiff[] {
  const stacks = [...new Set([...base.stacks, ...head.stacks])].sort();
  return stacks.map((stack) => {
    let baseNote: string | undefined;
    let headNote: string | undefined;
    if (base.noCli) baseNote = `the base has no preview CLI (${PREVIEW_CLI}): its plan is taken as empty`;
    else if (base.failed.has(stack)) baseNote = "failed to evaluate at base: its plan is taken as empty";
    else if (!base.plans.has(stack)) baseNote = "the stack does not exist at base (new stack)";
    if (head.failed.has(stack)) headNote = "failed to evaluate at head: run `npm run preview -- " + stack + "` to see why";
    else if (!head.plans.has(stack) && !head.noCli) headNote = "the stack does not exist at head: every resource would be deleted";
    return diffDigests(base.plans.get(stack), head.plans.get(stack), {
      stack,
      ...(baseNote ? { baseNote } : {}),
      ...(headNote ? { headNote } : {}),
      ...(base.failed.has(stack) ? { baseFailed: true } : {}),
      ...(head.failed.has(stack) ? { headFailed: true } : {}),
    });
  });
}

/** The monthly cost change of every stack whose plans carry an estimate on either side. */
export function costChanges(diffs: readonly StackDiff[], base: TreePlans, head: TreePlans): Record<string, StackCostChange> {
  const out: Record<string, StackCostChange> = {};
  for (const d of diffs) {
    const c = stackCostChange(d.stack, base.plans.get(d.stack), head.plans.get(d.stack));
    if (c) out[d.stack] = c;
  }
  return out;
}

/**
 * Each changed stack's "architecture after this change" block, from its two plans. A plan the
 * diagram cannot read (a base from before a format change) leaves the stack without a block rather
 * than failing the comment.
 */
export function architectureSections(diffs: readonly StackDiff[], base: TreePlans, head: TreePlans): Record<string, ArchitectureSection> {
  const out: Record<string, ArchitectureSection> = {};
  for (const d of diffs.filter(hasChanges)) {
    try {
      const block = architectureBlock(d.stack, base.plans.get(d.stack), head.plans.get(d.stack));
      if (block) out[d.stack] = block;
    } catch {
      // No diagram for this stack; the diff above still says everything.
    }
  }
  return out;
}

/** Unwaived mandatory violations in head plans. */
export function headMandatory(head: TreePlans): number {
  let n = 0;
  for (const d of head.plans.values()) n += (d.policies ?? []).filter((p) => p.enforcementLevel === "mandatory" && !p.waiver).length;
  return n;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}

export async function main(argv: string[]): Promise<number> {
  let args: PrArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    if (e.message) console.error(`preview:pr: ${e.message}`);
    console.error(USAGE);
    return e.message ? EXIT.usage : EXIT.ok;
  }
  // Output paths are checked before any work (no worktree, no preview run for a bad one).
  try {
    checkOutputPath(args.out, "--out");
    if (args.json) checkOutputPath(args.json, "--json");
    if (args.affected) checkOutputPath(args.affected, "--affected");
    if (args.keepPlans) checkOutputPath(args.keepPlans, "--keep-plans", "dir");
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    console.error(`preview:pr: ${e.message}`);
    return EXIT.usage;
  }
  const top = git(["rev-parse", "--show-toplevel"], process.cwd());
  if (!top.ok) {
    console.error("preview:pr: not inside a git repository");
    return 2;
  }
  const root = top.out;
  const baseSha = git(["rev-parse", "--verify", "--quiet", `${args.base}^{commit}`], root);
  if (!baseSha.ok || !baseSha.out) {
    console.error(`preview:pr: ${JSON.stringify(args.base)} is not a commit here (fetch it first, e.g. git fetch origin <branch>)`);
    return 2;
  }
  const headSha = git(["rev-parse", "HEAD"], root).out;
  const dirty = git(["status", "--porcelain", "--untracked-files=no"], root).out.length > 0;
  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  if (!fs.existsSync(tsx)) {
    console.error("preview:pr: node_modules/.bin/tsx not found: run npm ci first");
    return 2;
  }

  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preview-pr-"));
  const worktree = path.join(tmp, "base");
  const plansDir = args.keepPlans ? path.resolve(args.keepPlans) : path.join(tmp, "plans");
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    git(["worktree", "remove", "--force", worktree], root);
    git(["worktree", "prune"], root);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const add = git(["worktree", "add", "--detach", "--quiet", worktree, baseSha.out], root);
    if (!add.ok) {
      console.error(`preview:pr: cannot check out ${args.base}: ${add.err}`);
      return 2;
    }
    // Share the installed packages: the base is previewed with head's dependencies. A change of a
    // dependency version therefore shows in neither plan; the lock-file diff is the place for that.
    linkNodeModules(root, worktree);
    // Old plans would pass for new ones; remove them (plan files only: DIR is the user's).
    for (const side of ["base", "head"]) {
      const dir = path.join(plansDir, side);
      if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.endsWith(".json")) fs.rmSync(path.join(dir, f));
    }
    // Only the stacks the change can reach, when it is made of stack files (and prose) alone.
    const paths = changedPaths(root, baseSha.out);
    const scope = paths ? stacksReachedBy(paths, [...new Set([...stackFiles(worktree), ...stackFiles(root)])]) : undefined;
    const [base, head] = await Promise.all([
      previewTree(worktree, path.join(plansDir, "base"), previewCommand(worktree, tsx), scope),
      previewTree(root, path.join(plansDir, "head"), previewCommand(root, tsx), scope),
    ]);
    const diffs = diffTrees(base, head);
    const changed = diffs.filter(hasChanges);
    const short = (s: string) => s.slice(0, 10);
    const context = [
      `Base \`${short(baseSha.out)}\` → head \`${short(headSha)}\`${dirty ? " (with uncommitted changes)" : ""}: ${diffs.length} stack(s) previewed offline, ${changed.length} changed.`,
    ];
    if (base.noCli) context.push(`> The base has no offline preview CLI: every base plan is taken as empty.`);
    if (scope) {
      context.push(
        scope.length
          ? `Only stack files${paths!.some((p) => p.endsWith(".md")) ? " and documentation" : ""} changed: previewed the stacks they reach (${scope.join(", ")}); every other stack's plan cannot differ.`
          : `Only documentation changed: no stack's plan can differ, none was previewed.`,
      );
    }
    const costs = costChanges(diffs, base, head);
    const architecture = architectureSections(diffs, base, head);
    const markdown = renderMarkdown(diffs, { title: args.title ?? "Offline preview", context, costs, architecture, ...(args.budget ? { budget: args.budget } : {}) });
    write(args.out, markdown);
    if (args.json) write(args.json, renderJson(diffs, costs));
    if (args.affected) write(args.affected, `${JSON.stringify(changed.map((d) => d.stack))}\n`);

    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(renderTerminal(diffs, { color }));
    for (const d of changed) if (costs[d.stack]) console.log(`cost: ${headline(costs[d.stack])}`);
    for (const [s, why] of base.failed) console.log(`base ${s}: failed to evaluate (${why})`);
    for (const [s, why] of head.failed) console.log(`head ${s}: failed to evaluate (${why})`);
    console.log(
      `\nbase ${short(baseSha.out)} previewed in ${(base.ms / 1000).toFixed(1)} s, head in ${(head.ms / 1000).toFixed(1)} s; ` +
        `${changed.length}/${diffs.length} stacks changed; total ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
    console.log(`wrote ${args.out} (${markdown.length} characters)`);

    if (head.failed.size > 0) {
      console.error(`preview:pr: ${head.failed.size} stack(s) cannot be previewed at head: ${[...head.failed.keys()].join(", ")}`);
      return 2;
    }
    const mandatory = headMandatory(head);
    if (mandatory > 0) {
      console.error(`preview:pr: head has ${mandatory} mandatory policy violation(s)`);
      return 1;
    }
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    cleanup();
  }
}

/** Symlinks the root's node_modules (and each workspace's, if any) into the worktree. */
export function linkNodeModules(root: string, worktree: string): void {
  const dirs = ["."];
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { workspaces?: string[] };
    for (const w of pkg.workspaces ?? []) if (!w.includes("*")) dirs.push(w);
  } catch {
    // No readable package.json: the root's node_modules only.
  }
  for (const d of dirs) {
    const src = path.join(root, d, "node_modules");
    const dst = path.join(worktree, d, "node_modules");
    if (fs.existsSync(src) && fs.existsSync(path.dirname(dst)) && !fs.existsSync(dst)) fs.symlinkSync(src, dst, "dir");
  }
}

if (require.main === module) runMain("preview:pr", () => main(process.argv.slice(2)));

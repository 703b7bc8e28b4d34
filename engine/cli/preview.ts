/**
 * `npm run preview -- <stack>... [--json FILE]`
 * `npm run preview -- --all [--json-dir DIR] [--tree]`
 *
 * Offline preview: evaluates the real program under Pulumi's mock runtime for each stack, prints
 * the resource tree (or a one-line summary per stack with --all), and writes plans in the shape of
 * `pulumi preview --json`. Exit codes: 0 ok, 1 mandatory policy violation, 2 config or usage error,
 * 3 the program itself failed.
 */
// First: defers the SDK's unused heavy modules before anything loads the SDK.
import "../fast-load";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { StackConfigError } from "../../stacks/config";
import { allStacks } from "../../stacks/registry";
import { analyzeDeployability, type DeployabilityReport } from "../deployability";
import { formatDeployabilityReport } from "../deployability/format";
import { upstreamResources } from "../deployability/upstream";
import { EvaluationError, type RecordedResource } from "../evaluate";
import { PolicyConfigError } from "../policy/config";
import { formatPolicyReport } from "../policy/format";
import { runPolicyPack, type PolicyRunResult } from "../policy/run";
import { prepareStack, previewPrepared, StackUsageError, type PreparedStack, type StackPreview } from "../preview";
import { estimateStack, planCostFor } from "../cost";
import type { PlanCost } from "../plan-file";
import { renderCost, renderCounts, renderLimits, renderTree } from "../render";
import { checkOutputPath, CliError, EXIT as CLI_EXIT, parseCli, runMain } from "./args";

/** The shared exit codes (engine/cli/args.ts), under this CLI's historical names. */
export const EXIT = { ok: CLI_EXIT.ok, policy: CLI_EXIT.findings, usage: CLI_EXIT.usage, program: CLI_EXIT.program } as const;

const USAGE = `usage: npm run preview -- <stack>... [--json FILE] [--tree|--no-tree] [--root DIR]
       npm run preview -- --all [--json-dir DIR] [--tree] [--root DIR]
--root DIR reads DIR/stacks/Pulumi.<stack>.yaml instead of this repository's stack files.
stacks: ${allStacks().join(", ")}`;

interface Args {
  stacks: string[];
  all: boolean;
  json?: string;
  jsonDir?: string;
  tree?: boolean;
  /** A directory holding `stacks/Pulumi.<stack>.yaml` files to preview instead of this repository's. */
  root?: string;
}

function parseArgs(argv: string[]): Args {
  const p = parseCli(argv, { all: "boolean", json: "string", "json-dir": "string", root: "string", tree: "boolean", "no-tree": "boolean" });
  if (p.help) throw new CliError("");
  const args: Args = { stacks: p.positional, all: p.flags.all === true };
  if (p.values.json) args.json = p.values.json;
  if (p.values["json-dir"]) args.jsonDir = p.values["json-dir"];
  if (p.values.root) args.root = p.values.root;
  if (p.flags.tree && p.flags["no-tree"]) throw new CliError("give --tree or --no-tree, not both");
  if (p.flags.tree) args.tree = true;
  if (p.flags["no-tree"]) args.tree = false;
  if (args.all && args.stacks.length) throw new CliError("give stack names or --all, not both");
  if (!args.all && args.stacks.length === 0) throw new CliError("name a stack, or --all");
  if (args.json && (args.all || args.stacks.length > 1)) throw new CliError("--json takes one stack; use --json-dir for several");
  return args;
}

function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
}

function printStack(p: StackPreview, tree: boolean): void {
  const reads = p.evaluation.resources.filter((r) => r.readId !== undefined).length;
  const creates = p.evaluation.resources.length - reads;
  const protectedCount = p.evaluation.resources.filter((r) => r.options.protect).length;
  const readText = reads ? `, ${reads} to read` : "";
  console.log(`\n== ${p.stack}: ${creates} resources to create (${protectedCount} protected)${readText}, evaluated offline in ${p.evaluation.durationMs.toFixed(0)} ms`);
  if (tree) {
    console.log(renderTree(p.evaluation.resources));
    console.log("\nResources by type:");
    console.log(renderCounts(p.evaluation.resources));
  }
  for (const d of p.evaluation.diagnostics) console.log(`  ${d.severity}: ${d.message}`);
}

export async function main(argv: string[]): Promise<number> {
  // This CLI prints a stack trace only with DEBUG (engine/cli/args.ts runMain), so it need not
  // build one for each of the thousands of errors the SDK and the policy runner create and catch
  // (Pulumi's source positions, each rule's "not applicable"): about 5% of the CPU of `--all`.
  const savedStackTraceLimit = Error.stackTraceLimit;
  if (!process.env.DEBUG) Error.stackTraceLimit = 0;
  try {
    return await preview(argv);
  } finally {
    Error.stackTraceLimit = savedStackTraceLimit;
  }
}

async function preview(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof CliError) {
      if (err.message) console.error(`preview: ${err.message}`);
      console.error(USAGE);
      return err.message ? EXIT.usage : EXIT.ok;
    }
    throw err;
  }
  // Output paths are checked before any evaluation, so that a bad one costs nothing.
  try {
    if (args.json) checkOutputPath(args.json, "--json");
    if (args.jsonDir) checkOutputPath(args.jsonDir, "--json-dir", "dir");
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`preview: ${err.message}`);
      return EXIT.usage;
    }
    throw err;
  }
  const stacks = args.all ? allStacks() : args.stacks;

  // Validate every stack before evaluating any: a config error never leaves a half-made plan.
  const prepared: PreparedStack[] = [];
  const problems: string[] = [];
  for (const stack of stacks) {
    try {
      prepared.push(prepareStack(stack, args.root));
    } catch (err) {
      if (err instanceof StackConfigError) problems.push(err.message);
      else throw err;
    }
  }
  if (problems.length) {
    for (const p of problems) console.error(p);
    return EXIT.usage;
  }

  const previews: StackPreview[] = [];
  for (const p of prepared) {
    try {
      previews.push(await previewPrepared(p));
    } catch (err) {
      if (err instanceof StackUsageError) {
        console.error(err.message);
        return EXIT.usage;
      }
      if (err instanceof EvaluationError) {
        console.error(`${p.stack}: the program failed to evaluate:`);
        for (const c of err.causes) console.error(`  ${c.message}`);
        return EXIT.program;
      }
      throw err;
    }
  }

  // The policy pack runs over every plan, after evaluation, as `pulumi preview --policy-pack` would.
  const policyRuns = new Map<string, PolicyRunResult>();
  for (const p of previews) {
    try {
      const run = await runPolicyPack({ stack: p.stack, resources: p.evaluation.resources });
      p.digest.policies = run.results;
      policyRuns.set(p.stack, run);
    } catch (err) {
      if (err instanceof PolicyConfigError) {
        console.error(`${p.stack}: ${err.message}`);
        return EXIT.usage;
      }
      throw err;
    }
  }

  // The deployability analysis: would a first `pulumi up` apply this plan in one pass, and run it.
  // An env stack is analysed knowing what its upstream (shared) stack creates first.
  const evaluated = new Map<string, readonly RecordedResource[]>(previews.map((p) => [p.stack, p.evaluation.resources]));
  const deployability = new Map<string, DeployabilityReport>();
  const costs = new Map<string, PlanCost>();
  const costProblems = new Map<string, string>();
  for (const p of previews) {
    let upstream: Awaited<ReturnType<typeof upstreamResources>>;
    try {
      upstream = await upstreamResources(p.stack, evaluated, args.root);
    } catch (err) {
      // The upstream stack's own configuration or program is broken: report it as that stack's error.
      if (err instanceof StackConfigError || err instanceof StackUsageError) {
        console.error(`${p.stack}: its upstream stack cannot be evaluated: ${err.message}`);
        return EXIT.usage;
      }
      if (err instanceof EvaluationError) {
        console.error(`${p.stack}: its upstream stack failed to evaluate: ${err.causes.map((c) => c.message).join("; ")}`);
        return EXIT.program;
      }
      throw err;
    }
    const report = analyzeDeployability({ stack: p.stack, resources: p.evaluation.resources, upstream: upstream.resources }, upstream.stacks);
    p.digest.deployability = report;
    deployability.set(p.stack, report);
    // The monthly estimate, priced with the upstream stack's node pools for pods that run on them.
    // An estimate that cannot be made (a platform without a usage profile) is said, not fatal: the
    // plan is still right, only its price is missing.
    try {
      const cost = planCostFor(p.stack, estimateStack(p.stack, p.evaluation.resources, upstream.resources));
      (p.digest as typeof p.digest & { cost?: PlanCost }).cost = cost;
      costs.set(p.stack, cost);
    } catch (err) {
      costProblems.set(p.stack, (err as Error).message);
    }
  }

  const tree = args.tree ?? !args.all;
  for (const p of previews) {
    printStack(p, tree);
    console.log(formatPolicyReport(policyRuns.get(p.stack)!));
    console.log(formatDeployabilityReport(deployability.get(p.stack)!));
    const cost = costs.get(p.stack);
    console.log(cost ? renderCost(cost) : `Monthly cost: not estimated (${costProblems.get(p.stack)})`);
  }
  console.log(`\n${renderLimits()}`);

  if (args.json) writeJson(args.json, previews[0].digest);
  if (args.jsonDir) for (const p of previews) writeJson(join(args.jsonDir, `${p.stack}.json`), p.digest);
  if (args.json || args.jsonDir) console.log(`\nPlan written: ${args.json ?? `${args.jsonDir}/<stack>.json`} (pulumi preview --json format).`);

  const mandatory = [...policyRuns.values()].reduce((n, r) => n + r.mandatoryViolations, 0);
  const advisory = [...policyRuns.values()].reduce((n, r) => n + r.advisoryViolations, 0);
  const waived = [...policyRuns.values()].reduce((n, r) => n + r.waived, 0);
  const total = previews.reduce((n, p) => n + p.evaluation.resources.length, 0);
  const undeployable = [...deployability.values()].filter((r) => r.findings.length > 0);
  const deployErrors = undeployable.reduce((n, r) => n + r.findings.length, 0);
  console.log(
    `\n${previews.length} stack${previews.length > 1 ? "s" : ""}, ${total} resources; policies: ${mandatory} mandatory violation(s), ${advisory} advisory, ${waived} waived; deployability: ${deployErrors} error(s).`,
  );
  let code: number = EXIT.ok;
  if (mandatory > 0) {
    const failing = [...policyRuns.values()].filter((r) => r.mandatoryViolations > 0).map((r) => r.stack);
    console.error(`preview: mandatory policy violations in ${failing.join(", ")}: fix them (prod and shared stacks take no waiver; elsewhere a waiver needs a reason and an expiry, policies/README.md).`);
    code = EXIT.policy;
  }
  if (deployErrors > 0) {
    console.error(`preview: ${undeployable.map((r) => r.stack).join(", ")} would not deploy in one pass: fix the deployability errors above (README § Deployability analysis).`);
    code = EXIT.policy;
  }
  return code;
}

if (require.main === module) runMain("preview", () => main(process.argv.slice(2)));

/**
 * `npm run policy -- --plan FILE --stack NAME [--json]`: runs the policy pack on a saved plan (a
 * PreviewDigest written by `npm run preview` or by the real `pulumi preview --json`), with the
 * stack's enforcement levels, facts and waivers from policies/config/<stack>.json.
 *
 * The deployability analysis runs over the same plan. An env stack's analysis needs what its
 * upstream (shared) stack creates first: `--upstream-plan FILE` gives that stack's saved plan;
 * without it, the upstream stack is evaluated offline from this checkout.
 *
 * What a file cannot relax: `--stack` must be a stack of this repository and the plan's own
 * stack (its URNs, `urn:pulumi:<stack>::…`); the config must be that stack's (its `stack`, `env`
 * and `platform` agree, prod-ness comes from the stack name), and a prod or shared config carries
 * no waiver and no enforcement below the generated default. Each of these is exit 2.
 *
 * Exit codes: 0 no mandatory violation and no deployability error, 1 either, 2 usage or config
 * error (one line, never a stack trace).
 */
import { existsSync, readFileSync } from "node:fs";
import { analyzeDeployability } from "../deployability";
import { formatDeployabilityReport } from "../deployability/format";
import { upstreamResources, upstreamStacksOf } from "../deployability/upstream";
import { resourcesFromDigest, type PreviewDigest } from "../digest";
import type { RecordedResource } from "../evaluate";
import { checkStackName, PolicyConfigError } from "../policy/config";
import { formatPolicyReport } from "../policy/format";
import { runPolicyPack } from "../policy/run";

const USAGE = "usage: npm run policy -- --plan <preview.json> --stack <platform-env> [--upstream-plan <shared.json>] [--json]";

class UsageError extends Error {}

function parseArgs(argv: string[]): { plan: string; stack: string; json: boolean; upstreamPlan?: string } {
  let plan: string | undefined;
  let stack: string | undefined;
  let upstreamPlan: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value; ${USAGE}`);
      return v;
    };
    if (a === "--plan") plan = value();
    else if (a.startsWith("--plan=")) plan = a.slice(7);
    else if (a === "--stack") stack = value();
    else if (a.startsWith("--stack=")) stack = a.slice(8);
    else if (a === "--upstream-plan") upstreamPlan = value();
    else if (a.startsWith("--upstream-plan=")) upstreamPlan = a.slice(16);
    else if (a === "--json") json = true;
    else if (a === "--help" || a === "-h") throw new UsageError(USAGE);
    else throw new UsageError(`unknown argument ${a}; ${USAGE}`);
  }
  if (!plan || !stack) throw new UsageError(`--plan and --stack are required; ${USAGE}`);
  return { plan, stack, json, ...(upstreamPlan ? { upstreamPlan } : {}) };
}

function readPlan(file: string): PreviewDigest {
  if (!existsSync(file)) throw new UsageError(`plan file ${file} does not exist`);
  let digest: unknown;
  try {
    digest = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`plan file ${file} is not JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!digest || typeof digest !== "object" || !Array.isArray((digest as PreviewDigest).steps)) {
    throw new UsageError(`plan file ${file} is not a PreviewDigest (no "steps" array): write it with \`npm run preview -- --json\` or \`pulumi preview --json\``);
  }
  return digest as PreviewDigest;
}

/** The upstream stacks' resources: from a saved plan when given, else evaluated offline. */
async function upstreamFor(stack: string, upstreamPlan: string | undefined): Promise<{ stacks: string[]; resources: RecordedResource[] }> {
  const stacks = upstreamStacksOf(stack);
  if (!upstreamPlan) return upstreamResources(stack);
  if (stacks.length === 0) throw new UsageError(`--upstream-plan: ${stack} is deployed after no other stack, so it takes no upstream plan`);
  return { stacks, resources: resourcesFromDigest(readPlan(upstreamPlan)) };
}

/** The plan must be the stack's: every URN names the stack it belongs to. */
function checkPlanStack(resources: RecordedResource[], stack: string, file: string): void {
  const stacks = new Set<string>();
  for (const r of resources) {
    const m = /^urn:pulumi:([^:]+)::/.exec(r.urn);
    if (!m) throw new UsageError(`plan file ${file}: ${JSON.stringify(r.urn)} is not a Pulumi URN`);
    stacks.add(m[1]);
  }
  const others = [...stacks].filter((s) => s !== stack);
  if (others.length) throw new UsageError(`plan file ${file} is a plan of stack ${others.join(", ")}, not --stack ${stack}`);
}

export interface PolicyCliOptions {
  /** Where the per-stack configs are (tests); the command line always reads policies/config. */
  configDir?: string;
}

export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error, opts: PolicyCliOptions = {}): Promise<number> {
  try {
    const args = parseArgs(argv);
    checkStackName(args.stack);
    const digest = readPlan(args.plan);
    const resources = resourcesFromDigest(digest);
    checkPlanStack(resources, args.stack, args.plan);
    const run = await runPolicyPack({ stack: args.stack, resources, ...(opts.configDir ? { configDir: opts.configDir } : {}) });
    const upstream = await upstreamFor(args.stack, args.upstreamPlan);
    const deployability = analyzeDeployability({ stack: args.stack, resources, upstream: upstream.resources }, upstream.stacks);
    if (args.json) {
      out(JSON.stringify({ stack: run.stack, mandatoryViolations: run.mandatoryViolations, advisoryViolations: run.advisoryViolations, waived: run.waived, policies: run.results, deployability }, null, 2));
    } else {
      out(formatPolicyReport(run));
      out(formatDeployabilityReport(deployability));
    }
    return run.mandatoryViolations > 0 || deployability.findings.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof PolicyConfigError) {
      err(`error: ${e.message}`);
      return 2;
    }
    err(`error: ${(e as Error).message.split("\n")[0]}`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

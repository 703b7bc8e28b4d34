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
 * Exit codes: 0 no mandatory violation and no deployability error, 1 either, 2 usage, config or
 * plan error (one line naming the file, never a stack trace: the plan is validated by
 * engine/plan-file.ts before any rule runs), 3 a failure of the pack or the analysis itself.
 */
// First: defers the SDK's load-time imports of typescript and arborist (engine/fast-load.ts).
import "../fast-load";
import { analyzeDeployability } from "../deployability";
import { formatDeployabilityReport } from "../deployability/format";
import { upstreamResources, upstreamStacksOf } from "../deployability/upstream";
import { resourcesFromDigest } from "../digest";
import { readPlanFile } from "../plan-file";
import { CliError, EXIT, oneLine, parseCli, runMain } from "./args";
import type { RecordedResource } from "../evaluate";
import { checkStackName, PolicyConfigError } from "../policy/config";
import { formatPolicyReport } from "../policy/format";
import { runPolicyPack } from "../policy/run";

const USAGE = "usage: npm run policy -- --plan <preview.json> --stack <platform-env> [--upstream-plan <shared.json>] [--json]";

function parseArgs(argv: string[]): { plan: string; stack: string; json: boolean; upstreamPlan?: string } {
  const p = parseCli(argv, { plan: "string", stack: "string", "upstream-plan": "string", json: "boolean" }, { positional: false });
  if (p.help) throw new CliError(USAGE);
  const { plan, stack } = p.values;
  const upstreamPlan = p.values["upstream-plan"];
  if (!plan || !stack) throw new CliError(`--plan and --stack are required; ${USAGE}`);
  return { plan, stack, json: p.flags.json === true, ...(upstreamPlan ? { upstreamPlan } : {}) };
}

/** The upstream stacks' resources: from a saved plan when given, else evaluated offline. */
async function upstreamFor(stack: string, upstreamPlan: string | undefined): Promise<{ stacks: string[]; resources: RecordedResource[] }> {
  const stacks = upstreamStacksOf(stack);
  if (!upstreamPlan) return upstreamResources(stack);
  if (stacks.length === 0) throw new CliError(`--upstream-plan: ${stack} is deployed after no other stack, so it takes no upstream plan`);
  return { stacks, resources: resourcesFromDigest(readPlanFile(upstreamPlan)) };
}

/** The plan must be the stack's: every URN names the stack it belongs to. */
function checkPlanStack(resources: RecordedResource[], stack: string, file: string): void {
  const stacks = new Set<string>();
  for (const r of resources) {
    const m = /^urn:pulumi:([^:]+)::/.exec(r.urn);
    if (!m) throw new CliError(`plan file ${file}: ${JSON.stringify(r.urn)} is not a Pulumi URN`);
    stacks.add(m[1]);
  }
  const others = [...stacks].filter((s) => s !== stack);
  if (others.length) throw new CliError(`plan file ${file} is a plan of stack ${others.join(", ")}, not --stack ${stack}`);
}

export interface PolicyCliOptions {
  /** Where the per-stack configs are (tests); the command line always reads policies/config. */
  configDir?: string;
}

export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error, opts: PolicyCliOptions = {}): Promise<number> {
  try {
    const args = parseArgs(argv);
    checkStackName(args.stack);
    const digest = readPlanFile(args.plan);
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
    if (e instanceof CliError || e instanceof PolicyConfigError) {
      err(`error: ${oneLine(e)}`);
      return EXIT.usage;
    }
    // Not the input's fault: a failure of the pack or the analysis itself.
    err(`error: internal error: ${oneLine(e)}`);
    return EXIT.program;
  }
}

if (require.main === module) runMain("policy", () => main(process.argv.slice(2)));

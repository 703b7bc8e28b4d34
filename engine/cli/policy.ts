/**
 * `npm run policy -- --plan FILE --stack NAME [--json]`: runs the policy pack on a saved plan (a
 * PreviewDigest written by `npm run preview` or by the real `pulumi preview --json`), with the
 * stack's enforcement levels, facts and waivers from policies/config/<stack>.json.
 *
 * Exit codes: 0 no mandatory violation, 1 mandatory violations, 2 usage or config error (one line,
 * never a stack trace).
 */
import { existsSync, readFileSync } from "node:fs";
import { resourcesFromDigest, type PreviewDigest } from "../digest";
import { PolicyConfigError } from "../policy/config";
import { formatPolicyReport } from "../policy/format";
import { runPolicyPack } from "../policy/run";

const USAGE = "usage: npm run policy -- --plan <preview.json> --stack <platform-env> [--json]";

class UsageError extends Error {}

function parseArgs(argv: string[]): { plan: string; stack: string; json: boolean } {
  let plan: string | undefined;
  let stack: string | undefined;
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
    else if (a === "--json") json = true;
    else if (a === "--help" || a === "-h") throw new UsageError(USAGE);
    else throw new UsageError(`unknown argument ${a}; ${USAGE}`);
  }
  if (!plan || !stack) throw new UsageError(`--plan and --stack are required; ${USAGE}`);
  return { plan, stack, json };
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

export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  try {
    const args = parseArgs(argv);
    const digest = readPlan(args.plan);
    const run = await runPolicyPack({ stack: args.stack, resources: resourcesFromDigest(digest) });
    if (args.json) out(JSON.stringify({ stack: run.stack, mandatoryViolations: run.mandatoryViolations, advisoryViolations: run.advisoryViolations, waived: run.waived, policies: run.results }, null, 2));
    else out(formatPolicyReport(run));
    return run.mandatoryViolations > 0 ? 1 : 0;
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

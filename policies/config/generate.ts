/**
 * Generates `policies/config/<stack>.json`, the file `pulumi preview --policy-pack-config` reads
 * and the offline runner loads, from the platforms' ComplianceFacts (stacks/<platform>.ts) and
 * the document facts beside this file.
 *
 * Per policy: the enforcement level (mandatory in prod and shared stacks, advisory elsewhere, and
 * advisory everywhere for advisory rules), the stack identity and the facts the rule declares, and
 * the stack's waivers for that rule. Non-prod files may override a level or carry waivers: those
 * are kept when regenerating. Prod and shared files are exactly the generated defaults, with no
 * waiver (tests/policies/config.test.ts); the offline runner refuses a prod or shared file that
 * carries one, lowers a level or disagrees with its stack name (engine/policy/config.ts
 * checkStackConfig), and the pack itself ignores waivers there.
 *
 *   npx tsx policies/config/generate.ts           # write every stack's file
 *   npx tsx policies/config/generate.ts --check   # exit 1 if a file is stale
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ComplianceFacts, StackEnv } from "../../stacks/platform";
import { policies } from "../pack";
import { metaOf, type FactKey, type StackFacts, type Waiver } from "../lib/rule";
import { documentFacts } from "./document-facts";

export const CONFIG_DIR = __dirname;

/** What a generated config needs to know about a platform (a PlatformDefinition is one). */
export interface PlatformFacts {
  name: string;
  compliance: (env: StackEnv) => ComplianceFacts;
}

export type GeneratedEntry = {
  enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
  waivers: Waiver[];
} & Partial<StackFacts>;
export type GeneratedConfig = Record<string, GeneratedEntry>;

export function isProdLike(env: StackEnv): boolean {
  return env === "prod" || env === "shared";
}

export function stackFacts(platform: PlatformFacts, env: StackEnv): StackFacts {
  const c = platform.compliance(env);
  return {
    stack: `${platform.name}-${env}`,
    platform: platform.name,
    env,
    allowedLocations: [...c.allowedLocations],
    minBackupRetentionDays: c.minBackupRetentionDays,
    maxBackupIntervalHours: c.maxBackupIntervalHours,
    pointInTimeRecoveryRequired: c.pointInTimeRecoveryRequired,
    persistenceRequired: documentFacts(platform.name).persistenceRequired,
    // Only the shared stack runs cluster-wide agents.
    privilegedNamespaces: env === "shared" ? [...documentFacts(platform.name).privilegedNamespaces] : [],
  };
}

export function defaultLevel(policyName: string, env: StackEnv): GeneratedEntry["enforcementLevel"] {
  const policy = policies.find((p) => p.name === policyName);
  if (policy?.enforcementLevel === "mandatory") return "mandatory";
  if (metaOf(policyName).advisory) return "advisory";
  return isProdLike(env) ? "mandatory" : "advisory";
}

/** The config for one stack; `existing` (the current file) keeps its non-prod overrides and waivers. */
export function buildPolicyConfig(platform: PlatformFacts, env: StackEnv, existing: Record<string, Partial<GeneratedEntry>> = {}): GeneratedConfig {
  const facts = stackFacts(platform, env);
  const prod = isProdLike(env);
  const out: GeneratedConfig = {};
  for (const p of policies) {
    const meta = metaOf(p.name);
    const old = existing[p.name] ?? {};
    const entry: GeneratedEntry = {
      enforcementLevel: (!prod && old.enforcementLevel) || defaultLevel(p.name, env),
      stack: facts.stack,
      platform: facts.platform,
      env: facts.env,
      waivers: prod ? [] : (old.waivers ?? []),
    };
    for (const f of meta.facts ?? ([] as FactKey[])) (entry as Record<string, unknown>)[f] = facts[f];
    out[p.name] = entry;
  }
  return out;
}

export function configFile(stack: string, dir = CONFIG_DIR): string {
  return join(dir, `${stack}.json`);
}

export function readExisting(stack: string, dir = CONFIG_DIR): Record<string, Partial<GeneratedEntry>> {
  const file = configFile(stack, dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, Partial<GeneratedEntry>>) : {};
}

export function render(config: GeneratedConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

async function main() {
  const { PLATFORMS } = await import("../../stacks/registry");
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const platform of PLATFORMS) {
    for (const env of platform.envs) {
      const stack = `${platform.name}-${env}`;
      const text = render(buildPolicyConfig(platform, env, readExisting(stack)));
      const file = configFile(stack);
      const current = existsSync(file) ? readFileSync(file, "utf8") : "";
      if (current === text) continue;
      if (check) {
        stale++;
        console.error(`stale: ${file}`);
      } else {
        writeFileSync(file, text);
        console.log(`wrote ${file}`);
      }
    }
  }
  if (stale) process.exit(1);
}

if (require.main === module) void main();

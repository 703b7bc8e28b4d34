/**
 * Builds `policies/config/<stack>.json`, the file `pulumi preview --policy-pack-config` reads and
 * the offline runner loads, from a platform's ComplianceFacts (model/compliance.ts, stated in
 * stacks/<platform>.ts) and the document facts beside this file. The command that writes the files
 * for every platform lives in the engine, which may read stacks/ (this pack may not):
 *
 *   npm run generate              # writes every generated file, these included
 *   npm run generate -- --check   # exit 1 if one is stale
 *
 * Per policy: the enforcement level (mandatory in prod-like stacks, advisory elsewhere, and
 * advisory everywhere for advisory rules), the stack identity, the facts the rule declares with the
 * document section behind each (`sources`, which its violations cite), and the stack's waivers for
 * that rule. Non-prod files may override a level or carry waivers: those are kept when
 * regenerating. Prod-like files are exactly the generated defaults, with no waiver
 * (tests/policies/config.test.ts); the offline runner refuses a prod-like file that carries one,
 * lowers a level or disagrees with its stack name (engine/policy/config.ts checkStackConfig), and
 * the pack itself ignores waivers there.
 *
 * The budget rule (policies/cost/) also gets the stack's cost facts (model/cost/budget.ts
 * StackCostFacts: its budget share, usage profile and host node pools), which the engine's generate
 * command reads from stacks/ and passes in (`costFactsOf`): this pack may not read stacks/. Its level
 * is advisory, or mandatory in every env where the document makes the budget a hard limit.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ComplianceFacts, FactKey, StackFacts } from "../../model/compliance";
import type { StackCostFacts } from "../../model/cost/budget";
import { isFoundationEnv, isProdLike, type StackEnv } from "../../model/envs";
import { policies } from "../pack";
import { metaOf, type Waiver } from "../lib/rule";
import { documentFacts } from "./document-facts";
import { COST_FACTS_KEY, COST_RULE } from "../cost/platform-cost-stack-restrict-monthly-cost";
import { DATA_ISOLATION_KEY, DATA_ISOLATION_RULE } from "../residency/gcp-project-deny-foreign-data-reference";

/** A stack's cost facts by stack name (stacks/budgets.ts stackCostFacts). */
export type CostFactsOf = (stack: string) => StackCostFacts;

/** Where the per-stack configs live: the one owner of this path (engine/policy/config.ts reads it). */
export const CONFIG_DIR = __dirname;

/** What a generated config needs to know about a platform (a PlatformDefinition is one). */
export interface PlatformFacts {
  name: string;
  // Method syntax: a platform whose compliance() takes only its own envs still qualifies.
  compliance(env: StackEnv): ComplianceFacts;
}

export type GeneratedEntry = {
  enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
  waivers: Waiver[];
} & Partial<StackFacts>;
export type GeneratedConfig = Record<string, GeneratedEntry>;

export function stackFacts(platform: PlatformFacts, env: StackEnv): StackFacts {
  const c = platform.compliance(env);
  const doc = documentFacts(platform.name);
  return {
    stack: `${platform.name}-${env}`,
    platform: platform.name,
    env,
    allowedLocations: [...c.allowedLocations],
    minBackupRetentionDays: c.minBackupRetentionDays,
    maxBackupIntervalHours: c.maxBackupIntervalHours,
    pointInTimeRecoveryRequired: c.pointInTimeRecoveryRequired,
    // Written as null when the document states none: the rule then says so instead of "not configured".
    maxRpoMinutes: c.maxRpoMinutes ?? null,
    persistenceRequired: doc.persistenceRequired,
    // Only the foundation stack runs cluster-wide agents.
    privilegedNamespaces: isFoundationEnv(env) ? [...doc.privilegedNamespaces] : [],
    // Written as false when the platform does not ask for it: the rule then says so instead of "not configured".
    dataIsolation: c.dataIsolation ?? false,
    sources: { ...c.sources, ...doc.sources },
  };
}

export function defaultLevel(policyName: string, env: StackEnv): GeneratedEntry["enforcementLevel"] {
  const policy = policies.find((p) => p.name === policyName);
  if (policy?.enforcementLevel === "mandatory") return "mandatory";
  if (metaOf(policyName).advisory) return "advisory";
  return isProdLike(env) ? "mandatory" : "advisory";
}

/** The config for one stack; `existing` (the current file) keeps its non-prod overrides and waivers. */
export function buildPolicyConfig(platform: PlatformFacts, env: StackEnv, existing: Record<string, Partial<GeneratedEntry>> = {}, cost?: StackCostFacts): GeneratedConfig {
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
    const declared: FactKey[] = meta.facts ?? [];
    for (const f of declared) (entry as Record<string, unknown>)[f] = facts[f];
    const sources = Object.fromEntries(declared.filter((f) => facts.sources[f]).map((f) => [f, facts.sources[f]]));
    if (Object.keys(sources).length) entry.sources = sources;
    // A switch, not a fact (model/compliance.ts SwitchKey): only its rule's entry carries it, with its citation.
    if (p.name === DATA_ISOLATION_RULE) {
      entry[DATA_ISOLATION_KEY] = facts[DATA_ISOLATION_KEY];
      const source = facts.sources[DATA_ISOLATION_KEY];
      if (source) entry.sources = { ...entry.sources, [DATA_ISOLATION_KEY]: source };
    }
    if (p.name === COST_RULE && cost) {
      (entry as Record<string, unknown>)[COST_FACTS_KEY] = cost;
      // A hard limit binds every env (it caps the platform's whole spend); a non-prod override that would lower it is not kept.
      if (cost.budget?.hardLimit) entry.enforcementLevel = "mandatory";
    }
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

/**
 * Every stack's config as it should be on disk (`existing` overrides and waivers kept), by file.
 * `costFactsOf` gives each stack's budget, usage profile and host node pools (stacks/budgets.ts
 * stackCostFacts, passed in by the engine: policies/ cannot read stacks/).
 */
export function policyConfigFiles(platforms: readonly (PlatformFacts & { envs: readonly StackEnv[] })[], dir: string, costFactsOf: CostFactsOf): { path: string; text: string }[] {
  return platforms.flatMap((platform) =>
    platform.envs.map((env) => {
      const stack = `${platform.name}-${env}`;
      return { path: configFile(stack, dir), text: render(buildPolicyConfig(platform, env, readExisting(stack, dir), costFactsOf(stack))) };
    }),
  );
}

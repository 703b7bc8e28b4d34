/** Fixtures and a one-rule runner for the policy specs. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { BLINDED_SECRET, UNKNOWN, type RecordedResource } from "../../engine/evaluate";
import { runPolicyPack, type PolicyRunResult } from "../../engine/policy/run";
import type { PolicyPackConfigFile } from "../../engine/policy/config";
import { policies } from "../../policies/pack";
import { metaOf, type StackFacts, type Waiver } from "../../policies/lib/rule";
import { COST_FACTS_KEY, COST_RULE } from "../../policies/cost/platform-cost-stack-restrict-monthly-cost";
import type { StackCostFacts } from "../../model/cost/budget";
import { DATA_ISOLATION_KEY, DATA_ISOLATION_RULE } from "../../policies/residency/gcp-project-deny-foreign-data-reference";

export { BLINDED_SECRET, UNKNOWN };
export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Marks a property to delete in a mutation. */
export const DEL = Symbol("delete");

/** The stack the fixtures belong to (their URNs name it; configFor's default config is its). */
export const TEST_STACK = "diaspomoney-prod";
export const PROVIDER_URN = `urn:pulumi:${TEST_STACK}::platform-infra::pulumi:providers:gcp::gcp`;

export function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> & { protect?: boolean } = {}): RecordedResource {
  const { protect, ...rest } = extra;
  return {
    urn: `urn:pulumi:${TEST_STACK}::platform-infra::${type}::${name}`,
    type,
    name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    inputs,
    options: { protect: protect ?? false, retainOnDelete: false, ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [] },
    ...rest,
  };
}

export const PROD_FACTS: StackFacts = {
  stack: "diaspomoney-prod",
  platform: "diaspomoney",
  env: "prod",
  allowedLocations: ["europe-west6", "EU"],
  minBackupRetentionDays: 30,
  maxBackupIntervalHours: 48,
  pointInTimeRecoveryRequired: true,
  // DiaspoMoney states no RPO; the RPO rule's spec sets one.
  maxRpoMinutes: null,
  persistenceRequired: true,
  privilegedNamespaces: ["monitoring-node-exporter"],
  // No citations by default: a spec's messages are the rule's own; tests/policies/citations.test.ts adds them.
  sources: {},
};

/** The facts a spec may set: the stack facts, and the budget rule's cost facts (its own config key). */
export type SpecFacts = Partial<StackFacts> & { cost?: StackCostFacts };

/** A config that makes every policy mandatory with these facts (and waivers, keyed by policy). */
export function configFor(facts: SpecFacts = {}, waivers: Record<string, Waiver[]> = {}, level: "mandatory" | "advisory" = "mandatory"): PolicyPackConfigFile {
  // A config is its stack's: changing the env changes the stack name (prod-ness comes from it).
  const f = { ...PROD_FACTS, ...(facts.env && !facts.stack ? { stack: `${facts.platform ?? PROD_FACTS.platform}-${facts.env}` } : {}), ...facts };
  const out: PolicyPackConfigFile = {};
  for (const p of policies) {
    const entry: Record<string, unknown> = { enforcementLevel: level, stack: f.stack, platform: f.platform, env: f.env, waivers: waivers[p.name] ?? [] };
    const declared = metaOf(p.name).facts ?? [];
    for (const k of declared) entry[k] = f[k];
    const sources = Object.fromEntries(declared.filter((k) => f.sources?.[k]).map((k) => [k, f.sources[k]]));
    if (Object.keys(sources).length) entry.sources = sources;
    // The isolation switch is the rule's own config key (like the budget rule's cost facts), not a shared fact.
    if (p.name === DATA_ISOLATION_RULE && f.dataIsolation !== undefined) {
      entry[DATA_ISOLATION_KEY] = f.dataIsolation;
      if (f.sources?.dataIsolation) entry.sources = { ...(entry.sources as object), dataIsolation: f.sources.dataIsolation };
    }
    if (p.name === COST_RULE && facts.cost) entry[COST_FACTS_KEY] = facts.cost;
    out[p.name] = entry;
  }
  return out;
}

export function policyNamed(name: string): AnyPolicy {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p as AnyPolicy;
}

export async function runRule(name: string, resources: RecordedResource[], facts: SpecFacts = {}, waivers: Record<string, Waiver[]> = {}): Promise<PolicyRunResult> {
  return runPolicyPack({ stack: "test", resources, config: configFor(facts, waivers), policies: [policyNamed(name)] });
}

/** Applies `path → value` (DEL deletes; `$protect` sets the protect option) to a deep copy. */
export function mutate(r: RecordedResource, changes: Record<string, unknown>): RecordedResource {
  const copy = structuredClone(r);
  for (const [path, value] of Object.entries(changes)) {
    if (path === "$protect") {
      copy.options.protect = value as boolean;
      continue;
    }
    // A dot inside a key (a label such as `pod-security.kubernetes.io/enforce`) is written U+2024.
    const parts = path.split(".").map((p) => p.replace(/\u2024/g, "."));
    let cur = copy.inputs as Record<string, unknown>;
    for (const p of parts.slice(0, -1)) {
      if (cur[p] === undefined || cur[p] === null || typeof cur[p] !== "object") cur[p] = /^\d+$/.test(p) ? [] : {};
      cur = cur[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    if (value === DEL) delete cur[last];
    else cur[last] = value;
  }
  return copy;
}

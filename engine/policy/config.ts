/**
 * A stack's policy config: `policies/config/<stack>.json`, in the format
 * `pulumi preview --policy-pack-config` reads ({"<policy>": {"enforcementLevel": ..., ...props}}).
 * Loaded and checked here as the CLI would: unknown policies, unknown enforcement levels and
 * properties that do not match a policy's configSchema are errors.
 */
import { existsSync, readFileSync } from "node:fs";
import type { default as Ajv } from "ajv";
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { cachedByContent, codeFingerprint } from "../../model/content-cache";
import { envOfStack, isProdLike } from "../../model/envs";
import { ajvVersion, loadAjv } from "../../model/lazy-ajv";
import { allStacks } from "../../stacks/registry";
import { CONFIG_DIR, configFile, defaultLevel } from "../../policies/config/generate";

export type PolicyConfigEntry = { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;
export type PolicyPackConfigFile = Record<string, PolicyConfigEntry>;

export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigError";
  }
}

/** The per-stack configs' directory: the pack's generator owns the path (policies/config/generate.ts). */
export const POLICY_CONFIG_DIR = CONFIG_DIR;
const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * Refuses a name that is not a stack of this repository (stacks/registry.ts), before it is ever
 * joined into a path: `--stack ../../x` never loads an arbitrary JSON file.
 */
export function checkStackName(stack: string): void {
  const stacks = allStacks();
  if (!stacks.includes(stack)) throw new PolicyConfigError(`${JSON.stringify(stack)} is not a stack of this repository (one of ${stacks.join(", ")})`);
}

export function policyConfigPath(stack: string, dir = POLICY_CONFIG_DIR): string {
  checkStackName(stack);
  return configFile(stack, dir);
}

const LEVEL_RANK: Record<string, number> = { disabled: 0, advisory: 1, mandatory: 2, remediate: 2 };

/**
 * What a file cannot relax: the config must be this stack's (every entry's `stack`, `env` and
 * `platform` agree with the stack name, which alone decides prod-ness), and a prod or shared
 * config carries no waiver (`*` included) and no enforcement below the generated default, for
 * every policy of the pack.
 */
export function checkStackConfig(config: PolicyPackConfigFile, policies: { name: string }[], stack: string, file: string): void {
  const env = envOfStack(stack);
  if (!env) throw new PolicyConfigError(`${file}: stack ${JSON.stringify(stack)} is not <platform>-<env>`);
  const prod = isProdLike(env);
  for (const [name, entry] of Object.entries(config)) {
    if (name === "all") {
      if (prod) throw new PolicyConfigError(`${file}: "all" is refused in a ${env} stack's config: every policy has its own entry`);
      continue;
    }
    if (entry.stack !== undefined && entry.stack !== stack) throw new PolicyConfigError(`${file}: ${name} is configured for stack ${JSON.stringify(entry.stack)}, not ${stack}`);
    if (entry.env !== undefined && entry.env !== env) throw new PolicyConfigError(`${file}: ${name} claims env ${JSON.stringify(entry.env)}, but stack ${stack} is ${env} (prod-ness comes from the stack name)`);
    if (entry.platform !== undefined && `${String(entry.platform)}-${env}` !== stack) throw new PolicyConfigError(`${file}: ${name} claims platform ${JSON.stringify(entry.platform)}, but the stack is ${stack}`);
    const waivers = Array.isArray(entry.waivers) ? (entry.waivers as { target?: unknown }[]) : [];
    if (prod && waivers.length) {
      throw new PolicyConfigError(`${file}: waivers are refused in ${env} stacks (${name} waives ${waivers.map((w) => JSON.stringify(w.target)).join(", ")}): fix the resource instead`);
    }
  }
  if (!prod) return;
  for (const p of policies) {
    const level = config[p.name]?.enforcementLevel;
    const floor = defaultLevel(p.name, env);
    if (level === undefined) throw new PolicyConfigError(`${file}: ${p.name} has no entry: a ${env} stack's config sets every policy (regenerate with \`npm run generate\`)`);
    if (LEVEL_RANK[level] < LEVEL_RANK[floor]) throw new PolicyConfigError(`${file}: ${p.name} is ${level} but must be at least ${floor} in a ${env} stack`);
  }
}

/** Normalises the CLI's two shapes (`"policy": "mandatory"` or an object) to objects. */
export function normalizePolicyConfig(raw: unknown, file: string): PolicyPackConfigFile {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new PolicyConfigError(`${file}: expected a JSON object keyed by policy name`);
  const out: PolicyPackConfigFile = {};
  for (const [policy, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === "string") out[policy] = { enforcementLevel: v as EnforcementLevel };
    else if (v && typeof v === "object" && !Array.isArray(v)) out[policy] = { ...(v as PolicyConfigEntry) };
    else throw new PolicyConfigError(`${file}: ${policy}: expected an enforcement level or an object`);
    const level = out[policy].enforcementLevel;
    if (level !== undefined && !LEVELS.includes(level)) throw new PolicyConfigError(`${file}: ${policy}: enforcementLevel "${String(level)}" is not one of ${LEVELS.join(", ")}`);
  }
  return out;
}

// One compiled validator per policy config schema: every run checks the whole pack's config, and
// compiling 89 schemas anew cost about 50 ms a run.
let configAjv: Ajv | undefined;
const configValidators = new Map<string, ReturnType<Ajv["compile"]>>();

function configValidator(schema: Record<string, unknown>): ReturnType<Ajv["compile"]> {
  const key = JSON.stringify(schema);
  let validate = configValidators.get(key);
  configAjv ??= new (loadAjv().default)({ strict: false, allErrors: true });
  if (!validate) configValidators.set(key, (validate = configAjv.compile(schema)));
  return validate;
}

type CheckedPolicy = { name: string; configSchema?: PolicyConfigSchema };

/** The first problem of a config against the pack's policies and their configSchemas, or null. */
function firstConfigProblem(config: PolicyPackConfigFile, policies: readonly CheckedPolicy[], file: string): string | null {
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const [name, entry] of Object.entries(config)) {
    if (name === "all") continue;
    const policy = byName.get(name);
    if (!policy) return `${file}: "${name}" is not a policy of the pack`;
    const { enforcementLevel: _level, ...props } = entry;
    void _level;
    const schema = { type: "object", properties: policy.configSchema?.properties ?? {}, required: policy.configSchema?.required ?? [], additionalProperties: false };
    const validate = configValidator(schema);
    if (!validate(props)) {
      const e = validate.errors![0];
      return `${file}: ${name}${e.instancePath.replace(/\//g, ".")}: ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`;
    }
  }
  return null;
}

/**
 * Checks a config against the pack's policies and their configSchemas. The answer is kept by
 * content (model/content-cache.ts: the config, every policy's schema, ajv's version and this code),
 * so an unchanged config is not re-validated, and ajv not even loaded, in the next process.
 */
export function checkPolicyConfig(config: PolicyPackConfigFile, policies: readonly CheckedPolicy[], file: string): void {
  const schemas = policies.map((p) => [p.name, p.configSchema ?? null]);
  const key = [codeFingerprint([firstConfigProblem, configValidator]), ajvVersion(), JSON.stringify(schemas), JSON.stringify(config), file];
  const problem = cachedByContent("policy-config", key, () => firstConfigProblem(config, policies, file));
  if (problem) throw new PolicyConfigError(problem);
}

/** Reads `policies/config/<stack>.json`; a missing or malformed file is a PolicyConfigError. */
export function loadPolicyConfig(stack: string, dir = POLICY_CONFIG_DIR): { file: string; config: PolicyPackConfigFile } {
  const file = policyConfigPath(stack, dir);
  if (!existsSync(file)) throw new PolicyConfigError(`no policy config for stack ${stack}: ${file} does not exist (generate it with \`npm run generate\`)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new PolicyConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return { file, config: normalizePolicyConfig(raw, file) };
}

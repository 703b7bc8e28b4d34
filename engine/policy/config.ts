/**
 * A stack's policy config: `policies/config/<stack>.json`, in the format
 * `pulumi preview --policy-pack-config` reads ({"<policy>": {"enforcementLevel": ..., ...props}}).
 * Loaded and checked here as the CLI would: unknown policies, unknown enforcement levels and
 * properties that do not match a policy's configSchema are errors.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { PROJECT_ROOT } from "../project";

export type PolicyConfigEntry = { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;
export type PolicyPackConfigFile = Record<string, PolicyConfigEntry>;

export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigError";
  }
}

export const POLICY_CONFIG_DIR = join(PROJECT_ROOT, "policies", "config");
const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

export function policyConfigPath(stack: string, dir = POLICY_CONFIG_DIR): string {
  return join(dir, `${stack}.json`);
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

/** Checks a config against the pack's policies and their configSchemas. */
export function checkPolicyConfig(config: PolicyPackConfigFile, policies: { name: string; configSchema?: PolicyConfigSchema }[], file: string): void {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const [name, entry] of Object.entries(config)) {
    if (name === "all") continue;
    const policy = byName.get(name);
    if (!policy) throw new PolicyConfigError(`${file}: "${name}" is not a policy of the pack`);
    const { enforcementLevel: _level, ...props } = entry;
    void _level;
    const schema = { type: "object", properties: policy.configSchema?.properties ?? {}, required: policy.configSchema?.required ?? [], additionalProperties: false };
    const validate = ajv.compile(schema);
    if (!validate(props)) {
      const e = validate.errors![0];
      throw new PolicyConfigError(`${file}: ${name}${e.instancePath.replace(/\//g, ".")}: ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
    }
  }
}

/** Reads `policies/config/<stack>.json`; a missing or malformed file is a PolicyConfigError. */
export function loadPolicyConfig(stack: string, dir = POLICY_CONFIG_DIR): { file: string; config: PolicyPackConfigFile } {
  const file = policyConfigPath(stack, dir);
  if (!existsSync(file)) throw new PolicyConfigError(`no policy config for stack ${stack}: ${file} does not exist (generate it with \`npx tsx policies/config/generate.ts\`)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new PolicyConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return { file, config: normalizePolicyConfig(raw, file) };
}

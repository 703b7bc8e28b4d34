/**
 * Typed stack configuration: turns what the Pulumi CLI hands a program (or what the offline engine
 * reads from `stacks/Pulumi.<stack>.yaml`, stacks/stack-file.ts) into a validated, typed config
 * object, or one clear error naming the stack file, the key path, what was expected and what was
 * given. The jobs live apart: decoding and profile merging (config-merge.ts), schema walking and
 * building blocks (config-schema.ts), secret leaves (config-secrets.ts), schema → words and errors
 * (config-describe.ts), JSON Schema for editors (config-json-schema.ts). This module resolves, and
 * is the one import the rest of the program needs.
 */
import type { z } from "zod";
import { ENV_TRAITS, type StackEnv } from "../model/envs";
import { describeSchema, formatPath, issueToError, knownKeysHint } from "./config-describe";
import { StackConfigError, stackFile } from "./config-error";
import { decodeConfigValue, deepMerge } from "./config-merge";
import { schemaAt } from "./config-schema";
import { findSecretLeaf } from "./config-secrets";
import type { PlatformDefinition } from "./platform";

export { StackConfigError, stackFile } from "./config-error";
export { decodeConfigValue, deepMerge } from "./config-merge";
export { emailAddress, gcpProjectId, gcpProjectSchema, hostname, ipv4Cidr, pinnedImage } from "./config-schema";
export { secretString } from "./config-secrets";
export { describeSchema } from "./config-describe";

export interface ResolveInput<E extends StackEnv = StackEnv> {
  stack: string;
  env: E;
  /** Config in CLI form: `namespace:key` → string. */
  config: Record<string, string>;
  /** Which of those keys are secrets (`secure:` in the file, or set with --secret). */
  secretKeys: readonly string[];
}

/** Pulumi's own namespaces, which a program may receive and must ignore. */
const IGNORED_NAMESPACES = new Set(["pulumi"]);

/**
 * The config key every platform schema with stateful resources has. Its default is the env's
 * trait, and a prod-like env may not turn it off (model/envs.ts): one owner, not one per platform.
 */
export const DELETION_PROTECTION_KEY = "deletionProtection";

/** What a stack of `env` gets when its file says nothing: the env's traits, then its profile row. */
export function envDefaults<S extends z.ZodObject, E extends StackEnv>(def: PlatformDefinition<S, E>, env: E): Record<string, unknown> {
  const traitDefaults = DELETION_PROTECTION_KEY in def.schema.shape ? { [DELETION_PROTECTION_KEY]: ENV_TRAITS[env].deletionProtection } : {};
  return deepMerge(traitDefaults, def.envs[env].profile) as Record<string, unknown>;
}

/**
 * Validates a stack's configuration against its definition's schema, on top of the env's traits
 * and profile. Throws {@link StackConfigError} for the first problem found, naming the stack file and key.
 */
export function resolveConfig<S extends z.ZodObject, E extends StackEnv>(def: PlatformDefinition<S, E>, input: ResolveInput<E>): z.output<S> {
  const file = stackFile(input.stack);
  const shape = def.schema.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  const given: Record<string, unknown> = {};
  const secretTop = new Set<string>();

  for (const [fullKey, raw] of Object.entries(input.config)) {
    const sep = fullKey.indexOf(":");
    const ns = sep < 0 ? "" : fullKey.slice(0, sep);
    const key = sep < 0 ? fullKey : fullKey.slice(sep + 1);
    if (IGNORED_NAMESPACES.has(ns)) continue;
    if (ns !== def.name) {
      throw new StackConfigError(file, fullKey, `a key in the "${def.name}:" namespace (this program reads no other)`, `namespace "${ns || "(none)"}"`);
    }
    if (!(key in shape)) {
      throw new StackConfigError(file, fullKey, `a known key: ${knownKeysHint(key, known)}`, "an unknown key");
    }
    given[key] = decodeConfigValue(raw);
    if (input.secretKeys.includes(fullKey)) secretTop.add(key);
  }

  // Secrets must arrive as secrets: a plain-text secret in a stack file is an error, not a warning.
  for (const [key, value] of Object.entries(given)) {
    if (secretTop.has(key)) continue;
    const leak = findSecretLeaf(shape[key], value, [key]);
    if (leak) throw new StackConfigError(file, formatPath(def.name, leak), describeSchema(schemaAt(def.schema, leak) ?? shape[key]), "a plain-text value (not shown)");
  }

  const traits = ENV_TRAITS[input.env];
  const merged = deepMerge(envDefaults(def, input.env), given) as Record<string, unknown>;
  const parsed = def.schema.safeParse(merged);
  if (!parsed.success) throw issueToError(file, def.name, def.schema, parsed.error.issues[0], merged);

  if (traits.prodLike && merged[DELETION_PROTECTION_KEY] === false) {
    throw new StackConfigError(
      file,
      `${def.name}:${DELETION_PROTECTION_KEY}`,
      `true in a prod-like stack (${input.env}: stateful resources are protected against deletion, model/envs.ts)`,
      "false",
    );
  }
  const problem = def.checkEnv?.(input.env, parsed.data);
  if (problem) throw new StackConfigError(file, `${def.name}:${problem.key}`, problem.expected, problem.got);
  return parsed.data;
}

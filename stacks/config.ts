/**
 * Typed stack configuration: turns what the Pulumi CLI hands a program (or what the offline engine
 * reads from `stacks/Pulumi.<stack>.yaml`) into a validated, typed config object — or one clear
 * error naming the stack file, the key path, what was expected and what was given.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { DeepPartial, PlatformDefinition, StackEnv } from "./platform";

/** One bad configuration value. The message is the whole user-facing error: no stack trace follows it. */
export class StackConfigError extends Error {
  constructor(
    /** The stack file, relative to the project root (`stacks/Pulumi.quickfund-prod.yaml`). */
    readonly file: string,
    /** The key path, `namespace:key.sub.path`, or what was wrong when there is no key. */
    readonly keyPath: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${file}: ${keyPath}: expected ${expected}, got ${got}`);
    this.name = "StackConfigError";
  }
}

export const stackFile = (stack: string): string => `stacks/Pulumi.${stack}.yaml`;

// ---------------------------------------------------------------------------------------------
// Schema building blocks shared by the platforms' schemas.
// ---------------------------------------------------------------------------------------------

const SECRET_META = "platformSecret";

/**
 * A secret string: accepted only as a `secure:` value (or `pulumi config set --secret`), never in
 * plain text in a stack file, and handed to the program as a Pulumi secret Output.
 */
export function secretString(description: string) {
  return z
    .string()
    .min(1)
    .meta({ description, [SECRET_META]: true })
    .transform((v) => pulumi.secret(v));
}

/** A container image pinned by tag or digest, never `:latest`. */
export const pinnedImage = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$/, "a container image pinned by tag or digest")
  .refine((v) => !/:latest$/.test(v), "a container image pinned by tag or digest, not :latest")
  .describe("a container image pinned by tag or digest (registry/path:tag or registry/path@sha256:...)");

export const ipv4Cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/).describe("an IPv4 CIDR such as 10.10.0.0/20");
export const hostname = z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/).describe("a DNS hostname");
export const emailAddress = z.email().describe("an email address");

/** A GCP project id (6 to 30 characters, lowercase, starting with a letter). */
export const gcpProjectId = z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/).describe("a GCP project id");

/** The `<platform>:gcp` key every GCP-hosted platform has: project, project number, region. */
export function gcpProjectSchema<const R extends readonly [string, ...string[]]>(regions: R) {
  return z.strictObject({
    projectId: gcpProjectId,
    /** Needed to name service agents without a cloud call (CMEK grants). */
    projectNumber: z.union([z.string().regex(/^\d{6,20}$/), z.number().int().positive()]).transform(String).describe("the GCP project number (digits)"),
    region: z.enum(regions),
  });
}

/** Whether a schema node is a secret leaf (see {@link secretString}). */
function isSecretSchema(schema: z.ZodType): boolean {
  const meta = (unwrap(schema) as z.ZodType).meta?.() as Record<string, unknown> | undefined;
  return meta?.[SECRET_META] === true;
}

/** Strips optional/default/nullable/pipe wrappers down to the schema that describes the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "optional" || def.type === "nullable" || def.type === "default" || def.type === "prefault" || def.type === "readonly" || def.type === "nonoptional") {
      s = def.innerType as z.ZodType;
    } else if (def.type === "pipe") {
      s = def.in as z.ZodType;
    } else {
      return s;
    }
  }
}

/** The schema of the value at `path` inside `schema`, if the path exists in the schema. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const key of path) {
    if (!s) return undefined;
    const u = unwrap(s);
    const def = (u as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "object") s = (def.shape as Record<string, z.ZodType>)[String(key)];
    else if (def.type === "array") s = def.element as z.ZodType;
    else if (def.type === "record") s = def.valueType as z.ZodType;
    else return undefined;
  }
  return s;
}

/** A human description of what a schema accepts: "a number from 1 to 48", "one of dev, rct, prod". */
export function describeSchema(schema: z.ZodType): string {
  const s = unwrap(schema);
  if (isSecretSchema(s)) return "a secret (a `secure:` value, set with `pulumi config set --secret`)";
  const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  // zod keeps bounds as checks on the definition; collect them by kind.
  const bag: Record<string, unknown> = {};
  for (const c of (def.checks as { _zod: { def: Record<string, unknown> } }[] | undefined) ?? []) {
    const cd = c._zod.def;
    if (cd.check === "greater_than" || cd.check === "min_length") bag.minimum = cd.value ?? cd.minimum;
    if (cd.check === "less_than" || cd.check === "max_length") bag.maximum = cd.value ?? cd.maximum;
    if (cd.check === "number_format") bag.format = cd.format;
    if (cd.check === "string_format" && cd.format === "regex") ((bag.patterns ??= new Set<RegExp>()) as Set<RegExp>).add(cd.pattern as RegExp);
  }
  switch (def.type) {
    case "number": {
      const int = bag.format === "safeint" || bag.format === "int32" || Number.isInteger(bag.multipleOf);
      const noun = int ? "a whole number" : "a number";
      const min = bag.minimum as number | undefined;
      const max = bag.maximum as number | undefined;
      if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
      if (min !== undefined) return `${noun} of at least ${min}`;
      if (max !== undefined) return `${noun} of at most ${max}`;
      return noun;
    }
    case "string": {
      const desc = s.description;
      const patterns = bag.patterns as Set<RegExp> | undefined;
      if (desc) return `a string: ${desc}`;
      if (patterns && patterns.size) return `a string matching ${[...patterns].map(String).join(" and ")}`;
      return "a string";
    }
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${Object.values(def.entries as Record<string, string>).join(", ")}`;
    case "literal":
      return `${(def.values as unknown[]).map((v) => JSON.stringify(v)).join(" or ")}`;
    case "array": {
      const min = bag.minimum as number | undefined;
      const max = bag.maximum as number | undefined;
      const n = min !== undefined && max !== undefined ? (min === max ? `exactly ${min}` : `${min} to ${max}`) : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : "any number of";
      return `a list of ${n} items, each ${describeSchema(def.element as z.ZodType)}`;
    }
    case "object":
      return `an object with keys ${Object.keys(def.shape as object).join(", ")}`;
    case "record":
      return `a map of ${describeSchema(def.valueType as z.ZodType)}`;
    case "union":
      return (def.options as z.ZodType[]).map(describeSchema).join(", or ");
    default:
      return s.description ? `${s.description}` : `a valid value`;
  }
}

/** What the user gave, for the message: short, never a secret. */
function describeGiven(value: unknown, secret: boolean): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (secret) return "a plain-text value (not shown)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAtPath(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function formatPath(platform: string, path: readonly PropertyKey[]): string {
  const [top, ...rest] = path.map(String);
  let out = `${platform}:${top}`;
  for (const p of rest) out += /^\d+$/.test(p) ? `[${p}]` : `.${p}`;
  return out;
}

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function knownKeysHint(unknown: string, known: string[]): string {
  const close = known.filter((k) => distance(k.toLowerCase(), unknown.toLowerCase()) <= 2);
  const list = `one of ${known.join(", ")}`;
  return close.length ? `${list} (did you mean ${close.join(" or ")}?)` : list;
}

// ---------------------------------------------------------------------------------------------
// Decoding: the CLI's string form → JSON values.
// ---------------------------------------------------------------------------------------------

/**
 * Decodes one config value as the Pulumi CLI passes it: objects and lists arrive as JSON text,
 * scalars as their string form. The offline loader produces the same form, so both paths decode
 * identically.
 */
export function decodeConfigValue(raw: string): unknown {
  const t = raw.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return raw;
    }
  }
  if (t === "true") return true;
  if (t === "false") return false;
  if (/^-?\d+(\.\d+)?$/.test(t) && String(Number(t)) === t) return Number(t);
  return raw;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge for profiles: objects merge key by key, everything else (lists included) replaces. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// Resolution: raw CLI config → typed config.
// ---------------------------------------------------------------------------------------------

export interface ResolveInput {
  stack: string;
  env: StackEnv;
  /** Config in CLI form: `namespace:key` → string. */
  config: Record<string, string>;
  /** Which of those keys are secrets (`secure:` in the file, or set with --secret). */
  secretKeys: readonly string[];
}

/** Pulumi's own namespaces, which a program may receive and must ignore. */
const IGNORED_NAMESPACES = new Set(["pulumi"]);

/**
 * Validates a stack's configuration against its platform's schema, on top of the env profile.
 * Throws {@link StackConfigError} for the first problem found, naming the stack file and key.
 */
export function resolveConfig<S extends z.ZodObject>(def: PlatformDefinition<S>, input: ResolveInput): z.output<S> {
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
    if (leak) throw new StackConfigError(file, formatPath(def.name, leak), describeSchema(schemaAt(def.schema, leak)!), "a plain-text value (not shown)");
  }

  const profile = (def.profiles[input.env] ?? {}) as DeepPartial<unknown>;
  const merged = deepMerge(profile, given) as Record<string, unknown>;
  const parsed = def.schema.safeParse(merged);
  if (parsed.success) {
    const problem = def.checkEnv?.(input.env, parsed.data);
    if (problem) throw new StackConfigError(file, `${def.name}:${problem.key}`, problem.expected, problem.got);
    return parsed.data;
  }

  const issue = parsed.error.issues[0];
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    const objSchema = schemaAt(def.schema, path);
    const keys = objSchema ? Object.keys(((unwrap(objSchema) as unknown as { _zod: { def: { shape?: object } } })._zod.def.shape) ?? {}) : [];
    const unknownKey = issue.keys[0];
    throw new StackConfigError(file, formatPath(def.name, [...path, unknownKey]), `a known key: ${knownKeysHint(unknownKey, keys)}`, "an unknown key");
  }
  if (path.length === 0) {
    throw new StackConfigError(file, `${def.name}:`, "a valid configuration", issue.message);
  }
  const leafSchema = schemaAt(def.schema, path);
  const secret = leafSchema ? isSecretSchema(leafSchema) : false;
  const expected = issue.code === "custom" ? issue.message : leafSchema ? describeSchema(leafSchema) : issue.message;
  throw new StackConfigError(file, formatPath(def.name, path), expected, describeGiven(valueAtPath(merged, path), secret));
}

/** The path of the first secret leaf present in a plain (non-secret) value, if any. */
function findSecretLeaf(schema: z.ZodType | undefined, value: unknown, path: PropertyKey[]): PropertyKey[] | undefined {
  if (!schema || value === undefined) return undefined;
  if (isSecretSchema(schema)) return path;
  const u = unwrap(schema);
  const def = (u as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === "object" && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const hit = findSecretLeaf((def.shape as Record<string, z.ZodType>)[k], v, [...path, k]);
      if (hit) return hit;
    }
  }
  if (def.type === "array" && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSecretLeaf(def.element as z.ZodType, value[i], [...path, i]);
      if (hit) return hit;
    }
  }
  if (def.type === "record" && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const hit = findSecretLeaf(def.valueType as z.ZodType, v, [...path, k]);
      if (hit) return hit;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// JSON Schema for editors (pulumi/pulumi#15423).
// ---------------------------------------------------------------------------------------------

const SECURE_VALUE_SCHEMA = {
  type: "object",
  description: "An encrypted value written by `pulumi config set --secret`.",
  properties: { secure: { type: "string" } },
  required: ["secure"],
  additionalProperties: false,
};

/** Drops `required` along the object chain: profiles supply defaults, so a stack file may omit any key. */
function relaxRequired(node: Record<string, unknown>): void {
  delete node.required;
  const props = node.properties as Record<string, Record<string, unknown>> | undefined;
  if (props) for (const p of Object.values(props)) relaxRequired(p);
}

/** The JSON Schema of a platform's stack files (`stacks/Pulumi.<platform>-<env>.yaml`). */
export function stackFileJsonSchema(def: PlatformDefinition): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(def.schema.shape as Record<string, z.ZodType>)) {
    const json = z.toJSONSchema(schema, {
      io: "input",
      unrepresentable: "any",
      override: (ctx) => {
        const meta = (ctx.zodSchema as unknown as z.ZodType).meta?.() as Record<string, unknown> | undefined;
        if (meta?.[SECRET_META]) {
          for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[k];
          Object.assign(ctx.jsonSchema, SECURE_VALUE_SCHEMA, { description: meta.description });
        }
      },
    }) as Record<string, unknown>;
    delete json.$schema;
    relaxRequired(json);
    properties[`${def.name}:${key}`] = json;
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://platform-infra.local/schemas/${def.name}.schema.json`,
    title: `Pulumi stack file of the ${def.name} platform (stacks/Pulumi.${def.name}-<env>.yaml)`,
    description: `Generated from the zod schema in stacks/${def.name}.ts by \`npm run schemas\`. Do not edit.`,
    type: "object",
    properties: {
      config: { type: "object", properties, additionalProperties: false },
      secretsprovider: { type: "string", description: "Secrets provider, e.g. gcpkms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>" },
      encryptedkey: { type: "string" },
      environment: { description: "Pulumi ESC environments imported by this stack." },
    },
    additionalProperties: false,
  };
}

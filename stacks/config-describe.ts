/**
 * Schema → words: what a schema accepts ("a number from 1 to 48", "one of dev, rct, prod"), what
 * the user gave, and a zod issue turned into the one StackConfigError a user reads (stack file,
 * key path, expected, given). Bounds and patterns are read through zod 4's public API (the
 * number class's bounds, z.toJSONSchema), never its internals.
 */
import { z } from "zod";
import { StackConfigError } from "./config-error";
import { objectKeys, schemaAt, unwrap } from "./config-schema";
import { isSecretSchema } from "./config-secrets";

/** zod reports an unbounded integer with the safe-integer range; that is no bound to a reader. */
const bounded = (n: number | null | undefined): number | undefined => (n === null || n === undefined || !Number.isFinite(n) || Math.abs(n) >= Number.MAX_SAFE_INTEGER ? undefined : n);

/** The JSON Schema of a value schema (input side: what a stack file holds). */
function jsonOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** A human description of what a schema accepts: "a number from 1 to 48", "one of dev, rct, prod". */
export function describeSchema(schema: z.ZodType): string {
  const s = unwrap(schema);
  if (isSecretSchema(s)) return "a secret (a `secure:` value, set with `pulumi config set --secret`)";
  if (s instanceof z.ZodNumber) {
    const noun = s.isInt ? "a whole number" : "a number";
    const min = bounded(s.minValue);
    const max = bounded(s.maxValue);
    if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
    if (min !== undefined) return `${noun} of at least ${min}`;
    if (max !== undefined) return `${noun} of at most ${max}`;
    return noun;
  }
  if (s instanceof z.ZodString) {
    if (s.description) return `a string: ${s.description}`;
    const json = jsonOf(s);
    const patterns = [json.pattern, ...((json.allOf as { pattern?: string }[] | undefined) ?? []).map((a) => a.pattern)].filter((p): p is string => typeof p === "string");
    if (patterns.length) return `a string matching ${[...new Set(patterns)].map((p) => `/${p}/`).join(" and ")}`;
    return "a string";
  }
  if (s instanceof z.ZodBoolean) return "true or false";
  if (s instanceof z.ZodEnum) return `one of ${s.options.join(", ")}`;
  if (s instanceof z.ZodLiteral) return [...s.values].map((v) => JSON.stringify(v)).join(" or ");
  if (s instanceof z.ZodArray) {
    const json = jsonOf(s);
    const min = json.minItems as number | undefined;
    const max = json.maxItems as number | undefined;
    const n = min !== undefined && max !== undefined ? (min === max ? `exactly ${min}` : `${min} to ${max}`) : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : "any number of";
    return `a list of ${n} items, each ${describeSchema(s.element as z.ZodType)}`;
  }
  if (s instanceof z.ZodObject) return `an object with keys ${Object.keys(s.shape).join(", ")}`;
  if (s instanceof z.ZodRecord) return `a map of ${describeSchema(s.valueType as z.ZodType)}`;
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).map(describeSchema).join(", or ");
  return s.description ?? "a valid value";
}

/** What the user gave, for the message: short, never a secret. */
export function describeGiven(value: unknown, secret: boolean): string {
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

/** `quickfund` + [database, backupIntervalHours] → `quickfund:database.backupIntervalHours`; list items as `[i]`. */
export function formatPath(namespace: string, path: readonly PropertyKey[]): string {
  const [top, ...rest] = path.map(String);
  let out = `${namespace}:${top}`;
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

/** "one of a, b, c (did you mean b?)" for an unknown key. */
export function knownKeysHint(unknown: string, known: string[]): string {
  const close = known.filter((k) => distance(k.toLowerCase(), unknown.toLowerCase()) <= 2);
  const list = `one of ${known.join(", ")}`;
  return close.length ? `${list} (did you mean ${close.join(" or ")}?)` : list;
}

/** The first issue of a failed parse of `value`, as the error the user reads. */
export function issueToError(file: string, namespace: string, schema: z.ZodType, issue: z.core.$ZodIssue, value: unknown): StackConfigError {
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    const objSchema = schemaAt(schema, path);
    const unknownKey = issue.keys[0];
    return new StackConfigError(file, formatPath(namespace, [...path, unknownKey]), `a known key: ${knownKeysHint(unknownKey, objSchema ? objectKeys(objSchema) : [])}`, "an unknown key");
  }
  if (path.length === 0) return new StackConfigError(file, `${namespace}:`, "a valid configuration", issue.message);
  const leafSchema = schemaAt(schema, path);
  const secret = leafSchema ? isSecretSchema(leafSchema) : false;
  const expected = issue.code === "custom" ? issue.message : leafSchema ? describeSchema(leafSchema) : issue.message;
  return new StackConfigError(file, formatPath(namespace, path), expected, describeGiven(valueAtPath(value, path), secret));
}

/**
 * Property-level comparison of two values in Pulumi's JSON form (secrets blinded, unknowns as the
 * sentinel). Pure functions; the only output is a list of PropertyChange that never holds a secret.
 */
// The constants' own homes, not engine/evaluate.ts: the diff must not load the Pulumi SDK.
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../model/plan-values";
import { SECRET_DIGEST_FIELD } from "../secret-digest";
import type { PropertyChange, Shown } from "./types";

export function isSecret(v: unknown): boolean {
  // Any secret envelope counts, blinded or not: a plan written by another tool might carry the
  // plaintext under `value`, and it must not reach a diff either.
  return !!v && typeof v === "object" && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The keyed digest a blinded secret carries when both plans came from one `preview:pr` run. */
function secretDigest(v: unknown): string | undefined {
  const d = isSecret(v) ? (v as Record<string, unknown>)[SECRET_DIGEST_FIELD] : undefined;
  return typeof d === "string" ? d : undefined;
}

/** Both secrets carry digests of the same run: they compare, without either value being known. */
function secretsComparable(a: unknown, b: unknown): boolean {
  return secretDigest(a) !== undefined && secretDigest(b) !== undefined;
}

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

/**
 * Keys whose plain (non-secret) values are never printed: if a program forgot `pulumi.secret`, the
 * policy pack says so; the PR comment must not make it worse by quoting the value.
 */
const SENSITIVE_KEY = /(pass(word|wd|phrase)?$|secret(?!(id|name|ref|keyref)$)|token|private.?key|api.?key|credential|client.?secret|auth.?string|connection.?string|\bdsn\b)/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** Replaces secrets, unknowns and sensitive-looking values inside a value about to be shown. */
export function sanitize(v: unknown, key = ""): unknown {
  if (isSecret(v)) return "[secret]";
  if (isUnknown(v)) return "(known after apply)";
  if (Array.isArray(v)) return v.map((x) => sanitize(x, key));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (!k.startsWith("__")) out[k] = sanitize(v[k], k);
    return out;
  }
  if (typeof v === "string" && key && isSensitiveKey(key)) return "[hidden]";
  return v;
}

/** How a value is shown; `key` is the property name the value sits under. */
export function show(v: unknown, key: string): Shown {
  if (v === undefined) return { kind: "absent" };
  if (isSecret(v)) return { kind: "secret" };
  if (isUnknown(v)) return { kind: "unknown" };
  if (key && isSensitiveKey(key) && (typeof v === "string" || isPlainObject(v) || Array.isArray(v))) return { kind: "hidden" };
  return { kind: "value", value: sanitize(v, key) };
}

/** Order-insensitive (for object keys) structural equality; secrets compare equal to each other. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isSecret(a) || isSecret(b)) return isSecret(a) && isSecret(b) && (!secretsComparable(a, b) || secretDigest(a) === secretDigest(b));
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => !k.startsWith("__"));
    const kb = Object.keys(b).filter((k) => !k.startsWith("__"));
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Fields that identify a list item, tried in order; the first that every item of both lists has,
 * with primitive values unique within each list, is the key. `port`+`protocol` before `port` alone,
 * because a Service may expose the same port over TCP and UDP.
 */
export const STABLE_KEYS: readonly (readonly string[])[] = [
  ["name"],
  ["key"],
  ["id"],
  ["port", "protocol"],
  ["containerPort", "protocol"],
  ["containerPort"],
  ["port"],
  ["mountPath"],
  ["role"],
  ["metric"],
  ["path"],
  ["host"],
  ["email"],
];

function keyOf(item: unknown, fields: readonly string[]): string | undefined {
  if (!isPlainObject(item)) return undefined;
  const parts: string[] = [];
  for (const f of fields) {
    const v = item[f];
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return undefined;
    parts.push(String(v));
  }
  return parts.join("/");
}

/** The stable key fields for two lists, if one applies to every item of both. */
export function stableKeyFor(a: unknown[], b: unknown[]): readonly string[] | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isPlainObject)) return undefined;
  for (const fields of STABLE_KEYS) {
    const ka = a.map((x) => keyOf(x, fields));
    const kb = b.map((x) => keyOf(x, fields));
    if (ka.some((k) => k === undefined) || kb.some((k) => k === undefined)) continue;
    if (new Set(ka).size !== ka.length || new Set(kb).size !== kb.length) continue;
    return fields;
  }
  return undefined;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$:-]*$/;

function join(path: string, key: string): string {
  if (!path) return PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  return PLAIN_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function itemPath(path: string, fields: readonly string[], item: unknown): string {
  const obj = item as Record<string, unknown>;
  return `${path}[${fields.map((f) => `${f}=${String(obj[f])}`).join(",")}]`;
}

function parseJsonString(v: unknown): unknown {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
  try {
    const p: unknown = JSON.parse(v);
    return p && typeof p === "object" ? p : undefined;
  } catch {
    return undefined;
  }
}

const isPrimitive = (v: unknown) => v === null || (typeof v !== "object" && v !== undefined);

export interface DiffContext {
  /** Secrets present on both sides: cannot be compared offline. */
  secretsNotCompared: number;
}

/** Number of places where both values hold a secret (blinded: equal or not, nobody can tell offline). */
export function sharedSecrets(a: unknown, b: unknown): number {
  if (isSecret(a) && isSecret(b)) return secretsComparable(a, b) ? 0 : 1;
  if (Array.isArray(a) && Array.isArray(b)) return a.reduce<number>((n, x, i) => n + (i < b.length ? sharedSecrets(x, b[i]) : 0), 0);
  if (isPlainObject(a) && isPlainObject(b) && !isSecret(a) && !isSecret(b)) {
    let n = 0;
    for (const k of Object.keys(a)) if (k in b) n += sharedSecrets(a[k], b[k]);
    return n;
  }
  return 0;
}

/** Compares two values and appends every changed leaf to `out`. `key` is the last path segment's name. */
export function diffValues(before: unknown, after: unknown, path: string, out: PropertyChange[], ctx: DiffContext, key = ""): void {
  if (isSecret(before) || isSecret(after)) {
    // Both blinded: equal or not is known only through the digests of one preview:pr run
    // (otherwise counted by sharedSecrets as not comparable).
    if (isSecret(before) && isSecret(after)) {
      if (secretsComparable(before, after) && secretDigest(before) !== secretDigest(after)) {
        out.push({ path, change: "changed", before: { kind: "secret" }, after: { kind: "secret" }, secret: "changed" });
      }
      return;
    }
    if (before === undefined) out.push({ path, change: "added", before: { kind: "absent" }, after: { kind: "secret" }, secret: "added" });
    else if (after === undefined) out.push({ path, change: "removed", before: { kind: "secret" }, after: { kind: "absent" }, secret: "removed" });
    else if (isSecret(after)) out.push({ path, change: "changed", before: { kind: "hidden" }, after: { kind: "secret" }, secret: "became-secret" });
    // The value was a secret in base: its head plaintext is that secret, or its successor. Not shown.
    else out.push({ path, change: "changed", before: { kind: "secret" }, after: { kind: "hidden" }, secret: "no-longer-secret" });
    return;
  }
  if (deepEqual(before, after)) return;
  if (before === undefined) return leaves(after, path, "added", out, key);
  if (after === undefined) return leaves(before, path, "removed", out, key);
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !k.startsWith("__")).sort();
    for (const k of keys) diffValues(before[k], after[k], join(path, k), out, ctx, k);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) return diffArrays(before, after, path, out, ctx, key);
  // Provider inputs carry nested values as JSON strings (`defaultLabels: "{\"env\":\"dev\"}"`).
  const bj = parseJsonString(before);
  const aj = parseJsonString(after);
  if (bj !== undefined && aj !== undefined) return diffValues(bj, aj, path, out, ctx, key);
  out.push({ path, change: "changed", before: show(before, key), after: show(after, key) });
}

function diffArrays(before: unknown[], after: unknown[], path: string, out: PropertyChange[], ctx: DiffContext, key: string): void {
  const fields = stableKeyFor(before, after);
  if (fields) {
    const bmap = new Map(before.map((x) => [keyOf(x, fields)!, x]));
    const amap = new Map(after.map((x) => [keyOf(x, fields)!, x]));
    // An item that came or went is shown whole when it is short: `+ env[name=X]: {"name":"X","value":"1"}`.
    const whole = (x: unknown, change: "added" | "removed") => {
      const s = show(x, key);
      if (s.kind !== "value" || JSON.stringify(s.value).length > 160) return false;
      out.push({ path: itemPath(path, fields, x), change, before: change === "removed" ? s : { kind: "absent" }, after: change === "added" ? s : { kind: "absent" } });
      return true;
    };
    for (const [k, b] of bmap) {
      const p = itemPath(path, fields, b);
      if (!amap.has(k) && whole(b, "removed")) continue;
      diffValues(b, amap.get(k), p, out, ctx, key);
    }
    for (const [k, a] of amap) if (!bmap.has(k) && !whole(a, "added")) diffValues(undefined, a, itemPath(path, fields, a), out, ctx, key);
    return;
  }
  const primitives = [...before, ...after].every(isPrimitive);
  if (primitives) {
    // A short list reads best whole; a long one as the items that came and went.
    if (before.length <= 8 && after.length <= 8) {
      out.push({ path, change: "changed", before: show(before, key), after: show(after, key) });
      return;
    }
    const count = (xs: unknown[]) => {
      const m = new Map<string, number>();
      for (const x of xs) m.set(JSON.stringify(x), (m.get(JSON.stringify(x)) ?? 0) + 1);
      return m;
    };
    const cb = count(before);
    const ca = count(after);
    let any = false;
    for (const [k, n] of cb) for (let i = ca.get(k) ?? 0; i < n; i++) {
      out.push({ path: `${path}[-]`, change: "removed", before: show(JSON.parse(k), key), after: { kind: "absent" } });
      any = true;
    }
    for (const [k, n] of ca) for (let i = cb.get(k) ?? 0; i < n; i++) {
      out.push({ path: `${path}[+]`, change: "added", before: { kind: "absent" }, after: show(JSON.parse(k), key) });
      any = true;
    }
    if (!any) out.push({ path, change: "changed", before: { kind: "value", value: "(same items)" }, after: { kind: "value", value: "(reordered)" } });
    return;
  }
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) diffValues(before[i], after[i], `${path}[${i}]`, out, ctx, key);
}

/** Lists the leaves of a value that appeared or disappeared as a whole. */
function leaves(v: unknown, path: string, change: "added" | "removed", out: PropertyChange[], key: string): void {
  const push = (p: string, x: unknown, k: string) => {
      const s = show(x, k);
      const secret = s.kind === "secret" ? change : undefined;
      out.push({
        path: p,
        change,
        before: change === "added" ? { kind: "absent" } : s,
        after: change === "added" ? s : { kind: "absent" },
        ...(secret ? { secret } : {}),
      });
  };
  if (isPlainObject(v) && !isSecret(v) && Object.keys(v).length > 0) {
    for (const k of Object.keys(v).filter((k) => !k.startsWith("__")).sort()) leaves(v[k], join(path, k), change, out, k);
    return;
  }
  if (Array.isArray(v) && v.length > 0 && !v.every(isPrimitive)) {
    const fields = stableKeyFor(v, []);
    v.forEach((x, i) => leaves(x, fields ? itemPath(path, fields, x) : `${path}[${i}]`, change, out, key));
    return;
  }
  push(path, v, key);
}

/** Flattens a value into path → canonical JSON leaves (secrets as a marker, unknowns skipped). */
export function flatten(v: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
  if (isSecret(v)) out.set(path, "[secret]");
  else if (isUnknown(v)) return out;
  else if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  else if (isPlainObject(v)) for (const k of Object.keys(v)) {
    if (!k.startsWith("__")) flatten(v[k], path ? `${path}.${k}` : k, out);
  }
  else out.set(path, JSON.stringify(v));
  return out;
}

/** Share of equal leaves between two inputs objects (1 when both are empty). */
export function similarity(a: unknown, b: unknown): number {
  const fa = flatten(a);
  const fb = flatten(b);
  const keys = new Set([...fa.keys(), ...fb.keys()]);
  if (keys.size === 0) return 1;
  let same = 0;
  for (const k of keys) if (fa.has(k) && fa.get(k) === fb.get(k)) same++;
  return same / keys.size;
}

/**
 * Reading resource properties the way a real preview hands them to a policy: wrapped by
 * @pulumi/policy's `unknownCheckingProxy`, which throws when a rule touches a value that is not
 * known yet. Rules read through these helpers so that an unknown value is a deliberate case
 * (`UNKNOWN`), not an accidental "can't run policy during preview".
 */
import { types } from "node:util";
import { UnknownValueError } from "./internals";

/** A value that a preview cannot know (computed by the provider). */
export const UNKNOWN: unique symbol = Symbol.for("platform-policies.unknown");
export type Unknown = typeof UNKNOWN;

/** Pulumi's unknown sentinels, as they appear in raw (unproxied) properties. */
const SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** What a Pulumi secret looks like once the offline runner has blinded it (its value is never in a plan). */
export const SECRET_PLACEHOLDER = "[secret]";

export function isUnknownError(e: unknown): boolean {
  return e instanceof UnknownValueError || (typeof e === "object" && e !== null && "unknownTypeSentinel" in e && "props" in e);
}

export function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN || (typeof v === "string" && SENTINELS.has(v));
}

/** Reads one property; an unknown becomes UNKNOWN instead of throwing. */
export function prop(obj: unknown, key: string | number): unknown {
  if (obj === null || obj === undefined || typeof obj !== "object" || isUnknown(obj)) return undefined;
  try {
    const v = (obj as Record<string, unknown>)[key as string];
    return isUnknown(v) ? UNKNOWN : v;
  } catch (e) {
    if (isUnknownError(e)) return UNKNOWN;
    throw e;
  }
}

/** Reads a dotted path (`settings.backupConfiguration.enabled`, `containers.0.image`); UNKNOWN as soon as a step is unknown. */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".").filter(Boolean)) {
    if (cur === UNKNOWN) return UNKNOWN;
    cur = prop(cur, part);
  }
  return cur;
}

/** The elements of a list property; an unknown list or element is kept as UNKNOWN. */
export function list(v: unknown): unknown[] {
  if (isUnknown(v)) return [UNKNOWN];
  if (!Array.isArray(v)) return [];
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) out.push(prop(v, i));
  return out;
}

/** The own keys of an object property. */
export function keys(v: unknown): string[] {
  if (v === null || typeof v !== "object" || isUnknown(v)) return [];
  return Object.keys(v);
}

/** @pulumi/policy's proxy.js: what its unknown-checking proxy answers on these keys (its flag, and the object it wraps). */
const IS_SPECIAL_PROXY = "__isSpecialProxy";
const SPECIAL_PROXY_TARGET = "__getSpecialProxyTarget";

/**
 * The object under @pulumi/policy's unknown-checking proxy, or the value itself. The proxy throws
 * on reading exactly the values `isUnknown` recognises (the same seven sentinels) and otherwise
 * returns the target's own value wrapped in another proxy, so reading the target through `prop`
 * gives the same answers, without a proxy, a path array and a descriptor per read.
 */
function unproxied(v: unknown): unknown {
  if (typeof v === "object" && v !== null && types.isProxy(v) && (v as Record<string, unknown>)[IS_SPECIAL_PROXY] === true) return (v as Record<string, unknown>)[SPECIAL_PROXY_TARGET];
  return v;
}

/** A plain deep copy (no proxy): unknowns become UNKNOWN, everything else is JSON data. */
export function plain(v: unknown): unknown {
  return plainCopy(unproxied(v));
}

function plainCopy(v: unknown): unknown {
  if (isUnknown(v)) return UNKNOWN;
  if (Array.isArray(v)) return list(v).map(plainCopy);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = plainCopy(prop(v, k));
    return out;
  }
  return v;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" && !isUnknown(v) ? v : undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && !isUnknown(v) && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/** True when the value is set: a known value or an unknown one (computed values are set). */
export function isSet(v: unknown): boolean {
  return v === UNKNOWN || (v !== undefined && v !== null && v !== "");
}

// Rules that must tell "absent" from "unparseable" use readProtoDuration (lib/duration.ts).
export { durationSeconds } from "../../model/durations";

/** Parses a Kubernetes/Go duration (`720h`, `30d`, `4w`) into hours. */
export function durationHours(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const re = /(\d+(?:\.\d+)?)(w|d|h|m|s)/g;
  let total = 0;
  let matched = "";
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === "w" ? n * 168 : m[2] === "d" ? n * 24 : m[2] === "h" ? n : m[2] === "m" ? n / 60 : n / 3600;
    matched += m[0];
  }
  return matched === s.trim() && matched !== "" ? total : undefined;
}

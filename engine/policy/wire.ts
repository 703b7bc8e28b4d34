/**
 * From plan form (a PreviewDigest's inputs: blinded secrets, unknown sentinels, resource
 * references) to what the Pulumi engine hands an analyzer: secrets as secret envelopes whose value
 * a policy sees in clear, resource references as their id or URN. A plan never holds a secret's
 * value, so the envelope carries the placeholder `[secret]`: rules see that string where the real
 * CLI would see the decrypted value.
 */
import { RESOURCE_REF_SIG, SECRET_SIG, SIG_KEY, UNKNOWN } from "../evaluate";

export const SECRET_PLACEHOLDER = "[secret]";
/** Pulumi's output-value signature (an Output serialised with its known-ness and secret-ness). */
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** Converts plan-form inputs to analyzer wire form (still JSON: the Struct that AnalyzeRequest carries). */
export function toAnalyzerWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toAnalyzerWire);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const sig = obj[SIG_KEY];
    if (sig === SECRET_SIG) {
      const inner = "value" in obj ? toAnalyzerWire(obj.value) : SECRET_PLACEHOLDER;
      return { [SIG_KEY]: SECRET_SIG, value: inner ?? null };
    }
    if (sig === RESOURCE_REF_SIG) {
      // The engine hands analyzers a reference as its id (custom resources) or URN (components).
      const id = obj.id;
      return typeof id === "string" && id !== "" ? id : (obj.urn ?? UNKNOWN);
    }
    if (sig === OUTPUT_VALUE_SIG) {
      if (!("value" in obj)) return UNKNOWN;
      const inner = toAnalyzerWire(obj.value);
      return obj.secret ? { [SIG_KEY]: SECRET_SIG, value: inner ?? null } : inner;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = toAnalyzerWire(v);
    return out;
  }
  return value;
}

/** A Go duration string (`10m`, `1h30m`) in seconds, as the engine sends custom timeouts. */
export function goDurationSeconds(d: string | undefined): number {
  if (!d) return 0;
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "ms" ? n / 1000 : n;
  }
  return total;
}

/** The URN part of a provider reference `urn::id`. */
export function providerUrn(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const i = ref.lastIndexOf("::");
  return i > 0 ? ref.slice(0, i) : ref;
}

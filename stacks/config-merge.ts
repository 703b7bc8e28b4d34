/**
 * From the CLI's string form to one value per key: decoding what `pulumi` hands a program (and
 * what the offline loader produces, identically), and laying the stack file over its env profile.
 */

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

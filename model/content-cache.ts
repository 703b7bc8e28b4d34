/**
 * A disk cache for the results of pure, expensive functions, keyed by everything the result
 * depends on: the inputs, the data (schema bytes) and the code that computes it.
 *
 * Why: validating a plan's Kubernetes objects and Helm values loads validators generated from
 * large schemas (Strimzi's Kafka CRD alone is 1.7 MB of generated code, about 160 ms to load),
 * though between two previews almost every object is the same. With results kept by content, a
 * preview pays only for the objects that changed, and a fresh clone (or `PLATFORM_INFRA_CACHE=off`)
 * computes everything, with identical results.
 *
 * Nothing stale can be returned: the key hashes the caller's code (the source text of the
 * functions the result depends on, so editing one of them changes every key) with the data and
 * the input. A damaged or unreadable entry is recomputed; an unwritable cache only costs time.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Where entries live: node_modules/.cache is the directory tools agree to use for caches. */
export const CONTENT_CACHE_DIR = join(__dirname, "..", "node_modules", ".cache", "platform-infra", "results");

/** `PLATFORM_INFRA_CACHE=off` computes everything (for cold timings, or to rule the cache out). */
export function contentCacheEnabled(): boolean {
  return process.env.PLATFORM_INFRA_CACHE !== "off";
}

export const sha256 = (...parts: readonly string[]): string => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
};

/**
 * The fingerprint of the code a result depends on: the source text of these functions. Pass every
 * function on the computing path whose change could change a result.
 */
export function codeFingerprint(functions: readonly ((...args: never[]) => unknown)[]): string {
  return sha256(...functions.map((f) => f.toString()));
}

function entryFile(namespace: string, key: readonly string[]): string {
  const hash = sha256(namespace, ...key);
  return join(CONTENT_CACHE_DIR, namespace, hash.slice(0, 2), `${hash}.json`);
}

/** The stored entry, or undefined when absent or damaged (then it is computed anew). */
function readEntry<T>(file: string): { value: T } | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { value: T };
  } catch {
    return undefined;
  }
}

function writeEntry(file: string, value: unknown): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Write then rename: a parallel process never reads a half-written entry.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ value }));
    renameSync(tmp, file);
  } catch {
    // A read-only tree still works, only slower.
  }
}

/**
 * `compute()`, or its result from an earlier run with the same `key` parts. The result must be
 * JSON (it is stored as such and read back as a copy). `namespace` names the cache's use.
 */
export function cachedByContent<T>(namespace: string, key: readonly string[], compute: () => T): T {
  if (!contentCacheEnabled()) return compute();
  const file = entryFile(namespace, key);
  const hit = readEntry<T>(file);
  if (hit) return hit.value;
  const value = compute();
  writeEntry(file, value);
  return value;
}

/** cachedByContent for an asynchronous computation (a failed one is not kept). */
export async function cachedByContentAsync<T>(namespace: string, key: readonly string[], compute: () => Promise<T>): Promise<T> {
  if (!contentCacheEnabled()) return compute();
  const file = entryFile(namespace, key);
  const hit = readEntry<T>(file);
  if (hit) return hit.value;
  const value = await compute();
  writeEntry(file, value);
  return value;
}

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
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, type Dirent } from "node:fs";
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
    pruneDaily(dirname(dirname(file)));
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

/**
 * How much a cache directory keeps. Entries are keyed by content, so every edit of the code or data
 * behind a result adds entries and strands the old ones (an upstream plan is up to 1 MB per edit of
 * any source): without a bound, a day of work leaves over 100 MB under node_modules/.cache.
 */
export interface CacheLimits {
  /** Entries older than this (by when they were written) are removed. @default 30 days */
  maxAgeMs: number;
  /** Beyond this total, the oldest entries are removed. @default 100 MB */
  maxBytes: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxAgeMs: 30 * 24 * 3600 * 1000, maxBytes: 100 * 1024 * 1024 };

/** A write-then-rename file left by a process that died in between: removed once this old. */
const STRANDED_TMP_MS = 3600 * 1000;

/**
 * Removes a cache directory's entries (files, at any depth) beyond its limits: every entry older
 * than `maxAgeMs`, then the oldest ones until the rest fit in `maxBytes`. Removing an entry costs
 * only its recomputation: a process reading it at that moment finds it missing and computes it.
 * Returns the number of files removed.
 */
export function pruneCacheDir(dir: string, limits: CacheLimits = DEFAULT_CACHE_LIMITS, now = Date.now()): number {
  const files: { path: string; mtimeMs: number; size: number }[] = [];
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && e.name !== PRUNE_MARKER) {
        try {
          const st = statSync(path);
          files.push({ path, mtimeMs: st.mtimeMs, size: st.size });
        } catch {
          // Removed meanwhile by another process.
        }
      }
    }
  };
  walk(dir);
  files.sort((a, b) => b.mtimeMs - a.mtimeMs);
  let kept = 0;
  let removed = 0;
  for (const f of files) {
    const stale = f.path.endsWith(".tmp") ? now - f.mtimeMs > STRANDED_TMP_MS : now - f.mtimeMs > limits.maxAgeMs;
    if (stale || kept + f.size > limits.maxBytes) {
      rmSync(f.path, { force: true });
      removed++;
    } else {
      kept += f.size;
    }
  }
  return removed;
}

/** The file whose time says when a cache directory was last pruned. */
const PRUNE_MARKER = ".pruned";
const PRUNE_EVERY_MS = 24 * 3600 * 1000;
const prunedThisProcess = new Set<string>();

/**
 * Prunes a cache directory on a process's first write to it, when it is due (pruneIfDue): a
 * preview pays for a prune at most once a day (a walk of the directory, about 0.1 s for 20,000
 * entries).
 */
export function pruneDaily(dir: string, limits: CacheLimits = DEFAULT_CACHE_LIMITS): void {
  if (prunedThisProcess.has(dir)) return;
  prunedThisProcess.add(dir);
  pruneIfDue(dir, limits);
}

/**
 * Prunes a cache directory (pruneCacheDir) when it was last pruned over a day ago, or never. The
 * marker is touched first, so that processes starting together do not all prune. Returns whether
 * it pruned.
 */
export function pruneIfDue(dir: string, limits: CacheLimits = DEFAULT_CACHE_LIMITS, now = Date.now()): boolean {
  const marker = join(dir, PRUNE_MARKER);
  try {
    if (now - statSync(marker).mtimeMs < PRUNE_EVERY_MS) return false;
  } catch {
    // Never pruned (or not created yet): prune now.
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, "");
    utimesSync(marker, now / 1000, now / 1000);
    pruneCacheDir(dir, limits, now);
    return true;
  } catch {
    // An unwritable cache is only slower.
    return false;
  }
}

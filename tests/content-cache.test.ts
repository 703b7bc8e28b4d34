import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cachedByContent, codeFingerprint, CONTENT_CACHE_DIR, DEFAULT_CACHE_LIMITS, pruneCacheDir, pruneIfDue } from "../model/content-cache";
import { validateKubernetesObject } from "../model/k8s-schema";

// A namespace per run: parallel workers and earlier runs never share entries with these tests.
const NS = `test-${process.pid}-${Date.now()}`;
afterAll(() => rmSync(join(CONTENT_CACHE_DIR, NS), { recursive: true, force: true }));
afterEach(() => {
  delete process.env.PLATFORM_INFRA_CACHE;
});

function entryFiles(): string[] {
  const dir = join(CONTENT_CACHE_DIR, NS);
  if (!existsSync(dir)) return [];
  // Entries live in subdirectories; the namespace's prune marker beside them is none.
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(dir, d.name)).map((f) => join(dir, d.name, f)));
}

describe("cachedByContent", () => {
  it("computes once per key: a second call with the same key returns the stored copy", () => {
    let calls = 0;
    const compute = () => {
      calls++;
      return { errors: ["/spec: bad"], n: calls };
    };
    const first = cachedByContent(NS, ["a", "same"], compute);
    const second = cachedByContent(NS, ["a", "same"], compute);
    expect(calls).toBe(1);
    expect(second).toEqual(first);
    expect(second).not.toBe(first); // a copy: a caller mutating it cannot change the entry
  });

  it("any key part changing recomputes (the code fingerprint is one of them)", () => {
    let calls = 0;
    const f1 = (x: number) => x + 1;
    const f2 = (x: number) => x + 2;
    expect(codeFingerprint([f1])).not.toBe(codeFingerprint([f2]));
    cachedByContent(NS, [codeFingerprint([f1]), "input"], () => ++calls);
    cachedByContent(NS, [codeFingerprint([f2]), "input"], () => ++calls);
    cachedByContent(NS, [codeFingerprint([f1]), "other input"], () => ++calls);
    expect(calls).toBe(3);
  });

  it("a damaged entry is recomputed and rewritten", () => {
    cachedByContent(NS, ["damaged"], () => "good");
    for (const f of entryFiles()) writeFileSync(f, "{not json");
    let calls = 0;
    expect(cachedByContent(NS, ["damaged"], () => (calls++, "recomputed"))).toBe("recomputed");
    expect(calls).toBe(1);
    expect(cachedByContent(NS, ["damaged"], () => "never")).toBe("recomputed");
  });

  it("PLATFORM_INFRA_CACHE=off computes every time and writes nothing", () => {
    process.env.PLATFORM_INFRA_CACHE = "off";
    const before = entryFiles().length;
    let calls = 0;
    cachedByContent(NS, ["off"], () => ++calls);
    cachedByContent(NS, ["off"], () => ++calls);
    expect(calls).toBe(2);
    expect(entryFiles().length).toBe(before);
  });
});

describe("Kubernetes validation through the cache", () => {
  // An object no other test validates (the in-process memo is keyed by the object's JSON).
  const badKafka = () => ({
    apiVersion: "kafka.strimzi.io/v1",
    kind: "Kafka",
    metadata: { name: `cache-probe-${NS}`, namespace: "x" },
    spec: { kafka: { listeners: [{ name: "tls", port: "not-a-port", type: "internal", tls: true }] }, entityOperatr: {} },
  });

  it("gives the same errors from the cache as computed fresh", () => {
    const cached = validateKubernetesObject(badKafka()); // computed, then stored (or read, on a rerun)
    process.env.PLATFORM_INFRA_CACHE = "off";
    const obj = badKafka();
    (obj.metadata as Record<string, unknown>).labels = {}; // a different JSON: misses the in-process memo too
    const fresh = validateKubernetesObject(obj);
    expect(cached.valid).toBe(false);
    expect(fresh.errors).toEqual(cached.errors);
    expect(cached.errors.join("\n")).toMatch(/entityOperatr/);
  });
});

describe("cache pruning", () => {
  const DAY = 24 * 3600 * 1000;
  const NOW = Date.parse("2026-11-30T12:00:00Z");
  /** A scratch cache directory holding files of the given ages (days) and sizes (bytes), in subdirectories as entries are. */
  function scratchCache(files: Record<string, { ageDays: number; bytes: number }>): string {
    const dir = mkdtempSync(join(tmpdir(), "cache-prune-"));
    for (const [name, f] of Object.entries(files)) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, "x".repeat(f.bytes));
      const t = (NOW - f.ageDays * DAY) / 1000;
      utimesSync(path, t, t);
    }
    return dir;
  }
  const left = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name !== ".pruned").map((e) => e.name).sort();

  it("removes entries older than the age limit, then the oldest beyond the size limit, and stranded temporary files", () => {
    const dir = scratchCache({
      "ab/new.json": { ageDays: 0, bytes: 400 },
      "ab/recent.json": { ageDays: 1, bytes: 400 },
      "cd/older.json": { ageDays: 2, bytes: 400 },
      "cd/ancient.json": { ageDays: 40, bytes: 10 },
      "cd/half-written.json.123.tmp": { ageDays: 1, bytes: 10 },
    });
    const removed = pruneCacheDir(dir, { maxAgeMs: 30 * DAY, maxBytes: 1000 }, NOW);
    // ancient: too old; older: the 1000 bytes are taken by the two newer ones; the tmp: stranded.
    expect(left(dir)).toEqual(["new.json", "recent.json"]);
    expect(removed).toBe(3);
    rmSync(dir, { recursive: true, force: true });
  });

  it("prunes a directory when it was never pruned or last pruned over a day ago, not in between", () => {
    const dir = scratchCache({ "ab/ancient.json": { ageDays: 40, bytes: 10 } });
    expect(pruneIfDue(dir, DEFAULT_CACHE_LIMITS, NOW)).toBe(true);
    expect(left(dir)).toEqual([]);
    // An entry gone stale meanwhile stays until the next day's prune.
    writeFileSync(join(dir, "ab", "stale.json"), "x");
    utimesSync(join(dir, "ab", "stale.json"), (NOW - 40 * DAY) / 1000, (NOW - 40 * DAY) / 1000);
    expect(pruneIfDue(dir, DEFAULT_CACHE_LIMITS, NOW + 3600 * 1000)).toBe(false);
    expect(left(dir)).toEqual(["stale.json"]);
    expect(pruneIfDue(dir, DEFAULT_CACHE_LIMITS, NOW + 25 * 3600 * 1000)).toBe(true);
    expect(left(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a write to the cache prunes its namespace once per process", () => {
    const nsDir = join(CONTENT_CACHE_DIR, NS);
    cachedByContent(NS, ["prune-trigger"], () => 1);
    expect(existsSync(join(nsDir, ".pruned"))).toBe(true);
  });
});

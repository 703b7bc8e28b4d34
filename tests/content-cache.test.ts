import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cachedByContent, codeFingerprint, CONTENT_CACHE_DIR } from "../model/content-cache";
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
  return readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)));
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

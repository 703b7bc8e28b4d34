/**
 * Every rule against its spec: the compliant fixture passes, each failing case (one property
 * changed) is reported by that rule, alternatives pass, and not-applicable cases are recorded with
 * their reason. Rules run through the offline runner, i.e. with unknown-checking properties.
 */
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../engine/evaluate";
import { runPolicyPack } from "../../engine/policy/run";
import { configFor, DEL, mutate, policyNamed, runRule } from "./helpers";
import { GKE_NODE_POOL_CASES, nodePool, RESIDENCY_EXTRA } from "./specs/gcp";
import { SPECS } from "./specs";
import { ingressRoute } from "./specs/kubernetes";
import { RESIDENCY_PER_STACK } from "./specs/residency";
import type { StackChange } from "./specs/types";

function applyStack(resources: RecordedResource[], change: StackChange): RecordedResource[] {
  if ("remove" in change) {
    if (!resources.some((r) => r.name === change.remove)) throw new Error(`no fixture named ${change.remove}`);
    return resources.filter((r) => r.name !== change.remove);
  }
  if ("add" in change) return [...resources, change.add];
  if (!resources.some((r) => r.name === change.target)) throw new Error(`no fixture named ${change.target}`);
  return resources.map((r) => (r.name === change.target ? mutate(r, change.changes) : r));
}

function violationsOf(run: Awaited<ReturnType<typeof runRule>>, policy: string) {
  return run.results.filter((r) => r.policy === policy && !r.waiver);
}

for (const [name, spec] of Object.entries(SPECS)) {
  describe(name, () => {
    if (spec.kind === "resource") {
      const plan = (r: RecordedResource) => [...(spec.others ?? []), r];
      it("passes its compliant fixture", async () => {
        const run = await runRule(name, plan(spec.fixture), spec.facts);
        expect(run.results).toEqual([]);
        expect(run.notApplicable.filter((n) => n.urn === spec.fixture.urn)).toEqual([]);
      });
      for (const [label, changes] of Object.entries(spec.failing)) {
        it(`fails: ${label}`, async () => {
          const run = await runRule(name, plan(mutate(spec.fixture, changes)), spec.facts);
          const v = violationsOf(run, name);
          expect(v.length, JSON.stringify(run.notApplicable)).toBeGreaterThan(0);
          expect(v.every((x) => x.enforcementLevel === "mandatory" && x.urn === spec.fixture.urn)).toBe(true);
        });
      }
      for (const [label, changes] of Object.entries(spec.compliant ?? {})) {
        it(`passes: ${label}`, async () => {
          const run = await runRule(name, plan(mutate(spec.fixture, changes)), spec.facts);
          expect(run.results).toEqual([]);
        });
      }
      for (const [variant, v] of Object.entries(spec.variants ?? {})) {
        it(`${variant}: passes its compliant fixture`, async () => {
          const run = await runRule(name, plan(v.fixture), spec.facts);
          expect(run.results).toEqual([]);
        });
        for (const [label, changes] of Object.entries(v.failing)) {
          it(`${variant}: fails: ${label}`, async () => {
            const run = await runRule(name, plan(mutate(v.fixture, changes)), spec.facts);
            const found = violationsOf(run, name);
            expect(found.length, JSON.stringify(run.notApplicable)).toBeGreaterThan(0);
            expect(found.every((x) => x.enforcementLevel === "mandatory" && x.urn === v.fixture.urn)).toBe(true);
          });
        }
        for (const [label, changes] of Object.entries(v.compliant ?? {})) {
          it(`${variant}: passes: ${label}`, async () => {
            const run = await runRule(name, plan(mutate(v.fixture, changes)), spec.facts);
            expect(run.results).toEqual([]);
          });
        }
      }
      for (const [label, na] of Object.entries(spec.notApplicable ?? {})) {
        it(`not applicable: ${label}`, async () => {
          const run = await runRule(name, plan(mutate(spec.fixture, na.changes ?? {})), { ...spec.facts, ...na.facts });
          expect(run.results).toEqual([]);
          const reasons = run.notApplicable.filter((n) => n.policy === name).map((n) => n.reason ?? "");
          expect(reasons.some((r) => na.reason.test(r)), reasons.join(" | ")).toBe(true);
        });
      }
    } else {
      it("passes its compliant fixture", async () => {
        const run = await runRule(name, spec.fixture, spec.facts);
        expect(run.results).toEqual([]);
      });
      for (const [label, change] of Object.entries(spec.failing)) {
        it(`fails: ${label}`, async () => {
          const run = await runRule(name, applyStack(spec.fixture, change), spec.facts);
          expect(violationsOf(run, name).length, JSON.stringify(run.notApplicable)).toBeGreaterThan(0);
        });
      }
      for (const [label, change] of Object.entries(spec.compliant ?? {})) {
        it(`passes: ${label}`, async () => {
          const run = await runRule(name, applyStack(spec.fixture, change), spec.facts);
          expect(run.results).toEqual([]);
        });
      }
      for (const [label, na] of Object.entries(spec.notApplicable ?? {})) {
        it(`not applicable: ${label}`, async () => {
          const run = await runRule(name, na.change ? applyStack(spec.fixture, na.change) : spec.fixture, { ...spec.facts, ...na.facts });
          expect(run.results).toEqual([]);
          const reasons = run.notApplicable.filter((n) => n.policy === name).map((n) => n.reason ?? "");
          expect(reasons.some((r) => na.reason.test(r)), reasons.join(" | ")).toBe(true);
        });
      }
      if (spec.failsWithoutConfig) {
        it("fails: run without the stack's config", async () => {
          const run = await runPolicyPack({ stack: "test", resources: spec.fixture, config: {}, policies: [policyNamed(name)] });
          expect(run.mandatoryViolations).toBe(1);
        });
      }
    }
  });
}

describe("gcp-location-resource-require-allowed-location on other located types", () => {
  for (const c of [...RESIDENCY_EXTRA, ...RESIDENCY_PER_STACK]) {
    it(`${c.fails ? "fails" : "passes"}: ${c.name}`, async () => {
      const run = await runRule("gcp-location-resource-require-allowed-location", [...("others" in c && Array.isArray(c.others) ? (c.others as RecordedResource[]) : []), mutate(c.fixture, c.changes)], c.facts ?? {});
      expect(run.results.length > 0).toBe(c.fails);
    });
  }
});

describe("GKE node pools", () => {
  it("pass every GKE rule as fixed", async () => {
    for (const rule of new Set(GKE_NODE_POOL_CASES.map((c) => c.rule))) expect((await runRule(rule, [nodePool])).results).toEqual([]);
  });
  for (const c of GKE_NODE_POOL_CASES) {
    it(`fail ${c.rule}: ${JSON.stringify(c.changes)}`, async () => {
      expect((await runRule(c.rule, [mutate(nodePool, c.changes)])).results.length).toBeGreaterThan(0);
    });
  }
});

describe("the whole pack over all compliant fixtures", () => {
  it("reports nothing (the fixtures do not trip each other's rules)", async () => {
    const all = new Map<string, RecordedResource>();
    for (const spec of Object.values(SPECS)) for (const r of spec.kind === "resource" ? [spec.fixture, ...(spec.others ?? []), ...Object.values(spec.variants ?? {}).map((v) => v.fixture)] : spec.fixture) all.set(r.urn, r);
    const run = await runPolicyPack({ stack: "test", resources: [...all.values()], config: configFor() });
    expect(run.results.map((r) => `${r.policy} ${r.urn}: ${r.message}`)).toEqual([]);
  });
});

describe("k8s-networking-ingress-require-tls on Traefik IngressRoutes", () => {
  it("passes a websecure route with TLS", async () => {
    expect((await runRule("k8s-networking-ingress-require-tls", [ingressRoute])).results).toEqual([]);
  });
  it("fails a route without TLS", async () => {
    expect((await runRule("k8s-networking-ingress-require-tls", [mutate(ingressRoute, { "spec.tls": DEL })])).mandatoryViolations).toBe(1);
  });
});

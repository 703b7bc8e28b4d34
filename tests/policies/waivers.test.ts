/** Waivers: from the config file only, with a reason, until a date; expired ones are violations. */
import { describe, expect, it } from "vitest";
import { checkPolicyConfig, PolicyConfigError } from "../../engine/policy/config";
import { policies } from "../../policies/pack";
import { configFor, mutate, runRule } from "./helpers";
import { sqlInstance } from "./specs/gcp";

const RULE = "gcp-sql-instance-require-cmek";
const noKey = mutate(sqlInstance, { encryptionKeyName: "" });

describe("waivers", () => {
  it("turn a violation into a recorded not-applicable with its reason (target = URN)", async () => {
    const run = await runRule(RULE, [noKey], {}, { [RULE]: [{ target: noKey.urn, reason: "key migration, ticket OPS-12", expires: "2999-12-31" }] });
    expect(run.mandatoryViolations).toBe(0);
    expect(run.waived).toBe(1);
    expect(run.results).toEqual([
      expect.objectContaining({ policy: RULE, urn: noKey.urn, enforcementLevel: "mandatory", waiver: { target: noKey.urn, reason: "key migration, ticket OPS-12", expires: "2999-12-31" } }),
    ]);
    expect(run.notApplicable.find((n) => n.policy === RULE)?.reason).toMatch(/waived until 2999-12-31/);
  });

  it("match a name pattern", async () => {
    const run = await runRule(RULE, [noKey], {}, { [RULE]: [{ target: "orders-*", reason: "r", expires: "2999-12-31" }] });
    expect(run.waived).toBe(1);
    expect(run.mandatoryViolations).toBe(0);
  });

  it("do not cover other resources", async () => {
    const run = await runRule(RULE, [noKey], {}, { [RULE]: [{ target: "billing-*", reason: "r", expires: "2999-12-31" }] });
    expect(run.mandatoryViolations).toBe(1);
  });

  it("expired: the violation stands and says so", async () => {
    const run = await runRule(RULE, [noKey], {}, { [RULE]: [{ target: noKey.urn, reason: "r", expires: "2020-01-01" }] });
    expect(run.mandatoryViolations).toBe(1);
    expect(run.results[0].message).toMatch(/expired on 2020-01-01/);
  });

  it("never come from a resource's labels or annotations", async () => {
    const labelled = mutate(noKey, { "settings.userLabels": { "policy-waiver": RULE, reason: "trust me" } });
    const run = await runRule(RULE, [labelled]);
    expect(run.mandatoryViolations).toBe(1);
  });

  it("apply to stack rules per violating resource", async () => {
    const { K8S_SPECS } = await import("./specs/kubernetes");
    const spec = K8S_SPECS["k8s-core-namespace-require-guardrails"];
    if (spec.kind !== "stack") throw new Error("stack spec expected");
    const withoutQuota = spec.fixture.filter((r) => r.name !== "app-quota");
    const ns = withoutQuota.find((r) => r.name === "app-namespace")!;
    const run = await runRule("k8s-core-namespace-require-guardrails", withoutQuota, {}, {
      "k8s-core-namespace-require-guardrails": [{ target: "app-namespace", reason: "quota managed by the cluster team", expires: "2999-12-31" }],
    });
    expect(run.mandatoryViolations).toBe(0);
    expect(run.results).toEqual([expect.objectContaining({ waiver: expect.objectContaining({ target: "app-namespace" }) })]);
    expect(ns).toBeDefined();
  });

  it("without a reason are rejected by the config check", () => {
    const config = configFor({}, { [RULE]: [{ target: "x", reason: "", expires: "2999-12-31" }] });
    expect(() => checkPolicyConfig(config, policies, "test.json")).toThrow(PolicyConfigError);
    const noDate = configFor();
    (noDate[RULE].waivers as unknown[]) = [{ target: "x", reason: "r" }];
    expect(() => checkPolicyConfig(noDate, policies, "test.json")).toThrow(/expires/);
  });
});

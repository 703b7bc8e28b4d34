/**
 * Waivers: from the config file only, with a reason, until a date; expired ones are violations.
 * Only outside prod and shared stacks: there a waiver is refused (by the pack itself, whatever runs
 * it, and by the offline runner with exit 2, tests/policies/cli.test.ts).
 */
import { describe, expect, it } from "vitest";
import { checkPolicyConfig, PolicyConfigError } from "../../engine/policy/config";
import { policies } from "../../policies/pack";
import { configFor, mutate, runRule } from "./helpers";
import { sqlInstance } from "./specs/gcp";

const RULE = "gcp-sql-instance-require-cmek";
const noKey = mutate(sqlInstance, { encryptionKeyName: "" });
const DEV = { env: "dev" as const };

describe("waivers", () => {
  it("turn a violation into a recorded not-applicable with its reason (target = URN)", async () => {
    const run = await runRule(RULE, [noKey], DEV, { [RULE]: [{ target: noKey.urn, reason: "key migration, ticket OPS-12", expires: "2999-12-31" }] });
    expect(run.mandatoryViolations).toBe(0);
    expect(run.waived).toBe(1);
    expect(run.results).toEqual([
      expect.objectContaining({ policy: RULE, urn: noKey.urn, enforcementLevel: "mandatory", waiver: { target: noKey.urn, reason: "key migration, ticket OPS-12", expires: "2999-12-31" } }),
    ]);
    expect(run.notApplicable.find((n) => n.policy === RULE)?.reason).toMatch(/waived until 2999-12-31/);
  });

  it("match a name pattern", async () => {
    const run = await runRule(RULE, [noKey], DEV, { [RULE]: [{ target: "orders-*", reason: "r", expires: "2999-12-31" }] });
    expect(run.waived).toBe(1);
    expect(run.mandatoryViolations).toBe(0);
  });

  it("do not cover other resources", async () => {
    const run = await runRule(RULE, [noKey], DEV, { [RULE]: [{ target: "billing-*", reason: "r", expires: "2999-12-31" }] });
    expect(run.mandatoryViolations).toBe(1);
  });

  it("expired: the violation stands and says so", async () => {
    const run = await runRule(RULE, [noKey], DEV, { [RULE]: [{ target: noKey.urn, reason: "r", expires: "2020-01-01" }] });
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
    const run = await runRule("k8s-core-namespace-require-guardrails", withoutQuota, DEV, {
      "k8s-core-namespace-require-guardrails": [{ target: "app-namespace", reason: "quota managed by the cluster team", expires: "2999-12-31" }],
    });
    expect(run.mandatoryViolations).toBe(0);
    expect(run.results).toEqual([expect.objectContaining({ waiver: expect.objectContaining({ target: "app-namespace" }) })]);
    expect(ns).toBeDefined();
  });

  describe("in a prod or shared stack", () => {
    for (const env of ["prod", "shared"] as const) {
      it(`are refused by the pack in ${env} (a '*' waiver included): the violation stands and says why`, async () => {
        for (const target of [noKey.urn, "*", "orders-*"]) {
          const run = await runRule(RULE, [noKey], { env }, { [RULE]: [{ target, reason: "please", expires: "2999-12-31" }] });
          expect(run.waived).toBe(0);
          expect(run.mandatoryViolations).toBe(1);
          expect(run.results[0].message).toMatch(/is refused: prod and shared stacks take no waiver/);
        }
      });
    }

    it("are refused for stack rules too", async () => {
      const { K8S_SPECS } = await import("./specs/kubernetes");
      const spec = K8S_SPECS["k8s-core-namespace-require-guardrails"];
      if (spec.kind !== "stack") throw new Error("stack spec expected");
      const run = await runRule("k8s-core-namespace-require-guardrails", spec.fixture.filter((r) => r.name !== "app-quota"), {}, {
        "k8s-core-namespace-require-guardrails": [{ target: "*", reason: "r", expires: "2999-12-31" }],
      });
      expect(run.waived).toBe(0);
      expect(run.mandatoryViolations).toBe(1);
    });

    it("a prod config whose env says dev is still prod: the waiver is refused and prod-only rules apply", async () => {
      // What the real CLI runs: the pack reads only its config; the stack name in it decides.
      const dropProtect = mutate(sqlInstance, { $protect: false });
      const config = configFor({ stack: "diaspomoney-prod", env: "dev" }, { [RULE]: [{ target: "*", reason: "r", expires: "2999-12-31" }] });
      const { runPolicyPack } = await import("../../engine/policy/run");
      const { policyNamed } = await import("./helpers");
      const run = await runPolicyPack({ stack: "test", resources: [noKey, dropProtect], config, policies: [policyNamed(RULE), policyNamed("gcp-sql-instance-require-deletion-protection"), policyNamed("platform-policy-config-require-stack-facts")] });
      const by = (p: string) => run.results.filter((r) => r.policy === p);
      expect(by(RULE).length).toBe(1);
      expect(by("gcp-sql-instance-require-deletion-protection").length).toBeGreaterThan(0);
      // Each policy reads only its own entry: this one reports the mismatch (its entry has no waiver).
      expect(by("platform-policy-config-require-stack-facts").map((r) => r.message)).toEqual([expect.stringMatching(/claims env "dev" but its stack diaspomoney-prod is prod/)]);
    });
  });

  it("without a reason are rejected by the config check", () => {
    const config = configFor({}, { [RULE]: [{ target: "x", reason: "", expires: "2999-12-31" }] });
    expect(() => checkPolicyConfig(config, policies, "test.json")).toThrow(PolicyConfigError);
    const noDate = configFor();
    (noDate[RULE].waivers as unknown[]) = [{ target: "x", reason: "r" }];
    expect(() => checkPolicyConfig(noDate, policies, "test.json")).toThrow(/expires/);
  });
});

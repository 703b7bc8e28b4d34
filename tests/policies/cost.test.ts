/**
 * The budget rule on real plans and through its generated config: Quickfund prod as committed is
 * under its share; with its Cloud SQL tier raised past it the rule reports it, advisory, naming the
 * estimate, the budget, the rate, the largest lines and the document; a hard-limit budget makes it
 * mandatory in every env; a platform with no budget is not applicable, saying so.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPolicyConfig, checkStackConfig, normalizePolicyConfig } from "../../engine/policy/config";
import { runPolicyPack } from "../../engine/policy/run";
import type { StackCostFacts } from "../../model/cost/budget";
import { buildPolicyConfig, policyConfigFiles, render, type PlatformFacts } from "../../policies/config/generate";
import { COST_FACTS_KEY, COST_RULE, hostPoolResource } from "../../policies/cost/platform-cost-stack-restrict-monthly-cost";
import { estimateStackCost } from "../../model/cost/estimate";
import { estimateStack } from "../../engine/cost";
import { policies } from "../../policies/pack";
import { stackCostFacts } from "../../stacks/budgets";
import { PLATFORMS } from "../../stacks/registry";
import { previewStack } from "../../engine/preview";
import { mutate, policyNamed, runRule } from "./helpers";
import { SPEC_COST_FACTS } from "./specs/cost";
import { sqlInstance } from "./specs/gcp";

const quickfund = PLATFORMS.find((p) => p.name === "quickfund")!;
const hard = (c: StackCostFacts): StackCostFacts => ({ ...c, budget: { ...c.budget!, hardLimit: true } });

describe("the generated config of the budget rule", () => {
  it("carries the stack's cost facts and is advisory in prod and dev when the budget is not a hard limit", () => {
    const prod = buildPolicyConfig(quickfund, "prod", {}, stackCostFacts("quickfund-prod"));
    const dev = buildPolicyConfig(quickfund, "dev", {}, stackCostFacts("quickfund-dev"));
    expect(prod[COST_RULE]).toMatchObject({ enforcementLevel: "advisory", [COST_FACTS_KEY]: { budget: { monthly: { high: 750 } }, usage: { platform: "quickfund", env: "prod" }, hostNodePools: [] } });
    expect(dev[COST_RULE]).toMatchObject({ enforcementLevel: "advisory", [COST_FACTS_KEY]: { budget: { monthly: { high: 375 } } } });
  });

  it("is mandatory in every env, over a non-prod override, when the document makes the budget a hard limit", () => {
    expect(buildPolicyConfig(quickfund, "prod", {}, hard(stackCostFacts("quickfund-prod")))[COST_RULE].enforcementLevel).toBe("mandatory");
    const devOverride = { [COST_RULE]: { enforcementLevel: "disabled" as const } };
    expect(buildPolicyConfig(quickfund, "dev", devOverride, hard(stackCostFacts("quickfund-dev")))[COST_RULE].enforcementLevel).toBe("mandatory");
    expect(buildPolicyConfig(quickfund, "dev", devOverride, stackCostFacts("quickfund-dev"))[COST_RULE].enforcementLevel).toBe("disabled");
  });

  it("gives a DiaspoMoney env stack no budget, its usage profile and the shared cluster's pool to price pods against", () => {
    const facts = stackCostFacts("diaspomoney-dev");
    expect(facts.budget).toBeUndefined();
    expect(facts.noBudget).toBe("no budget stated in diaspomoney.md");
    expect(facts.hostNodePools).toEqual([{ stack: "diaspomoney-shared", name: "diaspomoney-pool-general", location: "europe-west1", machineType: "e2-standard-4", minNodeCount: 1, maxNodeCount: 4 }]);
    expect(stackCostFacts("diaspomoney-shared").hostNodePools).toEqual([]);
  });

  it("passes the offline runner's config checks (the rule's schema accepts its cost facts, a prod file stays strict)", () => {
    const fake: PlatformFacts = { name: "quickfund", compliance: quickfund.compliance };
    const config = normalizePolicyConfig(JSON.parse(render(buildPolicyConfig(fake, "prod", {}, stackCostFacts("quickfund-prod")))), "x");
    expect(() => checkPolicyConfig(config, policies, "x")).not.toThrow();
    expect(() => checkStackConfig(config, policies, "quickfund-prod", "x")).not.toThrow();
    const extra = structuredClone(config);
    (extra[COST_RULE] as Record<string, Record<string, unknown>>)[COST_FACTS_KEY].surprise = 1;
    expect(() => checkPolicyConfig(extra, policies, "x")).toThrow(/platform-cost-stack-restrict-monthly-cost\.cost: must NOT have additional properties \(surprise\)/);
  });
});

describe("every stack's config with its cost facts (as `npm run generate` writes it)", () => {
  it("passes the offline runner's checks", () => {
    const dir = mkdtempSync(join(tmpdir(), "cost-config-"));
    const files = policyConfigFiles(PLATFORMS, dir, stackCostFacts);
    expect(files).toHaveLength(PLATFORMS.reduce((n, p) => n + p.envs.length, 0));
    for (const f of files) {
      const stack = basename(f.path, ".json");
      const config = normalizePolicyConfig(JSON.parse(f.text), f.path);
      expect(() => checkPolicyConfig(config, policies, f.path)).not.toThrow();
      expect(() => checkStackConfig(config, policies, stack, f.path)).not.toThrow();
      expect(config[COST_RULE]).toHaveProperty(COST_FACTS_KEY);
    }
  });
});

describe("the budget rule on Quickfund prod's real plan", () => {
  const run = async (resources: Awaited<ReturnType<typeof previewStack>>["evaluation"]["resources"], facts: StackCostFacts, env: "prod" | "dev" = "prod") => {
    const config = buildPolicyConfig(quickfund, env, {}, facts);
    return runPolicyPack({ stack: `quickfund-${env}`, resources, config, policies: [policyNamed(COST_RULE)] });
  };

  it("passes the committed stack (about €379 of its €750 share)", async () => {
    const { resources } = (await previewStack("quickfund-prod")).evaluation;
    const r = await run(resources, stackCostFacts("quickfund-prod"));
    expect(r.results).toEqual([]);
    expect(r.notApplicable.filter((n) => n.policy === COST_RULE)).toEqual([]);
  });

  it("reports the stack, advisory, once its Cloud SQL tier is raised past its share", async () => {
    const { resources } = (await previewStack("quickfund-prod")).evaluation;
    // db-custom-8-32768 regional: (8 × $0.0413 + 32 × $0.007) × 730 × 2 = 0.5544 × 1460 = $809.42/month,
    // with the rest of the stack (~$249) about $1,058 ≈ €900, over €750.
    const raised = resources.map((r) => (r.type === "gcp:sql/databaseInstance:DatabaseInstance" ? mutate(r, { "settings.tier": "db-custom-8-32768" }) : r));
    const r = await run(raised, stackCostFacts("quickfund-prod"));
    expect(r.results).toHaveLength(1);
    const v = r.results[0];
    expect(v.enforcementLevel).toBe("advisory");
    expect(v.message).toMatch(/^quickfund-prod is estimated at €[\d,]+\/month from list prices \(at 1 USD = 0\.8503 EUR, ECB 2026-05-08\), \d+% over its budget of €750\/month: 50% of €1,500\/month for dev\+rct\+prod together/);
    expect(v.message).toContain("Largest lines: quickfund-instance (instance, db-custom-8-32768 regional (HA)): €688");
    expect(v.message).toContain("[budget: quickfund.md § Situation actuelle");
    expect(r.mandatoryViolations).toBe(0);
  });

  it("is mandatory where the budget is a hard limit, in dev too", async () => {
    const { resources } = (await previewStack("quickfund-dev")).evaluation;
    // dev's db-custom-1-3840 zonal raised to 8 vCPU / 32 GiB zonal: 0.5544 × 730 = $404.71 ≈ €344, plus the rest, over €375.
    const raised = resources.map((r) => (r.type === "gcp:sql/databaseInstance:DatabaseInstance" ? mutate(r, { "settings.tier": "db-custom-8-32768" }) : r));
    const r = await run(raised, hard(stackCostFacts("quickfund-dev")), "dev");
    expect(r.mandatoryViolations).toBe(1);
    expect(r.results[0].message).toContain("(a hard limit)");
  });

  it("is not applicable to a platform whose document states no budget, saying so", async () => {
    const { resources } = (await previewStack("diaspomoney-dev")).evaluation;
    const config = buildPolicyConfig(PLATFORMS.find((p) => p.name === "diaspomoney" && p.kind === "app")!, "dev", {}, stackCostFacts("diaspomoney-dev"));
    const r = await runPolicyPack({ stack: "diaspomoney-dev", resources, config, policies: [policyNamed(COST_RULE)] });
    expect(r.results).toEqual([]);
    expect(r.notApplicable.filter((n) => n.policy === COST_RULE).map((n) => n.reason)).toEqual(["no budget stated in diaspomoney.md"]);
  });

  it("prices an env stack's pods on the host pools its config states as on the shared stack's real pools", async () => {
    const { resources } = (await previewStack("diaspomoney-dev")).evaluation;
    const shared = (await previewStack("diaspomoney-shared")).evaluation.resources;
    const facts = stackCostFacts("diaspomoney-dev");
    const fromConfig = estimateStackCost({ stack: "diaspomoney-dev", resources, upstreamResources: facts.hostNodePools.map(hostPoolResource), usage: facts.usage });
    const fromPlans = estimateStack("diaspomoney-dev", resources, shared);
    expect(fromConfig.upstreamShareUsd).toBeGreaterThan(0);
    expect(fromConfig.monthlyUsd).toBe(fromPlans.monthlyUsd);
  });
});

describe("the budget rule's review trigger (cryptocare.md § 8.3: cost per user > 0.25 CHF)", () => {
  it("reports a stack whose cost per user of its figure is over the trigger, and not one under it", async () => {
    const trigger = { metric: "monthlyCostPerUser" as const, threshold: 0.25, action: "Revue architecture", source: 'cryptocare.md § 8.3 ("Coût utilisateur | >0.25 CHF")' };
    // The spec's instance is ≈ €248/month, under its €750 budget: only the per-user figure decides.
    const withUsers = (users: number): StackCostFacts => ({ ...SPEC_COST_FACTS, budget: { ...SPEC_COST_FACTS.budget!, users, reviewTriggers: [trigger] } });
    const few = await runRule(COST_RULE, [sqlInstance], { cost: withUsers(100) });
    expect(few.results.map((r) => r.message).join("\n")).toMatch(/per user a month .* over the document's review threshold of €0\.25: "Revue architecture"\. \[review: cryptocare\.md § 8\.3/);
    const many = await runRule(COST_RULE, [sqlInstance], { cost: withUsers(10_000) });
    expect(many.results).toEqual([]);
  });
});

/**
 * The monthly cost wherever a reviewer looks: `npm run preview` prints the estimate and the budget
 * (or that the document states none) with the currency's rate and date, the JSON plan carries it
 * (`cost`), and the PR comment says before → after with the lines that moved, e.g. when a change
 * raises Quickfund prod's Cloud SQL tier.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { costChanges, diffTrees, type TreePlans } from "../engine/cli/preview-pr";
import { main } from "../engine/cli/preview";
import type { PreviewDigest } from "../engine/digest";
import { renderJson, renderMarkdown } from "../engine/diff";
import { headline, movedLine } from "../engine/diff/cost";
import type { CostLineDelta } from "../model/cost/delta";
import { planCost, readPlanFile, validatePlan } from "../engine/plan-file";
import { runCliInProcess, stackFileWith } from "./harness";

const preview = (args: string[]) => runCliInProcess(main, args);

const prodWith = (extra: string) => stackFileWith("quickfund-prod", extra);

async function planOf(stack: string, root?: string): Promise<{ stdout: string; plan: PreviewDigest }> {
  const file = join(mkdtempSync(join(tmpdir(), "plan-")), `${stack}.json`);
  const res = await preview([stack, "--no-tree", "--json", file, ...(root ? ["--root", root] : [])]);
  expect(res.status, res.stderr).toBe(0);
  return { stdout: res.stdout, plan: readPlanFile(file) };
}

let prod: { stdout: string; plan: PreviewDigest };
let raised: { stdout: string; plan: PreviewDigest };

beforeAll(async () => {
  prod = await planOf("quickfund-prod");
  raised = await planOf("quickfund-prod", prodWith("  quickfund:database:\n    tier: db-custom-4-16384"));
});

describe("npm run preview", () => {
  it("prints the estimate in the budget's currency with the rate and date, and the budget it is judged against", () => {
    expect(prod.stdout).toMatch(/Monthly cost \(estimate from list prices, not billed\): €[\d,.]+\/month \(\$[\d,.]+ at 1 USD = 0\.8503 EUR, ECB \d{4}-\d{2}-\d{2}\)/);
    expect(prod.stdout).toMatch(/budget €750\/month: \d+% of it \(advisory\)/);
    expect(prod.stdout).toContain("50% of €1,500/month for dev+rct+prod together");
    expect(prod.stdout).toContain("source: quickfund.md § Situation actuelle");
  });

  it("says a platform whose document states no budget has none", async () => {
    const { stdout, plan } = await planOf("diaspomoney-dev");
    expect(stdout).toMatch(/Monthly cost \(estimate from list prices, not billed\): \$[\d,.]+\/month \(list prices in USD\)\n {2}no budget stated in diaspomoney\.md/);
    expect(planCost(plan)).toMatchObject({ noBudget: "no budget stated in diaspomoney.md", currency: { code: "USD", perUsd: 1 } });
    expect(planCost(plan)?.budget).toBeUndefined();
  });
});

describe("the JSON plan's cost field", () => {
  it("carries the estimate, the budget share and how they compare", () => {
    const cost = planCost(prod.plan)!;
    expect(cost.estimate.stack).toBe("quickfund-prod");
    expect(cost.budget).toMatchObject({ monthly: { low: 750, high: 750 }, currency: "EUR", hardLimit: false, share: 0.5 });
    // The comparison is the estimate at the recorded rate against the top of the budget.
    expect(cost.comparison!.estimate).toBeCloseTo(cost.estimate.monthlyUsd * cost.currency.perUsd, 1);
    expect(cost.comparison).toMatchObject({ limit: 750, over: false });
    const sql = cost.estimate.lines.find((l) => l.name === "quickfund-instance" && l.item === "instance")!;
    // (2 vCPU × $0.0413/h + 7.5 GiB × $0.007/h) × 730 h × 2 (HA) = 0.1351 × 1460 = 197.246
    expect(sql).toMatchObject({ detail: "db-custom-2-7680 regional (HA)", monthlyUsd: 197.25 });
  });

  it("is deterministic: the same stack gives the same cost field", async () => {
    const again = await planOf("quickfund-prod");
    expect(JSON.stringify(planCost(again.plan))).toBe(JSON.stringify(planCost(prod.plan)));
  });

  it("is checked when a plan is read: a malformed cost field is refused, naming where", () => {
    const bad = { ...prod.plan, cost: { ...planCost(prod.plan)!, currency: { code: "GBP", perUsd: 1, date: "x", source: "x" } } };
    expect(() => validatePlan(bad, "p.json")).toThrow(/plan file p\.json is not a PreviewDigest: cost\.currency\.code/);
    const { cost: _omit, ...without } = prod.plan as PreviewDigest & { cost?: unknown };
    void _omit;
    expect(planCost(validatePlan(without, "old.json"))).toBeUndefined();
  });
});

describe("the PR comment", () => {
  const tree = (plans: Record<string, PreviewDigest>): TreePlans => ({ plans: new Map(Object.entries(plans)), failed: new Map(), noCli: false, stacks: Object.keys(plans), ms: 0 });

  it("says before → after with the delta and the line that moved, for a raised Cloud SQL tier", () => {
    const base = tree({ "quickfund-prod": prod.plan });
    const head = tree({ "quickfund-prod": raised.plan });
    const diffs = diffTrees(base, head);
    const costs = costChanges(diffs, base, head);
    const md = renderMarkdown(diffs, { costs });
    // (4 vCPU × $0.0413/h + 16 GiB × $0.007/h) × 730 h × 2 (HA) = 0.2772 × 1460 = $404.71; minus $197.25
    // = +$207.46/month, × 0.850268 EUR/USD = +€176.40: nothing else moves.
    const d = costs["quickfund-prod"].delta;
    expect(d.deltaUsd).toBeCloseTo(207.46, 2);
    expect(d.lines).toHaveLength(1);
    expect(headline(costs["quickfund-prod"])).toMatch(/^quickfund-prod €379 → €556 \(\+€176\/month\)$/);
    expect(md).toContain("**Monthly cost** (estimates from list prices, not billed; at 1 USD = 0.8503 EUR, ECB 2026-05-08)");
    expect(md).toContain("- quickfund-prod €379 → €556 (+€176/month)");
    expect(md).toContain("**Monthly cost**: quickfund-prod €379 → €556 (+€176/month) · budget €750/month (advisory; estimate 74% of it)");
    expect(md).toContain("- Cloud SQL instance quickfund-instance (instance): db-custom-2-7680 regional (HA) → db-custom-4-16384 regional (HA) (+€176)");
  });

  it("puts the same cost change in the --json output, by stack", () => {
    const base = tree({ "quickfund-prod": prod.plan });
    const head = tree({ "quickfund-prod": raised.plan });
    const diffs = diffTrees(base, head);
    const json = JSON.parse(renderJson(diffs, costChanges(diffs, base, head))) as { costs: Record<string, { delta: { deltaUsd: number; lines: { afterDetail?: string }[] } }> };
    expect(Object.keys(json.costs)).toEqual(["quickfund-prod"]);
    expect(json.costs["quickfund-prod"].delta.deltaUsd).toBeCloseTo(207.46, 2); // as in the comment above
    expect(json.costs["quickfund-prod"].delta.lines[0].afterDetail).toBe("db-custom-4-16384 regional (HA)");
  });

  it("says no cost change when the plans differ in something free", () => {
    const free = structuredClone(prod.plan);
    const step = free.steps.find((s) => s.newState?.type === "gcp:storage/bucket:Bucket")!;
    step.newState!.inputs = { ...step.newState!.inputs, labels: { ...(step.newState!.inputs.labels as object), reviewed: "yes" } };
    const base = tree({ "quickfund-prod": prod.plan });
    const head = tree({ "quickfund-prod": free });
    const diffs = diffTrees(base, head);
    const md = renderMarkdown(diffs, { costs: costChanges(diffs, base, head) });
    expect(md).toMatch(/- quickfund-prod: no cost change \(€379\/month\)/);
  });

  it("names an added, a removed and a no-longer-priced line with their side's detail, in the shown currency", () => {
    const eur = { code: "EUR" as const, perUsd: 0.85, date: "2026-05-08", source: "ECB reference rate" };
    const base: CostLineDelta = { urn: "u", type: "gcp:compute/routerNat:RouterNat", name: "nat", item: "gateway", kind: "added", deltaUsd: 32.85, afterUsd: 32.85, afterDetail: "1 NAT gateway" };
    // $32.85 × 0.85 = €27.92
    expect(movedLine(base, eur)).toBe("Cloud NAT nat (gateway): new: 1 NAT gateway (+€27.92)");
    expect(movedLine({ ...base, kind: "removed", deltaUsd: -32.85, afterUsd: undefined, afterDetail: undefined, beforeUsd: 32.85, beforeDetail: "1 NAT gateway" }, eur)).toBe("Cloud NAT nat (gateway): removed: 1 NAT gateway (-€27.92)");
    expect(movedLine({ ...base, kind: "changed", beforeUsd: 32.85, afterUsd: undefined, beforeDetail: "1 NAT gateway", afterDetail: "1 NAT gateway", notPriced: "no price for me-west1" }, eur)).toBe(
      "Cloud NAT nat (gateway): 1 NAT gateway (not priced: no price for me-west1)",
    );
  });
});

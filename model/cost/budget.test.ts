import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PLATFORM_BUDGETS, noBudgetReason, stackBudget } from "../../stacks/budgets";
import { applicableFigure, budgetedUsd, compareToBudget, envShare, formatRange, formatMoney, type PlatformBudget, stackBudgetOf } from "./budget";

const DOCS = join(__dirname, "..", "..", "docs", "platforms");

describe("share arithmetic", () => {
  it("splits Quickfund's €1,500 for dev+rct+prod by weight 2:1:1 (prod 1500×2/4 = 750, rct and dev 1500×1/4 = 375)", () => {
    expect(stackBudget("quickfund-prod")?.monthly).toEqual({ low: 750, high: 750 });
    expect(stackBudget("quickfund-rct")?.monthly).toEqual({ low: 375, high: 375 });
    expect(stackBudget("quickfund-dev")?.monthly).toEqual({ low: 375, high: 375 });
  });

  it("gives the envs shares that add up to the whole platform figure", () => {
    const sum = ["dev", "rct", "prod"].reduce((n, e) => n + stackBudget(`quickfund-${e}`)!.monthly.high, 0);
    expect(sum).toBe(1500);
    expect(stackBudget("quickfund-prod")!.platformMonthly).toEqual({ low: 1500, high: 1500 });
  });

  it("keeps a platform's whole figure, its source and the share rule in the note", () => {
    const b = stackBudget("quickfund-prod")!;
    expect(b).toMatchObject({ currency: "EUR", scope: "platform", share: 0.5, hardLimit: false });
    expect(b.source).toContain("~1 500€ (inclut dev + pré-prod)");
    expect(b.note).toContain("50% of €1,500/month for dev+rct+prod together");
    expect(b.note).toContain("advisory");
  });

  it("gives an env without a weight no share, and refuses weights that sum to 0", () => {
    const b: PlatformBudget = { ...PLATFORM_BUDGETS.quickfund, envWeights: { prod: 1 } };
    expect(envShare(b, "dev", ["dev", "prod"])).toBe(0);
    expect(() => envShare({ ...b, envWeights: {} }, "dev", ["dev"])).toThrow(/total weight of 0, expected more than 0/);
  });

  it("rounds shares to cents (€1,000 by thirds is 333.33, not 333.333…)", () => {
    const b: PlatformBudget = { ...PLATFORM_BUDGETS.quickfund, figures: [{ label: "today", monthly: { low: 1000, high: 1000 }, source: "x" }], envWeights: { dev: 1, rct: 1, prod: 1 } };
    expect(stackBudgetOf(b, "dev", ["dev", "rct", "prod"]).monthly.high).toBe(333.33);
  });

  it("names the figure a budget applies, and fails loudly on a label it does not have", () => {
    expect(() => applicableFigure({ ...PLATFORM_BUDGETS.quickfund, applies: "P9" })).toThrow('applies "P9", expected one of "today"');
  });
});

describe("DiaspoMoney", () => {
  it("states no budget: its document has no cost figure, so the budget is undefined with a reason", () => {
    const doc = readFileSync(join(DOCS, "diaspomoney.md"), "utf8");
    expect(doc).not.toMatch(/€|budget|coût|CHF/i);
    for (const env of ["shared", "dev", "rct", "prod"]) expect(stackBudget(`diaspomoney-${env}`)).toBeUndefined();
    expect(noBudgetReason("diaspomoney")).toBe("no budget stated in diaspomoney.md");
  });
});

describe("comparison and formatting", () => {
  const usdTo = (usd: number) => usd * 0.9;
  it("converts the USD estimate and compares it with the top of the range", () => {
    // $1,000 × 0.9 = €900: at the top of €470–900, not over; $1,001 × 0.9 = €900.90 is over.
    const range = { monthly: { low: 470, high: 900 }, currency: "EUR" as const };
    expect(compareToBudget(1000, range, usdTo)).toEqual({ estimate: 900, limit: 900, over: false, ratio: 1 });
    expect(compareToBudget(1001, range, usdTo).over).toBe(true);
  });
  it("formats amounts, ranges and signed deltas", () => {
    expect(formatRange({ low: 470, high: 900 }, "EUR")).toBe("€470–900");
    expect(formatRange({ low: 1500, high: 1500 }, "CHF")).toBe("CHF 1,500");
    expect(formatMoney(212.4, "EUR", true)).toBe("+€212");
    expect(formatMoney(-40, "EUR", true)).toBe("-€40.00");
    expect(formatMoney(0, "USD", true)).toBe("$0.00");
  });
});

/**
 * The shape holds the platforms not built yet, with their documents' figures (typed here; they
 * join stacks/budgets.ts with their stacks).
 */
describe("the shape holds the next platforms' budgets", () => {
  const shareyoursales: PlatformBudget = {
    platform: "shareyoursales",
    currency: "EUR",
    scope: "platform",
    figures: [{ label: "estimate", monthly: { low: 470, high: 900 }, source: 'shareyoursales.md § ESTIMATION DES COÛTS ("TOTAL Infrastructure: 470-900€/mois")' }],
    applies: "estimate",
    envWeights: { prod: 2, rct: 1, dev: 1 },
    shareRule: "by weight prod 2 : rct 1 : dev 1",
    hardLimit: false,
    hardLimitSource: 'an "ESTIMATION", not a cap',
  };
  const crmCourtier: PlatformBudget = {
    platform: "crm-courtier",
    currency: "EUR",
    scope: "platform",
    figures: [
      { label: "optimised", monthly: { low: 855, high: 855 }, source: 'crm-courtier.md § Coûts estimés ("OVH/Hetzner (optimisé) | €855")' },
      { label: "20 firms", monthly: { low: 1084, high: 1084 }, tenants: 20, source: 'crm-courtier.md § Revenus estimés (20 cabinets Pro) ("Coûts : €1084/mois")' },
    ],
    applies: "20 firms",
    envWeights: { prod: 2, rct: 1, dev: 1 },
    shareRule: "by weight prod 2 : rct 1 : dev 1",
    hardLimit: false,
    hardLimitSource: '"Coûts estimés": an estimate',
  };
  const phases = [
    ["MVP", 500, 1000],
    ["Phase 1", 1500, 5000],
    ["Phase 2", 4000, 20000],
    ["Phase 3", 8000, 50000],
  ] as const;
  const cryptocare: PlatformBudget = {
    platform: "cryptocare",
    currency: "CHF",
    scope: "platform",
    figures: phases.map(([label, chf, users]) => ({ label, monthly: { low: chf, high: chf }, users, source: "cryptocare.md § 8.1 Estimation coûts infrastructure" })),
    applies: "MVP",
    envWeights: { prod: 2, rct: 1, dev: 1 },
    shareRule: "by weight prod 2 : rct 1 : dev 1",
    hardLimit: false,
    hardLimitSource: '"Coût mensuel estimé"',
    reviewTriggers: [{ metric: "monthlyCostPerUser", threshold: 0.25, action: "Revue architecture", source: 'cryptocare.md § 8.3 Points d\'inflexion ("Coût utilisateur | >0.25 CHF")' }],
  };

  it("a range: ShareYourSales prod gets half of €470–900 (235–450), judged against its top", () => {
    const b = stackBudgetOf(shareyoursales, "prod", ["dev", "rct", "prod"]);
    expect(b.monthly).toEqual({ low: 235, high: 450 });
    expect(compareToBudget(500, b, (usd) => usd).over).toBe(true);
  });
  it("a figure for N tenants: CRM Courtier is judged on €1,084 for 20 firms, the optimised €855 kept", () => {
    expect(applicableFigure(crmCourtier)).toMatchObject({ tenants: 20, monthly: { high: 1084 } });
    expect(stackBudgetOf(crmCourtier, "prod", ["dev", "rct", "prod"]).monthly.high).toBe(542);
  });
  it("per phase in CHF with a cost-per-user trigger: CryptoCare MVP prod gets CHF 250, Phase 2 CHF 2,000", () => {
    expect(stackBudgetOf(cryptocare, "prod", ["dev", "rct", "prod"])).toMatchObject({ currency: "CHF", monthly: { high: 250 } });
    expect(stackBudgetOf({ ...cryptocare, applies: "Phase 2" }, "prod", ["dev", "rct", "prod"]).monthly.high).toBe(2000);
    // The document's own per-user figures: MVP 500/1,000 = 0.50 CHF, past the 0.25 trigger; Phase 2 4,000/20,000 = 0.20.
    const perUser = (label: string) => {
      const f = cryptocare.figures.find((x) => x.label === label)!;
      return f.monthly.high / f.users!;
    };
    expect(perUser("MVP")).toBeGreaterThan(cryptocare.reviewTriggers![0].threshold);
    expect(perUser("Phase 2")).toBeLessThan(cryptocare.reviewTriggers![0].threshold);
  });
});

describe("budgetedUsd", () => {
  it("judges what a stack owns: an env stack's share of the shared cluster's nodes is left to the shared stack and the platform total", () => {
    expect(budgetedUsd({ monthlyUsd: 111.39, upstreamShareUsd: 102 })).toBe(9.39);
    expect(budgetedUsd({ monthlyUsd: 463 })).toBe(463);
    // A budget an env stack would overrun only through its pods' share of the nodes is not overrun.
    const share = { monthly: { low: 50, high: 90 }, currency: "USD" as const };
    expect(compareToBudget(111.39, share, (usd) => usd).over).toBe(true);
    expect(compareToBudget(budgetedUsd({ monthlyUsd: 111.39, upstreamShareUsd: 102 }), share, (usd) => usd).over).toBe(false);
  });
});

/**
 * The budget rule's spec: a prod stack holding the Cloud SQL rules' compliant instance (db-custom-2-7680
 * regional, 30 retained backups, in europe-west6), judged against a €750/month share. From list
 * prices (model/cost/estimate.ts): (2 vCPU × $0.0537/h + 7.5 GiB × $0.0091/h) × 730 h × 2 (HA) =
 * $256.45, plus 10 GB SSD ×2 $4.42 and 30 backups × 10 GB $31.20 = $292.07 ≈ €248: under. Each
 * failing case changes one property until the estimate passes €750 (≈ $882).
 */
import type { StackCostFacts } from "../../../model/cost/budget";
import { usageProfile } from "../../../stacks/usage";
import { sqlInstance } from "./gcp";
import type { RuleSpec } from "./types";

/** The Cloud SQL rules' compliant instance (every fixture of the pack runs together in rules.test.ts). */
const sql = sqlInstance;

/** €750/month: Quickfund prod's share (stacks/budgets.ts), stated for the spec's stack. */
export const SPEC_COST_FACTS: StackCostFacts = {
  budget: {
    stack: "diaspomoney-prod",
    platform: "diaspomoney",
    env: "prod",
    monthly: { low: 750, high: 750 },
    currency: "EUR",
    share: 0.5,
    platformMonthly: { low: 1500, high: 1500 },
    scope: "platform",
    hardLimit: false,
    source: "spec.md § Budget",
    note: "50% of €1,500/month for dev+rct+prod together; advisory",
  },
  usage: usageProfile("quickfund", "prod"),
  hostNodePools: [],
};

export const COST_SPECS: Record<string, RuleSpec> = {
  "platform-cost-stack-restrict-monthly-cost": {
    kind: "stack",
    fixture: [sql],
    facts: { cost: SPEC_COST_FACTS },
    failing: {
      // (16 × $0.0537 + 60 × $0.0091) × 730 × 2 = $2,051.59 for the instance alone.
      "a Cloud SQL tier raised to db-custom-16-61440": { target: "orders-instance", changes: { "settings.tier": "db-custom-16-61440" } },
      // 2,000 GB × $0.221 × 2 (HA) = $884 for the disk alone (and 30 backups × 2,000 GB × $0.104 = $6,240 as their upper bound).
      "a disk of 2,000 GB": { target: "orders-instance", changes: { "settings.diskSize": 2000 } },
    },
    compliant: {
      "a zonal instance (half the instance price: $161.63 in all)": { target: "orders-instance", changes: { "settings.availabilityType": "ZONAL" } },
    },
    notApplicable: {
      "a platform whose document states no budget": { facts: { cost: { usage: SPEC_COST_FACTS.usage, hostNodePools: [], noBudget: "no budget stated in diaspomoney.md" } }, reason: /^no budget stated in diaspomoney\.md$/ },
      "a config without cost facts": { facts: { cost: undefined }, reason: /cost facts not configured/ },
    },
  },
};

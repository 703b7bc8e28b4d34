import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { budgetedUsd, compareToBudget, formatRange, type HostNodePool, type StackCostFacts } from "../../model/cost/budget";
import { convertUsd, formatAmount, rateNote } from "../../model/cost/currency";
import { countsInTotal, estimateStackCost } from "../../model/cost/estimate";
import type { CostLine } from "../../model/cost/types";
import { UNKNOWN as PLAN_UNKNOWN, type RecordedResource } from "../../model/plan-values";
import { defineStackRule } from "../lib/rule";
import { plain, UNKNOWN } from "../lib/values";

export const COST_RULE = "platform-cost-stack-restrict-monthly-cost";
/** Where the stack's cost facts sit in this rule's config entry (policies/config/generate.ts writes them). */
export const COST_FACTS_KEY = "cost";

export const NO_COST_FACTS_REASON = "cost facts not configured: regenerate policies/config/<stack>.json with `npm run generate`";

const NODE_POOL_TYPE = "gcp:container/nodePool:NodePool";

/** A policy value as the plan records it: the pack's UNKNOWN symbol becomes the plan's sentinel string. */
function asPlanValue(v: unknown): unknown {
  if (v === UNKNOWN) return PLAN_UNKNOWN;
  if (Array.isArray(v)) return v.map(asPlanValue);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asPlanValue(x)]));
  return v;
}

/** The shape the estimator reads, from what a stack policy receives (the real CLI and the offline runner alike). */
function recorded(r: PolicyResource): RecordedResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: true,
    ...(r.parent ? { parent: r.parent.urn } : {}),
    dependencies: [],
    propertyDependencies: {},
    // Unknown values (a replica's `masterInstanceName` naming an auto-named primary) become the
    // plan's unknown sentinel, as the offline engine records them: reading the policy SDK's unknown
    // proxy would abort the rule ("can't be known during preview").
    inputs: asPlanValue(plain(r.props ?? {})) as Record<string, unknown>,
    options: {} as RecordedResource["options"],
  };
}

/** A host cluster's pool as the node pool resource its stack creates, for the estimator to price pods against. */
export function hostPoolResource(p: HostNodePool): RecordedResource {
  return {
    urn: `urn:pulumi:${p.stack}::host::${NODE_POOL_TYPE}::${p.name}`,
    type: NODE_POOL_TYPE,
    name: p.name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    inputs: { location: p.location, autoscaling: { minNodeCount: p.minNodeCount, maxNodeCount: p.maxNodeCount }, nodeConfig: { machineType: p.machineType } },
    options: {} as RecordedResource["options"],
  };
}

/** `Cloud SQL app-db-instance (instance, db-custom-2-7680 regional): €280` */
function lineText(l: CostLine, currency: Parameters<typeof convertUsd>[1]): string {
  return `${l.name} (${l.item}, ${l.detail}): ${formatAmount(convertUsd(l.monthlyUsd ?? 0, currency), currency)}`;
}

/**
 * Estimates the stack's monthly cost from list prices (model/cost/estimate.ts) and reports a stack
 * over its share of the budget its platform's document states (stacks/budgets.ts, written into the
 * config by `npm run generate`). Advisory: every document today states a bill or an estimate, not a
 * cap; the generator makes it mandatory where a document makes the budget a hard limit.
 */
const policy: StackValidationPolicy = defineStackRule({
  name: COST_RULE,
  description: "The stack's monthly cost, estimated from list prices, stays within its share of the budget its platform's document states.",
  severity: "medium",
  remediationSteps:
    "Bring the largest lines down (a smaller Cloud SQL tier or a zonal instance outside prod, fewer warm Cloud Run instances, smaller node pools); `npm run cost -- <stack>` shows every line. If the document's budget changed, update stacks/budgets.ts with its citation and run `npm run generate`.",
  source: 'quickfund.md § Situation actuelle ("Coût mensuel | ~1 500€ (inclut dev + pré-prod)"), § Coûts infrastructure; stacks/budgets.ts § PLATFORM_BUDGETS (one budget per platform document)',
  // The pack's cost domain (the folder policies/cost/).
  domain: "cost",
  resources: ["the stack"],
  advisory: true,
  validate(s, report) {
    const cost = (s.facts as unknown as Record<string, unknown>)[COST_FACTS_KEY] as StackCostFacts | undefined;
    if (!cost) return s.notApplicable(NO_COST_FACTS_REASON);
    const budget = cost.budget;
    if (!budget) return s.notApplicable(cost.noBudget ?? "no budget stated in the platform's document");
    const estimate = estimateStackCost({ stack: s.facts.stack, resources: s.resources.map(recorded), upstreamResources: cost.hostNodePools.map(hostPoolResource), usage: cost.usage });
    const cmp = compareToBudget(budgetedUsd(estimate), budget, convertUsd);
    const c = budget.currency;
    for (const r of cmp.reviews ?? []) {
      report(
        `${s.facts.stack} is estimated at ${formatAmount(r.value, c)} per user a month (${formatAmount(cmp.estimate, c)} for the ${budget.users?.toLocaleString("en")} users of its figure), ` +
          `over the document's review threshold of ${formatAmount(r.threshold, c)}: "${r.action}". [review: ${r.source}]`,
      );
    }
    if (!cmp.over) return;
    const top = [...estimate.lines]
      .filter((l) => countsInTotal(l, estimate) && l.monthlyUsd! > 0)
      .sort((a, b) => (b.monthlyUsd ?? 0) - (a.monthlyUsd ?? 0) || a.urn.localeCompare(b.urn))
      .slice(0, 3)
      .map((l) => lineText(l, c));
    const rate = rateNote(c);
    report(
      `${s.facts.stack} is estimated at ${formatAmount(cmp.estimate, c)}/month from list prices${rate ? ` (${rate})` : ""}, ` +
        `${Math.round((cmp.ratio - 1) * 100)}% over its budget of ${formatRange(budget.monthly, c)}/month${budget.hardLimit ? " (a hard limit)" : ""}: ${budget.note}. ` +
        `Largest lines: ${top.join("; ")}. [budget: ${budget.source}]`,
    );
  },
});

// The cost facts are this rule's own config (the pack's config schema refuses unknown keys).
const COST_FACTS_SCHEMA = { type: "object", properties: { budget: { type: "object" }, noBudget: { type: "string" }, usage: { type: "object" }, hostNodePools: { type: "array" } }, required: ["usage", "hostNodePools"], additionalProperties: false };
policy.configSchema = { ...policy.configSchema, properties: { ...(policy.configSchema?.properties ?? {}), [COST_FACTS_KEY]: COST_FACTS_SCHEMA } } as StackValidationPolicy["configSchema"];
export default policy;

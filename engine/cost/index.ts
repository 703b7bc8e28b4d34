/**
 * The engine's side of the cost estimate: a stack's usage profile resolved from the registry, and
 * estimates of whole stacks previewed offline (their upstream stacks too, for in-cluster pods on a
 * shared cluster's node pools).
 */
import { estimateStackCost } from "../../model/cost/estimate";
import { budgetedUsd, compareToBudget } from "../../model/cost/budget";
import { convertUsd } from "../../model/cost/currency";
import type { CostEstimate } from "../../model/cost/types";
import { noBudgetReason, stackBudget, stackSetting } from "../../stacks/budgets";
import { planCurrency, type PlanCost } from "../plan-file";
import { parseStackName } from "../../stacks/registry";
import { usageProfile } from "../../stacks/usage";
import { upstreamResources as upstreamOf } from "../deployability/upstream";
import { envOfStack } from "../../model/envs";
import { PROJECT_ROOT } from "../project";
import type { RecordedResource } from "../evaluate";

/** A stack's estimate from its recorded resources (and its upstream stacks'), with its platform's usage profile. */
export function estimateStack(stack: string, resources: readonly RecordedResource[], upstreamResources: readonly RecordedResource[] = []): CostEstimate {
  const { platform, env } = parseStackName(stack);
  return estimateStackCost({ stack, resources, upstreamResources, usage: usageProfile(platform.name, env, stackSetting(PROJECT_ROOT, stack)) });
}

/** Previews each stack offline (each upstream stack once) and estimates it. */
export async function estimateStacks(stacks: readonly string[]): Promise<CostEstimate[]> {
  const { previewStack } = await import("../preview");
  const known = new Map<string, RecordedResource[]>();
  const resourcesOf = async (stack: string): Promise<RecordedResource[]> => {
    let have = known.get(stack);
    if (!have) {
      have = (await previewStack(stack)).evaluation.resources;
      known.set(stack, have);
    }
    return have;
  };
  const out: CostEstimate[] = [];
  for (const stack of stacks) {
    const resources = await resourcesOf(stack);
    const up = await upstreamOf(stack, known);
    out.push(estimateStack(stack, resources, up.resources));
  }
  return out;
}

/**
 * The `cost` field the preview writes into a plan: the estimate, the stack's budget (or why none),
 * and how they compare. Here, not in plan-file.ts: the budgets live with the stacks, and the plan
 * reader (diff, preview:pr) must not load every stack program to read a plan.
 */
export function planCostFor(stack: string, estimate: CostEstimate): PlanCost {
  const budget = stackBudget(stack);
  if (!budget) return { estimate, currency: planCurrency("USD"), noBudget: noBudgetReason(stack.slice(0, stack.lastIndexOf("-")), envOfStack(stack)) };
  return { estimate, currency: planCurrency(budget.currency), budget, comparison: compareToBudget(budgetedUsd(estimate), budget, convertUsd) };
}

/**
 * The machine-readable rendering: the StackDiff objects themselves (they hold no secret values),
 * and each changed stack's monthly cost change when the plans carry estimates (engine/diff/cost.ts).
 */
import type { StackCostChange } from "./cost";
import { hasChanges, summarize } from "./diff";
import type { StackDiff } from "./types";

export function renderJson(diffs: StackDiff[], costs: Readonly<Record<string, StackCostChange>> = {}): string {
  const changed = diffs.filter(hasChanges);
  const changedCosts = Object.fromEntries(changed.filter((d) => costs[d.stack]).map((d) => [d.stack, costs[d.stack]]));
  return `${JSON.stringify({ summary: changed.map(summarize), stacks: changed, unchanged: diffs.filter((d) => !hasChanges(d)).map((d) => d.stack), costs: changedCosts }, null, 2)}\n`;
}

/** The machine-readable rendering: the StackDiff objects themselves (they hold no secret values). */
import { hasChanges, summarize } from "./diff";
import type { StackDiff } from "./types";

export function renderJson(diffs: StackDiff[]): string {
  const changed = diffs.filter(hasChanges);
  return `${JSON.stringify({ summary: changed.map(summarize), stacks: changed, unchanged: diffs.filter((d) => !hasChanges(d)).map((d) => d.stack) }, null, 2)}\n`;
}

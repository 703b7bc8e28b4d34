/** Terminal rendering of an offline plan: the component/resource tree, the counts per type, the monthly cost. */
import { formatRange, perUserNote } from "../model/cost/budget";
import { formatMonthly, groupThousands } from "../model/cost/currency";
import type { RecordedResource } from "../model/plan-values";
import type { PlanCost } from "./plan-file";
import { OFFLINE_LIMITS } from "./digest";
import { Plan } from "./plan";

function label(r: RecordedResource): string {
  const flags = [r.options.protect ? "protected" : "", r.options.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
  return `${r.type}  ${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`;
}

/** The resource tree, children under their parent, in registration order. */
export function renderTree(resources: readonly RecordedResource[]): string {
  const byParent = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) {
    const list = byParent.get(r.parent) ?? [];
    list.push(r);
    byParent.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (r: RecordedResource, prefix: string, last: boolean, root: boolean) => {
    lines.push(root ? label(r) : `${prefix}${last ? "└─ " : "├─ "}${label(r)}`);
    const kids = byParent.get(r.urn) ?? [];
    const childPrefix = root ? "" : `${prefix}${last ? "   " : "│  "}`;
    kids.forEach((k, i) => walk(k, childPrefix, i === kids.length - 1, false));
  };
  for (const r of byParent.get(undefined) ?? []) walk(r, "", true, true);
  return lines.join("\n");
}

export function renderCounts(resources: readonly RecordedResource[]): string {
  const counts = new Plan(resources).counts();
  const width = Math.max(...Object.values(counts).map((n) => String(n).length));
  return Object.entries(counts)
    .map(([type, n]) => `  ${String(n).padStart(width)}  ${type}`)
    .join("\n");
}

export function renderLimits(): string {
  return ["What an offline preview cannot know:", ...OFFLINE_LIMITS.map((l) => `  - ${l}`)].join("\n");
}

/**
 * The stack's monthly cost as the preview prints it: the estimate (list prices, not a bill), its
 * budget or why there is none, the rate and date of the currency shown, and what is left out.
 *
 *   Monthly cost (estimate from list prices, not billed): €379/month ($446.14 at 1 USD = 0.8503 EUR, ECB 2026-05-08)
 *     budget €750/month: 51% of it (advisory)
 *       50% of €1,500/month for dev+rct+prod together (…); advisory: …
 *       source: quickfund.md § …
 */
export function renderCost(cost: PlanCost): string {
  const { estimate, currency } = cost;
  const usd = `$${groupThousands(estimate.monthlyUsd, 2)}`;
  const shown =
    currency.code === "USD"
      ? `${usd}/month (list prices in USD)`
      : `${formatMonthly(estimate.monthlyUsd, currency.code, { withRate: false })} (${usd} at 1 USD = ${currency.perUsd.toFixed(4)} ${currency.code}, ECB ${currency.date})`;
  const lines = [`Monthly cost (estimate from list prices, not billed): ${shown}`];
  if (cost.budget && cost.comparison) {
    const b = cost.budget;
    const pct = Math.round(cost.comparison.ratio * 100);
    lines.push(`  budget ${formatRange(b.monthly, b.currency)}/month: ${cost.comparison.over ? "OVER, " : ""}${pct}% of it (${b.hardLimit ? "a hard limit" : "advisory"})`, `    ${b.note}`, `    source: ${b.source}`);
    const perUser = perUserNote(cost.comparison, b);
    if (perUser) lines.push(`    ${perUser}`);
  } else {
    lines.push(`  ${cost.noBudget ?? "no budget stated"}`);
  }
  const unpriced = estimate.lines.filter((l) => l.notPriced !== undefined).length;
  if (unpriced) lines.push(`  ${unpriced} line(s) not priced (\`npm run cost -- ${estimate.stack}\` says why)`);
  for (const s of estimate.shortfalls) lines.push(`  shortfall (not a price): ${s.message}`);
  return lines.join("\n");
}

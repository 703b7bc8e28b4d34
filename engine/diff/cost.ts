/**
 * The cost part of the pull-request comment: per affected stack, the monthly estimate before →
 * after with the delta, and the three lines that moved most, e.g.
 *
 *   quickfund-prod €812 → €1,024 (+€212/month): Cloud SQL instance `app-db-instance`: db-custom-2-7680 → db-custom-4-16384 (+€180)
 *
 * Figures come from the plans' `cost` field (engine/plan-file.ts PlanCost, written by the preview);
 * model/cost/delta.ts matches the lines. Shown in the stack's budget currency with the rate and its
 * date, as every figure in EUR or CHF is.
 */
import { type BudgetCurrency, formatRange, formatMoney } from "../../model/cost/budget";
import { costDelta, type CostDelta, type CostLineDelta, isNoCostChange, topMoves } from "../../model/cost/delta";
import type { PreviewDigest } from "../digest";
import { planCost, type PlanCost, type PlanCurrency } from "../plan-file";

/** One stack's cost change, ready to render. */
export interface StackCostChange {
  delta: CostDelta;
  /** The currency the head plan shows its figures in (the budget's), with its rate and date. */
  currency: PlanCurrency;
  /** The head's budget line (`budget €750/month (advisory)` or `no budget stated in diaspomoney.md`). */
  budget: string;
}

/** What each type is called in a sentence (the type token otherwise). */
const TYPE_LABEL: Record<string, string> = {
  "gcp:sql/databaseInstance:DatabaseInstance": "Cloud SQL instance",
  "gcp:container/cluster:Cluster": "GKE cluster",
  "gcp:container/nodePool:NodePool": "GKE node pool",
  "gcp:cloudrunv2/service:Service": "Cloud Run service",
  "gcp:storage/bucket:Bucket": "GCS bucket",
  "gcp:compute/routerNat:RouterNat": "Cloud NAT",
  "gcp:compute/globalAddress:GlobalAddress": "global address",
  "gcp:compute/globalForwardingRule:GlobalForwardingRule": "forwarding rule",
  "gcp:compute/securityPolicy:SecurityPolicy": "Cloud Armor policy",
  "gcp:kms/cryptoKey:CryptoKey": "KMS key",
  "gcp:secretmanager/secret:Secret": "secret",
  "gcp:redis/instance:Instance": "Memorystore instance",
};

export function typeLabel(type: string): string {
  return TYPE_LABEL[type] ?? type;
}

/** Converts a USD figure to the shown currency. */
export function shown(usd: number, c: PlanCurrency): number {
  return usd * c.perUsd;
}

const money = (usd: number, c: PlanCurrency, signed = false) => formatMoney(shown(usd, c), c.code, signed);

/** `at 1 USD = 0.8503 EUR, ECB 2026-05-08` (the rate the plan recorded), or `list prices in USD`. */
export function rateLine(c: PlanCurrency): string {
  return c.code === "USD" ? "list prices in USD" : `at 1 USD = ${c.perUsd.toFixed(4)} ${c.code}, ECB ${c.date}`;
}

/** `Cloud SQL instance app-db-instance (instance): db-custom-2-7680 → db-custom-4-16384 (+€180)`. */
export function movedLine(l: CostLineDelta, c: PlanCurrency): string {
  const what = `${typeLabel(l.type)} ${l.name} (${l.item})`;
  const detail =
    l.kind === "added" ? `new: ${l.afterDetail ?? ""}` : l.kind === "removed" ? `removed: ${l.beforeDetail ?? ""}` : l.beforeDetail === l.afterDetail ? (l.afterDetail ?? "") : `${l.beforeDetail} → ${l.afterDetail}`;
  const amount = l.notPriced !== undefined && (l.beforeUsd === undefined || l.afterUsd === undefined) ? `not priced: ${l.notPriced}` : money(l.deltaUsd, c, true);
  return `${what}: ${detail} (${amount})`;
}

/** `quickfund-prod €812 → €1,024 (+€212/month)`, or `quickfund-dev: no cost change (€120/month)`. */
export function headline(ch: StackCostChange): string {
  const { delta: d, currency: c } = ch;
  if (isNoCostChange(d)) return `${d.stack}: no cost change${d.afterUsd !== undefined ? ` (${money(d.afterUsd, c)}/month)` : ""}`;
  const before = d.beforeUsd === undefined ? "no estimate" : money(d.beforeUsd, c);
  const after = d.afterUsd === undefined ? "no estimate" : money(d.afterUsd, c);
  return `${d.stack} ${before} → ${after} (${money(d.deltaUsd, c, true)}/month)`;
}

/** What moved under the headline: the three largest moves, how many more, and new shortfalls. */
export function costMoves(ch: StackCostChange): string[] {
  const out = topMoves(ch.delta, 3).map((l) => movedLine(l, ch.currency));
  if (ch.delta.lines.length > 3) out.push(`… ${ch.delta.lines.length - 3} more line(s) moved`);
  for (const s of ch.delta.newShortfalls) out.push(`shortfall (an error, not a price): ${s}`);
  return out;
}

/** `budget €750/month (advisory; 50% of €1,500/month …)`, or the reason there is none. */
export function budgetLine(cost: PlanCost | undefined): string {
  if (!cost) return "no estimate in the plan";
  if (!cost.budget) return cost.noBudget ?? "no budget stated";
  const b = cost.budget;
  const est = cost.comparison ? `; estimate ${Math.round((cost.comparison.ratio) * 100)}% of it${cost.comparison.over ? ", OVER" : ""}` : "";
  return `budget ${formatRange(b.monthly, b.currency as BudgetCurrency)}/month (${b.hardLimit ? "hard limit" : "advisory"}${est})`;
}

/** The cost change of a stack between two plans; undefined when neither plan carries an estimate. */
export function stackCostChange(stack: string, base: PreviewDigest | undefined, head: PreviewDigest | undefined): StackCostChange | undefined {
  const before = planCost(base);
  const after = planCost(head);
  if (!before && !after) return undefined;
  const currency = (after ?? before)!.currency;
  return { delta: costDelta(stack, before?.estimate, after?.estimate), currency, budget: budgetLine(after) };
}

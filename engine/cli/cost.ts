/**
 * `npm run cost -- <stack>... | --all [--json FILE] [--currency EUR|CHF|USD]`: the monthly list-price
 * estimate of each stack, previewed offline (model/cost/estimate.ts prices the plan; docs/cost.md
 * says how and what is left out).
 *
 * Per stack: the total (USD and the chosen currency, with the rate and its date), the budget when
 * the platform's document states one (stacks/budgets.ts), the top lines, the lines not priced with
 * their reason, and shortfalls (pod requests that do not fit the node pools) as errors. Then the
 * total per platform, which counts a shared cluster's node pools once (an env stack's pod lines are
 * its share of them: `upstreamShareUsd`).
 *
 * Exit codes: 0 estimated, 1 a stack has a shortfall, 2 usage or config error, 3 program failure.
 */
// First: defers the SDK's load-time imports of typescript and arborist (engine/fast-load.ts).
import "../fast-load";
import { writeFileSync } from "node:fs";
import { budgetedUsd, compareToBudget, formatRange, perUserNote } from "../../model/cost/budget";
import { convertUsd, ECB_REFERENCE, formatAmount, formatMonthly, isCurrency, perUsd, rateNote, type Currency } from "../../model/cost/currency";
import { countsInTotal } from "../../model/cost/estimate";
import type { CostEstimate, CostLine } from "../../model/cost/types";
import { noBudgetReason, stackBudget } from "../../stacks/budgets";
import { parseStackName } from "../../stacks/registry";
import { estimateStacks } from "../cost";
import { StackUsageError } from "../preview";
import { StackConfigError } from "../../stacks/config";
import { checkOutputPath, CliError, EXIT, parseCli, runMain } from "./args";
import { selectStacks } from "./stack-args";

const USAGE = "usage: npm run cost -- <stack>... | --all [--json FILE] [--currency EUR|CHF|USD]";
/** Lines shown per stack before "… N more". */
const TOP_LINES = 8;

interface CostArgs {
  stacks: string[];
  json?: string;
  currency: Currency;
}

export function parseArgs(argv: readonly string[]): CostArgs {
  const p = parseCli(argv, { all: "boolean", json: "string", currency: "string" });
  if (p.help) throw new CliError(USAGE, EXIT.ok);
  const currency = (p.values.currency ?? "EUR").toUpperCase();
  if (!isCurrency(currency)) throw new CliError(`--currency ${p.values.currency}: expected EUR, CHF or USD`);
  const stacks = selectStacks(p, USAGE);
  if (p.values.json) checkOutputPath(p.values.json, "--json");
  return { stacks: [...new Set(stacks)], currency, ...(p.values.json ? { json: p.values.json } : {}) };
}

const money = (usd: number, currency: Currency): string => (currency === "USD" ? formatMonthly(usd, "USD") : `${formatMonthly(usd, "USD")} = ${formatMonthly(usd, currency, { withRate: false })}`);

function lineLabel(l: CostLine): string {
  return `${l.type.split(":").pop()} ${l.name} ${l.item}: ${l.detail}`;
}

/** One stack's report, as printed. */
export function formatStackCost(e: CostEstimate, currency: Currency): string {
  const out: string[] = [];
  out.push(`${e.stack}: ${money(e.monthlyUsd, currency)}${e.upstreamShareUsd ? ` (of which ${formatMonthly(e.upstreamShareUsd, "USD")} is this stack's share of the shared cluster's nodes)` : ""}`);
  const budget = stackBudget(e.stack);
  if (budget) {
    const cmp = compareToBudget(budgetedUsd(e), budget, convertUsd);
    const judged = e.upstreamShareUsd ? " without its share of the shared nodes (judged in the platform total)" : "";
    out.push(`  budget: ${formatRange(budget.monthly, budget.currency)}/month (${budget.hardLimit ? "hard limit" : "advisory"}) → estimate${judged} ${formatAmount(cmp.estimate, budget.currency)}, ${Math.round(cmp.ratio * 100)}% of it${cmp.over ? ": OVER" : ""}`);
    out.push(`          ${budget.note}`);
    const perUser = perUserNote(cmp, budget);
    if (perUser) out.push(`          ${perUser}`);
  } else {
    const { platform, env } = parseStackName(e.stack);
    out.push(`  budget: ${noBudgetReason(platform.name, env).replace(/^no budget stated/, "none stated")}`);
  }
  const priced = e.lines.filter((l) => countsInTotal(l, e)).sort((a, b) => b.monthlyUsd! - a.monthlyUsd!);
  for (const l of priced.slice(0, TOP_LINES)) out.push(`  ${formatMonthly(l.monthlyUsd!, "USD").padStart(16)}  ${lineLabel(l)}`);
  if (priced.length > TOP_LINES) {
    const rest = priced.slice(TOP_LINES).reduce((s, l) => s + l.monthlyUsd!, 0);
    out.push(`  ${formatMonthly(rest, "USD").padStart(16)}  … ${priced.length - TOP_LINES} more lines (--json FILE lists all)`);
  }
  const inPool = e.lines.filter((l) => l.monthlyUsd !== undefined && !countsInTotal(l, e));
  if (inPool.length) {
    const sum = inPool.reduce((s, l) => s + l.monthlyUsd!, 0);
    out.push(`  in-cluster requests on this stack's own node pools: ${formatMonthly(sum, "USD")} of the nodes priced above (${inPool.length} lines, not added again)`);
  }
  const notPriced = e.lines.filter((l) => l.notPriced);
  if (notPriced.length) {
    out.push(`  not priced (${notPriced.length}):`);
    for (const l of notPriced) out.push(`    ${l.type.split(":").pop()} ${l.name} ${l.item}: ${l.notPriced}`);
  }
  for (const s of e.shortfalls) out.push(`  error: shortfall: ${s.message}`);
  return out.join("\n");
}

/**
 * Per-platform totals. A shared cluster's node pool is priced at its min size in its own stack, and
 * each env stack carries its pods' share of it: the platform counts the pool once, at the larger of
 * its min-size price and the sum of the shares on it (requests beyond the min make the autoscaler add
 * nodes: `scaleUpUsd`).
 */
export function platformTotals(estimates: readonly CostEstimate[]): { platform: string; stacks: string[]; monthlyUsd: number; scaleUpUsd: number }[] {
  const by = new Map<string, CostEstimate[]>();
  for (const e of estimates) {
    const name = parseStackName(e.stack).platform.name;
    by.set(name, [...(by.get(name) ?? []), e]);
  }
  return [...by].map(([platform, list]) => {
    const poolNodes = new Map<string, number>();
    for (const e of list) for (const l of e.lines) if (l.type === "gcp:container/nodePool:NodePool" && l.item === "nodes" && l.monthlyUsd !== undefined) poolNodes.set(l.urn, l.monthlyUsd);
    const shares = new Map<string, number>();
    let total = 0;
    for (const e of list) {
      for (const l of e.lines) {
        if (l.monthlyUsd === undefined) continue;
        if (l.shareOf && poolNodes.has(l.shareOf)) shares.set(l.shareOf, (shares.get(l.shareOf) ?? 0) + l.monthlyUsd);
        else if (countsInTotal(l, e)) total += l.monthlyUsd;
      }
    }
    let scaleUp = 0;
    for (const [pool, sum] of shares) scaleUp += Math.max(0, sum - poolNodes.get(pool)!);
    const cents = (x: number) => Math.round(x * 100) / 100;
    return { platform, stacks: list.map((e) => e.stack), monthlyUsd: cents(total + scaleUp), scaleUpUsd: cents(scaleUp) };
  });
}

export async function main(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const args = parseArgs(argv);
  let estimates: CostEstimate[];
  try {
    estimates = await estimateStacks(args.stacks);
  } catch (e) {
    if (e instanceof StackUsageError || e instanceof StackConfigError) throw new CliError(e.message.split("\n")[0]!);
    throw e;
  }
  for (const e of estimates) out(formatStackCost(e, args.currency) + "\n");
  const platforms = platformTotals(estimates);
  out("Per platform (a shared cluster's nodes counted once):");
  for (const p of platforms) {
    const budget = PLATFORM_BUDGET_TEXT(p.platform, p.stacks);
    out(`  ${p.platform} (${p.stacks.join(", ")}): ${money(p.monthlyUsd, args.currency)}${budget}`);
    if (p.scaleUpUsd > 0) out(`    includes ${formatMonthly(p.scaleUpUsd, "USD")} of nodes beyond the pools' min size: the pods' requests on the shared node pools exceed what the min size offers`);
  }
  out(`\nList prices, USD per month of 730 h: vendor/pricing/SOURCES.md.${args.currency === "USD" ? "" : ` Shown in ${args.currency} ${rateNote(args.currency)} (${ECB_REFERENCE.url}).`}`);
  if (args.json) {
    const currency = { code: args.currency, perUsd: perUsd(args.currency), date: ECB_REFERENCE.date, source: `ECB euro reference rates ${ECB_REFERENCE.date} (${ECB_REFERENCE.url})` };
    const body = { currency, stacks: estimates.map((e) => ({ estimate: e, budget: stackBudget(e.stack) ?? null })), platforms };
    writeFileSync(args.json, JSON.stringify(body, null, 2) + "\n");
    out(`Estimates written: ${args.json}`);
  }
  return estimates.some((e) => e.shortfalls.length > 0) ? EXIT.findings : EXIT.ok;
}

/** A platform's budget next to its total, when every one of its stacks is in the run and its document states one. */
function PLATFORM_BUDGET_TEXT(platform: string, stacks: readonly string[]): string {
  const budgets = stacks.map((s) => stackBudget(s));
  // A document may price some envs only (CryptoCare: prod): the judged stacks carry the budget.
  const first = budgets.find((b) => b !== undefined);
  if (!first) return `; budget: none stated in ${platform}.md`;
  if (first.scope === "per-env") {
    const judged = stacks.filter((_, i) => budgets[i] !== undefined);
    return `; budget ${formatRange(first.platformMonthly, first.currency)}/month for ${judged.join(", ")} (${first.hardLimit ? "hard limit" : "advisory"})`;
  }
  const shares = budgets.reduce((s, b) => s + (b?.share ?? 0), 0);
  const covered = Math.abs(shares - 1) < 1e-9;
  return covered ? `; budget ${formatRange(first.platformMonthly, first.currency)}/month (${first.hardLimit ? "hard limit" : "advisory"})` : `; budget: ${Math.round(shares * 100)}% of ${formatRange(first.platformMonthly, first.currency)}/month for these stacks`;
}

if (require.main === module) runMain("cost", () => main(process.argv.slice(2)));

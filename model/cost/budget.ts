/**
 * Budgets as compliance facts: what a platform's document says it may spend per month, and the
 * share of it each stack is judged against. The figures are stated in stacks/budgets.ts (one owner
 * per platform, each with its citation); this file owns their shape and the arithmetic, so the
 * budget rule (policies/cost/), the preview, the JSON plan and the PR comment agree.
 *
 * A budget is kept in the document's own currency (€, CHF): the estimate (USD, model/cost/types.ts)
 * is converted to it only to compare and show, with the rate and its date named next to the figure.
 */
import type { StackEnv } from "../envs";
import { type Currency, formatAmount } from "./currency";
import type { UsageProfile } from "./usage";

/** The currencies the documents state budgets in: the ones model/cost/currency.ts has a rate for. */
export type BudgetCurrency = Currency;

/** A monthly amount the document states: one figure (`low === high`), or a range (`€470–900`). */
export interface MonthlyAmount {
  low: number;
  high: number;
}

/**
 * One stated figure. Most documents state one; CryptoCare states one per phase, CRM Courtier one
 * for its optimised set-up and one for 20 firms. `users` / `tenants` say what size it is for.
 */
export interface BudgetFigure {
  /** How the document names it: `today`, `MVP`, `Phase 1`, `optimised`, `20 firms`. */
  label: string;
  monthly: MonthlyAmount;
  /** Users the figure is sized for (CryptoCare: 1,000 at MVP). */
  users?: number;
  /** Tenants the figure is sized for (CRM Courtier: 20 firms). */
  tenants?: number;
  /** Document section and wording. */
  source: string;
}

/** A threshold the document gives for reviewing the design rather than a budget (CryptoCare: cost per user > 0.25 CHF). */
export interface ReviewTrigger {
  metric: "monthlyCostPerUser" | "monthlyCostPerTenant";
  /** In the budget's currency. */
  threshold: number;
  /** What the document says to do past it (`Revue architecture`). */
  action: string;
  source: string;
}

/**
 * What a platform's document states about its monthly infrastructure spend.
 * `scope: "platform"`: one figure for every env together (Quickfund: "inclut dev + pré-prod"),
 * split between the stacks by `envWeights`; `"per-env"`: each stack has the whole figure.
 */
export interface PlatformBudget {
  platform: string;
  currency: BudgetCurrency;
  scope: "platform" | "per-env";
  figures: BudgetFigure[];
  /** The label of the figure stacks are judged against today (the current phase, the target size). */
  applies: string;
  /**
   * A config key whose value, in each stack's file, names the figure that stack is judged against
   * instead of `applies` (CryptoCare: `phase`, one figure per phase). Stacks without the key use `applies`.
   * @default undefined
   */
  appliesByConfigKey?: string;
  /**
   * The envs the figures are for; the other envs are reported beside them, with no budget of their
   * own (CryptoCare: § 8.1 states production's cost).
   * @default every env
   */
  judgedEnvs?: StackEnv[];
  /**
   * Each env's weight in the split of a platform-wide figure: a stack's share is its weight over
   * the sum of the platform's envs' weights. Envs missing here weigh 0 (they get no share).
   */
  envWeights: Partial<Record<StackEnv, number>>;
  /** The rule behind the weights, with the facts it rests on (said in every note that shows a share). */
  shareRule: string;
  /**
   * True only when the document makes the figure a ceiling; then the rule is mandatory. Every
   * document today states an observation or an estimate, so every budget is advisory.
   */
  hardLimit: boolean;
  /** The wording that decides hardLimit, quoted. */
  hardLimitSource: string;
  reviewTriggers?: ReviewTrigger[];
}

/** The budget one stack is judged against: its share of the applicable figure. */
export interface StackBudget {
  stack: string;
  platform: string;
  env: StackEnv;
  /** This stack's share, in `currency` per month (a range keeps both ends). */
  monthly: MonthlyAmount;
  currency: BudgetCurrency;
  /** Fraction of the platform figure this stack gets (1 for a per-env budget). */
  share: number;
  /** The whole figure it is a share of (all envs together for a platform scope). */
  platformMonthly: MonthlyAmount;
  scope: PlatformBudget["scope"];
  hardLimit: boolean;
  /** The document section the figure comes from. */
  source: string;
  /** One sentence: what the figure is, how the share was computed, why advisory or mandatory. */
  note: string;
  /** Users the applicable figure is sized for (CryptoCare's phases): the estimate is also shown per user. */
  users?: number;
  /** The document's review thresholds that apply to this stack (cost per user over 0.25 CHF). */
  reviewTriggers?: ReviewTrigger[];
}

/** The figure a budget applies today; throws when `applies` names none (a typo in stacks/budgets.ts). */
export function applicableFigure(budget: PlatformBudget): BudgetFigure {
  const f = budget.figures.find((x) => x.label === budget.applies);
  if (!f) throw new Error(`budget of ${budget.platform}: applies ${JSON.stringify(budget.applies)}, expected one of ${budget.figures.map((x) => JSON.stringify(x.label)).join(", ")}`);
  return f;
}

/**
 * The fraction of a platform-wide figure an env gets: its weight over the sum of the weights of the
 * envs the platform has. A per-env budget gives each env the whole figure.
 */
export function envShare(budget: PlatformBudget, env: StackEnv, platformEnvs: readonly StackEnv[]): number {
  if (budget.scope === "per-env") return 1;
  const weight = (e: StackEnv) => budget.envWeights[e] ?? 0;
  const total = platformEnvs.reduce((n, e) => n + weight(e), 0);
  if (total <= 0) throw new Error(`budget of ${budget.platform}: envWeights give the envs ${platformEnvs.join(", ")} a total weight of ${total}, expected more than 0`);
  return weight(env) / total;
}

/** Rounds money to cents (shares of €1,500 by thirds must not print €499.99999). */
export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A stack's budget: its share of the applicable figure, with the note every display repeats. */
export function stackBudgetOf(budget: PlatformBudget, env: StackEnv, platformEnvs: readonly StackEnv[]): StackBudget {
  const figure = applicableFigure(budget);
  const share = envShare(budget, env, platformEnvs);
  const monthly = { low: cents(figure.monthly.low * share), high: cents(figure.monthly.high * share) };
  const whole = formatRange(figure.monthly, budget.currency);
  const what =
    budget.scope === "platform"
      ? `${Math.round(share * 1000) / 10}% of ${whole}/month for ${platformEnvs.join("+")} together (${budget.shareRule})`
      : `${whole}/month for this env`;
  const level = budget.hardLimit ? "a hard limit" : "advisory";
  return {
    stack: `${budget.platform}-${env}`,
    platform: budget.platform,
    env,
    monthly,
    currency: budget.currency,
    share,
    platformMonthly: { ...figure.monthly },
    scope: budget.scope,
    hardLimit: budget.hardLimit,
    source: figure.source,
    note: `${what}; ${level}: ${budget.hardLimitSource}`,
    ...(figure.users !== undefined ? { users: figure.users } : {}),
    ...(budget.reviewTriggers?.length ? { reviewTriggers: budget.reviewTriggers.map((t) => ({ ...t })) } : {}),
  };
}

/**
 * The per-user line of a comparison, when the figure states users: `CHF 1.37 per user (1,000 users
 * in the figure); over cryptocare.md § 8.3's 0.25 CHF: Revue architecture`. Undefined otherwise.
 */
export function perUserNote(cmp: BudgetComparison, budget: Pick<StackBudget, "currency" | "users">): string | undefined {
  if (cmp.perUser === undefined || budget.users === undefined) return undefined;
  const review = (cmp.reviews ?? []).map((r) => `; REVIEW: over ${formatAmount(r.threshold, budget.currency)} per user, "${r.action}" (${r.source})`).join("");
  return `${formatAmount(cmp.perUser, budget.currency)} per user a month (${budget.users.toLocaleString("en")} users in the figure)${review}`;
}

/** `€1,500`, `€470–900`, `CHF 500`: a stated amount or range (model/cost/currency.ts formats each end). */
export function formatRange(a: MonthlyAmount, currency: BudgetCurrency): string {
  if (a.low === a.high) return formatAmount(a.high, currency);
  return `${formatAmount(a.low, currency)}–${formatAmount(a.high, currency).replace(/^[^\d]+/, "")}`;
}

/** `+€212`, `-€40`, `€0`: a change of money, signed (model/cost/currency.ts formats the amount). */
export function formatMoney(x: number, currency: BudgetCurrency, signed = false): string {
  return `${signed && x > 0 ? "+" : ""}${formatAmount(x, currency)}`;
}

/**
 * The part of a stack's estimate its budget share judges: what the stack itself runs. An env stack
 * of a platform with a shared cluster also shows its pods' share of that cluster's nodes
 * (`upstreamShareUsd`), but the shared stack's estimate already holds the node pools at their
 * minimum and the platform total (nodes counted once) holds the nodes beyond it: judging the share
 * again in the env stack would split the document's one budget into shares that add up to more
 * than it.
 */
export function budgetedUsd(estimate: { monthlyUsd: number; upstreamShareUsd?: number }): number {
  return cents(estimate.monthlyUsd - (estimate.upstreamShareUsd ?? 0));
}

/** How an estimate stands against a stack budget, both in the budget's currency. */
export interface BudgetComparison {
  /** The estimate, converted to the budget's currency. */
  estimate: number;
  /** The ceiling it is judged against: the top of the stated range. */
  limit: number;
  over: boolean;
  /** estimate / limit (1 = exactly at the budget). */
  ratio: number;
  /** The estimate per user of the figure, in the budget's currency, when the figure states users. */
  perUser?: number;
  /** The review thresholds the estimate crosses (the document's "Revue architecture" trigger). */
  reviews?: { metric: ReviewTrigger["metric"]; value: number; threshold: number; action: string; source: string }[];
}

/**
 * Compares a USD estimate with a stack budget. `usdTo` converts USD to the budget's currency (the
 * rate lives in model/cost/currency.ts, one owner). Over a range means over its top: inside it is
 * what the document expects.
 */
export function compareToBudget(
  estimateUsd: number,
  budget: Pick<StackBudget, "monthly" | "currency"> & Partial<Pick<StackBudget, "users" | "reviewTriggers">>,
  usdTo: (usd: number, currency: BudgetCurrency) => number,
): BudgetComparison {
  const estimate = cents(usdTo(estimateUsd, budget.currency));
  const limit = budget.monthly.high;
  const out: BudgetComparison = { estimate, limit, over: estimate > limit, ratio: limit > 0 ? estimate / limit : Infinity };
  if (budget.users !== undefined && budget.users > 0) {
    const perUser = Math.round((estimate / budget.users) * 10000) / 10000;
    out.perUser = perUser;
    const reviews = (budget.reviewTriggers ?? [])
      .filter((t) => t.metric === "monthlyCostPerUser" && perUser > t.threshold)
      .map((t) => ({ metric: t.metric, value: perUser, threshold: t.threshold, action: t.action, source: t.source }));
    if (reviews.length > 0) out.reviews = reviews;
  }
  return out;
}

/**
 * A node pool of the cluster an env stack's pods run on when that cluster is another stack's (the
 * platform's shared stack): what the estimator needs to price the pods' requests, since the env
 * stack's plan does not hold the pool. Stated from the foundation's profile and stack file.
 */
export interface HostNodePool {
  /** The stack that creates it (`diaspomoney-shared`). */
  stack: string;
  name: string;
  /** A region (the pool spans its zones) or a zone. */
  location: string;
  machineType: string;
  /** Per zone, as GKE's autoscaling counts them. */
  minNodeCount: number;
  maxNodeCount: number;
}

/**
 * What the budget rule reads from a stack's policy config (policies/config/<stack>.json, generated
 * from stacks/budgets.ts and stacks/usage/): the budget, the usage profile the estimate multiplies,
 * and the host cluster's node pools. The currency rate is not a fact of the stack: the rule reads
 * it from model/cost/currency.ts, its one owner.
 */
export interface StackCostFacts {
  /** Absent when the document states none; `noBudget` then says so. */
  budget?: StackBudget;
  noBudget?: string;
  usage: UsageProfile;
  hostNodePools: HostNodePool[];
}

/**
 * Each platform's monthly budget as its document states it (docs/platforms/), and the share of it
 * each stack is judged against (model/cost/budget.ts owns the shape and the arithmetic). The budget
 * rule (policies/cost/) reads a stack's share from its generated policy config, `npm run preview`
 * and the JSON plan show it next to the estimate.
 *
 * A platform missing here states no budget: diaspomoney.md has no cost figure anywhere (no "€",
 * "budget" or "coût" in the document), so every place that shows a budget says so.
 */
import { join } from "node:path";
import { type HostNodePool, type PlatformBudget, type StackBudget, type StackCostFacts, stackBudgetOf } from "../model/cost/budget";
import { envOfStack, isFoundationEnv, type StackEnv } from "../model/envs";
import { asObject } from "../model/plan-values";
import { PLATFORMS, platformEnvs } from "./registry";
import { decodeConfigValue, deepMerge } from "./config-merge";
import { loadStackFile } from "./stack-file";
import { usageProfile, type StackSetting } from "./usage";
import { CRM_BUDGET_WEIGHTS, CRM_MONTHLY_BUDGET_EUR } from "./crm-courtier";
import { CRYPTOCARE_INDICATORS, CRYPTOCARE_PHASES, type CryptocarePhase } from "./cryptocare";

const QUICKFUND_SITUATION = 'quickfund.md § Situation actuelle ("Coût mensuel | ~1 500€ (inclut dev + pré-prod)")';

export const PLATFORM_BUDGETS: Readonly<Record<string, PlatformBudget>> = {
  quickfund: {
    platform: "quickfund",
    currency: "EUR",
    // One figure for dev, rct (pré-prod) and prod together.
    scope: "platform",
    figures: [{ label: "today", monthly: { low: 1500, high: 1500 }, source: `${QUICKFUND_SITUATION}; § Coûts infrastructure ("Cloud (GCP) | Google | ~1 500€")` }],
    applies: "today",
    // prod runs what the document asks of production twice over (a regional, i.e. HA, Cloud SQL
    // instance and warm Cloud Run instances: stacks/quickfund.ts env rows), rct and dev run zonal
    // with no warm instance: prod weighs as much as the two others together.
    envWeights: { prod: 2, rct: 1, dev: 1 },
    shareRule: "by weight prod 2 : rct 1 : dev 1, prod being the only HA env (stacks/quickfund.ts)",
    hardLimit: false,
    hardLimitSource: 'quickfund.md states today\'s bill ("~1 500€", § Situation actuelle) and expects it to fall ("réduira significativement les coûts cloud", § Coûts infrastructure): an observation, not a cap',
  },
  "crm-courtier": {
    platform: "crm-courtier",
    currency: "EUR",
    // The document's costs are for the whole platform, sized for 20 firms.
    scope: "platform",
    figures: [
      { label: "optimised", monthly: { low: 855, high: 855 }, source: 'crm-courtier.md § Coûts estimés ("OVH/Hetzner (optimisé) | €855")' },
      { label: "20 firms", monthly: { low: CRM_MONTHLY_BUDGET_EUR, high: CRM_MONTHLY_BUDGET_EUR }, tenants: 20, source: 'crm-courtier.md § Modèle de tarification SaaS, Revenus estimés (20 cabinets Pro) ("Coûts : €1084/mois")' },
    ],
    applies: "20 firms",
    // As ShareYourSales: the shared stack carries the cluster's nodes, env stacks are judged on
    // what they own (model/cost/budget.ts budgetedUsd). The env stacks' billing budgets use the same shares.
    envWeights: { ...CRM_BUDGET_WEIGHTS },
    shareRule: "by weight shared 55 : prod 25 : rct 10 : dev 10 (stacks/budgets.ts): the shared stack carries the cluster's nodes, env stacks are judged on what they own; the platform total counts every node once",
    hardLimit: false,
    hardLimitSource: 'crm-courtier.md gives "Coûts estimés", an estimate, not a cap',
  },
  // § 8.1 "Estimation coûts infrastructure": one figure per phase, for production. The German
  // instance (§ 7.2) is judged against the same phase figure on its own, and the platform total
  // (Swiss prod + German prod) is reported in docs/cost.md: the document sizes the platform, not
  // the instances.
  cryptocare: cryptocareBudget("cryptocare"),
  "cryptocare-de": cryptocareBudget("cryptocare-de"),
  shareyoursales: {
    platform: "shareyoursales",
    currency: "EUR",
    // One infrastructure figure for the platform; the document has no env in it, so it covers all of them.
    scope: "platform",
    figures: [{ label: "infrastructure", monthly: { low: 470, high: 900 }, source: 'shareyoursales.md § Estimation des coûts / Infrastructure (Mensuel) ("TOTAL Infrastructure: 470-900€/mois")' }],
    applies: "infrastructure",
    // The shared stack carries the cluster every env runs on (nodes at the pool's minimum, control
    // plane, NAT, logs, the operators and monitoring); each env stack is judged on what it owns
    // (volumes, buckets, its CDN; model/cost/budget.ts budgetedUsd), prod's three-node data
    // services weighing most. The nodes the envs' pods add beyond the pool's minimum are judged in
    // the platform total (`npm run cost -- --all`, nodes counted once).
    envWeights: { shared: 55, prod: 25, rct: 10, dev: 10 },
    shareRule: "by weight shared 55 : prod 25 : rct 10 : dev 10 (stacks/budgets.ts): the shared stack carries the cluster's nodes, env stacks are judged on what they own; the platform total counts every node once",
    hardLimit: false,
    hardLimitSource: "shareyoursales.md gives an estimate (\"Estimation des coûts\"), not a cap",
  },
};

function cryptocareBudget(platform: string): PlatformBudget {
  // The document's own wording (narrow no-break spaces as thousands separators are not worth copying).
  const row = { mvp: "MVP | 1 000 | 500 CHF", p1: "Phase 1 | 5 000 | 1 500 CHF", p2: "Phase 2 | 20 000 | 4 000 CHF", p3: "Phase 3 | 50 000+ | 8 000 CHF" };
  const figure = (label: CryptocarePhase) => {
    const p = CRYPTOCARE_PHASES[label];
    return { label, monthly: { low: p.budgetChf, high: p.budgetChf }, users: p.users, source: `cryptocare.md § 8.1 ("${row[label]}")` };
  };
  return {
    platform,
    currency: "CHF",
    scope: "per-env",
    figures: [figure("mvp"), figure("p1"), figure("p2"), figure("p3")],
    applies: "mvp",
    appliesByConfigKey: "phase",
    judgedEnvs: ["prod"],
    envWeights: { prod: 1 },
    shareRule: "prod is judged against its phase's whole figure; dev and rct are reported beside it",
    hardLimit: false,
    hardLimitSource: 'cryptocare.md § 8.1 gives a "Coût mensuel estimé", an estimate, not a cap',
    reviewTriggers: [{ metric: "monthlyCostPerUser", threshold: CRYPTOCARE_INDICATORS.costPerUserReviewChf, action: "Revue architecture", source: `cryptocare.md ${CRYPTOCARE_INDICATORS.sources.costPerUser}` }],
  };
}

/** Why a stack shows no budget: the sentence every display prints in its place. */
export function noBudgetReason(platform: string, env?: StackEnv): string {
  const budget = PLATFORM_BUDGETS[platform];
  if (budget?.judgedEnvs && env && !budget.judgedEnvs.includes(env)) return `${platform}'s document states a budget for ${budget.judgedEnvs.join(", ")} only: ${env} is reported beside it`;
  return `no budget stated in ${platform}.md`;
}

/**
 * The budget a stack is judged against, or undefined when its platform's document states none.
 * `setting` lets a caller that already reads the stack's settings share them (one file load).
 */
export function stackBudget(stack: string, root = PROJECT_ROOT, setting = stackSetting(root, stack)): StackBudget | undefined {
  const env = envOfStack(stack);
  if (!env) return undefined;
  const platform = stack.slice(0, -env.length - 1);
  const budget = PLATFORM_BUDGETS[platform];
  if (!budget || (budget.judgedEnvs && !budget.judgedEnvs.includes(env))) return undefined;
  const applies = budget.appliesByConfigKey ? setting(budget.appliesByConfigKey) : undefined;
  return stackBudgetOf(typeof applies === "string" ? { ...budget, applies } : budget, env, platformEnvs(platform));
}

/**
 * A stack's setting as the program resolves it: its file's value (`<platform>:<key>`, decoded)
 * deep-merged over its env's profile row (stacks/config.ts). The file is read on the first call,
 * so that a caller needing no setting needs no stack file.
 */
export function stackSetting(root: string, stack: string): StackSetting {
  const env = envOfStack(stack);
  const platform = env ? stack.slice(0, -env.length - 1) : stack;
  const definition = env ? PLATFORMS.find((p) => p.name === platform && p.envs.includes(env)) : undefined;
  let file: Record<string, string> | undefined;
  let row: Readonly<Record<string, unknown>> | undefined;
  return (key) => {
    file ??= loadStackFile(root, stack).config;
    row ??= definition && env ? definition.defaults(env) : {};
    const raw = file[`${platform}:${key}`];
    return deepMerge(row[key], raw === undefined ? undefined : decodeConfigValue(raw));
  };
}

/** This repository's root, where the stack files are (a stack's host pools come from its foundation's file). */
const PROJECT_ROOT = join(__dirname, "..");

/**
 * The node pools of the cluster an app env's pods run on, when the platform's foundation stack (its
 * `shared`) creates it: the foundation's `cluster` and `gcp` settings, its profile row overlaid by
 * its stack file, as the foundation's composition reads them (stacks/gke-cluster-foundation.ts
 * names the pool `<platform>-pool-general`). None for a foundation itself or a platform without one.
 */
export function hostNodePools(stack: string, root = PROJECT_ROOT): HostNodePool[] {
  const env = envOfStack(stack);
  if (!env || isFoundationEnv(env)) return [];
  const platform = stack.slice(0, -env.length - 1);
  const foundation = PLATFORMS.find((p) => p.name === platform && p.kind === "foundation");
  if (!foundation) return [];
  return foundation.envs.flatMap((fenv: StackEnv) => {
    const host = `${platform}-${fenv}`;
    const setting = stackSetting(root, host);
    const cluster = asObject(setting("cluster")) ?? {};
    const gcp = asObject(setting("gcp")) ?? {};
    if (typeof cluster.machineType !== "string" || typeof gcp.region !== "string") return [];
    return [
      {
        stack: host,
        name: `${platform}-pool-general`,
        location: gcp.region,
        machineType: cluster.machineType,
        minNodeCount: Number(cluster.minNodesPerZone),
        maxNodeCount: Number(cluster.maxNodesPerZone),
      },
    ];
  });
}

/** Everything the budget rule needs about a stack, for its generated policy config. */
export function stackCostFacts(stack: string, root = PROJECT_ROOT): StackCostFacts {
  const env = envOfStack(stack);
  if (!env) throw new Error(`stack ${JSON.stringify(stack)}: expected <platform>-<env>`);
  const platform = stack.slice(0, -env.length - 1);
  const setting = stackSetting(root, stack);
  const budget = stackBudget(stack, root, setting);
  return {
    ...(budget ? { budget } : { noBudget: noBudgetReason(platform, env) }),
    usage: usageProfile(platform, env, setting),
    hostNodePools: hostNodePools(stack, root),
  };
}

/**
 * What every pricer shares: the context it reads (the stack's resources, the upstream stack's, the
 * usage profile, the price tables), the line builders, and plan-reading helpers.
 */
import { known, type RecordedResource } from "../../plan-values";
import type { CostLine } from "../types";
import { PriceLookup, type PriceTables } from "../prices";
import type { UsageProfile } from "../usage";

/** Hours in the billing month every estimate uses (Google's calculator convention: 730). */
export const HOURS_PER_MONTH = 730;
/** Seconds in that month: 730 × 3,600. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

export interface PricingContext {
  /** The stack's own recorded resources. */
  resources: readonly RecordedResource[];
  /** Resources of the stacks it reads (the shared cluster's node pools for in-cluster workloads). */
  upstream: readonly RecordedResource[];
  usage: UsageProfile;
  tables: PriceTables;
  /** Assumptions a pricer applied (free tiers, defaults): printed once with the estimate. */
  assume(text: string): void;
  /** Per-stack counters for tiered prices (the first 5 forwarding rules of a project, free tiers). */
  counters: Map<string, number>;
}

export type Pricer = (r: RecordedResource, ctx: PricingContext) => CostLine[];

export { asObject as obj, asArray as arr, type Obj } from "../../plan-values";
/** A known string (not the unknown sentinel, not empty). */
export const str = (v: unknown): string | undefined => (known(v) ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** `$12.34` for formulas: enough digits for unit prices, two for totals. */
export function usd(v: number): string {
  if (v === 0) return "$0";
  const abs = Math.abs(v);
  const digits = abs >= 1 ? 2 : abs >= 0.01 ? 4 : 7;
  return `$${Number(v.toFixed(digits))}`;
}
export const round2 = (v: number): number => Math.round(v * 100) / 100;

/** A priced line (monthlyUsd rounded to cents, so tests and deltas compare exact figures). */
export function priced(r: RecordedResource, item: string, detail: string, monthlyUsd: number, formula: string, lookup?: PriceLookup, usageKeys?: string[]): CostLine {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    item,
    detail,
    monthlyUsd: round2(monthlyUsd),
    formula,
    ...(lookup && lookup.keys.length ? { priceKeys: [...lookup.keys] } : {}),
    ...(usageKeys && usageKeys.length ? { usageKeys } : {}),
  };
}

export function notPriced(r: RecordedResource, item: string, detail: string, reason: string): CostLine {
  return { urn: r.urn, type: r.type, name: r.name, item, detail, notPriced: reason };
}

/** The region a regional resource lives in: `region`, else `location`, else the provider's region (undefined: cannot tell). */
export function regionOf(r: RecordedResource, ctx: PricingContext): string | undefined {
  const own = str(r.inputs.region) ?? str(r.inputs.location);
  if (own) return own;
  const providerUrn = r.provider?.split("::").slice(0, -1).join("::");
  const provider = [...ctx.resources, ...ctx.upstream].find((p) => p.urn === providerUrn);
  return str(provider?.inputs.region);
}

/** A zone (`europe-west1-b`) → its region; a region stays itself. */
export const regionOfLocation = (location: string): string => (/-[a-z]$/.test(location) ? location.replace(/-[a-z]$/, "") : location);

/** Consumes `amount` of a per-stack free allowance named `key`; returns what is left to bill. */
export function afterFreeTier(ctx: PricingContext, key: string, allowance: number, amount: number): number {
  const used = ctx.counters.get(key) ?? 0;
  const free = Math.max(0, Math.min(amount, allowance - used));
  ctx.counters.set(key, used + amount);
  return amount - free;
}

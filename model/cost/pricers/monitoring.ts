/**
 * Cloud Monitoring: uptime checks beyond 1M executions per project per month at $0.30 per 1,000
 * (`monitoring.uptime_check.per_1k_executions.global`, secondary). A check runs once per period from
 * each selected region, from 6 regions when none is selected (all uptime-check regions: 3 in the
 * USA, Europe, South America, Asia Pacific). Alerting is free until 2027-09 (`monitoring.alerting.month.global`).
 */
import type { RecordedResource } from "../../plan-values";
import { groupThousands } from "../currency";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { afterFreeTier, arr, priced, SECONDS_PER_MONTH, str, usd, type PricingContext } from "./common";

export const UPTIME_FREE_EXECUTIONS = 1_000_000;
const DEFAULT_UPTIME_REGIONS = 6;

export function uptimeExecutions(inputs: Record<string, unknown>): number {
  const period = Number(/^(\d+)s$/.exec(str(inputs.period) ?? "60s")?.[1] ?? 60);
  const regions = arr(inputs.selectedRegions).length || DEFAULT_UPTIME_REGIONS;
  return Math.round((SECONDS_PER_MONTH / period) * regions);
}

export function priceUptimeCheck(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const runs = uptimeExecutions(r.inputs);
  const billed = afterFreeTier(ctx, "monitoring.uptime_executions", UPTIME_FREE_EXECUTIONS, runs);
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd("monitoring.uptime_check.per_1k_executions.global");
  return [priced(r, "executions", `${groupThousands(runs)} executions/month (1M free per project)`, (billed / 1000) * rate, `${groupThousands(billed)} billed / 1,000 × ${usd(rate)}`, p)];
}

export function priceAlertPolicy(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd("monitoring.alerting.month.global");
  return [priced(r, "policy", "alert policy (alerting free until 2027-09)", rate, `${usd(rate)}/month`, p)];
}

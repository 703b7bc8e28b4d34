/**
 * Cloud Logging: ingestion beyond the free 50 GiB per project per month at $0.50/GiB
 * (`logging.storage.gib.global`, 30 days of retention included), on the stack's first log bucket
 * (a stack is one project here). Retention beyond 30 days has no vendored price: listed as not
 * priced when a bucket keeps logs longer.
 */
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { provenance } from "../usage";
import { afterFreeTier, notPriced, num, priced, usd, type PricingContext } from "./common";

export const LOGGING_FREE_GIB = 50;

export function priceLogBucket(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  if (!ctx.counters.has("logging.ingest_gib")) {
    const gib = ctx.usage.logIngestGib.value;
    const billed = afterFreeTier(ctx, "logging.ingest_gib", LOGGING_FREE_GIB, gib);
    const p = new PriceLookup(ctx.tables);
    const rate = p.usd("logging.storage.gib.global");
    lines.push(priced(r, "ingestion", `${gib} GiB/month ingested (${provenance(ctx.usage.logIngestGib)}), 50 GiB free`, billed * rate, `max(0, ${gib} − 50) GiB × ${usd(rate)}/GiB`, p, ["logIngestGib"]));
  }
  const days = num(r.inputs.retentionDays) ?? 30;
  if (days > 30) lines.push(notPriced(r, "retention", `${days} days retention`, "log retention beyond 30 days: no vendored price (vendor/pricing has no logging retention entry)"));
  return lines;
}

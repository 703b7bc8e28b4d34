/**
 * Cloud CDN on a backend service (`enableCdn: true`): the cached share of the profile's egress at
 * the Europe cache egress rate (`cdn.cache_egress.europe.0_10tib.gb`) and the cache lookups (the
 * stack's requests, split over its backend services). Cache fill is listed as not priced: its
 * Europe rate is unconfirmed (`cdn.cache_fill.gb.range`).
 */
import type { RecordedResource } from "../../plan-values";
import { groupThousands } from "../currency";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import type { UsageKey } from "../usage";
import { notPriced, priced, usd, type PricingContext } from "./common";

export function priceCdn(r: RecordedResource, ctx: PricingContext): CostLine[] {
  if (r.inputs.enableCdn !== true) return [];
  const backends = ctx.resources.filter((x) => x.type === r.type).length || 1;
  const cached = (ctx.usage.internetEgressGb.value / backends) * ctx.usage.cdnHitRatio.value;
  const lookups = ctx.usage.cloudRunRequests.value / backends;
  return cdnLines(r, ctx, cached, lookups, "cache fill from the origin", ["internetEgressGb", "cdnHitRatio", "cloudRunRequests"]);
}

/**
 * Cloud CDN on a backend bucket (`enableCdn: true`): the profile's CDN-fronted bucket egress
 * (`cdnBucketEgressGb`) at its cached share, at the Europe cache egress rate, and one cache lookup
 * per request (`cdnBucketRequests`), split over the stack's backend buckets. A stack whose profile
 * states neither gets a not-priced line, never a silent zero. Cache fill is not priced (unconfirmed).
 */
export function priceCdnBackendBucket(r: RecordedResource, ctx: PricingContext): CostLine[] {
  if (r.inputs.enableCdn !== true) return [];
  const { cdnBucketEgressGb, cdnBucketRequests } = ctx.usage;
  if (!cdnBucketEgressGb || !cdnBucketRequests) {
    return [notPriced(r, "cdn", "bucket served through Cloud CDN", `the ${ctx.usage.platform} usage profile states no cdnBucketEgressGb / cdnBucketRequests (stacks/usage/)`)];
  }
  const buckets = ctx.resources.filter((x) => x.type === r.type).length || 1;
  const cached = (cdnBucketEgressGb.value / buckets) * ctx.usage.cdnHitRatio.value;
  const lookups = cdnBucketRequests.value / buckets;
  return cdnLines(r, ctx, cached, lookups, "cache fill from the bucket", ["cdnBucketEgressGb", "cdnHitRatio", "cdnBucketRequests"]);
}

/** Cache egress at the Europe rate and cache lookups, then cache fill listed as not priced (its rate is unconfirmed). */
function cdnLines(r: RecordedResource, ctx: PricingContext, cachedGb: number, lookups: number, fill: string, usageKeys: UsageKey[]): CostLine[] {
  const p = new PriceLookup(ctx.tables);
  const egressRate = p.usd("cdn.cache_egress.europe.0_10tib.gb");
  const lookupRate = p.usd("cdn.cache_lookup.per_10k.global");
  const gb = Math.round(cachedGb * 100) / 100;
  const lines: CostLine[] = [
    priced(r, "cdn", `${gb} GiB from cache, ${groupThousands(Math.round(lookups))} lookups`, cachedGb * egressRate + (lookups / 1e4) * lookupRate, `${gb} GiB × ${usd(egressRate)}/GiB + ${Math.round(lookups / 1e4)} × 10k lookups × ${usd(lookupRate)}`, p, usageKeys),
  ];
  if (ctx.tables.gcp["cdn.cache_fill.gb.range"] && !p.usable("cdn.cache_fill.gb.range")) {
    lines.push(notPriced(r, "cdn-cache-fill", fill, "price cdn.cache_fill.gb.range is unconfirmed (USD 0.01–0.04/GiB by region pair): refused"));
  }
  return lines;
}

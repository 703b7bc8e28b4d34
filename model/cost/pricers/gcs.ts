/**
 * Cloud Storage buckets: stored GB (usage profile, by bucket role) × the class's price at the
 * bucket's location: a region (`gcs.<class>.regional.gb_month.<region>`) or the EU multi-region
 * (`gcs.<class>.multi_region.gb_month.eu`). Operations, retrieval and early-deletion fees are left
 * out (small at these volumes; docs/cost.md). Lifecycle transitions are not modelled: the stored GB
 * are priced at the bucket's default class.
 */
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { provenance, storedGbFor } from "../usage";
import { notPriced, obj, priced, str, usd, type PricingContext } from "./common";

/** A bucket's role in the usage profile: its `purpose` label, else its `data` label, else its logical name. */
export function bucketRole(r: RecordedResource): string {
  const labels = obj(r.inputs.labels) ?? {};
  return str(labels.purpose) ?? str(labels.data) ?? r.name;
}

export function priceBucket(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const location = str(r.inputs.location)?.toLowerCase();
  const cls = (str(r.inputs.storageClass) ?? "STANDARD").toLowerCase();
  const role = bucketRole(r);
  const stored = storedGbFor(ctx.usage, role);
  if (!location) return [notPriced(r, "storage", role, "bucket location is not known at preview")];
  if (!stored) return [notPriced(r, "storage", role, `no stored-GB figure for bucket role ${JSON.stringify(role)} (nor "*") in the ${ctx.usage.platform} usage profile`)];
  const key = location === "eu" ? `gcs.${cls}.multi_region.gb_month.eu` : `gcs.${cls}.regional.gb_month.${location}`;
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd(key);
  const gb = stored.figure.value;
  return [priced(r, "storage", `${gb} GB ${cls.toUpperCase()} in ${location.toUpperCase() === "EU" ? "EU multi-region" : location} (${role}; ${provenance(stored.figure)})`, gb * rate, `${gb} GB × ${usd(rate)}/GB-month`, p, [stored.key])];
}

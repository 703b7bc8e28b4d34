/**
 * Memorystore for Redis (no stack uses it yet; the next platforms will):
 * - instances (`gcp:redis/instance:Instance`): provisioned GB × the tier's capacity-band rate
 *   (`memorystore.redis.<basic|standard>.<M1..M5>.gb_hour.<region>`; bands M1 1–4 GB, M2 5–10,
 *   M3 11–35, M4 36–100, M5 > 100);
 * - clusters (`gcp:redis/cluster:Cluster`): nodes (shards × (1 + replicas)) × the node type's hourly
 *   rate (`memorystore.redis_cluster.node.<type>.hour.<region>`).
 * Only us-central1 rates are vendored (Europe is unconfirmed): elsewhere the loader refuses the key
 * and the line is listed as not priced.
 */
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { HOURS_PER_MONTH, notPriced, num, priced, regionOf, str, usd, type PricingContext } from "./common";

export function capacityBand(gb: number): string {
  return gb <= 4 ? "M1" : gb <= 10 ? "M2" : gb <= 35 ? "M3" : gb <= 100 ? "M4" : "M5";
}

export function priceRedisInstance(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const region = regionOf(r, ctx);
  const gb = num(r.inputs.memorySizeGb);
  if (!region || gb === undefined) return [notPriced(r, "instance", "size or region unknown", "Memorystore: memorySizeGb or region is not known at preview")];
  const tier = str(r.inputs.tier) === "STANDARD_HA" ? "standard" : "basic";
  const band = capacityBand(gb);
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd(`memorystore.redis.${tier}.${band}.gb_hour.${region}`);
  return [priced(r, "instance", `${gb} GB ${tier === "standard" ? "Standard (HA)" : "Basic"} ${band}`, gb * rate * HOURS_PER_MONTH, `${gb} GB × ${usd(rate)}/GB-h × ${HOURS_PER_MONTH} h`, p)];
}

export function priceRedisCluster(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const region = regionOf(r, ctx);
  const shards = num(r.inputs.shardCount);
  if (!region || shards === undefined) return [notPriced(r, "nodes", "shards or region unknown", "Memorystore cluster: shardCount or region is not known at preview")];
  const replicas = num(r.inputs.replicaCount) ?? 0;
  const nodeType = (str(r.inputs.nodeType) ?? "REDIS_HIGHMEM_MEDIUM").replace(/^REDIS_/, "").toLowerCase().replace(/_/g, "-");
  const nodes = shards * (1 + replicas);
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd(`memorystore.redis_cluster.node.${nodeType}.hour.${region}`);
  return [priced(r, "nodes", `${shards} shards × ${1 + replicas} nodes (${nodeType})`, nodes * rate * HOURS_PER_MONTH, `${nodes} nodes × ${usd(rate)}/h × ${HOURS_PER_MONTH} h`, p)];
}

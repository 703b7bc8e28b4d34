/**
 * GKE: the cluster management fee and node pools (machines at min size, max shown as a range, boot
 * disks).
 *
 * Fee: $0.10 per cluster-hour for Standard, regional, zonal and Autopilot alike
 * (`gke.cluster_management_fee.hour.global`). Free tier: a $74.40 monthly credit per billing account
 * that "only offsets zonal or Autopilot cluster fees" (`gke.free_tier_credit.month.global`).
 * Decision: a regional cluster gets no credit; a zonal or Autopilot cluster gets it once per stack
 * (each platform's cluster is assumed to be the only zonal/Autopilot one on its billing account), and
 * the estimate says so.
 *
 * Node pools: a pool in a regional cluster without node locations runs in three zones (GKE docs,
 * regional clusters: "by default, GKE replicates each node pool across three zones"), and
 * min/max node counts are per zone unless given as totals.
 */
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { arr, HOURS_PER_MONTH, notPriced, num, obj, priced, regionOfLocation, str, usd, type PricingContext } from "./common";
import { machinePrice } from "./machines";

export interface NodePoolSize {
  machineType: string;
  region: string;
  zones: number;
  minNodes: number;
  maxNodes: number;
  diskGb: number;
  diskType: string;
  spot: boolean;
}

function clusterOf(pool: RecordedResource, all: readonly RecordedResource[]): RecordedResource | undefined {
  const clusters = all.filter((r) => r.type === "gcp:container/cluster:Cluster");
  return clusters.find((c) => c.inputs.name === pool.inputs.cluster) ?? (clusters.length === 1 ? clusters[0] : undefined);
}

/** A node pool's machine, zones and node counts (totals over zones); undefined when the plan does not tell. */
export function nodePoolSize(pool: RecordedResource, all: readonly RecordedResource[]): NodePoolSize | undefined {
  const i = pool.inputs;
  const config = obj(i.nodeConfig) ?? {};
  const machineType = str(config.machineType) ?? "e2-medium";
  const cluster = clusterOf(pool, all);
  const location = str(i.location) ?? str(cluster?.inputs.location);
  if (!location) return undefined;
  const locations = arr(i.nodeLocations).length ? arr(i.nodeLocations) : arr(cluster?.inputs.nodeLocations);
  const zones = locations.length || (/-[a-z]$/.test(location) ? 1 : 3);
  const auto = obj(i.autoscaling);
  const fixed = num(i.nodeCount) ?? num(i.initialNodeCount) ?? 1;
  const minNodes = num(auto?.totalMinNodeCount) ?? (auto ? (num(auto.minNodeCount) ?? 0) * zones : fixed * zones);
  const maxNodes = num(auto?.totalMaxNodeCount) ?? (auto ? (num(auto.maxNodeCount) ?? 0) * zones : fixed * zones);
  return {
    machineType,
    region: regionOfLocation(location),
    zones,
    minNodes,
    maxNodes,
    diskGb: num(config.diskSizeGb) ?? 100,
    diskType: str(config.diskType) ?? "pd-balanced",
    spot: config.spot === true || config.preemptible === true,
  };
}

/** Cyclenerd disk names for GCE disk types. */
export const CATALOG_DISK: Record<string, string> = { "pd-balanced": "balanced", "pd-ssd": "ssd", "pd-standard": "hdd" };

export function priceNodePool(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const size = nodePoolSize(r, [...ctx.resources, ...ctx.upstream]);
  if (!size) return [notPriced(r, "nodes", "location unknown", "GKE node pool: neither the pool nor its cluster has a known location")];
  if (size.spot) ctx.assume(`${r.name}: Spot nodes priced at on-demand rates (the extract keeps on-demand prices only): an upper bound`);
  const p = new PriceLookup(ctx.tables);
  const m = machinePrice(p, size.machineType, size.region);
  const perNode = m.hourUsd * HOURS_PER_MONTH;
  const zonesText = size.zones > 1 ? ` over ${size.zones} zones` : "";
  const lines = [
    priced(
      r,
      "nodes",
      `${size.minNodes}–${size.maxNodes} × ${size.machineType}${zonesText} (max ${usd(perNode * size.maxNodes)}/month)`,
      perNode * size.minNodes,
      `${size.minNodes} nodes (min) × ${usd(m.hourUsd)}/h × ${HOURS_PER_MONTH} h; at max ${size.maxNodes} nodes: ${usd(perNode * size.maxNodes)}`,
      p,
    ),
  ];
  const dp = new PriceLookup(ctx.tables);
  const catalogDisk = CATALOG_DISK[size.diskType];
  if (!catalogDisk) {
    lines.push(notPriced(r, "boot-disks", `${size.diskGb} GB ${size.diskType}`, `boot disk type ${size.diskType}: no price in the extract (expected ${Object.keys(CATALOG_DISK).join(", ")})`));
  } else {
    const gb = dp.catalog(`compute.storage.${catalogDisk}.cost.${size.region}.month`);
    lines.push(
      priced(r, "boot-disks", `${size.minNodes} × ${size.diskGb} GB ${size.diskType}`, size.minNodes * size.diskGb * gb, `${size.minNodes} nodes × ${size.diskGb} GB × ${usd(gb)}/GB-month`, dp),
    );
  }
  return lines;
}

export function priceCluster(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const p = new PriceLookup(ctx.tables);
  const fee = p.usd("gke.cluster_management_fee.hour.global") * HOURS_PER_MONTH;
  const location = str(r.inputs.location) ?? "";
  const autopilot = r.inputs.enableAutopilot === true;
  const zonal = /-[a-z]$/.test(location);
  const kind = autopilot ? "Autopilot" : zonal ? "zonal" : "regional";
  const lines: CostLine[] = [];
  if ((autopilot || zonal) && !ctx.counters.has("gke.free_tier_credit")) {
    ctx.counters.set("gke.free_tier_credit", 1);
    const credit = p.usd("gke.free_tier_credit.month.global");
    ctx.assume(`GKE free tier: the ${usd(credit)}/month credit offsets ${r.name}'s fee (one zonal/Autopilot cluster per billing account assumed)`);
    lines.push(priced(r, "cluster-fee", `${kind} cluster, free tier credit`, Math.max(0, fee - credit), `${usd(0.1)}/h × ${HOURS_PER_MONTH} h − ${usd(credit)} credit (floor 0)`, p));
  } else {
    lines.push(priced(r, "cluster-fee", `${kind} cluster${autopilot || zonal ? "" : " (no free tier credit: it offsets zonal or Autopilot fees only)"}`, fee, `${usd(0.1)}/h × ${HOURS_PER_MONTH} h`, p));
  }
  if (!autopilot && r.inputs.removeDefaultNodePool !== true) {
    // The default pool the cluster creates when it is kept.
    const pool = { ...r, inputs: { location, nodeConfig: r.inputs.nodeConfig, nodeCount: num(r.inputs.initialNodeCount) ?? 3, nodeLocations: r.inputs.nodeLocations } } as RecordedResource;
    lines.push(...priceNodePool(pool, ctx).map((l) => ({ ...l, item: `default-pool-${l.item}` })));
  }
  if (autopilot) lines.push(notPriced(r, "autopilot-pods", "Autopilot pod requests", "Autopilot bills pod requests; europe prices are unconfirmed (gke.autopilot.vcpu_hour.europe)"));
  return lines;
}

/**
 * In-cluster workloads, priced by what they reserve: each pod group's requests (CPU, memory) at the
 * per-vCPU and per-GiB rates of the node pool hosting them (machines.ts solves those rates from the
 * pool's machine family), plus its PersistentVolumeClaims at the disk price of their storage class.
 * A line is a share of the pool (`shareOf`), counted in the stack total only when the pool is in an
 * upstream stack (the env stacks on DiaspoMoney's shared cluster); in the pool's own stack the nodes
 * are already priced.
 *
 * Requests as admitted: written request, else the limit (API defaulting), else the namespace
 * LimitRange's defaultRequest. Helm releases count the requests their values set (a lower bound).
 * Requests that do not fit the pools at their max size are shortfalls (errors), not prices.
 */
import { nodeAllocatable, podModel, quantity, releaseRequests, type ContainerModel, type PodGroup, type ResourceFigures } from "../../pod-model";
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine, CostShortfall } from "../types";
import { arr, HOURS_PER_MONTH, obj, priced, str, usd, notPriced, type PricingContext } from "./common";
import { CATALOG_DISK, nodePoolSize } from "./gke";
import { machinePrice, perResourceRates } from "./machines";

const GIB = 2 ** 30;
/** GKE's storage classes → disk types (standard-rwo is the default class: pd-balanced). */
const STORAGE_CLASS_DISK: Record<string, string> = { "standard-rwo": "pd-balanced", "premium-rwo": "pd-ssd", standard: "pd-standard" };

interface HostPool {
  pool: RecordedResource;
  upstream: boolean;
  machineType: string;
  region: string;
  maxNodes: number;
  minNodes: number;
  node: { cpu: number; memory: number };
}

function defaultRequests(all: readonly RecordedResource[]): Map<string, ResourceFigures> {
  const out = new Map<string, ResourceFigures>();
  const figures = (v: unknown): ResourceFigures => {
    const o = obj(v) ?? {};
    const f: ResourceFigures = {};
    for (const k of ["cpu", "memory"] as const) {
      const q = quantity(o[k]);
      if (q !== undefined) f[k] = q;
    }
    return f;
  };
  for (const r of all) {
    if (r.type !== "kubernetes:core/v1:LimitRange") continue;
    const ns = str(obj(r.inputs.metadata)?.namespace) ?? "default";
    for (const item of arr(obj(r.inputs.spec)?.limits)) {
      const i = obj(item) ?? {};
      if (i.type !== "Container") continue;
      out.set(ns, { ...figures(i.min), ...figures(i.max), ...figures(i.default), ...figures(i.defaultRequest) });
    }
  }
  return out;
}

/** One pod's CPU (cores) and memory (bytes) requests: the sum over app containers and sidecars, or the largest init container if bigger. */
export function podRequests(containers: readonly ContainerModel[], fallback: ResourceFigures = {}): { cpu: number; memory: number } {
  const req = (c: ContainerModel, k: "cpu" | "memory") => c.requests[k] ?? c.limits[k] ?? fallback[k] ?? 0;
  const running = containers.filter((c) => !c.init || c.sidecar);
  const inits = containers.filter((c) => c.init && !c.sidecar);
  const sum = (k: "cpu" | "memory") => running.reduce((s, c) => s + req(c, k), 0);
  const maxInit = (k: "cpu" | "memory") => inits.reduce((m, c) => Math.max(m, req(c, k)), 0);
  return { cpu: Math.max(sum("cpu"), maxInit("cpu")), memory: Math.max(sum("memory"), maxInit("memory")) };
}

function hostPools(ctx: PricingContext): HostPool[] {
  const all = [...ctx.resources, ...ctx.upstream];
  const out: HostPool[] = [];
  for (const pool of all) {
    if (pool.type !== "gcp:container/nodePool:NodePool") continue;
    const size = nodePoolSize(pool, all);
    if (!size) continue;
    const p = new PriceLookup(ctx.tables);
    const m = machinePrice(p, size.machineType, size.region);
    out.push({ pool, upstream: !ctx.resources.includes(pool), machineType: size.machineType, region: size.region, maxNodes: size.maxNodes, minNodes: size.minNodes, node: nodeAllocatable({ vcpu: m.vcpu, memoryGiB: m.ramGiB }) });
  }
  return out;
}

export function priceWorkloads(ctx: PricingContext): { lines: CostLine[]; shortfalls: CostShortfall[] } {
  const model = podModel(ctx.resources);
  const releases = ctx.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
  if (model.groups.length === 0 && model.pvcs.length === 0 && releases.length === 0) return { lines: [], shortfalls: [] };
  const byUrn = new Map(ctx.resources.map((r) => [r.urn, r]));
  const pools = hostPools(ctx);
  const lines: CostLine[] = [];
  const shortfalls: CostShortfall[] = [];
  const pool = pools[0];
  if (!pool) {
    for (const g of model.groups) {
      const r = byUrn.get(g.urn);
      if (r) lines.push(notPriced(r, "requests", g.label, "no GKE node pool in this stack or its upstream stack to price the pods' requests against"));
    }
    return { lines, shortfalls };
  }
  if (pools.length > 1) ctx.assume(`in-cluster requests priced at the rates of node pool ${pool.pool.name} (${pool.machineType}), the first of ${pools.length}`);
  const rp = new PriceLookup(ctx.tables);
  const rates = perResourceRates(rp, pool.machineType, pool.region);
  const defaults = defaultRequests([...ctx.resources, ...ctx.upstream]);
  const shareOf = { shareOf: pool.pool.urn };
  const rateText = `${usd(rates.vcpuHour)}/vCPU-h, ${usd(rates.gibHour)}/GiB-h (${rates.from.join(" vs ")} in ${pool.region})`;
  const total = { cpu: 0, memory: 0 };
  const largest = { cpu: Math.max(...pools.map((p) => p.node.cpu)), memory: Math.max(...pools.map((p) => p.node.memory)) };

  const priceGroup = (r: RecordedResource, g: PodGroup): void => {
    const per = podRequests(g.containers, defaults.get(g.namespace));
    const replicas = g.perNode ? pool.minNodes : g.replicas;
    total.cpu += per.cpu * (g.perNode ? pool.maxNodes : g.replicas);
    total.memory += per.memory * (g.perNode ? pool.maxNodes : g.replicas);
    if (per.cpu > largest.cpu || per.memory > largest.memory) {
      shortfalls.push({ urn: g.urn, message: `${g.label} in ${g.namespace}: one pod requests ${per.cpu} CPU and ${(per.memory / GIB).toFixed(2)} GiB but the largest node offers ${largest.cpu.toFixed(2)} CPU and ${(largest.memory / GIB).toFixed(2)} GiB allocatable: it never schedules` });
    }
    const gib = per.memory / GIB;
    // A (Cron)Job's pods run for a while, not all month: priced as if always running, said in the detail.
    const transient = /:(Cron)?Job$/.test(r.type) ? ", priced as if always running (upper bound)" : "";
    const monthly = replicas * (per.cpu * rates.vcpuHour + gib * rates.gibHour) * HOURS_PER_MONTH;
    lines.push({
      ...priced(r, `requests:${g.label}`, `${replicas} × (${per.cpu} CPU, ${round(gib)} GiB) in ${g.namespace}${transient}`, monthly, `${replicas} pods × (${per.cpu} vCPU × ${usd(rates.vcpuHour)} + ${round(gib)} GiB × ${usd(rates.gibHour)}) × ${HOURS_PER_MONTH} h; rates from ${rateText}`, rp),
      ...shareOf,
    });
    const pvcGb = g.pvcsPerPod.reduce((s, c) => s + c.storage, 0) / GIB;
    if (pvcGb > 0) {
      const dp = new PriceLookup(ctx.tables);
      const classes = [...new Set(g.pvcsPerPod.map((c) => c.storageClass ?? "standard-rwo"))];
      const disk = STORAGE_CLASS_DISK[classes[0]!];
      if (!disk || classes.length > 1) {
        lines.push(notPriced(r, `volumes:${g.label}`, `${replicas} × ${round(pvcGb)} GiB (${classes.join(", ")})`, `storage class ${classes.join(", ")}: expected one of ${Object.keys(STORAGE_CLASS_DISK).join(", ")}`));
      } else {
        const rate = dp.catalog(`compute.storage.${CATALOG_DISK[disk]}.cost.${pool.region}.month`);
        lines.push(priced(r, `volumes:${g.label}`, `${replicas} × ${round(pvcGb)} GiB ${disk} (${classes[0]})`, replicas * pvcGb * rate, `${replicas} × ${round(pvcGb)} GiB × ${usd(rate)}/GB-month`, dp));
      }
    }
  };

  for (const g of model.groups) {
    const r = byUrn.get(g.urn);
    if (r) priceGroup(r, g);
  }
  for (const c of model.pvcs) {
    const r = byUrn.get(c.urn);
    const disk = STORAGE_CLASS_DISK[c.pvc.storageClass ?? "standard-rwo"];
    if (!r) continue;
    if (!disk) {
      lines.push(notPriced(r, "volume", `${round(c.pvc.storage / GIB)} GiB`, `storage class ${c.pvc.storageClass}: expected one of ${Object.keys(STORAGE_CLASS_DISK).join(", ")}`));
      continue;
    }
    const dp = new PriceLookup(ctx.tables);
    const rate = dp.catalog(`compute.storage.${CATALOG_DISK[disk]}.cost.${pool.region}.month`);
    lines.push(priced(r, "volume", `${round(c.pvc.storage / GIB)} GiB ${disk}`, (c.pvc.storage / GIB) * rate, `${round(c.pvc.storage / GIB)} GiB × ${usd(rate)}/GB-month`, dp));
  }
  for (const r of releases) {
    const req = releaseRequests(r);
    total.cpu += req.cpu;
    total.memory += req.memory;
    const gib = req.memory / GIB;
    if (req.cpu === 0 && req.memory === 0) {
      lines.push(notPriced(r, "requests", `Helm release ${str(r.inputs.name) ?? r.name}`, "the release's values set no resource requests: the chart's own defaults are not in the plan"));
      continue;
    }
    lines.push({
      ...priced(r, "requests", `Helm release ${str(r.inputs.name) ?? r.name}: ${round(req.cpu)} CPU, ${round(gib)} GiB (values' requests, lower bound)`, (req.cpu * rates.vcpuHour + gib * rates.gibHour) * HOURS_PER_MONTH, `(${round(req.cpu)} vCPU × ${usd(rates.vcpuHour)} + ${round(gib)} GiB × ${usd(rates.gibHour)}) × ${HOURS_PER_MONTH} h`, rp),
      ...shareOf,
    });
  }
  const capacity = pools.reduce((s, p) => ({ cpu: s.cpu + p.node.cpu * p.maxNodes, memory: s.memory + p.node.memory * p.maxNodes }), { cpu: 0, memory: 0 });
  const poolText = pools.map((p) => `${p.pool.name}: ${p.maxNodes} × ${p.machineType}`).join("; ");
  for (const k of ["cpu", "memory"] as const) {
    if (total[k] > capacity[k] + 1e-9) {
      const show = (v: number) => (k === "cpu" ? `${round(v)} CPU` : `${round(v / GIB)} GiB`);
      shortfalls.push({ urn: pool.pool.urn, message: `this stack's pods request ${show(total[k])} ${k === "cpu" ? "" : "of memory "}but the node pools offer ${show(capacity[k])} allocatable at their max size (${poolText}): the excess stays Pending and is not priced` });
    }
  }
  return { lines, shortfalls };
}

const round = (v: number): number => Math.round(v * 100) / 100;

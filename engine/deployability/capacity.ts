/**
 * Deployability check `capacity`: would the pods the stack runs be admitted and scheduled?
 *
 * Per namespace, the pods of the pod model (pod-model.ts: workloads and operator CRs) go through
 * admission as the API server does it: the LimitRange fills containers' missing limits (`default`)
 * and requests (`defaultRequest`), a container beyond the LimitRange's `max` or below its `min` is
 * rejected, a container without a figure the ResourceQuota tracks is rejected, and the namespace's
 * totals (pods, requests/limits of CPU, memory and ephemeral storage, PVC count and requested
 * storage, per storage class too, `count/<resource>`) must fit the quota. A pod's figure is the
 * larger of its containers' sum and its largest init container (Kubernetes' effective requests).
 * Deployments count their rolling-update surge; an HPA's target counts at `maxReplicas`, and a
 * KEDA ScaledObject's at `maxReplicaCount` (KEDA 2.20.2 drives its target through an HPA of that
 * maximum, default 100: the CRD's rule `self.minReplicaCount <= (has(self.maxReplicaCount) ?
 * self.maxReplicaCount : 100)`, vendor/crds/keda).
 *
 * Quotas and LimitRanges may come from the upstream (shared) stack. Then every pod's requests,
 * across namespaces, must fit the GKE node pools' allocatable capacity at their maximum size, and
 * no single pod may need more than one node offers. Namespaces whose pods this plan cannot see
 * (another env's, created by a later stack) count at their quota's requests, which is all their
 * stack may run; Helm releases' pods are opaque (the chart renders them): only the requests the
 * repo's values set for them count (pod-model.ts releaseRequests). GKE's own system pods are not
 * counted.
 */
import type { RecordedResource } from "../evaluate";
import { UNKNOWN } from "../evaluate";
import {
  COMPUTE,
  formatFigure,
  nameOf,
  namespaceOf,
  nodeAllocatable,
  podModel,
  quantity,
  releaseRequests,
  type ComputeResource,
  type ContainerModel,
  type PodGroup,
  type ResourceFigures,
} from "../../model/pod-model";
import type { DeployCheck, DeployFinding } from "./types";
import { asArray, asObject } from "./values";

const obj = asObject;
const arr = asArray;
const kindOf = (type: string): string => type.split(":").pop() ?? type;

interface Quota {
  urn: string;
  name: string;
  namespace: string;
  /** Known hard figures (an unknown figure is left out: cannot tell). */
  hard: Record<string, number>;
}

interface LimitItem {
  default: ResourceFigures;
  defaultRequest: ResourceFigures;
  max: ResourceFigures;
  min: ResourceFigures;
  urn: string;
  name: string;
}

/** A container after admission: what the LimitRange filled in. */
interface AdmittedContainer extends ContainerModel {
  requests: ResourceFigures;
  limits: ResourceFigures;
}

/** A group's pods after admission, with the per-pod figures the quota counts. */
interface AdmittedGroup {
  group: PodGroup;
  containers: AdmittedContainer[];
  podRequests: ResourceFigures;
  podLimits: ResourceFigures;
  /** Resources some container has no limit/request for after admission. */
  missingLimits: Set<ComputeResource>;
  missingRequests: Set<ComputeResource>;
  /** Pods counted by the quota: at rest, and at the HPA maximum when one scales it. */
  pods: number;
  podsAtMax: number;
  hpa?: { urn: string; name: string; maxReplicas: number; kind: string };
}

function figures(v: unknown): ResourceFigures {
  const o = obj(v) ?? {};
  const out: ResourceFigures = {};
  for (const r of COMPUTE) {
    const q = quantity(o[r]);
    if (q !== undefined) out[r] = q;
  }
  return out;
}

function quotasOf(all: readonly RecordedResource[]): Quota[] {
  const out: Quota[] = [];
  for (const r of all) {
    if (r.type !== "kubernetes:core/v1:ResourceQuota") continue;
    const spec = obj(obj(r.inputs)?.spec) ?? {};
    // A scoped quota counts only some pods (priority class, terminating, best-effort): not modelled.
    if (arr(spec.scopes).length || obj(spec.scopeSelector)) continue;
    const hard: Record<string, number> = {};
    for (const [k, v] of Object.entries(obj(spec.hard) ?? {})) {
      const q = quantity(v);
      if (q !== undefined) hard[k] = q;
    }
    out.push({ urn: r.urn, name: nameOf(r), namespace: namespaceOf(r) ?? "default", hard });
  }
  return out;
}

/**
 * LimitRange `Container` items, with the API server's defaulting of the item itself
 * (SetDefaults_LimitRangeItem): `default` falls back to `max`, `defaultRequest` to `default`, then `min`.
 */
function limitRangesOf(all: readonly RecordedResource[]): Map<string, LimitItem[]> {
  const out = new Map<string, LimitItem[]>();
  for (const r of all) {
    if (r.type !== "kubernetes:core/v1:LimitRange") continue;
    const ns = namespaceOf(r) ?? "default";
    for (const item of arr(obj(obj(r.inputs)?.spec)?.limits)) {
      const i = obj(item) ?? {};
      if (i.type !== "Container") continue;
      const max = figures(i.max);
      const min = figures(i.min);
      const dflt = { ...max, ...figures(i.default) };
      const defaultRequest = { ...min, ...dflt, ...figures(i.defaultRequest) };
      const list = out.get(ns) ?? [];
      list.push({ default: dflt, defaultRequest, max, min, urn: r.urn, name: nameOf(r) });
      out.set(ns, list);
    }
  }
  return out;
}

/** Admission of one container: API defaulting (request = limit when only the limit is set), then the LimitRanger. */
function admitContainer(c: ContainerModel, items: LimitItem[]): AdmittedContainer {
  const limits: ResourceFigures = { ...c.limits };
  const requests: ResourceFigures = { ...c.requests };
  for (const r of COMPUTE) {
    if (requests[r] === undefined && c.limits[r] !== undefined) requests[r] = c.limits[r];
    for (const item of items) {
      if (limits[r] === undefined && item.default[r] !== undefined) limits[r] = item.default[r];
      if (requests[r] === undefined && item.defaultRequest[r] !== undefined) requests[r] = item.defaultRequest[r];
    }
  }
  return { ...c, requests, limits };
}

/** Kubernetes' effective pod figure: max(sum of app containers and sidecars, largest init container). */
function podFigure(containers: AdmittedContainer[], pick: (c: AdmittedContainer) => ResourceFigures): ResourceFigures {
  const out: ResourceFigures = {};
  for (const r of COMPUTE) {
    let sum = 0;
    let init = 0;
    let any = false;
    for (const c of containers) {
      const v = pick(c)[r];
      if (v === undefined) continue;
      any = true;
      if (c.init && !c.sidecar) init = Math.max(init, v);
      else sum += v;
    }
    if (any) out[r] = Math.max(sum, init);
  }
  return out;
}

interface Hpa {
  r: RecordedResource;
  namespace: string;
  target: string;
  maxReplicas: number;
  /** For messages: `HorizontalPodAutoscaler` or `ScaledObject`. */
  kind: string;
}

/** KEDA's maximum when a ScaledObject sets no maxReplicaCount (keda.sh_scaledobjects.yaml v2.20.2 CEL rule). */
const KEDA_DEFAULT_MAX_REPLICAS = 100;

function hpasOf(all: readonly RecordedResource[]): Hpa[] {
  const out: Hpa[] = [];
  for (const r of all) {
    if (!/^kubernetes:autoscaling\/v\w+:HorizontalPodAutoscaler$/.test(r.type)) continue;
    const spec = obj(obj(r.inputs)?.spec) ?? {};
    const ref = obj(spec.scaleTargetRef) ?? {};
    if (typeof spec.maxReplicas !== "number" || typeof ref.kind !== "string" || typeof ref.name !== "string" || ref.name === UNKNOWN) continue;
    out.push({ r, namespace: namespaceOf(r) ?? "default", target: `${ref.kind}/${ref.name}`, maxReplicas: spec.maxReplicas, kind: "HorizontalPodAutoscaler" });
  }
  for (const r of all) {
    if (!/^kubernetes:keda\.sh\/v\w+:ScaledObject$/.test(r.type)) continue;
    const spec = obj(obj(r.inputs)?.spec) ?? {};
    const ref = obj(spec.scaleTargetRef) ?? {};
    // scaleTargetRef.kind defaults to Deployment (apps/v1) in KEDA's ScaledObject.
    const kind = ref.kind === undefined ? "Deployment" : ref.kind;
    if (typeof kind !== "string" || typeof ref.name !== "string" || ref.name === UNKNOWN) continue;
    const max = spec.maxReplicaCount === undefined ? KEDA_DEFAULT_MAX_REPLICAS : spec.maxReplicaCount;
    if (typeof max !== "number") continue;
    out.push({ r, namespace: namespaceOf(r) ?? "default", target: `${kind}/${ref.name}`, maxReplicas: max, kind: "ScaledObject" });
  }
  return out;
}

/** `nodes`: how many nodes a DaemonSet runs on (the node pools' maximum; at least one). */
function admit(groups: PodGroup[], limitRanges: Map<string, LimitItem[]>, hpas: Hpa[], nodes = 1): AdmittedGroup[] {
  return groups.map((group) => {
    const items = limitRanges.get(group.namespace) ?? [];
    const containers = group.containers.map((c) => admitContainer(c, items));
    const missingLimits = new Set<ComputeResource>();
    const missingRequests = new Set<ComputeResource>();
    for (const c of containers) {
      for (const r of ["cpu", "memory"] as const) {
        if (c.limits[r] === undefined) missingLimits.add(r);
        if (c.requests[r] === undefined) missingRequests.add(r);
      }
    }
    const hpa = group.scaleTarget ? hpas.find((h) => h.namespace === group.namespace && h.target === group.scaleTarget) : undefined;
    const pods = group.perNode ? Math.max(1, nodes) : group.replicas + group.surge;
    return {
      group,
      containers,
      podRequests: podFigure(containers, (c) => c.requests),
      podLimits: podFigure(containers, (c) => c.limits),
      missingLimits,
      missingRequests,
      pods,
      podsAtMax: hpa ? Math.max(hpa.maxReplicas, group.replicas) + group.surge : pods,
      ...(hpa ? { hpa: { urn: hpa.r.urn, name: nameOf(hpa.r), maxReplicas: hpa.maxReplicas, kind: hpa.kind } } : {}),
    };
  });
}

/** What one group contributes to a quota key, with its pods at rest or at the HPA maximum. */
function usage(g: AdmittedGroup, key: string, atMax: boolean): number {
  const pods = atMax ? g.podsAtMax : g.pods;
  const claims = g.group.pvcsPerPod;
  const base = key.replace(/^count\//, "");
  switch (base) {
    case "pods":
      return pods;
    case "requests.cpu":
    case "cpu":
      return pods * (g.podRequests.cpu ?? 0);
    case "requests.memory":
    case "memory":
      return pods * (g.podRequests.memory ?? 0);
    case "requests.ephemeral-storage":
    case "ephemeral-storage":
      return pods * (g.podRequests["ephemeral-storage"] ?? 0);
    case "limits.cpu":
      return pods * (g.podLimits.cpu ?? 0);
    case "limits.memory":
      return pods * (g.podLimits.memory ?? 0);
    case "limits.ephemeral-storage":
      return pods * (g.podLimits["ephemeral-storage"] ?? 0);
    case "persistentvolumeclaims":
      return pods * claims.length;
    case "requests.storage":
      return pods * claims.reduce((s, c) => s + c.storage, 0);
  }
  const byClass = /^(.+)\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.exec(key);
  if (byClass) {
    const mine = claims.filter((c) => c.storageClass === byClass[1]);
    return pods * (byClass[2] === "persistentvolumeclaims" ? mine.length : mine.reduce((s, c) => s + c.storage, 0));
  }
  return 0;
}

/** The plural resource name a `count/<resource>` key uses for a type (`count/deployments.apps`). */
function countKey(type: string): string {
  const [, gv = ""] = type.split(":");
  const group = gv.includes("/") ? gv.split("/")[0]! : "";
  const kind = kindOf(type).toLowerCase();
  const plural = /(s|x|ch|sh)$/.test(kind) ? `${kind}es` : /[^aeiou]y$/.test(kind) ? `${kind.slice(0, -1)}ies` : `${kind}s`;
  return `count/${group === "core" || group === "" ? plural : `${plural}.${group}`}`;
}

const COMPUTE_KEYS: Record<string, { resource: ComputeResource; side: "requests" | "limits" }> = {
  "requests.cpu": { resource: "cpu", side: "requests" },
  cpu: { resource: "cpu", side: "requests" },
  "requests.memory": { resource: "memory", side: "requests" },
  memory: { resource: "memory", side: "requests" },
  "limits.cpu": { resource: "cpu", side: "limits" },
  "limits.memory": { resource: "memory", side: "limits" },
};

function quotaFindings(quotas: Quota[], admitted: AdmittedGroup[], pvcs: ReturnType<typeof podModel>["pvcs"], all: readonly RecordedResource[], mine: Set<string>): DeployFinding[] {
  const out: DeployFinding[] = [];
  for (const q of quotas) {
    const groups = admitted.filter((g) => g.group.namespace === q.namespace);
    const claims = pvcs.filter((p) => p.namespace === q.namespace);
    const ours = groups.some((g) => mine.has(g.group.urn)) || claims.some((p) => mine.has(p.urn)) || mine.has(q.urn);
    if (!ours) continue;
    // A container without a figure the quota tracks is rejected: "must specify limits.cpu".
    for (const g of groups) {
      if (!mine.has(g.group.urn)) continue;
      const keys = Object.entries(COMPUTE_KEYS)
        .filter(([key, { resource, side }]) => q.hard[key] !== undefined && (side === "limits" ? g.missingLimits : g.missingRequests).has(resource))
        .map(([key]) => key);
      if (keys.length === 0) continue;
      const lacks = (c: AdmittedContainer, key: string) => {
        const { resource, side } = COMPUTE_KEYS[key]!;
        return (side === "limits" ? c.limits : c.requests)[resource] === undefined;
      };
      const containers = g.containers.filter((c) => keys.some((k) => lacks(c, k)));
      out.push({
        check: "capacity",
        urn: g.group.urn,
        message: `${g.group.label} in namespace ${q.namespace}: container(s) ${containers.map((c) => c.name).join(", ")} set no ${keys.join(", ")} and no LimitRange gives a default, while ResourceQuota ${q.name} tracks them: the API server rejects its pods ("must specify ${keys.join(",")}")`,
        remediation: `set ${keys.map((k) => `resources.${COMPUTE_KEYS[k]!.side}.${COMPUTE_KEYS[k]!.resource}`).join(", ")} on every container of ${g.group.label}, or give the namespace a LimitRange default`,
      });
    }
    for (const [key, allowed] of Object.entries(q.hard)) {
      const contributions: { label: string; urn: string; rest: number; max: number; hpa?: AdmittedGroup["hpa"] }[] = [];
      for (const g of groups) {
        const rest = usage(g, key, false);
        const max = usage(g, key, true);
        if (rest === 0 && max === 0) continue;
        contributions.push({ label: g.group.label, urn: g.group.urn, rest, max, ...(g.hpa ? { hpa: g.hpa } : {}) });
      }
      if (key === "persistentvolumeclaims" || key === "count/persistentvolumeclaims" || key === "requests.storage" || /storageclass/.test(key)) {
        // Standalone claims; a per-class key counts only claims naming that class.
        const storageClass = /^(.+)\.storageclass\.storage\.k8s\.io\//.exec(key)?.[1];
        for (const p of claims) {
          if (storageClass !== undefined && p.pvc.storageClass !== storageClass) continue;
          const v = /persistentvolumeclaims$/.test(key) ? 1 : p.pvc.storage;
          if (v) contributions.push({ label: `PersistentVolumeClaim ${p.pvc.name}`, urn: p.urn, rest: v, max: v });
        }
      } else if (key.startsWith("count/") && !["count/pods", "count/persistentvolumeclaims"].includes(key)) {
        for (const r of all) {
          if (r.type.startsWith("kubernetes:") && namespaceOf(r) === q.namespace && countKey(r.type) === key) contributions.push({ label: `${kindOf(r.type)} ${nameOf(r)}`, urn: r.urn, rest: 1, max: 1 });
        }
      } else if (key === "services.loadbalancers" || key === "services.nodeports") {
        for (const r of all) {
          if (r.type !== "kubernetes:core/v1:Service" || namespaceOf(r) !== q.namespace) continue;
          const spec = obj(obj(r.inputs)?.spec) ?? {};
          const type = spec.type;
          const n = key === "services.loadbalancers" ? (type === "LoadBalancer" ? 1 : 0) : type === "NodePort" || (type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false) ? arr(spec.ports).length : 0;
          if (n) contributions.push({ label: `Service ${nameOf(r)}`, urn: r.urn, rest: n, max: n });
        }
      }
      const rest = contributions.reduce((s, c) => s + c.rest, 0);
      const atMax = contributions.reduce((s, c) => s + c.max, 0);
      const eps = 1e-9 * Math.max(1, allowed);
      const fmt = (v: number) => formatFigure(key, v);
      const top = (pick: (c: (typeof contributions)[number]) => number) =>
        [...contributions].sort((a, b) => pick(b) - pick(a)).slice(0, 3).map((c) => `${c.label} ${fmt(pick(c))}`).join(", ");
      const at = contributions.filter((c) => mine.has(c.urn)).sort((a, b) => b.max - a.max)[0];
      if (rest > allowed + eps) {
        out.push({
          check: "capacity",
          urn: at?.urn ?? q.urn,
          message: `namespace ${q.namespace} needs ${key} ${fmt(rest)} but ResourceQuota ${q.name} allows ${fmt(allowed)}: the pods or claims beyond it are refused (largest: ${top((c) => c.rest)})`,
          remediation: `raise ${key} in the namespace's quota to at least ${fmt(rest)} (plus headroom), or reduce what the namespace runs`,
        });
        continue;
      }
      const scaling = contributions.filter((c) => c.hpa && c.max > c.rest);
      if (atMax > allowed + eps && scaling.length) {
        for (const c of scaling) {
          out.push({
            check: "capacity",
            urn: mine.has(c.hpa!.urn) ? c.hpa!.urn : c.urn,
            message: `${c.hpa!.kind} ${c.hpa!.name} scales ${c.label} to ${c.hpa!.kind === "ScaledObject" ? "maxReplicaCount" : "maxReplicas"} ${c.hpa!.maxReplicas}: namespace ${q.namespace} then needs ${key} ${fmt(atMax)} but ResourceQuota ${q.name} allows ${fmt(allowed)}, so the quota caps ${c.hpa!.kind === "ScaledObject" ? "KEDA's HPA" : "the HPA"} below its maximum (largest: ${top((x) => x.max)})`,
            remediation: `raise ${key} in the namespace's quota to at least ${fmt(atMax)} (the autoscaler's maximum plus the rollout surge), or lower ${c.hpa!.kind === "ScaledObject" ? "maxReplicaCount" : "maxReplicas"}`,
          });
        }
      }
    }
  }
  return out;
}

function limitRangeFindings(admitted: AdmittedGroup[], limitRanges: Map<string, LimitItem[]>, mine: Set<string>): DeployFinding[] {
  const out: DeployFinding[] = [];
  for (const g of admitted) {
    if (!mine.has(g.group.urn)) continue;
    for (const item of limitRanges.get(g.group.namespace) ?? []) {
      for (const c of g.containers) {
        for (const r of COMPUTE) {
          const max = item.max[r];
          const min = item.min[r];
          const limit = c.limits[r];
          const request = c.requests[r];
          if (max !== undefined && limit !== undefined && limit > max) {
            out.push({
              check: "capacity",
              urn: g.group.urn,
              message: `${g.group.label}, container ${c.name}: limits.${r} ${formatFigure(r, limit)} exceeds the max ${formatFigure(r, max)} of LimitRange ${item.name} in namespace ${g.group.namespace}: its pods are refused`,
              remediation: `lower the container's limits.${r} to at most ${formatFigure(r, max)}, or raise the LimitRange's max`,
            });
          }
          if (min !== undefined && request !== undefined && request < min) {
            out.push({
              check: "capacity",
              urn: g.group.urn,
              message: `${g.group.label}, container ${c.name}: requests.${r} ${formatFigure(r, request)} is below the min ${formatFigure(r, min)} of LimitRange ${item.name} in namespace ${g.group.namespace}: its pods are refused`,
              remediation: `raise the container's requests.${r} to at least ${formatFigure(r, min)}, or lower the LimitRange's min`,
            });
          }
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Node pools
// ------------------------------------------------------------------------------------------------

/**
 * vCPU and memory (GiB; GCP's "GB" for machine types are GiB) of predefined machine types, from the
 * Compute Engine machine families docs (https://cloud.google.com/compute/docs/general-purpose-machines
 * and compute-optimized/memory-optimized pages): memory per vCPU by family and class.
 */
const MEMORY_PER_VCPU: Record<string, Record<string, number>> = {
  e2: { standard: 4, highmem: 8, highcpu: 1 },
  n2: { standard: 4, highmem: 8, highcpu: 1 },
  n2d: { standard: 4, highmem: 8, highcpu: 1 },
  n4: { standard: 4, highmem: 8, highcpu: 2 },
  c3: { standard: 4, highmem: 8, highcpu: 2 },
  c3d: { standard: 4, highmem: 8, highcpu: 2 },
  c4: { standard: 3.75, highmem: 7.75, highcpu: 2 },
  t2d: { standard: 4 },
  n1: { standard: 3.75, highmem: 6.5, highcpu: 0.9 },
};
/** Shared-core E2 types (general-purpose-machines § E2 shared-core). */
const SHARED_CORE: Record<string, { vcpu: number; memoryGiB: number }> = {
  "e2-micro": { vcpu: 2, memoryGiB: 1 },
  "e2-small": { vcpu: 2, memoryGiB: 2 },
  "e2-medium": { vcpu: 2, memoryGiB: 4 },
};

export function machineShape(machineType: string): { vcpu: number; memoryGiB: number } | undefined {
  if (SHARED_CORE[machineType]) return SHARED_CORE[machineType];
  const m = /^([a-z0-9]+)-([a-z]+)-(\d+)$/.exec(machineType);
  if (!m) return undefined;
  const per = MEMORY_PER_VCPU[m[1]!]?.[m[2]!];
  if (per === undefined) return undefined;
  const vcpu = Number(m[3]);
  return { vcpu, memoryGiB: vcpu * per };
}

interface PoolCapacity {
  urn: string;
  name: string;
  machineType: string;
  maxNodes: number;
  node: { cpu: number; memory: number };
}

/** GKE node pools (this and the upstream stack) at their maximum size; undefined figures: cannot tell. */
function nodePoolsOf(all: readonly RecordedResource[]): PoolCapacity[] {
  const clusters = all.filter((r) => r.type === "gcp:container/cluster:Cluster");
  const out: PoolCapacity[] = [];
  for (const r of all) {
    if (r.type !== "gcp:container/nodePool:NodePool") continue;
    const i = obj(r.inputs) ?? {};
    const machineType = obj(i.nodeConfig)?.machineType;
    const shape = typeof machineType === "string" ? machineShape(machineType) : undefined;
    if (!shape) continue;
    const cluster = clusters.find((c) => obj(c.inputs)?.name === i.cluster) ?? (clusters.length === 1 ? clusters[0] : undefined);
    const locations = arr(i.nodeLocations).length ? arr(i.nodeLocations) : arr(obj(cluster?.inputs)?.nodeLocations);
    const location = typeof i.location === "string" ? i.location : undefined;
    // A regional pool spreads over the given node locations, else over three zones of the region
    // (GKE docs, regional clusters: "by default, GKE replicates each node pool across three zones").
    const zones = locations.length || (location && /-[a-z]$/.test(location) ? 1 : 3);
    const auto = obj(i.autoscaling);
    const perZone = typeof auto?.maxNodeCount === "number" ? auto.maxNodeCount : typeof i.nodeCount === "number" ? i.nodeCount : typeof i.initialNodeCount === "number" ? i.initialNodeCount : undefined;
    const maxNodes = typeof auto?.totalMaxNodeCount === "number" ? auto.totalMaxNodeCount : perZone !== undefined ? perZone * zones : undefined;
    if (maxNodes === undefined) continue;
    out.push({ urn: r.urn, name: nameOf(r), machineType: machineType as string, maxNodes, node: nodeAllocatable(shape) });
  }
  return out;
}

function nodeFindings(all: readonly RecordedResource[], quotas: Quota[], admitted: AdmittedGroup[], mine: Set<string>): DeployFinding[] {
  const pools = nodePoolsOf(all);
  if (pools.length === 0) return [];
  const out: DeployFinding[] = [];
  const totalNodes = pools.reduce((s, p) => s + p.maxNodes, 0);
  const capacity = { cpu: pools.reduce((s, p) => s + p.maxNodes * p.node.cpu, 0), memory: pools.reduce((s, p) => s + p.maxNodes * p.node.memory, 0) };
  const demand = new Map<string, { cpu: number; memory: number; how: string }>();
  const add = (ns: string, cpu: number, memory: number, how: string) => {
    const d = demand.get(ns) ?? { cpu: 0, memory: 0, how };
    d.cpu += cpu;
    d.memory += memory;
    demand.set(ns, d);
  };
  for (const g of admitted) {
    const pods = g.group.perNode ? Math.max(g.podsAtMax, totalNodes) : g.podsAtMax;
    add(g.group.namespace, pods * (g.podRequests.cpu ?? 0), pods * (g.podRequests.memory ?? 0), "pods");
  }
  const releases = all.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart");
  for (const r of releases) {
    const ns = typeof obj(r.inputs)?.namespace === "string" ? (obj(r.inputs)!.namespace as string) : "default";
    const req = releaseRequests(r);
    add(ns, req.cpu, req.memory, "chart values");
  }
  // Namespaces with a quota whose pods this plan cannot see: their quota's requests.
  for (const q of quotas) {
    if (demand.has(q.namespace)) continue;
    add(q.namespace, q.hard["requests.cpu"] ?? q.hard.cpu ?? 0, q.hard["requests.memory"] ?? q.hard.memory ?? 0, "quota");
  }
  const total = { cpu: 0, memory: 0 };
  for (const d of demand.values()) {
    total.cpu += d.cpu;
    total.memory += d.memory;
  }
  const poolText = pools.map((p) => `${p.name}: ${p.maxNodes} × ${p.machineType} (${formatFigure("cpu", p.node.cpu)} CPU, ${formatFigure("memory", p.node.memory)} allocatable each)`).join("; ");
  for (const [resource, key] of [["cpu", "requests.cpu"], ["memory", "requests.memory"]] as const) {
    if (total[resource] <= capacity[resource] * (1 + 1e-9)) continue;
    const top = [...demand.entries()].sort((a, b) => b[1][resource] - a[1][resource]).slice(0, 4).map(([ns, d]) => `${ns} ${formatFigure(key, d[resource])} (${d.how})`).join(", ");
    out.push({
      check: "capacity",
      urn: pools[0]!.urn,
      message: `the pods' ${key} across namespaces total ${formatFigure(key, total[resource])} at their maximum but the node pools offer ${formatFigure(key, capacity[resource])} allocatable at their maximum size (${poolText}): pods stay Pending (largest: ${top})`,
      remediation: "raise the node pools' maxNodesPerZone or machine type, or lower the namespaces' requests and quotas",
    });
  }
  const biggest = Math.max(...pools.map((p) => p.node.cpu));
  const biggestMem = Math.max(...pools.map((p) => p.node.memory));
  for (const g of admitted) {
    if (!mine.has(g.group.urn)) continue;
    const cpu = g.podRequests.cpu ?? 0;
    const memory = g.podRequests.memory ?? 0;
    if (cpu > biggest + 1e-9 || memory > biggestMem + 1) {
      out.push({
        check: "capacity",
        urn: g.group.urn,
        message: `${g.group.label} in namespace ${g.group.namespace}: one pod requests ${formatFigure("cpu", cpu)} CPU and ${formatFigure("memory", memory)} but the largest node offers ${formatFigure("cpu", biggest)} CPU and ${formatFigure("memory", biggestMem)} allocatable: the pod never schedules`,
        remediation: "lower the pod's requests or use a larger machine type in a node pool",
      });
    }
  }
  return out;
}

export const capacityCheck: DeployCheck = {
  name: "capacity",
  description:
    "per namespace, the pods of workloads and operator CRs (Strimzi, MongoDB Community, OT redis, ECK Elasticsearch, RabbitmqCluster, CloudNativePG with the Barman Cloud sidecar, ACME solvers) after LimitRange defaults fit the ResourceQuota (requests, limits, pods, PVCs, storage) at rest and at each HPA's maxReplicas or KEDA ScaledObject's maxReplicaCount, every container is within the LimitRange min/max, and all requests fit the GKE node pools at their maximum size",
  run: (ctx) => {
    const all = [...ctx.upstream, ...ctx.resources];
    const mine = new Set(ctx.resources.map((r) => r.urn));
    const model = podModel(all);
    const limitRanges = limitRangesOf(all);
    const quotas = quotasOf(all);
    const nodes = nodePoolsOf(all).reduce((n, p) => n + p.maxNodes, 0);
    const admitted = admit(model.groups, limitRanges, hpasOf(all), nodes);
    const findings = [...limitRangeFindings(admitted, limitRanges, mine), ...quotaFindings(quotas, admitted, model.pvcs, all, mine)];
    // The node pool finding is about the cluster: every stack that sees the pool reports it.
    findings.push(...nodeFindings(all, quotas, admitted, mine));
    return findings;
  },
};

/** The figures the check computes, for reports and tests: per namespace, needs at rest and at max. */
export function capacityFigures(resources: readonly RecordedResource[]): Map<string, Record<string, { rest: number; max: number }>> {
  const model = podModel(resources);
  const admitted = admit(model.groups, limitRangesOf(resources), hpasOf(resources));
  const out = new Map<string, Record<string, { rest: number; max: number }>>();
  const keys = ["pods", "requests.cpu", "limits.cpu", "requests.memory", "limits.memory", "persistentvolumeclaims", "requests.storage"];
  for (const g of admitted) {
    const rec = out.get(g.group.namespace) ?? Object.fromEntries(keys.map((k) => [k, { rest: 0, max: 0 }]));
    for (const k of keys) {
      rec[k]!.rest += usage(g, k, false);
      rec[k]!.max += usage(g, k, true);
    }
    out.set(g.group.namespace, rec);
  }
  for (const p of model.pvcs) {
    const rec = out.get(p.namespace) ?? Object.fromEntries(keys.map((k) => [k, { rest: 0, max: 0 }]));
    rec.persistentvolumeclaims!.rest += 1;
    rec.persistentvolumeclaims!.max += 1;
    rec["requests.storage"]!.rest += p.pvc.storage;
    rec["requests.storage"]!.max += p.pvc.storage;
    out.set(p.namespace, rec);
  }
  return out;
}

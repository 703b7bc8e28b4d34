import type { PolicyResource } from "@pulumi/policy";
import { KAFKA, MONGODB, PDB, REDIS_CLUSTER, STATEFULSET } from "../lib/k8s";
import { POD_KIND_VERSIONS } from "../lib/pod-templates";
import { defineStackRule } from "../lib/rule";
import { at, isUnknown, num, prop, str } from "../lib/values";

/** Does a PDB allow at least one voluntary disruption of `replicas` pods? */
export function allowsOneDisruption(pdbSpec: unknown, replicas: number): boolean | undefined {
  const maxU = prop(pdbSpec, "maxUnavailable");
  const minA = prop(pdbSpec, "minAvailable");
  if (isUnknown(maxU) || isUnknown(minA)) return undefined;
  const resolve = (v: unknown, roundUp: boolean) => {
    const s = str(v);
    if (s?.endsWith("%")) {
      const x = (Number(s.slice(0, -1)) / 100) * replicas;
      return roundUp ? Math.ceil(x) : Math.floor(x);
    }
    return num(v);
  };
  if (maxU !== undefined) return (resolve(maxU, true) ?? 0) >= 1;
  if (minA !== undefined) return (resolve(minA, true) ?? replicas) <= replicas - 1;
  return false;
}

function sameNamespace(a: PolicyResource, b: PolicyResource): boolean {
  const na = at(a.props, "metadata.namespace");
  const nb = at(b.props, "metadata.namespace");
  if (isUnknown(na) || isUnknown(nb)) return true;
  return (na ?? "default") === (nb ?? "default");
}

function matchLabelsSubset(selector: unknown, labels: unknown): boolean {
  const sel = prop(selector, "matchLabels");
  if (isUnknown(sel) || isUnknown(labels) || sel === undefined) return false;
  return Object.keys(sel as object).every((k) => prop(labels, k) === prop(sel, k));
}

/** Deployments and StatefulSets in every API version they were served in. */
const DEPLOYMENTS = POD_KIND_VERSIONS.Deployment.map((v) => `kubernetes:${v}:Deployment`);
const STATEFULSETS = POD_KIND_VERSIONS.StatefulSet.map((v) => `kubernetes:${v}:StatefulSet`);

export default defineStackRule({
  name: "k8s-policy-pdb-require-disruption-budget",
  description:
    "In prod, every StatefulSet, every Deployment of 2+ replicas (the web app) and data-service custom resource (MongoDB, RedisCluster, Kafka) has a PodDisruptionBudget that allows exactly-one-at-a-time disruption: node drains neither stall nor take the service down.",
  severity: "medium",
  remediationSteps:
    "StatefulSet/Deployment/MongoDBCommunity: add a PodDisruptionBudget selecting its pods with maxUnavailable: 1. RedisCluster: spec.redisLeader.pdb { enabled: true, maxUnavailable: 1 } (and redisFollower). Kafka (Strimzi): keep template.podDisruptionBudget.maxUnavailable ≥ 1 (default 1).",
  source: 'diaspomoney.md § Updates ("Rolling Updates - Mise à jour sans interruption"), § Métriques ("Uptime > 99.9%")',
  domain: "protection",
  resources: [STATEFULSET, "kubernetes:apps/v1:Deployment (2+ replicas)", MONGODB, REDIS_CLUSTER, KAFKA, PDB],
  scope: "prod",
  validate(s, report) {
    const pdbs = s.ofType(PDB);
    const covered = (target: PolicyResource, podLabels: unknown, replicas: number, extraNames: string[] = []) => {
      const candidates = pdbs.filter((p) => sameNamespace(p, target));
      const match = candidates.find((p) => {
        const name = str(at(p.props, "metadata.name")) ?? p.name;
        return matchLabelsSubset(at(p.props, "spec.selector"), podLabels) || extraNames.some((n) => name === n || name.startsWith(`${n}-`));
      });
      if (!match) return "no PodDisruptionBudget selects its pods";
      const ok = allowsOneDisruption(at(match.props, "spec"), replicas);
      if (ok === false) return `PodDisruptionBudget ${match.name} allows no voluntary disruption with ${replicas} replicas`;
      return undefined;
    };
    for (const d of s.ofType(...DEPLOYMENTS)) {
      const r = at(d.props, "spec.replicas");
      const replicas = isUnknown(r) ? 2 : (num(r) ?? 1);
      if (replicas < 2) continue;
      const problem = covered(d, at(d.props, "spec.template.metadata.labels"), replicas);
      if (problem) report(`Deployment ${d.name}: ${problem}.`, d.urn);
    }
    for (const sts of s.ofType(...STATEFULSETS)) {
      const replicas = num(at(sts.props, "spec.replicas")) ?? 1;
      const problem = covered(sts, at(sts.props, "spec.template.metadata.labels"), replicas);
      if (problem) report(`StatefulSet ${sts.name}: ${problem}.`, sts.urn);
    }
    for (const m of s.ofType(MONGODB)) {
      const name = str(at(m.props, "metadata.name")) ?? m.name;
      const replicas = num(at(m.props, "spec.members")) ?? 1;
      // The community operator labels the pods `app: <name>-svc` and creates no PDB itself.
      const problem = covered(m, { app: `${name}-svc` }, replicas, [name]);
      if (problem) report(`MongoDBCommunity ${m.name}: ${problem}.`, m.urn);
    }
    for (const rc of s.ofType(REDIS_CLUSTER)) {
      const pdb = at(rc.props, "spec.redisLeader.pdb");
      if (isUnknown(pdb)) continue;
      const size = num(at(rc.props, "spec.clusterSize")) ?? 3;
      if (prop(pdb, "enabled") !== true) report(`RedisCluster ${rc.name}: spec.redisLeader.pdb.enabled is not true.`, rc.urn);
      else if (allowsOneDisruption(pdb, size) === false) report(`RedisCluster ${rc.name}: the leader PDB allows no voluntary disruption.`, rc.urn);
    }
    for (const k of s.ofType(KAFKA)) {
      const maxU = at(k.props, "spec.kafka.template.podDisruptionBudget.maxUnavailable");
      if (!isUnknown(maxU) && maxU !== undefined && (num(maxU) ?? 0) < 1) report(`Kafka ${k.name}: template.podDisruptionBudget.maxUnavailable is ${String(maxU)}.`, k.urn);
    }
  },
});

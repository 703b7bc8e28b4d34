/** Kubernetes shapes the rules share: which types carry pods, where their pod spec is, their namespace. */
import { at, isUnknown, list, prop, str, UNKNOWN } from "./values";

export const POD = "kubernetes:core/v1:Pod";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
export const DAEMONSET = "kubernetes:apps/v1:DaemonSet";
export const REPLICASET = "kubernetes:apps/v1:ReplicaSet";
export const JOB = "kubernetes:batch/v1:Job";
export const CRONJOB = "kubernetes:batch/v1:CronJob";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const SERVICE = "kubernetes:core/v1:Service";
export const SECRET = "kubernetes:core/v1:Secret";
export const RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
export const INGRESS_ROUTE = "kubernetes:traefik.io/v1alpha1:IngressRoute";
export const TLS_OPTION = "kubernetes:traefik.io/v1alpha1:TLSOption";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const MONGODB = "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity";
export const REDIS_CLUSTER = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster";
export const KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka";

/** Every kind that runs pods, with the path of its pod spec. */
export const POD_SPEC_PATH: Record<string, string> = {
  [POD]: "spec",
  [DEPLOYMENT]: "spec.template.spec",
  [STATEFULSET]: "spec.template.spec",
  [DAEMONSET]: "spec.template.spec",
  [REPLICASET]: "spec.template.spec",
  [JOB]: "spec.template.spec",
  [CRONJOB]: "spec.jobTemplate.spec.template.spec",
};
export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATH);
/** Workloads that run until stopped (probes make sense for them, not for Jobs). */
export const LONG_RUNNING_TYPES = [POD, DEPLOYMENT, STATEFULSET, DAEMONSET, REPLICASET];

/** Stateful data services run by operators (vendor/crds): the PDB and backup rules cover them. */
export const DATA_SERVICE_TYPES = [MONGODB, REDIS_CLUSTER, KAFKA];

export interface ContainerView {
  /** `containers[0]`, `initContainers[1]`: for messages. */
  where: string;
  name: string;
  c: unknown;
  init: boolean;
}

export function podSpec(type: string, props: unknown): unknown {
  const path = POD_SPEC_PATH[type];
  return path ? at(props, path) : undefined;
}

/** The containers of a pod spec (init containers included unless `mainOnly`). */
export function containers(spec: unknown, mainOnly = false): ContainerView[] {
  const out: ContainerView[] = [];
  const groups: [string, boolean][] = mainOnly ? [["containers", false]] : [["containers", false], ["initContainers", true], ["ephemeralContainers", true]];
  for (const [field, init] of groups) {
    list(prop(spec, field)).forEach((c, i) => {
      const n = str(prop(c, "name"));
      out.push({ where: `${field}[${i}]${n ? ` (${n})` : ""}`, name: n ?? `#${i}`, c, init });
    });
  }
  return out;
}

/** The namespace a namespaced object lands in: its metadata, else the provider's default, else `default`. */
export function namespaceOf(props: unknown, provider?: { props: unknown }): string | typeof UNKNOWN {
  const ns = at(props, "metadata.namespace");
  if (isUnknown(ns)) return UNKNOWN;
  if (typeof ns === "string" && ns !== "") return ns;
  const pns = provider ? prop(provider.props, "namespace") : undefined;
  if (isUnknown(pns)) return UNKNOWN;
  if (typeof pns === "string" && pns !== "") return pns;
  return "default";
}

/** Kinds that are cluster-scoped (no namespace). */
export const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "ClusterIssuer",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "VolumeAttachment",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

/** `kubernetes:apps/v1:Deployment` → `{ apiVersion: "apps/v1", kind: "Deployment" }`; undefined for non-object types. */
export function k8sKind(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
  if (!m) return undefined;
  const apiVersion = m[1].startsWith("core/") ? m[1].slice("core/".length) : m[1];
  if (m[1].startsWith("helm.sh/") || m[1].startsWith("yaml") || m[1].startsWith("kustomize")) return undefined;
  if (m[2].endsWith("Patch") || m[2].endsWith("List")) return undefined;
  return { apiVersion, kind: m[2] };
}

/** Do `selector` labels (matchLabels) select an object carrying `labels`? An empty selector selects all. */
export function selects(matchLabels: unknown, labels: unknown): boolean {
  if (isUnknown(matchLabels) || isUnknown(labels)) return false;
  const sel = (matchLabels ?? {}) as Record<string, unknown>;
  const have = (labels ?? {}) as Record<string, unknown>;
  return Object.keys(sel).every((k) => prop(have, k) === prop(sel, k));
}

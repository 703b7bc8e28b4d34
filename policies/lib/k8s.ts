/** Kubernetes shapes the rules share: type tokens, containers of a pod spec, namespaces, removed API versions, CIDR ranges. */
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
export const CONFIG_MAP_TYPE = "kubernetes:core/v1:ConfigMap";
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
/** CloudNativePG (postgresql.cnpg.io) and its Barman Cloud plugin (barmancloud.cnpg.io): `group/Kind`, any served version. */
export const CNPG_CLUSTER_KIND = "postgresql.cnpg.io/Cluster";
export const CNPG_SCHEDULED_BACKUP_KIND = "postgresql.cnpg.io/ScheduledBackup";
export const BARMAN_OBJECT_STORE_KIND = "barmancloud.cnpg.io/ObjectStore";
/** The name the Barman Cloud plugin registers with the CloudNativePG operator (CNPG-I). */
export const BARMAN_CLOUD_PLUGIN = "barman-cloud.cloudnative-pg.io";

/** Which kinds carry pods, in which API versions, and where: lib/pod-templates.ts (the one walker). */

export interface ContainerView {
  /** `containers[0]`, `initContainers[1]`: for messages. */
  where: string;
  name: string;
  c: unknown;
  init: boolean;
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

/**
 * API versions current GKE no longer serves (Kubernetes deprecation guide), with their replacement.
 * Keyed by group/version; `kinds` overrides the replacement per kind (extensions/v1beta1 split up).
 */
const REMOVED_APIS: Record<string, { removedIn: string; replacement: string; kinds?: Record<string, string> }> = {
  "extensions/v1beta1": {
    removedIn: "1.16/1.22",
    replacement: "apps/v1",
    kinds: { Ingress: "networking.k8s.io/v1", NetworkPolicy: "networking.k8s.io/v1", PodSecurityPolicy: "Pod Security Admission (namespace labels)", IngressClass: "networking.k8s.io/v1" },
  },
  "apps/v1beta1": { removedIn: "1.16", replacement: "apps/v1" },
  "apps/v1beta2": { removedIn: "1.16", replacement: "apps/v1" },
  "batch/v1beta1": { removedIn: "1.25", replacement: "batch/v1" },
  "batch/v2alpha1": { removedIn: "1.21", replacement: "batch/v1" },
  "policy/v1beta1": { removedIn: "1.25", replacement: "policy/v1", kinds: { PodSecurityPolicy: "Pod Security Admission (namespace labels)" } },
  "autoscaling/v2beta1": { removedIn: "1.25", replacement: "autoscaling/v2" },
  "autoscaling/v2beta2": { removedIn: "1.26", replacement: "autoscaling/v2" },
  "networking.k8s.io/v1beta1": { removedIn: "1.22", replacement: "networking.k8s.io/v1" },
  "rbac.authorization.k8s.io/v1beta1": { removedIn: "1.22", replacement: "rbac.authorization.k8s.io/v1" },
  "rbac.authorization.k8s.io/v1alpha1": { removedIn: "1.22", replacement: "rbac.authorization.k8s.io/v1" },
  "admissionregistration.k8s.io/v1beta1": { removedIn: "1.22", replacement: "admissionregistration.k8s.io/v1" },
  "apiextensions.k8s.io/v1beta1": { removedIn: "1.22", replacement: "apiextensions.k8s.io/v1" },
  "apiregistration.k8s.io/v1beta1": { removedIn: "1.22", replacement: "apiregistration.k8s.io/v1" },
  "authentication.k8s.io/v1beta1": { removedIn: "1.22", replacement: "authentication.k8s.io/v1" },
  "authorization.k8s.io/v1beta1": { removedIn: "1.22", replacement: "authorization.k8s.io/v1" },
  "certificates.k8s.io/v1beta1": { removedIn: "1.22", replacement: "certificates.k8s.io/v1" },
  "coordination.k8s.io/v1beta1": { removedIn: "1.22", replacement: "coordination.k8s.io/v1" },
  "scheduling.k8s.io/v1beta1": { removedIn: "1.22", replacement: "scheduling.k8s.io/v1" },
  "scheduling.k8s.io/v1alpha1": { removedIn: "1.22", replacement: "scheduling.k8s.io/v1" },
  "storage.k8s.io/v1beta1": { removedIn: "1.22/1.27", replacement: "storage.k8s.io/v1" },
  "discovery.k8s.io/v1beta1": { removedIn: "1.25", replacement: "discovery.k8s.io/v1" },
  "events.k8s.io/v1beta1": { removedIn: "1.25", replacement: "events.k8s.io/v1" },
  "node.k8s.io/v1beta1": { removedIn: "1.25", replacement: "node.k8s.io/v1" },
  "flowcontrol.apiserver.k8s.io/v1beta1": { removedIn: "1.26", replacement: "flowcontrol.apiserver.k8s.io/v1" },
  "flowcontrol.apiserver.k8s.io/v1beta2": { removedIn: "1.29", replacement: "flowcontrol.apiserver.k8s.io/v1" },
  "flowcontrol.apiserver.k8s.io/v1beta3": { removedIn: "1.32", replacement: "flowcontrol.apiserver.k8s.io/v1" },
};

/** When `apiVersion` `kind` is no longer served: the release that removed it and what replaces it. */
export function removedApi(apiVersion: string, kind: string): { removedIn: string; replacement: string } | undefined {
  const e = REMOVED_APIS[apiVersion];
  if (!e) return undefined;
  return { removedIn: e.removedIn, replacement: e.kinds?.[kind] ?? e.replacement };
}

/** The apiVersion and kind an object is sent with: its own fields, else its type token. */
export function objectKind(type: string, props: unknown): { apiVersion: string; kind: string } | undefined {
  const k = k8sKind(type);
  if (!k) return undefined;
  const av = str(prop(props, "apiVersion"));
  const kd = str(prop(props, "kind"));
  return { apiVersion: av ?? k.apiVersion, kind: kd ?? k.kind };
}

/**
 * Ingress controller charts, held in code: the only pods that may take traffic from the whole
 * Internet, and only in the namespace of their Helm release, selected by the chart's name label.
 */
export const INGRESS_CONTROLLER_CHARTS: Record<string, string> = { traefik: "traefik", "ingress-nginx": "ingress-nginx" };

/** The chart name of a Helm release's `chart` input (`oci://…/traefik`, `traefik/traefik`, `traefik`). */
export function chartName(chart: unknown): string | undefined {
  const s = str(chart);
  if (!s) return undefined;
  return s.replace(/\/+$/, "").split("/").pop();
}

/** IPv4 CIDR → [first, last] address as numbers; IPv6 → undefined with `v6: true`; unparsable → undefined. */
export function ipv4Range(cidr: string): { from: number; to: number } | "v6" | undefined {
  if (cidr.includes(":")) return "v6";
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const len = Number(m[5]);
  if (octets.some((o) => o > 255) || len > 32) return undefined;
  const addr = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - len);
  const from = Math.floor(addr / size) * size;
  return { from, to: from + size - 1 };
}

/** Do these ranges together cover every IPv4 address? */
export function coversAllIpv4(ranges: { from: number; to: number }[]): boolean {
  let next = 0;
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    if (r.from > next) return false;
    next = Math.max(next, r.to + 1);
    if (next > 0xffffffff) return true;
  }
  return false;
}

/** Is a v6 CIDR the whole IPv6 space (`::/0`)? */
export function isAllIpv6(cidr: string): boolean {
  return /^::\/0$/.test(cidr.trim()) || /^0{0,4}(:0{0,4}){0,7}::?\/0$/.test(cidr.trim());
}

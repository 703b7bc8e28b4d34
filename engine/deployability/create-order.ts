/**
 * Deployability check `create-order`: on a fresh project and cluster, does every resource wait for
 * what must exist before it can be created? Proven from the plan's recorded edges only.
 *
 * What "waits for" means, exactly as the Node.js SDK and the engine behave (@pulumi/pulumi 3.248,
 * runtime/resource.ts `prepareResource`, runtime/dependsOn.ts):
 * - a resource's RegisterResource is sent only after the URNs of its `dependsOn` and of the
 *   resources behind its input Outputs resolve; the engine answers a custom resource's registration
 *   only once its step (create) is done, so those URNs resolve only after the dependencies exist.
 *   A component in `dependsOn` stands for every custom resource under it (dependsOn.ts
 *   `getAllTransitivelyReferencedResourceURNs`). The plan records these as `dependencies` and
 *   `propertyDependencies`;
 * - it also awaits `parent.urn` ("Wait for the parent to complete"): a custom parent is therefore
 *   created first; a component parent registers only after its own dependencies resolved, so a
 *   child does wait, in time, for its component ancestors' `dependsOn` (pulumi/pulumi#7833 states
 *   the same guarantee: children register after their parent). The engine's state, however, does
 *   not record that edge for the child (it matters for deletes, replacements and `--target`),
 *   which is why ProjectServices also puts the API edge on every later GCP resource
 *   (components/gcp/project-services, `gateStackResources`);
 * - it awaits the registration of its explicit provider, which waits for the provider's own
 *   dependencies (a Kubernetes provider built from the cluster's kubeconfig waits for the cluster).
 * A resource waits for what its dependencies wait for (they complete only after their own waits).
 */
import type { RecordedResource } from "../evaluate";
import { UNKNOWN } from "../evaluate";
import type { DeployCheck, DeployContext, DeployFinding } from "./types";
import { gcpProjectResolver, known } from "./values";
import { isIamMemberOrBindingType } from "../../policies/lib/gcp";

const CHECK = "create-order" as const;

// ------------------------------------------------------------------------------------------------
// Tables (sources in comments)
// ------------------------------------------------------------------------------------------------

/**
 * Kubernetes kinds that are not namespaced (kubectl api-resources --namespaced=false on a 1.33
 * cluster, plus the cluster-scoped CRDs this repository uses: cert-manager's ClusterIssuer).
 */
const CLUSTER_SCOPED = new Set([
  "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass",
  "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService",
  "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment", "CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration",
  "ClusterIssuer", "ClusterTLSOption",
]);

/** API groups served by Kubernetes itself (no CRD to wait for); `core` is the legacy group. */
const BUILT_IN_GROUPS = new Set([
  "core", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
  "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
  "certificates.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io",
  // Pulumi's own pseudo-types (`kubernetes:helm.sh/v3:Release`, `kubernetes:yaml/v2:ConfigGroup`).
  "helm.sh", "yaml",
]);

interface CrdInstaller {
  /** Chart names (the `chart` input, with or without a repo prefix). */
  charts: string[];
  /** A managed cluster that installs the CRDs itself when a feature is on (GKE's VPA). */
  cluster?: { type: string; installsCrds(inputs: Record<string, unknown>): boolean | "unknown" };
  /** Whether this release's values leave the CRDs on. */
  installsCrds(values: Record<string, unknown>): boolean | "unknown";
  /**
   * The chart renders its CRDs from templates/ (gated by a value) rather than Helm's crds/
   * directory, so the release's `skipCrds` (which only skips crds/) leaves them on.
   * @default false
   */
  templated?: boolean;
  source: string;
}

const get = (o: unknown, path: string): unknown => path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
const always = (): boolean => true;
/** A boolean value that defaults to true: off only when the release sets it to false. */
const onUnlessFalse = (path: string) => (v: Record<string, unknown>): boolean | "unknown" => (get(v, path) === false ? false : get(v, path) === UNKNOWN ? "unknown" : true);

/** API group → the chart that ships its CRDs (and whether the values switch them off). */
export const CRD_INSTALLERS: Record<string, CrdInstaller> = {
  "traefik.io": { charts: ["traefik"], installsCrds: always, source: "traefik-helm-chart v41.3.0 traefik/crds/ (Helm's crds/ directory, installed before the templates)" },
  "traefik.containo.us": { charts: ["traefik"], installsCrds: always, source: "traefik-helm-chart traefik/crds/ (legacy group)" },
  "cert-manager.io": {
    charts: ["cert-manager"],
    // cert-manager v1.21.1 deploy/charts/cert-manager templates/crds.yaml: rendered when `crds.enabled` or the legacy `installCRDs` is true (both default false).
    installsCrds: (v) => (get(v, "crds.enabled") === true || get(v, "installCRDs") === true ? true : get(v, "crds.enabled") === UNKNOWN || get(v, "installCRDs") === UNKNOWN ? "unknown" : false),
    source: "cert-manager v1.21.1 deploy/charts/cert-manager/templates/crds.yaml (gated by crds.enabled / installCRDs)",
  },
  "acme.cert-manager.io": {
    charts: ["cert-manager"],
    installsCrds: (v) => (get(v, "crds.enabled") === true || get(v, "installCRDs") === true ? true : "unknown"),
    source: "cert-manager v1.21.1 templates/crds.yaml (Orders, Challenges)",
  },
  "monitoring.coreos.com": {
    charts: ["kube-prometheus-stack", "prometheus-operator-crds"],
    // kube-prometheus-stack 88.0.0 charts/crds subchart, condition `crds.enabled` (default true in values.yaml).
    installsCrds: (v) => (get(v, "crds.enabled") === false ? false : true),
    source: "kube-prometheus-stack 88.0.0 charts/crds (condition crds.enabled, default true)",
  },
  "kafka.strimzi.io": { charts: ["strimzi-kafka-operator"], installsCrds: always, source: "strimzi-kafka-operator 1.2.0 helm-charts/helm3/strimzi-kafka-operator/crds/" },
  "core.strimzi.io": { charts: ["strimzi-kafka-operator"], installsCrds: always, source: "strimzi-kafka-operator 1.2.0 crds/ (StrimziPodSet)" },
  "mongodbcommunity.mongodb.com": { charts: ["mongodb-kubernetes", "community-operator"], installsCrds: always, source: "mongodb-kubernetes 1.10.0 helm_chart/crds/ (mongodbcommunity.mongodb.com_mongodbcommunity.yaml)" },
  "mongodb.com": { charts: ["mongodb-kubernetes"], installsCrds: always, source: "mongodb-kubernetes 1.10.0 helm_chart/crds/" },
  "redis.redis.opstreelabs.in": { charts: ["redis-operator"], installsCrds: always, source: "OT-CONTAINER-KIT redis-operator chart 0.26.0 charts/redis-operator/crds/" },
  // kedacore/charts v2.20.2 keda/templates/crds/ (ScaledObject, ScaledJob, TriggerAuthentication,
  // ClusterTriggerAuthentication in keda.sh; CloudEventSource, ClusterCloudEventSource in eventing.keda.sh),
  // each gated by `crds.install` (default true).
  "keda.sh": { charts: ["keda"], installsCrds: onUnlessFalse("crds.install"), templated: true, source: "keda chart 2.20.2 templates/crds/ (gated by crds.install, default true)" },
  "eventing.keda.sh": { charts: ["keda"], installsCrds: onUnlessFalse("crds.install"), templated: true, source: "keda chart 2.20.2 templates/crds/ (CloudEventSource; crds.install, default true)" },
  // elastic/cloud-on-k8s v3.5.0 deploy/eck-operator: the CRDs are its subchart eck-operator-crds
  // (templates/all-crds.yaml), a dependency under condition `installCRDs` (default true); the subchart
  // installed on its own takes no such value and always renders them.
  "elasticsearch.k8s.elastic.co": { charts: ["eck-operator", "eck-operator-crds"], installsCrds: onUnlessFalse("installCRDs"), templated: true, source: "eck-operator 3.5.0 charts/eck-operator-crds/templates/all-crds.yaml (condition installCRDs, default true)" },
  "kibana.k8s.elastic.co": { charts: ["eck-operator", "eck-operator-crds"], installsCrds: onUnlessFalse("installCRDs"), templated: true, source: "eck-operator 3.5.0 charts/eck-operator-crds (Kibana; condition installCRDs, default true)" },
  // CloudPirates rabbitmq-cluster-operator 0.6.5 crds/ (Helm's directory): RabbitmqCluster and the 13
  // messaging-topology kinds, all in rabbitmq.com; no value turns them off.
  "rabbitmq.com": { charts: ["rabbitmq-cluster-operator"], installsCrds: always, source: "CloudPirates rabbitmq-cluster-operator 0.6.5 charts/rabbitmq-cluster-operator/crds/" },
  "postgresql.cnpg.io": { charts: ["cloudnative-pg"], installsCrds: onUnlessFalse("crds.create"), templated: true, source: "cloudnative-pg chart 0.29.0 templates/crds/crds.yaml (gated by crds.create, default true)" },
  "barmancloud.cnpg.io": { charts: ["plugin-barman-cloud"], installsCrds: onUnlessFalse("crds.create"), templated: true, source: "plugin-barman-cloud chart 0.7.0 templates/crds/crds.yaml (ObjectStore; gated by crds.create, default true)" },
  // mariadb-operator-crds 26.6.0 templates/crds.yaml: the 12 k8s.mariadb.com CRDs, unconditional (the
  // chart takes no values). The operator chart's own copy (its mariadb-operator-crds subchart, condition
  // `crds.enabled`, default false) is not counted: upstream installs the CRDs chart on its own.
  "k8s.mariadb.com": { charts: ["mariadb-operator-crds"], installsCrds: always, templated: true, source: "mariadb-operator-crds chart 26.6.0 templates/crds.yaml (no values; the mariadb-operator chart installs none by default)" },
  "autoscaling.k8s.io": {
    charts: [],
    installsCrds: always,
    // GKE runs VPA's recommender and installs its CRDs when the cluster's vertical pod autoscaling is enabled
    // (cloud.google.com/kubernetes-engine/docs/concepts/verticalpodautoscaler).
    cluster: { type: "gcp:container/cluster:Cluster", installsCrds: (i) => (get(i, "verticalPodAutoscaling.enabled") === true ? true : get(i, "verticalPodAutoscaling.enabled") === UNKNOWN ? "unknown" : false) },
    source: "GKE cluster verticalPodAutoscaling.enabled",
  },
};

/** GCP resource type prefix → the API it calls (Google Cloud API names; one row per Pulumi module). */
export const GCP_API_BY_MODULE: Record<string, string> = {
  "gcp:kms/": "cloudkms.googleapis.com",
  "gcp:sql/": "sqladmin.googleapis.com",
  "gcp:container/": "container.googleapis.com",
  "gcp:compute/": "compute.googleapis.com",
  "gcp:secretmanager/": "secretmanager.googleapis.com",
  "gcp:storage/": "storage.googleapis.com",
  "gcp:cloudrunv2/": "run.googleapis.com",
  "gcp:cloudrun/": "run.googleapis.com",
  "gcp:monitoring/": "monitoring.googleapis.com",
  "gcp:logging/": "logging.googleapis.com",
  "gcp:servicenetworking/": "servicenetworking.googleapis.com",
  "gcp:artifactregistry/": "artifactregistry.googleapis.com",
  "gcp:serviceaccount/": "iam.googleapis.com",
  "gcp:vpcaccess/": "vpcaccess.googleapis.com",
  "gcp:dns/": "dns.googleapis.com",
  "gcp:pubsub/": "pubsub.googleapis.com",
  "gcp:redis/": "redis.googleapis.com",
  "gcp:billing/budget": "billingbudgets.googleapis.com",
  "gcp:observability/": "observability.googleapis.com",
  "gcp:certificatemanager/": "certificatemanager.googleapis.com",
  "gcp:networksecurity/": "networksecurity.googleapis.com",
};

/** The API a GCP resource needs enabled, or undefined when the check makes no claim. */
export function apiFor(r: RecordedResource): string | undefined {
  if (r.type === "gcp:projects/service:Service") return undefined;
  // Generating an agent for a service presupposes the service is on (serviceusage generateServiceIdentity).
  if (r.type === "gcp:projects/serviceIdentity:ServiceIdentity") return typeof r.inputs.service === "string" && r.inputs.service !== UNKNOWN ? r.inputs.service : undefined;
  // Project-level IAM and audit config go through the Resource Manager API.
  if (/^gcp:projects\/(iAM|IAM)/.test(r.type)) return "cloudresourcemanager.googleapis.com";
  for (const [prefix, api] of Object.entries(GCP_API_BY_MODULE)) if (r.type.startsWith(prefix)) return api;
  return undefined;
}

interface AgentRule {
  pattern: RegExp;
  what: string;
  /** APIs whose ServiceIdentity creates the agent. */
  identityFor: string[];
  /** APIs whose enablement creates the agent (documented), if any. */
  createdByEnabling: string[];
  source: string;
}

/** Google-managed service agents and what creates them. */
export const SERVICE_AGENTS: AgentRule[] = [
  {
    pattern: /^serviceAccount:service-\d+@gs-project-accounts\.iam\.gserviceaccount\.com$/,
    what: "the Cloud Storage service agent",
    // Not created by enabling the API: "not initially available ... activated the first time it's
    // accessed" (cloud.google.com/storage/docs/projects#service-agents); serviceusage
    // generateServiceIdentity creates it (terraform-provider-google#18649: "gcloud beta services
    // identity create --service=storage.googleapis.com → Service identity created", no email).
    identityFor: ["storage.googleapis.com"],
    createdByEnabling: [],
    source: "cloud.google.com/storage/docs/projects#service-agents",
  },
  {
    pattern: /^serviceAccount:service-\d+@container-engine-robot\.iam\.gserviceaccount\.com$/,
    what: "the GKE service agent",
    identityFor: ["container.googleapis.com"],
    // "The Kubernetes Engine service agent is created when you enable the Kubernetes Engine API" (cloud.google.com/kubernetes-engine/docs/how-to/service-accounts).
    createdByEnabling: ["container.googleapis.com"],
    source: "cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-agent",
  },
  {
    pattern: /^serviceAccount:service-\d+@compute-system\.iam\.gserviceaccount\.com$/,
    what: "the Compute Engine service agent",
    identityFor: ["compute.googleapis.com"],
    createdByEnabling: ["compute.googleapis.com"],
    source: "cloud.google.com/compute/docs/access/service-accounts#compute_engine_service_account (created when the API is enabled)",
  },
  {
    pattern: /^serviceAccount:service-\d+@cloud-redis\.iam\.gserviceaccount\.com$/,
    what: "the Memorystore for Redis service agent",
    identityFor: ["redis.googleapis.com"],
    createdByEnabling: [],
    source: "cloud.google.com/memorystore/docs/redis/cmek (service-<number>@cloud-redis.iam.gserviceaccount.com)",
  },
  {
    pattern: /^serviceAccount:service-\d+@gcp-sa-([a-z0-9-]+)\.iam\.gserviceaccount\.com$/,
    what: "a per-service agent (gcp-sa-*)",
    // Filled per match below: gcp-sa-<x> ↔ <x>.googleapis.com, with Cloud SQL's exception.
    identityFor: [],
    createdByEnabling: [],
    source: "cloud.google.com/iam/docs/service-agents (created on first use or by services.generateServiceIdentity)",
  },
];

const GCP_SA_API: Record<string, string> = { "cloud-sql": "sqladmin.googleapis.com", "monitoring-notification": "monitoring.googleapis.com" };

function agentRule(member: string): AgentRule | undefined {
  for (const rule of SERVICE_AGENTS) {
    const m = rule.pattern.exec(member);
    if (!m) continue;
    if (m[1]) return { ...rule, what: `the ${m[1]} service agent`, identityFor: [GCP_SA_API[m[1]] ?? `${m[1]}.googleapis.com`] };
    return rule;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// The wait graph
// ------------------------------------------------------------------------------------------------

export class WaitGraph {
  private readonly byUrn = new Map<string, RecordedResource>();
  private readonly children = new Map<string, RecordedResource[]>();
  private readonly memo = new Map<string, Set<string>>();

  constructor(resources: readonly RecordedResource[]) {
    for (const r of resources) this.byUrn.set(r.urn, r);
    for (const r of resources) {
      if (!r.parent) continue;
      const list = this.children.get(r.parent) ?? [];
      list.push(r);
      this.children.set(r.parent, list);
    }
  }

  get(urn: string): RecordedResource | undefined {
    return this.byUrn.get(urn);
  }

  /** The custom resources a component stands for in `dependsOn` (not diving into custom resources). */
  private expand(urn: string, out: Set<string>): void {
    const r = this.byUrn.get(urn);
    if (!r || r.custom) {
      out.add(urn);
      return;
    }
    for (const c of this.children.get(urn) ?? []) this.expand(c.urn, out);
  }

  /** Direct edges: recorded dependencies, the provider, and the parent chain. */
  private edges(r: RecordedResource): Set<string> {
    const out = new Set<string>();
    for (const d of r.dependencies) this.expand(d, out);
    for (const list of Object.values(r.propertyDependencies)) for (const d of list) this.expand(d, out);
    if (r.provider) {
      // `urn::id`: the URN is everything before the last `::`.
      const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
      if (this.byUrn.has(urn)) out.add(urn);
    }
    if (r.parent) {
      const p = this.byUrn.get(r.parent);
      if (p?.custom) out.add(p.urn);
      else if (p && p.type !== "pulumi:pulumi:Stack") for (const e of this.edges(p)) out.add(e);
    }
    out.delete(r.urn);
    return out;
  }

  /** Every resource `r` waits for before its create starts. */
  waitsFor(urn: string, visiting = new Set<string>()): Set<string> {
    const cached = this.memo.get(urn);
    if (cached) return cached;
    const r = this.byUrn.get(urn);
    const all = new Set<string>();
    if (!r || visiting.has(urn)) return all;
    visiting.add(urn);
    for (const e of this.edges(r)) {
      all.add(e);
      for (const t of this.waitsFor(e, visiting)) all.add(t);
    }
    visiting.delete(urn);
    this.memo.set(urn, all);
    return all;
  }
}

// ------------------------------------------------------------------------------------------------
// The check
// ------------------------------------------------------------------------------------------------

const label = (r: RecordedResource): string => `${r.type.split(":").pop()} "${r.name}"`;

function k8sKind(type: string): { group: string; kind: string } | undefined {
  const m = /^kubernetes:([^/]+)\/[^:]+:(.+)$/.exec(type);
  return m ? { group: m[1]!, kind: m[2]! } : undefined;
}

function namespaceOf(r: RecordedResource): string | undefined {
  if (r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart") return known(r.inputs.namespace) ? r.inputs.namespace : r.inputs.namespace === UNKNOWN ? undefined : "default";
  const md = r.inputs.metadata as { namespace?: unknown } | undefined;
  if (!md) return "default";
  if (md.namespace === undefined) return "default";
  return known(md.namespace) ? md.namespace : undefined;
}

function chartName(r: RecordedResource): string | undefined {
  const c = r.inputs.chart;
  if (!known(c)) return undefined;
  return c.split("/").pop();
}

function installersOf(resources: readonly RecordedResource[], group: string): { certain: RecordedResource[]; maybe: RecordedResource[] } {
  const rule = CRD_INSTALLERS[group];
  const certain: RecordedResource[] = [];
  const maybe: RecordedResource[] = [];
  for (const r of resources) {
    if (r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition") {
      const g = (r.inputs.spec as { group?: unknown } | undefined)?.group;
      if (g === group) certain.push(r);
      else if (g === UNKNOWN) maybe.push(r);
      continue;
    }
    if (rule?.cluster && r.type === rule.cluster.type) {
      const on = rule.cluster.installsCrds(r.inputs);
      if (on === true) certain.push(r);
      else if (on === "unknown") maybe.push(r);
      continue;
    }
    if (!rule || r.type !== "kubernetes:helm.sh/v3:Release") continue;
    const chart = chartName(r);
    if (r.inputs.chart === UNKNOWN) {
      maybe.push(r);
      continue;
    }
    if (!chart || !rule.charts.includes(chart)) continue;
    if (r.inputs.skipCrds === true && !rule.templated) continue;
    const on = rule.installsCrds((r.inputs.values as Record<string, unknown>) ?? {});
    if (on === true) certain.push(r);
    else if (on === "unknown") maybe.push(r);
  }
  return { certain, maybe };
}

function membersOf(r: RecordedResource): string[] {
  const out: string[] = [];
  if (known(r.inputs.member)) out.push(r.inputs.member);
  if (Array.isArray(r.inputs.members)) for (const m of r.inputs.members) if (known(m)) out.push(m);
  return out;
}


function run(ctx: DeployContext): DeployFinding[] {
  const findings: DeployFinding[] = [];
  const graph = new WaitGraph(ctx.resources);
  const managed = ctx.resources.filter((r) => r.custom && !r.readId && !r.type.startsWith("pulumi:"));
  const find = (urn: string, message: string, remediation: string) => findings.push({ check: CHECK, urn, message, remediation });

  // --- 1. namespaced Kubernetes objects after their Namespace --------------------------------------
  const namespaces = new Map<string, RecordedResource>();
  for (const r of ctx.resources) {
    if (r.type !== "kubernetes:core/v1:Namespace") continue;
    const name = (r.inputs.metadata as { name?: unknown } | undefined)?.name;
    if (known(name)) namespaces.set(name, r);
  }
  const upstreamNamespaces = new Set(
    ctx.upstream.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => (r.inputs.metadata as { name?: unknown } | undefined)?.name).filter(known),
  );
  for (const r of managed) {
    const k = k8sKind(r.type);
    if (!k || CLUSTER_SCOPED.has(k.kind) || k.kind === "Namespace") continue;
    if (r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.createNamespace === true) continue;
    const ns = namespaceOf(r);
    if (!ns) continue;
    const nsRes = namespaces.get(ns);
    if (!nsRes || upstreamNamespaces.has(ns)) continue;
    if (!graph.waitsFor(r.urn).has(nsRes.urn)) {
      find(
        r.urn,
        `${label(r)} in namespace "${ns}" does not wait for Namespace "${nsRes.name}", which this stack creates: on a fresh cluster the API server refuses it (namespaces "${ns}" not found) when Pulumi creates both at once.`,
        `Make ${label(r)} depend on the Namespace: pass the Namespace's metadata.name output as metadata.namespace, or add it (or its component) to dependsOn.`,
      );
    }
  }

  // --- 2. custom resources after what installs their CRD ------------------------------------------
  // Once per API group, not per custom resource: a stack with hundreds of them (three MariaDB
  // objects per firm) would scan the whole plan for each.
  const upstreamInstallers = new Map<string, ReturnType<typeof installersOf>>();
  const hereInstallers = new Map<string, ReturnType<typeof installersOf>>();
  const installersIn = (cache: typeof hereInstallers, resources: readonly RecordedResource[], group: string) => {
    let found = cache.get(group);
    if (!found) cache.set(group, (found = installersOf(resources, group)));
    return found;
  };
  for (const r of managed) {
    const k = k8sKind(r.type);
    if (!k || BUILT_IN_GROUPS.has(k.group) || k.kind === "CustomResourceDefinition") continue;
    const upstream = installersIn(upstreamInstallers, ctx.upstream, k.group);
    if (upstream.certain.length || upstream.maybe.length) continue;
    const here = installersIn(hereInstallers, ctx.resources, k.group);
    if (!here.certain.length && !here.maybe.length) {
      const rule = CRD_INSTALLERS[k.group];
      find(
        r.urn,
        `${label(r)} is a ${k.group} custom resource, but neither this stack nor its upstream stack installs the ${k.group} CRDs${rule ? ` (${rule.charts.length ? `shipped by the ${rule.charts.join(" or ")} chart` : "installed by"}: ${rule.source})` : ""}: the API server has no such kind and the create fails ("no matches for kind ${k.kind}").`,
        rule?.charts.length
          ? `Install the ${rule.charts[0]} chart (with its CRDs on) in this stack or the upstream stack, and make ${label(r)} depend on it.`
          : rule?.cluster
            ? `Turn on what installs them (${rule.source}) in this stack or the upstream stack, or leave the resource out on clusters without it.`
            : `Install the operator or chart that ships the ${k.group} CRDs before this resource, and declare the dependency.`,
      );
      continue;
    }
    const waits = graph.waitsFor(r.urn);
    if (here.certain.some((i) => waits.has(i.urn)) || here.maybe.some((i) => waits.has(i.urn))) continue;
    if (!here.certain.length) continue; // only unknown charts: cannot tell
    const installer = here.certain[0]!;
    find(
      r.urn,
      `${label(r)} (${k.group}) does not wait for ${label(installer)}, which installs the ${k.group} CRDs: on a fresh cluster Pulumi may create it first and the API server answers "no matches for kind ${k.kind} in version ${r.type.split(":")[1]}".`,
      `Add ${label(installer)} (or the component that holds it) to the dependsOn of ${label(r)} or of the component that creates it.`,
    );
  }

  // --- 3. GCP resources after the API they need, in their own project ---------------------------
  // An API is enabled per project: the upstream stack enabling storage in the cluster's project does
  // nothing for a bucket in the env's project. A resource whose project the plan does not know
  // (no `project` input, no explicit provider with one) is matched against every project.
  const projectOf = gcpProjectResolver([...ctx.upstream, ...ctx.resources]);
  const services = (list: readonly RecordedResource[]) => list.filter((r) => r.type === "gcp:projects/service:Service" && known(r.inputs.service));
  const here = services(ctx.resources);
  const enabledUpstream = services(ctx.upstream).map((s) => ({ api: s.inputs.service as string, project: projectOf(s) }));
  const upstreamApis = new Set(enabledUpstream.map((s) => s.api));
  const sameProject = (a: string | undefined, b: string | undefined) => a === undefined || b === undefined || a === b;
  const enablesApis = here.length > 0 || enabledUpstream.length > 0;
  if (enablesApis) {
    for (const r of managed) {
      if (!r.type.startsWith("gcp:")) continue;
      const api = apiFor(r);
      if (!api) continue;
      const project = projectOf(r);
      if (enabledUpstream.some((s) => s.api === api && sameProject(s.project, project))) continue;
      const enabling = here.filter((s) => s.inputs.service === api && sameProject(projectOf(s), project));
      if (!enabling.length) {
        const elsewhere = [...here, ...services(ctx.upstream)].filter((s) => s.inputs.service === api).map(projectOf).filter((p): p is string => p !== undefined);
        find(
          r.urn,
          `${label(r)} calls ${api}${project ? ` in project ${project}` : ""}, which this stack${ctx.upstream.length ? " and its upstream stack" : ""} never enables there although it enables its other APIs${elsewhere.length ? ` (it is enabled in ${[...new Set(elsewhere)].join(", ")} only: APIs are enabled per project)` : ""}: on a fresh project the create fails with "${api} has not been used in project ... or it is disabled".`,
          `Add ${api} to the ProjectServices list of ${project ?? "the resource's project"}.`,
        );
        continue;
      }
      const waits = graph.waitsFor(r.urn);
      if (enabling.some((s) => waits.has(s.urn))) continue;
      find(
        r.urn,
        `${label(r)} calls ${api} but does not wait for Service "${enabling[0]!.name}" that enables it: on a fresh project Pulumi may create it before the API is on, and it fails with SERVICE_DISABLED.`,
        `Make ${label(r)} depend on the ProjectServices component (dependsOn), e.g. through the stack's API-dependency transformation.`,
      );
    }
  }

  // --- 4. IAM grants to Google service agents after the agent exists -------------------------------
  const identities = (list: readonly RecordedResource[]) => list.filter((r) => r.type === "gcp:projects/serviceIdentity:ServiceIdentity" && known(r.inputs.service));
  const upstreamIdentities = new Set(identities(ctx.upstream).map((r) => r.inputs.service as string));
  for (const r of managed) {
    if (!isIamMemberOrBindingType(r.type)) continue;
    for (const member of membersOf(r)) {
      const rule = agentRule(member);
      if (!rule) continue;
      if (rule.identityFor.some((a) => upstreamIdentities.has(a)) || rule.createdByEnabling.some((a) => upstreamApis.has(a))) continue;
      const waits = graph.waitsFor(r.urn);
      const created = [...waits].some((u) => {
        const w = graph.get(u);
        if (!w) return false;
        if (w.type === "gcp:projects/serviceIdentity:ServiceIdentity") return rule.identityFor.includes(w.inputs.service as string);
        if (w.type === "gcp:projects/service:Service") return rule.createdByEnabling.includes(w.inputs.service as string);
        return false;
      });
      if (created) continue;
      const how = [
        ...rule.identityFor.map((a) => `a gcp.projects.ServiceIdentity for ${a}`),
        ...rule.createdByEnabling.map((a) => `the Service enabling ${a}`),
      ].join(" or ");
      find(
        r.urn,
        `${label(r)} grants ${member} (${rule.what}) but waits for nothing that creates that agent (${rule.source}): on a fresh project IAM refuses the binding ("Service account ... does not exist").`,
        `Create the agent first with ${how}, and make ${label(r)} depend on it.`,
      );
    }
  }
  return findings;
}

export const createOrderCheck: DeployCheck = {
  name: CHECK,
  description:
    "every namespaced Kubernetes object waits for its Namespace, every custom resource for what installs its CRD, every GCP resource for the API it needs, and every IAM grant to a Google service agent for what creates the agent",
  run,
};

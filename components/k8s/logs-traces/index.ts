/**
 * LogsAndTraces: the logs and traces half of the document's Grafana stack, beside the metrics that
 * kube-prometheus-stack already serves (shareyoursales.md § Monitoring & DevOps: "Logging: Loki +
 * Grafana", "Metrics: Prometheus + Grafana", "Tracing: Jaeger ou Zipkin"). Loki and Tempo run
 * single-binary from their pinned charts, each on a persistent volume with a retention, in one
 * isolated namespace; two ConfigMaps give Grafana their datasources, linked both ways (a trace ID
 * in a log line opens the trace, a span opens its logs).
 *
 * Pod stdout reaches Loki through Grafana Alloy (the Loki chart has shipped no collector since 9.0
 * and Promtail is deprecated): one Deployment replica that tails the containers of the given
 * namespaces through the Kubernetes API (`loki.source.kubernetes`), so it needs no hostPath, no
 * root and no privileged namespace, only a Role per tailed namespace (pods, pods/log: get, list,
 * watch) and egress to the API server.
 *
 * Tempo rather than Jaeger: it is the tracing store of the same Grafana stack the document chose for
 * logs and metrics, it receives OTLP (and Jaeger's own protocols) so services instrumented for
 * either are served, it needs no Elasticsearch or Cassandra (Jaeger's production stores), and
 * Grafana queries it natively.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { DEFAULT_ADDON_ENV, addonNamespace, pinnedHelmRelease, type PinnedChart } from "../common/helm-addon";
import { assertResources, parseQuantity, restrictedContainerSecurityContext, restrictedPodSecurityContext, type ResourceSpec } from "../common/pod-security";
import { apiServerEgress, type AllowRule, type IsolatedNamespace } from "../namespace";

export const LOGS_AND_TRACES_TYPE = "platform:k8s:LogsAndTraces";

/**
 * The OSS Loki chart moved to grafana-community/helm-charts (vendor/helm-charts/SOURCES.md): 18.11.0
 * deploys Loki 3.7.6 and ships no log collector (its self-monitoring agent was removed in 9.0.0).
 */
export const LOKI_CHART = { chart: "loki", version: "18.11.0", repo: "https://grafana-community.github.io/helm-charts" } as const satisfies PinnedChart;
/** Single-binary Tempo 2.10.8, which needs no Kafka (tempo-distributed 3.x does). */
export const TEMPO_CHART = { chart: "tempo", version: "2.2.4", repo: "https://grafana-community.github.io/helm-charts" } as const satisfies PinnedChart;
/**
 * Grafana Alloy's official chart (repo grafana/alloy, operations/helm/charts/alloy, tag
 * helm-chart/1.11.1, the newest): Alloy v1.18.1. Its CRD subchart (PodLogs) stays off.
 */
export const ALLOY_CHART = { chart: "alloy", version: "1.11.1", repo: "https://grafana.github.io/helm-charts" } as const satisfies PinnedChart;
/** The charts' appVersions, written in the values so that the running version is the reviewed one. */
export const LOKI_IMAGE_TAG = "3.7.6";
export const TEMPO_IMAGE_TAG = "2.10.8";
export const ALLOY_IMAGE_TAG = "v1.18.1";
/** Alloy's pods (the chart's selector label; release name = chart name). */
export const ALLOY_POD_LABELS = { "app.kubernetes.io/name": "alloy" } as const;
/** The `alloy` user of the image (its Dockerfile's UID/GID), which the image does not run as by default. */
export const ALLOY_UID = 473;
/** Alloy's HTTP server (UI, /metrics, /-/ready): the chart's `alloy.listenPort`. */
export const ALLOY_HTTP_PORT = 12345;
/** The RBAC rules Alloy gets in each tailed namespace: what discovery.kubernetes (role pod) and loki.source.kubernetes read. */
export const ALLOY_RBAC_RULES = [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }] as const;

/** The Services the charts create (release name = chart name, so the fullname is the chart's). */
export const LOKI_SERVICE = { name: "loki", httpPort: 3100 } as const;
export const TEMPO_SERVICE = { name: "tempo", httpPort: 3200, otlpGrpcPort: 4317, otlpHttpPort: 4318 } as const;
export const LOKI_POD_LABELS = { "app.kubernetes.io/name": "loki" } as const;
export const TEMPO_POD_LABELS = { "app.kubernetes.io/name": "tempo" } as const;
/** kube-prometheus-stack's Grafana sidecar loads ConfigMaps with this label (its chart's `sidecar.datasources.label`/`labelValue`), from its own namespace. */
export const GRAFANA_DATASOURCE_LABEL = { grafana_datasource: "1" } as const;
/** Grafana's pods in kube-prometheus-stack (the grafana subchart's name label). */
export const GRAFANA_POD_LABELS = { "app.kubernetes.io/name": "grafana" } as const;
/** The Prometheus datasource uid kube-prometheus-stack provisions (`grafana.sidecar.datasources.uid`). */
const PROMETHEUS_DATASOURCE_UID = "prometheus";

/** The log collector (Grafana Alloy); see `LogsAndTracesArgs.logCollector`. */
export interface LogCollectorArgs {
  /**
   * Off, logs reach Loki only when services push them (Loki's push API or OTLP logs).
   * @default true (no collector when there is no namespace to tail)
   */
  enabled?: boolean;
  /**
   * Namespaces whose pods' logs are tailed (the env app namespaces, and the infra ones to see the
   * data services' logs). Nothing outside them is read.
   * @default the component's `clientNamespaces`
   */
  namespaces?: string[];
  /** Alloy's container. @default requests 100m/256Mi, limits 1 CPU/512Mi */
  resources?: ResourceSpec;
  /**
   * What creates the tailed namespaces (their IsolatedNamespace components or Namespaces). The
   * release waits for them: the chart writes a Role and RoleBinding into each tailed namespace,
   * which fails while it does not exist. A component's `dependsOn` does not reach its children.
   * @default [] (the namespaces already exist)
   */
  namespaceResources?: pulumi.Resource[];
}

export interface LogsAndTracesArgs extends CommonArgs {
  /** Platform label (`shareyoursales`). */
  platform: string;
  /** `env` label of the namespace. @default DEFAULT_ADDON_ENV ("shared") */
  env?: string;
  /** Namespace of Loki and Tempo. @default "observability" */
  namespace?: string;
  /** Namespace of kube-prometheus-stack's Grafana, where the datasource ConfigMaps go. @default "monitoring" */
  monitoringNamespace?: string;
  /** Namespaces whose pods send traces (OTLP 4317/4318) and logs (Loki push and OTLP on 3100). @default [] */
  clientNamespaces?: string[];
  /** Loki retention (hours, a multiple of the 24h index period). @default "744h" (31 days) */
  logRetention?: string;
  /** Tempo retention of trace blocks (hours). @default "336h" (14 days) */
  traceRetention?: string;
  /** @default "50Gi" */
  logStorageSize?: string;
  /** @default "20Gi" */
  traceStorageSize?: string;
  /** @default "standard-rwo" */
  storageClassName?: string;
  /** @default requests 500m/1Gi, limits 2 CPU/2Gi */
  lokiResources?: ResourceSpec;
  /** @default requests 250m/1Gi, limits 1 CPU/2Gi */
  tempoResources?: ResourceSpec;
  /**
   * CIDRs of the Kubernetes API server (GKE: the control plane's `masterIpv4CidrBlock`), which the
   * log collector calls on 443 to list pods and stream their logs. Required while the collector runs.
   * @default [] (then `logCollector` must be off or have no namespace to tail)
   */
  apiServerCidrs?: string[];
  /**
   * Grafana Alloy, one Deployment replica in this namespace, tailing pod stdout/stderr through the
   * Kubernetes API into Loki.
   * @default on, tailing `clientNamespaces`, requests 100m/256Mi, limits 1 CPU/512Mi
   */
  logCollector?: LogCollectorArgs;
  /**
   * Labels of the ServiceMonitors the charts create for Prometheus (`MonitoringStack.prometheusSelectorLabels`).
   * Set, the releases need the monitoring.coreos.com CRDs: give the monitoring stack in `dependsOn`.
   * @default no ServiceMonitor
   */
  serviceMonitorLabels?: Record<string, string>;
}

export interface ResolvedLogsAndTracesArgs {
  platform: string;
  env: string;
  namespace: string;
  monitoringNamespace: string;
  clientNamespaces: string[];
  logRetention: string;
  traceRetention: string;
  logStorageSize: string;
  traceStorageSize: string;
  storageClassName: string;
  lokiResources: ResourceSpec;
  tempoResources: ResourceSpec;
  serviceMonitorLabels?: Record<string, string>;
  apiServerCidrs: string[];
  /** Absent when no collector runs. */
  logCollector?: { namespaces: string[]; resources: ResourceSpec; namespaceResources: pulumi.Resource[] };
  labels: Record<string, string>;
  deletionProtection: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function isIpv4Cidr(c: string): boolean {
  const m = IPV4_CIDR.exec(c);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}
const HOURS = /^(\d+)h$/;

export function resolveLogsAndTracesArgs(name: string, args: LogsAndTracesArgs): ResolvedLogsAndTracesArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(LOGS_AND_TRACES_TYPE, name, detail);
  };
  if (!args.platform) fail("platform is required");
  const namespace = args.namespace ?? "observability";
  const monitoringNamespace = args.monitoringNamespace ?? "monitoring";
  const clientNamespaces = args.clientNamespaces ?? [];
  for (const ns of [namespace, monitoringNamespace, ...clientNamespaces]) if (!DNS_LABEL.test(ns)) fail(`namespace "${ns}" is not a DNS-1123 label`);
  if (namespace === monitoringNamespace) fail(`namespace and monitoringNamespace are both "${namespace}": the stores get a namespace of their own`);

  const logRetention = args.logRetention ?? "744h";
  const lh = HOURS.exec(logRetention);
  // Loki's compactor deletes whole index tables: a retention that is not a multiple of the 24h index period is refused at start.
  if (!lh || Number(lh[1]) < 24 || Number(lh[1]) % 24 !== 0) fail(`logRetention "${logRetention}" must be hours in a multiple of 24 (Loki's index period), e.g. 744h for 31 days`);
  const traceRetention = args.traceRetention ?? "336h";
  const th = HOURS.exec(traceRetention);
  if (!th || Number(th[1]) < 1) fail(`traceRetention "${traceRetention}" must be a number of hours, e.g. 336h for 14 days`);

  const logStorageSize = args.logStorageSize ?? "50Gi";
  const traceStorageSize = args.traceStorageSize ?? "20Gi";
  for (const [field, q] of [["logStorageSize", logStorageSize], ["traceStorageSize", traceStorageSize]] as const) {
    if (!(parseQuantity(q) >= 1024 ** 3)) fail(`${field} "${q}" must be a quantity of at least 1Gi`);
  }
  const lokiResources = args.lokiResources ?? { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } };
  const tempoResources = args.tempoResources ?? { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } };
  assertResources(LOGS_AND_TRACES_TYPE, name, "lokiResources", lokiResources);
  assertResources(LOGS_AND_TRACES_TYPE, name, "tempoResources", tempoResources);
  if (parseQuantity(tempoResources.limits.memory) < 512 * 1024 ** 2) fail(`tempoResources.limits.memory ${tempoResources.limits.memory} is below 512Mi: Tempo's ingester keeps live traces in memory`);

  const apiServerCidrs = args.apiServerCidrs ?? [];
  for (const c of apiServerCidrs) if (!isIpv4Cidr(c)) fail(`apiServerCidrs has "${c}", expected an IPv4 CIDR such as 172.16.0.0/28 (GKE's masterIpv4CidrBlock)`);
  const lc = args.logCollector ?? {};
  let logCollector: ResolvedLogsAndTracesArgs["logCollector"];
  const logNamespaces = lc.namespaces ?? clientNamespaces;
  if (lc.enabled === false) {
    if (lc.namespaces?.length) fail(`logCollector.enabled is false but logCollector.namespaces is set (${lc.namespaces.join(", ")}): remove the namespaces or enable the collector`);
  } else if (logNamespaces.length === 0) {
    // Nothing to tail: on by default only where there is something to read, refused when asked for explicitly.
    if (lc.enabled === true) fail(`logCollector.enabled is true but there is no namespace to tail: expected clientNamespaces or logCollector.namespaces, got none`);
  } else {
    for (const ns of logNamespaces) if (!DNS_LABEL.test(ns)) fail(`logCollector.namespaces has "${ns}", which is not a DNS-1123 label`);
    const dup = logNamespaces.find((ns, i) => logNamespaces.indexOf(ns) !== i);
    // The chart renders one Role per listed namespace: a repeated name is a duplicate object Helm refuses.
    if (dup !== undefined) fail(`logCollector.namespaces lists "${dup}" twice`);
    if (apiServerCidrs.length === 0) {
      fail(`apiServerCidrs is empty but the log collector tails ${logNamespaces.join(", ")} through the Kubernetes API: give the API server's CIDRs (GKE masterIpv4CidrBlock), or set logCollector.enabled false`);
    }
    const resources = lc.resources ?? { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };
    assertResources(LOGS_AND_TRACES_TYPE, name, "logCollector.resources", resources);
    if (parseQuantity(resources.limits.memory) < 256 * 1024 ** 2) fail(`logCollector.resources.limits.memory ${resources.limits.memory} is below 256Mi: Alloy idles at about 100Mi and buffers each tailed container's stream`);
    logCollector = { namespaces: [...logNamespaces], resources, namespaceResources: lc.namespaceResources ?? [] };
  }
  return {
    platform: args.platform,
    env: args.env ?? DEFAULT_ADDON_ENV,
    namespace,
    monitoringNamespace,
    clientNamespaces,
    logRetention,
    traceRetention,
    logStorageSize,
    traceStorageSize,
    storageClassName: args.storageClassName ?? "standard-rwo",
    lokiResources,
    tempoResources,
    ...(args.serviceMonitorLabels ? { serviceMonitorLabels: args.serviceMonitorLabels } : {}),
    apiServerCidrs,
    ...(logCollector ? { logCollector } : {}),
    labels: args.labels ?? {},
    deletionProtection: args.deletionProtection ?? true,
  };
}

/** What the stores need beyond their defaults: requests and limits summed, with room for one pod restarting. */
function namespaceQuota(r: ResolvedLogsAndTracesArgs) {
  const pods = [r.lokiResources, r.tempoResources, ...(r.logCollector ? [r.logCollector.resources] : [])];
  const sum = (pick: (x: ResourceSpec) => string | undefined) => pods.reduce((t, x) => t + parseQuantity(pick(x) ?? "0"), 0);
  const gi = (bytes: number) => `${Math.ceil(bytes / 1024 ** 3)}Gi`;
  const cpu = (cores: number) => `${Math.ceil(cores * 1000)}m`;
  return {
    requestsCpu: cpu(sum((x) => x.requests.cpu) * 1.5),
    requestsMemory: gi(sum((x) => x.requests.memory) * 1.5),
    limitsCpu: cpu(sum((x) => x.limits.cpu ?? x.requests.cpu) * 1.5),
    limitsMemory: gi(sum((x) => x.limits.memory) * 1.5),
    persistentVolumeClaims: "4",
    requestsStorage: gi((parseQuantity(r.logStorageSize) + parseQuantity(r.traceStorageSize)) * 1.25),
  };
}

/**
 * Loki in SingleBinary mode (called Monolithic since chart 12.0.0) on a filesystem PVC. No
 * authentication inside the cluster: auth_enabled false (one tenant, "fake"), the boundary is the
 * namespace's default-deny NetworkPolicies, which admit only the client namespaces (push, and
 * with it query: Loki serves both on 3100) and Grafana (query). Everything the chart would add besides the store is off: the nginx gateway, the
 * canary DaemonSet and its Helm test, the memcached caches (8 GiB by default), the ruler and its
 * sidecar (which watches the API for rule ConfigMaps; alerting is Prometheus').
 */
export function lokiValues(r: ResolvedLogsAndTracesArgs): Record<string, unknown> {
  return {
    deploymentMode: "Monolithic",
    loki: {
      image: { tag: LOKI_IMAGE_TAG },
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: {
        configs: [{ from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }],
      },
      limits_config: { retention_period: r.logRetention },
      // Retention is applied by the compactor, which keeps its delete requests on the same volume.
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
      analytics: { reporting_enabled: false },
    },
    singleBinary: {
      replicas: 1,
      persistence: { enabled: true, size: r.logStorageSize, storageClass: r.storageClassName, enableStatefulSetAutoDeletePVC: false },
      resources: r.lokiResources,
      // Without the rules sidecar nothing in the pod calls the Kubernetes API: no token mounted
      // (the pod field; the chart's default, defaults.automountServiceAccountToken, is true).
      automountServiceAccountToken: false,
    },
    // The other deployment modes' targets: zero, as the chart's validation wants with filesystem storage.
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    ruler: { enabled: false },
    sidecar: { rules: { enabled: false } },
    monitoring: {
      serviceMonitor: r.serviceMonitorLabels ? { enabled: true, labels: r.serviceMonitorLabels } : { enabled: false },
    },
  };
}

/**
 * Tempo single binary on a PVC: OTLP gRPC 4317 and HTTP 4318 (the chart's default receivers, with
 * Jaeger's, which the document's "Jaeger ou Zipkin" clients can use), blocks kept `traceRetention`.
 * The pod gets the restricted security context the chart leaves empty by default.
 */
export function tempoValues(r: ResolvedLogsAndTracesArgs): Record<string, unknown> {
  return {
    tempo: {
      tag: TEMPO_IMAGE_TAG,
      retention: r.traceRetention,
      reportingEnabled: false,
      resources: r.tempoResources,
      // The chart still passes a 1 GiB heap ballast, which Tempo dropped (grafana/tempo#6403) for
      // Go's soft memory limit: no ballast, and GOMEMLIMIT at 90% of the container's limit so the
      // garbage collector works harder before the kernel OOM-kills the pod.
      memBallastSizeMbs: 0,
      extraEnv: [{ name: "GOMEMLIMIT", value: goMemLimit(r.tempoResources.limits.memory) }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
    },
    persistence: { enabled: true, size: r.traceStorageSize, storageClassName: r.storageClassName },
    // Tempo never calls the Kubernetes API.
    serviceAccount: { automountServiceAccountToken: false },
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
    serviceMonitor: r.serviceMonitorLabels ? { enabled: true, additionalLabels: r.serviceMonitorLabels } : { enabled: false },
  };
}

/** 90% of a memory limit, as Go's GOMEMLIMIT writes it (`1843MiB`). */
export function goMemLimit(limit: string): string {
  return `${Math.floor((parseQuantity(limit) * 0.9) / 1024 ** 2)}MiB`;
}

const svc = (s: { name: string; httpPort: number }, ns: string) => `http://${s.name}.${ns}.svc.cluster.local:${s.httpPort}`;

/** Loki's push endpoint, where Alloy writes. */
export function lokiPushUrl(namespace: string): string {
  return `${svc(LOKI_SERVICE, namespace)}/loki/api/v1/push`;
}

/**
 * Alloy's configuration: pods of the tailed namespaces only (the watch itself is limited, not just
 * filtered, so Alloy needs no cluster-wide read), labelled namespace/pod/container/app, streamed
 * from the API server and pushed to Loki. Loki runs without auth (one tenant), so no tenant header.
 * Few labels on purpose: each distinct label set is a Loki stream, and the pod name already
 * carries the replica.
 */
export function alloyConfig(r: ResolvedLogsAndTracesArgs): string {
  if (!r.logCollector) throw new Error("alloyConfig: the log collector is off");
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
  const relabel = (from: string, to: string) => [`  rule {`, `    source_labels = [${JSON.stringify(from)}]`, `    target_label  = ${JSON.stringify(to)}`, `  }`];
  return [
    `discovery.kubernetes "pods" {`,
    `  role = "pod"`,
    `  namespaces {`,
    `    names = ${list(r.logCollector.namespaces)}`,
    `  }`,
    `}`,
    ``,
    `discovery.relabel "pods" {`,
    `  targets = discovery.kubernetes.pods.targets`,
    ...relabel("__meta_kubernetes_namespace", "namespace"),
    ...relabel("__meta_kubernetes_pod_name", "pod"),
    ...relabel("__meta_kubernetes_pod_container_name", "container"),
    ...relabel("__meta_kubernetes_pod_label_app_kubernetes_io_name", "app"),
    `}`,
    ``,
    `loki.source.kubernetes "pods" {`,
    `  targets    = discovery.relabel.pods.output`,
    `  forward_to = [loki.write.loki.receiver]`,
    `}`,
    ``,
    `loki.write "loki" {`,
    `  endpoint {`,
    `    url = ${JSON.stringify(lokiPushUrl(r.namespace))}`,
    `  }`,
    `}`,
    ``,
  ].join("\n");
}

/**
 * Grafana Alloy as one Deployment replica (controller.type deployment) reading logs through the
 * API, so Pod Security "restricted" holds: no hostPath mount (mounts.varlog/dockercontainers stay
 * false), the image's non-root `alloy` user, a read-only root filesystem with an emptyDir at /tmp
 * for Alloy's data (the positions of each tailed container). RBAC is a Role + RoleBinding per
 * tailed namespace (rbac.namespaces) with pods and pods/log get/list/watch: no ClusterRole, and not
 * the chart's default rules, which read Secrets and ConfigMaps cluster-wide. The config reloader
 * sidecar is off: with it off the chart stamps the config's checksum on the pod, so a config change
 * rolls the pod instead. Alloy sets GOMEMLIMIT from its cgroup limit itself (automemlimit).
 */
export function alloyValues(r: ResolvedLogsAndTracesArgs): Record<string, unknown> {
  if (!r.logCollector) throw new Error("alloyValues: the log collector is off");
  return {
    // The PodLogs CRD is for loki.source.podlogs, which this config does not use.
    crds: { create: false },
    image: { tag: ALLOY_IMAGE_TAG },
    alloy: {
      configMap: { create: true, content: alloyConfig(r) },
      storagePath: "/tmp/alloy",
      enableReporting: false,
      resources: r.logCollector.resources,
      securityContext: restrictedContainerSecurityContext(),
      mounts: { varlog: false, dockercontainers: false, extra: [{ name: "tmp", mountPath: "/tmp" }] },
    },
    configReloader: { enabled: false },
    controller: {
      type: "deployment",
      replicas: 1,
      volumes: { extra: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }] },
    },
    global: { podSecurityContext: restrictedPodSecurityContext(ALLOY_UID) },
    rbac: { create: true, namespaces: r.logCollector.namespaces, rules: ALLOY_RBAC_RULES.map((x) => ({ apiGroups: [...x.apiGroups], resources: [...x.resources], verbs: [...x.verbs] })) },
    // The token is how Alloy authenticates to the API server.
    serviceAccount: { create: true, automountServiceAccountToken: true },
    // The namespace's own default-deny policies apply; the chart's would allow everything.
    networkPolicy: { enabled: false },
    serviceMonitor: r.serviceMonitorLabels ? { enabled: true, additionalLabels: r.serviceMonitorLabels } : { enabled: false },
  };
}

/** Grafana's datasource provisioning files (JSON is YAML): Loki and Tempo, linked to each other and to Prometheus. */
export function datasources(r: ResolvedLogsAndTracesArgs): { loki: Record<string, unknown>; tempo: Record<string, unknown> } {
  return {
    loki: {
      apiVersion: 1,
      datasources: [
        {
          name: "Loki",
          type: "loki",
          uid: "loki",
          access: "proxy",
          url: svc(LOKI_SERVICE, r.namespace),
          // A trace ID in a log line (the OpenTelemetry logging convention) opens the trace in Tempo.
          jsonData: { derivedFields: [{ name: "TraceID", datasourceUid: "tempo", matcherRegex: "(?:trace_id|traceID|traceId)[=\":\\s]+(\\w+)", url: "$${__value.raw}" }] },
        },
      ],
    },
    tempo: {
      apiVersion: 1,
      datasources: [
        {
          name: "Tempo",
          type: "tempo",
          uid: "tempo",
          access: "proxy",
          url: svc(TEMPO_SERVICE, r.namespace),
          jsonData: {
            tracesToLogsV2: { datasourceUid: "loki", filterByTraceID: true, spanStartTimeShift: "-5m", spanEndTimeShift: "5m" },
            serviceMap: { datasourceUid: PROMETHEUS_DATASOURCE_UID },
            nodeGraph: { enabled: true },
            lokiSearch: { datasourceUid: "loki" },
          },
        },
      ],
    },
  };
}

/**
 * The egress Grafana needs to query the stores: a rule for the monitoring namespace, which the
 * MonitoringStack owns (`monitoring.namespace.allow("grafana-to-logs-traces", rule)`).
 */
export function grafanaEgressRule(namespace: string): AllowRule {
  return {
    podLabels: { ...GRAFANA_POD_LABELS },
    egressTo: [{ namespace }],
    ports: [{ port: LOKI_SERVICE.httpPort }, { port: TEMPO_SERVICE.httpPort }],
  };
}

export class LogsAndTraces extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;
  /** Loki's push/query base URL (`/loki/api/v1/push`, and `/otlp/v1/logs` for OTLP logs). */
  public readonly lokiUrl: pulumi.Output<string>;
  /** Tempo's OTLP endpoints for the services' OpenTelemetry exporters. */
  public readonly otlpGrpcEndpoint: pulumi.Output<string>;
  public readonly otlpHttpEndpoint: pulumi.Output<string>;
  /** Tempo's query URL (Grafana's datasource). */
  public readonly tempoUrl: pulumi.Output<string>;
  public readonly namespace: IsolatedNamespace;
  /** The rule the monitoring namespace needs for Grafana to reach the stores (see grafanaEgressRule). */
  public readonly grafanaEgress: AllowRule;

  constructor(name: string, args: LogsAndTracesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(LOGS_AND_TRACES_TYPE, name, {}, opts);
    const r = resolveLogsAndTracesArgs(name, args);

    const fromMonitoring = (podLabels: Record<string, string>) => ({ namespace: r.monitoringNamespace, podLabels });
    const allow: Record<string, AllowRule> = {
      // Loki's single binary calls itself through its Services (compactor, query frontend).
      "same-namespace": { ingressFrom: [{ namespace: r.namespace }], egressTo: [{ namespace: r.namespace }] },
      "query-from-grafana": {
        ingressFrom: [fromMonitoring(GRAFANA_POD_LABELS)],
        ports: [{ port: LOKI_SERVICE.httpPort }, { port: TEMPO_SERVICE.httpPort }],
      },
      "scrape-from-prometheus": {
        ingressFrom: [fromMonitoring({ "app.kubernetes.io/name": "prometheus" })],
        ports: [{ port: LOKI_SERVICE.httpPort }, { port: TEMPO_SERVICE.httpPort }, ...(r.logCollector ? [{ port: ALLOY_HTTP_PORT }] : [])],
      },
    };
    // Alloy lists pods and streams their logs from the API server; its pushes to Loki stay in the
    // namespace ("same-namespace"). The API server reaches the kubelets itself, so the tailed
    // namespaces need no rule.
    if (r.logCollector) allow["alloy-to-apiserver"] = apiServerEgress(r.apiServerCidrs, { ...ALLOY_POD_LABELS });
    if (r.clientNamespaces.length > 0) {
      const clients = r.clientNamespaces.map((namespace) => ({ namespace }));
      allow["logs-from-clients"] = { podLabels: { ...LOKI_POD_LABELS }, ingressFrom: clients, ports: [{ port: LOKI_SERVICE.httpPort }] };
      allow["traces-from-clients"] = { podLabels: { ...TEMPO_POD_LABELS }, ingressFrom: clients, ports: [{ port: TEMPO_SERVICE.otlpGrpcPort }, { port: TEMPO_SERVICE.otlpHttpPort }] };
    }
    this.namespace = addonNamespace(this, name, {
      namespace: r.namespace,
      env: r.env,
      platform: r.platform,
      labels: r.labels,
      deletionProtection: r.deletionProtection,
      quota: namespaceQuota(r),
      allow,
    });
    const ns = this.namespace.namespaceName;

    // The logs and traces live on the StatefulSets' PVCs, which outlive a release (no auto-delete
    // policy) and go only with the namespace, which deletion protection guards.
    const loki = pinnedHelmRelease(this, LOGS_AND_TRACES_TYPE, `${name}-loki`, { releaseName: "loki", chart: LOKI_CHART, namespace: ns, values: lokiValues(r), timeoutSeconds: 900 });
    const tempo = pinnedHelmRelease(this, LOGS_AND_TRACES_TYPE, `${name}-tempo`, { releaseName: "tempo", chart: TEMPO_CHART, namespace: ns, values: tempoValues(r), timeoutSeconds: 900 });
    if (r.logCollector) {
      // After Loki: loki.write drops a batch after 10 retries (about 8 minutes of backoff), and a
      // first Loki start (volume, schema) can take longer, so lines read before it would be lost.
      pinnedHelmRelease(this, LOGS_AND_TRACES_TYPE, `${name}-alloy`, {
        releaseName: "alloy",
        chart: ALLOY_CHART,
        namespace: ns,
        values: alloyValues(r),
        dependsOn: [loki.release, ...r.logCollector.namespaceResources],
      });
    }

    const ds = datasources(r);
    for (const [role, file, release] of [["loki", ds.loki, loki.release], ["tempo", ds.tempo, tempo.release]] as const) {
      new k8s.core.v1.ConfigMap(
        `${name}-${role}-datasource`,
        {
          metadata: { name: `${role}-datasource`, namespace: r.monitoringNamespace, labels: { ...r.labels, ...GRAFANA_DATASOURCE_LABEL } },
          data: { [`${role}-datasource.yaml`]: JSON.stringify(file, null, 2) },
        },
        { parent: this, dependsOn: [release] },
      );
    }

    this.namespaceName = ns;
    this.lokiUrl = pulumi.output(svc(LOKI_SERVICE, r.namespace));
    this.tempoUrl = pulumi.output(svc(TEMPO_SERVICE, r.namespace));
    this.otlpGrpcEndpoint = pulumi.output(`http://${TEMPO_SERVICE.name}.${r.namespace}.svc.cluster.local:${TEMPO_SERVICE.otlpGrpcPort}`);
    this.otlpHttpEndpoint = pulumi.output(`http://${TEMPO_SERVICE.name}.${r.namespace}.svc.cluster.local:${TEMPO_SERVICE.otlpHttpPort}`);
    this.grafanaEgress = grafanaEgressRule(r.namespace);
    this.registerOutputs({
      namespaceName: this.namespaceName,
      lokiUrl: this.lokiUrl,
      tempoUrl: this.tempoUrl,
      otlpGrpcEndpoint: this.otlpGrpcEndpoint,
      otlpHttpEndpoint: this.otlpHttpEndpoint,
    });
  }
}

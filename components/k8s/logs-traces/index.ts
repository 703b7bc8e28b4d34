/**
 * LogsAndTraces: the logs and traces half of the document's Grafana stack, beside the metrics that
 * kube-prometheus-stack already serves (shareyoursales.md § Monitoring & DevOps: "Logging: Loki +
 * Grafana", "Metrics: Prometheus + Grafana", "Tracing: Jaeger ou Zipkin"). Loki and Tempo run
 * single-binary from their pinned charts, each on a persistent volume with a retention, in one
 * isolated namespace; two ConfigMaps give Grafana their datasources, linked both ways (a trace ID
 * in a log line opens the trace, a span opens its logs).
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
import { assertResources, parseQuantity, type ResourceSpec } from "../common/pod-security";
import type { AllowRule, IsolatedNamespace } from "../namespace";

export const LOGS_AND_TRACES_TYPE = "platform:k8s:LogsAndTraces";

/**
 * The OSS Loki chart moved to grafana-community/helm-charts (vendor/helm-charts/SOURCES.md): 18.11.0
 * deploys Loki 3.7.6 and ships no log collector (its self-monitoring agent was removed in 9.0.0).
 */
export const LOKI_CHART = { chart: "loki", version: "18.11.0", repo: "https://grafana-community.github.io/helm-charts" } as const satisfies PinnedChart;
/** Single-binary Tempo 2.10.8, which needs no Kafka (tempo-distributed 3.x does). */
export const TEMPO_CHART = { chart: "tempo", version: "2.2.4", repo: "https://grafana-community.github.io/helm-charts" } as const satisfies PinnedChart;
/** The charts' appVersions, written in the values so that the running version is the reviewed one. */
export const LOKI_IMAGE_TAG = "3.7.6";
export const TEMPO_IMAGE_TAG = "2.10.8";

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
  labels: Record<string, string>;
  deletionProtection: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
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
    labels: args.labels ?? {},
    deletionProtection: args.deletionProtection ?? true,
  };
}

/** What the stores need beyond their defaults: requests and limits summed, with room for one pod restarting. */
function namespaceQuota(r: ResolvedLogsAndTracesArgs) {
  const sum = (pick: (x: ResourceSpec) => string | undefined) => [r.lokiResources, r.tempoResources].reduce((t, x) => t + parseQuantity(pick(x) ?? "0"), 0);
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
        ports: [{ port: LOKI_SERVICE.httpPort }, { port: TEMPO_SERVICE.httpPort }],
      },
    };
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

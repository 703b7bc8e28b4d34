/**
 * PlatformAlertRules: the alerting rules a platform's document states, as one PrometheusRule
 * (monitoring.coreos.com/v1) that kube-prometheus-stack's Prometheus loads. Every rule carries
 * `severity` (critical | warning) and `team` (platform | security | payment) so that Alertmanager
 * routes it by severity and team, and cites its source. The figures and the citations are the
 * caller's: the component knows no platform and no document, so that one platform's alerts never
 * cite another platform's document.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, type CommonArgs, type Labels } from "../../common/conventions";
import { standardLabels } from "../common/pod-security";
import { RABBITMQ_DLQ_SUFFIX } from "../rabbitmq";

export const PLATFORM_ALERT_RULES_TYPE = "platform:k8s:PlatformAlertRules";

/** The platform's thresholds, as fractions and seconds. All required: a default would be some platform's figure. */
export interface AlertThresholds {
  /** p95 response time, seconds. */
  latencyP95Seconds: number;
  /** 5xx share of requests (application and payment API). */
  errorRatio: number;
  /** Container CPU over its limit. */
  cpuRatio: number;
  /** Container working set over its memory limit. */
  memoryRatio: number;
  /** Used share of a persistent volume. */
  diskRatio: number;
  /** Share of authentication requests answered 401/403 (the security team's anomaly signal). */
  authFailureRatio: number;
}

/**
 * The citation each rule family puts in its rules' `source` annotation, verbatim (e.g.
 * `<document> § <section>: "<figure>"`). Say there when a figure is ours rather
 * than the document's.
 */
export interface AlertSources {
  /** AppLatencyP95High. */
  latency: string;
  /** AppErrorRateHigh. */
  errorRate: string;
  /** AppNoReadyReplicas. */
  uptime: string;
  /** PaymentErrorRateHigh. */
  payment: string;
  /** AuthFailureRatioHigh. */
  security: string;
  /** ContainerCpuHigh. */
  cpu: string;
  /** ContainerMemoryHigh. */
  memory: string;
  /** PersistentVolumeUsageHigh. */
  disk: string;
  /**
   * The Kafka rules, one citation each (an offline partition is also an uptime matter, an
   * under-replicated one is not). Required when `kafkaAlerts`, refused otherwise.
   * @default none
   */
  kafka?: { underReplicated: string; offline: string };
}

/** RabbitMQ alerts over the rabbitmq_prometheus plugin's /metrics/detailed (components/k8s/rabbitmq's PodMonitor). */
export interface RabbitmqAlerts {
  /** Citation put on the three RabbitMQ rules. */
  source: string;
  /** Ready messages in one non-DLQ queue above which RabbitmqQueueBacklog fires (15 minutes). */
  backlogMessages: number;
}

/** CloudNativePG alerts over the instance manager's default metrics (`cnpg_*`). */
export interface PostgresAlerts {
  /** Citation put on the PostgreSQL rules. */
  source: string;
  /** Replication lag of a replica, seconds, above which PostgresReplicationLagHigh fires (5 minutes). */
  replicationLagSeconds: number;
}

/** Queue-depth alerts over the lengths redis_exporter reports (`redis_key_size`, components/k8s/redis-cluster `exporterCheckKeys`). */
export interface QueueDepthAlerts {
  source: string;
  /** The queues' list keys (the exporter's `key` label). */
  keys: string[];
  /** Jobs waiting in one queue above which QueueDepthHigh fires (5 minutes). */
  maxJobs: number;
}

/** MariaDB slow-query alerts over mysqld_exporter's `mysql_global_status_slow_queries` (queries over `long_query_time`). */
export interface SlowQueryAlerts {
  source: string;
}

/** Names of the application's HTTP metrics (prom-client conventions by default). */
export interface HttpMetricNames {
  /** Counter of requests. @default "http_requests_total" */
  requestsTotal?: string;
  /** Histogram of request durations in seconds (the `_bucket` series). @default "http_request_duration_seconds_bucket" */
  durationBucket?: string;
  /** Label holding the HTTP status code. @default "status_code" */
  statusLabel?: string;
  /** Label holding the route. @default "route" */
  routeLabel?: string;
}

export interface PlatformAlertRulesArgs extends CommonArgs {
  /** Namespace the PrometheusRule is created in (usually the app's namespace). */
  namespace: string;
  /** Platform name, added as the `platform` label of every alert. */
  platform: string;
  /** Environment (`dev`, `rct`, `prod`), added as the `env` label. */
  env: string;
  /** Namespace of the application (HTTP metrics). */
  appNamespace: string;
  /** Namespaces whose containers and volumes the infrastructure alerts watch. @default [appNamespace] */
  watchedNamespaces?: string[];
  /**
   * AppNoReadyReplicas per Deployment rather than for the whole namespace: with several services in
   * one namespace, one service down is an outage the namespace-wide sum hides. A Deployment scaled
   * to zero on purpose (KEDA's idle workers) does not fire.
   * @default false (the namespace has no ready replica at all)
   */
  noReadyReplicasPerDeployment?: boolean;
  /** Route prefix of the payment API. @default "/api/payments" */
  paymentsRoutePrefix?: string;
  /** Route prefix of the authentication API. @default "/api/auth" */
  authRoutePrefix?: string;
  /** The platform's figures (required: the component has none of its own). */
  thresholds: AlertThresholds;
  /** The citation of each rule family (required: the component knows no document). */
  sources: AlertSources;
  /** @default prom-client names */
  metrics?: HttpMetricNames;
  /**
   * Labels Prometheus' ruleSelector matches (e.g. `release: kube-prometheus-stack`).
   * @default {}
   */
  ruleSelectorLabels?: Labels;
  /**
   * Kafka alerts over the metrics KafkaCluster exposes (its JMX exporter rules, `metrics.enabled`):
   * under-replicated and offline partitions in the watched namespaces. Needs `sources.kafka`.
   * @default false
   */
  kafkaAlerts?: boolean;
  /**
   * RabbitMQ alerts (dead-lettered messages, queue backlog, node alarms) in the watched namespaces.
   * @default none (no RabbitMQ group)
   */
  rabbitmq?: RabbitmqAlerts;
  /**
   * PostgreSQL alerts (replication lag, no primary) over CloudNativePG's metrics in the watched namespaces.
   * @default none (no PostgreSQL group)
   */
  postgres?: PostgresAlerts;
  /**
   * A queue holding more than `maxJobs` jobs, from the Redis exporter's key lengths.
   * @default none (no queue-depth group)
   */
  queueDepth?: QueueDepthAlerts;
  /**
   * Slow queries on MariaDB (any query over the server's `long_query_time`), from mysqld_exporter.
   * @default none (no slow-query group)
   */
  slowQueries?: SlowQueryAlerts;
  /** Name of the PrometheusRule. @default the component name */
  resourceName?: string;
}

export interface ResolvedPlatformAlertRulesArgs {
  namespace: string;
  resourceName: string;
  platform: string;
  env: string;
  appNamespace: string;
  watchedNamespaces: string[];
  paymentsRoutePrefix: string;
  authRoutePrefix: string;
  noReadyReplicasPerDeployment: boolean;
  thresholds: AlertThresholds;
  sources: AlertSources;
  metrics: Required<HttpMetricNames>;
  ruleSelectorLabels: Labels;
  kafkaAlerts: boolean;
  rabbitmq?: RabbitmqAlerts;
  postgres?: PostgresAlerts;
  queueDepth?: QueueDepthAlerts;
  slowQueries?: SlowQueryAlerts;
  labels: Labels;
}

const THRESHOLD_KEYS = ["latencyP95Seconds", "errorRatio", "cpuRatio", "memoryRatio", "diskRatio", "authFailureRatio"] as const;
const SOURCE_KEYS = ["latency", "errorRate", "uptime", "payment", "security", "cpu", "memory", "disk"] as const;

/** Applies defaults and rejects missing figures or citations, nonsensical thresholds and citations for groups not made. */
export function resolvePlatformAlertRulesArgs(name: string, args: PlatformAlertRulesArgs): ResolvedPlatformAlertRulesArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(PLATFORM_ALERT_RULES_TYPE, name, detail);
  };
  // A rule without its citation would be a figure nobody can trace: every one is checked, not just typed.
  const citation = (key: string, value: unknown): string =>
    typeof value === "string" && value.trim() !== "" ? value : fail(`${key} must be a non-empty citation (document § section: "figure"), got ${JSON.stringify(value)}`);

  const t = (args.thresholds ?? {}) as Partial<AlertThresholds>;
  for (const key of THRESHOLD_KEYS) {
    const value = t[key];
    const max = key === "latencyP95Seconds" ? Infinity : 1;
    if (typeof value !== "number" || !(value > 0 && value <= max)) {
      fail(`thresholds.${key} must be a number in (0, ${max === 1 ? "1" : "∞"}), got ${JSON.stringify(value)} (ratios are fractions: 0.7, not 70; the component has no default figure)`);
    }
  }
  const thresholds = Object.fromEntries(THRESHOLD_KEYS.map((k) => [k, t[k] as number])) as unknown as AlertThresholds;

  const s = (args.sources ?? {}) as Partial<AlertSources>;
  const sources: AlertSources = Object.fromEntries(SOURCE_KEYS.map((k) => [k, citation(`sources.${k}`, s[k])])) as unknown as AlertSources;
  const kafkaAlerts = args.kafkaAlerts ?? false;
  if (kafkaAlerts) {
    if (!s.kafka) fail(`kafkaAlerts is true, so sources.kafka ({ underReplicated, offline }) is required, got none`);
    sources.kafka = { underReplicated: citation("sources.kafka.underReplicated", s.kafka?.underReplicated), offline: citation("sources.kafka.offline", s.kafka?.offline) };
  } else if (s.kafka !== undefined) {
    fail(`sources.kafka is given but kafkaAlerts is false: set kafkaAlerts: true for the Kafka rules, or drop the citation`);
  }

  let rabbitmq: RabbitmqAlerts | undefined;
  if (args.rabbitmq) {
    const b = args.rabbitmq.backlogMessages;
    if (!(Number.isInteger(b) && b > 0)) fail(`rabbitmq.backlogMessages must be a positive integer (ready messages in one queue), got ${JSON.stringify(b)}`);
    rabbitmq = { source: citation("rabbitmq.source", args.rabbitmq.source), backlogMessages: b };
  }
  let postgres: PostgresAlerts | undefined;
  if (args.postgres) {
    const lag = args.postgres.replicationLagSeconds;
    if (!(typeof lag === "number" && Number.isFinite(lag) && lag > 0)) fail(`postgres.replicationLagSeconds must be a positive number of seconds, got ${JSON.stringify(lag)}`);
    postgres = { source: citation("postgres.source", args.postgres.source), replicationLagSeconds: lag };
  }

  let queueDepth: QueueDepthAlerts | undefined;
  if (args.queueDepth) {
    const { keys, maxJobs } = args.queueDepth;
    if (!(Number.isInteger(maxJobs) && maxJobs > 0)) fail(`queueDepth.maxJobs must be a positive integer, got ${JSON.stringify(maxJobs)}`);
    if (keys.length === 0 || keys.some((k) => !k || k.includes('"'))) fail(`queueDepth.keys must name one or more list keys without quotes, got ${JSON.stringify(keys)}`);
    queueDepth = { source: citation("queueDepth.source", args.queueDepth.source), keys, maxJobs };
  }
  const slowQueries = args.slowQueries ? { source: citation("slowQueries.source", args.slowQueries.source) } : undefined;

  const m = args.metrics ?? {};
  return {
    namespace: args.namespace,
    resourceName: args.resourceName ?? name,
    platform: args.platform,
    env: args.env,
    appNamespace: args.appNamespace,
    watchedNamespaces: args.watchedNamespaces ?? [args.appNamespace],
    paymentsRoutePrefix: args.paymentsRoutePrefix ?? "/api/payments",
    authRoutePrefix: args.authRoutePrefix ?? "/api/auth",
    noReadyReplicasPerDeployment: args.noReadyReplicasPerDeployment ?? false,
    thresholds,
    sources,
    metrics: {
      requestsTotal: m.requestsTotal ?? "http_requests_total",
      durationBucket: m.durationBucket ?? "http_request_duration_seconds_bucket",
      statusLabel: m.statusLabel ?? "status_code",
      routeLabel: m.routeLabel ?? "route",
    },
    ruleSelectorLabels: args.ruleSelectorLabels ?? {},
    kafkaAlerts,
    ...(rabbitmq ? { rabbitmq } : {}),
    ...(postgres ? { postgres } : {}),
    ...(queueDepth ? { queueDepth } : {}),
    ...(slowQueries ? { slowQueries } : {}),
    labels: args.labels ?? {},
  };
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * `s` as an RE2 regex matching it literally, written to sit inside a double-quoted PromQL string.
 * Metacharacters go in brackets, which need no backslash in the string literal; `^` and `\` cannot
 * stand alone in a class, so they take a backslash, doubled (as is `"`'s) for the string literal.
 */
function promRegexLiteral(s: string): string {
  return s.replace(/[.*+?$(){}|[\]]/g, "[$&]").replace(/[\\^]/g, "\\$&").replace(/[\\"]/g, "\\$&");
}

/** The dead-letter queues' names as a PromQL regex: `<queue>.dlq` (components/k8s/rabbitmq). */
const DLQ_QUEUE_REGEX = `.+${promRegexLiteral(RABBITMQ_DLQ_SUFFIX)}`;

/** Builds the rule groups; exported so that tests and policies read the exact expressions. */
export function platformAlertRuleGroups(r: ResolvedPlatformAlertRulesArgs): { name: string; rules: AlertRule[] }[] {
  const t = r.thresholds;
  const m = r.metrics;
  const src = r.sources;
  const app = `namespace="${r.appNamespace}"`;
  const watched = `namespace=~"${r.watchedNamespaces.map(promRegexLiteral).join("|")}"`;
  const pct = (x: number) => `${+(x * 100).toFixed(3)}%`;
  const rule = (alert: string, expr: string, forDuration: string, severity: "critical" | "warning", team: string, summary: string, source: string): AlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity, team, platform: r.platform, env: r.env },
    annotations: { summary, description: `${summary} (${r.platform} ${r.env}).`, source },
  });
  const errorRatio = (routeMatcher: string) =>
    `sum(rate(${m.requestsTotal}{${app}${routeMatcher},${m.statusLabel}=~"5.."}[5m])) / sum(rate(${m.requestsTotal}{${app}${routeMatcher}}[5m])) > ${t.errorRatio}`;
  // Metric names follow components/k8s/kafka's kafkaJmxExporterConfig() (kafka_<domain>_<type>_<name>_<attribute>, lowercase).
  const kafka: { name: string; rules: AlertRule[] }[] = r.kafkaAlerts && src.kafka
    ? [
        {
          name: `${r.platform}-kafka`,
          rules: [
            rule(
              "KafkaUnderReplicatedPartitions",
              `sum by (namespace, pod) (kafka_server_replicamanager_underreplicatedpartitions_value{${watched}}) > 0`,
              "10m",
              "warning",
              "platform",
              "Kafka partitions below their replication factor",
              src.kafka.underReplicated,
            ),
            rule(
              "KafkaOfflinePartitions",
              `sum by (namespace) (kafka_controller_kafkacontroller_offlinepartitionscount_value{${watched}}) > 0`,
              "1m",
              "critical",
              "platform",
              "Kafka partitions without a leader (producers and consumers blocked)",
              src.kafka.offline,
            ),
          ],
        },
      ]
    : [];
  // rabbitmq_prometheus (RabbitMQ 4.2): per-queue gauges only on /metrics/detailed, prefixed
  // rabbitmq_detailed_ and labelled {vhost, queue} (family queue_coarse_metrics, which
  // components/k8s/rabbitmq's PodMonitor requests); alarms on /metrics. A quorum queue reports from
  // its leader, and a leader change can briefly leave two series: max, never sum.
  const rabbitmq: { name: string; rules: AlertRule[] }[] = r.rabbitmq
    ? [
        {
          name: `${r.platform}-rabbitmq`,
          rules: [
            rule(
              "RabbitmqDeadLetteredMessages",
              `max by (namespace, vhost, queue) (rabbitmq_detailed_queue_messages{${watched},queue=~"${DLQ_QUEUE_REGEX}"}) > 0`,
              "5m",
              "warning",
              "platform",
              "messages in dead-letter queue {{ $labels.queue }}: they failed all their retries",
              r.rabbitmq.source,
            ),
            rule(
              "RabbitmqQueueBacklog",
              `max by (namespace, vhost, queue) (rabbitmq_detailed_queue_messages_ready{${watched},queue!~"${DLQ_QUEUE_REGEX}"}) > ${r.rabbitmq.backlogMessages}`,
              "15m",
              "warning",
              "platform",
              `more than ${r.rabbitmq.backlogMessages} ready messages in queue {{ $labels.queue }} (consumers behind)`,
              r.rabbitmq.source,
            ),
            rule(
              "RabbitmqNodeAlarm",
              // Filter each alarm before `or`: both series carry the same labels, so an unfiltered
              // memory 0 would hide a disk 1.
              `(max by (namespace, pod) (rabbitmq_alarms_memory_used_watermark{${watched}}) > 0) or (max by (namespace, pod) (rabbitmq_alarms_free_disk_space_watermark{${watched}}) > 0)`,
              "1m",
              "critical",
              "platform",
              "RabbitMQ memory or disk alarm raised on {{ $labels.pod }}: publishers are blocked",
              r.rabbitmq.source,
            ),
          ],
        },
      ]
    : [];
  // CloudNativePG 1.30's default monitoring queries (config/manager/default-monitoring.yaml,
  // pg_replication): lag in seconds (0 on the primary), in_recovery 1 on a replica. The instances of
  // one cluster share the `job` label prometheus-operator gives a PodMonitor (<namespace>/<name>).
  const postgres: { name: string; rules: AlertRule[] }[] = r.postgres
    ? [
        {
          name: `${r.platform}-postgres`,
          rules: [
            rule(
              "PostgresReplicationLagHigh",
              `max by (namespace, pod) (cnpg_pg_replication_lag{${watched}}) > ${r.postgres.replicationLagSeconds}`,
              "5m",
              "warning",
              "platform",
              `PostgreSQL replica {{ $labels.pod }} more than ${r.postgres.replicationLagSeconds} s behind the primary`,
              r.postgres.source,
            ),
            rule(
              "PostgresNoPrimary",
              // Every reporting instance in recovery, outside replica mode; or no instance reporting at
              // all. 2m lets a switchover or failover finish without paging.
              `(min by (namespace, job) (cnpg_pg_replication_in_recovery{${watched}}) == 1 unless on (namespace, job) (max by (namespace, job) (cnpg_collector_replica_mode{${watched}}) == 1)) or absent(cnpg_pg_replication_in_recovery{${watched}})`,
              "2m",
              "critical",
              "platform",
              "no PostgreSQL primary: writes fail",
              r.postgres.source,
            ),
          ],
        },
      ]
    : [];
  return [
    {
      name: `${r.platform}-application`,
      rules: [
        rule(
          "AppLatencyP95High",
          `histogram_quantile(0.95, sum by (le) (rate(${m.durationBucket}{${app}}[5m]))) > ${t.latencyP95Seconds}`,
          "10m",
          "warning",
          "platform",
          `p95 response time above ${t.latencyP95Seconds * 1000} ms`,
          src.latency,
        ),
        rule("AppErrorRateHigh", errorRatio(""), "5m", "critical", "platform", `HTTP 5xx rate above ${pct(t.errorRatio)}`, src.errorRate),
        r.noReadyReplicasPerDeployment
          ? rule(
              "AppNoReadyReplicas",
              `(sum by (deployment) (kube_deployment_status_replicas_available{${app}}) == 0) and on (deployment) (sum by (deployment) (kube_deployment_spec_replicas{${app}}) > 0)`,
              "2m",
              "critical",
              "platform",
              "no ready replica of {{ $labels.deployment }}",
              src.uptime,
            )
          : rule("AppNoReadyReplicas", `sum(kube_deployment_status_replicas_available{${app}}) == 0`, "2m", "critical", "platform", "no ready replica of the application", src.uptime),
      ],
    },
    {
      name: `${r.platform}-payment`,
      rules: [
        rule(
          "PaymentErrorRateHigh",
          errorRatio(`,${m.routeLabel}=~"${r.paymentsRoutePrefix}.*"`),
          "5m",
          "critical",
          "payment",
          `payment API 5xx rate above ${pct(t.errorRatio)}`,
          src.payment,
        ),
      ],
    },
    {
      name: `${r.platform}-security`,
      rules: [
        rule(
          "AuthFailureRatioHigh",
          `sum(rate(${m.requestsTotal}{${app},${m.routeLabel}=~"${r.authRoutePrefix}.*",${m.statusLabel}=~"401|403"}[10m])) / sum(rate(${m.requestsTotal}{${app},${m.routeLabel}=~"${r.authRoutePrefix}.*"}[10m])) > ${t.authFailureRatio}`,
          "10m",
          "warning",
          "security",
          `more than ${pct(t.authFailureRatio)} of authentication requests rejected (possible credential stuffing)`,
          src.security,
        ),
      ],
    },
    {
      name: `${r.platform}-infrastructure`,
      rules: [
        rule(
          "ContainerCpuHigh",
          `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${watched},container!=""}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${watched},resource="cpu"}) > ${t.cpuRatio}`,
          "15m",
          "warning",
          "platform",
          `container CPU above ${pct(t.cpuRatio)} of its limit`,
          src.cpu,
        ),
        rule(
          "ContainerMemoryHigh",
          `sum by (namespace, pod, container) (container_memory_working_set_bytes{${watched},container!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${watched},resource="memory"}) > ${t.memoryRatio}`,
          "15m",
          "warning",
          "platform",
          `container memory above ${pct(t.memoryRatio)} of its limit`,
          src.memory,
        ),
        rule(
          "PersistentVolumeUsageHigh",
          `kubelet_volume_stats_used_bytes{${watched}} / kubelet_volume_stats_capacity_bytes{${watched}} > ${t.diskRatio}`,
          "10m",
          "critical",
          "platform",
          `persistent volume more than ${pct(t.diskRatio)} full`,
          src.disk,
        ),
      ],
    },
    ...kafka,
    ...rabbitmq,
    ...postgres,
    ...(r.queueDepth
      ? [
          {
            name: `${r.platform}-queues`,
            rules: [
              rule(
                "QueueDepthHigh",
                // One node holds a list (its hash slot): the max over the cluster's exporters. A key
                // may hold regex metacharacters (Laravel's `queues:{high}`).
                `max by (key) (redis_key_size{${watched},key=~"${r.queueDepth.keys.map(promRegexLiteral).join("|")}"}) > ${r.queueDepth.maxJobs}`,
                "5m",
                "warning",
                "platform",
                `queue {{ $labels.key }} holds more than ${r.queueDepth.maxJobs} jobs`,
                r.queueDepth.source,
              ),
            ],
          },
        ]
      : []),
    ...(r.slowQueries
      ? [
          {
            name: `${r.platform}-mariadb`,
            rules: [
              rule(
                "MariadbSlowQueries",
                `sum by (namespace, pod) (increase(mysql_global_status_slow_queries{${watched}}[5m])) > 0`,
                "5m",
                "warning",
                "platform",
                "MariaDB queries slower than the server's long_query_time",
                r.slowQueries.source,
              ),
            ],
          },
        ]
      : []),
  ];
}

export class PlatformAlertRules extends pulumi.ComponentResource {
  /** Name of the PrometheusRule. */
  public readonly ruleName: pulumi.Output<string>;
  /** Alert names, for dashboards and tests. */
  public readonly alertNames: pulumi.Output<string[]>;

  constructor(name: string, args: PlatformAlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PLATFORM_ALERT_RULES_TYPE, name, {}, opts);
    const r = resolvePlatformAlertRulesArgs(name, args);
    const groups = platformAlertRuleGroups(r);
    const rule = new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
          name: r.resourceName,
          namespace: r.namespace,
          labels: mergeLabels(standardLabels(r.resourceName, r.resourceName, "alerting", r.labels), r.ruleSelectorLabels),
        },
        spec: { groups },
      },
      { parent: this },
    );
    this.ruleName = rule.metadata.name;
    this.alertNames = pulumi.output(groups.flatMap((g) => g.rules.map((x) => x.alert)));
    this.registerOutputs({ ruleName: this.ruleName, alertNames: this.alertNames });
  }
}

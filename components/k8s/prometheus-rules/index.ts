/**
 * PlatformAlertRules: the alerting rules a platform's document states, as one PrometheusRule
 * (monitoring.coreos.com/v1) that kube-prometheus-stack's Prometheus loads. Every rule carries
 * `severity` (critical | warning) and `team` (platform | security | payment) so that Alertmanager
 * routes it as diaspomoney.md § Alertes Configurées describes, and cites its source.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, type CommonArgs, type Labels } from "../../common/conventions";
import { standardLabels } from "../common/pod-security";

export const PLATFORM_ALERT_RULES_TYPE = "platform:k8s:PlatformAlertRules";

const DOC = "docs/platforms/diaspomoney.md";

/** The document's thresholds, as fractions and seconds. */
export interface AlertThresholds {
  /** p95 response time, seconds. @default 0.2 (§ Métriques Application: "Response Time < 200ms (95th percentile)") */
  latencyP95Seconds?: number;
  /** 5xx share of requests. @default 0.001 (§ Métriques Application: "Error Rate < 0.1%") */
  errorRatio?: number;
  /** Container CPU over its limit. @default 0.7 (§ Métriques Infrastructure: "CPU Usage < 70%") */
  cpuRatio?: number;
  /** Container working set over its memory limit. @default 0.8 (§ Métriques Infrastructure: "Memory Usage < 80%") */
  memoryRatio?: number;
  /** Used share of a persistent volume. @default 0.85 (§ Métriques Infrastructure: "Disk Usage < 85%") */
  diskRatio?: number;
  /**
   * Share of authentication requests answered 401/403. Not a document figure: chosen as the
   * anomaly signal for § Audit "Anomaly Detection", routed to the security team.
   * @default 0.2
   */
  authFailureRatio?: number;
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
  /** Route prefix of the payment API. @default "/api/payments" (§ APIs: "Payments : /api/payments/*") */
  paymentsRoutePrefix?: string;
  /** Route prefix of the authentication API. @default "/api/auth" (§ APIs: "Auth : /api/auth/*") */
  authRoutePrefix?: string;
  /** @default the document's figures */
  thresholds?: AlertThresholds;
  /** @default prom-client names */
  metrics?: HttpMetricNames;
  /**
   * Labels Prometheus' ruleSelector matches (e.g. `release: kube-prometheus-stack`).
   * @default {}
   */
  ruleSelectorLabels?: Labels;
  /**
   * Kafka alerts over the metrics KafkaCluster exposes (its JMX exporter rules, `metrics.enabled`):
   * under-replicated and offline partitions in the watched namespaces.
   * @default true
   */
  kafkaAlerts?: boolean;
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
  thresholds: Required<AlertThresholds>;
  metrics: Required<HttpMetricNames>;
  ruleSelectorLabels: Labels;
  kafkaAlerts: boolean;
  labels: Labels;
}

/** Applies defaults (the document's figures) and rejects nonsensical thresholds. */
export function resolvePlatformAlertRulesArgs(name: string, args: PlatformAlertRulesArgs): ResolvedPlatformAlertRulesArgs {
  const t = args.thresholds ?? {};
  const thresholds: Required<AlertThresholds> = {
    latencyP95Seconds: t.latencyP95Seconds ?? 0.2,
    errorRatio: t.errorRatio ?? 0.001,
    cpuRatio: t.cpuRatio ?? 0.7,
    memoryRatio: t.memoryRatio ?? 0.8,
    diskRatio: t.diskRatio ?? 0.85,
    authFailureRatio: t.authFailureRatio ?? 0.2,
  };
  for (const [key, value] of Object.entries(thresholds)) {
    const max = key === "latencyP95Seconds" ? Infinity : 1;
    if (!(value > 0 && value <= max)) {
      throw new ComponentArgsError(PLATFORM_ALERT_RULES_TYPE, name, `thresholds.${key} must be in (0, ${max === 1 ? "1" : "∞"}), got ${value} (ratios are fractions: 0.7, not 70)`);
    }
  }
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
    thresholds,
    metrics: {
      requestsTotal: m.requestsTotal ?? "http_requests_total",
      durationBucket: m.durationBucket ?? "http_request_duration_seconds_bucket",
      statusLabel: m.statusLabel ?? "status_code",
      routeLabel: m.routeLabel ?? "route",
    },
    ruleSelectorLabels: args.ruleSelectorLabels ?? {},
    kafkaAlerts: args.kafkaAlerts ?? true,
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

/** Builds the rule groups; exported so that tests and policies read the exact expressions. */
export function platformAlertRuleGroups(r: ResolvedPlatformAlertRulesArgs): { name: string; rules: AlertRule[] }[] {
  const t = r.thresholds;
  const m = r.metrics;
  const app = `namespace="${r.appNamespace}"`;
  const watched = `namespace=~"${r.watchedNamespaces.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")}"`;
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
  const kafka: { name: string; rules: AlertRule[] }[] = r.kafkaAlerts
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
              `${DOC} § Scalabilité: "Kafka - Partitioning et réplication" (any under-replicated partition; the document gives no figure)`,
            ),
            rule(
              "KafkaOfflinePartitions",
              `sum by (namespace) (kafka_controller_kafkacontroller_offlinepartitionscount_value{${watched}}) > 0`,
              "1m",
              "critical",
              "platform",
              "Kafka partitions without a leader (producers and consumers blocked)",
              `${DOC} § Scalabilité: "Kafka - Partitioning et réplication"; § Métriques Application: "Uptime > 99.9%"`,
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
          `${DOC} § Métriques Application: "Response Time < 200ms (95th percentile)"`,
        ),
        rule(
          "AppErrorRateHigh",
          errorRatio(""),
          "5m",
          "critical",
          "platform",
          `HTTP 5xx rate above ${pct(t.errorRatio)}`,
          `${DOC} § Métriques Application: "Error Rate < 0.1%"`,
        ),
        rule(
          "AppNoReadyReplicas",
          `sum(kube_deployment_status_replicas_available{${app}}) == 0`,
          "2m",
          "critical",
          "platform",
          "no ready replica of the application",
          `${DOC} § Métriques Application: "Uptime > 99.9%"`,
        ),
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
          `${DOC} § Alertes Configurées: "Payment → Équipe paiements"; § Métriques Application: "Error Rate < 0.1%"`,
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
          `${DOC} § Alertes Configurées: "Security → Équipe sécurité"; § Audit: "Anomaly Detection" (threshold chosen, not in the document)`,
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
          `${DOC} § Métriques Infrastructure: "CPU Usage < 70%"`,
        ),
        rule(
          "ContainerMemoryHigh",
          `sum by (namespace, pod, container) (container_memory_working_set_bytes{${watched},container!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${watched},resource="memory"}) > ${t.memoryRatio}`,
          "15m",
          "warning",
          "platform",
          `container memory above ${pct(t.memoryRatio)} of its limit`,
          `${DOC} § Métriques Infrastructure: "Memory Usage < 80%"`,
        ),
        rule(
          "PersistentVolumeUsageHigh",
          `kubelet_volume_stats_used_bytes{${watched}} / kubelet_volume_stats_capacity_bytes{${watched}} > ${t.diskRatio}`,
          "10m",
          "critical",
          "platform",
          `persistent volume more than ${pct(t.diskRatio)} full`,
          `${DOC} § Métriques Infrastructure: "Disk Usage < 85%"`,
        ),
      ],
    },
    ...kafka,
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

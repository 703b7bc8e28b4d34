import * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { kafkaJmxExporterConfig } from "../kafka";
import { RABBITMQ_DLQ_SUFFIX } from "../rabbitmq";
import { PlatformAlertRules, platformAlertRuleGroups, resolvePlatformAlertRulesArgs, type AlertRule, type AlertSources, type PlatformAlertRulesArgs } from "./index";

// Sentinel citations: no platform document, so that a citation the component made up stands out.
const sources: AlertSources = {
  latency: "doc.md § L",
  errorRate: "doc.md § E",
  uptime: "doc.md § U",
  payment: "doc.md § P",
  security: "doc.md § S",
  cpu: "doc.md § C",
  memory: "doc.md § M",
  disk: "doc.md § D",
};
const kafkaSources = { underReplicated: "doc.md § K-under", offline: "doc.md § K-offline" };

const base: PlatformAlertRulesArgs = {
  namespace: "acme-prod",
  platform: "acme",
  env: "prod",
  appNamespace: "acme-prod",
  watchedNamespaces: ["acme-prod", "acme-prod-infra"],
  thresholds: { latencyP95Seconds: 0.3, errorRatio: 0.002, cpuRatio: 0.75, memoryRatio: 0.8, diskRatio: 0.9, authFailureRatio: 0.25 },
  sources,
  ruleSelectorLabels: { release: "kube-prometheus-stack" },
};
const rabbitmq = { source: "doc.md § R", backlogMessages: 1000 };
const postgres = { source: "doc.md § PG", replicationLagSeconds: 30 };
const everything: Partial<PlatformAlertRulesArgs> = { kafkaAlerts: true, sources: { ...sources, kafka: kafkaSources }, rabbitmq, postgres };

function groups(args: Partial<PlatformAlertRulesArgs> = {}) {
  return platformAlertRuleGroups(resolvePlatformAlertRulesArgs("alerts", { ...base, ...args }));
}
function rules(args: Partial<PlatformAlertRulesArgs> = {}): Record<string, AlertRule> {
  return Object.fromEntries(groups(args).flatMap((g) => g.rules).map((r) => [r.alert, r]));
}
function argsError(args: Partial<PlatformAlertRulesArgs>): string {
  try {
    resolvePlatformAlertRulesArgs("alerts", { ...base, ...args } as PlatformAlertRulesArgs);
  } catch (e) {
    expect(e).toBeInstanceOf(ComponentArgsError);
    return (e as Error).message;
  }
  throw new Error("expected a ComponentArgsError");
}

describe("PlatformAlertRules", () => {
  it("creates one PrometheusRule, valid against the prometheus-operator CRD, selected by Prometheus", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", {});
      new PlatformAlertRules("alerts", { ...base, ...everything }, { provider });
    });
    const rule = plan.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rule.parent).toBe(plan.one("platform:k8s:PlatformAlertRules").urn);
    expect(rule.provider).toMatch(/providers:kubernetes::k8s/);
    expect(valueAt(rule.inputs, "metadata.labels.release")).toBe("kube-prometheus-stack");
    expect(validateRecordedResource(rule)).toEqual({ valid: true, errors: [] });
    expect((valueAt(rule.inputs, "spec.groups") as { name: string }[]).map((g) => g.name)).toEqual([
      "acme-application",
      "acme-payment",
      "acme-security",
      "acme-infrastructure",
      "acme-kafka",
      "acme-rabbitmq",
      "acme-postgres",
    ]);
  });

  it("makes the Kafka, RabbitMQ and PostgreSQL groups only when asked", () => {
    expect(groups().map((g) => g.name)).toEqual(["acme-application", "acme-payment", "acme-security", "acme-infrastructure"]);
    expect(groups({ rabbitmq }).map((g) => g.name)).toEqual(["acme-application", "acme-payment", "acme-security", "acme-infrastructure", "acme-rabbitmq"]);
    expect(groups({ postgres }).map((g) => g.name).at(-1)).toBe("acme-postgres");
    expect(groups({ postgres }).map((g) => g.name)).not.toContain("acme-rabbitmq");
    expect(groups({ kafkaAlerts: true, sources: { ...sources, kafka: kafkaSources } }).map((g) => g.name).at(-1)).toBe("acme-kafka");
    expect(resolvePlatformAlertRulesArgs("alerts", base).kafkaAlerts).toBe(false);
  });

  it("puts the caller's thresholds in the expressions", () => {
    const r = rules();
    expect(r.AppLatencyP95High.expr).toMatch(/^histogram_quantile\(0\.95, .*\) > 0\.3$/);
    expect(r.AppErrorRateHigh.expr).toMatch(/status_code=~"5\.\."\}\[5m\]\)\) \/ sum\(rate\(http_requests_total\{namespace="acme-prod"\}\[5m\]\)\) > 0\.002$/);
    expect(r.ContainerCpuHigh.expr).toMatch(/> 0\.75$/);
    expect(r.ContainerMemoryHigh.expr).toMatch(/> 0\.8$/);
    expect(r.PersistentVolumeUsageHigh.expr).toMatch(/kubelet_volume_stats_used_bytes\{namespace=~"acme-prod\|acme-prod-infra"\} .* > 0\.9$/);
    expect(r.AuthFailureRatioHigh.expr).toMatch(/> 0\.25$/);
    expect(r.PaymentErrorRateHigh.expr).toContain('route=~"/api/payments.*"');
    expect(r.AppLatencyP95High.annotations.summary).toBe("p95 response time above 300 ms");
  });

  it("watches each Deployment's readiness when asked, ignoring Deployments scaled to zero", () => {
    expect(rules().AppNoReadyReplicas.expr).toBe('sum(kube_deployment_status_replicas_available{namespace="acme-prod"}) == 0');
    const r = rules({ noReadyReplicasPerDeployment: true }).AppNoReadyReplicas;
    expect(r.expr).toBe(
      '(sum by (deployment) (kube_deployment_status_replicas_available{namespace="acme-prod"}) == 0) and on (deployment) (sum by (deployment) (kube_deployment_spec_replicas{namespace="acme-prod"}) > 0)',
    );
    expect(r.labels.severity).toBe("critical");
    expect(r.annotations.source).toBe(sources.uptime);
  });

  it("cites exactly the caller's strings, one per rule family", () => {
    const r = rules(everything);
    const given = new Set([...Object.values(sources), ...Object.values(kafkaSources), rabbitmq.source, postgres.source]);
    for (const x of Object.values(r)) expect(given.has(x.annotations.source), `${x.alert} cites "${x.annotations.source}", which the caller did not give`).toBe(true);
    const cites = (alert: string) => r[alert].annotations.source;
    expect(cites("AppLatencyP95High")).toBe(sources.latency);
    expect(cites("AppErrorRateHigh")).toBe(sources.errorRate);
    expect(cites("AppNoReadyReplicas")).toBe(sources.uptime);
    expect(cites("PaymentErrorRateHigh")).toBe(sources.payment);
    expect(cites("AuthFailureRatioHigh")).toBe(sources.security);
    expect(cites("ContainerCpuHigh")).toBe(sources.cpu);
    expect(cites("ContainerMemoryHigh")).toBe(sources.memory);
    expect(cites("PersistentVolumeUsageHigh")).toBe(sources.disk);
    expect(cites("KafkaUnderReplicatedPartitions")).toBe(kafkaSources.underReplicated);
    expect(cites("KafkaOfflinePartitions")).toBe(kafkaSources.offline);
    for (const a of ["RabbitmqDeadLetteredMessages", "RabbitmqQueueBacklog", "RabbitmqNodeAlarm"]) expect(cites(a)).toBe(rabbitmq.source);
    for (const a of ["PostgresReplicationLagHigh", "PostgresNoPrimary"]) expect(cites(a)).toBe(postgres.source);
  });

  it("names no platform document of its own", () => {
    const code = readFileSync(join(__dirname, "index.ts"), "utf8");
    expect(code).not.toMatch(/docs\/platforms|diaspomoney|shareyoursales|quickfund/i);
  });

  it("labels every alert for routing", () => {
    const r = rules(everything);
    const bySeverity = (s: string) => Object.values(r).filter((x) => x.labels.severity === s).map((x) => x.alert).sort();
    expect(bySeverity("critical")).toEqual(["AppErrorRateHigh", "AppNoReadyReplicas", "KafkaOfflinePartitions", "PaymentErrorRateHigh", "PersistentVolumeUsageHigh", "PostgresNoPrimary", "RabbitmqNodeAlarm"]);
    expect(bySeverity("warning")).toEqual([
      "AppLatencyP95High",
      "AuthFailureRatioHigh",
      "ContainerCpuHigh",
      "ContainerMemoryHigh",
      "KafkaUnderReplicatedPartitions",
      "PostgresReplicationLagHigh",
      "RabbitmqDeadLetteredMessages",
      "RabbitmqQueueBacklog",
    ]);
    expect(r.PaymentErrorRateHigh.labels.team).toBe("payment");
    expect(r.AuthFailureRatioHigh.labels.team).toBe("security");
    for (const x of Object.values(r)) {
      expect(x.labels).toMatchObject({ platform: "acme", env: "prod" });
      expect(x.for).toMatch(/^\d+m$/);
    }
  });

  it("alerts on Kafka partitions from the metrics the Kafka component's JMX exporter rules produce", () => {
    const r = rules(everything);
    // kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value → kafka_server_$1_$2_$3, lowercased.
    expect(kafkaJmxExporterConfig()).toContain('name: "kafka_server_$1_$2_$3"');
    expect(r.KafkaUnderReplicatedPartitions.expr).toMatch(/^sum by \(namespace, pod\) \(kafka_server_replicamanager_underreplicatedpartitions_value\{namespace=~"acme-prod\|acme-prod-infra"\}\) > 0$/);
    expect(r.KafkaOfflinePartitions.expr).toContain("kafka_controller_kafkacontroller_offlinepartitionscount_value");
    expect(kafkaJmxExporterConfig()).toContain('name: "kafka_controller_$1_$2_$3"');
  });

  it("alerts on RabbitMQ from rabbitmq_prometheus' detailed queue gauges and its alarms", () => {
    const r = rules({ rabbitmq });
    expect(RABBITMQ_DLQ_SUFFIX).toBe(".dlq");
    const w = 'namespace=~"acme-prod|acme-prod-infra"';
    expect(r.RabbitmqDeadLetteredMessages.expr).toBe(`max by (namespace, vhost, queue) (rabbitmq_detailed_queue_messages{${w},queue=~".+[.]dlq"}) > 0`);
    expect(r.RabbitmqDeadLetteredMessages.for).toBe("5m");
    expect(r.RabbitmqQueueBacklog.expr).toBe(`max by (namespace, vhost, queue) (rabbitmq_detailed_queue_messages_ready{${w},queue!~".+[.]dlq"}) > 1000`);
    expect(r.RabbitmqQueueBacklog.for).toBe("15m");
    expect(rules({ rabbitmq: { ...rabbitmq, backlogMessages: 250 } }).RabbitmqQueueBacklog.expr).toMatch(/> 250$/);
    expect(r.RabbitmqNodeAlarm.expr).toContain(`(max by (namespace, pod) (rabbitmq_alarms_memory_used_watermark{${w}}) > 0) or`);
    expect(r.RabbitmqNodeAlarm.expr).toContain(`(max by (namespace, pod) (rabbitmq_alarms_free_disk_space_watermark{${w}}) > 0)`);
  });

  it("reads the queue metrics the RabbitMQ component's PodMonitor asks /metrics/detailed for", () => {
    const code = readFileSync(join(__dirname, "..", "rabbitmq", "index.ts"), "utf8");
    expect(code).toMatch(/path: "\/metrics\/detailed", params: \{ family: \[[^\]]*"queue_coarse_metrics"/);
    expect(code).toMatch(/path: "\/metrics" \}/);
  });

  it("alerts on PostgreSQL from CloudNativePG's default pg_replication metrics", () => {
    const r = rules({ postgres });
    const w = 'namespace=~"acme-prod|acme-prod-infra"';
    expect(r.PostgresReplicationLagHigh.expr).toBe(`max by (namespace, pod) (cnpg_pg_replication_lag{${w}}) > 30`);
    expect(r.PostgresReplicationLagHigh.for).toBe("5m");
    expect(rules({ postgres: { ...postgres, replicationLagSeconds: 12.5 } }).PostgresReplicationLagHigh.expr).toMatch(/> 12\.5$/);
    expect(r.PostgresNoPrimary.expr).toContain(`min by (namespace, job) (cnpg_pg_replication_in_recovery{${w}}) == 1`);
    expect(r.PostgresNoPrimary.expr).toContain("cnpg_collector_replica_mode");
    expect(r.PostgresNoPrimary.expr).toMatch(/ or absent\(cnpg_pg_replication_in_recovery\{namespace=~"acme-prod\|acme-prod-infra"\}\)$/);
  });

  it("takes thresholds as fractions, all of them, and refuses percentages", () => {
    expect(rules({ thresholds: { ...base.thresholds, cpuRatio: 0.6 } }).ContainerCpuHigh.expr).toMatch(/> 0\.6$/);
    expect(argsError({ thresholds: { ...base.thresholds, cpuRatio: 70 } })).toMatch(/thresholds.cpuRatio .* got 70 .*fractions/);
    const { diskRatio: _, ...noDisk } = base.thresholds;
    expect(argsError({ thresholds: noDisk as PlatformAlertRulesArgs["thresholds"] })).toMatch(/thresholds.diskRatio .* got undefined/);
  });

  it("refuses a missing citation, and a Kafka citation or Kafka alerts without the other", () => {
    const { memory: _, ...noMemory } = sources;
    expect(argsError({ sources: noMemory as AlertSources })).toMatch(/sources.memory must be a non-empty citation/);
    expect(argsError({ sources: { ...sources, cpu: "  " } })).toMatch(/sources.cpu must be a non-empty citation/);
    expect(argsError({ kafkaAlerts: true })).toMatch(/kafkaAlerts is true, so sources.kafka .* is required/);
    expect(argsError({ sources: { ...sources, kafka: kafkaSources } })).toMatch(/sources.kafka is given but kafkaAlerts is false/);
    expect(argsError({ kafkaAlerts: true, sources: { ...sources, kafka: { ...kafkaSources, offline: "" } } })).toMatch(/sources.kafka.offline/);
  });

  it("refuses a RabbitMQ or PostgreSQL group without its citation or with a nonsensical figure", () => {
    expect(argsError({ rabbitmq: { ...rabbitmq, source: "" } })).toMatch(/rabbitmq.source must be a non-empty citation/);
    expect(argsError({ rabbitmq: { ...rabbitmq, backlogMessages: 0 } })).toMatch(/rabbitmq.backlogMessages must be a positive integer.*got 0/);
    expect(argsError({ rabbitmq: { ...rabbitmq, backlogMessages: 10.5 } })).toMatch(/got 10\.5/);
    expect(argsError({ postgres: { ...postgres, source: "" } })).toMatch(/postgres.source must be a non-empty citation/);
    expect(argsError({ postgres: { ...postgres, replicationLagSeconds: -1 } })).toMatch(/postgres.replicationLagSeconds must be a positive number of seconds, got -1/);
  });
});

describe("PlatformAlertRules: queue depth and slow queries", () => {
  it("adds the groups only when asked, with the caller's figure and citation", () => {
    expect(rules().QueueDepthHigh).toBeUndefined();
    expect(rules().MariadbSlowQueries).toBeUndefined();
    const r = rules({ queueDepth: { source: "crm § Alertes Critiques", keys: ["queues:{high}", "queues:{low}"], maxJobs: 100 }, slowQueries: { source: "crm § slow" } });
    // Braces become bracketed characters: a valid RE2 regex and a valid PromQL string.
    expect(r.QueueDepthHigh.expr).toBe('max by (key) (redis_key_size{namespace=~"acme-prod|acme-prod-infra",key=~"queues:[{]high[}]|queues:[{]low[}]"}) > 100');
    expect(r.QueueDepthHigh.annotations.source).toBe("crm § Alertes Critiques");
    expect(r.MariadbSlowQueries.expr).toMatch(/^sum by \(namespace, pod\) \(increase\(mysql_global_status_slow_queries\{namespace=~"[^"]+"\}\[5m\]\)\) > 0$/);
    expect(r.MariadbSlowQueries.annotations.source).toBe("crm § slow");
  });
  it("refuses a queue-depth group without keys or with a non-positive figure", () => {
    expect(() => rules({ queueDepth: { source: "s", keys: [], maxJobs: 100 } })).toThrow(/queueDepth.keys/);
    expect(() => rules({ queueDepth: { source: "s", keys: ["q"], maxJobs: 0 } })).toThrow(/queueDepth.maxJobs/);
  });
});

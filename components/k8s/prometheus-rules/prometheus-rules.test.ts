import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { kafkaJmxExporterConfig } from "../kafka";
import { PlatformAlertRules, platformAlertRuleGroups, resolvePlatformAlertRulesArgs, type AlertRule, type PlatformAlertRulesArgs } from "./index";

const base: PlatformAlertRulesArgs = {
  namespace: "diaspomoney-prod",
  platform: "diaspomoney",
  env: "prod",
  appNamespace: "diaspomoney-prod",
  watchedNamespaces: ["diaspomoney-prod", "diaspomoney-prod-infra"],
  ruleSelectorLabels: { release: "kube-prometheus-stack" },
};

function rules(args: Partial<PlatformAlertRulesArgs> = {}): Record<string, AlertRule> {
  const groups = platformAlertRuleGroups(resolvePlatformAlertRulesArgs("alerts", { ...base, ...args }));
  return Object.fromEntries(groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
}

describe("PlatformAlertRules", () => {
  it("creates one PrometheusRule, valid against the prometheus-operator CRD, selected by Prometheus", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", {});
      new PlatformAlertRules("alerts", base, { provider });
    });
    const rule = plan.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rule.parent).toBe(plan.one("platform:k8s:PlatformAlertRules").urn);
    expect(rule.provider).toMatch(/providers:kubernetes::k8s/);
    expect(valueAt(rule.inputs, "metadata.labels.release")).toBe("kube-prometheus-stack");
    expect(validateRecordedResource(rule)).toEqual({ valid: true, errors: [] });
    expect((valueAt(rule.inputs, "spec.groups") as unknown[]).length).toBe(5);
  });

  it("encodes the document's thresholds", () => {
    const r = rules();
    expect(r.AppLatencyP95High.expr).toMatch(/^histogram_quantile\(0\.95, .*\) > 0\.2$/);
    expect(r.AppErrorRateHigh.expr).toMatch(/status_code=~"5\.\."\}\[5m\]\)\) \/ sum\(rate\(http_requests_total\{namespace="diaspomoney-prod"\}\[5m\]\)\) > 0\.001$/);
    expect(r.ContainerCpuHigh.expr).toMatch(/> 0\.7$/);
    expect(r.ContainerMemoryHigh.expr).toMatch(/> 0\.8$/);
    expect(r.PersistentVolumeUsageHigh.expr).toMatch(/kubelet_volume_stats_used_bytes\{namespace=~"diaspomoney-prod\|diaspomoney-prod-infra"\} .* > 0\.85$/);
    expect(r.PaymentErrorRateHigh.expr).toContain('route=~"/api/payments.*"');
  });

  it("alerts on Kafka partitions from the metrics the Kafka component's JMX exporter rules produce", () => {
    const r = rules();
    // kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value → kafka_server_$1_$2_$3, lowercased.
    expect(kafkaJmxExporterConfig()).toContain('name: "kafka_server_$1_$2_$3"');
    expect(r.KafkaUnderReplicatedPartitions.expr).toMatch(/^sum by \(namespace, pod\) \(kafka_server_replicamanager_underreplicatedpartitions_value\{namespace=~"diaspomoney-prod\|diaspomoney-prod-infra"\}\) > 0$/);
    expect(r.KafkaOfflinePartitions.expr).toContain("kafka_controller_kafkacontroller_offlinepartitionscount_value");
    expect(kafkaJmxExporterConfig()).toContain('name: "kafka_controller_$1_$2_$3"');
  });

  it("labels every alert for routing and cites diaspomoney.md", () => {
    const r = rules();
    const bySeverity = (s: string) => Object.values(r).filter((x) => x.labels.severity === s).map((x) => x.alert).sort();
    expect(bySeverity("critical")).toEqual(["AppErrorRateHigh", "AppNoReadyReplicas", "KafkaOfflinePartitions", "PaymentErrorRateHigh", "PersistentVolumeUsageHigh"]);
    expect(bySeverity("warning")).toEqual(["AppLatencyP95High", "AuthFailureRatioHigh", "ContainerCpuHigh", "ContainerMemoryHigh", "KafkaUnderReplicatedPartitions"]);
    expect(r.PaymentErrorRateHigh.labels.team).toBe("payment");
    expect(r.AuthFailureRatioHigh.labels.team).toBe("security");
    for (const x of Object.values(r)) {
      expect(x.labels).toMatchObject({ platform: "diaspomoney", env: "prod" });
      expect(x.annotations.source, x.alert).toMatch(/^docs\/platforms\/diaspomoney\.md § /);
      expect(x.for).toMatch(/^\d+m$/);
    }
    expect(r.AppLatencyP95High.annotations.source).toContain("Response Time < 200ms (95th percentile)");
    expect(r.AppErrorRateHigh.annotations.source).toContain("Error Rate < 0.1%");
    expect(r.ContainerCpuHigh.annotations.source).toContain("CPU Usage < 70%");
    expect(r.ContainerMemoryHigh.annotations.source).toContain("Memory Usage < 80%");
    expect(r.PersistentVolumeUsageHigh.annotations.source).toContain("Disk Usage < 85%");
  });

  it("takes thresholds as fractions and refuses percentages", () => {
    expect(rules({ thresholds: { cpuRatio: 0.6 } }).ContainerCpuHigh.expr).toMatch(/> 0\.6$/);
    expect(() => resolvePlatformAlertRulesArgs("alerts", { ...base, thresholds: { cpuRatio: 70 } })).toThrow(/thresholds.cpuRatio .* fractions/);
  });
});

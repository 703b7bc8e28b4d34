import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { KafkaCluster, resolveKafkaClusterArgs, type KafkaClusterArgs } from "./index";

const base: KafkaClusterArgs = {
  namespace: "diaspomoney-prod-infra",
  brokers: 5,
  resourceName: "kafka",
  clientPeers: [{ namespace: "diaspomoney-prod", podLabels: { "app.kubernetes.io/name": "web" } }],
};
const KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka";
const POOL = "kubernetes:kafka.strimzi.io/v1:KafkaNodePool";
const USER = "kubernetes:kafka.strimzi.io/v1:KafkaUser";

async function plan(args: Partial<KafkaClusterArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new KafkaCluster("kafka", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

describe("KafkaCluster", () => {
  it("creates a KRaft cluster of v1 resources valid against Strimzi 1.2.0's CRDs", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      [KAFKA]: 1,
      [POOL]: 2,
      [USER]: 1,
      "kubernetes:core/v1:ConfigMap": 1,
      "kubernetes:monitoring.coreos.com/v1:PodMonitor": 1,
      "platform:k8s:KafkaCluster": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    expect(schemaErrors(p)).toEqual([]);
    const kafka = p.one(KAFKA).inputs;
    expect(valueAt(kafka, "metadata.annotations")).toEqual({ "strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled" });
    expect(valueAt(kafka, "spec.kafka.version")).toBe("4.2.0");
  });

  it("runs the document's brokers in a broker pool and a 3-node controller quorum", async () => {
    for (const [brokers, env] of [[3, "dev/rct"], [5, "prod"]] as const) {
      const p = await plan({ brokers });
      const broker = p.one(POOL, "kafka-broker").inputs;
      expect(valueAt(broker, "spec.replicas"), env).toBe(brokers);
      expect(valueAt(broker, "spec.roles")).toEqual(["broker"]);
      expect((valueAt(broker, "metadata.labels") as Record<string, string>)["strimzi.io/cluster"]).toBe("kafka");
      const controller = p.one(POOL, "kafka-controller").inputs;
      expect(valueAt(controller, "spec.replicas")).toBe(3);
      expect(valueAt(controller, "spec.roles")).toEqual(["controller"]);
    }
  });

  it("sets replication 3, min ISR 2, internal topics at 3 and an explicit retention", async () => {
    const config = valueAt((await plan({ retentionHours: 72 })).one(KAFKA).inputs, "spec.kafka.config");
    expect(config).toMatchObject({
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "offsets.topic.replication.factor": 3,
      "transaction.state.log.replication.factor": 3,
      "transaction.state.log.min.isr": 2,
      "log.retention.hours": 72,
    });
    expect(resolveKafkaClusterArgs("k", base).retentionHours).toBe(168);
  });

  it("exposes only a TLS listener on 9093 with client authentication, restricted to the given peers", async () => {
    const listeners = valueAt((await plan()).one(KAFKA).inputs, "spec.kafka.listeners") as Record<string, unknown>[];
    expect(listeners).toEqual([
      {
        name: "tls",
        port: 9093,
        type: "internal",
        tls: true,
        authentication: { type: "scram-sha-512" },
        networkPolicyPeers: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "diaspomoney-prod" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } },
        ],
      },
    ]);
    const tlsAuth = valueAt((await plan({ authentication: "tls" })).one(USER).inputs, "spec.authentication");
    expect(tlsAuth).toEqual({ type: "tls" });
  });

  it("keeps claims on deletion, lets Strimzi manage a PDB, and protects the stateful resources", async () => {
    const p = await plan();
    for (const pool of p.ofType(POOL)) {
      expect(valueAt(pool.inputs, "spec.storage")).toMatchObject({ type: "persistent-claim", deleteClaim: false });
      expect(pool.options.protect).toBe(true);
    }
    expect(valueAt(p.one(KAFKA).inputs, "spec.kafka.template.podDisruptionBudget")).toEqual({ maxUnavailable: 1 });
    expect(p.one(KAFKA).options.protect).toBe(true);
    expect(valueAt(p.one(KAFKA).inputs, "spec.entityOperator.userOperator")).toBeDefined();
    expect(valueAt(p.one(KAFKA).inputs, "spec.entityOperator.topicOperator")).toBeDefined();
  });

  it("gives the app user ACLs under simple authorization", async () => {
    const p = await plan({ appUser: { name: "diaspomoney-app", topics: "diaspomoney.", prefixTopics: true } });
    expect(valueAt(p.one(KAFKA).inputs, "spec.kafka.authorization")).toEqual({ type: "simple" });
    const user = p.one(USER).inputs;
    expect(valueAt(user, "metadata.name")).toBe("diaspomoney-app");
    expect(valueAt(user, "spec.authorization.acls[0].resource")).toEqual({ type: "topic", name: "diaspomoney.", patternType: "prefix" });
  });

  it("applies restricted container security contexts", async () => {
    const kafka = (await plan()).one(KAFKA).inputs;
    expect(valueAt(kafka, "spec.kafka.template.kafkaContainer.securityContext")).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(valueAt(kafka, "spec.entityOperator.template.userOperatorContainer.securityContext.allowPrivilegeEscalation")).toBe(false);
  });

  it("refuses fewer brokers than the replication factor, a bad min ISR, an even quorum and open listeners", () => {
    expect(() => resolveKafkaClusterArgs("k", { ...base, brokers: 2 })).toThrow(/brokers \(2\) must be an integer ≥ replicationFactor \(3\)/);
    expect(() => resolveKafkaClusterArgs("k", { ...base, minInsyncReplicas: 3 })).toThrow(/minInsyncReplicas/);
    expect(() => resolveKafkaClusterArgs("k", { ...base, controllers: 2 })).toThrow(/odd/);
    expect(() => resolveKafkaClusterArgs("k", { ...base, clientPeers: [] })).toThrow(/clientPeers is empty/);
  });

  it("exposes JMX metrics from a ConfigMap, runs Kafka Exporter for consumer lag, and scrapes both with a PodMonitor", async () => {
    const p = await plan({ metrics: { labels: { release: "kube-prometheus-stack" } } });
    const kafka = p.one(KAFKA).inputs;
    expect(valueAt(kafka, "spec.kafka.metricsConfig")).toEqual({ type: "jmxPrometheusExporter", valueFrom: { configMapKeyRef: { name: "kafka-metrics", key: "kafka-metrics-config.yml" } } });
    const rules = (valueAt(p.one("kubernetes:core/v1:ConfigMap").inputs, "data") as Record<string, string>)["kafka-metrics-config.yml"]!;
    expect(rules).toMatch(/^lowercaseOutputName: true/);
    expect(rules).toContain("kafka.server<type=(.+), name=(.+)><>(Count|Value|OneMinuteRate)");
    expect(valueAt(kafka, "spec.kafkaExporter.groupRegex")).toBe(".*");
    const pm = p.one("kubernetes:monitoring.coreos.com/v1:PodMonitor").inputs;
    expect(valueAt(pm, "spec.podMetricsEndpoints")).toEqual([{ port: "tcp-prometheus", path: "/metrics", interval: "30s" }]);
    expect(valueAt(pm, "metadata.labels.release")).toBe("kube-prometheus-stack");
    expect(schemaErrors(p)).toEqual([]);
    const off = await plan({ metrics: { enabled: false } });
    expect(off.ofType("kubernetes:monitoring.coreos.com/v1:PodMonitor")).toHaveLength(0);
    expect(valueAt(off.one(KAFKA).inputs, "spec.kafkaExporter")).toBeUndefined();
  });

  it("with client namespaces, gives the KafkaUser a generated password and writes it to each client namespace", async () => {
    const p = await plan({ appUser: { name: "diaspomoney-app", clientNamespaces: ["diaspomoney-prod"] } });
    const user = p.one(USER).inputs;
    expect(valueAt(user, "spec.authentication")).toEqual({ type: "scram-sha-512", password: { valueFrom: { secretKeyRef: { name: "diaspomoney-app-password", key: "password" } } } });
    const secrets = p.ofType("kubernetes:core/v1:Secret").map((s) => `${valueAt(s.inputs, "metadata.namespace")}/${valueAt(s.inputs, "metadata.name")}`);
    expect(secrets.sort()).toEqual(["diaspomoney-prod-infra/diaspomoney-app-password", "diaspomoney-prod/diaspomoney-app"]);
    const client = p.ofType("kubernetes:core/v1:Secret").find((s) => valueAt(s.inputs, "metadata.namespace") === "diaspomoney-prod")!;
    // The generated password makes the whole stringData opaque in the plan: never a literal.
    expect(typeof valueAt(client.inputs, "stringData.password")).not.toBe("string");
    expect(() => resolveKafkaClusterArgs("k", { ...base, authentication: "tls", appUser: { clientNamespaces: ["x"] } })).toThrow(/scram-sha-512/);
    // Without client namespaces the User Operator generates the password: no Secret of ours.
    expect((await plan()).ofType("kubernetes:core/v1:Secret")).toHaveLength(0);
  });

  it("serves a listener certificate from the given issuer (PKCS8, bootstrap and broker names)", async () => {
    const p = await plan({ tls: { issuer: { name: "diaspomoney-prod-data-ca-issuer", kind: "ClusterIssuer" } } });
    const listener = (valueAt(p.one(KAFKA).inputs, "spec.kafka.listeners") as Record<string, unknown>[])[0]!;
    expect(listener.configuration).toEqual({ brokerCertChainAndKey: { secretName: "kafka-server-tls", certificate: "tls.crt", key: "tls.key" } });
    const cert = p.one("kubernetes:cert-manager.io/v1:Certificate").inputs;
    expect(valueAt(cert, "spec.privateKey.encoding")).toBe("PKCS8");
    expect(valueAt(cert, "spec.issuerRef")).toEqual({ name: "diaspomoney-prod-data-ca-issuer", kind: "ClusterIssuer", group: "cert-manager.io" });
    expect(valueAt(cert, "spec.dnsNames")).toEqual(expect.arrayContaining(["kafka-kafka-bootstrap.diaspomoney-prod-infra.svc", "*.kafka-kafka-brokers.diaspomoney-prod-infra.svc"]));
    expect(schemaErrors(p)).toEqual([]);
  });
});

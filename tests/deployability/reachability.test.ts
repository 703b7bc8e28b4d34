/**
 * reachability: under default-deny, each flow the plan needs (app → data service, ingress
 * controller → backend and ACME solver, Prometheus → scrape target) is caught when no policy
 * allows it, with the source, destination, port and missing policy named.
 */
import { describe, expect, it } from "vitest";
import { reachabilityCheck } from "../../engine/deployability/reachability";
import { findings, res } from "./helpers";

type Sel = Record<string, string>;
const denyAll = (ns: string) =>
  res("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${ns}-deny`, { metadata: { name: "default-deny", namespace: ns }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
/** An allow pair (ingress on the destination, egress on the source), like a NetworkFlows flow. */
const allow = (name: string, from: { ns: string; pods: Sel }, to: { ns: string; pods: Sel }, port: number | string) => [
  res("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${name}-in`, {
    metadata: { name: `${name}-in`, namespace: to.ns },
    spec: { podSelector: { matchLabels: to.pods }, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": from.ns } }, podSelector: { matchLabels: from.pods } }], ports: [{ port, protocol: "TCP" }] }] },
  }),
  res("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${name}-out`, {
    metadata: { name: `${name}-out`, namespace: from.ns },
    spec: { podSelector: { matchLabels: from.pods }, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": to.ns } }, podSelector: { matchLabels: to.pods } }], ports: [{ port, protocol: "TCP" }] }] },
  }),
];

const APP = { app: "web" };
const deployment = (env: unknown[]) =>
  res("kubernetes:apps/v1:Deployment", "web", {
    metadata: { name: "web", namespace: "app" },
    spec: { template: { metadata: { labels: APP }, spec: { containers: [{ name: "web", env, ports: [{ containerPort: 3000, name: "http" }] }] } } },
  });
const mongo = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", {
  metadata: { name: "mongodb", namespace: "infra" },
  spec: { users: [{ name: "app", db: "admin" }] },
});
const kafka = res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka", {
  metadata: { name: "kafka", namespace: "infra" },
  spec: { kafka: { listeners: [{ name: "tls", port: 9093, tls: true }] } },
});
const base = [denyAll("app"), denyAll("infra")];

describe("reachability: app → data services", () => {
  it("flags the app reading MongoDB's connection-string secret with no flow to the members", () => {
    const f = findings(reachabilityCheck, [...base, mongo, deployment([{ name: "MONGODB_URI", valueFrom: { secretKeyRef: { name: "mongodb-admin-app", key: "connectionString.standard" } } }])]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/Deployment "web" in app → MongoDBCommunity infra\/mongodb \{app=mongodb-svc\} on port 27017\/TCP is denied/);
    expect(f[0]!.message).toMatch(/reads secret "mongodb-admin-app"/);
    expect(f[0]!.message).toMatch(/no Egress NetworkPolicy in namespace "app"/);
    expect(f[0]!.message).toMatch(/no Ingress NetworkPolicy in namespace "infra"/);
  });

  it("derives the Kafka port from a bootstrap address in the env", () => {
    const app = deployment([{ name: "KAFKA_BOOTSTRAP_SERVERS", value: "kafka-kafka-bootstrap.infra.svc:9093" }]);
    expect(findings(reachabilityCheck, [...base, kafka, app])[0]!.message).toMatch(/Kafka infra\/kafka .* on port 9093\/TCP \(tls\) is denied, but its configuration names Kafka infra\/kafka/);
    const flows = allow("app-kafka", { ns: "app", pods: APP }, { ns: "infra", pods: { "strimzi.io/cluster": "kafka" } }, 9093);
    expect(findings(reachabilityCheck, [...base, kafka, app, ...flows])).toEqual([]);
  });

  it("names only the missing side", () => {
    const app = deployment([{ name: "MONGODB_URI", valueFrom: { secretKeyRef: { name: "mongodb-admin-app", key: "k" } } }]);
    const [ingress] = allow("m", { ns: "app", pods: APP }, { ns: "infra", pods: { app: "mongodb-svc" } }, 27017);
    const f = findings(reachabilityCheck, [...base, mongo, app, ingress!]);
    expect(f[0]!.message).toMatch(/no Egress NetworkPolicy/);
    expect(f[0]!.message).not.toMatch(/no Ingress NetworkPolicy/);
  });
});

describe("reachability: ingress controller", () => {
  const traefik = res("kubernetes:helm.sh/v3:Release", "traefik", { chart: "traefik", name: "traefik", namespace: "traefik" });
  const TRAEFIK = { "app.kubernetes.io/name": "traefik" };
  const service = res("kubernetes:core/v1:Service", "web-svc", { metadata: { name: "web", namespace: "app" }, spec: { selector: APP, ports: [{ name: "http", port: 80, targetPort: "http" }] } });
  const route = res("kubernetes:traefik.io/v1alpha1:IngressRoute", "web-route", {
    metadata: { name: "web", namespace: "app" },
    spec: { routes: [{ match: "Host(`a.example`)", services: [{ name: "web", port: 80 }] }] },
  });

  it("flags an IngressRoute whose backend pods Traefik cannot reach, on the resolved container port", () => {
    const f = findings(reachabilityCheck, [denyAll("app"), denyAll("traefik"), traefik, service, deployment([]), route]);
    expect(f).toHaveLength(1);
    expect(f[0]!.urn).toBe(route.urn);
    expect(f[0]!.message).toMatch(/Traefik .* → Deployment "web" in app on port 3000\/TCP \(http\) is denied, but IngressRoute "web-route" routes to Service app\/web/);
  });

  it("accepts a named-port policy on the container port", () => {
    const flows = allow("t", { ns: "traefik", pods: TRAEFIK }, { ns: "app", pods: APP }, "http");
    expect(findings(reachabilityCheck, [denyAll("app"), denyAll("traefik"), traefik, service, deployment([]), route, ...flows])).toEqual([]);
  });

  it("flags a Certificate solved through HTTP-01 when Traefik cannot reach the solver pods on 8089", () => {
    const issuer = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "le", { metadata: { name: "letsencrypt" }, spec: { acme: { solvers: [{ http01: { ingress: { ingressClassName: "traefik" } } }] } } });
    const cert = res("kubernetes:cert-manager.io/v1:Certificate", "web-cert", { metadata: { name: "web-tls", namespace: "app" }, spec: { issuerRef: { kind: "ClusterIssuer", name: "letsencrypt" } } });
    const f = findings(reachabilityCheck, [denyAll("app"), traefik, cert], [issuer]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/HTTP-01 solver pods in app \{acme.cert-manager.io\/http01-solver=true\} on port 8089\/TCP is denied/);
    const flows = allow("acme", { ns: "traefik", pods: TRAEFIK }, { ns: "app", pods: { "acme.cert-manager.io/http01-solver": "true" } }, 8089);
    expect(findings(reachabilityCheck, [denyAll("app"), traefik, cert, ...flows], [issuer])).toEqual([]);
    const dns01 = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "le", { metadata: { name: "letsencrypt" }, spec: { acme: { solvers: [{ dns01: {} }] } } });
    expect(findings(reachabilityCheck, [denyAll("app"), traefik, cert], [dns01])).toEqual([]);
  });
});

describe("reachability: Prometheus", () => {
  const kps = res("kubernetes:helm.sh/v3:Release", "kps", { chart: "kube-prometheus-stack", namespace: "monitoring" });
  const service = res("kubernetes:core/v1:Service", "web-svc", { metadata: { name: "web", namespace: "app", labels: { app: "web" } }, spec: { selector: APP, ports: [{ name: "http", port: 80, targetPort: 3000 }] } });
  const sm = res("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "web-sm", { metadata: { name: "web", namespace: "app" }, spec: { selector: { matchLabels: { app: "web" } }, endpoints: [{ port: "http" }] } });

  it("flags a ServiceMonitor whose target pods Prometheus cannot scrape", () => {
    const f = findings(reachabilityCheck, [denyAll("app"), kps, service, deployment([]), sm]);
    expect(f[0]!.message).toMatch(/Prometheus .* in monitoring → Deployment "web" in app on port 3000\/TCP \(http\) is denied, but ServiceMonitor "web-sm" scrapes Service app\/web/);
    const flows = allow("p", { ns: "monitoring", pods: { "app.kubernetes.io/name": "prometheus" } }, { ns: "app", pods: APP }, 3000);
    expect(findings(reachabilityCheck, [denyAll("app"), kps, service, deployment([]), sm, ...flows])).toEqual([]);
  });

  const PROMETHEUS = { "app.kubernetes.io/name": "prometheus" };
  it("flags MongoDB's metrics, scraped through the Service the operator creates, when Prometheus cannot reach the agent", () => {
    const monitored = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", {
      metadata: { name: "mongodb", namespace: "infra" },
      spec: { users: [], prometheus: { username: "prometheus", passwordSecretRef: { name: "mongodb-metrics" } } },
    });
    const mongoSm = res("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "mongodb-sm", { metadata: { name: "mongodb", namespace: "infra" }, spec: { selector: { matchLabels: { app: "mongodb-svc" } }, endpoints: [{ port: "prometheus" }] } });
    const f = findings(reachabilityCheck, [denyAll("infra"), kps, monitored, mongoSm]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/in monitoring → MongoDBCommunity infra\/mongodb \{app=mongodb-svc\} on port 9216\/TCP \(prometheus\) is denied, but ServiceMonitor "mongodb-sm" scrapes Service infra\/mongodb-svc/);
    const flows = allow("p", { ns: "monitoring", pods: PROMETHEUS }, { ns: "infra", pods: { app: "mongodb-svc" } }, 9216);
    expect(findings(reachabilityCheck, [denyAll("infra"), kps, monitored, mongoSm, ...flows])).toEqual([]);
  });

  it("flags Kafka's JMX exporter and Kafka Exporter pods that a PodMonitor scrapes on tcp-prometheus", () => {
    const monitored = res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka", {
      metadata: { name: "kafka", namespace: "infra" },
      spec: { kafka: { listeners: [{ name: "tls", port: 9093, tls: true }], metricsConfig: { type: "jmxPrometheusExporter" } }, kafkaExporter: {} },
    });
    const pm = res("kubernetes:monitoring.coreos.com/v1:PodMonitor", "kafka-pm", {
      metadata: { name: "kafka", namespace: "infra" },
      spec: { selector: { matchLabels: { "strimzi.io/cluster": "kafka", "strimzi.io/kind": "Kafka" } }, podMetricsEndpoints: [{ port: "tcp-prometheus" }] },
    });
    const f = findings(reachabilityCheck, [denyAll("infra"), kps, monitored, pm]);
    // Brokers, controllers and the exporter: three pods behind one missing flow.
    expect(f.map((x) => /→ Kafka infra\/kafka \{[^}]*\} on port 9404\/TCP \(tcp-prometheus\) is denied/.test(x.message))).toEqual([true, true, true]);
    expect(f.some((x) => /strimzi\.io\/name=kafka-kafka-exporter/.test(x.message))).toBe(true);
    const flows = allow("p", { ns: "monitoring", pods: PROMETHEUS }, { ns: "infra", pods: { "strimzi.io/cluster": "kafka", "strimzi.io/kind": "Kafka" } }, 9404);
    expect(findings(reachabilityCheck, [denyAll("infra"), kps, monitored, pm, ...flows])).toEqual([]);
  });

  it("says nothing when no policy isolates anything, or the Service is not in the plan", () => {
    expect(findings(reachabilityCheck, [kps, service, deployment([]), sm])).toEqual([]);
    expect(findings(reachabilityCheck, [denyAll("app"), kps, deployment([]), sm])).toEqual([]);
  });
});

describe("reachability on the real stacks", () => {
  it("diaspomoney-dev: every needed flow is allowed, and without the solver flow Traefik cannot answer HTTP-01", async () => {
    const { previewStack } = await import("../../engine/preview");
    const [shared, dev] = await Promise.all([previewStack("diaspomoney-shared"), previewStack("diaspomoney-dev")]);
    const ctx = { stack: "diaspomoney-dev", resources: dev.evaluation.resources, upstream: shared.evaluation.resources };
    expect(reachabilityCheck.run(ctx)).toEqual([]);
    const withoutSolverFlow = ctx.resources.filter((r) => !r.name.includes("traefik-to-acme-solver"));
    const f = reachabilityCheck.run({ ...ctx, resources: withoutSolverFlow });
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/HTTP-01 solver pods in diaspomoney-dev .* on port 8089\/TCP is denied/);
  }, 60_000);
});

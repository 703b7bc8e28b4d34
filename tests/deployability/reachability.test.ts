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

describe("reachability: RabbitMQ, CloudNativePG and Elasticsearch", () => {
  const rabbit = res("kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "rabbitmq-cluster", {
    metadata: { name: "rabbitmq", namespace: "infra" },
    spec: { replicas: 3, tls: { secretName: "rabbitmq-tls", disableNonTLSListeners: true } },
  });
  const RABBIT_PODS = { "app.kubernetes.io/name": "rabbitmq", "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq" };
  const rabbitUser = res("kubernetes:rabbitmq.com/v1beta1:User", "rabbitmq-user-worker", {
    metadata: { name: "rabbitmq-worker", namespace: "infra" },
    spec: { importCredentialsSecret: { name: "rabbitmq-worker-credentials" }, rabbitmqClusterReference: { name: "rabbitmq" } },
  });
  const pg = res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg-cluster", {
    metadata: { name: "pg", namespace: "infra" },
    spec: { instances: 3, storage: { size: "10Gi" }, managed: { services: { additional: [{ selectorType: "ro", serviceTemplate: { metadata: { name: "pg-analytics" } } }] } } },
  });
  const es = res("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "search-es", {
    metadata: { name: "search", namespace: "infra" },
    spec: { version: "9.4.3", nodeSets: [{ name: "default", count: 3 }] },
  });

  it("flags an app naming the RabbitMQ Service on 5671, and accepts it once the flow exists", () => {
    const app = deployment([{ name: "AMQP_URL", value: "amqps://rabbitmq.infra.svc:5671/sys" }]);
    const f = findings(reachabilityCheck, [...base, rabbit, app]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/→ RabbitmqCluster infra\/rabbitmq \{app.kubernetes.io\/name=rabbitmq, .*\} on port 5671\/TCP \(amqps\) is denied, but its configuration names RabbitmqCluster infra\/rabbitmq/);
    const flows = allow("app-rabbit", { ns: "app", pods: APP }, { ns: "infra", pods: { "app.kubernetes.io/name": "rabbitmq" } }, 5671);
    expect(findings(reachabilityCheck, [...base, rabbit, app, ...flows])).toEqual([]);
    // A flow to the component's full pod selector (components/k8s/rabbitmq rabbitmqPodSelector) matches too.
    expect(findings(reachabilityCheck, [...base, rabbit, app, ...allow("app-rabbit", { ns: "app", pods: APP }, { ns: "infra", pods: RABBIT_PODS }, 5671)])).toEqual([]);
  });

  it("reads RabbitMQ credentials: a copy named after the User, or a Secret whose URL names the broker", () => {
    const copy = deployment([{ name: "AMQP_PASSWORD", valueFrom: { secretKeyRef: { name: "rabbitmq-worker", key: "password" } } }]);
    expect(findings(reachabilityCheck, [...base, rabbit, rabbitUser, copy])[0]!.message).toMatch(/on port 5671\/TCP \(amqps\) is denied, but it reads secret "rabbitmq-worker", the client credentials of RabbitmqCluster infra\/rabbitmq/);
    const secret = res("kubernetes:core/v1:Secret", "broker-url", { metadata: { name: "broker", namespace: "app" }, stringData: { url: "amqps://u:p@rabbitmq.infra.svc:5671/sys" } });
    const reader = deployment([{ name: "AMQP_URL", valueFrom: { secretKeyRef: { name: "broker", key: "url" } } }]);
    expect(findings(reachabilityCheck, [...base, rabbit, secret, reader])).toHaveLength(1);
    // Without TLS the client port is 5672.
    const plain = res("kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "rabbitmq-plain", { metadata: { name: "rabbitmq", namespace: "infra" }, spec: {} });
    expect(findings(reachabilityCheck, [...base, plain, rabbitUser, copy])[0]!.message).toMatch(/on port 5672\/TCP \(amqp\) is denied/);
  });

  it("flags an app naming a CNPG service (rw or an additional replica service), not once the flow exists", () => {
    for (const host of ["pg-rw.infra.svc", "pg-analytics.infra.svc.cluster.local:5432"]) {
      const app = deployment([{ name: "DATABASE_HOST", value: host }]);
      const f = findings(reachabilityCheck, [...base, pg, app]);
      expect(f, host).toHaveLength(1);
      expect(f[0]!.message).toMatch(/→ Cluster infra\/pg \{cnpg.io\/cluster=pg, cnpg.io\/podRole=instance\} on port 5432\/TCP \(postgresql\) is denied, but its configuration names Cluster infra\/pg \(CloudNativePG\)/);
    }
    const app = deployment([{ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "pg-app", key: "password" } } }]);
    expect(findings(reachabilityCheck, [...base, pg, app])[0]!.message).toMatch(/reads secret "pg-app", the client credentials of Cluster infra\/pg/);
    const flows = allow("app-pg", { ns: "app", pods: APP }, { ns: "infra", pods: { "cnpg.io/cluster": "pg" } }, 5432);
    expect(findings(reachabilityCheck, [...base, pg, app, ...flows])).toEqual([]);
  });

  it("flags a ScaledObject whose RabbitMQ scaler KEDA's operator cannot reach, through its TriggerAuthentication's secret", () => {
    const kedaRelease = res("kubernetes:helm.sh/v3:Release", "keda", { chart: "keda", name: "keda", namespace: "keda" });
    const ta = res("kubernetes:keda.sh/v1alpha1:TriggerAuthentication", "worker-auth", { metadata: { name: "worker", namespace: "app" }, spec: { secretTargetRef: [{ parameter: "host", name: "rabbitmq-worker", key: "url" }] } });
    const so = (protocol: string) =>
      res("kubernetes:keda.sh/v1alpha1:ScaledObject", "worker-so", {
        metadata: { name: "worker", namespace: "app" },
        spec: { scaleTargetRef: { name: "worker" }, triggers: [{ type: "rabbitmq", metadata: { protocol, mode: "QueueLength", value: "20", queueName: "email" }, authenticationRef: { name: "worker" } }] },
      });
    const plan = [denyAll("app"), denyAll("infra"), denyAll("keda"), rabbit, rabbitUser, kedaRelease, ta];
    const f = findings(reachabilityCheck, [...plan, so("amqp")]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/^KEDA operator \(Release "keda"\) in keda → RabbitmqCluster infra\/rabbitmq .* on port 5671\/TCP \(amqps\) is denied, but its rabbitmq trigger authenticates with secret "rabbitmq-worker"/);
    expect(findings(reachabilityCheck, [...plan, so("http")])[0]!.message).toMatch(/on port 15671\/TCP \(management-tls\) is denied/);
    const flows = allow("keda-rabbit", { ns: "keda", pods: { app: "keda-operator" } }, { ns: "infra", pods: { "app.kubernetes.io/name": "rabbitmq" } }, 5671);
    expect(findings(reachabilityCheck, [...plan, so("amqp"), ...flows])).toEqual([]);
  });

  it("flags an app naming the Elasticsearch HTTP service on 9200", () => {
    const app = deployment([{ name: "ELASTICSEARCH_URL", value: "https://search-es-http.infra.svc:9200" }]);
    const f = findings(reachabilityCheck, [...base, es, app]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/→ Elasticsearch infra\/search \{elasticsearch.k8s.elastic.co\/cluster-name=search\} on port 9200\/TCP \(https\) is denied/);
    const flows = allow("app-es", { ns: "app", pods: APP }, { ns: "infra", pods: { "elasticsearch.k8s.elastic.co/cluster-name": "search" } }, 9200);
    expect(findings(reachabilityCheck, [...base, es, app, ...flows])).toEqual([]);
    // Another cluster's host is not this one's.
    expect(findings(reachabilityCheck, [...base, es, deployment([{ name: "U", value: "https://other-es-http.infra.svc:9200" }])])).toEqual([]);
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

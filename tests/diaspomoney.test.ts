/**
 * diaspomoney.md's figures, read back from the offline plans (PreviewDigest JSON) of the env
 * stacks: replicas 3/3/5, Kafka brokers 3/3/5, MongoDB "Primary" (1) vs "Replica" (3), hosts,
 * namespaces, HPA on "CPU Usage < 70%", Kafka replication 3 / min ISR 2, daily MongoDB dump,
 * Redis AOF. The app's credentials and CA in its own namespace, a trusted certificate, Kafka and
 * MongoDB metrics, no canary by default. And every Kubernetes object and custom resource validates
 * against upstream schemas.
 */
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../engine/k8s-schema";
import { valueAt } from "../engine/plan";
import { previewStack } from "../engine/preview";
import { resourcesFromDigest, type PreviewDigest } from "../engine/digest";
import { BLINDED_SECRET } from "../engine/evaluate";
import { checkReferences } from "../engine/deployability/references";
import { ENV_TRAITS } from "../model/envs";
import { SHARED_STACK_OUTPUTS } from "../stacks/shared-stack";

const FIGURES = {
  dev: { replicas: 3, brokers: 3, members: 1, host: "dev.diaspomoney.fr", nodeEnv: "development" },
  rct: { replicas: 3, brokers: 3, members: 1, host: "rct.diaspomoney.fr", nodeEnv: "production" },
  prod: { replicas: 5, brokers: 5, members: 3, host: "app.diaspomoney.fr", nodeEnv: "production" },
} as const;

/** The plan as a reader of `pulumi preview --json` would see it (through JSON, not in memory). */
async function planOf(stack: string) {
  const digest = JSON.parse(JSON.stringify((await previewStack(stack)).digest)) as PreviewDigest;
  const resources = resourcesFromDigest(digest);
  const one = (type: string, name?: string) => {
    const found = resources.filter((r) => r.type === type && (name === undefined || valueAt(r.inputs, "metadata.name") === name));
    expect(found, `${stack}: ${type} ${name ?? ""}`).toHaveLength(1);
    return found[0].inputs;
  };
  return { resources, one };
}

describe.each(Object.entries(FIGURES))("diaspomoney-%s", (env, f) => {
  it("carries the document's figures in its plan", async () => {
    const { one } = await planOf(`diaspomoney-${env}`);
    const app = `diaspomoney-${env}`;
    const infra = `diaspomoney-${env}-infra`;
    expect(valueAt(one("kubernetes:apps/v1:Deployment", "web"), "spec.replicas")).toBe(f.replicas);
    expect(valueAt(one("kubernetes:apps/v1:Deployment", "web"), "metadata.namespace")).toBe(app);
    // NODE_ENV is the env's runtimeMode trait (model/envs.ts): verbose errors only in dev.
    expect(valueAt(one("kubernetes:apps/v1:Deployment", "web"), "spec.template.spec.containers[0].env")).toContainEqual({ name: "NODE_ENV", value: f.nodeEnv });
    expect(ENV_TRAITS[env as keyof typeof FIGURES].runtimeMode).toBe(f.nodeEnv);
    const hpa = one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "web");
    expect(valueAt(hpa, "spec.minReplicas")).toBe(f.replicas);
    expect(valueAt(hpa, "spec.metrics[0].resource.target.averageUtilization")).toBe(70);
    expect(valueAt(one("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", "broker"), "spec.replicas")).toBe(f.brokers);
    const kafka = one("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka");
    expect(valueAt(kafka, "metadata.namespace")).toBe(infra);
    expect(valueAt(kafka, "spec.kafka.config")).toMatchObject({ "default.replication.factor": 3, "min.insync.replicas": 2, "log.retention.hours": 168 });
    expect(valueAt(one("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb"), "spec.members")).toBe(f.members);
    expect(valueAt(one("kubernetes:batch/v1:CronJob", "mongodb-backup"), "spec.schedule")).toBe("0 2 * * *");
    // "Redis - Persistence AOF": the cluster's additional config (a ConfigMap it names) turns AOF on.
    const redisConfigMap = valueAt(one("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis"), "spec.redisConfig.additionalRedisConfig") as string;
    expect(JSON.stringify(valueAt(one("kubernetes:core/v1:ConfigMap", redisConfigMap), "data"))).toMatch(/appendonly yes/);
    expect(valueAt(one("kubernetes:traefik.io/v1alpha1:IngressRoute", "web"), "spec.routes[0].match")).toContain(`Host(\`${f.host}\`)`);
  });

  it("gives the app its credentials and the data services' CA in its own namespace, and references nothing it cannot read", async () => {
    const { resources, one } = await planOf(`diaspomoney-${env}`);
    const app = `diaspomoney-${env}`;
    const pod = valueAt(one("kubernetes:apps/v1:Deployment", "web"), "spec.template.spec") as Record<string, unknown>;
    const envVars = valueAt(pod, "containers[0].env") as { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
    const refs = Object.fromEntries(envVars.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef]));
    expect(refs).toEqual({
      MONGODB_URI: { name: "mongodb-admin-app", key: "connectionString.standard" },
      REDIS_PASSWORD: { name: "redis-auth", key: "password" },
      KAFKA_SASL_USERNAME: { name: "diaspomoney-app", key: "username" },
      KAFKA_SASL_PASSWORD: { name: "diaspomoney-app", key: "password" },
    });
    // Each of those Secrets is written by the stack in the app namespace (a pod reads only its own).
    const appSecrets = resources.filter((r) => r.type === "kubernetes:core/v1:Secret" && valueAt(r.inputs, "metadata.namespace") === app).map((r) => valueAt(r.inputs, "metadata.name"));
    expect(appSecrets.sort()).toEqual(["diaspomoney-app", "mongodb-admin-app", "redis-auth"]);
    // The CA bundle: a Certificate in the app namespace from the env's private ClusterIssuer; only ca.crt is mounted.
    const trust = one("kubernetes:cert-manager.io/v1:Certificate", `diaspomoney-${env}-data-trust`);
    expect(valueAt(trust, "metadata.namespace")).toBe(app);
    expect(valueAt(trust, "spec.issuerRef")).toEqual({ name: `diaspomoney-${env}-data-ca-issuer`, kind: "ClusterIssuer", group: "cert-manager.io" });
    expect(valueAt(pod, "volumes")).toContainEqual({ name: "trusted-ca", secret: { secretName: `diaspomoney-${env}-data-trust`, items: [{ key: "ca.crt", path: "ca.crt" }] } });
    expect(envVars).toContainEqual({ name: "NODE_EXTRA_CA_CERTS", value: "/etc/platform-ca/ca.crt" });
    // MongoDB, Redis and Kafka's listener all serve certificates from that CA.
    for (const cert of ["mongodb-server", "redis-server", "kafka-server"]) {
      expect(valueAt(one("kubernetes:cert-manager.io/v1:Certificate", cert), "spec.issuerRef.name"), cert).toBe(`diaspomoney-${env}-data-ca-issuer`);
    }
    // No Sentry DSN configured: no SENTRY_DSN and no env Secret.
    expect(envVars.map((e) => e.name)).not.toContain("SENTRY_DSN");
    // The pod's references all resolve in its namespace (the references check, on this plan alone).
    const web = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && valueAt(r.inputs, "metadata.name") === "web")!;
    expect(checkReferences({ stack: `diaspomoney-${env}`, resources, upstream: [] }).filter((x) => x.urn === web.urn)).toEqual([]);
  });

  it("routes with a trusted certificate, its own security headers and the default TLS option; no canary by default", async () => {
    const { resources, one } = await planOf(`diaspomoney-${env}`);
    const app = `diaspomoney-${env}`;
    // "a trusted certificate in every env": Let's Encrypt production, dev included.
    expect(valueAt(one("kubernetes:cert-manager.io/v1:Certificate", "web-tls"), "spec.issuerRef.name")).toBe("letsencrypt-production");
    const route = one("kubernetes:traefik.io/v1alpha1:IngressRoute", "web");
    expect(valueAt(route, "spec.tls")).toEqual({ secretName: "web-tls" });
    expect(valueAt(route, "spec.routes[0].middlewares")).toEqual([{ name: "web-security-headers" }]);
    expect(valueAt(one("kubernetes:traefik.io/v1alpha1:Middleware", "web-security-headers"), "metadata.namespace")).toBe(app);
    expect(valueAt(route, "spec.routes[0].services")).toEqual([{ kind: "Service", name: "web", port: "http" }]);
    expect(resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment").map((r) => valueAt(r.inputs, "metadata.name"))).toEqual(["web"]);
  });

  it("exposes Kafka and MongoDB metrics (JMX exporter, Kafka Exporter for consumer lag, MongoDB exporter)", async () => {
    const { one } = await planOf(`diaspomoney-${env}`);
    const infra = `diaspomoney-${env}-infra`;
    const kafka = one("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka");
    expect(valueAt(kafka, "spec.kafka.metricsConfig.valueFrom.configMapKeyRef")).toEqual({ name: "kafka-metrics", key: "kafka-metrics-config.yml" });
    expect(valueAt(kafka, "spec.kafkaExporter.groupRegex")).toBe(".*");
    const pm = one("kubernetes:monitoring.coreos.com/v1:PodMonitor", "kafka");
    expect(valueAt(pm, "metadata")).toMatchObject({ namespace: infra, labels: { release: "kube-prometheus-stack" } });
    expect(valueAt(one("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb"), "spec.prometheus.username")).toBe("prometheus");
    expect(valueAt(one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "mongodb"), "spec.endpoints[0].port")).toBe("prometheus");
  });

  it("recommends sizes through a VPA that never evicts (the HPA owns CPU scaling)", async () => {
    const { one } = await planOf(`diaspomoney-${env}`);
    expect(valueAt(one("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler", "web"), "spec.updatePolicy.updateMode")).toBe("Off");
  });

  it("probes uptime (> 99.9%) and latency (< 50 ms) and pages the on-call address", async () => {
    const { resources } = await planOf(`diaspomoney-${env}`);
    const of = (type: string) => resources.filter((r) => r.type === type);
    expect(of("gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig").map((r) => valueAt(r.inputs, "monitoredResource.labels.host"))).toEqual([f.host]);
    expect(of("gcp:monitoring/slo:Slo").map((r) => r.inputs.goal)).toEqual([0.999]);
    const latency = of("gcp:monitoring/alertPolicy:AlertPolicy").find((r) => /latency/i.test(String(r.inputs.displayName)));
    expect(valueAt(latency?.inputs, "conditions[0].conditionThreshold.thresholdValue")).toBe(50);
    expect(of("gcp:monitoring/notificationChannel:NotificationChannel").map((r) => valueAt(r.inputs, "labels.email_address"))).toEqual(["astreinte@diaspomoney.fr"]);
    for (const policy of of("gcp:monitoring/alertPolicy:AlertPolicy")) expect((policy.inputs.notificationChannels as unknown[]).length, policy.name).toBeGreaterThan(0);
  });

  it("has every Kubernetes object and custom resource valid against upstream schemas", async () => {
    const { resources } = await planOf(`diaspomoney-${env}`);
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh"));
    expect(k8sObjects.length).toBeGreaterThan(20);
    const invalid = k8sObjects.map((r) => ({ urn: r.urn, ...validateRecordedResource(r) })).filter((v) => !v.valid);
    expect(invalid).toEqual([]);
  });
});

describe("diaspomoney-shared", () => {
  it("creates the six env namespaces and the one LoadBalancer (Traefik's), with charts pinned", async () => {
    const { resources } = await planOf("diaspomoney-shared");
    const namespaces = resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => valueAt(r.inputs, "metadata.name"));
    for (const env of ["dev", "rct", "prod"]) expect(namespaces).toEqual(expect.arrayContaining([`diaspomoney-${env}`, `diaspomoney-${env}-infra`]));
    const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    expect(releases.length).toBeGreaterThanOrEqual(6);
    for (const r of releases) {
      expect(r.inputs.version, r.name).toMatch(/^v?\d+\.\d+\.\d+$/);
      // A chart from an https repository, or an OCI reference (oci://registry/path/chart).
      const source = (valueAt(r.inputs, "repositoryOpts.repo") as string | undefined) ?? (r.inputs.chart as string);
      expect(source, r.name).toMatch(/^(https|oci):\/\//);
    }
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh") && r.type !== "pulumi:providers:kubernetes");
    const invalid = k8sObjects.map((r) => ({ urn: r.urn, ...validateRecordedResource(r) })).filter((v) => !v.valid);
    expect(invalid).toEqual([]);
  });

  it("exports every output the env stacks' typed StackReference declares, secrets as secrets", async () => {
    const outputs = (await previewStack("diaspomoney-shared")).evaluation.outputs;
    for (const [key, { secret }] of Object.entries(SHARED_STACK_OUTPUTS)) {
      expect(outputs, key).toHaveProperty(key);
      if (secret) expect(outputs[key], key).toEqual(BLINDED_SECRET);
    }
  });

  it("env stacks reach the cluster only through an explicit Kubernetes provider", async () => {
    for (const env of ["dev", "rct", "prod"]) {
      const { resources } = (await previewStack(`diaspomoney-${env}`)).evaluation;
      const k8sResources = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      expect(k8sResources.length).toBeGreaterThan(20);
      for (const r of k8sResources) expect(r.provider, r.urn).toMatch(/[$:]pulumi:providers:kubernetes::k8s::/);
      const ref = resources.find((r) => r.type === "pulumi:pulumi:StackReference");
      expect(ref?.inputs.name).toBe("organization/platform-infra/diaspomoney-shared");
    }
  });
});

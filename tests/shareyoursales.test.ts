/**
 * shareyoursales.md's figures, read back from the offline plans (JSON, as `pulumi preview --json`
 * readers see them): the five services and the frontend behind one gateway with the login rate limit
 * (5/minute) and 5 MB uploads, RabbitMQ with quorum queues dead-lettering after 3 retries, the
 * workers scaled by KEDA on their queues, PostgreSQL primary + 2 named read replicas with WAL
 * archiving and daily base backups, Elasticsearch, ClamAV, media buckets with the CDN in prod, all
 * in europe-west9; every object valid; the shared foundation with exactly ShareYourSales'
 * operators, Loki and Tempo; and the platform's monthly estimate inside the document's €470–900.
 */
import { describe, expect, it } from "vitest";
import { platformTotals } from "../engine/cli/cost";
import { estimateStacks } from "../engine/cost";
import { checkReferences } from "../engine/deployability/references";
import { resourcesFromDigest, type PreviewDigest } from "../engine/digest";
import { validateRecordedResource } from "../engine/k8s-schema";
import { valueAt } from "../engine/plan";
import { previewStack } from "../engine/preview";
import { convertUsd } from "../model/cost/currency";
import { PLATFORM_BUDGETS } from "../stacks/budgets";
import { SERVICE_PORTS, SERVICES, WORKERS, shareyoursalesNamespaces } from "../stacks/shareyoursales";

const FIGURES = {
  dev: { host: "dev.shareyoursales.ma", serviceReplicas: 1, rabbitmqNodes: 1, searchNodes: 1, workerMin: 1, clamav: 1, retention: "7d", postgresInstances: 2, cdnHost: "media-dev.shareyoursales.ma" },
  rct: { host: "rct.shareyoursales.ma", serviceReplicas: 1, rabbitmqNodes: 1, searchNodes: 1, workerMin: 1, clamav: 1, retention: "7d", postgresInstances: 2, cdnHost: "media-rct.shareyoursales.ma" },
  prod: { host: "app.shareyoursales.ma", serviceReplicas: 2, rabbitmqNodes: 3, searchNodes: 3, workerMin: 2, clamav: 2, retention: "30d", postgresInstances: 3, cdnHost: "media.shareyoursales.ma" },
} as const;
const SERVICE_NAMES = Object.keys(SERVICES) as (keyof typeof SERVICES)[];
const WORKER_NAMES = Object.keys(WORKERS) as (keyof typeof WORKERS)[];

async function planOf(stack: string) {
  const digest = JSON.parse(JSON.stringify((await previewStack(stack)).digest)) as PreviewDigest;
  const resources = resourcesFromDigest(digest);
  const all = (type: string) => resources.filter((r) => r.type === type);
  const one = (type: string, name?: string) => {
    const found = all(type).filter((r) => name === undefined || valueAt(r.inputs, "metadata.name") === name);
    expect(found, `${stack}: ${type} ${name ?? ""}`).toHaveLength(1);
    return found[0].inputs;
  };
  return { resources, all, one };
}

describe.each(Object.entries(FIGURES))("shareyoursales-%s", (env, f) => {
  const ns = shareyoursalesNamespaces(env as keyof typeof FIGURES);

  it("runs the five services and the frontend, each with its port, HPA and service account (§ Architecture Microservices)", async () => {
    const { one } = await planOf(`shareyoursales-${env}`);
    for (const svc of [...SERVICE_NAMES, "frontend"]) {
      const deployment = one("kubernetes:apps/v1:Deployment", svc);
      expect(valueAt(deployment, "metadata.namespace"), svc).toBe(ns.app);
      expect(valueAt(deployment, "spec.replicas"), svc).toBe(f.serviceReplicas);
      expect(valueAt(deployment, "spec.template.spec.serviceAccountName"), svc).toBe(svc);
      expect(valueAt(one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", svc), "spec.minReplicas"), svc).toBe(f.serviceReplicas);
    }
    // § Architecture Monolithique, "Solution Professionnelle": Auth 8001, Product 8002, Tracking 8003.
    expect(SERVICE_PORTS).toMatchObject({ auth: 8001, product: 8002, tracking: 8003 });
    for (const svc of SERVICE_NAMES) {
      expect(valueAt(one("kubernetes:apps/v1:Deployment", svc), "spec.template.spec.containers[0].ports[0].containerPort"), svc).toBe(SERVICE_PORTS[svc]);
    }
  });

  it("routes by path behind one TLS gateway, with the login rate limit and 5 MB uploads (§ Sécurité)", async () => {
    const { one } = await planOf(`shareyoursales-${env}`);
    const routes = valueAt(one("kubernetes:traefik.io/v1alpha1:IngressRoute", "gateway"), "spec.routes") as { match: string; middlewares: { name: string }[]; services: { name: string; port: number }[] }[];
    const route = (path: string) => routes.find((r) => r.match === `Host(\`${f.host}\`) && PathPrefix(\`${path}\`)`);
    for (const svc of SERVICE_NAMES) expect(route(SERVICES[svc].pathPrefix)?.services, svc).toEqual([expect.objectContaining({ name: svc, port: SERVICE_PORTS[svc] })]);
    // @limiter.limit("5/minute") on /api/auth/login.
    expect(route("/api/auth/login")?.middlewares.map((m) => m.name)).toContain("gateway-login-rate-limit");
    expect(valueAt(one("kubernetes:traefik.io/v1alpha1:Middleware", "gateway-login-rate-limit"), "spec.rateLimit")).toMatchObject({ average: 5, period: "1m", burst: 5 });
    // MAX_FILE_SIZE = 5MB on the upload path only.
    expect(valueAt(one("kubernetes:traefik.io/v1alpha1:Middleware", "gateway-product-body-limit"), "spec.buffering.maxRequestBodyBytes")).toBe(5 * 1024 * 1024);
    const withBodyLimit = routes.filter((r) => r.middlewares.some((m) => m.name.endsWith("body-limit")));
    expect(withBodyLimit.map((r) => r.services[0].name)).toEqual(["product"]);
    expect(valueAt(one("kubernetes:cert-manager.io/v1:Certificate", "gateway-tls"), "spec.dnsNames")).toEqual([f.host]);
  });

  it("runs RabbitMQ with quorum queues that dead-letter after the document's 3 retries, one user per service", async () => {
    const { all, one } = await planOf(`shareyoursales-${env}`);
    const broker = one("kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "rabbitmq");
    expect(valueAt(broker, "metadata.namespace")).toBe(ns.infra);
    expect(valueAt(broker, "spec.replicas")).toBe(f.rabbitmqNodes);
    expect(valueAt(broker, "spec.tls.disableNonTLSListeners")).toBe(true);
    for (const w of WORKER_NAMES) {
      expect(valueAt(one("kubernetes:rabbitmq.com/v1beta1:Queue", `rabbitmq-queue-${w}`), "spec.type"), w).toBe("quorum");
      expect(valueAt(one("kubernetes:rabbitmq.com/v1beta1:Queue", `rabbitmq-queue-${w}-dlq`), "spec.type"), w).toBe("quorum");
      // "Retry automatique 3 fois" (§ Absence de Queue System), then the dead-letter queue.
      expect(valueAt(one("kubernetes:rabbitmq.com/v1beta1:Policy", `rabbitmq-dead-lettering-${w}`), "spec.definition")).toMatchObject({ "delivery-limit": 3, "dead-letter-exchange": "dead-letter" });
    }
    const users = all("kubernetes:rabbitmq.com/v1beta1:User").map((u) => valueAt(u.inputs, "metadata.name")).sort();
    expect(users).toEqual(["rabbitmq-auth", "rabbitmq-email-worker", "rabbitmq-invoice-worker", "rabbitmq-notification-worker", "rabbitmq-payment", "rabbitmq-product", "rabbitmq-tracking"]);
    // A worker reads only its queue, a publisher writes only the events exchange; nobody configures.
    const permissions = Object.fromEntries(all("kubernetes:rabbitmq.com/v1beta1:Permission").map((p) => [valueAt(p.inputs, "spec.userReference.name"), valueAt(p.inputs, "spec.permissions")]));
    expect(permissions["rabbitmq-email-worker"]).toEqual({ configure: "^$", write: "^$", read: "^(email)$" });
    expect(permissions["rabbitmq-payment"]).toEqual({ configure: "^$", write: "^(events)$", read: "^$" });
  });

  it("rolls the Topology Operator once this env's CA is in its namespace, before any topology object", async () => {
    const { resources } = (await previewStack(`shareyoursales-${env}`)).evaluation;
    const trust = resources.find((r) => r.type === "kubernetes:cert-manager.io/v1:Certificate" && valueAt(r.inputs, "metadata.namespace") === "rabbitmq-system");
    // The operator verifies the broker's management API with its system pool, read once at start.
    expect(valueAt(trust?.inputs, "metadata.annotations")).toEqual({ "pulumi.com/waitFor": "condition=Ready" });
    const patch = resources.find((r) => r.type === "kubernetes:apps/v1:DeploymentPatch");
    expect(valueAt(patch?.inputs, "spec.template.metadata.annotations")).toEqual({ [`platform/trusted-ca-${env}`]: `shareyoursales-${env}-data-trust` });
    expect(patch?.dependencies).toContain(trust?.urn);
    for (const kind of ["Vhost", "Queue", "User", "Permission", "Policy"]) {
      for (const r of resources.filter((x) => x.type === `kubernetes:rabbitmq.com/v1beta1:${kind}`)) expect(r.dependencies, r.name).toContain(patch?.urn);
    }
  });

  it("scales the email, notification and invoice workers on their queue's length (KEDA)", async () => {
    const { one } = await planOf(`shareyoursales-${env}`);
    for (const w of WORKER_NAMES) {
      const scaled = one("kubernetes:keda.sh/v1alpha1:ScaledObject", `${w}-worker`);
      expect(valueAt(scaled, "spec.scaleTargetRef.name"), w).toBe(`${w}-worker`);
      expect(valueAt(scaled, "spec.minReplicaCount"), w).toBe(f.workerMin);
      expect(valueAt(scaled, "spec.triggers[0]"), w).toMatchObject({ type: "rabbitmq", metadata: { mode: "QueueLength", queueName: w } });
      expect(valueAt(one("kubernetes:apps/v1:Deployment", `${w}-worker`), "metadata.namespace"), w).toBe(ns.app);
    }
  });

  it("runs PostgreSQL as a primary and read replicas under the two names, archiving WAL and taking a daily base backup", async () => {
    const { one } = await planOf(`shareyoursales-${env}`);
    const cluster = one("kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres");
    // "Primary PostgreSQL (Write)", "Read Replica 1 (Analytics)", "Read Replica 2 (Dashboards)" in
    // prod; one replica serves both names in dev and rct.
    expect(valueAt(cluster, "spec.instances")).toBe(f.postgresInstances);
    const named = (valueAt(cluster, "spec.managed.services.additional") as { selectorType: string; serviceTemplate: { metadata: { name: string } } }[]).map((s) => [s.serviceTemplate.metadata.name, s.selectorType]);
    expect(named).toEqual([["postgres-analytics", "ro"], ["postgres-dashboards", "ro"]]);
    expect(valueAt(cluster, "spec.plugins")).toEqual([expect.objectContaining({ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true })]);
    expect(valueAt(one("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", "postgres-daily"), "spec.schedule")).toBe("0 0 3 * * *");
    const store = one("kubernetes:barmancloud.cnpg.io/v1:ObjectStore", "postgres-backup");
    expect(valueAt(store, "spec.retentionPolicy")).toBe(f.retention);
    expect(valueAt(store, "spec.configuration.destinationPath")).toMatch(new RegExp(`^gs://shareyoursales-${env}-3318-postgres-backups-${env}/`));
    // The analytics service reads from its own replica name.
    const analyticsEnv = valueAt(one("kubernetes:apps/v1:Deployment", "analytics"), "spec.template.spec.containers[0].env") as { name: string; value?: string }[];
    expect(analyticsEnv).toContainEqual({ name: "DATABASE_ANALYTICS_HOST", value: `postgres-analytics.${ns.infra}.svc` });
    expect(analyticsEnv).toContainEqual({ name: "DATABASE_DASHBOARDS_HOST", value: `postgres-dashboards.${ns.infra}.svc` });
  });

  it("runs Elasticsearch, Redis and ClamAV in the infra namespace", async () => {
    const { one } = await planOf(`shareyoursales-${env}`);
    expect(valueAt(one("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "search"), "spec.nodeSets[0].count")).toBe(f.searchNodes);
    expect(valueAt(one("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis"), "metadata.namespace")).toBe(ns.infra);
    const clamav = one("kubernetes:apps/v1:Deployment", "clamav");
    expect(valueAt(clamav, "metadata.namespace")).toBe(ns.infra);
    expect(valueAt(clamav, "spec.replicas")).toBe(f.clamav);
    expect(valueAt(one("kubernetes:core/v1:Service", "clamav"), "spec.type") ?? "ClusterIP").toBe("ClusterIP");
  });

  it("keeps media in private CMEK buckets in Paris, with product images through the CDN", async () => {
    const { all } = await planOf(`shareyoursales-${env}`);
    const buckets = all("gcp:storage/bucket:Bucket");
    expect(buckets.map((b) => b.inputs.name).sort()).toEqual([`shareyoursales-${env}-3318-files-${env}`, `shareyoursales-${env}-3318-images-${env}`, `shareyoursales-${env}-3318-postgres-backups-${env}`]);
    for (const b of buckets) {
      expect(b.inputs.location, String(b.inputs.name)).toBe("europe-west9");
      expect(b.inputs.publicAccessPrevention, String(b.inputs.name)).toBe("enforced");
      expect(valueAt(b.inputs, "encryption.defaultKmsKeyName"), String(b.inputs.name)).toBeDefined();
    }
    const backendBuckets = all("gcp:compute/backendBucket:BackendBucket");
    expect(backendBuckets.map((b) => b.inputs)).toEqual([expect.objectContaining({ bucketName: `shareyoursales-${env}-3318-images-${env}`, enableCdn: true })]);
    expect(all("gcp:compute/managedSslCertificate:ManagedSslCertificate").map((c) => valueAt(c.inputs, "managed.domains"))).toEqual([[f.cdnHost]]);
  });

  it("gives every workload its credentials in its own namespace, and references nothing it cannot read", async () => {
    const { resources } = await planOf(`shareyoursales-${env}`);
    const deployments = resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
    expect(deployments).toHaveLength(10);
    const problems = checkReferences({ stack: `shareyoursales-${env}`, resources, upstream: [] }).filter((x) => deployments.some((d) => d.urn === x.urn));
    expect(problems).toEqual([]);
  });

  it("has every Kubernetes object and custom resource valid against upstream schemas", async () => {
    const { resources } = await planOf(`shareyoursales-${env}`);
    // A server-side-apply patch is partial by design (the API server merges it into the live object).
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh") && !r.type.endsWith("Patch"));
    expect(k8sObjects.length).toBeGreaterThan(100);
    const invalid = k8sObjects.map((r) => ({ urn: r.urn, ...validateRecordedResource(r) })).filter((v) => !v.valid);
    expect(invalid).toEqual([]);
  });
});

describe("shareyoursales-shared", () => {
  it("installs exactly ShareYourSales' operators, Loki and Tempo, all pinned, and opens the control plane's webhook port", async () => {
    const { all, resources } = await planOf("shareyoursales-shared");
    const charts = all("kubernetes:helm.sh/v3:Release").map((r) => String(r.inputs.chart).split("/").pop()).sort();
    expect(charts).toEqual(expect.arrayContaining(["keda", "eck-operator", "rabbitmq-cluster-operator", "cloudnative-pg", "redis-operator", "loki", "tempo"]));
    expect(charts).not.toContain("strimzi-kafka-operator");
    expect(charts).not.toContain("mongodb-kubernetes");
    for (const r of all("kubernetes:helm.sh/v3:Release")) expect(r.inputs.version, r.name).toMatch(/^v?\d+\.\d+\.\d+$/);
    const namespaces = all("kubernetes:core/v1:Namespace").map((r) => valueAt(r.inputs, "metadata.name"));
    for (const env of ["dev", "rct", "prod"] as const) expect(namespaces).toEqual(expect.arrayContaining(Object.values(shareyoursalesNamespaces(env))));
    // The RabbitMQ operators' webhook listens on 9443, which a private cluster's own rule does not open.
    const webhooks = all("gcp:compute/firewall:Firewall").find((r) => r.name === "shareyoursales-allow-control-plane-webhooks");
    expect(webhooks?.inputs).toMatchObject({ sourceRanges: ["172.16.0.0/28"], allows: [{ protocol: "tcp", ports: ["9443"] }] });
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh") && r.type !== "pulumi:providers:kubernetes");
    expect(k8sObjects.map((r) => ({ urn: r.urn, ...validateRecordedResource(r) })).filter((v) => !v.valid)).toEqual([]);
  });

  it("puts the cluster in europe-west9 (Paris), the EU region nearest Morocco with vendored prices", async () => {
    const { one } = await planOf("shareyoursales-shared");
    expect(one("gcp:container/cluster:Cluster").location).toBe("europe-west9");
  });
});

describe("ShareYourSales' monthly cost", () => {
  it("comes in within the document's €470–900/month for all envs together (§ Estimation des coûts)", async () => {
    const estimates = await estimateStacks(["shareyoursales-shared", "shareyoursales-dev", "shareyoursales-rct", "shareyoursales-prod"]);
    const [total] = platformTotals(estimates);
    const eur = convertUsd(total.monthlyUsd, "EUR");
    const budget = PLATFORM_BUDGETS.shareyoursales.figures[0].monthly;
    expect({ low: budget.low, high: budget.high }).toEqual({ low: 470, high: 900 });
    expect(eur).toBeLessThanOrEqual(budget.high);
    // Nothing a stack runs goes unpriced for want of a pricer (a missing pricer would hide cost).
    for (const e of estimates) expect(e.lines.filter((l) => /no pricer/.test(l.notPriced ?? "")).map((l) => l.type), e.stack).toEqual([]);
  });
});

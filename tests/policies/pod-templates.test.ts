/**
 * The pod-template walker (policies/lib/pod-templates.ts): every kind that carries pods, in every
 * API version it was served in, and the pod templates of operators' custom resources, reach the
 * workload rules; removed API versions are refused; the operators' TLS and replica settings.
 */
import { describe, expect, it } from "vitest";
import { res, runRule } from "./helpers";
import { POD_KIND_VERSIONS } from "../../policies/lib/pod-templates";

const NS = "diaspomoney-prod";
const BAD_CONTAINER = { name: "app", image: "ghcr.io/x/app:1.0.0", securityContext: { privileged: true, runAsUser: 0 } };
const podSpec = { hostPID: true, containers: [BAD_CONTAINER] };

function builtIn(kind: string, version: string) {
  const apiVersion = version.replace(/^core\//, "");
  const template = { metadata: { labels: { app: "x" } }, spec: podSpec };
  const spec: Record<string, unknown> =
    kind === "Pod" ? podSpec : kind === "CronJob" ? { schedule: "0 2 * * *", jobTemplate: { spec: { template } } } : { selector: { matchLabels: { app: "x" } }, template };
  return res(`kubernetes:${version}:${kind}`, `x-${kind}-${version.replace(/\W/g, "-")}`, { apiVersion, kind, metadata: { name: "x", namespace: NS }, spec });
}

const SC_RULES = ["k8s-core-container-require-non-root", "k8s-core-container-deny-privilege-escalation", "k8s-core-pod-deny-host-namespaces"];

describe("every built-in pod-carrying kind, every API version", () => {
  for (const [kind, versions] of Object.entries(POD_KIND_VERSIONS)) {
    for (const version of versions) {
      it(`${version} ${kind}: a privileged root pod sharing the host PID is caught`, async () => {
        for (const rule of SC_RULES) expect((await runRule(rule, [builtIn(kind, version)])).mandatoryViolations, rule).toBeGreaterThan(0);
      });
    }
  }
  it("a removed version is refused, naming its replacement, by the removed-API and schema rules", async () => {
    const cron = builtIn("CronJob", "batch/v1beta1");
    const removed = await runRule("k8s-core-object-deny-removed-api", [cron]);
    expect(removed.results.map((r) => r.message).join(" ")).toMatch(/batch\/v1beta1 is no longer served .*use batch\/v1/);
    const schema = await runRule("k8s-schema-object-require-valid-schema", [cron]);
    expect(schema.results.map((r) => r.message).join(" ")).toMatch(/batch\/v1beta1 is not served by current GKE/);
    expect((await runRule("k8s-core-object-deny-removed-api", [builtIn("ReplicationController", "core/v1")])).results).toEqual([]);
  });
});

const PRIV = { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0 };
const CRS = [
  res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka", { spec: { kafka: { template: { kafkaContainer: { securityContext: PRIV } } } } }),
  res("kubernetes:kafka.strimzi.io/v1beta2:Kafka", "kafka-old", { spec: { entityOperator: { template: { topicOperatorContainer: { securityContext: PRIV } } } } }),
  res("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", "broker", { spec: { template: { kafkaContainer: { securityContext: PRIV } } } }),
  res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongo", { spec: { statefulSet: { spec: { template: { spec: { hostPID: true, containers: [{ name: "mongod", securityContext: PRIV }] } } } } } }),
  res("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis", { spec: { hostNetwork: true, redisLeader: { securityContext: PRIV } } }),
  res("kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "rabbit", { spec: { override: { statefulSet: { spec: { template: { spec: { hostIPC: true, containers: [{ name: "rabbitmq", securityContext: PRIV }] } } } } } } }),
  res("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "es", { spec: { nodeSets: [{ name: "default", count: 3, podTemplate: { spec: { hostNetwork: true, containers: [{ name: "elasticsearch", securityContext: PRIV }] } } }] } }),
  res("kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", "mariadb", { spec: { securityContext: PRIV, podSecurityContext: { runAsUser: 0 } } }),
  res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg", { spec: { instances: 3, storage: { size: "1Gi" }, securityContext: PRIV, podSecurityContext: { runAsUser: 0 } } }),
];

describe("operators' custom resources: their pod templates reach the workload rules", () => {
  for (const cr of CRS) {
    it(`${cr.type}: a privileged root container is caught`, async () => {
      for (const rule of ["k8s-core-container-require-non-root", "k8s-core-container-deny-privilege-escalation"]) expect((await runRule(rule, [cr])).mandatoryViolations, rule).toBeGreaterThan(0);
    });
  }
  it("host namespaces in Mongo, Redis, RabbitMQ and ECK templates are caught", async () => {
    for (const cr of CRS.filter((c) => /mongo|redis|rabbit|es$/.test(c.name))) expect((await runRule("k8s-core-pod-deny-host-namespaces", [cr])).mandatoryViolations, cr.name).toBeGreaterThan(0);
  });
  it("image, probes and resources stay the operator's business", async () => {
    for (const rule of ["k8s-core-container-require-resources", "k8s-core-container-require-probes", "k8s-core-container-deny-latest-image"]) for (const cr of CRS) expect((await runRule(rule, [cr])).results, `${rule} ${cr.name}`).toEqual([]);
  });
});

describe("CloudNativePG Cluster: spec-level security settings, completed with the operator's defaults", () => {
  const RESTRICTED = [
    "k8s-core-container-require-non-root",
    "k8s-core-container-deny-privilege-escalation",
    "k8s-core-container-drop-capabilities",
    "k8s-core-container-require-seccomp",
    "k8s-core-container-require-readonly-rootfs",
  ];
  const pg = (spec: Record<string, unknown>) => res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg", { metadata: { name: "pg", namespace: NS }, spec: { instances: 3, storage: { size: "1Gi" }, ...spec } });
  it("passes a Cluster that sets nothing: CloudNativePG 1.30's own contexts are restricted", async () => {
    for (const rule of RESTRICTED) expect((await runRule(rule, [pg({})])).results, rule).toEqual([]);
  });
  it("passes the restricted contexts PostgresCluster writes", async () => {
    const sc = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    const psc = { runAsNonRoot: true, runAsUser: 26, runAsGroup: 26, fsGroup: 26, seccompProfile: { type: "RuntimeDefault" } };
    for (const rule of RESTRICTED) expect((await runRule(rule, [pg({ securityContext: sc, podSecurityContext: psc })])).results, rule).toEqual([]);
  });
  it("catches what a Cluster's own fields weaken: a writable root, added capabilities, an unconfined seccomp profile", async () => {
    expect((await runRule("k8s-core-container-require-readonly-rootfs", [pg({ securityContext: { readOnlyRootFilesystem: false } })])).mandatoryViolations).toBeGreaterThan(0);
    expect((await runRule("k8s-core-container-drop-capabilities", [pg({ securityContext: { capabilities: { add: ["NET_ADMIN"] } } })])).mandatoryViolations).toBeGreaterThan(0);
    expect((await runRule("k8s-core-container-require-seccomp", [pg({ seccompProfile: { type: "Unconfined" } })])).mandatoryViolations).toBeGreaterThan(0);
  });
});

describe("operators' TLS and replicas", () => {
  const cases: { name: string; type: string; spec: Record<string, unknown>; rule: string; fails: boolean }[] = [
    { name: "Redis without TLS", type: "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", spec: { clusterSize: 3 }, rule: "k8s-data-service-require-tls", fails: true },
    { name: "RabbitMQ without TLS", type: "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", spec: { replicas: 3 }, rule: "k8s-data-service-require-tls", fails: true },
    { name: "RabbitMQ with TLS but plain listeners", type: "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", spec: { tls: { secretName: "rmq-tls" } }, rule: "k8s-data-service-require-tls", fails: true },
    { name: "RabbitMQ TLS only", type: "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", spec: { tls: { secretName: "rmq-tls", disableNonTLSListeners: true } }, rule: "k8s-data-service-require-tls", fails: false },
    { name: "ECK with HTTP TLS disabled", type: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", spec: { http: { tls: { selfSignedCertificate: { disabled: true } } } }, rule: "k8s-data-service-require-tls", fails: true },
    { name: "ECK default TLS", type: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", spec: {}, rule: "k8s-data-service-require-tls", fails: false },
    { name: "MariaDB TLS not required", type: "kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", spec: { tls: { enabled: true } }, rule: "k8s-data-service-require-tls", fails: true },
    { name: "MariaDB TLS required", type: "kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", spec: { tls: { enabled: true, required: true } }, rule: "k8s-data-service-require-tls", fails: false },
    { name: "RabbitMQ of 1 node", type: "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", spec: {}, rule: "k8s-data-service-require-replicas", fails: true },
    { name: "MariaDB of 3 without Galera", type: "kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", spec: { replicas: 3 }, rule: "k8s-data-service-require-replicas", fails: true },
    { name: "MariaDB Galera of 3", type: "kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", spec: { replicas: 3, galera: { enabled: true } }, rule: "k8s-data-service-require-replicas", fails: false },
    { name: "ECK of 1 node", type: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", spec: { nodeSets: [{ name: "default", count: 1 }] }, rule: "k8s-data-service-require-replicas", fails: true },
    { name: "Redis without followers", type: "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", spec: { clusterSize: 3, redisFollower: { replicas: 0 } }, rule: "k8s-data-service-require-replicas", fails: true },
  ];
  for (const c of cases) {
    it(`${c.fails ? "fails" : "passes"}: ${c.name}`, async () => {
      const run = await runRule(c.rule, [res(c.type, "ds", { metadata: { name: "ds", namespace: "diaspomoney-prod-infra" }, spec: c.spec })]);
      expect(run.results.length > 0, JSON.stringify(run.results)).toBe(c.fails);
    });
  }
});

describe("Traefik's insecure API in a pod's arguments", () => {
  it("is caught in a Deployment", async () => {
    const d = builtIn("Deployment", "apps/v1");
    (d.inputs.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0].args = ["--entrypoints.web.address=:8000", "--api.insecure=true"];
    expect((await runRule("k8s-traefik-release-deny-insecure-api", [d])).mandatoryViolations).toBeGreaterThan(0);
  });
});

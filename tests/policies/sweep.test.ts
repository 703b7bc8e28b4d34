/**
 * Issue 9's adversarial sweep as a test: one bad change at a time to the real prod and shared
 * plans, each of which the pack used to let through. Every case must fail with a mandatory
 * violation on the changed (or added) resource, under the stack's own committed policy config;
 * the unchanged plans pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RecordedResource } from "../../engine/evaluate";
import { previewStack } from "../../engine/preview";
import { runPolicyPack } from "../../engine/policy/run";
import { policies } from "../../policies/pack";

type Stack = "quickfund-prod" | "diaspomoney-prod" | "diaspomoney-shared";
type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Case {
  stack: Stack;
  /** The resource to change: type and logical name. */
  target?: { type: string; name: string };
  change?: (inputs: Inputs) => void;
  /** A resource to add instead (type, name, inputs). */
  add?: { type: string; name: string; inputs: Inputs };
  /** A resource to remove; the violation is then reported on `on`. */
  remove?: { type: string; name: string; on: { type: string; name: string } };
  /** Also remove these resources (e.g. the HPA that would otherwise own the replica count). */
  alsoRemove?: { type: string; name: string }[];
  /** The resource the violation is reported on, when not the changed one (a consumer, a proxy). */
  on?: { type: string; name: string };
  /** The rule expected to name the resource. */
  policy: RegExp;
}

const SA = "serviceAccount:api@quickfund-prod-4821.iam.gserviceaccount.com";
const privilegedPod = { containers: [{ name: "x", image: "busybox:1.36", securityContext: { privileged: true, runAsUser: 0 } }] };

/** Theme → examples, in the issue's words. */
const CASES: Record<string, Record<string, Case>> = {
  IAM: {
    "allUsers on a bucket": { stack: "quickfund-prod", target: { type: "gcp:storage/bucketIAMMember:BucketIAMMember", name: "quickfund-documents-api-writer" }, change: (i) => (i.member = "allUsers"), policy: /public-principal/ },
    "allAuthenticatedUsers on a secret": { stack: "quickfund-prod", target: { type: "gcp:secretmanager/secretIamMember:SecretIamMember", name: "quickfund-api-secret-jwt-signing-key" }, change: (i) => (i.member = "allAuthenticatedUsers"), policy: /public-principal/ },
    "allUsers on a KMS key": { stack: "quickfund-prod", target: { type: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", name: "quickfund-database-cloud-sql" }, change: (i) => (i.member = "allUsers"), policy: /public-principal/ },
    "allUsers on a service account": { stack: "diaspomoney-prod", target: { type: "gcp:serviceaccount/iAMMember:IAMMember", name: "diaspomoney-prod-mongodb-backup-workload-identity" }, change: (i) => (i.member = "allUsers"), policy: /public-principal/ },
    "roles/owner to a service account": { stack: "quickfund-prod", target: { type: "gcp:projects/iAMMember:IAMMember", name: "quickfund-api-role-cloudsql-client" }, change: (i) => Object.assign(i, { role: "roles/owner", member: SA }), policy: /admin-service-account/ },
    "roles/editor to a service account": { stack: "quickfund-prod", target: { type: "gcp:projects/iAMMember:IAMMember", name: "quickfund-api-role-cloudsql-client" }, change: (i) => Object.assign(i, { role: "roles/editor", member: SA }), policy: /admin-service-account/ },
  },
  "data-service CRs": {
    "MongoDB TLS off": { stack: "diaspomoney-prod", target: { type: "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", name: "mongodb-replicaset" }, change: (i) => (i.spec.security.tls.enabled = false), policy: /require-tls/ },
    "MongoDB TLS optional": { stack: "diaspomoney-prod", target: { type: "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", name: "mongodb-replicaset" }, change: (i) => (i.spec.security.tls.optional = true), policy: /require-tls/ },
    "Redis TLS removed": { stack: "diaspomoney-prod", target: { type: "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", name: "redis-cluster" }, change: (i) => delete i.spec.TLS, policy: /require-tls/ },
    "Redis AUTH removed": { stack: "diaspomoney-prod", target: { type: "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", name: "redis-cluster" }, change: (i) => delete i.spec.kubernetesConfig.redisSecret, policy: /redis-cluster-require-auth/ },
    "plain-text Kafka listener without authentication": { stack: "diaspomoney-prod", target: { type: "kubernetes:kafka.strimzi.io/v1:Kafka", name: "kafka-kafka" }, change: (i) => i.spec.kafka.listeners.push({ name: "plain", port: 9092, type: "internal", tls: false }), policy: /secure-listeners/ },
    "no Kafka authorization": { stack: "diaspomoney-prod", target: { type: "kubernetes:kafka.strimzi.io/v1:Kafka", name: "kafka-kafka" }, change: (i) => delete i.spec.kafka.authorization, policy: /secure-listeners/ },
    "default.replication.factor 1": { stack: "diaspomoney-prod", target: { type: "kubernetes:kafka.strimzi.io/v1:Kafka", name: "kafka-kafka" }, change: (i) => (i.spec.kafka.config["default.replication.factor"] = 1), policy: /durable-replication/ },
    "min.insync.replicas 1": { stack: "diaspomoney-prod", target: { type: "kubernetes:kafka.strimzi.io/v1:Kafka", name: "kafka-kafka" }, change: (i) => (i.spec.kafka.config["min.insync.replicas"] = 1), policy: /durable-replication/ },
    "unclean leader election": { stack: "diaspomoney-prod", target: { type: "kubernetes:kafka.strimzi.io/v1:Kafka", name: "kafka-kafka" }, change: (i) => (i.spec.kafka.config["unclean.leader.election.enable"] = true), policy: /durable-replication/ },
    "1 MongoDB member in prod": { stack: "diaspomoney-prod", target: { type: "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", name: "mongodb-replicaset" }, change: (i) => (i.spec.members = 1), policy: /data-service-require-replicas/ },
    "AOF off in redis.conf": { stack: "diaspomoney-prod", target: { type: "kubernetes:core/v1:ConfigMap", name: "redis-config" }, change: (i) => (i.data["redis-additional.conf"] = "appendonly no\n"), on: { type: "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", name: "redis-cluster" }, policy: /require-aof/ },
    "an external (loadbalancer) listener": { stack: "diaspomoney-prod", target: { type: "kubernetes:kafka.strimzi.io/v1:Kafka", name: "kafka-kafka" }, change: (i) => i.spec.kafka.listeners.push({ name: "external", port: 9094, type: "loadbalancer", tls: true, authentication: { type: "scram-sha-512" } }), policy: /external-listener/ },
    "a privileged container in a CR's pod template": { stack: "diaspomoney-prod", target: { type: "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", name: "mongodb-replicaset" }, change: (i) => (i.spec.statefulSet = { spec: { template: { spec: { containers: [{ name: "mongod", securityContext: { privileged: true } }] } } } }), policy: /privilege|non-root|capabilities/ },
  },
  "host and cluster hardening": {
    hostNetwork: { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => (i.spec.template.spec.hostNetwork = true), policy: /host-namespaces/ },
    hostPID: { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => (i.spec.template.spec.hostPID = true), policy: /host-namespaces/ },
    hostIPC: { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => (i.spec.template.spec.hostIPC = true), policy: /host-namespaces/ },
    hostPort: { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => (i.spec.template.spec.containers[0].ports[0].hostPort = 3000), policy: /host-namespaces/ },
    "hostPath docker.sock": { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => i.spec.template.spec.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }), policy: /host-path/ },
    automountServiceAccountToken: { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => (i.spec.template.spec.automountServiceAccountToken = true), policy: /service-account-token/ },
    "cluster-admin to a default service account": { stack: "diaspomoney-prod", add: { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", name: "oops", inputs: { metadata: { name: "oops" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "ServiceAccount", name: "default", namespace: "diaspomoney-prod" }] } }, policy: /admin-to-service-account/ },
    "an allow-all NetworkPolicy": { stack: "diaspomoney-prod", add: { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "open", inputs: { metadata: { name: "open", namespace: "diaspomoney-prod" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] } } }, policy: /allow-all/ },
    "a 0.0.0.0/0 ipBlock": { stack: "diaspomoney-prod", add: { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "world", inputs: { metadata: { name: "world", namespace: "diaspomoney-prod" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 3000 }] }] } } }, policy: /allow-all/ },
    "spec.externalIPs": { stack: "diaspomoney-prod", target: { type: "kubernetes:core/v1:Service", name: "web-service" }, change: (i) => (i.spec.externalIPs = ["203.0.113.10"]), policy: /external-ips/ },
    "the Prometheus route stripped of its auth": { stack: "diaspomoney-shared", target: { type: "kubernetes:traefik.io/v1alpha1:IngressRoute", name: "monitoring-prometheus-route" }, change: (i) => delete i.spec.routes[0].middlewares, policy: /ingressroute-require-auth/ },
    "Traefik api.insecure": { stack: "diaspomoney-shared", target: { type: "kubernetes:helm.sh/v3:Release", name: "traefik-release" }, change: (i) => (i.values.api = { ...(i.values.api ?? {}), insecure: true }), policy: /insecure-api/ },
    "a LoadBalancer named traefik-…": { stack: "diaspomoney-prod", add: { type: "kubernetes:core/v1:Service", name: "traefik-sneaky", inputs: { metadata: { name: "traefik-sneaky", namespace: "diaspomoney-prod" }, spec: { type: "LoadBalancer", ports: [{ port: 443 }] } } }, policy: /external-type/ },
  },
  "type evasion": {
    "a privileged root ReplicationController": { stack: "diaspomoney-prod", add: { type: "kubernetes:core/v1:ReplicationController", name: "rc", inputs: { metadata: { name: "rc", namespace: "diaspomoney-prod" }, spec: { replicas: 1, template: { metadata: { labels: { a: "b" } }, spec: privilegedPod } } } }, policy: /privilege|non-root/ },
    "a privileged root batch/v1beta1 CronJob": { stack: "diaspomoney-prod", add: { type: "kubernetes:batch/v1beta1:CronJob", name: "old", inputs: { metadata: { name: "old", namespace: "diaspomoney-prod" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: privilegedPod } } } } } }, policy: /removed-api|privilege|non-root/ },
  },
  "defaults and CIDR tricks": {
    "SSH firewall rule with no source range": { stack: "quickfund-prod", target: { type: "gcp:compute/firewall:Firewall", name: "quickfund-allow-internal" }, change: (i) => Object.assign(i, { allows: [{ protocol: "tcp", ports: ["22"] }], sourceRanges: undefined }), policy: /firewall-deny-open-ingress/ },
    "0.0.0.0/1 + 128.0.0.0/1 on a firewall": { stack: "quickfund-prod", target: { type: "gcp:compute/firewall:Firewall", name: "quickfund-allow-internal" }, change: (i) => Object.assign(i, { allows: [{ protocol: "tcp", ports: ["22"] }], sourceRanges: ["0.0.0.0/1", "128.0.0.0/1"] }), policy: /firewall-deny-open-ingress/ },
    "0.0.0.0/1 + 128.0.0.0/1 on master authorized networks": { stack: "diaspomoney-shared", target: { type: "gcp:container/cluster:Cluster", name: "diaspomoney-cluster" }, change: (i) => (i.masterAuthorizedNetworksConfig = { cidrBlocks: [{ cidrBlock: "0.0.0.0/1" }, { cidrBlock: "128.0.0.0/1" }] }), policy: /restrict-control-plane/ },
  },
  residency: {
    "Secret Manager automatic (global) replication": { stack: "quickfund-prod", target: { type: "gcp:secretmanager/secret:Secret", name: "quickfund-secret-jwt-signing-key" }, change: (i) => (i.replication = { auto: {} }), policy: /allowed-location/ },
    "Secret Manager replica in the US": { stack: "quickfund-prod", target: { type: "gcp:secretmanager/secret:Secret", name: "quickfund-secret-jwt-signing-key" }, change: (i) => (i.replication = { userManaged: { replicas: [{ location: "us-central1" }] } }), policy: /allowed-location/ },
    "Cloud SQL backups located in the US": { stack: "quickfund-prod", target: { type: "gcp:sql/databaseInstance:DatabaseInstance", name: "quickfund-instance" }, change: (i) => (i.settings.backupConfiguration.location = "us"), policy: /allowed-location/ },
  },
  "settings with no rule": {
    "Cloud Run ingress from all, invoker IAM disabled": { stack: "quickfund-prod", target: { type: "gcp:cloudrunv2/service:Service", name: "quickfund-api-service" }, change: (i) => Object.assign(i, { ingress: "INGRESS_TRAFFIC_ALL", invokerIamDisabled: true }), policy: /restrict-ingress/ },
    "the default compute service account": { stack: "quickfund-prod", target: { type: "gcp:cloudrunv2/service:Service", name: "quickfund-api-service" }, change: (i) => (i.template.serviceAccount = "1234-compute@developer.gserviceaccount.com"), policy: /default-service-account/ },
    "an HTTP URL map serving the app": { stack: "quickfund-prod", target: { type: "gcp:compute/uRLMap:URLMap", name: "quickfund-redirect-map" }, change: (i) => Object.assign(i, { defaultUrlRedirect: undefined, defaultService: "projects/p/global/backendServices/api" }), on: { type: "gcp:compute/targetHttpProxy:TargetHttpProxy", name: "quickfund-http-proxy" }, policy: /https-redirect/ },
    "a COMPATIBLE SSL profile": { stack: "quickfund-prod", target: { type: "gcp:compute/sSLPolicy:SSLPolicy", name: "quickfund-ssl-policy" }, change: (i) => (i.profile = "COMPATIBLE"), policy: /ssl-policy/ },
    "Cloud Armor rules in preview": { stack: "quickfund-prod", target: { type: "gcp:compute/securityPolicy:SecurityPolicy", name: "quickfund-armor" }, change: (i) => (i.rules[0].preview = true), policy: /preview-rules/ },
    "Cloud Armor removed (mandatory in prod)": { stack: "quickfund-prod", target: { type: "gcp:compute/backendService:BackendService", name: "quickfund-api-backend" }, change: (i) => delete i.securityPolicy, policy: /cloud-armor/ },
    "GKE legacy ABAC": { stack: "diaspomoney-shared", target: { type: "gcp:container/cluster:Cluster", name: "diaspomoney-cluster" }, change: (i) => (i.enableLegacyAbac = true), policy: /legacy-abac/ },
    "GKE legacy client certificate": { stack: "diaspomoney-shared", target: { type: "gcp:container/cluster:Cluster", name: "diaspomoney-cluster" }, change: (i) => (i.masterAuth = { clientCertificateConfig: { issueClientCertificate: true } }), policy: /client-certificate/ },
    "GKE logging off": { stack: "diaspomoney-shared", target: { type: "gcp:container/cluster:Cluster", name: "diaspomoney-cluster" }, change: (i) => (i.loggingService = "none"), policy: /require-logging/ },
    "node auto-upgrade off": { stack: "diaspomoney-shared", target: { type: "gcp:container/nodePool:NodePool", name: "diaspomoney-pool-general" }, change: (i) => (i.management = { ...(i.management ?? {}), autoUpgrade: false }), policy: /auto-management/ },
    "node auto-repair off": { stack: "diaspomoney-shared", target: { type: "gcp:container/nodePool:NodePool", name: "diaspomoney-pool-general" }, change: (i) => (i.management = { ...(i.management ?? {}), autoRepair: false }), policy: /auto-management/ },
    "Cloud SQL log flags off": { stack: "quickfund-prod", target: { type: "gcp:sql/databaseInstance:DatabaseInstance", name: "quickfund-instance" }, change: (i) => (i.settings.databaseFlags = i.settings.databaseFlags.filter((f: Inputs) => f.name !== "log_connections")), policy: /audit-flags/ },
    "retainBackupsOnDelete false": { stack: "quickfund-prod", target: { type: "gcp:sql/databaseInstance:DatabaseInstance", name: "quickfund-instance" }, change: (i) => (i.settings.retainBackupsOnDelete = false), policy: /retained-backups/ },
    "a 1-day KMS destroy window": { stack: "quickfund-prod", target: { type: "gcp:kms/cryptoKey:CryptoKey", name: "quickfund-database" }, change: (i) => (i.destroyScheduledDuration = "86400s"), policy: /destroy-delay/ },
  },
  "secret shapes": {
    'password: "Passw0rd"': { stack: "diaspomoney-prod", add: { type: "kubernetes:core/v1:Secret", name: "s1", inputs: { metadata: { name: "s1", namespace: "diaspomoney-prod" }, stringData: { password: "Passw0rd" } } }, policy: /literal-secret/ },
    '"secret:…" that is no reference': { stack: "diaspomoney-prod", add: { type: "kubernetes:core/v1:Secret", name: "s2", inputs: { metadata: { name: "s2", namespace: "diaspomoney-prod" }, stringData: { token: "secret:hunter2-but-longer" } } }, policy: /literal-secret/ },
    "a base64 connection string with credentials": { stack: "diaspomoney-prod", add: { type: "kubernetes:core/v1:Secret", name: "s3", inputs: { metadata: { name: "s3", namespace: "diaspomoney-prod" }, data: { uri: Buffer.from("mongodb://app:s3cr3tPass@mongodb-svc:27017/admin").toString("base64") } } }, policy: /literal-secret/ },
    "ENCRYPTION_KEY as a literal env": { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => i.spec.template.spec.containers[0].env.push({ name: "ENCRYPTION_KEY", value: "k3y-0f-32-bytes-aaaaaaaaaaaaaaaaa" }), policy: /secret-env/ },
    "MYSQL_PWD as a literal env": { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => i.spec.template.spec.containers[0].env.push({ name: "MYSQL_PWD", value: "hunter22" }), policy: /secret-env/ },
    "requirepass in a redis.conf ConfigMap": { stack: "diaspomoney-prod", target: { type: "kubernetes:core/v1:ConfigMap", name: "redis-config" }, change: (i) => (i.data["redis-additional.conf"] += "requirepass hunter22\n"), policy: /literal-secret/ },
    "a literal DB_PASSWORD in Cloud Run": { stack: "quickfund-prod", target: { type: "gcp:cloudrunv2/service:Service", name: "quickfund-api-service" }, change: (i) => i.template.containers[0].envs.push({ name: "DB_PASSWORD", value: "hunter22" }), policy: /literal-secret/ },
  },
  availability: {
    "HPA minReplicas 1 where the document says 5": { stack: "diaspomoney-prod", target: { type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name: "web-hpa" }, change: (i) => (i.spec.minReplicas = 1), policy: /deployment-require-replicas/ },
    // With its HPA in place the HPA's minimum (5) owns the count; without it, 1 replica is what runs.
    "a Deployment at 1 replica": { stack: "diaspomoney-prod", target: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" }, change: (i) => (i.spec.replicas = 1), alsoRemove: [{ type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name: "web-hpa" }], policy: /deployment-require-replicas/ },
    "the web PDB removed": { stack: "diaspomoney-prod", remove: { type: "kubernetes:policy/v1:PodDisruptionBudget", name: "web-pdb", on: { type: "kubernetes:apps/v1:Deployment", name: "web-deployment" } }, policy: /disruption-budget/ },
    "a backup lifecycle shorter than the stack's minimum retention": { stack: "diaspomoney-prod", target: { type: "gcp:storage/bucket:Bucket", name: "diaspomoney-prod-mongodb-backups-bucket" }, change: (i) => (i.lifecycleRules = [{ action: { type: "Delete" }, condition: { age: 1 } }]), policy: /bucket-retention|backup/ },
  },
  durations: {
    "a KMS rotationPeriod of 90 (no unit)": { stack: "quickfund-prod", target: { type: "gcp:kms/cryptoKey:CryptoKey", name: "quickfund-database" }, change: (i) => (i.rotationPeriod = "90"), policy: /rotation/ },
  },
};

const plans = new Map<Stack, RecordedResource[]>();

function find(resources: RecordedResource[], t: { type: string; name: string }): RecordedResource {
  const found = resources.filter((r) => r.type === t.type && r.name === t.name);
  if (found.length !== 1) throw new Error(`expected one ${t.type} ${t.name}, found ${found.length}: ${resources.filter((r) => r.type === t.type).map((r) => r.name).join(", ")}`);
  return found[0]!;
}

function apply(c: Case): { resources: RecordedResource[]; urn: string } {
  const resources = structuredClone(plans.get(c.stack)!);
  if (c.add) {
    const urn = `urn:pulumi:${c.stack}::platform-infra::${c.add.type}::${c.add.name}`;
    resources.push({ ...structuredClone(resources[1]!), urn, type: c.add.type, name: c.add.name, inputs: c.add.inputs, parent: resources[0]!.urn, dependencies: [], propertyDependencies: {} });
    return { resources, urn };
  }
  if (c.remove) {
    const gone = find(resources, c.remove);
    return { resources: resources.filter((r) => r !== gone), urn: find(resources, c.remove.on).urn };
  }
  const r = find(resources, c.target!);
  c.change!(r.inputs as Inputs);
  r.inputs = JSON.parse(JSON.stringify(r.inputs)) as Record<string, unknown>; // drop undefined keys, as the wire would
  const gone = new Set((c.alsoRemove ?? []).map((t) => find(resources, t)));
  return { resources: resources.filter((x) => !gone.has(x)), urn: c.on ? find(resources, c.on).urn : r.urn };
}

describe("issue 9's sweep: one bad change at a time to the real prod and shared plans", () => {
  beforeAll(async () => {
    for (const stack of ["quickfund-prod", "diaspomoney-prod", "diaspomoney-shared"] as const) plans.set(stack, (await previewStack(stack)).evaluation.resources);
  }, 120_000);

  it("the unchanged plans pass", async () => {
    for (const [stack, resources] of plans) expect((await runPolicyPack({ stack, resources })).mandatoryViolations, stack).toBe(0);
  });

  for (const [theme, cases] of Object.entries(CASES)) {
    describe(theme, () => {
      for (const [example, c] of Object.entries(cases)) {
        it(example, async () => {
          const { resources, urn } = apply(c);
          // Only the rules the case expects to fire: a rule's verdict never depends on the other
          // rules, so this is the same verdict as the whole pack's, for a fraction of the time (the
          // stack's whole config is still loaded and checked; the unchanged plans run every rule).
          const expected = policies.filter((p) => c.policy.test(p.name));
          expect(expected.map((p) => p.name), `no rule of the pack matches ${c.policy}`).not.toEqual([]);
          const run = await runPolicyPack({ stack: c.stack, resources, policies: expected });
          const mandatory = run.results.filter((r) => r.enforcementLevel === "mandatory" && !r.waiver);
          const named = mandatory.filter((r) => r.urn === urn && c.policy.test(r.policy));
          expect(named.map((r) => r.policy), mandatory.map((r) => `${r.policy} ${r.urn}: ${r.message}`).join("\n") || "no mandatory violation").not.toEqual([]);
        });
      }
    });
  }
});

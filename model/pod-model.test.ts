/**
 * The pod model of ShareYourSales' operator CRs, on the resources the components really record:
 * ECK Elasticsearch, RabbitmqCluster, CloudNativePG Cluster with its Barman Cloud sidecar, and a
 * KEDA ScaledObject's target counted at maxReplicaCount by the capacity check. Figures are checked
 * against what the operators start (cited in pod-model.ts) and, for Postgres, against the
 * component's own postgresPodBudget.
 */
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../engine/evaluate";
import { capacityCheck, capacityFigures } from "../engine/deployability/capacity";
import { ElasticsearchCluster } from "../components/k8s/elasticsearch";
import { MARIADB_EXPORTER_RESOURCES, MariadbShard, mariadbPodBudget, resolveMariadbShardArgs, type MariadbShardArgs } from "../components/k8s/mariadb";
import { parseQuantity } from "../components/k8s/common/pod-security";
import { PostgresCluster, postgresPodBudget, resolvePostgresClusterArgs, type PostgresClusterArgs } from "../components/k8s/postgres-cluster";
import { QueueWorker } from "../components/k8s/queue-worker";
import { RabbitmqBroker } from "../components/k8s/rabbitmq";
import { findings, res } from "../tests/deployability/helpers";
import { runProgram } from "../tests/harness";
import { podModel, type PodGroup } from "./pod-model";

const NS = "sys-prod-infra";
const APP = "sys-prod";
const Mi = 2 ** 20;
const Gi = 2 ** 30;

async function record(program: (opts: { provider: k8s.Provider }) => void): Promise<RecordedResource[]> {
  const { plan } = await runProgram(() => program({ provider: new k8s.Provider("k8s", {}) }));
  return [...plan.resources];
}
const one = (groups: PodGroup[], label: RegExp): PodGroup => {
  const g = groups.filter((x) => label.test(x.label));
  expect(g, `one group matching ${label}`).toHaveLength(1);
  return g[0]!;
};
const byName = (g: PodGroup, name: string) => g.containers.find((c) => c.name === name)!;

describe("pod model: ECK Elasticsearch", () => {
  it("counts nodeSets[].count pods of the elasticsearch container, ECK's init containers and one data claim per node", async () => {
    const rs = await record((o) => new ElasticsearchCluster("search", { namespace: NS, nodeCount: 3, resourceName: "search", deletionProtection: false }, o));
    const g = one(podModel(rs).groups, /^Elasticsearch search node set default/);
    expect(g).toMatchObject({ namespace: NS, replicas: 3, surge: 0 });
    expect(byName(g, "elasticsearch")).toEqual({ name: "elasticsearch", requests: { cpu: 0.5, memory: 2 * Gi }, limits: { cpu: 1, memory: 2 * Gi } });
    expect(byName(g, "elastic-internal-init-filesystem")).toEqual({ name: "elastic-internal-init-filesystem", requests: { cpu: 0.1, memory: 50 * Mi }, limits: { cpu: 0.1, memory: 50 * Mi }, init: true });
    // The suspend init container has no resources of its own: it inherits the main container's.
    expect(byName(g, "elastic-internal-suspend")).toMatchObject({ requests: { cpu: 0.5, memory: 2 * Gi }, init: true });
    expect(g.pvcsPerPod).toEqual([{ name: "elasticsearch-data", storage: 20 * Gi, storageClass: "premium-rwo" }]);
    const f = capacityFigures(rs).get(NS)!;
    expect(f.pods!.rest).toBe(3);
    expect(f["requests.cpu"]!.rest).toBeCloseTo(1.5);
    expect(f["limits.memory"]!.rest).toBe(6 * Gi);
    expect(f["requests.storage"]!.rest).toBe(60 * Gi);
  });

  it("applies ECK's 2Gi default and the node set's resources shorthand", () => {
    const es = (nodeSet: Record<string, unknown>) =>
      res("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "es", { metadata: { name: "es", namespace: NS }, spec: { version: "9.4.3", nodeSets: [{ name: "a", count: 2, ...nodeSet }] } });
    const bare = podModel([es({})]).groups[0]!;
    expect(byName(bare, "elasticsearch")).toEqual({ name: "elasticsearch", requests: { memory: 2 * Gi }, limits: { memory: 2 * Gi } });
    expect(bare.pvcsPerPod).toEqual([{ name: "elasticsearch-data", storage: Gi }]);
    const short = podModel([es({ resources: { limits: { memory: "4Gi" } }, podTemplate: { spec: { containers: [{ name: "elasticsearch", resources: { requests: { cpu: "1" }, limits: { memory: "3Gi" } } }] } } })]).groups[0]!;
    expect(byName(short, "elasticsearch")).toEqual({ name: "elasticsearch", requests: { cpu: 1 }, limits: { memory: 4 * Gi } });
  });
});

describe("pod model: RabbitmqCluster", () => {
  it("counts replicas × spec.resources, the setup-container init (20m/64Mi) and a persistence claim per node", async () => {
    const rs = await record(
      (o) =>
        new RabbitmqBroker("rabbitmq", {
          namespace: NS,
          resourceName: "rabbitmq",
          replicas: 3,
          tls: { issuer: { name: "ca", kind: "ClusterIssuer" } },
          exchanges: [{ name: "sys.events" }],
          queues: [{ name: "email", exchange: "sys.events", routingKey: "email.#" }],
          users: [{ name: "email-worker", clientNamespaces: [APP], consumes: ["email"] }],
          deletionProtection: false,
        }, o),
    );
    const g = one(podModel(rs).groups, /^RabbitmqCluster rabbitmq$/);
    expect(g.replicas).toBe(3);
    expect(byName(g, "rabbitmq")).toEqual({ name: "rabbitmq", requests: { cpu: 0.25, memory: Gi }, limits: { cpu: 1, memory: Gi } });
    expect(byName(g, "setup-container")).toEqual({ name: "setup-container", requests: { cpu: 0.02, memory: 64 * Mi }, limits: { cpu: 0.02, memory: 64 * Mi }, init: true });
    expect(g.pvcsPerPod).toEqual([{ name: "persistence", storage: 10 * Gi, storageClass: "premium-rwo" }]);
    const f = capacityFigures(rs).get(NS)!;
    expect(f["requests.cpu"]!.rest).toBeCloseTo(0.75);
    expect(f.persistentvolumeclaims!.rest).toBe(3);
  });

  it("applies the CRD defaults when resources, replicas and persistence are absent, and none with emptyDir", () => {
    const rmq = (spec: Record<string, unknown>) => res("kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "r", { metadata: { name: "r", namespace: NS }, spec });
    const g = podModel([rmq({})]).groups[0]!;
    expect(g.replicas).toBe(1);
    expect(byName(g, "rabbitmq")).toMatchObject({ requests: { cpu: 1, memory: 2 * Gi }, limits: { cpu: 2, memory: 2 * Gi } });
    expect(g.pvcsPerPod).toEqual([{ name: "persistence", storage: 10 * Gi }]);
    expect(podModel([rmq({ persistence: { emptyDir: {} } })]).groups[0]!.pvcsPerPod).toEqual([]);
    const over = podModel([rmq({ override: { statefulSet: { spec: { template: { spec: { containers: [{ name: "rabbitmq", resources: { limits: { cpu: "3" } } }, { name: "exporter", resources: { requests: { cpu: "10m" } } }] } } } } } })]).groups[0]!;
    expect(byName(over, "rabbitmq").limits).toEqual({ cpu: 3, memory: 2 * Gi });
    expect(byName(over, "exporter").requests).toEqual({ cpu: 0.01 });
  });
});

describe("pod model: CloudNativePG Cluster", () => {
  const args: PostgresClusterArgs = {
    namespace: NS,
    clusterName: "pg",
    clientNamespaces: [APP],
    backup: { bucket: "sys-prod-pg", gcpServiceAccountEmail: "pg-backup@sys-prod.iam.gserviceaccount.com", retentionDays: 30 },
    deletionProtection: false,
  };

  it("counts instances × (postgres + the Barman Cloud sidecar from the ObjectStore), as postgresPodBudget says", async () => {
    const rs = await record((o) => new PostgresCluster("pg", args, o));
    const g = one(podModel(rs).groups, /^Cluster pg \(CloudNativePG\)$/);
    const r = resolvePostgresClusterArgs("pg", args);
    expect(g.replicas).toBe(r.instances);
    expect(byName(g, "plugin-barman-cloud")).toMatchObject({ init: true, sidecar: true });
    expect(byName(g, "bootstrap-controller")).toMatchObject({ init: true });
    const budget = postgresPodBudget(r);
    const f = capacityFigures(rs).get(NS)!;
    expect(f.pods!.rest).toBe(budget.pods);
    expect(f["requests.cpu"]!.rest).toBeCloseTo(budget.requests.cpu);
    expect(f["requests.memory"]!.rest).toBeCloseTo(budget.requests.memory);
    expect(f["limits.cpu"]!.rest).toBeCloseTo(budget.limits.cpu);
    expect(f["limits.memory"]!.rest).toBeCloseTo(budget.limits.memory);
    expect(f.persistentvolumeclaims!.rest).toBe(budget.persistentVolumeClaims);
    expect(f["requests.storage"]!.rest).toBe(budget.storageBytes);
  });

  it("leaves the sidecar without figures when its ObjectStore is not in the plan, and adds a WAL claim", () => {
    const cluster = res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg", {
      metadata: { name: "pg", namespace: NS },
      spec: { instances: 2, storage: { size: "10Gi" }, walStorage: { size: "2Gi", storageClass: "premium-rwo" }, plugins: [{ name: "barman-cloud.cloudnative-pg.io", parameters: { barmanObjectName: "elsewhere" } }] },
    });
    const g = podModel([cluster]).groups[0]!;
    expect(g.replicas).toBe(2);
    expect(byName(g, "plugin-barman-cloud")).toEqual({ name: "plugin-barman-cloud", requests: {}, limits: {}, init: true, sidecar: true });
    expect(g.pvcsPerPod).toEqual([{ name: "pgdata", storage: 10 * Gi }, { name: "pg-wal", storage: 2 * Gi, storageClass: "premium-rwo" }]);
    // A disabled plugin adds no sidecar.
    const off = res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg2", { metadata: { name: "pg2", namespace: NS }, spec: { storage: { size: "1Gi" }, plugins: [{ name: "barman-cloud.cloudnative-pg.io", enabled: false }] } });
    expect(podModel([off]).groups[0]!.containers.map((c) => c.name)).toEqual(["postgres", "bootstrap-controller"]);
  });
});

describe("capacity: KEDA ScaledObject", () => {
  const quota = (hard: Record<string, string>) => res("kubernetes:core/v1:ResourceQuota", "quota", { metadata: { name: "quota", namespace: APP }, spec: { hard } });

  it("counts the worker Deployment at maxReplicaCount, and flags a quota that caps it", async () => {
    const rs = await record(
      (o) =>
        new QueueWorker("email-worker", {
          namespace: APP,
          image: "europe-west1-docker.pkg.dev/sys/apps/email-worker:1.0.0",
          queue: "email",
          broker: { secretName: "rabbitmq-email-worker" },
          maxReplicas: 6,
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        }, o),
    );
    const f = capacityFigures(rs).get(APP)!;
    // maxReplicaCount 6 plus the Deployment's 25% surge (rounded up from 1 replica at rest: 1).
    expect(f.pods!.max).toBe(7);
    expect(f["limits.cpu"]!.max).toBeCloseTo(3.5);
    expect(findings(capacityCheck, [...rs, quota({ pods: "7", "limits.cpu": "4", "limits.memory": "4Gi", "requests.cpu": "4", "requests.memory": "4Gi" })])).toEqual([]);
    const capped = findings(capacityCheck, [...rs, quota({ pods: "5", "limits.cpu": "4", "limits.memory": "4Gi", "requests.cpu": "4", "requests.memory": "4Gi" })]);
    expect(capped).toEqual([expect.objectContaining({ check: "capacity", message: expect.stringMatching(/^ScaledObject email-worker scales Deployment email-worker to maxReplicaCount 6: namespace sys-prod then needs pods 7 but ResourceQuota quota allows 5/) })]);
  });

  it("takes KEDA's default maximum of 100 when maxReplicaCount is absent", () => {
    const dep = res("kubernetes:apps/v1:Deployment", "w", { metadata: { name: "w", namespace: APP }, spec: { replicas: 1, strategy: { type: "Recreate" }, template: { spec: { containers: [{ name: "w", resources: { requests: { cpu: "10m" } } }] } } } });
    const so = res("kubernetes:keda.sh/v1alpha1:ScaledObject", "w-so", { metadata: { name: "w", namespace: APP }, spec: { scaleTargetRef: { name: "w" }, triggers: [] } });
    expect(capacityFigures([dep, so]).get(APP)!.pods!.max).toBe(100);
    expect(capacityFigures([dep]).get(APP)!.pods!.max).toBe(1);
  });
});

describe("pod model: mariadb-operator MariaDB", () => {
  const args: MariadbShardArgs = {
    namespace: NS,
    shardName: "shard-0",
    objectStorage: { bucket: "crm-prod-backups", endpoint: "storage.googleapis.com", region: "auto", credentialsSecret: { name: "s3" } },
    firms: [{ id: "cabinet-01" }],
    clientNamespaces: [APP],
    deletionProtection: false,
  };

  it("counts replicas × (mariadb + the replication agent) and the exporter, as mariadbPodBudget says without its Jobs", async () => {
    const rs = await record((o) => new MariadbShard("shard-0", args, o));
    const g = one(podModel(rs).groups, /^MariaDB shard-0 \(mariadb-operator\)$/);
    const r = resolveMariadbShardArgs("shard-0", args);
    expect(g.replicas).toBe(r.instances);
    expect(byName(g, "agent")).toMatchObject({ init: true, sidecar: true });
    const budget = mariadbPodBudget(r);
    const jobs = 2 * parseQuantity(r.jobResources.requests.cpu);
    const exporterSurge = parseQuantity(MARIADB_EXPORTER_RESOURCES.requests.cpu);
    const f = capacityFigures(rs).get(NS)!;
    // The budget counts two concurrent backup Jobs the model leaves out (short-lived); the model
    // counts the exporter Deployment's rollout surge pod the budget leaves out.
    expect(f["requests.cpu"]!.rest).toBeCloseTo(budget.requests.cpu - jobs + exporterSurge);
    expect(f.persistentvolumeclaims!.rest).toBe(budget.persistentVolumeClaims);
    expect(f["requests.storage"]!.rest).toBe(budget.storageBytes);
  });
});

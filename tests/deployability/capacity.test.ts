/**
 * The `capacity` check: pods of workloads and operator CRs, admitted through the namespace's
 * LimitRange, against its ResourceQuota (at rest and at each HPA's maximum), the LimitRange's
 * min/max, and the GKE node pools' allocatable capacity at their maximum size.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../engine/evaluate";
import { capacityCheck, machineShape } from "../../engine/deployability/capacity";
import { nodeAllocatable, podModel, quantity } from "../../model/pod-model";
import { findings, res } from "./helpers";

const NS = "team";
const meta = (name: string, labels: Record<string, string> = {}) => ({ name, namespace: NS, labels });

function quota(hard: Record<string, string>) {
  return res("kubernetes:core/v1:ResourceQuota", "team-quota", { metadata: meta("quota"), spec: { hard } });
}
function limitRange(item: Record<string, unknown>) {
  return res("kubernetes:core/v1:LimitRange", "team-limits", { metadata: meta("container-defaults"), spec: { limits: [{ type: "Container", ...item }] } });
}
const DEFAULTS = limitRange({ default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } });

function container(name: string, requests?: Record<string, string>, limits?: Record<string, string>) {
  return { name, image: "example/app:1.0.0", ...(requests || limits ? { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } } : {}) };
}
function deployment(name: string, replicas: unknown, containers: unknown[], extra: Record<string, unknown> = {}) {
  return res("kubernetes:apps/v1:Deployment", `${name}-deployment`, { metadata: meta(name), spec: { replicas, ...extra, template: { spec: { containers } } } });
}
function statefulSet(name: string, replicas: number, claims: string[]) {
  return res("kubernetes:apps/v1:StatefulSet", `${name}-sts`, {
    metadata: meta(name),
    spec: {
      replicas,
      template: { spec: { containers: [container("db", { cpu: "100m", memory: "256Mi" }, { cpu: "200m", memory: "256Mi" })] } },
      volumeClaimTemplates: claims.map((size, i) => ({ metadata: { name: `vol-${i}` }, spec: { resources: { requests: { storage: size } } } })),
    },
  });
}
function hpa(name: string, target: string, maxReplicas: number) {
  return res("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `${name}-hpa`, { metadata: meta(name), spec: { minReplicas: 2, maxReplicas, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target } } });
}
function kafka(brokerReplicas: number) {
  const cluster = res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka-kafka", {
    metadata: meta("kafka"),
    spec: {
      kafka: { rack: { type: "topology-label", topologyKey: "topology.kubernetes.io/zone" }, listeners: [{ name: "tls", port: 9093, type: "internal", tls: true }] },
      entityOperator: { topicOperator: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } }, userOperator: {} },
    },
  });
  const pool = (role: string, replicas: number, cpu: string, storage: unknown) =>
    res("kubernetes:kafka.strimzi.io/v1:KafkaNodePool", `kafka-${role}`, {
      metadata: meta(role, { "strimzi.io/cluster": "kafka" }),
      spec: { replicas, roles: [role], resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu, memory: "1Gi" } }, storage },
    });
  return [
    cluster,
    pool("controller", 3, "1", { type: "persistent-claim", size: "10Gi" }),
    pool("broker", brokerReplicas, "2", { type: "jbod", volumes: [{ id: 0, type: "persistent-claim", size: "20Gi" }, { id: 1, type: "persistent-claim", size: "20Gi" }] }),
  ];
}
const ROOMY = { "requests.cpu": "100", "limits.cpu": "100", "requests.memory": "400Gi", "limits.memory": "400Gi", pods: "100", persistentvolumeclaims: "100", "requests.storage": "5Ti" };

describe("pod model", () => {
  it("parses Kubernetes quantities", () => {
    expect(quantity("250m")).toBeCloseTo(0.25);
    expect(quantity("1Gi")).toBe(2 ** 30);
    expect(quantity("500M")).toBe(500e6);
    expect(quantity(2)).toBe(2);
    expect(quantity(UNKNOWN)).toBeUndefined();
  });

  it("models a Strimzi cluster: node pools × resources, JBOD claims, entity operator containers", () => {
    const { groups } = podModel(kafka(3));
    const broker = groups.find((g) => g.label.startsWith("KafkaNodePool broker"))!;
    expect(broker).toMatchObject({ namespace: NS, replicas: 3 });
    expect(broker.pvcsPerPod.map((p) => p.storage)).toEqual([20 * 2 ** 30, 20 * 2 ** 30]);
    // Rack awareness adds the kafka-init init container with the pool's resources.
    expect(broker.containers.map((c) => [c.name, !!c.init])).toEqual([["kafka", false], ["kafka-init", true]]);
    const eo = groups.find((g) => g.label.includes("entity operator"))!;
    expect(eo.containers.map((c) => c.name)).toEqual(["topic-operator", "user-operator"]);
    // No default from Strimzi: the user operator has no figure until the LimitRange fills it.
    expect(eo.containers[1]!.limits).toEqual({});
  });

  it("applies the MongoDB operator's default container resources and claims when not overridden", () => {
    const mongo = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", { metadata: meta("mongodb"), spec: { members: 3, type: "ReplicaSet" } });
    const [g] = podModel([mongo]).groups;
    expect(g!.replicas).toBe(3);
    expect(g!.containers.find((c) => c.name === "mongod")).toMatchObject({ requests: { cpu: 0.5, memory: 400e6 }, limits: { cpu: 1, memory: 500e6 } });
    expect(g!.pvcsPerPod).toEqual([{ name: "data-volume", storage: 10e9 }, { name: "logs-volume", storage: 2e9 }]);
  });

  it("models RedisCluster leaders and followers with the exporter sidecar and per-pod claims", () => {
    const redis = res("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis", {
      metadata: meta("redis"),
      spec: {
        clusterSize: 3,
        persistenceEnabled: true,
        redisFollower: { replicas: 0 },
        kubernetesConfig: { resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } },
        redisExporter: { enabled: true, resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } } },
        storage: { nodeConfVolume: true, nodeConfVolumeClaimTemplate: { spec: { resources: { requests: { storage: "1Gi" } } } }, volumeClaimTemplate: { spec: { resources: { requests: { storage: "2Gi" } } } } },
      },
    });
    const groups = podModel([redis]).groups;
    expect(groups.map((g) => [g.label, g.replicas, g.containers.length, g.pvcsPerPod.length])).toEqual([
      ["RedisCluster redis leaders", 3, 2, 2],
      ["RedisCluster redis followers", 0, 2, 2],
    ]);
  });

  it("reads GKE allocatable from the machine type", () => {
    expect(machineShape("e2-standard-4")).toEqual({ vcpu: 4, memoryGiB: 16 });
    const a = nodeAllocatable({ vcpu: 4, memoryGiB: 16 });
    expect(a.cpu).toBeCloseTo(3.92);
    expect(a.memory / 2 ** 30).toBeCloseTo(16 - 2.6 - 100 / 1024, 2);
  });
});

describe("capacity check", () => {
  it("passes a namespace whose pods, HPA maximum and operator CRs fit quota, LimitRange and node pool", () => {
    const web = deployment("web", 2, [container("app", { cpu: "250m", memory: "256Mi" }, { cpu: "500m", memory: "256Mi" })]);
    const pool = res("gcp:container/nodePool:NodePool", "pool-general", { location: "europe-west1", nodeConfig: { machineType: "e2-standard-4" }, autoscaling: { minNodeCount: 1, maxNodeCount: 2 } });
    expect(findings(capacityCheck, [quota(ROOMY), DEFAULTS, web, hpa("web", "web", 4), ...kafka(3), statefulSet("db", 1, ["1Gi"]), pool])).toEqual([]);
  });

  it("finds a namespace with more PVCs than its quota allows", () => {
    const db = statefulSet("db", 3, ["1Gi", "1Gi"]);
    const f = findings(capacityCheck, [quota({ ...ROOMY, persistentvolumeclaims: "5" }), DEFAULTS, db]);
    expect(f).toEqual([expect.objectContaining({ check: "capacity", urn: db.urn })]);
    expect(f[0]!.message).toMatch(/namespace team needs persistentvolumeclaims 6 but ResourceQuota quota allows 5.*StatefulSet db 6/);
  });

  it("finds operator CR pods whose limits.cpu exceed the quota (Strimzi node pools)", () => {
    const f = findings(capacityCheck, [quota({ ...ROOMY, "limits.cpu": "8" }), DEFAULTS, ...kafka(3)]);
    // 3 brokers × 2 + 3 controllers × 1 + entity operator 0.5 + 0.5 (user operator: LimitRange default)
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/needs limits\.cpu 10 but ResourceQuota quota allows 8: .*\(largest: KafkaNodePool broker \(Strimzi\) 6/)]);
  });

  it("finds requests.memory beyond the quota, counting the MongoDB operator's defaults", () => {
    const mongo = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", { metadata: meta("mongodb"), spec: { members: 3, type: "ReplicaSet" } });
    const f = findings(capacityCheck, [quota({ ...ROOMY, "requests.memory": "2Gi" }), DEFAULTS, mongo]);
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/needs requests\.memory 2\.24Gi but ResourceQuota quota allows 2Gi.*MongoDBCommunity mongodb/)]);
  });

  it("finds claims whose storage exceeds requests.storage", () => {
    const f = findings(capacityCheck, [quota({ ...ROOMY, "requests.storage": "100Gi" }), DEFAULTS, ...kafka(3)]);
    // 3 controllers × 10Gi + 3 brokers × 2 × 20Gi
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/needs requests\.storage 150Gi but ResourceQuota quota allows 100Gi/)]);
  });

  it("finds a quota that caps an HPA below its maxReplicas", () => {
    const web = deployment("web", 2, [container("app", { cpu: "250m", memory: "256Mi" }, { cpu: "1", memory: "256Mi" })]);
    const scaler = hpa("web", "web", 6);
    const f = findings(capacityCheck, [quota({ ...ROOMY, "limits.cpu": "5" }), DEFAULTS, web, scaler]);
    expect(f).toEqual([expect.objectContaining({ urn: scaler.urn })]);
    // 6 replicas + the rollout surge (25% of 2, rounded up) × 1 core
    expect(f[0]!.message).toMatch(/HorizontalPodAutoscaler web scales Deployment web to maxReplicas 6: namespace team then needs limits\.cpu 7 but ResourceQuota quota allows 5/);
  });

  it("fills containers without figures from the LimitRange, as admission does", () => {
    const web = deployment("web", 3, [container("app")], { strategy: { type: "Recreate" } });
    const f = findings(capacityCheck, [quota({ ...ROOMY, "limits.cpu": "1" }), DEFAULTS, web]);
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/needs limits\.cpu 1\.5 but/)]);
    // Without a LimitRange, such a container is refused outright.
    const g = findings(capacityCheck, [quota(ROOMY), web]);
    expect(g.map((x) => x.message)).toEqual([expect.stringMatching(/Deployment web in namespace team: container\(s\) app set no requests\.cpu, requests\.memory, limits\.cpu, limits\.memory .*"must specify/)]);
  });

  it("finds a container beyond the LimitRange max", () => {
    const web = deployment("web", 1, [container("app", { cpu: "1", memory: "256Mi" }, { cpu: "2", memory: "256Mi" })]);
    const f = findings(capacityCheck, [quota(ROOMY), limitRange({ max: { cpu: "1", memory: "1Gi" } }), web]);
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/Deployment web, container app: limits\.cpu 2 exceeds the max 1 of LimitRange container-defaults in namespace team/)]);
  });

  it("finds requests beyond the node pools' allocatable capacity at their maximum size, with the quota upstream", () => {
    const pool = res("gcp:container/nodePool:NodePool", "pool-general", { location: "europe-west1", nodeConfig: { machineType: "e2-standard-2" }, autoscaling: { minNodeCount: 1, maxNodeCount: 1 } });
    const web = deployment("web", 10, [container("app", { cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })]);
    // The quota and the pool come from the upstream (shared) stack.
    const f = findings(capacityCheck, [web], [quota(ROOMY), DEFAULTS, pool]);
    expect(f).toEqual([expect.objectContaining({ urn: pool.urn })]);
    expect(f[0]!.message).toMatch(/requests\.cpu across namespaces total 13 .* offer 5\.79 allocatable .*3 × e2-standard-2.*largest: team 13 \(pods\)/);
  });

  it("counts a namespace whose pods it cannot see at its quota's requests", () => {
    const pool = res("gcp:container/nodePool:NodePool", "pool-general", { location: "europe-west1-b", nodeConfig: { machineType: "e2-standard-4" }, autoscaling: { maxNodeCount: 1 } });
    const f = findings(capacityCheck, [quota({ "requests.cpu": "6" }), pool]);
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/total 6 .*offer 3\.92.*team 6 \(quota\)/)]);
  });

  it("counts a DaemonSet once per node of the pools at their maximum size", () => {
    const pool = res("gcp:container/nodePool:NodePool", "pool-general", { location: "europe-west1", nodeConfig: { machineType: "e2-standard-4" }, autoscaling: { maxNodeCount: 2 } });
    const agent = res("kubernetes:apps/v1:DaemonSet", "agent-ds", { metadata: meta("agent"), spec: { template: { spec: { containers: [container("agent", { cpu: "100m", memory: "64Mi" }, { cpu: "1", memory: "64Mi" })] } } } });
    const f = findings(capacityCheck, [quota({ ...ROOMY, "limits.cpu": "4" }), DEFAULTS, agent], [pool]);
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/namespace team needs limits\.cpu 6 but .*DaemonSet agent 6/)]);
  });

  it("counts standalone claims per storage class and LoadBalancer Services against their quota keys", () => {
    const claim = res("kubernetes:core/v1:PersistentVolumeClaim", "scratch-pvc", { metadata: meta("scratch"), spec: { storageClassName: "premium-rwo", resources: { requests: { storage: "30Gi" } } } });
    const lb = res("kubernetes:core/v1:Service", "web-svc", { metadata: meta("web"), spec: { type: "LoadBalancer", ports: [{ port: 443 }] } });
    const f = findings(capacityCheck, [quota({ ...ROOMY, "premium-rwo.storageclass.storage.k8s.io/requests.storage": "20Gi", "services.loadbalancers": "0" }), claim, lb]);
    expect(f.map((x) => x.message).sort()).toEqual([
      expect.stringMatching(/needs premium-rwo\.storageclass\.storage\.k8s\.io\/requests\.storage 30Gi but .* allows 20Gi.*PersistentVolumeClaim scratch/),
      expect.stringMatching(/needs services\.loadbalancers 1 but .* allows 0.*Service web/),
    ]);
  });

  it("treats unknown replicas as cannot-tell, not as a finding", () => {
    const web = deployment("web", UNKNOWN, [container("app", { cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })], { strategy: { type: "Recreate" } });
    expect(findings(capacityCheck, [quota({ ...ROOMY, "limits.cpu": "1" }), DEFAULTS, web])).toEqual([]);
  });
});

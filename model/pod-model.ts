/**
 * The pod model of the `capacity` check: from a plan's recorded resources, the pods the stack will
 * run per namespace, with each container's requests and limits as written (before any LimitRange
 * fills them) and the PersistentVolumeClaims each pod gets.
 *
 * Workloads (Deployment, StatefulSet, ReplicaSet, DaemonSet, Job, CronJob, bare Pod) are read from
 * their pod template. Operator custom resources go through a small model per operator, written from
 * the operator's source at the version the platforms pin (each model cites it); where an operator
 * applies a default resource figure the model applies it, where it sets none the container is left
 * without one, and the LimitRange of the namespace fills it at admission (capacity.ts).
 *
 * Helm releases are opaque here: the pods a chart renders are not in the plan. `releaseRequests`
 * only adds up the requests the repo's own values set for them, for the node pool capacity figure.
 *
 * Unknown values (UNKNOWN in model/plan-values.ts) count as 0 (replicas, quantities): every total is
 * then a lower bound, so a total over a limit is still a proof and an unknown never is.
 */
import { asArray, asObject, UNKNOWN, type Obj, type RecordedResource } from "./plan-values";

/** Compute resources a container may request or be limited to, in the quota's names. */
export const COMPUTE = ["cpu", "memory", "ephemeral-storage"] as const;
export type ComputeResource = (typeof COMPUTE)[number];
export type ResourceFigures = Partial<Record<ComputeResource, number>>;

export interface ContainerModel {
  name: string;
  /** As written (or as the operator defaults them); absent = not set, the LimitRange may fill it. */
  requests: ResourceFigures;
  limits: ResourceFigures;
  /** An init container: counts as the max over init containers, not in the sum. */
  init?: boolean;
  /** An init container with `restartPolicy: Always` (a sidecar): counts in the sum. */
  sidecar?: boolean;
}

export interface PvcModel {
  name: string;
  /** Requested storage, bytes (0 when unknown). */
  storage: number;
  storageClass?: string;
}

/** Pods made by one resource of the plan, all alike. */
export interface PodGroup {
  /** URN of the resource that makes the pods (the workload or the custom resource). */
  urn: string;
  /** For messages: `Deployment web`, `KafkaNodePool broker (Strimzi)`. */
  label: string;
  namespace: string;
  /** Pods running at rest (spec.replicas, CR members, ...); an HPA may scale a `scalable` group. */
  replicas: number;
  /** Extra pods a rolling update adds (a Deployment's maxSurge); 0 for the others. */
  surge: number;
  /** One pod per node: the count depends on the node pool size (capacity.ts). */
  perNode?: boolean;
  containers: ContainerModel[];
  /** Claims each pod gets from volumeClaimTemplates (or the operator's equivalent). */
  pvcsPerPod: PvcModel[];
  /** What an HPA's scaleTargetRef names (`Deployment/web`), for a workload an HPA may scale. */
  scaleTarget?: string;
  /** Where the operator model's figures come from. */
  source?: string;
}

/** A PersistentVolumeClaim created by the plan itself. */
export interface StandalonePvc {
  urn: string;
  namespace: string;
  pvc: PvcModel;
}

export interface PodModel {
  groups: PodGroup[];
  pvcs: StandalonePvc[];
}

// ------------------------------------------------------------------------------------------------
// Quantities
// ------------------------------------------------------------------------------------------------

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `10G`, `1e3`) as a number; undefined when not one. */
export function quantity(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v !== "string" || v === UNKNOWN) return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkKMGTPE]?)$/.exec(v.trim());
  if (!m) return undefined;
  return Number(m[1]) * SUFFIX[m[2]!]!;
}

const GI = 2 ** 30;
/** For messages: cores with up to 3 decimals, bytes in Gi. */
export function formatFigure(resource: string, v: number): string {
  if (/cpu/.test(resource)) return `${Math.round(v * 1000) / 1000}`;
  if (/memory|storage/.test(resource)) return `${Math.round((v / GI) * 100) / 100}Gi`;
  return `${Math.round(v * 100) / 100}`;
}

// ------------------------------------------------------------------------------------------------
// Reading inputs
// ------------------------------------------------------------------------------------------------

const obj = asObject;
const arr = asArray;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== UNKNOWN ? v : undefined);
/** A count: a number, or 0 when unknown (lower bound); `dflt` when absent. */
function count(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return 0;
}

function figures(v: unknown): ResourceFigures {
  const o = obj(v);
  const out: ResourceFigures = {};
  if (!o) return out;
  for (const r of COMPUTE) {
    if (o[r] === undefined) continue;
    // An unknown quantity is "set" (the LimitRange will not fill it) but counts 0.
    out[r] = quantity(o[r]) ?? 0;
  }
  return out;
}

/** A container's `resources` block (`{requests, limits}`). */
export function containerResources(name: string, resources: unknown, extra: Partial<ContainerModel> = {}): ContainerModel {
  const r = obj(resources) ?? {};
  return { name, requests: figures(r.requests), limits: figures(r.limits), ...extra };
}

/** The containers of a pod spec: containers, init containers (sidecars flagged). */
export function podSpecContainers(spec: unknown): ContainerModel[] {
  const s = obj(spec) ?? {};
  const out: ContainerModel[] = [];
  for (const c of arr(s.containers)) out.push(containerResources(str(obj(c)?.name) ?? "?", obj(c)?.resources));
  for (const c of arr(s.initContainers)) {
    const sidecar = obj(c)?.restartPolicy === "Always";
    out.push(containerResources(str(obj(c)?.name) ?? "?", obj(c)?.resources, { init: true, ...(sidecar ? { sidecar } : {}) }));
  }
  return out;
}

function pvcTemplate(t: unknown, fallbackName = "data"): PvcModel {
  const o = obj(t) ?? {};
  const spec = obj(o.spec) ?? {};
  const storage = quantity(obj(obj(spec.resources)?.requests)?.storage) ?? 0;
  const storageClass = str(spec.storageClassName);
  return { name: str(obj(o.metadata)?.name) ?? fallbackName, storage, ...(storageClass ? { storageClass } : {}) };
}

const kindOf = (type: string): string => type.split(":").pop() ?? type;
const groupOf = (type: string): string => (type.split(":")[1] ?? "").split("/")[0] ?? "";
export const namespaceOf = (r: RecordedResource): string | undefined => str(obj(obj(r.inputs)?.metadata)?.namespace);
export const nameOf = (r: RecordedResource): string => str(obj(obj(r.inputs)?.metadata)?.name) ?? r.name;

/** Pods a Deployment's rolling update adds above replicas (maxSurge, default 25%, rounded up). */
function deploymentSurge(spec: Obj, replicas: number): number {
  const strategy = obj(spec.strategy) ?? {};
  if (strategy.type === "Recreate") return 0;
  const surge = obj(strategy.rollingUpdate)?.maxSurge ?? "25%";
  if (typeof surge === "number") return surge;
  const pct = typeof surge === "string" ? /^(\d+)%$/.exec(surge) : null;
  if (pct) return Math.ceil((replicas * Number(pct[1])) / 100);
  return count(surge, 0);
}

// ------------------------------------------------------------------------------------------------
// Workloads
// ------------------------------------------------------------------------------------------------

function workloadGroup(r: RecordedResource, namespace: string): PodGroup | undefined {
  const kind = kindOf(r.type);
  const spec = obj(obj(r.inputs)?.spec) ?? {};
  const name = nameOf(r);
  const base = { urn: r.urn, label: `${kind} ${name}`, namespace, surge: 0, pvcsPerPod: [] as PvcModel[] };
  switch (kind) {
    case "Deployment": {
      const replicas = count(spec.replicas, 1);
      return { ...base, replicas, surge: deploymentSurge(spec, replicas), containers: podSpecContainers(obj(spec.template)?.spec), scaleTarget: `Deployment/${name}` };
    }
    case "ReplicaSet":
      return { ...base, replicas: count(spec.replicas, 1), containers: podSpecContainers(obj(spec.template)?.spec), scaleTarget: `ReplicaSet/${name}` };
    case "StatefulSet":
      return {
        ...base,
        replicas: count(spec.replicas, 1),
        containers: podSpecContainers(obj(spec.template)?.spec),
        pvcsPerPod: arr(spec.volumeClaimTemplates).map((t) => pvcTemplate(t)),
        scaleTarget: `StatefulSet/${name}`,
      };
    case "DaemonSet":
      return { ...base, replicas: 0, perNode: true, containers: podSpecContainers(obj(spec.template)?.spec) };
    case "Job":
      // A Job runs `parallelism` pods at once (default 1), counted as running alongside the rest.
      return { ...base, replicas: count(spec.parallelism, 1), containers: podSpecContainers(obj(spec.template)?.spec) };
    case "CronJob": {
      // A CronJob's job pods count while they run: `parallelism` pods of one job (default 1), as if a
      // run overlapped everything else at its peak (a nightly backup does not wait for the HPA to
      // scale down). concurrencyPolicy Allow could overlap runs; one run is what we count.
      const job = obj(obj(spec.jobTemplate)?.spec) ?? {};
      return { ...base, replicas: count(job.parallelism, 1), containers: podSpecContainers(obj(job.template)?.spec) };
    }
    case "Pod":
      return { ...base, replicas: 1, containers: podSpecContainers(spec) };
    default:
      return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// Operators
// ------------------------------------------------------------------------------------------------

const STRIMZI = "Strimzi 1.2.0 cluster-operator/src/main/java/io/strimzi/operator/cluster/model";

/**
 * Strimzi (KRaft, node pools): each KafkaNodePool of a Kafka runs `replicas` pods with one `kafka`
 * container limited by the pool's `resources` (KafkaCluster.java createContainer; no default when
 * unset), plus a `kafka-init` init container with the same resources on broker pools when the Kafka
 * has rack awareness (`rack.type: topology-label`) or node-port listeners (createInitContainer).
 * Storage: `persistent-claim` is one claim per pod, `jbod` one per persistent-claim volume,
 * `ephemeral` none. The Kafka CR adds the Entity Operator pod (a `topic-operator` and/or
 * `user-operator` container, EntityTopicOperator.java / EntityUserOperator.java:
 * `resources = spec.getResources()`, no default), the Kafka Exporter pod (KafkaExporter.java, idem)
 * and the Cruise Control pod (CruiseControl.java, idem) when they are set.
 */
function strimziGroups(kafka: RecordedResource, pools: RecordedResource[], namespace: string): PodGroup[] {
  const spec = obj(obj(kafka.inputs)?.spec) ?? {};
  const kspec = obj(spec.kafka) ?? {};
  const name = nameOf(kafka);
  const out: PodGroup[] = [];
  const rack = obj(kspec.rack);
  const rackAware = !!rack && (rack.type === undefined || rack.type === "topology-label");
  const nodePorts = arr(kspec.listeners).some((l) => obj(l)?.type === "nodeport");
  for (const pool of pools) {
    const ps = obj(obj(pool.inputs)?.spec) ?? {};
    const roles = arr(ps.roles).map(String);
    const kafkaContainer = containerResources("kafka", ps.resources);
    const containers = [kafkaContainer];
    if (roles.includes("broker") && (rackAware || nodePorts)) containers.push({ ...containerResources("kafka-init", ps.resources), init: true });
    out.push({
      urn: pool.urn,
      label: `KafkaNodePool ${nameOf(pool)} (Strimzi)`,
      namespace,
      replicas: count(ps.replicas, 0),
      surge: 0,
      containers,
      pvcsPerPod: strimziStorage(ps.storage),
      source: `${STRIMZI}/KafkaCluster.java (pool resources, kafka-init)`,
    });
  }
  const eo = obj(spec.entityOperator);
  if (eo && (eo.topicOperator || eo.userOperator)) {
    const containers: ContainerModel[] = [];
    if (eo.topicOperator) containers.push(containerResources("topic-operator", obj(eo.topicOperator)?.resources));
    if (eo.userOperator) containers.push(containerResources("user-operator", obj(eo.userOperator)?.resources));
    out.push({ urn: kafka.urn, label: `Kafka ${name} entity operator (Strimzi)`, namespace, replicas: 1, surge: 0, containers, pvcsPerPod: [], source: `${STRIMZI}/EntityTopicOperator.java, EntityUserOperator.java` });
  }
  if (obj(spec.kafkaExporter)) {
    out.push({ urn: kafka.urn, label: `Kafka ${name} exporter (Strimzi)`, namespace, replicas: 1, surge: 0, containers: [containerResources("kafka-exporter", obj(spec.kafkaExporter)?.resources)], pvcsPerPod: [], source: `${STRIMZI}/KafkaExporter.java` });
  }
  if (obj(spec.cruiseControl)) {
    out.push({ urn: kafka.urn, label: `Kafka ${name} cruise control (Strimzi)`, namespace, replicas: 1, surge: 0, containers: [containerResources("cruise-control", obj(spec.cruiseControl)?.resources)], pvcsPerPod: [], source: `${STRIMZI}/CruiseControl.java` });
  }
  return out;
}

function strimziStorage(storage: unknown): PvcModel[] {
  const s = obj(storage);
  if (!s) return [];
  const claim = (v: Obj, n: string): PvcModel => ({ name: n, storage: quantity(v.size) ?? 0, ...(str(v.class) ? { storageClass: str(v.class)! } : {}) });
  if (s.type === "persistent-claim") return [claim(s, "data")];
  if (s.type === "jbod") return arr(s.volumes).map(obj).filter((v): v is Obj => v?.type === "persistent-claim").map((v) => claim(v, `data-${String(v.id ?? 0)}`));
  return [];
}

const MONGODB = "mongodb-kubernetes 1.10.0 mongodb-community-operator/controllers/construct/mongodbstatefulset.go";
/** resourcerequirements.Defaults() in pkg/kube/resourcerequirements (limits 1 CPU/500M, requests 0.5 CPU/400M). */
const MONGODB_DEFAULT = { requests: { cpu: 0.5, memory: 400e6 }, limits: { cpu: 1, memory: 500e6 } };

/**
 * MongoDB Community (mongodb-kubernetes 1.10.0): `members` pods (+ `arbiters`, same template) with
 * the `mongod` and `mongodb-agent` containers and the `mongod-posthook` and
 * `mongodb-agent-readinessprobe` init containers, all with resourcerequirements.Defaults() unless
 * `spec.statefulSet.spec.template.spec.containers[name].resources` overrides them
 * (pkg/util/merge ResourceRequirements: an override's `limits` or `requests` map replaces the
 * default's whole map). Claims: `data-volume` (10G default) and `logs-volume` (2G), overridden by
 * `statefulSet.spec.volumeClaimTemplates` of the same name.
 */
function mongodbGroup(r: RecordedResource, namespace: string): PodGroup {
  const spec = obj(obj(r.inputs)?.spec) ?? {};
  const sts = obj(obj(spec.statefulSet)?.spec) ?? {};
  const tpl = obj(obj(sts.template)?.spec) ?? {};
  const overrides = new Map<string, Obj>();
  for (const c of [...arr(tpl.containers), ...arr(tpl.initContainers)]) {
    const n = str(obj(c)?.name);
    if (n) overrides.set(n, obj(c)!);
  }
  const merged = (n: string, init: boolean): ContainerModel => {
    const o = obj(overrides.get(n)?.resources) ?? {};
    overrides.delete(n);
    return {
      name: n,
      requests: o.requests !== undefined ? figures(o.requests) : { ...MONGODB_DEFAULT.requests },
      limits: o.limits !== undefined ? figures(o.limits) : { ...MONGODB_DEFAULT.limits },
      ...(init ? { init } : {}),
    };
  };
  const containers = [merged("mongod", false), merged("mongodb-agent", false), merged("mongod-posthook", true), merged("mongodb-agent-readinessprobe", true)];
  // Containers the override adds beyond the operator's own.
  for (const c of arr(tpl.containers)) if (overrides.has(str(obj(c)?.name) ?? "")) containers.push(containerResources(str(obj(c)?.name)!, obj(c)?.resources));
  const claims = new Map<string, PvcModel>([
    ["data-volume", { name: "data-volume", storage: 10e9 }],
    ["logs-volume", { name: "logs-volume", storage: 2e9 }],
  ]);
  for (const t of arr(sts.volumeClaimTemplates)) {
    const p = pvcTemplate(t);
    const prev = claims.get(p.name);
    claims.set(p.name, { ...prev, ...p, storage: p.storage || (prev?.storage ?? 0) });
  }
  return {
    urn: r.urn,
    label: `MongoDBCommunity ${nameOf(r)}`,
    namespace,
    replicas: count(spec.members, 0) + count(spec.arbiters, 0),
    surge: 0,
    containers,
    pvcsPerPod: [...claims.values()],
    source: `${MONGODB} (containers, claims), pkg/kube/resourcerequirements/resource_requirements.go (defaults)`,
  };
}

const REDIS = "OT redis-operator v0.26.0";

/**
 * OT redis-operator RedisCluster (v0.26.0): a leader and a follower StatefulSet, of
 * `redisLeader.replicas` / `redisFollower.replicas` pods, each defaulting to `clusterSize`
 * (api/rediscluster/v1beta2 GetReplicaCounts; an explicit 0 is kept). The `redis` container takes
 * `redisLeader.resources` / `redisFollower.resources`, else `kubernetesConfig.resources`
 * (GetRedisLeaderResources); the `redis-exporter` sidecar `redisExporter.resources` when enabled;
 * `initContainer` when enabled; extra `sidecars` their own. Claims per pod
 * (internal/k8sutils/statefulset.go generateStatefulSetsDef): `node-conf` when
 * `storage.nodeConfVolume`, the data claim when `persistenceEnabled`.
 */
function redisClusterGroups(r: RecordedResource, namespace: string): PodGroup[] {
  const spec = obj(obj(r.inputs)?.spec) ?? {};
  const size = count(spec.clusterSize, 0);
  const kc = obj(spec.kubernetesConfig) ?? {};
  const storage = obj(spec.storage) ?? {};
  const persistence = spec.persistenceEnabled === true;
  const pvcs: PvcModel[] = [];
  if (spec.persistenceEnabled !== undefined && storage.nodeConfVolume === true) pvcs.push({ ...pvcTemplate(storage.nodeConfVolumeClaimTemplate), name: "node-conf" });
  if (persistence) pvcs.push({ ...pvcTemplate(storage.volumeClaimTemplate), name: "data" });
  const out: PodGroup[] = [];
  for (const role of ["leader", "follower"] as const) {
    const rs = obj(spec[role === "leader" ? "redisLeader" : "redisFollower"]) ?? {};
    const replicas = rs.replicas !== undefined ? count(rs.replicas, size) : size;
    const containers: ContainerModel[] = [containerResources("redis", rs.resources ?? kc.resources)];
    const exporter = obj(spec.redisExporter);
    if (exporter?.enabled === true) containers.push(containerResources("redis-exporter", exporter.resources));
    const init = obj(spec.initContainer);
    if (init?.enabled === true) containers.push({ ...containerResources("init", init.resources), init: true });
    for (const s of arr(spec.sidecars)) containers.push(containerResources(str(obj(s)?.name) ?? "sidecar", obj(s)?.resources));
    out.push({
      urn: r.urn,
      label: `RedisCluster ${nameOf(r)} ${role}s`,
      namespace,
      replicas,
      surge: 0,
      containers,
      pvcsPerPod: pvcs,
      source: `${REDIS} api/rediscluster/v1beta2/rediscluster_types.go, internal/k8sutils/redis-cluster.go, statefulset.go`,
    });
  }
  return out;
}

const ECK = "ECK 3.5.0 (elastic/cloud-on-k8s v3.5.0) pkg/controller/elasticsearch";
/** nodespec/defaults.go DefaultResources: 2Gi of memory, requested and limited, no CPU. */
const ECK_DEFAULT = { requests: { memory: 2 * 2 ** 30 }, limits: { memory: 2 * 2 ** 30 } };
/** initcontainer/prepare_fs.go defaultResources: 0.1 CPU and 50Mi, requested and limited. */
const ECK_PREPARE_FS = { requests: { cpu: 0.1, memory: 50 * 2 ** 20 }, limits: { cpu: 0.1, memory: 50 * 2 ** 20 } };

/**
 * ECK Elasticsearch (3.5.0): each `nodeSets[]` is a StatefulSet of `count` pods. The
 * `elasticsearch` container takes the podTemplate's resources, overridden per CPU/memory by the
 * node set's `resources` shorthand, and DefaultResources (2Gi) when neither sets any
 * (nodespec/podspec.go WithResourcesAndOverrides). Init containers
 * (initcontainer/initcontainer.go NewInitContainers): `elastic-internal-init-filesystem` with its
 * own 100m/50Mi, `elastic-internal-suspend` with none of its own, so it inherits the main
 * container's (common/defaults/pod_template.go WithInitContainerDefaults), and
 * `elastic-internal-init-keystore` likewise when `secureSettings` are set. Other podTemplate
 * containers run as written. Claims: the node set's volumeClaimTemplates, else one
 * `elasticsearch-data` of 1Gi (volume/defaults.go DefaultPersistentVolumeSize).
 */
function elasticsearchGroups(r: RecordedResource, namespace: string): PodGroup[] {
  const spec = obj(obj(r.inputs)?.spec) ?? {};
  const keystore = arr(spec.secureSettings).length > 0;
  return arr(spec.nodeSets).map((raw, i) => {
    const ns = obj(raw) ?? {};
    const pod = obj(obj(ns.podTemplate)?.spec) ?? {};
    const byName = (list: unknown, n: string) => arr(list).map(obj).find((c) => c?.name === n);
    const tpl = obj(byName(pod.containers, "elasticsearch")?.resources) ?? {};
    const shorthand = obj(ns.resources) ?? {};
    let main: ContainerModel;
    if (tpl.requests === undefined && tpl.limits === undefined && shorthand.requests === undefined && shorthand.limits === undefined) {
      main = { name: "elasticsearch", requests: { ...ECK_DEFAULT.requests }, limits: { ...ECK_DEFAULT.limits } };
    } else {
      // The shorthand writes only the side and the resources it names; the other side stays as the template has it.
      main = { name: "elasticsearch", requests: { ...figures(tpl.requests), ...figures(shorthand.requests) }, limits: { ...figures(tpl.limits), ...figures(shorthand.limits) } };
    }
    // A podTemplate entry of the operator's init container with its own resources wins (WithInitContainers merges, user first).
    const init = (n: string, dflt: { requests: ResourceFigures; limits: ResourceFigures }): ContainerModel => {
      const own = obj(byName(pod.initContainers, n)?.resources);
      const set = own && (own.requests !== undefined || own.limits !== undefined);
      return set ? containerResources(n, own, { init: true }) : { name: n, requests: { ...dflt.requests }, limits: { ...dflt.limits }, init: true };
    };
    const operatorInits = ["elastic-internal-init-filesystem", "elastic-internal-suspend", "elastic-internal-init-keystore"];
    const containers: ContainerModel[] = [
      main,
      init("elastic-internal-init-filesystem", ECK_PREPARE_FS),
      init("elastic-internal-suspend", main),
      ...(keystore ? [init("elastic-internal-init-keystore", main)] : []),
    ];
    for (const c of arr(pod.containers).map(obj)) if (c && c.name !== "elasticsearch") containers.push(containerResources(str(c.name) ?? "?", c.resources));
    for (const c of arr(pod.initContainers).map(obj)) {
      if (!c || operatorInits.includes(str(c.name) ?? "")) continue;
      // User init containers inherit the main container's resources when they set none (WithInitContainerDefaults).
      const own = obj(c.resources);
      const set = own && (own.requests !== undefined || own.limits !== undefined);
      containers.push(set ? containerResources(str(c.name) ?? "?", own, { init: true, ...(c.restartPolicy === "Always" ? { sidecar: true } : {}) }) : { ...main, name: str(c.name) ?? "?", init: true });
    }
    const claims = arr(ns.volumeClaimTemplates).map((t) => pvcTemplate(t));
    return {
      urn: r.urn,
      label: `Elasticsearch ${nameOf(r)} node set ${str(ns.name) ?? String(i)} (ECK)`,
      namespace,
      replicas: count(ns.count, 0),
      surge: 0,
      containers,
      pvcsPerPod: claims.length ? claims : [{ name: "elasticsearch-data", storage: 2 ** 30 }],
      source: `${ECK}/nodespec/podspec.go, defaults.go, initcontainer/prepare_fs.go, suspend.go; volume/defaults.go`,
    };
  });
}

const RABBITMQ = "RabbitMQ cluster-operator v2.22.3";
/** The CRD's default for an absent spec.resources (api/v1beta1/rabbitmqcluster_types.go kubebuilder default). */
const RABBITMQ_DEFAULT = { requests: { cpu: 1, memory: 2 * 2 ** 30 }, limits: { cpu: 2, memory: 2 * 2 ** 30 } };
/** internal/resource/statefulset.go initContainerCPU / initContainerMemory, requested and limited. */
const RABBITMQ_SETUP = { requests: { cpu: 0.02, memory: 64 * 2 ** 20 }, limits: { cpu: 0.02, memory: 64 * 2 ** 20 } };

/**
 * RabbitmqCluster (cluster-operator v2.22.3, internal/resource/statefulset.go): `replicas` pods
 * (CRD default 1) with the `rabbitmq` container limited by `spec.resources` (CRD default requests
 * 1 CPU/2Gi, limits 2 CPU/2Gi when the field is absent) and the `setup-container` init container
 * (20m/64Mi, requested and limited). `override.statefulSet` is a strategic merge patch: a
 * container of the same name takes its resources key by key, others are added. One `persistence`
 * claim per pod of `persistence.storage` (CRD default 10Gi), none with `persistence.emptyDir` or
 * a zero size.
 */
function rabbitmqGroup(r: RecordedResource, namespace: string): PodGroup {
  const spec = obj(obj(r.inputs)?.spec) ?? {};
  const o = obj(obj(obj(obj(obj(obj(spec.override)?.statefulSet)?.spec)?.template)?.spec)) ?? {};
  const overrides = new Map<string, Obj>();
  for (const c of [...arr(o.containers), ...arr(o.initContainers)]) {
    const n = str(obj(c)?.name);
    if (n) overrides.set(n, obj(c)!);
  }
  const merged = (n: string, base: { requests: ResourceFigures; limits: ResourceFigures }, init: boolean): ContainerModel => {
    const res = obj(overrides.get(n)?.resources) ?? {};
    overrides.delete(n);
    return { name: n, requests: { ...base.requests, ...figures(res.requests) }, limits: { ...base.limits, ...figures(res.limits) }, ...(init ? { init } : {}) };
  };
  const own = spec.resources === undefined ? RABBITMQ_DEFAULT : { requests: figures(obj(spec.resources)?.requests), limits: figures(obj(spec.resources)?.limits) };
  const containers = [merged("rabbitmq", own, false), merged("setup-container", RABBITMQ_SETUP, true)];
  for (const c of arr(o.containers)) if (overrides.has(str(obj(c)?.name) ?? "")) containers.push(containerResources(str(obj(c)?.name)!, obj(c)?.resources));
  for (const c of arr(o.initContainers)) {
    if (overrides.has(str(obj(c)?.name) ?? "")) containers.push(containerResources(str(obj(c)?.name)!, obj(c)?.resources, { init: true, ...(obj(c)?.restartPolicy === "Always" ? { sidecar: true } : {}) }));
  }
  const p = obj(spec.persistence) ?? {};
  const size = p.storage === undefined ? 10 * 2 ** 30 : (quantity(p.storage) ?? 0);
  const noClaim = p.emptyDir !== undefined || (p.storage !== undefined && quantity(p.storage) === 0);
  const storageClass = str(p.storageClassName);
  return {
    urn: r.urn,
    label: `RabbitmqCluster ${nameOf(r)}`,
    namespace,
    replicas: count(spec.replicas, 1),
    surge: 0,
    containers,
    pvcsPerPod: noClaim ? [] : [{ name: "persistence", storage: size, ...(storageClass ? { storageClass } : {}) }],
    source: `${RABBITMQ} internal/resource/statefulset.go (containers, persistence claim), config/crd/bases/rabbitmq.com_rabbitmqclusters.yaml (defaults)`,
  };
}

const CNPG = "CloudNativePG 1.30.0 pkg/specs";
const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";

/**
 * CloudNativePG Cluster (1.30.0): `instances` pods (default 1), each with the `postgres`
 * container (pods.go createPostgresContainers) and the `bootstrap-controller` init container
 * (containers.go createBootstrapContainer), both limited by `spec.resources` (no default). The
 * Barman Cloud plugin (plugin-barman-cloud v0.14.0, internal/cnpgi/operator/lifecycle.go) adds its
 * `plugin-barman-cloud` sidecar (an init container with restartPolicy Always) to every instance
 * pod of a Cluster that enables it, with the resources of the ObjectStore the plugin's
 * `barmanObjectName` parameter names (spec.instanceSidecarConfiguration.resources,
 * lifecycle_resources.go), none when that ObjectStore is not in the plan. Claims: one of
 * `storage.size` per instance (pvcTemplate's request when no size), plus one of `walStorage.size`
 * when set. Tablespaces are not modelled.
 */
function cnpgGroup(r: RecordedResource, namespace: string, objectStores: Map<string, RecordedResource>): PodGroup {
  const spec = obj(obj(r.inputs)?.spec) ?? {};
  const containers: ContainerModel[] = [containerResources("postgres", spec.resources), containerResources("bootstrap-controller", spec.resources, { init: true })];
  const barman = arr(spec.plugins).map(obj).find((p) => p?.name === BARMAN_PLUGIN && p.enabled !== false);
  if (barman) {
    const storeName = str(obj(barman.parameters)?.barmanObjectName);
    const store = storeName ? objectStores.get(`${namespace}/${storeName}`) : undefined;
    const res = obj(obj(obj(obj(store?.inputs)?.spec)?.instanceSidecarConfiguration)?.resources);
    containers.push(containerResources("plugin-barman-cloud", res, { init: true, sidecar: true }));
  }
  const claim = (s: unknown, name: string): PvcModel | undefined => {
    const o = obj(s);
    if (!o) return undefined;
    const tpl = obj(o.pvcTemplate);
    const size = quantity(o.size) ?? quantity(obj(obj(tpl?.resources)?.requests)?.storage) ?? 0;
    const storageClass = str(o.storageClass) ?? str(tpl?.storageClassName);
    return { name, storage: size, ...(storageClass ? { storageClass } : {}) };
  };
  const pvcs = [claim(spec.storage, "pgdata"), claim(spec.walStorage, "pg-wal")].filter((p): p is PvcModel => !!p);
  return {
    urn: r.urn,
    label: `Cluster ${nameOf(r)} (CloudNativePG)`,
    namespace,
    replicas: count(spec.instances, 1),
    surge: 0,
    containers,
    pvcsPerPod: pvcs,
    source: `${CNPG}/pods.go, containers.go; plugin-barman-cloud v0.14.0 internal/cnpgi/operator/lifecycle.go, lifecycle_resources.go`,
  };
}

const MARIADB_OPERATOR = "mariadb-operator 26.6.0 pkg/builder";

/**
 * mariadb-operator MariaDB (26.6.0): `replicas` pods (default 1), each with the `mariadb` container
 * (`spec.resources`), under replication the `agent` sidecar and the init container
 * (`spec.replication.agent`, `spec.replication.initContainer`: their resources), and one claim of
 * `storage.size` (statefulset_builder.go, container_builder.go); the metrics exporter is one more
 * Deployment pod (`spec.metrics.exporter.resources`, deployment_builder.go). The Jobs that Backup,
 * PhysicalBackup and SqlJob resources start are short-lived and not modelled.
 */
function mariadbGroups(r: RecordedResource, namespace: string): PodGroup[] {
  const spec = obj(obj(r.inputs)?.spec) ?? {};
  const replication = obj(spec.replication);
  const containers: ContainerModel[] = [containerResources("mariadb", spec.resources)];
  if (replication?.enabled === true) {
    containers.push(containerResources("agent", obj(replication.agent)?.resources, { init: true, sidecar: true }));
    containers.push(containerResources("init", obj(replication.initContainer)?.resources, { init: true }));
  }
  const storage = obj(spec.storage) ?? {};
  const storageClass = str(storage.storageClassName);
  const groups: PodGroup[] = [
    {
      urn: r.urn,
      label: `MariaDB ${nameOf(r)} (mariadb-operator)`,
      namespace,
      replicas: count(spec.replicas, 1),
      surge: 0,
      containers,
      pvcsPerPod: [{ name: "storage", storage: quantity(storage.size) ?? 0, ...(storageClass ? { storageClass } : {}) }],
      source: `${MARIADB_OPERATOR}/statefulset_builder.go, container_builder.go`,
    },
  ];
  const metrics = obj(spec.metrics);
  if (metrics?.enabled === true) {
    groups.push({
      urn: r.urn,
      label: `MariaDB ${nameOf(r)} exporter (mariadb-operator)`,
      namespace,
      replicas: 1,
      surge: 1,
      containers: [containerResources("exporter", obj(metrics.exporter)?.resources)],
      pvcsPerPod: [],
      source: `${MARIADB_OPERATOR}/deployment_builder.go`,
    });
  }
  return groups;
}

/**
 * cert-manager ACME HTTP-01: one solver pod per DNS name of a Certificate being issued, in the
 * Certificate's namespace, while its challenge is pending. Its resources are the controller's
 * `--acme-http01-solver-resource-*` flags, defaults requests 10m CPU / 64Mi, limits 100m / 64Mi
 * (cert-manager docs, cli/controller; vendor/crds/cert-manager issuers' podTemplate note), unless the
 * issuer's solver sets `podTemplate` resources (not modelled: the figures stay the defaults).
 */
function acmeSolverGroups(cert: RecordedResource, namespace: string, acmeIssuers: Set<string>): PodGroup | undefined {
  const spec = obj(obj(cert.inputs)?.spec) ?? {};
  const ref = obj(spec.issuerRef) ?? {};
  const key = `${str(ref.kind) ?? "Issuer"}/${(str(ref.kind) ?? "Issuer") === "ClusterIssuer" ? "" : namespace}/${str(ref.name) ?? ""}`;
  if (!acmeIssuers.has(key)) return undefined;
  const names = arr(spec.dnsNames).length;
  if (names === 0) return undefined;
  return {
    urn: cert.urn,
    label: `Certificate ${nameOf(cert)} ACME HTTP-01 solver`,
    namespace,
    replicas: names,
    surge: 0,
    containers: [{ name: "acmesolver", requests: { cpu: 0.01, memory: 64 * 2 ** 20 }, limits: { cpu: 0.1, memory: 64 * 2 ** 20 } }],
    pvcsPerPod: [],
    source: "cert-manager controller flags --acme-http01-solver-resource-{request,limits}-{cpu,memory} defaults",
  };
}

// ------------------------------------------------------------------------------------------------
// Entry points
// ------------------------------------------------------------------------------------------------

/** The pods and claims of a plan (one stack's resources, or a stack's plus its upstream's). */
export function podModel(resources: readonly RecordedResource[]): PodModel {
  const groups: PodGroup[] = [];
  const pvcs: StandalonePvc[] = [];
  const pools = resources.filter((r) => r.type.startsWith("kubernetes:kafka.strimzi.io/") && kindOf(r.type) === "KafkaNodePool");
  const objectStores = new Map<string, RecordedResource>();
  for (const r of resources) if (r.type.startsWith("kubernetes:barmancloud.cnpg.io/") && kindOf(r.type) === "ObjectStore") objectStores.set(`${namespaceOf(r) ?? "default"}/${nameOf(r)}`, r);
  const acmeIssuers = new Set<string>();
  for (const r of resources) {
    if (groupOf(r.type) !== "cert-manager.io") continue;
    const kind = kindOf(r.type);
    if ((kind === "Issuer" || kind === "ClusterIssuer") && arr(obj(obj(obj(r.inputs)?.spec)?.acme)?.solvers).some((s) => obj(s)?.http01)) {
      acmeIssuers.add(`${kind}/${kind === "ClusterIssuer" ? "" : (namespaceOf(r) ?? "default")}/${nameOf(r)}`);
    }
  }
  for (const r of resources) {
    if (!r.type.startsWith("kubernetes:")) continue;
    const kind = kindOf(r.type);
    const namespace = namespaceOf(r) ?? "default";
    const group = groupOf(r.type);
    if (["apps", "batch", "core"].includes(group)) {
      if (kind === "PersistentVolumeClaim") {
        pvcs.push({ urn: r.urn, namespace, pvc: pvcTemplate(r.inputs, nameOf(r)) });
        continue;
      }
      const g = workloadGroup(r, namespace);
      if (g) groups.push(g);
      continue;
    }
    if (group === "kafka.strimzi.io" && kind === "Kafka") {
      const mine = pools.filter((p) => namespaceOf(p) === namespace && str(obj(obj(obj(p.inputs)?.metadata)?.labels)?.["strimzi.io/cluster"]) === nameOf(r));
      groups.push(...strimziGroups(r, mine, namespace));
    } else if (group === "mongodbcommunity.mongodb.com" && kind === "MongoDBCommunity") {
      groups.push(mongodbGroup(r, namespace));
    } else if (group === "redis.redis.opstreelabs.in" && kind === "RedisCluster") {
      groups.push(...redisClusterGroups(r, namespace));
    } else if (group === "elasticsearch.k8s.elastic.co" && kind === "Elasticsearch") {
      groups.push(...elasticsearchGroups(r, namespace));
    } else if (group === "rabbitmq.com" && kind === "RabbitmqCluster") {
      groups.push(rabbitmqGroup(r, namespace));
    } else if (group === "postgresql.cnpg.io" && kind === "Cluster") {
      groups.push(cnpgGroup(r, namespace, objectStores));
    } else if (group === "k8s.mariadb.com" && kind === "MariaDB") {
      groups.push(...mariadbGroups(r, namespace));
    } else if (group === "cert-manager.io" && kind === "Certificate") {
      const g = acmeSolverGroups(r, namespace, acmeIssuers);
      if (g) groups.push(g);
    }
  }
  return { groups, pvcs };
}

/**
 * Requests the repo's values set for a Helm release's pods: every `resources.requests` in the
 * values, times the sibling `replicas` / `replicaCount` (or `deployment.replicas`) where there is
 * one, else once. The chart's own defaults and the containers it adds are not in the plan: this is
 * a lower bound, for the node pool capacity only.
 */
export function releaseRequests(release: RecordedResource): { cpu: number; memory: number } {
  const total = { cpu: 0, memory: 0 };
  const walk = (v: unknown, depth: number): void => {
    const o = obj(v);
    if (!o || depth > 8) return;
    const req = obj(obj(o.resources)?.requests);
    if (req && (req.cpu !== undefined || req.memory !== undefined)) {
      const n = count(o.replicas ?? o.replicaCount ?? obj(o.deployment)?.replicas, 1);
      total.cpu += (quantity(req.cpu) ?? 0) * n;
      total.memory += (quantity(req.memory) ?? 0) * n;
    }
    for (const [k, x] of Object.entries(o)) if (k !== "resources") walk(x, depth + 1);
  };
  walk(obj(release.inputs)?.values, 0);
  return total;
}

/**
 * A GKE Standard node's allocatable CPU (cores) and memory (bytes), per GKE's documented
 * reservations (https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes, "Resource
 * reservations"): CPU 6% of the first core, 1% of the next, 0.5% of the next 2, 0.25% above 4;
 * memory 255 MiB below 1 GiB, else 25% of the first 4 GiB, 20% of the next 4, 10% of the next 8,
 * 6% of the next 112, 2% above 128 GiB; plus the 100 MiB eviction threshold.
 *
 * One owner for the capacity check (engine/deployability/capacity.ts) and the cost estimator.
 */
export function nodeAllocatable(shape: { vcpu: number; memoryGiB: number }): { cpu: number; memory: number } {
  const tiers = (total: number, steps: [number, number][]): number => {
    let left = total;
    let reserved = 0;
    for (const [size, rate] of steps) {
      const part = Math.min(left, size);
      reserved += part * rate;
      left -= part;
      if (left <= 0) break;
    }
    return reserved;
  };
  const cpuReserved = tiers(shape.vcpu, [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]]);
  const memGiB = shape.memoryGiB;
  const memReservedGiB = memGiB < 1 ? 255 / 1024 : tiers(memGiB, [[4, 0.25], [4, 0.2], [8, 0.1], [112, 0.06], [Infinity, 0.02]]);
  return { cpu: shape.vcpu - cpuReserved, memory: (memGiB - memReservedGiB) * 2 ** 30 - 100 * 2 ** 20 };
}

/**
 * The one pod-template walker: every object that makes the cluster run pods, in every API version
 * its kind was ever served in, and the pod templates that operators' custom resources carry.
 * Every workload rule reads pods through `podTemplates()`, so that a kind, an old API version or a
 * custom resource cannot slip a pod past them.
 *
 * Custom resources state only part of their pods (the operator adds image, probes and the rest):
 * their views are marked `operator`, and rules about what an operator decides (image, probes,
 * resources) skip them. Security settings (securityContext, host namespaces, host paths, ports,
 * env) are what the resource declares, and are checked like any pod's.
 */
import { type ContainerView, containers } from "./k8s";
import { at, isUnknown, list, prop, str, UNKNOWN } from "./values";

/** Built-in kinds that carry pods, with the path of their pod spec. */
const BUILT_IN_POD_PATHS: Record<string, string> = {
  Pod: "spec",
  ReplicationController: "spec.template.spec",
  Deployment: "spec.template.spec",
  ReplicaSet: "spec.template.spec",
  StatefulSet: "spec.template.spec",
  DaemonSet: "spec.template.spec",
  Job: "spec.template.spec",
  CronJob: "spec.jobTemplate.spec.template.spec",
};

/** Every API version each pod-carrying kind was served in (Kubernetes 1.0 to today). */
export const POD_KIND_VERSIONS: Record<string, string[]> = {
  Pod: ["core/v1"],
  ReplicationController: ["core/v1"],
  Deployment: ["apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"],
  ReplicaSet: ["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
  StatefulSet: ["apps/v1", "apps/v1beta1", "apps/v1beta2"],
  DaemonSet: ["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
  Job: ["batch/v1"],
  CronJob: ["batch/v1", "batch/v1beta1", "batch/v2alpha1"],
};

/** Every built-in pod-carrying type token, all versions. */
export const BUILT_IN_POD_TYPES = Object.entries(POD_KIND_VERSIONS).flatMap(([kind, versions]) => versions.map((v) => `kubernetes:${v}:${kind}`));

/** The operator-run data services the durability and TLS rules judge, as `group/Kind`. */
export const DATA_SERVICE_KINDS = {
  mongodb: "mongodbcommunity.mongodb.com/MongoDBCommunity",
  redis: "redis.redis.opstreelabs.in/RedisCluster",
  rabbitmq: "rabbitmq.com/RabbitmqCluster",
  elasticsearch: "elasticsearch.k8s.elastic.co/Elasticsearch",
  mariadb: "k8s.mariadb.com/MariaDB",
  postgres: "postgresql.cnpg.io/Cluster",
} as const;

/** Custom resources whose pods the walker reads: `group/Kind`, any version. */
export const OPERATOR_POD_KINDS = [
  "kafka.strimzi.io/Kafka",
  "kafka.strimzi.io/KafkaNodePool",
  "kafka.strimzi.io/KafkaConnect",
  "kafka.strimzi.io/KafkaMirrorMaker2",
  "kafka.strimzi.io/KafkaBridge",
  "mongodbcommunity.mongodb.com/MongoDBCommunity",
  "redis.redis.opstreelabs.in/RedisCluster",
  "rabbitmq.com/RabbitmqCluster",
  "elasticsearch.k8s.elastic.co/Elasticsearch",
  "kibana.k8s.elastic.co/Kibana",
  "k8s.mariadb.com/MariaDB",
  "postgresql.cnpg.io/Cluster",
];

/** `kubernetes:<group>/<version>:<Kind>` → `{ group, version, kind }` (core → group ""). */
export function typeParts(type: string): { group: string; version: string; kind: string } | undefined {
  const m = /^kubernetes:(?:([^:/]+)\/)?([^:/]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m) return undefined;
  const group = m[1] === "core" || m[1] === undefined ? "" : m[1];
  return { group, version: m[2], kind: m[3] };
}

function builtInKind(type: string): string | undefined {
  const p = typeParts(type);
  if (!p) return undefined;
  const v = p.group ? `${p.group}/${p.version}` : `core/${p.version}`;
  return POD_KIND_VERSIONS[p.kind]?.includes(v) ? p.kind : undefined;
}

function operatorKind(type: string): string | undefined {
  const p = typeParts(type);
  if (!p) return undefined;
  const key = `${p.group}/${p.kind}`;
  return OPERATOR_POD_KINDS.includes(key) ? key : undefined;
}

/** Does this type token carry pods (built-in, any version, or an operator's custom resource)? */
export function carriesPods(type: string): boolean {
  return builtInKind(type) !== undefined || operatorKind(type) !== undefined;
}
/** Built-in kinds only (the rules about image, probes and resources, which operators decide for CRs). */
export function isBuiltInPodType(type: string): boolean {
  return builtInKind(type) !== undefined;
}
/** Built-in kinds whose pods run until stopped (not Jobs or CronJobs). */
export function isLongRunningPodType(type: string): boolean {
  const k = builtInKind(type);
  return k !== undefined && k !== "Job" && k !== "CronJob";
}

/** What README tables print for the walker's coverage. */
export const POD_TYPES_DESCRIPTION = [
  "Pod, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob (every API version)",
  "pod templates of Strimzi, MongoDBCommunity, OT RedisCluster, RabbitmqCluster, ECK, MariaDB and CloudNativePG Cluster custom resources",
];

export interface PodView {
  /** Where the pod template sits, for messages (`spec.template.spec`, `spec.kafka.template`). */
  where: string;
  /** A pod-spec-shaped object: hostNetwork, hostPID, hostIPC, volumes, securityContext, automountServiceAccountToken, serviceAccountName. */
  pod: unknown;
  containers: ContainerView[];
  /** An operator's custom resource: it states part of the pod, the operator the rest. */
  operator: boolean;
  /** Containers the walker knows must write their root filesystem, with the reason (held in code). */
  writableRootfs: Record<string, string>;
}

function view(where: string, pod: unknown, operator: boolean, cs?: ContainerView[], writableRootfs: Record<string, string> = {}): PodView {
  return { where, pod, containers: (cs ?? containers(pod)).map((c) => ({ ...c, where: `${where}.${c.where}` })), operator, writableRootfs };
}

function cv(where: string, name: string, c: unknown, init = false): ContainerView {
  return { where, name, c, init };
}

/** Strimzi: `template.pod` and every `template.<x>Container` of a component. */
function strimziTemplate(where: string, template: unknown): PodView | undefined {
  if (template === undefined) return undefined;
  if (isUnknown(template)) return view(where, UNKNOWN, true, []);
  const cs: ContainerView[] = [];
  for (const k of Object.keys(template as object).sort()) {
    if (!/Container$/.test(k)) continue;
    cs.push(cv(k, k, prop(template, k), k === "initContainer"));
  }
  return view(where, prop(template, "pod") ?? {}, true, cs);
}

/** The pod templates of one object (empty for an object that carries none). */
export function podTemplates(type: string, props: unknown): PodView[] {
  const built = builtInKind(type);
  if (built) {
    const path = BUILT_IN_POD_PATHS[built];
    const pod = at(props, path);
    if (pod === undefined) return [];
    return [view(path, pod, false, isUnknown(pod) ? [] : undefined)];
  }
  const op = operatorKind(type);
  const out: PodView[] = [];
  const add = (v: PodView | undefined) => v && out.push(v);
  switch (op) {
    case "kafka.strimzi.io/Kafka":
      for (const c of ["kafka", "zookeeper", "entityOperator", "kafkaExporter", "cruiseControl"]) add(strimziTemplate(`spec.${c}.template`, at(props, `spec.${c}.template`)));
      break;
    case "kafka.strimzi.io/KafkaNodePool":
    case "kafka.strimzi.io/KafkaConnect":
    case "kafka.strimzi.io/KafkaMirrorMaker2":
    case "kafka.strimzi.io/KafkaBridge":
      add(strimziTemplate("spec.template", at(props, "spec.template")));
      break;
    case "mongodbcommunity.mongodb.com/MongoDBCommunity":
      add(operatorPod("spec.statefulSet.spec.template.spec", at(props, "spec.statefulSet.spec.template.spec")));
      break;
    case "rabbitmq.com/RabbitmqCluster":
      add(operatorPod("spec.override.statefulSet.spec.template.spec", at(props, "spec.override.statefulSet.spec.template.spec")));
      break;
    case "elasticsearch.k8s.elastic.co/Elasticsearch":
      list(at(props, "spec.nodeSets")).forEach((ns, i) => add(operatorPod(`spec.nodeSets[${i}].podTemplate.spec`, at(ns, "podTemplate.spec"))));
      break;
    case "kibana.k8s.elastic.co/Kibana":
      add(operatorPod("spec.podTemplate.spec", at(props, "spec.podTemplate.spec")));
      break;
    case "redis.redis.opstreelabs.in/RedisCluster":
      add(redisCluster(props));
      break;
    case "k8s.mariadb.com/MariaDB":
      add(mariaDb(props));
      break;
    case "postgresql.cnpg.io/Cluster":
      add(cnpgCluster(props));
      break;
  }
  return out;
}

function operatorPod(where: string, pod: unknown): PodView | undefined {
  if (pod === undefined) return undefined;
  return view(where, pod, true, isUnknown(pod) ? [] : undefined);
}

/** OT RedisCluster: pod-level fields at spec level, one securityContext per role, an init container and sidecars. */
function redisCluster(props: unknown): PodView {
  const spec = at(props, "spec");
  const hostPort = prop(spec, "hostPort");
  const ports = hostPort === undefined ? undefined : [{ containerPort: prop(spec, "port") ?? 6379, hostPort }];
  const pod = {
    hostNetwork: prop(spec, "hostNetwork"),
    securityContext: prop(spec, "podSecurityContext"),
    serviceAccountName: prop(spec, "serviceAccountName"),
    volumes: at(spec, "storage.volumeMount.volume"),
  };
  const cs: ContainerView[] = [];
  for (const role of ["redisLeader", "redisFollower"]) cs.push(cv(`${role}`, role, { securityContext: prop(prop(spec, role), "securityContext"), ports }));
  if (prop(spec, "redisExporter") !== undefined && prop(prop(spec, "redisExporter"), "enabled") !== false) cs.push(cv("redisExporter", "redisExporter", prop(spec, "redisExporter")));
  if (prop(spec, "initContainer") !== undefined) cs.push(cv("initContainer", "initContainer", prop(spec, "initContainer"), true));
  list(prop(spec, "sidecars")).forEach((s, i) => cs.push(cv(`sidecars[${i}]`, str(prop(s, "name")) ?? `sidecar-${i}`, s)));
  return view("spec", pod, true, cs, {
    // The OT redis image rewrites its redis.conf (and nodes.conf path) at start-up under /etc/redis and /data.
    redisLeader: "the OT Redis image writes its generated redis.conf at start-up",
    redisFollower: "the OT Redis image writes its generated redis.conf at start-up",
  });
}

/** mariadb-operator MariaDB: a pod-spec-like spec with podSecurityContext and the main container's fields at spec level. */
function mariaDb(props: unknown): PodView {
  const spec = at(props, "spec");
  const pod = {
    securityContext: prop(spec, "podSecurityContext"),
    serviceAccountName: prop(spec, "serviceAccountName"),
    volumes: prop(spec, "volumes"),
    hostNetwork: prop(spec, "hostNetwork"),
    automountServiceAccountToken: prop(spec, "automountServiceAccountToken"),
  };
  const cs: ContainerView[] = [cv("securityContext", "mariadb", { securityContext: prop(spec, "securityContext"), env: prop(spec, "env") })];
  list(prop(spec, "initContainers")).forEach((c, i) => cs.push(cv(`initContainers[${i}]`, str(prop(c, "name")) ?? `init-${i}`, c, true)));
  list(prop(spec, "sidecarContainers")).forEach((c, i) => cs.push(cv(`sidecarContainers[${i}]`, str(prop(c, "name")) ?? `sidecar-${i}`, c)));
  return view("spec", pod, true, cs);
}

/**
 * CloudNativePG Cluster (1.30.0): no pod template; the instance pods' security settings are
 * spec-level fields the operator completes field by field with its own defaults
 * (pkg/specs/pods.go GetPodSecurityContext: runAsNonRoot, runAsUser/runAsGroup/fsGroup from
 * postgresUID/GID (26), seccompProfile `spec.seccompProfile` or RuntimeDefault;
 * pkg/specs/containers.go GetSecurityContext: ALL capabilities dropped, not privileged, non-root,
 * read-only root filesystem, no privilege escalation, the same seccomp profile). `postgres` and
 * the `bootstrap-controller` init container share the container context; `spec.env` and
 * `spec.envFrom` go to `postgres`. The Barman Cloud sidecar's context is the plugin's own
 * (restricted), not the resource's: not shown.
 */
function cnpgCluster(props: unknown): PodView {
  const spec = at(props, "spec");
  const seccomp = prop(spec, "seccompProfile") ?? { type: "RuntimeDefault" };
  const uid = prop(spec, "postgresUID") ?? 26;
  const gid = prop(spec, "postgresGID") ?? 26;
  const withDefaults = (given: unknown, defaults: Record<string, unknown>): unknown => {
    if (isUnknown(given)) return UNKNOWN;
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries((given as Record<string, unknown> | undefined) ?? {})) if (v !== undefined) out[k] = v;
    return out;
  };
  // Given fields win; absent ones take the operator's default (a given pod context keeps its own fsGroup and runAsNonRoot).
  const podGiven = prop(spec, "podSecurityContext");
  const podDefaults = podGiven === undefined ? { seccompProfile: seccomp, runAsUser: uid, runAsGroup: gid, runAsNonRoot: true, fsGroup: gid } : { seccompProfile: seccomp, runAsUser: uid, runAsGroup: gid };
  const containerSc = withDefaults(prop(spec, "securityContext"), {
    seccompProfile: seccomp,
    capabilities: { drop: ["ALL"] },
    privileged: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
  });
  const pod = { securityContext: withDefaults(podGiven, podDefaults) };
  return view("spec", pod, true, [
    cv("securityContext", "postgres", { securityContext: containerSc, env: prop(spec, "env"), envFrom: prop(spec, "envFrom") }),
    cv("securityContext", "bootstrap-controller", { securityContext: containerSc }, true),
  ]);
}

/** `group/Kind` of a type token (any version), for rules over custom resources. */
export function groupKind(type: string): string | undefined {
  const p = typeParts(type);
  return p ? `${p.group}/${p.kind}` : undefined;
}
/** A type predicate: any served version of these `group/Kind`s. */
export function ofGroupKinds(...gks: string[]): (type: string) => boolean {
  return (t) => gks.includes(groupKind(t) ?? "");
}

/**
 * Deployability check `reachability`: with default-deny in place, are the flows the stack needs
 * allowed by the NetworkPolicies (this stack's and its upstream stack's)?
 *
 * The flows are derived from the plan, never declared twice:
 * - a workload → a data service, when its env, envFrom or volumes name the service's DNS host
 *   (`<svc>.<ns>.svc[:port]`, e.g. a Kafka bootstrap list) or read one of its credential secrets
 *   (a MongoDB connection-string secret, the Redis password secret, a KafkaUser's secret);
 * - KEDA's operator → a data service a ScaledObject's trigger names (its metadata, or the Secrets its
 *   TriggerAuthentication reads);
 * - the ingress controller → each IngressRoute backend Service's pods, on the resolved target port;
 * - the ingress controller → cert-manager's ACME HTTP-01 solver pods, in every namespace holding a
 *   Certificate whose issuer solves HTTP-01;
 * - Prometheus → every ServiceMonitor / PodMonitor target's pods and port.
 * Pods come from the plan's workloads and from a small model of what the operators and charts run
 * (tables below, with sources). What the plan cannot resolve (an unknown value, a Service a chart
 * renders) is "cannot tell", never a finding.
 */
import type { RecordedResource } from "../evaluate";
import { NetworkGraph, matchesSelector, policiesFromPlan, type LabelSelector, type PodRef } from "../../model/netpol";
import type { DeployCheck, DeployContext, DeployFinding } from "./types";
import { asArray, asObject, known } from "./values";

const CHECK = "reachability" as const;

/** A pod IP for the evaluator's ipBlock rules: GKE pod ranges are private (RFC 1918). */
const POD_IP = "10.255.0.1";

/**
 * cert-manager's HTTP-01 solver pods (cert-manager v1.21.1): label
 * `acme.cert-manager.io/http01-solver: "true"` (pkg/apis/acme/v1/types.go
 * SolverIdentificationLabelKey; pkg/issuer/acme/http/pod.go), listening on 8089
 * (pkg/issuer/acme/http/http.go acmeSolverListenPort), in the Certificate's namespace.
 */
export const ACME_SOLVER = { labels: { "acme.cert-manager.io/http01-solver": "true" }, port: 8089 } as const;

interface PodPort {
  port: number;
  name?: string;
}
interface Pod {
  ref: PodRef;
  ports: PodPort[];
}

interface DataService {
  /** For messages: `MongoDBCommunity diaspomoney-dev-infra/mongodb`. */
  what: string;
  urn: string;
  pods: Pod[];
  /** The port a client uses when nothing says otherwise. */
  clientPort: number;
  /** DNS hosts (`svc.ns`), matched as `host.svc` or `host.svc.cluster.local`. */
  hosts: string[];
  /** Secrets (`ns/name`, or `*\/name` when the namespace may differ) that hold its client credentials. */
  secrets: string[];
  /** Services the operator creates for it (a ServiceMonitor may select them). */
  services?: ServiceView[];
}

/** mongodb-kubernetes 1.10.0: the agent's default Prometheus port. */
const MONGODB_METRICS_PORT = 9216;
/** Strimzi: the JMX exporter's and Kafka Exporter's metrics port. */
const KAFKA_METRICS_PORT = 9404;

const obj = (v: unknown): Record<string, unknown> => asObject(v) ?? {};
const arr = asArray;
const meta = (r: RecordedResource) => obj(r.inputs.metadata) as { name?: unknown; namespace?: unknown; labels?: unknown };
const nameOf = (r: RecordedResource): string | undefined => (known(meta(r).name) ? (meta(r).name as string) : undefined);
const nsOf = (r: RecordedResource): string | undefined => {
  const ns = meta(r).namespace;
  if (ns === undefined) return "default";
  return known(ns) ? ns : undefined;
};
const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => known(x))) as Record<string, string>;
const kindOf = (r: RecordedResource) => r.type.split(":").pop() ?? r.type;
const label = (r: RecordedResource) => `${kindOf(r)} "${r.name}"`;
const showLabels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}=${v}`).join(", ")}}`;

// ------------------------------------------------------------------------------------------------
// Pods
// ------------------------------------------------------------------------------------------------

/** The pod template of a workload, if the resource is one. */
export function podTemplate(r: RecordedResource): Record<string, unknown> | undefined {
  const spec = obj(r.inputs.spec);
  switch (r.type) {
    case "kubernetes:apps/v1:Deployment":
    case "kubernetes:apps/v1:StatefulSet":
    case "kubernetes:apps/v1:DaemonSet":
    case "kubernetes:apps/v1:ReplicaSet":
    case "kubernetes:batch/v1:Job":
      return obj(spec.template);
    case "kubernetes:batch/v1:CronJob":
      return obj(obj(obj(spec.jobTemplate).spec).template);
    case "kubernetes:core/v1:Pod":
      return { metadata: r.inputs.metadata, spec: r.inputs.spec };
    default:
      return undefined;
  }
}

function containersOf(template: Record<string, unknown>): Record<string, unknown>[] {
  const spec = obj(template.spec);
  return [...arr(spec.containers), ...arr(spec.initContainers)].map(obj);
}

function workloadPod(r: RecordedResource): Pod | undefined {
  const t = podTemplate(r);
  const ns = nsOf(r);
  if (!t || !ns) return undefined;
  const ports: PodPort[] = [];
  for (const c of containersOf(t)) {
    for (const p of arr(c.ports).map(obj)) if (typeof p.containerPort === "number") ports.push({ port: p.containerPort, ...(known(p.name) ? { name: p.name } : {}) });
  }
  return { ref: { namespace: ns, labels: labelsOf(obj(t.metadata).labels), ip: POD_IP, name: `${label(r)} in ${ns}` }, ports };
}

/**
 * What operator CRs run, as pods and client endpoints.
 * - MongoDBCommunity (mongodb-kubernetes 1.10.0, controllers/construct/mongodbstatefulset.go): the
 *   StatefulSet's pods carry `app: <name>-svc`, the headless Service is `<name>-svc`, mongod
 *   listens on 27017 unless `additionalMongodConfig.net.port`; each user's connection-string
 *   secret is `connectionStringSecretName` or `<name>-<db>-<username>`, in
 *   `connectionStringSecretNamespace` or the resource's namespace.
 * - RedisCluster (OT redis-operator 0.26: k8sutils/statefulset.go labels): pods `app:
 *   <name>-leader` / `<name>-follower`, Services of the same names, port `spec.port` (6379);
 *   the password is `spec.kubernetesConfig.redisSecret`.
 * - Kafka (Strimzi 1.2: KafkaCluster/KafkaPool labels): broker pods carry `strimzi.io/cluster`,
 *   `strimzi.io/kind: Kafka`, `strimzi.io/broker-role: "true"`; clients use the
 *   `<name>-kafka-bootstrap` Service on a listener port; a KafkaUser's secret has the user's name.
 * - RabbitmqCluster (cluster-operator v2.22.3, internal/resource/statefulset.go
 *   updateContainerPorts, client_service.go, headless_service.go, default_user_secret.go): pods
 *   `app.kubernetes.io/name: <name>`, `app.kubernetes.io/component: rabbitmq`,
 *   `app.kubernetes.io/part-of: rabbitmq`; Services `<name>` and `<name>-nodes`; with
 *   `tls.secretName` the ports `amqps` 5671, `management-tls` 15671, `prometheus-tls` 15691, and
 *   without `tls.disableNonTLSListeners` also `amqp` 5672, `management` 15672, `prometheus` 15692;
 *   credentials in `<name>-default-user`, and for each Messaging Topology Operator User of the
 *   cluster (v1.20.1) its generated `<user>-user-credentials`, its `importCredentialsSecret`, and a
 *   copy named after the User (the RabbitmqBroker component's copies in client namespaces).
 * - CloudNativePG Cluster (1.30.0, pkg/specs/pods.go, services.go): instance pods `cnpg.io/cluster:
 *   <name>`, `cnpg.io/podRole: instance`, ports `postgresql` 5432, `metrics` 9187, `status` 8000;
 *   Services `<name>-rw`, `-ro`, `-r` and each
 *   `managed.services.additional[].serviceTemplate.metadata.name`; credentials `<name>-app` (or
 *   `bootstrap.initdb.secret.name`) and `<name>-superuser`.
 * - Elasticsearch (ECK 3.5.0, nodespec/podspec.go getDefaultContainerPorts, services.go): pods
 *   `elasticsearch.k8s.elastic.co/cluster-name: <name>`, port 9200 `https` (`http` when the
 *   self-signed certificate is disabled and none is given) and `transport` 9300; Services
 *   `<name>-es-http` and `<name>-es-internal-http`; credentials `<name>-es-elastic-user` and the
 *   `auth.fileRealm` secrets.
 * For these three, a Secret of the plan whose known values name one of the service's hosts (a
 * credentials copy carrying a URL or host, in a client namespace) is a credential secret too.
 */
function dataServices(resources: readonly RecordedResource[]): DataService[] {
  const out: DataService[] = [];
  for (const r of resources) {
    const name = nameOf(r);
    const ns = nsOf(r);
    if (!name || !ns) continue;
    const spec = obj(r.inputs.spec);
    const pod = (labels: Record<string, string>, ports: PodPort[]): Pod => ({ ref: { namespace: ns, labels, ip: POD_IP, name: `${kindOf(r)} ${ns}/${name} ${showLabels(labels)}` }, ports });
    if (r.type.startsWith("kubernetes:mongodbcommunity.mongodb.com/")) {
      const configured = obj(obj(spec.additionalMongodConfig).net).port;
      const port = typeof configured === "number" ? configured : 27017;
      const secrets = arr(spec.users).map(obj).map((u) => {
        const secretNs = known(u.connectionStringSecretNamespace) ? u.connectionStringSecretNamespace : ns;
        const secretName = known(u.connectionStringSecretName) ? u.connectionStringSecretName : known(u.db) && known(u.name) ? `${name}-${u.db}-${u.name}` : undefined;
        return secretName ? `${secretNs}/${secretName}` : undefined;
      });
      // spec.prometheus: the agent serves metrics on `port` (default 9216), and the operator adds a
      // `prometheus` port to the `<name>-svc` Service (1.10.0 controllers/replica_set_controller.go).
      const prometheus = obj(spec.prometheus);
      const metricsPort = Object.keys(prometheus).length ? (typeof prometheus.port === "number" ? prometheus.port : MONGODB_METRICS_PORT) : undefined;
      const metrics: PodPort[] = metricsPort ? [{ port: metricsPort, name: "prometheus" }] : [];
      const selector = { app: `${name}-svc` };
      out.push({
        what: `MongoDBCommunity ${ns}/${name}`,
        urn: r.urn,
        pods: [pod(selector, [{ port }, ...metrics])],
        clientPort: port,
        hosts: [`${name}-svc.${ns}`],
        secrets: secrets.filter(known),
        services: [{ r, name: `${name}-svc`, namespace: ns, labels: selector, selector, ports: [{ port, name: "mongodb" }, ...metrics] }],
      });
    } else if (r.type.startsWith("kubernetes:redis.redis.opstreelabs.in/") && kindOf(r) === "RedisCluster") {
      const port = typeof spec.port === "number" ? spec.port : 6379;
      const secret = obj(obj(spec.kubernetesConfig).redisSecret).name;
      out.push({
        what: `RedisCluster ${ns}/${name}`,
        urn: r.urn,
        pods: [pod({ app: `${name}-leader` }, [{ port }]), pod({ app: `${name}-follower` }, [{ port }])],
        clientPort: port,
        hosts: [`${name}-leader.${ns}`, `${name}-follower.${ns}`, `${name}-leader-headless.${ns}`, `${name}-follower-headless.${ns}`],
        secrets: known(secret) ? [`${ns}/${secret}`] : [],
      });
    } else if (r.type.startsWith("kubernetes:rabbitmq.com/") && kindOf(r) === "RabbitmqCluster") {
      const tls = obj(spec.tls);
      const tlsOn = known(tls.secretName) && tls.secretName !== "";
      const tlsOnly = tlsOn && tls.disableNonTLSListeners === true;
      const ports: PodPort[] = [{ port: 4369, name: "epmd" }];
      if (!tlsOnly) ports.push({ port: 5672, name: "amqp" }, { port: 15672, name: "management" }, { port: 15692, name: "prometheus" });
      if (tlsOn) ports.push({ port: 5671, name: "amqps" }, { port: 15671, name: "management-tls" }, { port: 15691, name: "prometheus-tls" });
      const users = resources.filter((u) => u.type.startsWith("kubernetes:rabbitmq.com/") && kindOf(u) === "User" && obj(obj(u.inputs.spec).rabbitmqClusterReference).name === name);
      const userSecrets = users.flatMap((u) => {
        const un = nameOf(u);
        const uns = nsOf(u) ?? ns;
        const imported = obj(obj(u.inputs.spec).importCredentialsSecret).name;
        return [...(un ? [`${uns}/${un}-user-credentials`, `*/${un}`] : []), ...(known(imported) ? [`${uns}/${imported}`] : [])];
      });
      const hosts = [`${name}.${ns}`, `${name}-nodes.${ns}`];
      out.push({
        what: `RabbitmqCluster ${ns}/${name}`,
        urn: r.urn,
        pods: [pod({ "app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq" }, ports)],
        clientPort: tlsOn ? 5671 : 5672,
        hosts,
        secrets: [`${ns}/${name}-default-user`, ...userSecrets, ...secretsNaming(resources, hosts)],
      });
    } else if (r.type.startsWith("kubernetes:postgresql.cnpg.io/") && kindOf(r) === "Cluster") {
      const additional = arr(obj(obj(spec.managed).services).additional).map((a) => obj(obj(obj(a).serviceTemplate).metadata).name).filter(known);
      const hosts = [`${name}-rw.${ns}`, `${name}-ro.${ns}`, `${name}-r.${ns}`, ...additional.map((a) => `${a}.${ns}`)];
      const appSecret = obj(obj(obj(spec.bootstrap).initdb).secret).name;
      out.push({
        what: `Cluster ${ns}/${name} (CloudNativePG)`,
        urn: r.urn,
        pods: [pod({ "cnpg.io/cluster": name, "cnpg.io/podRole": "instance" }, [{ port: 5432, name: "postgresql" }, { port: 9187, name: "metrics" }, { port: 8000, name: "status" }])],
        clientPort: 5432,
        hosts,
        secrets: [`*/${name}-app`, `${ns}/${name}-superuser`, ...(known(appSecret) ? [`*/${appSecret}`] : []), ...secretsNaming(resources, hosts)],
      });
    } else if (r.type.startsWith("kubernetes:elasticsearch.k8s.elastic.co/") && kindOf(r) === "Elasticsearch") {
      const tls = obj(obj(spec.http).tls);
      const plain = obj(tls.selfSignedCertificate).disabled === true && !known(obj(tls.certificate).secretName);
      const hosts = [`${name}-es-http.${ns}`, `${name}-es-internal-http.${ns}`];
      const realm = arr(obj(spec.auth).fileRealm).map((f) => obj(f).secretName).filter(known).map((n) => `${ns}/${n}`);
      out.push({
        what: `Elasticsearch ${ns}/${name}`,
        urn: r.urn,
        pods: [pod({ "elasticsearch.k8s.elastic.co/cluster-name": name }, [{ port: 9200, name: plain ? "http" : "https" }, { port: 9300, name: "transport" }])],
        clientPort: 9200,
        hosts,
        secrets: [`${ns}/${name}-es-elastic-user`, ...realm, ...secretsNaming(resources, hosts)],
      });
    } else if (r.type.startsWith("kubernetes:kafka.strimzi.io/") && kindOf(r) === "Kafka") {
      const listeners = arr(obj(spec.kafka).listeners).map(obj).filter((l) => typeof l.port === "number");
      const ports = listeners.map((l) => ({ port: l.port as number, ...(known(l.name) ? { name: l.name } : {}) }));
      if (!ports.length) continue;
      const users = resources.filter((u) => u.type.startsWith("kubernetes:kafka.strimzi.io/") && kindOf(u) === "KafkaUser" && labelsOf(meta(u).labels)["strimzi.io/cluster"] === name);
      // A user authenticates on the listener with its authentication type (scram-sha-512, tls).
      const userType = (u: RecordedResource) => obj(obj(u.inputs.spec).authentication).type;
      const authPort = (t: unknown) => (listeners.find((l) => obj(l.authentication).type === t)?.port as number | undefined) ?? ports[0]!.port;
      // metricsConfig: every node pod serves the JMX exporter on 9404 `tcp-prometheus`, and
      // kafkaExporter runs a `<name>-kafka-exporter` pod with the same port (Strimzi 1.2
      // KafkaCluster.java / KafkaExporter.java METRICS_PORT, METRICS_PORT_NAME).
      const metrics: PodPort[] = spec.kafka && obj(spec.kafka).metricsConfig ? [{ port: KAFKA_METRICS_PORT, name: "tcp-prometheus" }] : [];
      const cluster = { "strimzi.io/cluster": name, "strimzi.io/kind": "Kafka" };
      const extraPods = [
        ...(metrics.length ? [pod({ ...cluster, "strimzi.io/controller-role": "true", "strimzi.io/broker-role": "false" }, metrics)] : []),
        ...(spec.kafkaExporter ? [pod({ ...cluster, "strimzi.io/name": `${name}-kafka-exporter` }, [{ port: KAFKA_METRICS_PORT, name: "tcp-prometheus" }])] : []),
      ];
      out.push({
        what: `Kafka ${ns}/${name}`,
        urn: r.urn,
        pods: [pod({ ...cluster, "strimzi.io/broker-role": "true" }, [...ports, ...metrics]), ...extraPods],
        clientPort: users.length ? authPort(userType(users[0]!)) : ports[0]!.port,
        hosts: [`${name}-kafka-bootstrap.${ns}`, `${name}-kafka-brokers.${ns}`],
        secrets: users.map((u) => `${nsOf(u) ?? ns}/${nameOf(u) ?? u.name}`),
      });
    }
  }
  return out;
}

/** Secrets of the plan (`ns/name`) whose known string values name one of these hosts (`<host>.svc`). */
function secretsNaming(resources: readonly RecordedResource[], hosts: string[]): string[] {
  const out: string[] = [];
  for (const r of resources) {
    if (r.type !== "kubernetes:core/v1:Secret") continue;
    const name = nameOf(r);
    const ns = nsOf(r);
    if (!name || !ns) continue;
    const values = Object.values(obj(r.inputs.stringData)).filter(known);
    if (values.some((v) => hostPorts(v, hosts).length > 0)) out.push(`${ns}/${name}`);
  }
  return out;
}

/**
 * The ingress controller's pods: a Traefik release (traefik-helm-chart v41.3.0
 * templates/_helpers.tpl `traefik.labelselector`: `app.kubernetes.io/name: traefik`,
 * `app.kubernetes.io/instance: <release>-<namespace>`).
 */
function traefikPods(resources: readonly RecordedResource[]): Pod[] {
  return resources
    .filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && known(r.inputs.chart) && (r.inputs.chart as string).split("/").pop() === "traefik" && known(r.inputs.namespace))
    .map((r) => {
      const ns = r.inputs.namespace as string;
      const labels: Record<string, string> = { "app.kubernetes.io/name": "traefik" };
      if (known(r.inputs.name)) labels["app.kubernetes.io/instance"] = `${r.inputs.name}-${ns}`;
      return { ref: { namespace: ns, labels, ip: POD_IP, name: `Traefik (${label(r)}) in ${ns}` }, ports: [] };
    });
}

/**
 * KEDA's operator pods, which run the scalers: a keda release (kedacore/charts v2.20.2
 * templates/manager/deployment.yaml: `app`, `name` and `app.kubernetes.io/name` all
 * `operator.name`, default `keda-operator`).
 */
function kedaPods(resources: readonly RecordedResource[]): Pod[] {
  return resources
    .filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && known(r.inputs.chart) && (r.inputs.chart as string).split("/").pop() === "keda" && known(r.inputs.namespace))
    .map((r) => {
      const ns = r.inputs.namespace as string;
      const configured = obj(obj(r.inputs.values).operator).name;
      const name = known(configured) ? configured : "keda-operator";
      const labels = { app: name, name, "app.kubernetes.io/name": name };
      return { ref: { namespace: ns, labels, ip: POD_IP, name: `KEDA operator (${label(r)}) in ${ns}` }, ports: [] };
    });
}

/**
 * What a ScaledObject's scalers connect to, read by KEDA's operator pods: the strings of each
 * trigger's `metadata`, and the Secrets its TriggerAuthentication's `secretTargetRef` names (in the
 * ScaledObject's namespace; a ClusterTriggerAuthentication's in KEDA's own, matched by name).
 * A `rabbitmq` trigger with `protocol: http` reads the management API, else AMQP.
 */
function scalerReads(so: RecordedResource, resources: readonly RecordedResource[]): { trigger: Record<string, unknown>; strings: string[]; secrets: string[] }[] {
  const ns = nsOf(so);
  if (!ns) return [];
  return arr(obj(so.inputs.spec).triggers).map(obj).map((trigger) => {
    const strings = Object.values(obj(trigger.metadata)).filter(known);
    const ref = obj(trigger.authenticationRef);
    const kind = known(ref.kind) ? ref.kind : "TriggerAuthentication";
    const auth = known(ref.name)
      ? resources.find((r) => r.type.startsWith("kubernetes:keda.sh/") && kindOf(r) === kind && nameOf(r) === ref.name && (kind === "ClusterTriggerAuthentication" || nsOf(r) === ns))
      : undefined;
    const secretNs = kind === "ClusterTriggerAuthentication" ? "*" : ns;
    const secrets = arr(obj(auth?.inputs.spec).secretTargetRef).map((t) => obj(t).name).filter(known).map((n) => `${secretNs}/${n}`);
    return { trigger, strings, secrets };
  });
}

/**
 * Prometheus' pods: the Prometheus of a kube-prometheus-stack release. prometheus-operator labels
 * them `app.kubernetes.io/name: prometheus`, `app.kubernetes.io/managed-by: prometheus-operator`
 * (pkg/prometheus/statefulset.go), plus `prometheusSpec.podMetadata.labels`.
 */
function prometheusPods(resources: readonly RecordedResource[]): Pod[] {
  return resources
    .filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && known(r.inputs.chart) && (r.inputs.chart as string).split("/").pop() === "kube-prometheus-stack" && known(r.inputs.namespace))
    .map((r) => {
      const ns = r.inputs.namespace as string;
      const extra = labelsOf(obj(obj(obj(obj(r.inputs.values).prometheus).prometheusSpec).podMetadata).labels);
      const labels = { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/managed-by": "prometheus-operator", ...extra };
      return { ref: { namespace: ns, labels, ip: POD_IP, name: `Prometheus (${label(r)}) in ${ns}` }, ports: [] };
    });
}

// ------------------------------------------------------------------------------------------------
// Services
// ------------------------------------------------------------------------------------------------

interface ServiceView {
  r: RecordedResource;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  selector?: Record<string, string>;
  ports: { port: number; name?: string; targetPort?: number | string }[];
}

function servicesOf(resources: readonly RecordedResource[]): ServiceView[] {
  const out: ServiceView[] = [];
  for (const r of resources) {
    if (r.type !== "kubernetes:core/v1:Service") continue;
    const name = nameOf(r);
    const namespace = nsOf(r);
    if (!name || !namespace) continue;
    const spec = obj(r.inputs.spec);
    const ports = arr(spec.ports).map(obj).filter((p) => typeof p.port === "number").map((p) => ({
      port: p.port as number,
      ...(known(p.name) ? { name: p.name } : {}),
      ...(typeof p.targetPort === "number" || known(p.targetPort) ? { targetPort: p.targetPort as number | string } : {}),
    }));
    const selector = spec.selector && typeof spec.selector === "object" ? labelsOf(spec.selector) : undefined;
    out.push({ r, name, namespace, labels: labelsOf(meta(r).labels), ...(selector ? { selector } : {}), ports });
  }
  return out;
}

/** The pods behind a Service and, for each, the container port a service port lands on. */
function targets(svc: ServiceView, servicePort: number | string | undefined, pods: Pod[]): { pod: Pod; port: number; portName?: string }[] | undefined {
  if (!svc.selector) return undefined; // no selector: endpoints are managed elsewhere — cannot tell
  const sp = servicePort === undefined ? svc.ports[0] : svc.ports.find((p) => p.port === servicePort || p.name === servicePort);
  if (!sp) return undefined;
  const tp = sp.targetPort ?? sp.port;
  const out: { pod: Pod; port: number; portName?: string }[] = [];
  for (const pod of pods) {
    if (pod.ref.namespace !== svc.namespace || !matchesSelector({ matchLabels: svc.selector }, pod.ref.labels)) continue;
    if (typeof tp === "number") out.push({ pod, port: tp, ...(pod.ports.find((p) => p.port === tp)?.name ? { portName: pod.ports.find((p) => p.port === tp)!.name } : {}) });
    else {
      const cp = pod.ports.find((p) => p.name === tp);
      if (cp) out.push({ pod, port: cp.port, portName: tp });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// The check
// ------------------------------------------------------------------------------------------------

interface Need {
  consumer: RecordedResource;
  why: string;
  from: Pod;
  to: Pod;
  port: number;
  portName?: string;
}

/** Every string a workload's containers read: env values, and the data of ConfigMaps they load. */
function readsOf(t: Record<string, unknown>, ns: string, configMaps: Map<string, Record<string, unknown>>): { strings: string[]; secrets: string[] } {
  const strings: string[] = [];
  const secrets: string[] = [];
  const cmData = (name: unknown) => (known(name) ? Object.values(configMaps.get(`${ns}/${name}`) ?? {}).filter(known) : []);
  for (const c of containersOf(t)) {
    for (const e of arr(c.env).map(obj)) {
      if (known(e.value)) strings.push(e.value);
      const from = obj(e.valueFrom);
      const sk = obj(from.secretKeyRef);
      if (known(sk.name)) secrets.push(`${ns}/${sk.name}`);
      const ck = obj(from.configMapKeyRef);
      if (known(ck.name) && known(ck.key)) {
        const v = configMaps.get(`${ns}/${ck.name}`)?.[ck.key];
        if (known(v)) strings.push(v);
      }
    }
    for (const ef of arr(c.envFrom).map(obj)) {
      if (known(obj(ef.secretRef).name)) secrets.push(`${ns}/${obj(ef.secretRef).name}`);
      strings.push(...cmData(obj(ef.configMapRef).name));
    }
    for (const a of [...arr(c.args), ...arr(c.command)]) if (known(a)) strings.push(a);
  }
  for (const v of arr(obj(t.spec).volumes).map(obj)) {
    if (known(obj(v.secret).secretName)) secrets.push(`${ns}/${obj(v.secret).secretName}`);
    strings.push(...cmData(obj(v.configMap).name));
    for (const s of arr(obj(v.projected).sources).map(obj)) {
      if (known(obj(s.secret).name)) secrets.push(`${ns}/${obj(s.secret).name}`);
      strings.push(...cmData(obj(s.configMap).name));
    }
  }
  return { strings, secrets };
}

/** `host.svc[.cluster.local][:port]` occurrences of a data service's hosts in a string. */
function hostPorts(s: string, hosts: string[]): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const h of hosts) {
    const re = new RegExp(`(?:^|[^a-z0-9.-])${h.replace(/[.]/g, "\\.")}\\.svc(?:\\.cluster\\.local)?\\.?(?::(\\d+))?`, "g");
    for (const m of s.matchAll(re)) out.push(m[1] ? Number(m[1]) : undefined);
  }
  return out;
}

function run(ctx: DeployContext): DeployFinding[] {
  const all = [...ctx.upstream, ...ctx.resources];
  const policies = policiesFromPlan(all);
  if (!policies.length) return []; // no NetworkPolicy anywhere: nothing is isolated
  const nsLabels: Record<string, Record<string, string>> = {};
  for (const r of all) if (r.type === "kubernetes:core/v1:Namespace" && nameOf(r)) nsLabels[nameOf(r)!] = labelsOf(meta(r).labels);
  const graph = new NetworkGraph(policies, nsLabels);

  const workloads = all.filter((r) => podTemplate(r)).map((r) => ({ r, pod: workloadPod(r) })).filter((w): w is { r: RecordedResource; pod: Pod } => !!w.pod);
  const pods = workloads.map((w) => w.pod);
  const traefik = traefikPods(all);
  const prometheus = prometheusPods(all);
  const data = dataServices(all);
  const services = [...servicesOf(all), ...data.flatMap((d) => d.services ?? [])];
  const configMaps = new Map<string, Record<string, unknown>>();
  for (const r of all) if (r.type === "kubernetes:core/v1:ConfigMap" && nameOf(r) && nsOf(r)) configMaps.set(`${nsOf(r)}/${nameOf(r)}`, obj(r.inputs.data));
  // Services and monitors may select operator-run pods too (a metrics Service over MongoDB members).
  const targetPods = [...pods, ...data.flatMap((d) => d.pods)];
  const mine = new Set(ctx.resources.map((r) => r.urn));
  const needs: Need[] = [];

  // --- workloads → data services -----------------------------------------------------------------
  for (const w of workloads) {
    if (!mine.has(w.r.urn)) continue;
    const t = podTemplate(w.r)!;
    const reads = readsOf(t, w.pod.ref.namespace, configMaps);
    for (const d of data) {
      const wanted = new Map<number, string>();
      for (const s of reads.strings) for (const p of hostPorts(s, d.hosts)) wanted.set(p ?? d.clientPort, `its configuration names ${d.what} (${d.hosts[0]}.svc${p ? `:${p}` : ""})`);
      for (const sec of reads.secrets) {
        const secName = sec.split("/")[1];
        if (d.secrets.some((x) => x === sec || x.split("/")[1] === secName)) wanted.set(d.clientPort, `it reads secret "${secName}", the client credentials of ${d.what}`);
      }
      for (const [port, why] of wanted) {
        for (const to of d.pods.filter((p) => p.ports.some((x) => x.port === port))) {
          needs.push({ consumer: w.r, why, from: w.pod, to, port, ...(to.ports.find((x) => x.port === port)?.name ? { portName: to.ports.find((x) => x.port === port)!.name } : {}) });
        }
      }
    }
  }

  // --- KEDA's operator → the data services its scalers read ---------------------------------------
  const keda = kedaPods(all);
  for (const so of ctx.resources) {
    if (!/^kubernetes:keda\.sh\/[^:]+:ScaledObject$/.test(so.type)) continue;
    for (const { trigger, strings, secrets } of scalerReads(so, all)) {
      for (const d of data) {
        const management = trigger.type === "rabbitmq" && obj(trigger.metadata).protocol === "http";
        const port = management ? (d.pods[0]?.ports.some((p) => p.name === "management-tls") ? 15671 : 15672) : d.clientPort;
        let why: string | undefined;
        for (const str of strings) if (hostPorts(str, d.hosts).length) why = `its ${String(trigger.type)} trigger names ${d.what}, which KEDA's operator polls`;
        for (const sec of secrets) {
          const secName = sec.split("/")[1];
          if (d.secrets.some((x) => x === sec || x.split("/")[1] === secName)) why = `its ${String(trigger.type)} trigger authenticates with secret "${secName}", the client credentials of ${d.what}, and KEDA's operator polls it`;
        }
        if (!why) continue;
        for (const to of d.pods.filter((p) => p.ports.some((x) => x.port === port))) {
          for (const from of keda) needs.push({ consumer: so, why, from, to, port, ...(to.ports.find((x) => x.port === port)?.name ? { portName: to.ports.find((x) => x.port === port)!.name } : {}) });
        }
      }
    }
  }

  // --- ingress controller → IngressRoute backends, and → ACME solvers ---------------------------
  for (const r of ctx.resources) {
    if (!/^kubernetes:traefik\.(io|containo\.us)\/[^:]+:IngressRoute$/.test(r.type)) continue;
    const ns = nsOf(r);
    if (!ns) continue;
    for (const route of arr(obj(r.inputs.spec).routes).map(obj)) {
      for (const s of arr(route.services).map(obj)) {
        if (s.kind !== undefined && s.kind !== "Service") continue; // TraefikService / api@internal: no pods here
        if (!known(s.name)) continue;
        const svcNs = known(s.namespace) ? s.namespace : ns;
        const svc = services.find((x) => x.name === s.name && x.namespace === svcNs);
        if (!svc) continue; // a Service the plan does not hold (a chart's): cannot tell
        const port = typeof s.port === "number" || known(s.port) ? (s.port as number | string) : undefined;
        for (const t of targets(svc, port, targetPods) ?? []) {
          for (const from of traefik) needs.push({ consumer: r, why: `${label(r)} routes to Service ${svc.namespace}/${svc.name}`, from, to: t.pod, port: t.port, ...(t.portName ? { portName: t.portName } : {}) });
        }
      }
    }
  }
  const issuers = all.filter((r) => r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer" || r.type === "kubernetes:cert-manager.io/v1:Issuer");
  const solvesHttp01 = (i: RecordedResource) => arr(obj(obj(i.inputs.spec).acme).solvers).some((s) => obj(s).http01 !== undefined);
  const solverNamespaces = new Set<string>();
  for (const c of ctx.resources) {
    if (c.type !== "kubernetes:cert-manager.io/v1:Certificate") continue;
    const ns = nsOf(c);
    const ref = obj(obj(c.inputs.spec).issuerRef);
    if (!ns || !known(ref.name) || solverNamespaces.has(ns)) continue;
    const kind = known(ref.kind) ? ref.kind : "Issuer";
    const issuer = issuers.find((i) => nameOf(i) === ref.name && kindOf(i) === kind && (kind === "ClusterIssuer" || nsOf(i) === ns));
    if (!issuer || !solvesHttp01(issuer)) continue;
    solverNamespaces.add(ns);
    const solver: Pod = { ref: { namespace: ns, labels: { ...ACME_SOLVER.labels }, ip: POD_IP, name: `cert-manager's HTTP-01 solver pods in ${ns} ${showLabels(ACME_SOLVER.labels)}` }, ports: [{ port: ACME_SOLVER.port }] };
    for (const from of traefik) needs.push({ consumer: c, why: `${label(c)} is issued by ${label(issuer)} through ACME HTTP-01, answered by solver pods Traefik must reach`, from, to: solver, port: ACME_SOLVER.port });
  }

  // --- Prometheus → ServiceMonitor / PodMonitor targets ------------------------------------------
  for (const m of ctx.resources) {
    const isSM = m.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
    const isPM = m.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor";
    if (!isSM && !isPM) continue;
    const ns = nsOf(m);
    if (!ns) continue;
    const spec = obj(m.inputs.spec);
    const nsSel = obj(spec.namespaceSelector);
    const inNs = (n: string) => (nsSel.any === true ? true : Array.isArray(nsSel.matchNames) ? nsSel.matchNames.includes(n) : n === ns);
    const selector = obj(spec.selector) as LabelSelector;
    if (isSM) {
      for (const svc of services.filter((s) => inNs(s.namespace) && matchesSelector(selector, s.labels))) {
        for (const ep of arr(spec.endpoints).map(obj)) {
          const port = known(ep.port) ? ep.port : typeof ep.targetPort === "number" ? undefined : undefined;
          for (const t of targets(svc, port, targetPods) ?? []) {
            for (const from of prometheus) needs.push({ consumer: m, why: `${label(m)} scrapes Service ${svc.namespace}/${svc.name} port ${String(port ?? svc.ports[0]?.port)}`, from, to: t.pod, port: t.port, ...(t.portName ? { portName: t.portName } : {}) });
          }
        }
      }
    } else {
      for (const pod of targetPods.filter((p) => inNs(p.ref.namespace) && matchesSelector(selector, p.ref.labels))) {
        for (const ep of arr(spec.podMetricsEndpoints).map(obj)) {
          const cp = known(ep.port) ? pod.ports.find((p) => p.name === ep.port) : undefined;
          if (!cp) continue;
          for (const from of prometheus) needs.push({ consumer: m, why: `${label(m)} scrapes port ${cp.name}`, from, to: pod, port: cp.port, ...(cp.name ? { portName: cp.name } : {}) });
        }
      }
    }
  }

  // --- evaluate ----------------------------------------------------------------------------------
  const findings: DeployFinding[] = [];
  const seen = new Set<string>();
  for (const n of needs) {
    const key = `${n.consumer.urn}|${n.from.ref.name}|${n.to.ref.name}|${n.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const e = graph.explain(n.from.ref, n.to.ref, n.port, "TCP", n.portName);
    if (e.allowed) continue;
    const port = `${n.port}/TCP${n.portName ? ` (${n.portName})` : ""}`;
    const missing: string[] = [];
    if (!e.egress.length) missing.push(`no Egress NetworkPolicy in namespace "${n.from.ref.namespace}" lets ${showLabels(n.from.ref.labels)} reach namespace "${n.to.ref.namespace}" ${showLabels(n.to.ref.labels)} on ${port}`);
    if (!e.ingress.length) missing.push(`no Ingress NetworkPolicy in namespace "${n.to.ref.namespace}" admits ${showLabels(n.from.ref.labels)} from namespace "${n.from.ref.namespace}" to ${showLabels(n.to.ref.labels)} on ${port}`);
    findings.push({
      check: CHECK,
      urn: n.consumer.urn,
      message: `${n.from.ref.name} → ${n.to.ref.name} on port ${port} is denied, but ${n.why}: ${missing.join("; and ")}. The connection times out under default-deny.`,
      remediation: `Allow the flow on both sides: an Ingress policy in "${n.to.ref.namespace}" selecting ${showLabels(n.to.ref.labels)} from namespace "${n.from.ref.namespace}" pods ${showLabels(n.from.ref.labels)} on ${n.port}, and the matching Egress policy in "${n.from.ref.namespace}" (a NetworkFlows flow writes both).`,
    });
  }
  return findings;
}

export const reachabilityCheck: DeployCheck = {
  name: CHECK,
  description:
    "with default-deny in place, the NetworkPolicies (this stack's and upstream's) allow the flows the plan needs: workloads to the data services they are configured for (Kafka, MongoDB, Redis, RabbitMQ, CloudNativePG, Elasticsearch), KEDA's operator to the data services its scalers poll, the ingress controller to IngressRoute backends and ACME HTTP-01 solvers, Prometheus to its scrape targets",
  run,
};

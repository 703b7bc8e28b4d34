/**
 * Deployability check `references`: every object a consumer names (a pod's Secrets and ConfigMaps,
 * an IngressRoute's Service, Middlewares, TLS option and TLS secret, an Ingress's TLS secret and
 * backends, a Certificate's issuer, a CA issuer's Secret, a ServiceMonitor/PodMonitor's
 * credentials, an operator CR's Secrets and ConfigMaps) resolves, in the namespace the consumer reads, to an object
 * that this stack or its upstream stack creates, that an operator or chart creates by its documented
 * naming (OPERATOR_NAMING below), or that the consumer declares external (EXTERNAL_REFERENCES_ANNOTATION).
 *
 * Namespace rules: a pod reads only its own namespace; an operator reads its CR's namespace; Traefik
 * resolves an IngressRoute's services, middlewares and TLS options in the route's namespace unless
 * the Traefik release sets `providers.kubernetesCRD.allowCrossNamespace` (chart default false), and
 * always reads `tls.secretName` in the route's namespace; a cert-manager Certificate's `Issuer` is in
 * its own namespace, a `ClusterIssuer` is cluster-wide and reads its Secrets in cert-manager's
 * cluster resource namespace. Unknown values (names computed at apply time) are "cannot tell":
 * never a finding and never a proof.
 */
import { SECRET_SIG, SIG_KEY, UNKNOWN, type RecordedResource } from "../evaluate";
import type { DeployCheck, DeployContext, DeployFinding } from "./types";

/**
 * Annotation on a consumer listing what something outside Pulumi creates, comma-separated
 * `Kind/name` (in the consumer's namespace) or `Kind/namespace/name`, e.g. `Secret/registry-pull`.
 * Use sparingly: each entry is a promise the analysis cannot check.
 */
export const EXTERNAL_REFERENCES_ANNOTATION = "deployability.platform/external-references";

type RefKind = "Secret" | "ConfigMap" | "Service" | "Middleware" | "TLSOption" | "TraefikService" | "Issuer" | "ClusterIssuer";
const PROVIDED_KINDS = new Set<string>(["Secret", "ConfigMap", "Service", "Middleware", "TLSOption", "TraefikService", "Issuer", "ClusterIssuer"]);

/**
 * What operators and charts create by naming convention, at the versions the repository pins
 * (sources in the comments; the Secret keys are those the operator writes).
 */
export const OPERATOR_NAMING = {
  // cert-manager v1.21.1, docs "Certificate resource": the signed pair goes to spec.secretName
  // (tls.crt, tls.key, and ca.crt when the issuer knows its CA).
  certificateSecretKeys: ["tls.crt", "tls.key", "ca.crt"],
  // Strimzi 1.2.0, "Configuring Kafka users": the User Operator writes a Secret named after the
  // KafkaUser in its namespace; SCRAM-SHA-512: password, sasl.jaas.config; tls: ca.crt, user.crt,
  // user.key, user.p12, user.password.
  kafkaUserSecretKeys: { "scram-sha-512": ["password", "sasl.jaas.config"], tls: ["ca.crt", "user.crt", "user.key", "user.p12", "user.password"] } as Record<string, string[]>,
  // Strimzi 1.2.0, "Security / CA certificates": <cluster>-cluster-ca-cert and <cluster>-clients-ca-cert
  // (ca.crt, ca.p12, ca.password), the keys in <cluster>-cluster-ca / -clients-ca (ca.key);
  // Services <cluster>-kafka-bootstrap and <cluster>-kafka-brokers.
  kafkaCaCertKeys: ["ca.crt", "ca.p12", "ca.password"],
  // mongodb-kubernetes 1.10.0 (MongoDBCommunity), docs/users.md: per user, a connection-string
  // Secret `<metadata.name>-<auth-db>-<username>` (or spec.users[].connectionStringSecretName) in
  // spec.users[].connectionStringSecretNamespace or the resource's namespace, with
  // connectionString.standard, connectionString.standardSrv, username, password; the Service `<name>-svc`.
  mongoConnectionStringKeys: ["connectionString.standard", "connectionString.standardSrv", "username", "password"],
  // OT-CONTAINER-KIT redis-operator v0.26.0 (k8sutils/services.go): Services <name>-leader,
  // -leader-headless, -leader-additional, and the same for -follower.
  redisServiceSuffixes: ["-leader", "-leader-headless", "-leader-additional", "-follower", "-follower-headless", "-follower-additional"],
} as const;

interface Provided {
  source: string;
  /** Keys of a Secret/ConfigMap; undefined when they cannot be known offline. */
  keys?: Set<string>;
}

interface Reference {
  consumer: RecordedResource;
  consumerLabel: string;
  /** Where in the consumer the reference is. */
  path: string;
  kind: RefKind;
  name: string;
  /** Namespace searched ("" for cluster-scoped kinds). */
  namespace: string;
  key?: string;
  /** What fails when it does not resolve. */
  failure: string;
  /** Namespace rule that applies, for the message. */
  rule: string;
  /** Set when the reference is refused outright (e.g. cross-namespace without allowCrossNamespace). */
  refused?: { message: string; remediation: string };
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const isSecretWrapper = (v: unknown): v is Record<string, unknown> => isObj(v) && v[SIG_KEY] === SECRET_SIG;
/** A plain value, through a secret wrapper when it carries its plaintext. */
const plain = (v: unknown): unknown => (isSecretWrapper(v) ? ("value" in v ? v.value : UNKNOWN) : v);
const known = (v: unknown): string | undefined => {
  const p = plain(v);
  return typeof p === "string" && p !== UNKNOWN && !p.includes(UNKNOWN) ? p : undefined;
};
const isUnknown = (v: unknown): boolean => {
  const p = plain(v);
  return p === UNKNOWN || (typeof p === "string" && p.includes(UNKNOWN)) || isSecretWrapper(p);
};
const arr = (v: unknown): unknown[] => {
  const p = plain(v);
  return Array.isArray(p) ? p : [];
};
const obj = (v: unknown): Record<string, unknown> => {
  const p = plain(v);
  return isObj(p) ? p : {};
};

/** `kubernetes:<group>/<version>:<Kind>` → group and kind. */
function k8sType(type: string): { group: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
  if (!m) return undefined;
  const gv = m[1]!;
  return { group: gv.includes("/") ? gv.slice(0, gv.lastIndexOf("/")) : "", kind: m[2]! };
}

class Index {
  private readonly objects = new Map<string, Provided>();
  /** `kind|namespace` (namespace "*" for any) under which a name is unknown: anything may resolve there. */
  private readonly wildcards = new Set<string>();

  add(kind: string, namespace: string | undefined, name: string | undefined, p: Provided): void {
    if (namespace === undefined) {
      this.wildcards.add(`${kind}|*`);
      return;
    }
    if (name === undefined) {
      this.wildcards.add(`${kind}|${namespace}`);
      return;
    }
    const k = `${kind}|${namespace}|${name}`;
    const had = this.objects.get(k);
    // Two producers of the same object: keys are known only if both know them.
    if (had) {
      if (had.keys && p.keys) for (const key of p.keys) had.keys.add(key);
      else had.keys = undefined;
      return;
    }
    this.objects.set(k, { source: p.source, keys: p.keys ? new Set(p.keys) : undefined });
  }

  get(kind: string, namespace: string, name: string): Provided | "wildcard" | undefined {
    const hit = this.objects.get(`${kind}|${namespace}|${name}`);
    if (hit) return hit;
    if (this.wildcards.has(`${kind}|${namespace}`) || this.wildcards.has(`${kind}|*`)) return "wildcard";
    return undefined;
  }

  namespacesHolding(kind: string, name: string): string[] {
    const out: string[] = [];
    for (const k of this.objects.keys()) {
      const [kk, ns, nn] = k.split("|");
      if (kk === kind && nn === name) out.push(ns || "(cluster)");
    }
    return out;
  }
}

/** The keys a Secret/ConfigMap declares, or undefined when any of its data maps is not known. */
function dataKeys(inputs: Record<string, unknown>): Set<string> | undefined {
  const keys = new Set<string>();
  for (const field of ["data", "stringData", "binaryData"]) {
    if (!(field in inputs)) continue;
    const v = plain(inputs[field]);
    if (!isObj(v)) return undefined;
    for (const k of Object.keys(v)) {
      if (k.includes(UNKNOWN)) return undefined;
      keys.add(k);
    }
  }
  return keys;
}

const meta = (inputs: Record<string, unknown>) => obj(inputs.metadata);
function nsOf(inputs: Record<string, unknown>, fallback = "default"): string | undefined {
  const m = meta(inputs);
  if (!("namespace" in m) || m.namespace === undefined) return fallback;
  return known(m.namespace);
}
const nameOf = (inputs: Record<string, unknown>) => known(meta(inputs).name);
/** A Helm release's chart name, also for an OCI reference (`oci://registry/path/<chart>`). */
const chartOf = (r: RecordedResource): string | undefined => known(r.inputs.chart)?.replace(/^oci:\/\/.*\//, "");

interface TraefikSettings {
  allowCrossNamespace: boolean;
  source: string;
}
interface CertManagerSettings {
  clusterResourceNamespace: string;
}

function traefikSettings(all: readonly RecordedResource[]): TraefikSettings {
  for (const r of all) {
    if (r.type !== "kubernetes:helm.sh/v3:Release" || chartOf(r) !== "traefik") continue;
    const v = plain(obj(obj(obj(r.inputs.values).providers).kubernetesCRD).allowCrossNamespace);
    return { allowCrossNamespace: v === true, source: `the Traefik release "${known(r.inputs.name) ?? r.name}" (providers.kubernetesCRD.allowCrossNamespace: ${v === true})` };
  }
  return { allowCrossNamespace: false, source: "no Traefik release in the plan: the chart's default allowCrossNamespace false" };
}

function certManagerSettings(all: readonly RecordedResource[]): CertManagerSettings {
  for (const r of all) {
    if (r.type !== "kubernetes:helm.sh/v3:Release" || chartOf(r) !== "cert-manager") continue;
    // cert-manager's --cluster-resource-namespace defaults to the namespace it runs in.
    const fromValues = known(obj(r.inputs.values).clusterResourceNamespace);
    return { clusterResourceNamespace: fromValues ?? known(r.inputs.namespace) ?? "cert-manager" };
  }
  return { clusterResourceNamespace: "cert-manager" };
}

/** Everything the stack, its upstream and the operators/charts they drive will have created. */
function buildIndex(all: readonly RecordedResource[]): Index {
  const index = new Index();
  for (const r of all) {
    const t = k8sType(r.type);
    if (!t) continue;
    const inputs = r.inputs;
    const ns = nsOf(inputs);
    const name = nameOf(inputs);
    const spec = obj(inputs.spec);
    const source = `${t.kind} ${ns ? `${ns}/` : ""}${name ?? "(unknown name)"}`;
    if (PROVIDED_KINDS.has(t.kind)) {
      const clusterScoped = t.kind === "ClusterIssuer";
      index.add(t.kind, clusterScoped ? "" : ns, name, {
        source: `${source} in the plan`,
        keys: t.kind === "Secret" || t.kind === "ConfigMap" ? dataKeys(inputs) : new Set(),
      });
      continue;
    }
    switch (`${t.group}/${t.kind}`) {
      case "cert-manager.io/Certificate": {
        const secretName = spec.secretName;
        index.add("Secret", ns, isUnknown(secretName) ? undefined : known(secretName), {
          source: `cert-manager from Certificate ${ns}/${name} (spec.secretName)`,
          keys: new Set(OPERATOR_NAMING.certificateSecretKeys),
        });
        break;
      }
      case "kafka.strimzi.io/KafkaUser": {
        const type = known(obj(spec.authentication).type);
        index.add("Secret", ns, name, {
          source: `Strimzi's User Operator from KafkaUser ${ns}/${name}`,
          keys: type && OPERATOR_NAMING.kafkaUserSecretKeys[type] ? new Set(OPERATOR_NAMING.kafkaUserSecretKeys[type]) : undefined,
        });
        break;
      }
      case "kafka.strimzi.io/Kafka": {
        if (name === undefined) {
          index.add("Secret", ns, undefined, { source: "" });
          index.add("Service", ns, undefined, { source: "" });
          break;
        }
        const src = `Strimzi from Kafka ${ns}/${name}`;
        for (const ca of ["cluster", "clients"]) {
          index.add("Secret", ns, `${name}-${ca}-ca-cert`, { source: src, keys: new Set(OPERATOR_NAMING.kafkaCaCertKeys) });
          index.add("Secret", ns, `${name}-${ca}-ca`, { source: src, keys: new Set(["ca.key"]) });
        }
        for (const svc of ["kafka-bootstrap", "kafka-brokers"]) index.add("Service", ns, `${name}-${svc}`, { source: src, keys: new Set() });
        break;
      }
      case "mongodbcommunity.mongodb.com/MongoDBCommunity": {
        if (name === undefined) break;
        const src = `the MongoDB operator from MongoDBCommunity ${ns}/${name}`;
        index.add("Service", ns, `${name}-svc`, { source: src, keys: new Set() });
        for (const u of arr(spec.users).map(obj)) {
          const user = known(u.name);
          const db = known(u.db) ?? "admin";
          const scram = known(u.scramCredentialsSecretName);
          if (scram) index.add("Secret", ns, `${scram}-scram-credentials`, { source: `${src} (user ${user ?? "?"}: SCRAM credentials)` });
          const csName = "connectionStringSecretName" in u ? known(u.connectionStringSecretName) : user && `${name}-${db}-${user}`;
          const csNs = "connectionStringSecretNamespace" in u ? known(u.connectionStringSecretNamespace) : ns;
          // In another namespace the operator sets an ownerReference to the MongoDBCommunity, which
          // is invalid across namespaces: the garbage collector deletes the Secret again
          // (mongodb/mongodb-kubernetes#343; 1.10.0's controllers/mongodb_users.go sets the
          // ownerReference whatever the namespace): it is not counted as created.
          if (csNs !== undefined && csNs !== ns) continue;
          index.add("Secret", csNs, csName, { source: `${src} (user ${user ?? "?"}: connection string)`, keys: new Set(OPERATOR_NAMING.mongoConnectionStringKeys) });
        }
        break;
      }
      case "redis.redis.opstreelabs.in/RedisCluster": {
        for (const suffix of OPERATOR_NAMING.redisServiceSuffixes) {
          index.add("Service", ns, name === undefined ? undefined : `${name}${suffix}`, { source: `the redis-operator from RedisCluster ${ns}/${name}`, keys: new Set() });
        }
        break;
      }
      case "helm.sh/Release": {
        addChartServices(index, r);
        break;
      }
    }
  }
  return index;
}

/**
 * Services a chart renders that our own objects route to. kube-prometheus-stack 88.0.0
 * (templates/prometheus/service.yaml, alertmanager/service.yaml): `<fullname>-prometheus` and
 * `<fullname>-alertmanager`, fullname = fullnameOverride or `<release>-kube-prometheus-stack`
 * truncated to 26 characters; its grafana subchart: `grafana.fullnameOverride` or `<release>-grafana`.
 */
function addChartServices(index: Index, r: RecordedResource): void {
  const chart = chartOf(r);
  const ns = known(r.inputs.namespace) ?? "default";
  const release = known(r.inputs.name) ?? r.name;
  const values = obj(r.inputs.values);
  if (chart !== "kube-prometheus-stack") return;
  const full = (known(values.fullnameOverride) ?? (release.includes(chart) ? release : `${release}-${chart}`)).slice(0, 26).replace(/-+$/, "");
  const src = `the ${chart} chart of release ${ns}/${release}`;
  if (plain(obj(values.prometheus).enabled) !== false) index.add("Service", ns, `${full}-prometheus`, { source: src, keys: new Set() });
  if (plain(obj(values.alertmanager).enabled) !== false) index.add("Service", ns, `${full}-alertmanager`, { source: src, keys: new Set() });
  const grafana = obj(values.grafana);
  if (plain(grafana.enabled) !== false) index.add("Service", ns, known(grafana.fullnameOverride) ?? `${release}-grafana`, { source: src, keys: new Set() });
}

// ------------------------------------------------------------------------------------------------
// Consumers
// ------------------------------------------------------------------------------------------------

const POD_RULE = "a pod reads Secrets and ConfigMaps only in its own namespace";
const OPERATOR_RULE = "the operator reads it in the custom resource's namespace";

/** Pod specs of a workload, with their path. */
function podSpecs(kind: string, spec: Record<string, unknown>, inputs: Record<string, unknown>): { path: string; spec: Record<string, unknown> }[] {
  switch (kind) {
    case "Pod":
      return [{ path: "spec", spec: obj(inputs.spec) }];
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return [{ path: "spec.template.spec", spec: obj(obj(spec.template).spec) }];
    case "CronJob":
      return [{ path: "spec.jobTemplate.spec.template.spec", spec: obj(obj(obj(obj(spec.jobTemplate).spec).template).spec) }];
    default:
      return [];
  }
}

type Push = (path: string, kind: RefKind, name: unknown, extra?: { key?: unknown; namespace?: string; optional?: unknown }) => void;

/** References in a pod spec: env/envFrom, volumes (and projected sources), imagePullSecrets. */
function podReferences(base: string, pod: Record<string, unknown>, push: Push): void {
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    arr(pod[field]).forEach((c0, i) => {
      const c = obj(c0);
      const cPath = `${base}.${field}[${known(c.name) ?? i}]`;
      for (const e0 of arr(c.env)) {
        const e = obj(e0);
        const from = obj(e.valueFrom);
        const ePath = `${cPath}.env[${known(e.name) ?? "?"}].valueFrom`;
        if (isObj(plain(from.secretKeyRef))) {
          const ref = obj(from.secretKeyRef);
          push(`${ePath}.secretKeyRef`, "Secret", ref.name, { key: ref.key, optional: ref.optional });
        }
        if (isObj(plain(from.configMapKeyRef))) {
          const ref = obj(from.configMapKeyRef);
          push(`${ePath}.configMapKeyRef`, "ConfigMap", ref.name, { key: ref.key, optional: ref.optional });
        }
      }
      arr(c.envFrom).forEach((f0, j) => {
        const f = obj(f0);
        if (isObj(plain(f.secretRef))) push(`${cPath}.envFrom[${j}].secretRef`, "Secret", obj(f.secretRef).name, { optional: obj(f.secretRef).optional });
        if (isObj(plain(f.configMapRef))) push(`${cPath}.envFrom[${j}].configMapRef`, "ConfigMap", obj(f.configMapRef).name, { optional: obj(f.configMapRef).optional });
      });
    });
  }
  for (const v0 of arr(pod.volumes)) {
    const v = obj(v0);
    const vPath = `${base}.volumes[${known(v.name) ?? "?"}]`;
    const items = (x: Record<string, unknown>) => arr(x.items).map((it) => known(obj(it).key));
    if (isObj(plain(v.secret))) {
      const s = obj(v.secret);
      const keys = items(s);
      if (keys.length === 0) push(`${vPath}.secret`, "Secret", s.secretName, { optional: s.optional });
      for (const key of keys) push(`${vPath}.secret`, "Secret", s.secretName, { optional: s.optional, key });
    }
    if (isObj(plain(v.configMap))) {
      const s = obj(v.configMap);
      const keys = items(s);
      if (keys.length === 0) push(`${vPath}.configMap`, "ConfigMap", s.name, { optional: s.optional });
      for (const key of keys) push(`${vPath}.configMap`, "ConfigMap", s.name, { optional: s.optional, key });
    }
    arr(obj(v.projected).sources).forEach((src0, j) => {
      const src = obj(src0);
      for (const [field, kind] of [["secret", "Secret"], ["configMap", "ConfigMap"]] as const) {
        if (!isObj(plain(src[field]))) continue;
        const s = obj(src[field]);
        const keys = items(s);
        if (keys.length === 0) push(`${vPath}.projected.sources[${j}].${field}`, kind, s.name, { optional: s.optional });
        for (const key of keys) push(`${vPath}.projected.sources[${j}].${field}`, kind, s.name, { optional: s.optional, key });
      }
    });
  }
  arr(pod.imagePullSecrets).forEach((s, i) => push(`${base}.imagePullSecrets[${i}]`, "Secret", obj(s).name));
}

/** Secrets and ConfigMaps an operator reads for its custom resource, by the CRDs' field names. */
function operatorReferences(group: string, kind: string, spec: Record<string, unknown>, push: Push): void {
  const secretKeyRef = (path: string, ref: unknown, defaultKey?: string) => {
    const r = obj(ref);
    if (!("name" in r)) return;
    push(path, "Secret", r.name, { key: r.key ?? defaultKey, optional: r.optional });
  };
  const metricsConfig = (path: string, mc: unknown) => {
    const ref = obj(obj(obj(mc).valueFrom).configMapKeyRef);
    if ("name" in ref) push(`${path}.valueFrom.configMapKeyRef`, "ConfigMap", ref.name, { key: ref.key, optional: ref.optional });
  };
  switch (`${group}/${kind}`) {
    case "mongodbcommunity.mongodb.com/MongoDBCommunity": {
      arr(spec.users).forEach((u, i) => secretKeyRef(`spec.users[${known(obj(u).name) ?? i}].passwordSecretRef`, obj(u).passwordSecretRef, "password"));
      const tls = obj(obj(spec.security).tls);
      if (plain(tls.enabled) === true) {
        const cert = obj(tls.certificateKeySecretRef);
        if ("name" in cert) push("spec.security.tls.certificateKeySecretRef", "Secret", cert.name, { key: "tls.crt" });
        const ca = obj(tls.caCertificateSecretRef);
        if ("name" in ca) push("spec.security.tls.caCertificateSecretRef", "Secret", ca.name, { key: "ca.crt" });
        const caCm = obj(tls.caConfigMapRef);
        if ("name" in caCm) push("spec.security.tls.caConfigMapRef", "ConfigMap", caCm.name, { key: "ca.crt" });
      }
      const prom = obj(spec.prometheus);
      secretKeyRef("spec.prometheus.passwordSecretRef", prom.passwordSecretRef, "password");
      const promTls = obj(prom.tlsSecretKeyRef);
      if ("name" in promTls) push("spec.prometheus.tlsSecretKeyRef", "Secret", promTls.name);
      podReferences("spec.statefulSet.spec.template.spec", obj(obj(obj(obj(spec.statefulSet).spec).template).spec), push);
      break;
    }
    case "redis.redis.opstreelabs.in/RedisCluster":
    case "redis.redis.opstreelabs.in/Redis":
    case "redis.redis.opstreelabs.in/RedisReplication": {
      secretKeyRef("spec.kubernetesConfig.redisSecret", obj(spec.kubernetesConfig).redisSecret);
      const tls = obj(spec.TLS);
      if (isObj(plain(tls.secret))) {
        const s = obj(tls.secret);
        for (const field of ["ca", "cert", "key"]) if (known(tls[field])) push("spec.TLS.secret", "Secret", s.secretName, { key: tls[field] });
        if (!known(tls.cert)) push("spec.TLS.secret", "Secret", s.secretName);
      }
      const cm = obj(spec.redisConfig).additionalRedisConfig;
      if (cm !== undefined) push("spec.redisConfig.additionalRedisConfig", "ConfigMap", cm);
      for (const role of ["redisLeader", "redisFollower"]) {
        const rc = obj(obj(spec[role]).redisConfig).additionalRedisConfig;
        if (rc !== undefined) push(`spec.${role}.redisConfig.additionalRedisConfig`, "ConfigMap", rc);
      }
      break;
    }
    case "kafka.strimzi.io/Kafka": {
      const kafka = obj(spec.kafka);
      arr(kafka.listeners).forEach((l0, i) => {
        const l = obj(l0);
        const cc = obj(obj(l.configuration).brokerCertChainAndKey);
        if ("secretName" in cc) {
          const lp = `spec.kafka.listeners[${known(l.name) ?? i}].configuration.brokerCertChainAndKey`;
          push(lp, "Secret", cc.secretName, { key: cc.certificate });
          push(lp, "Secret", cc.secretName, { key: cc.key });
        }
      });
      metricsConfig("spec.kafka.metricsConfig", kafka.metricsConfig);
      metricsConfig("spec.cruiseControl.metricsConfig", obj(spec.cruiseControl).metricsConfig);
      break;
    }
    case "kafka.strimzi.io/KafkaUser": {
      const pw = obj(obj(obj(spec.authentication).password).valueFrom).secretKeyRef;
      secretKeyRef("spec.authentication.password.valueFrom.secretKeyRef", pw);
      break;
    }
  }
}

/** Every reference in the stack's own resources (the upstream stack is checked when it is previewed). */
function collectReferences(resources: readonly RecordedResource[], traefik: TraefikSettings, certManager: CertManagerSettings): Reference[] {
  const refs: Reference[] = [];
  for (const r of resources) {
    const t = k8sType(r.type);
    if (!t) continue;
    const inputs = r.inputs;
    const ns = nsOf(inputs);
    if (ns === undefined) continue; // namespace unknown: cannot tell where it reads
    const name = nameOf(inputs) ?? "(unknown name)";
    const spec = obj(inputs.spec);
    const consumerLabel = `${t.kind} ${ns}/${name}`;
    const make = (rule: string, failure: string): Push => (path, kind, refName, extra = {}) => {
      if (plain(extra.optional) === true) return;
      if (isUnknown(refName) || refName === undefined) return;
      const n = known(refName);
      if (!n) return;
      const key = extra.key === undefined || isUnknown(extra.key) ? undefined : known(extra.key);
      refs.push({ consumer: r, consumerLabel, path, kind, name: n, namespace: extra.namespace ?? (kind === "ClusterIssuer" ? "" : ns), key, failure, rule });
    };

    for (const p of podSpecs(t.kind, spec, inputs)) {
      podReferences(p.path, p.spec, make(POD_RULE, "its pods would not start (CreateContainerConfigError, or FailedMount for a volume)"));
    }
    operatorReferences(t.group, t.kind, spec, make(OPERATOR_RULE, "the operator would not reconcile the resource (its pods never start)"));

    if (t.group === "traefik.io" && t.kind === "IngressRoute") traefikReferences(r, consumerLabel, ns, spec, traefik, refs);
    if (t.group === "monitoring.coreos.com" && (t.kind === "ServiceMonitor" || t.kind === "PodMonitor")) {
      // The Prometheus operator reads a monitor's credentials in the monitor's namespace.
      const push = make("the Prometheus operator reads a monitor's Secrets in the monitor's namespace", "Prometheus would not scrape the target (the operator skips the monitor)");
      const endpoints = t.kind === "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints";
      arr(spec[endpoints]).forEach((e0, i) => {
        const e = obj(e0);
        const ep = `spec.${endpoints}[${i}]`;
        for (const field of ["username", "password"]) {
          const ref = obj(obj(e.basicAuth)[field]);
          if ("name" in ref) push(`${ep}.basicAuth.${field}`, "Secret", ref.name, { key: ref.key, optional: ref.optional });
        }
        const bearer = obj(e.bearerTokenSecret);
        if ("name" in bearer) push(`${ep}.bearerTokenSecret`, "Secret", bearer.name, { key: bearer.key, optional: bearer.optional });
      });
    }
    if (t.group === "networking.k8s.io" && t.kind === "Ingress") {
      const push = make("an Ingress reads its TLS Secrets and backend Services in its own namespace", "the ingress controller would not route (or serve its default certificate)");
      arr(spec.tls).forEach((tls, i) => push(`spec.tls[${i}].secretName`, "Secret", obj(tls).secretName));
      arr(spec.rules).forEach((rule, i) =>
        arr(obj(obj(rule).http).paths).forEach((path, j) => {
          const svc = obj(obj(obj(path).backend).service);
          if ("name" in svc) push(`spec.rules[${i}].http.paths[${j}].backend.service`, "Service", svc.name);
        }),
      );
    }
    if (t.group === "traefik.io" && t.kind === "Middleware") {
      const push = make("Traefik reads a middleware's Secrets in the middleware's namespace", "Traefik would drop the middleware and every route using it");
      for (const mw of ["basicAuth", "digestAuth"]) if ("secret" in obj(spec[mw])) push(`spec.${mw}.secret`, "Secret", obj(spec[mw]).secret);
    }
    if (t.group === "cert-manager.io" && t.kind === "Certificate") {
      const ref = obj(spec.issuerRef);
      const group = known(ref.group) ?? "cert-manager.io";
      if (group === "cert-manager.io") {
        const kind = (known(ref.kind) ?? "Issuer") as RefKind;
        if (kind === "Issuer" || kind === "ClusterIssuer") {
          make(kind === "Issuer" ? "an Issuer is read in the Certificate's namespace" : "a ClusterIssuer is cluster-wide", "cert-manager would never issue the certificate")(
            "spec.issuerRef",
            kind,
            ref.name,
          );
        }
      }
    }
    if (t.group === "cert-manager.io" && (t.kind === "Issuer" || t.kind === "ClusterIssuer")) {
      const caSecret = obj(spec.ca).secretName;
      if (caSecret !== undefined) {
        const where = t.kind === "Issuer" ? ns : certManager.clusterResourceNamespace;
        make(
          t.kind === "Issuer" ? "an Issuer reads its CA Secret in its own namespace" : `a ClusterIssuer reads its CA Secret in cert-manager's cluster resource namespace (${where})`,
          "the issuer would never become ready and no certificate it signs would be issued",
        )("spec.ca.secretName", "Secret", caSecret, { namespace: where, key: "tls.key" });
      }
    }
  }
  return refs;
}

function traefikReferences(r: RecordedResource, consumerLabel: string, ns: string, spec: Record<string, unknown>, traefik: TraefikSettings, refs: Reference[]): void {
  const failure = "Traefik would drop the route";
  const crossRule = traefik.allowCrossNamespace
    ? `Traefik resolves it in the namespace the reference names (cross-namespace allowed by ${traefik.source})`
    : `Traefik resolves it only in the route's namespace (${traefik.source})`;
  const add = (path: string, kind: RefKind, nameV: unknown, nsV: unknown) => {
    const n = known(nameV);
    if (!n || n.includes("@")) return; // computed, or another provider's object (name@provider)
    if (nsV !== undefined && isUnknown(nsV)) return;
    const refNs = known(nsV) ?? ns;
    const ref: Reference = { consumer: r, consumerLabel, path, kind, name: n, namespace: refNs, failure, rule: crossRule };
    if (refNs !== ns && !traefik.allowCrossNamespace) {
      ref.refused = {
        message: `${consumerLabel} ${path} refers to ${kind} "${refNs}/${n}" in another namespace, but ${traefik.source} forbids cross-namespace references: ${failure} (Traefik looks only in "${ns}").`,
        remediation: `Create the ${kind} in "${ns}" and reference it without a namespace, or (if the platform accepts it) set providers.kubernetesCRD.allowCrossNamespace in the Traefik release.`,
      };
    }
    if (kind === "TLSOption" && n === "default") {
      ref.refused = {
        message: `${consumerLabel} ${path} refers to the TLSOption "default" (namespace "${refNs}"): Traefik registers a TLSOption named "default" as the default TLS options of every router, under the name "default", so a reference resolves to "${refNs}-default", which does not exist: ${failure}.`,
        remediation: `Remove tls.options from the route: the TLSOption named "default" already applies to every router that names no TLS option.`,
      };
    }
    refs.push(ref);
  };
  arr(spec.routes).forEach((route0, i) => {
    const route = obj(route0);
    const rp = `spec.routes[${i}]`;
    arr(route.middlewares).forEach((m, j) => add(`${rp}.middlewares[${j}]`, "Middleware", obj(m).name, obj(m).namespace));
    arr(route.services).forEach((s0, j) => {
      const s = obj(s0);
      const kind = known(s.kind) === "TraefikService" ? "TraefikService" : "Service";
      add(`${rp}.services[${j}]`, kind, s.name, s.namespace);
    });
  });
  const tls = obj(spec.tls);
  if (tls.secretName !== undefined) {
    const n = known(tls.secretName);
    // The TLS secret is always read in the route's namespace.
    if (n) refs.push({ consumer: r, consumerLabel, path: "spec.tls.secretName", kind: "Secret", name: n, namespace: ns, key: "tls.crt", failure: "Traefik would serve its default certificate", rule: "Traefik reads an IngressRoute's TLS secret in the route's namespace" });
  }
  const options = obj(tls.options);
  if ("name" in options) add("spec.tls.options", "TLSOption", options.name, options.namespace);
}

/** `Kind/name` and `Kind/namespace/name` entries of the consumer's external-references annotation. */
function declaredExternal(r: RecordedResource, ns: string): Set<string> {
  const raw = known(obj(meta(r.inputs).annotations)[EXTERNAL_REFERENCES_ANNOTATION]);
  const out = new Set<string>();
  for (const entry of (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const parts = entry.split("/");
    if (parts.length === 2) out.add(`${parts[0]}/${ns}/${parts[1]}`);
    else if (parts.length === 3) out.add(entry);
  }
  return out;
}

function describe(ref: Reference): string {
  return `${ref.kind} "${ref.name}"${ref.key ? ` (key "${ref.key}")` : ""}`;
}

export function checkReferences(ctx: DeployContext): DeployFinding[] {
  const all = [...ctx.upstream, ...ctx.resources];
  const index = buildIndex(all);
  const traefik = traefikSettings(all);
  const certManager = certManagerSettings(all);
  const findings: DeployFinding[] = [];
  const seen = new Set<string>();
  for (const ref of collectReferences(ctx.resources, traefik, certManager)) {
    const where = ref.namespace === "" ? "cluster-wide" : `namespace "${ref.namespace}"`;
    const whereIn = ref.namespace === "" ? "cluster-wide" : `in namespace "${ref.namespace}"`;
    const finding = (message: string, remediation: string, dedupe = message) => {
      const k = `${ref.consumer.urn}|${dedupe}`;
      if (seen.has(k)) return;
      seen.add(k);
      findings.push({ check: "references", urn: ref.consumer.urn, message, remediation });
    };
    if (ref.refused) {
      finding(ref.refused.message, ref.refused.remediation);
      continue;
    }
    const external = declaredExternal(ref.consumer, nsOf(ref.consumer.inputs) ?? "");
    if (external.has(`${ref.kind}/${ref.namespace}/${ref.name}`)) continue;
    const hit = index.get(ref.kind, ref.namespace, ref.name);
    if (hit === "wildcard") continue;
    if (!hit) {
      const elsewhere = index.namespacesHolding(ref.kind, ref.name).filter((n) => n !== ref.namespace);
      finding(
        `${ref.consumerLabel} ${ref.path} refers to ${describe(ref)}, but no ${ref.kind} "${ref.name}" exists ${whereIn}` +
          ` (searched: this stack, its upstream stack, and what the operators and charts create by their documented naming; ${ref.rule})` +
          `${elsewhere.length ? `; one exists in ${elsewhere.map((n) => `"${n}"`).join(", ")}, which this consumer does not read` : ""}: ${ref.failure}.`,
        elsewhere.length
          ? `Make the ${ref.kind} exist in ${where}: use the producer's option to write it there (e.g. MongoDBCommunity connectionStringSecretNamespace), or write the value into ${where} from the one source; never widen what the consumer reads.`
          : `Create the ${ref.kind} "${ref.name}" ${whereIn} in this stack, fix the name, or, if something outside Pulumi creates it, declare it on the consumer with the annotation ${EXTERNAL_REFERENCES_ANNOTATION}: "${ref.kind}/${ref.name}".`,
        // One finding per missing object and place, whatever keys are read from it.
        `missing|${ref.path}|${ref.kind}|${ref.namespace}|${ref.name}`,
      );
      continue;
    }
    if (ref.key && hit.keys && (ref.kind === "Secret" || ref.kind === "ConfigMap") && !hit.keys.has(ref.key)) {
      finding(
        `${ref.consumerLabel} ${ref.path} reads key "${ref.key}" of ${ref.kind} ${ref.namespace}/${ref.name}, which ${hit.source} creates with keys ${[...hit.keys].map((k) => `"${k}"`).join(", ") || "(none)"}: ${ref.failure}.`,
        `Read one of the keys the ${ref.kind} has, or add "${ref.key}" to it.`,
      );
    }
  }
  return findings;
}

export const referencesCheck: DeployCheck = {
  name: "references",
  description:
    "every Secret, ConfigMap, Service, Middleware, TLS option and issuer that a pod, IngressRoute or Ingress, Certificate or issuer, monitor or operator resource names exists in the namespace the consumer reads (created by this stack, its upstream stack, an operator or chart by its documented naming, or declared external)",
  run: checkReferences,
};

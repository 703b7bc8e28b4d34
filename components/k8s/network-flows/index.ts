/**
 * NetworkFlows: the allow-list NetworkPolicies an environment needs on top of its namespaces'
 * default-deny policies. Each flow (source pods → destination pods or CIDRs, on ports) becomes an
 * Ingress policy on the destination side and an Egress policy on the source side, each written
 * only in namespaces this component manages (a namespace owned by someone else — Traefik's,
 * Prometheus', kube-system — keeps its own policies).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs, type Labels } from "../../common/conventions";
import { standardLabels } from "../common/pod-security";

export const NETWORK_FLOWS_TYPE = "platform:k8s:NetworkFlows";

/** A Kubernetes label selector. */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

/** Pods of one namespace. */
export interface PodEndpoint {
  namespace: string;
  /** @default {} (every pod of the namespace) */
  podSelector?: LabelSelector;
  /**
   * Whether this component writes the policy on this side (false for namespaces owned elsewhere).
   * @default true
   */
  managed?: boolean;
}

/** Addresses outside the cluster's pods (Google APIs, the metadata server, the API server). */
export interface CidrEndpoint {
  cidrs: string[];
  /** @default [] */
  except?: string[];
}

export interface FlowPort {
  port: number;
  /** @default "TCP" */
  protocol?: "TCP" | "UDP";
}

export interface Flow {
  /** Short DNS-label name, unique within the component (e.g. `app-to-mongodb`). */
  name: string;
  from: PodEndpoint;
  to: PodEndpoint | CidrEndpoint;
  ports: FlowPort[];
}

export interface NetworkFlowsArgs extends CommonArgs {
  flows: Flow[];
  /** Prefix of the NetworkPolicy names. @default the component name */
  resourceName?: string;
}

export interface ResolvedNetworkFlowsArgs {
  resourceName: string;
  flows: (Flow & { ports: Required<FlowPort>[] })[];
  labels: Labels;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isCidrEndpoint(e: PodEndpoint | CidrEndpoint): e is CidrEndpoint {
  return (e as CidrEndpoint).cidrs !== undefined;
}

/** Applies defaults and rejects flows that would open more than they say. */
export function resolveNetworkFlowsArgs(name: string, args: NetworkFlowsArgs): ResolvedNetworkFlowsArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(NETWORK_FLOWS_TYPE, name, detail);
  };
  const resourceName = args.resourceName ?? name;
  const seen = new Set<string>();
  const flows = args.flows.map((f) => {
    if (!DNS_LABEL.test(f.name) || `${resourceName}-${f.name}-ingress`.length > 63) fail(`flow name "${f.name}" must be a short DNS label`);
    if (seen.has(f.name)) fail(`flow "${f.name}" is declared twice`);
    seen.add(f.name);
    // An empty port list means "all ports" to Kubernetes: never what an allow-list means.
    if (f.ports.length === 0) fail(`flow "${f.name}" has no ports: a NetworkPolicy rule without ports allows every port`);
    for (const p of f.ports) if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) fail(`flow "${f.name}" has an invalid port ${p.port}`);
    if (isCidrEndpoint(f.to)) {
      if (f.to.cidrs.length === 0) fail(`flow "${f.name}" has an empty cidrs list`);
    } else if (f.to.managed === false && f.from.managed === false) {
      fail(`flow "${f.name}" manages neither side: it would create nothing`);
    }
    return { ...f, ports: f.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })) };
  });
  return { resourceName, flows, labels: args.labels ?? {} };
}

const nsSelector = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });

export class NetworkFlows extends pulumi.ComponentResource {
  /** Names of the NetworkPolicies created, `<namespace>/<name>`. */
  public readonly policyNames: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkFlowsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NETWORK_FLOWS_TYPE, name, {}, opts);
    const r = resolveNetworkFlowsArgs(name, args);
    const labels = standardLabels(r.resourceName, r.resourceName, "network-policy", r.labels);
    const names: string[] = [];
    for (const f of r.flows) {
      const ports = f.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
      if (!isCidrEndpoint(f.to) && f.to.managed !== false) {
        const policyName = `${r.resourceName}-${f.name}-ingress`;
        new k8s.networking.v1.NetworkPolicy(
          `${name}-${f.name}-ingress`,
          {
            metadata: { name: policyName, namespace: f.to.namespace, labels },
            spec: {
              podSelector: f.to.podSelector ?? {},
              policyTypes: ["Ingress"],
              ingress: [{ from: [{ namespaceSelector: nsSelector(f.from.namespace), podSelector: f.from.podSelector ?? {} }], ports }],
            },
          },
          { parent: this },
        );
        names.push(`${f.to.namespace}/${policyName}`);
      }
      if (f.from.managed !== false) {
        const policyName = `${r.resourceName}-${f.name}-egress`;
        const to = f.to;
        const peers = isCidrEndpoint(to)
          ? to.cidrs.map((cidr) => ({ ipBlock: to.except?.length ? { cidr, except: to.except } : { cidr } }))
          : [{ namespaceSelector: nsSelector(to.namespace), podSelector: to.podSelector ?? {} }];
        new k8s.networking.v1.NetworkPolicy(
          `${name}-${f.name}-egress`,
          {
            metadata: { name: policyName, namespace: f.from.namespace, labels },
            spec: { podSelector: f.from.podSelector ?? {}, policyTypes: ["Egress"], egress: [{ to: peers, ports }] },
          },
          { parent: this },
        );
        names.push(`${f.from.namespace}/${policyName}`);
      }
    }
    this.policyNames = pulumi.output(names);
    this.registerOutputs({ policyNames: this.policyNames });
  }
}

/** Private address ranges, excluded from "the Internet" so that a CIDR rule never reaches pods. */
export const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/**
 * Sentry SaaS event ingestion, IPv4 (docs.sentry.io/security-legal-pii/security/ip-ranges, "Event
 * Ingestion", organization subdomains incl. the EU `o<n>.ingest.de.sentry.io`, as updated by
 * getsentry/sentry-docs#15529, Nov 2025). The addresses may change: Sentry publishes them at
 * docs.sentry.io/api/ip-ranges.
 */
export const SENTRY_INGEST_CIDRS = ["34.120.195.249/32", "34.120.62.213/32", "34.160.81.0/32", "34.102.210.18/32"];

/**
 * The GKE metadata server, which hands out Workload Identity tokens: it answers on
 * 169.254.169.254:80, served by gke-metadata-server on 169.254.169.252:988, so a pod that uses
 * Workload Identity needs egress to both.
 */
export const GKE_METADATA_SERVER: { to: CidrEndpoint; ports: FlowPort[] } = {
  to: { cidrs: ["169.254.169.254/32", "169.254.169.252/32"] },
  ports: [{ port: 80 }, { port: 988 }],
};

/** cert-manager's HTTP-01 solver pods (cert-manager v1.21.1). */
export const ACME_SOLVER_POD_LABELS = { "acme.cert-manager.io/http01-solver": "true" } as const;
export const ACME_SOLVER_PORT = 8089;

/** Ports of the data services, as the components expose them. */
export const DATA_PORTS = {
  mongodb: 27017,
  /** The MongoDB agent's Prometheus endpoint (MongoDBCommunity `spec.prometheus.port` default). */
  mongodbMetrics: 9216,
  redis: 6379,
  redisBus: 16379,
  kafkaTls: 9093,
  kafkaInternal: [9090, 9091],
  /** Strimzi's JMX exporter on every node and Kafka Exporter (`tcp-prometheus`). */
  kafkaMetrics: 9404,
  redisExporter: 9121,
} as const;

/** What a Redis Cluster (components/k8s/redis-cluster) needs on top of default-deny. */
export interface RedisClusterFlowsArgs {
  /** The cluster's pods (leaders and followers). */
  redis: PodEndpoint;
  /** Its clients, each named for its flow (`<name>-to-redis`). */
  clients: (PodEndpoint & { name: string })[];
  /** The redis-operator's pods (their namespace is not managed here). @default no flow */
  operator?: PodEndpoint;
  /** Prometheus' pods, scraping the exporter (their namespace is not managed here). @default no flow */
  prometheus?: PodEndpoint;
}

/**
 * Clients → every node's client port (cluster clients follow MOVED redirections to any node),
 * nodes ↔ nodes on the client and bus ports, the operator → nodes, Prometheus → the exporter.
 */
export function redisClusterFlows(a: RedisClusterFlowsArgs): Flow[] {
  const client = [{ port: DATA_PORTS.redis }];
  const flows: Flow[] = a.clients.map(({ name, ...from }) => ({ name: `${name}-to-redis`, from, to: a.redis, ports: client }));
  flows.push({ name: "redis-members", from: a.redis, to: a.redis, ports: [...client, { port: DATA_PORTS.redisBus }] });
  if (a.operator) flows.push({ name: "redis-operator-to-redis", from: { ...a.operator, managed: false }, to: a.redis, ports: client });
  if (a.prometheus) flows.push({ name: "prometheus-to-redis", from: { ...a.prometheus, managed: false }, to: a.redis, ports: [{ port: DATA_PORTS.redisExporter }] });
  return flows;
}

export interface PlatformFlowsArgs {
  /** The app's namespace and pods. */
  app: { namespace: string; podSelector: LabelSelector; port: number; metricsPort?: number };
  /** The env's infrastructure namespace. */
  infraNamespace: string;
  /** Traefik's pods (their namespace is not managed here). */
  ingressController: { namespace: string; podSelector: LabelSelector };
  /** Prometheus' pods (their namespace is not managed here). */
  prometheus: { namespace: string; podSelector: LabelSelector };
  /**
   * DNS egress for the app and infra pods; `false` when the namespaces already allow it
   * (IsolatedNamespace does).
   * @default { namespace: "kube-system", podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }
   */
  dns?: { namespace: string; podSelector: LabelSelector } | false;
  mongodb?: { podSelector: LabelSelector; backupPodSelector?: LabelSelector };
  redis?: { podSelector: LabelSelector };
  /** `clusterPodSelector` matches every pod of the Kafka resource (nodes and entity operator). */
  kafka?: { brokerPodSelector: LabelSelector; clusterPodSelector: LabelSelector };
  /** Operators reaching their operands (their namespaces are not managed here). */
  operators?: { name: string; namespace: string; podSelector: LabelSelector; target: "mongodb" | "redis" | "kafka" }[];
  /** CIDRs of the Kubernetes API server (operand pods that call it: Strimzi's entity operator, the MongoDB agent). */
  apiServerCidrs?: string[];
  /**
   * Let the ingress controller reach cert-manager's ACME HTTP-01 solver pods in the app namespace
   * (label `acme.cert-manager.io/http01-solver: "true"`, port 8089: cert-manager v1.21.1
   * pkg/issuer/acme/http/pod.go and http.go). Without it, no HTTP-01 certificate is ever issued
   * under default-deny.
   * @default true
   */
  acmeHttp01Solvers?: boolean;
  /**
   * The app's egress to Sentry (error tracking, diaspomoney.md § Monitoring Layer) on 443: the
   * documented ingestion addresses of Sentry's SaaS, never 0.0.0.0/0. Omitted: no flow.
   * @default undefined
   */
  sentry?: CidrEndpoint;
  /**
   * Where the backup job reaches Google Cloud Storage (port 443).
   * @default { cidrs: ["0.0.0.0/0"], except: RFC1918 }
   */
  googleApis?: CidrEndpoint;
}

/**
 * The flows of the app + `-infra` namespace pattern (diaspomoney.md § Architecture par
 * Environnement): Traefik → app, app → MongoDB/Redis/Kafka, Prometheus → metrics, members ↔
 * members, operators → operands, backup → MongoDB and GCS, DNS.
 */
export function platformFlows(a: PlatformFlowsArgs): Flow[] {
  const app: PodEndpoint = { namespace: a.app.namespace, podSelector: a.app.podSelector };
  const infra = (podSelector: LabelSelector): PodEndpoint => ({ namespace: a.infraNamespace, podSelector });
  const flows: Flow[] = [
    { name: "traefik-to-app", from: { ...a.ingressController, managed: false }, to: app, ports: [{ port: a.app.port }] },
    { name: "prometheus-to-app", from: { ...a.prometheus, managed: false }, to: app, ports: [{ port: a.app.metricsPort ?? a.app.port }] },
  ];
  if (a.acmeHttp01Solvers ?? true) {
    // The solver pods run in the namespace of the Certificate (the app's), for the few minutes of a challenge.
    flows.push({
      name: "traefik-to-acme-solver",
      from: { ...a.ingressController, managed: false },
      to: { namespace: a.app.namespace, podSelector: { matchLabels: { ...ACME_SOLVER_POD_LABELS } } },
      ports: [{ port: ACME_SOLVER_PORT }],
    });
  }
  if (a.sentry) flows.push({ name: "app-to-sentry", from: app, to: a.sentry, ports: [{ port: 443 }] });
  const dns = a.dns ?? { namespace: "kube-system", podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };
  if (dns) {
    const dnsPorts: FlowPort[] = [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }];
    flows.push({ name: "app-dns", from: app, to: { ...dns, managed: false }, ports: dnsPorts });
    flows.push({ name: "infra-dns", from: { namespace: a.infraNamespace }, to: { ...dns, managed: false }, ports: dnsPorts });
  }
  if (a.apiServerCidrs?.length) {
    flows.push({ name: "infra-apiserver", from: { namespace: a.infraNamespace }, to: { cidrs: a.apiServerCidrs }, ports: [{ port: 443 }] });
  }
  const operatorFlows = (target: "mongodb" | "redis" | "kafka", to: PodEndpoint, ports: FlowPort[]) => {
    for (const o of a.operators?.filter((x) => x.target === target) ?? []) {
      flows.push({ name: `${o.name}-to-${target}`, from: { namespace: o.namespace, podSelector: o.podSelector, managed: false }, to, ports });
    }
  };
  if (a.mongodb) {
    const mongo = infra(a.mongodb.podSelector);
    flows.push({ name: "app-to-mongodb", from: app, to: mongo, ports: [{ port: DATA_PORTS.mongodb }] });
    flows.push({ name: "mongodb-members", from: mongo, to: mongo, ports: [{ port: DATA_PORTS.mongodb }] });
    // diaspomoney.md § Métriques: the thresholds need MongoDB's metrics in Prometheus.
    flows.push({ name: "prometheus-to-mongodb", from: { ...a.prometheus, managed: false }, to: mongo, ports: [{ port: DATA_PORTS.mongodbMetrics }] });
    operatorFlows("mongodb", mongo, [{ port: DATA_PORTS.mongodb }]);
    if (a.mongodb.backupPodSelector) {
      const backup = infra(a.mongodb.backupPodSelector);
      flows.push({ name: "backup-to-mongodb", from: backup, to: mongo, ports: [{ port: DATA_PORTS.mongodb }] });
      flows.push({ name: "backup-to-gcs", from: backup, to: a.googleApis ?? { cidrs: ["0.0.0.0/0"], except: RFC1918 }, ports: [{ port: 443 }] });
      flows.push({ name: "backup-to-metadata", from: backup, ...GKE_METADATA_SERVER });
    }
  }
  if (a.redis) {
    flows.push(...redisClusterFlows({ redis: infra(a.redis.podSelector), clients: [{ name: "app", ...app }], prometheus: a.prometheus }));
    operatorFlows("redis", infra(a.redis.podSelector), [{ port: DATA_PORTS.redis }]);
  }
  if (a.kafka) {
    const brokers = infra(a.kafka.brokerPodSelector);
    const cluster = infra(a.kafka.clusterPodSelector);
    flows.push({ name: "app-to-kafka", from: app, to: brokers, ports: [{ port: DATA_PORTS.kafkaTls }] });
    // Strimzi also writes ingress policies for these ports; the egress side is ours.
    flows.push({ name: "kafka-members", from: cluster, to: cluster, ports: DATA_PORTS.kafkaInternal.map((port) => ({ port })) });
    // Every node and the Kafka Exporter (consumer lag) carry the cluster's labels.
    flows.push({ name: "prometheus-to-kafka", from: { ...a.prometheus, managed: false }, to: cluster, ports: [{ port: DATA_PORTS.kafkaMetrics }] });
    operatorFlows("kafka", cluster, DATA_PORTS.kafkaInternal.map((port) => ({ port })));
  }
  return flows;
}

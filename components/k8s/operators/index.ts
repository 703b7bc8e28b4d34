/**
 * The operators behind the platforms' data services, each a pinned Helm release in its own
 * restricted namespace, watching only the namespaces it is given:
 * - docs/platforms/diaspomoney.md § Infrastructure Layer (Kafka, MongoDB, Redis Cluster): Strimzi,
 *   MongoDB Controllers for Kubernetes (serving MongoDBCommunity), OT-CONTAINER-KIT's redis-operator;
 * - docs/platforms/shareyoursales.md (event bus, workers scaling on queue length, search,
 *   PostgreSQL): the RabbitMQ Cluster + Messaging Topology Operators, KEDA, ECK, CloudNativePG with
 *   its Barman Cloud backup plugin;
 * - docs/platforms/crm-courtier.md § 04 Scaling Multi-Cabinets ("2 Shards MariaDB (master-slave
 *   chacun)"): mariadb-operator.
 * A platform's foundation disables the ones it does not use (`enabled: false`); the opt-in ones
 * (OPT_IN_OPERATORS: mariadb) run only where a platform lists them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { addonNamespace, crdDependencies, DEFAULT_ADDON_ENV, helmAddon, pinnedHelmRelease, type CrdInstaller, type PinnedChart } from "../common/helm-addon";
import { restrictedContainerSecurityContext, type ResourceSpec } from "../common/pod-security";
import { apiServerEgress, type AllowRule } from "../namespace";

export const OPERATORS_TYPE = "platform:k8s:Operators";

/** Pinned charts; each matches the release whose CRDs are vendored (vendor/SOURCES.md § CRDs). */
export const OPERATOR_CHARTS = {
  // Strimzi 1.2.0 serves only kafka.strimzi.io/v1. From its OCI registry: Strimzi deprecated
  // https://strimzi.io/charts/ in 0.36.0 (CHANGELOG), and its README installs from quay.io.
  strimzi: { chart: "strimzi-kafka-operator", version: "1.2.0", repo: "oci://quay.io/strimzi-helm", crdGroups: ["kafka.strimzi.io", "core.strimzi.io"] },
  // mongodb/mongodb-kubernetes 1.10.0 (chart version = operator version); replaces the community operator chart.
  mongodb: { chart: "mongodb-kubernetes", version: "1.10.0", repo: "https://mongodb.github.io/helm-charts", crdGroups: ["mongodbcommunity.mongodb.com", "mongodb.com"] },
  // OT-CONTAINER-KIT/redis-operator v0.26.0 (chart bumped by redis-operator PR #1865).
  redis: { chart: "redis-operator", version: "0.26.0", repo: "https://ot-container-kit.github.io/helm-charts/", crdGroups: ["redis.redis.opstreelabs.in"] },
  // KEDA 2.20.2 (chart version = KEDA version). The chart renders its CRDs from templates/crds/
  // (`crds.install`, default true): ScaledObject & co. in keda.sh, CloudEventSource in eventing.keda.sh.
  keda: { chart: "keda", version: "2.20.2", repo: "https://kedacore.github.io/charts", crdGroups: ["keda.sh", "eventing.keda.sh"] },
  // ECK 3.5.0; its CRDs come with the eck-operator-crds subchart (condition `installCRDs`, default
  // true). Only the groups this repository creates resources of are claimed.
  eck: { chart: "eck-operator", version: "3.5.0", repo: "https://helm.elastic.co", crdGroups: ["elasticsearch.k8s.elastic.co", "kibana.k8s.elastic.co"] },
  // No official chart exists for the RabbitMQ Cluster Operator (upstream installs a release
  // manifest): CloudPirates' community chart is a deliberate choice, the only maintained chart that
  // deploys both the Cluster Operator and the Messaging Topology Operator with scoped watches and
  // cert-manager webhook certificates. Its images are overridden to the upstream releases whose CRDs
  // are vendored (operatorValues). From ghcr.io rather than Docker Hub: no anonymous pull rate limit.
  rabbitmq: { chart: "rabbitmq-cluster-operator", version: "0.6.5", repo: "oci://ghcr.io/cloudpirates-io/helm-charts", crdGroups: ["rabbitmq.com"] },
  // CloudNativePG 1.30.0 is chart 0.29.0; its CRDs are in templates/crds/ (`crds.create`, default true).
  cnpg: { chart: "cloudnative-pg", version: "0.29.0", repo: "https://cloudnative-pg.github.io/charts", crdGroups: ["postgresql.cnpg.io"] },
  // mariadb-operator 26.6.0 (chart version = operator version), from the OCI registry its docs
  // install from. The chart installs no CRD (`crds.enabled` false): MARIADB_CRDS_CHART does, in a
  // release of its own, so that removing the operator never deletes the CRDs and every MariaDB with them.
  mariadb: { chart: "mariadb-operator", version: "26.6.0", repo: "oci://ghcr.io/mariadb-operator/charts", crdGroups: [] },
} as const satisfies Record<string, PinnedChart>;
export type OperatorName = keyof typeof OPERATOR_CHARTS;

/** Operators installed only where a platform lists them (`mariadb: {}`), so that the other platforms' plans stay as they are. */
export const OPT_IN_OPERATORS: readonly OperatorName[] = ["mariadb"];

/**
 * mariadb-operator-crds 26.6.0 (same commit as the operator chart, v26.6.0): the k8s.mariadb.com
 * CRDs vendored in vendor/crds/mariadb-operator. Installed before the operator, in its namespace.
 */
export const MARIADB_CRDS_CHART = { chart: "mariadb-operator-crds", version: "26.6.0", repo: "oci://ghcr.io/mariadb-operator/charts", crdGroups: ["k8s.mariadb.com"] } as const satisfies PinnedChart;

/**
 * The Barman Cloud CNPG-I plugin, part of the `cnpg` operator (same namespace: CloudNativePG looks
 * for plugin Services in its own). Chart 0.7.0 (cloudnative-pg/charts tag plugin-barman-cloud-v0.7.0,
 * the newest) deploys plugin v0.13.0, whose ObjectStore CRD (templates/crds/, `crds.create`, default
 * true) is the one vendored in vendor/crds/cloudnative-pg-barman-cloud. Backups go through it because
 * CloudNativePG removes the in-tree `barmanObjectStore` in 1.31.0.
 */
export const BARMAN_CLOUD_PLUGIN_CHART = { chart: "plugin-barman-cloud", version: "0.7.0", repo: "https://cloudnative-pg.github.io/charts", crdGroups: ["barmancloud.cnpg.io"] } as const satisfies PinnedChart;

/**
 * The gRPC port the CloudNativePG operator calls the plugin on, over mutual TLS: the chart's
 * container and Service port (templates/deployment.yaml hard-codes `--server-address=:9090`).
 */
export const BARMAN_CLOUD_PLUGIN_PORT = 9090;

/** Pod labels of the two ends (each chart's selectorLabels: `app.kubernetes.io/name` is the chart name). */
const CNPG_OPERATOR_POD = { "app.kubernetes.io/name": "cloudnative-pg" };
const BARMAN_CLOUD_PLUGIN_POD = { "app.kubernetes.io/name": "plugin-barman-cloud" };

/**
 * The Topology Operator's Deployment (chart 0.6.5 `rmqco.msgTopologyOperator.fullname`: release name +
 * "-rabbitmq-messaging-topology-operator"): what to restart after a trusted CA Secret appears or changes.
 */
export const RABBITMQ_TOPOLOGY_OPERATOR_DEPLOYMENT = `${OPERATOR_CHARTS.rabbitmq.chart}-rabbitmq-messaging-topology-operator`;

/** Where each trusted CA Secret is mounted in the Topology Operator (one directory each: Go reads every file in an SSL_CERT_DIR entry). */
export const TRUSTED_CA_MOUNT_ROOT = "/etc/ssl/trusted";
/** The image's own CA directory, kept first in SSL_CERT_DIR so that public roots stay trusted. */
const SYSTEM_CERT_DIR = "/etc/ssl/certs";

// Moved to the add-on helper, which every pinned release goes through; re-exported for importers.
export { helmChartSource } from "../common/helm-addon";

/** Ports each operator opens towards the workloads it manages (for the infra namespaces' ingress rules). */
export const OPERATOR_WORKLOAD_PORTS: Record<OperatorName, number[]> = {
  // Strimzi's cluster operator talks to brokers and KRaft controllers on their control-plane listeners.
  strimzi: [9090, 9091],
  mongodb: [27017],
  redis: [6379],
  // KEDA's RabbitMQ scaler reads queue lengths over AMQP (5671 TLS / 5672) or the management API
  // (15671 TLS / 15672), its Redis Cluster scaler list lengths on 6379 (and the cluster bus
  // announcement's client port), whichever the ScaledObject's trigger names; these go to the scaler
  // sources, not to the namespaces KEDA watches.
  keda: [5671, 5672, 15671, 15672, 6379],
  // The ECK operator drives Elasticsearch through its HTTP API.
  eck: [9200],
  // The Messaging Topology Operator creates users, vhosts, queues and policies through the
  // management API (15671 when the RabbitmqCluster has TLS, 15672 otherwise); the Cluster Operator
  // itself only goes through the Kubernetes API (exec, Secrets).
  rabbitmq: [15671, 15672],
  // CloudNativePG docs/src/networking.md (v1.30.0): "the operator can reach every cluster pod on
  // ports 8000 and 5432" (8000 is the instance manager's status endpoint).
  cnpg: [8000, 5432],
  // The operator runs the Database/User/Grant SQL and sets up replication on 3306, and calls each
  // pod's agent sidecar API on 5555 (26.6.0 default, api/v1alpha1/base_types.go).
  mariadb: [3306, 5555],
};

/**
 * The port GKE's private-cluster firewall already opens from the control plane to the nodes
 * (with 443; the `gke-<cluster>-<id>-master` rule). Servers the API server calls listen on it where
 * the chart lets them, as cert-manager's and the Prometheus operator's webhooks do here; any other
 * port needs a VPC firewall rule from the control plane's CIDR (`Operators.apiServerIngressPorts`).
 */
export const GKE_CONTROL_PLANE_TO_NODE_PORT = 10250;

/**
 * Ports the Kubernetes API server calls in each operator's namespace: admission webhooks, and KEDA's
 * external metrics API server (the HPA reads ScaledObject metrics through it). On GKE the control
 * plane connects to the pod's container port directly, from `apiServerCidrs`.
 */
export const OPERATOR_API_SERVER_INGRESS_PORTS: Record<OperatorName, number[]> = {
  strimzi: [],
  // The MongoDB operator registers a validating webhook served on 1993.
  mongodb: [1993],
  redis: [],
  // keda chart 2.20.2: the metrics API server (`service.portHttpsTarget`, default 6443) and the
  // admission webhooks (`webhooks.port`, default 9443), both moved to 10250.
  keda: [GKE_CONTROL_PLANE_TO_NODE_PORT],
  // eck-operator 3.5.0 `webhook.port` (default 9443), moved.
  eck: [GKE_CONTROL_PLANE_TO_NODE_PORT],
  // Both the Cluster Operator's and the Topology Operator's webhooks listen on 9443, which the chart
  // hard-codes (containerPort and Service targetPort): the one port here that needs a firewall rule.
  rabbitmq: [9443],
  // cloudnative-pg 0.29.0 `webhook.port` (default 9443), moved.
  cnpg: [GKE_CONTROL_PLANE_TO_NODE_PORT],
  // mariadb-operator 26.6.0 `webhook.port` (default 9443), moved. Its cert-controller issues and
  // rotates the webhook certificate itself: no cert-manager needed.
  mariadb: [GKE_CONTROL_PLANE_TO_NODE_PORT],
};

/** Ports Prometheus scrapes in each operator's namespace (only opened when `monitoringNamespace` is set). */
export const OPERATOR_METRICS_PORTS: Record<OperatorName, number[]> = {
  strimzi: [8080],
  mongodb: [8080],
  redis: [8080],
  keda: [8080],
  eck: [8080],
  // Cluster Operator `containerPorts.metrics` 9782; Topology Operator plain-HTTP metrics 8080.
  rabbitmq: [9782, 8080],
  cnpg: [8080],
  // Operator, webhook and cert-controller: `--metrics-addr=:8080` each.
  mariadb: [8080],
};

/**
 * Requests and limits of every pod an operator's release starts, with its replica count: what the
 * operator namespace's quota (`OPERATOR_NAMESPACE_QUOTA`) must hold, and what the node pool must fit.
 */
export const OPERATOR_POD_RESOURCES: Record<OperatorName, Record<string, { replicas: number } & ResourceSpec>> = {
  strimzi: { operator: { replicas: 1, requests: { cpu: "200m", memory: "384Mi" }, limits: { cpu: "1", memory: "384Mi" } } },
  mongodb: { operator: { replicas: 1, requests: { cpu: "200m", memory: "200Mi" }, limits: { cpu: "1100m", memory: "1Gi" } } },
  redis: { operator: { replicas: 1, requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "500Mi" } } },
  // keda chart 2.20.2 defaults are 100m/100Mi with limits of 1 CPU/1000Mi per pod. The operator keeps
  // them (it caches every ScaledObject and its scalers' clients); the metrics API server and the
  // webhooks get 500m/512Mi, so that the three Deployments' limits with one surge pod each during an
  // upgrade (2 × 2 CPU) still fit the quota's 4 CPU of limits.
  keda: {
    operator: { replicas: 1, requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1000Mi" } },
    metricsApiServer: { replicas: 1, requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    webhooks: { replicas: 1, requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  },
  // eck-operator chart 3.5.0 defaults.
  eck: { operator: { replicas: 1, requests: { cpu: "100m", memory: "150Mi" }, limits: { cpu: "1", memory: "1Gi" } } },
  // The upstream release manifests: cluster-operator v2.22.3 config/manager/manager.yaml (200m/500Mi,
  // limits equal) and messaging-topology-operator v1.20.1 config/manager/manager.yaml (300m/128Mi,
  // limits 500m/512Mi). The community chart sets none.
  rabbitmq: {
    clusterOperator: { replicas: 1, requests: { cpu: "200m", memory: "500Mi" }, limits: { cpu: "200m", memory: "500Mi" } },
    topologyOperator: { replicas: 1, requests: { cpu: "300m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  },
  // The cloudnative-pg chart sets none (`resources: {}`); a handful of Clusters keep the operator far
  // below 256Mi, and 1Gi leaves room for a reconcile storm after a node loss.
  // The Barman Cloud plugin: the chart sets none, and upstream's config/manager (10m/64Mi, limits
  // 500m/128Mi) is kubebuilder's scaffold. It caches the Secrets and ObjectStores it lists cluster-wide
  // (its ClusterRole) and only relays gRPC calls (the backups themselves run in the instance pods'
  // sidecars), so 100m/128Mi with room to 500m/512Mi. Its Deployment is `Recreate` (chart 0.7.0): no surge.
  cnpg: {
    operator: { replicas: 1, requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    barmanCloudPlugin: { replicas: 1, requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  },
  // The mariadb-operator chart sets none (its comments suggest 10m/32Mi). Ours: the controller
  // caches the MariaDBs and their SQL resources, backups and Jobs of the watched namespaces, like
  // CloudNativePG's; the webhook and cert-controller serve a handful of requests an hour.
  mariadb: {
    operator: { replicas: 1, requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    webhook: { replicas: 1, requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    certController: { replicas: 1, requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  },
};

/** Quota of each operator namespace: room for OPERATOR_POD_RESOURCES plus one surge pod during a rolling update. */
export const OPERATOR_NAMESPACE_QUOTA = { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", persistentVolumeClaims: "0", requestsStorage: "0" } as const;

/** The container image tags each release runs, pinned to the upstream release of the vendored CRDs. */
export const OPERATOR_IMAGES = {
  keda: "2.20.2",
  eck: "3.5.0",
  // ghcr.io/rabbitmq/cluster-operator:2.22.3 (the semver tag its release workflow pushes): the chart's
  // default, 2.22.4, has no upstream tag, and its CRDs are those of v2.22.3.
  rabbitmqClusterOperator: "2.22.3",
  // The chart's default, kept explicit: the v1.20.1 release, digest-pinned.
  rabbitmqTopologyOperator: "1.20.1@sha256:7b72a3f78b96270a2b20bdebfd76b626f5cb8f68ff8745c162cdd1dcb2bea0c5",
  // What cluster-operator v2.22.3 defaults to (cmd/main.go) when a RabbitmqCluster names no image;
  // the chart would otherwise default to RabbitMQ 4.3, which that operator release was not built against.
  rabbitmqDefaultServer: "4.2.6-management",
  rabbitmqCredentialUpdater: "1.0.14",
  cnpg: "1.30.0",
  // ghcr.io/cloudnative-pg/plugin-barman-cloud and plugin-barman-cloud-sidecar: chart 0.7.0's appVersion.
  // The sidecar is what the plugin injects into every PostgreSQL pod (WAL archiving, base backups).
  barmanCloudPlugin: "v0.13.0",
  // ghcr.io/mariadb-operator/mariadb-operator: the chart's appVersion, also what every MariaDB pod's
  // agent sidecar and init container run (components/k8s/mariadb MARIADB_OPERATOR_IMAGE).
  mariadb: "26.6.0",
} as const;

export interface OperatorArgs {
  /** @default true */
  enabled?: boolean;
  /** @default "strimzi" | "mongodb-operator" | "redis-operator" | "keda" | "elastic-system" | "rabbitmq-system" | "cnpg-system" | "mariadb-operator" */
  namespace?: string;
  /**
   * Namespaces this operator watches, in place of the component's `watchNamespaces` (KEDA watches
   * the app namespaces, where ScaledObjects sit beside their workers). Its release waits for
   * `watchNamespaceResources` all the same, so list what creates these there too.
   * @default the component's `watchNamespaces`
   */
  watchNamespaces?: string[];
}

export interface KedaOperatorArgs extends OperatorArgs {
  /**
   * Namespaces of the event sources KEDA's scalers poll (RabbitMQ's management API and AMQP ports,
   * `OPERATOR_WORKLOAD_PORTS.keda`): the operator's egress goes there, not to the watched app namespaces.
   * @default the component's `watchNamespaces` (the infra namespaces)
   */
  scalerSourceNamespaces?: string[];
}

export interface RabbitmqOperatorArgs extends OperatorArgs {
  /**
   * Secrets in the operator's namespace holding a CA certificate under `ca.crt` (each env's
   * `<platform>-<env>-data-trust`, components/common/private-ca.ts `trustSecretName`), which the
   * Messaging Topology Operator trusts when it calls a broker's management API over TLS
   * (`https://<name>.<ns>.svc:15671`). It verifies with Go's system pool only, so each is mounted
   * (optional: the pod starts before the Secret exists) and listed in SSL_CERT_DIR. The pool is
   * read when the process starts: a new env's CA needs a restart of the operator.
   * @default [] (only the image's public roots: a broker with a private CA is refused)
   */
  trustedCaSecrets?: string[];
}

export interface CnpgOperatorArgs extends OperatorArgs {
  /**
   * The Barman Cloud CNPG-I plugin (`barman-cloud.cloudnative-pg.io`, ObjectStore CRs), installed
   * in the operator's namespace, where CloudNativePG discovers plugins. Its chart issues its mTLS
   * certificates from cert-manager, so `certManager` is then required.
   * @default true
   */
  barmanCloudPlugin?: boolean;
}

export interface OperatorsArgs extends CommonArgs {
  /** Platform label (`diaspomoney`). */
  platform: string;
  /**
   * `env` label of the add-on's namespaces: the stack's foundation env, which the stack passes
   * (the component knows no env names).
   * @default DEFAULT_ADDON_ENV ("shared")
   */
  env?: string;
  /** CIDRs of the Kubernetes API server (GKE: `GkeCluster.masterIpv4CidrBlock`). */
  apiServerCidrs: string[];
  /** App infra namespaces the operators watch (`diaspomoney-dev-infra`, ...); they must exist first. */
  watchNamespaces: string[];
  strimzi?: OperatorArgs;
  mongodb?: OperatorArgs;
  redis?: OperatorArgs;
  /** KEDA 2.20.2 (ScaledObject, TriggerAuthentication). @default enabled, namespace "keda", watching `watchNamespaces` */
  keda?: KedaOperatorArgs;
  /** ECK 3.5.0 (Elasticsearch, Kibana). @default enabled, namespace "elastic-system" */
  eck?: OperatorArgs;
  /** RabbitMQ Cluster Operator 2.22.3 + Messaging Topology Operator 1.20.1. Needs cert-manager first (webhook certificate). @default enabled, namespace "rabbitmq-system" */
  rabbitmq?: RabbitmqOperatorArgs;
  /** CloudNativePG 1.30.0 (Cluster, Backup, ScheduledBackup, Pooler) with the Barman Cloud plugin v0.13.0 (ObjectStore). @default enabled, namespace "cnpg-system" */
  cnpg?: CnpgOperatorArgs;
  /**
   * mariadb-operator 26.6.0 (MariaDB, Backup, PhysicalBackup, PointInTimeRecovery, Database, User,
   * Grant, SqlJob), its CRDs from their own chart. Opt-in: installed only when given.
   * @default disabled; when given, enabled, namespace "mariadb-operator"
   */
  mariadb?: OperatorArgs;
  /** Namespace of Prometheus, allowed to scrape the operators. @default no scraping allowed */
  monitoringNamespace?: string;
  /**
   * What creates the `watchNamespaces` (their IsolatedNamespace components or Namespaces). Every
   * release waits for them: Strimzi's chart writes RoleBindings into each watched namespace, and the
   * others grant their operator a Role there, which fails while the namespace does not exist yet.
   * A component's `dependsOn` does not reach its children, so it is an argument.
   * @default [] (the namespaces already exist)
   */
  watchNamespaceResources?: pulumi.Resource[];
  /**
   * What installs cert-manager: `CertManager.crds` (or its release). Required when `rabbitmq` is
   * enabled, or `cnpg` with its Barman Cloud plugin: those charts create a cert-manager Issuer and
   * Certificates (both RabbitMQ operators' webhooks with `useCertManager`; the plugin's mTLS server and
   * client certificates), which a cluster without cert-manager's CRDs and running webhook refuses, so
   * their releases wait for this one. Not needed by the other operators.
   * @default none (refused while `rabbitmq` or the Barman Cloud plugin is enabled)
   */
  certManager?: CrdInstaller | pulumi.Resource;
}

/** One enabled operator, resolved. */
export interface ResolvedOperator {
  namespace: string;
  /** Namespaces its release lets it watch. */
  watchNamespaces: string[];
  /** Namespaces its pods reach on `OPERATOR_WORKLOAD_PORTS` (KEDA: the scaler sources; others: what they watch). */
  workloadNamespaces: string[];
  /** rabbitmq only: the CA Secrets the Topology Operator trusts. */
  trustedCaSecrets?: string[];
  /** cnpg only: whether the Barman Cloud plugin is installed beside it. */
  barmanCloudPlugin?: boolean;
}

export interface ResolvedOperatorsArgs {
  platform: string;
  apiServerCidrs: string[];
  watchNamespaces: string[];
  operators: Partial<Record<OperatorName, ResolvedOperator>>;
  monitoringNamespace?: string;
  labels: Record<string, string>;
  env: string;
  deletionProtection: boolean;
}

export const DEFAULT_OPERATOR_NAMESPACES: Record<OperatorName, string> = {
  strimzi: "strimzi",
  mongodb: "mongodb-operator",
  redis: "redis-operator",
  // The namespaces the upstream install guides use.
  keda: "keda",
  eck: "elastic-system",
  rabbitmq: "rabbitmq-system",
  cnpg: "cnpg-system",
  // The namespace upstream's Helm docs install into (docs/helm.md).
  mariadb: "mariadb-operator",
};

/** A Secret name: a DNS-1123 subdomain. */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function resolveOperatorsArgs(name: string, args: OperatorsArgs): ResolvedOperatorsArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(OPERATORS_TYPE, name, detail);
  };
  if (args.apiServerCidrs.length === 0) fail("apiServerCidrs is empty: the operators could not reach the Kubernetes API");
  if (args.watchNamespaces.length === 0) fail("watchNamespaces is empty: the operators would manage nothing (or, for some charts, everything)");
  const watchNamespaces = [...new Set(args.watchNamespaces)];
  const operators: ResolvedOperatorsArgs["operators"] = {};
  const owner = new Map<string, OperatorName>();
  for (const op of Object.keys(OPERATOR_CHARTS) as OperatorName[]) {
    const given = args[op];
    const a: KedaOperatorArgs & RabbitmqOperatorArgs & CnpgOperatorArgs = given ?? {};
    if (a.enabled === false) continue;
    if (OPT_IN_OPERATORS.includes(op) && given === undefined) continue;
    const namespace = a.namespace ?? DEFAULT_OPERATOR_NAMESPACES[op];
    // Strimzi's chart fails when it watches its own namespace (duplicate RoleBindings); the others would mix operator and data.
    if (args.watchNamespaces.includes(namespace)) fail(`${op}: its namespace "${namespace}" is also in watchNamespaces`);
    // Each operator's namespace is its own IsolatedNamespace (quota, policies): two in one would collide.
    const other = owner.get(namespace);
    if (other) fail(`${op}: namespace "${namespace}" is already ${other}'s; expected a namespace of its own`);
    owner.set(namespace, op);
    if (a.watchNamespaces !== undefined && a.watchNamespaces.length === 0) fail(`${op}.watchNamespaces is empty: expected the namespaces it manages (omit it to watch watchNamespaces)`);
    const watch = a.watchNamespaces ? [...new Set(a.watchNamespaces)] : watchNamespaces;
    if (watch.includes(namespace)) fail(`${op}: its namespace "${namespace}" is also in ${op}.watchNamespaces`);
    if (a.scalerSourceNamespaces !== undefined && op !== "keda") fail(`${op}.scalerSourceNamespaces is set: only keda polls scaler sources`);
    if (a.scalerSourceNamespaces !== undefined && a.scalerSourceNamespaces.length === 0) fail("keda.scalerSourceNamespaces is empty: expected the namespaces of the queues KEDA reads (omit it for watchNamespaces)");
    const workloadNamespaces = op === "keda" ? [...new Set(a.scalerSourceNamespaces ?? watchNamespaces)] : watch;
    operators[op] = { namespace, watchNamespaces: watch, workloadNamespaces };
    if (a.trustedCaSecrets !== undefined && op !== "rabbitmq") fail(`${op}.trustedCaSecrets is set: only rabbitmq (its Topology Operator) takes trusted CA Secrets`);
    if (a.barmanCloudPlugin !== undefined && op !== "cnpg") fail(`${op}.barmanCloudPlugin is set: the Barman Cloud plugin belongs to cnpg`);
    if (op === "rabbitmq") {
      const secrets = a.trustedCaSecrets ?? [];
      const bad = secrets.find((n) => !DNS_SUBDOMAIN.test(n));
      if (bad !== undefined) fail(`rabbitmq.trustedCaSecrets has "${bad}": expected a Secret name (a DNS subdomain of at most 253 characters)`);
      const dup = secrets.find((n, i) => secrets.indexOf(n) !== i);
      if (dup !== undefined) fail(`rabbitmq.trustedCaSecrets lists "${dup}" twice: expected each Secret once`);
      operators[op].trustedCaSecrets = secrets;
    }
    if (op === "cnpg") operators[op].barmanCloudPlugin = a.barmanCloudPlugin ?? true;
  }
  if (Object.keys(operators).length === 0) fail("every operator is disabled");
  if (operators.rabbitmq && !args.certManager) {
    fail("rabbitmq is enabled without certManager: expected cert-manager's installer (CertManager.crds), which its webhook Certificates need first; got none");
  }
  if (operators.cnpg?.barmanCloudPlugin && !args.certManager) {
    fail("cnpg is enabled with the Barman Cloud plugin without certManager: expected cert-manager's installer (CertManager.crds), which the plugin's Issuer and mTLS Certificates need first; got none (or cnpg.barmanCloudPlugin: false)");
  }
  return {
    platform: args.platform,
    apiServerCidrs: args.apiServerCidrs,
    watchNamespaces,
    operators,
    monitoringNamespace: args.monitoringNamespace,
    labels: args.labels ?? {},
    env: args.env ?? DEFAULT_ADDON_ENV,
    deletionProtection: args.deletionProtection ?? true,
  };
}

/** What Pod Security "restricted" requires of every container, stated explicitly in each chart's values. */
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
/** The pod-level half, for images that run as a numeric non-root user of their own. */
const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

/** A pod's requests and limits, in the `resources` shape every chart takes. */
function resourcesOf(op: OperatorName, pod: string): ResourceSpec {
  const { requests, limits } = OPERATOR_POD_RESOURCES[op][pod];
  return { requests, limits };
}

/** The namespaces `op` watches: its own list when enabled, else the component's (for callers that render a disabled one). */
function watchedBy(op: OperatorName, r: ResolvedOperatorsArgs): string[] {
  return r.operators[op]?.watchNamespaces ?? r.watchNamespaces;
}

export function operatorValues(op: OperatorName, r: ResolvedOperatorsArgs): Record<string, unknown> {
  const watch = watchedBy(op, r);
  const monitored = r.monitoringNamespace !== undefined;
  switch (op) {
    case "strimzi":
      return {
        watchNamespaces: watch,
        watchAnyNamespace: false,
        replicas: 1,
        // Kafka, ZooKeeper-less controllers and Entity Operator pods get restricted-compliant
        // security contexts, as the infra namespaces enforce "restricted".
        extraEnvs: [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }],
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: RESTRICTED_CONTAINER,
        resources: resourcesOf(op, "operator"),
      };
    case "mongodb":
      return {
        operator: {
          watchNamespace: watch.join(","),
          // Only the Community resource: no Ops Manager / Enterprise reconcilers, no cluster-wide role watch.
          watchedResources: ["mongodbcommunity"],
          enableClusterMongoDBRoles: false,
          replicas: 1,
          podSecurityContext: { runAsNonRoot: true, runAsUser: 2000, seccompProfile: { type: "RuntimeDefault" } },
          securityContext: RESTRICTED_CONTAINER,
          resources: resourcesOf(op, "operator"),
        },
      };
    case "redis":
      return {
        redisOperator: { watchNamespace: watch.join(","), imageTag: "v0.26.0", imagePullPolicy: "IfNotPresent", webhook: false },
        replicas: 1,
        podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
        resources: resourcesOf(op, "operator"),
        certmanager: { enabled: false },
      };
    case "keda": {
      const container = restrictedContainerSecurityContext();
      return {
        // A comma-separated list: the chart binds the operator's ClusterRole with a RoleBinding in
        // each of these namespaces (and its own) instead of cluster-wide, and the operator, metrics
        // API server and webhooks get it as WATCH_NAMESPACE.
        watchNamespace: watch.join(","),
        crds: { install: true },
        image: {
          keda: { tag: OPERATOR_IMAGES.keda },
          metricsApiServer: { tag: OPERATOR_IMAGES.keda },
          webhooks: { tag: OPERATOR_IMAGES.keda },
          // The chart's default is Always; the tags are pinned, so a restart need not hit the registry.
          pullPolicy: "IfNotPresent",
        },
        operator: { replicaCount: OPERATOR_POD_RESOURCES.keda.operator.replicas },
        metricsServer: { replicaCount: OPERATOR_POD_RESOURCES.keda.metricsApiServer.replicas },
        webhooks: { enabled: true, replicaCount: OPERATOR_POD_RESOURCES.keda.webhooks.replicas, port: GKE_CONTROL_PLANE_TO_NODE_PORT },
        service: { portHttpsTarget: GKE_CONTROL_PLANE_TO_NODE_PORT },
        podSecurityContext: { operator: RESTRICTED_POD, metricServer: RESTRICTED_POD, webhooks: RESTRICTED_POD },
        securityContext: { operator: container, metricServer: container, webhooks: container },
        resources: { operator: resourcesOf(op, "operator"), metricServer: resourcesOf(op, "metricsApiServer"), webhooks: resourcesOf(op, "webhooks") },
        // The namespace's own default-deny policies and allow rules govern its traffic; the chart's
        // would add a second, partial set.
        networkPolicy: { enabled: false },
        prometheus: { operator: { enabled: monitored } },
      };
    }
    case "eck":
      return {
        // Only these namespaces' Elasticsearch and Kibana resources are reconciled (the operator's
        // `namespaces` flag); RBAC stays cluster-scoped, which the webhook and StorageClass checks need.
        managedNamespaces: watch,
        installCRDs: true,
        createClusterScopedResources: true,
        // The operator issues and rotates its own webhook certificate (no cert-manager needed).
        webhook: { enabled: true, manageCerts: true, port: GKE_CONTROL_PLANE_TO_NODE_PORT },
        image: { tag: OPERATOR_IMAGES.eck },
        replicaCount: OPERATOR_POD_RESOURCES.eck.operator.replicas,
        podSecurityContext: RESTRICTED_POD,
        securityContext: restrictedContainerSecurityContext(),
        resources: resourcesOf(op, "operator"),
        // Usage reports are written into the managed Kibanas, whose own telemetry would ship them to Elastic.
        telemetry: { disabled: true },
        // Plain-HTTP metrics, reachable only from the monitoring namespace (allow rule below); 0 turns them off.
        config: { metrics: { port: monitored ? OPERATOR_METRICS_PORTS.eck[0] : 0 } },
      };
    case "rabbitmq": {
      const scope = { watchAllNamespaces: false, watchNamespaces: watch };
      const trust = trustedCaValues(r.operators.rabbitmq?.trustedCaSecrets ?? []);
      // The chart renders these through its own helper, which drops `enabled`; 1001 is its image user.
      const container = { enabled: true, ...restrictedContainerSecurityContext(), runAsUser: 1001, runAsGroup: 1001 };
      const pod = { enabled: true, fsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } };
      return {
        // Issuer + Certificates for both webhooks from cert-manager, which also rotates them (the
        // chart's alternative is a 365-day self-signed certificate that nothing renews).
        useCertManager: true,
        clusterOperator: {
          ...scope,
          image: { registry: "ghcr.io", repository: "rabbitmq/cluster-operator", tag: OPERATOR_IMAGES.rabbitmqClusterOperator },
          // Upstream's release manifest has had the RabbitmqCluster webhook on since v2.22.0.
          webhook: { enabled: true },
          replicaCount: OPERATOR_POD_RESOURCES.rabbitmq.clusterOperator.replicas,
          podSecurityContext: pod,
          containerSecurityContext: container,
          resources: resourcesOf(op, "clusterOperator"),
          networkPolicy: { enabled: false },
        },
        msgTopologyOperator: {
          enabled: true,
          ...scope,
          image: { registry: "ghcr.io", repository: "rabbitmq/messaging-topology-operator", tag: OPERATOR_IMAGES.rabbitmqTopologyOperator },
          replicaCount: OPERATOR_POD_RESOURCES.rabbitmq.topologyOperator.replicas,
          podSecurityContext: pod,
          containerSecurityContext: container,
          resources: resourcesOf(op, "topologyOperator"),
          // The chart's networkPolicy would allow all egress; the namespace's own policies apply instead.
          networkPolicy: { enabled: false },
          // Plain HTTP on 8080 like the other operators: only the monitoring namespace reaches it.
          metrics: { secure: false },
          ...trust,
        },
        rabbitmqImage: { registry: "docker.io", repository: "library/rabbitmq", tag: OPERATOR_IMAGES.rabbitmqDefaultServer },
        credentialUpdaterImage: { registry: "ghcr.io", repository: "rabbitmq/default-user-credential-updater", tag: OPERATOR_IMAGES.rabbitmqCredentialUpdater },
      };
    }
    case "cnpg":
      return {
        crds: { create: true },
        // The chart's namespaced mode (clusterWide: false) watches only the operator's own namespace.
        // Cluster-wide RBAC with WATCH_NAMESPACE narrowed to the infra namespaces instead: CloudNativePG
        // 1.30.0 reads it from the environment before building its cache (a comma-separated list;
        // internal/configuration), whereas the chart's ConfigMap is read only after.
        config: { clusterWide: true },
        additionalEnv: [{ name: "WATCH_NAMESPACE", value: watch.join(",") }],
        image: { tag: OPERATOR_IMAGES.cnpg },
        replicaCount: OPERATOR_POD_RESOURCES.cnpg.operator.replicas,
        podSecurityContext: RESTRICTED_POD,
        containerSecurityContext: { ...restrictedContainerSecurityContext(), runAsUser: 10001, runAsGroup: 10001 },
        resources: resourcesOf(op, "operator"),
        webhook: { port: GKE_CONTROL_PLANE_TO_NODE_PORT },
      };
    case "mariadb": {
      // The distroless image's nonroot user (Dockerfile `USER 65532:65532`), for all three pods.
      const pod = { ...RESTRICTED_POD, runAsUser: 65532, runAsGroup: 65532 };
      const container = restrictedContainerSecurityContext();
      const image = { tag: OPERATOR_IMAGES.mariadb, pullPolicy: "IfNotPresent" };
      return {
        // The CRDs come from MARIADB_CRDS_CHART's release.
        crds: { enabled: false },
        // Cluster-wide RBAC (`currentNamespaceOnly: true` would confine it to its own namespace, and
        // drop the webhook) with WATCH_NAMESPACE narrowed to the infra namespaces: 26.6.0 reads it as a
        // comma-separated list and caches only those (cmd/controller/main.go, pkg/environment).
        currentNamespaceOnly: false,
        extraEnv: [{ name: "WATCH_NAMESPACE", value: watch.join(",") }],
        image,
        podSecurityContext: pod,
        securityContext: container,
        resources: resourcesOf(op, "operator"),
        metrics: { enabled: monitored },
        webhook: { enabled: true, port: GKE_CONTROL_PLANE_TO_NODE_PORT, image, podSecurityContext: pod, securityContext: container, resources: resourcesOf(op, "webhook") },
        certController: { enabled: true, image, podSecurityContext: pod, securityContext: container, resources: resourcesOf(op, "certController") },
      };
    }
  }
}

/**
 * The Topology Operator's trust in each env's private CA. It verifies a broker's management API
 * against the pool it builds from the system roots when it starts, and Go adds every
 * file of every SSL_CERT_DIR entry to that pool, after the image's bundle file: one directory per
 * Secret, with the image's own directory first. The volumes are optional so that the operator starts
 * before an env stack has written its Secret; the pool is read once, at start.
 */
export function trustedCaValues(secrets: readonly string[]): Record<string, unknown> {
  if (secrets.length === 0) return {};
  const volume = (i: number) => `trusted-ca-${i}`;
  return {
    extraVolumes: secrets.map((secretName, i) => ({ name: volume(i), secret: { secretName, optional: true, items: [{ key: "ca.crt", path: "ca.crt" }] } })),
    extraVolumeMounts: secrets.map((secretName, i) => ({ name: volume(i), mountPath: `${TRUSTED_CA_MOUNT_ROOT}/${secretName}`, readOnly: true })),
    extraEnvVars: [{ name: "SSL_CERT_DIR", value: [SYSTEM_CERT_DIR, ...secrets.map((n) => `${TRUSTED_CA_MOUNT_ROOT}/${n}`)].join(":") }],
  };
}

/** The plugin-barman-cloud chart's values: pinned images, restricted contexts, its requests and limits. */
export function barmanCloudPluginValues(): Record<string, unknown> {
  const { requests, limits } = OPERATOR_POD_RESOURCES.cnpg.barmanCloudPlugin;
  return {
    crds: { create: true },
    replicaCount: OPERATOR_POD_RESOURCES.cnpg.barmanCloudPlugin.replicas,
    image: { registry: "ghcr.io", repository: "cloudnative-pg/plugin-barman-cloud", tag: OPERATOR_IMAGES.barmanCloudPlugin },
    // Explicit although it is the chart's appVersion: the tag is what reaches the PostgreSQL pods.
    sidecarImage: { registry: "ghcr.io", repository: "cloudnative-pg/plugin-barman-cloud-sidecar", tag: OPERATOR_IMAGES.barmanCloudPlugin },
    podSecurityContext: RESTRICTED_POD,
    // The chart's default user (10001), restated with the rest of what "restricted" requires.
    containerSecurityContext: { ...restrictedContainerSecurityContext(), runAsUser: 10001, runAsGroup: 10001 },
    resources: { requests, limits },
  };
}

function operatorAllowRules(op: OperatorName, o: ResolvedOperator, r: ResolvedOperatorsArgs): Record<string, AllowRule> {
  const rules: Record<string, AllowRule> = {
    apiserver: apiServerEgress(r.apiServerCidrs),
    workloads: { egressTo: o.workloadNamespaces.map((namespace) => ({ namespace })), ports: OPERATOR_WORKLOAD_PORTS[op].map((port) => ({ port })) },
  };
  const fromApiServer = OPERATOR_API_SERVER_INGRESS_PORTS[op];
  if (fromApiServer.length) rules["webhook-from-apiserver"] = { ingressFrom: r.apiServerCidrs.map((cidr) => ({ cidr })), ports: fromApiServer.map((port) => ({ port })) };
  if (op === "keda") {
    // The metrics API server asks the operator for scaler metrics over gRPC (its Service, port 9666).
    const operator = { app: "keda-operator" };
    const metricsApiServer = { app: "keda-operator-metrics-apiserver" };
    rules["metrics-grpc-out"] = { podLabels: metricsApiServer, egressTo: [{ podLabels: operator }], ports: [{ port: 9666 }] };
    rules["metrics-grpc-in"] = { podLabels: operator, ingressFrom: [{ podLabels: metricsApiServer }], ports: [{ port: 9666 }] };
  }
  if (op === "cnpg" && o.barmanCloudPlugin) {
    // The operator calls the plugin's Service over mutual TLS; the plugin's own egress is the
    // namespace's API server rule above (it writes Roles and RoleBindings for each Cluster).
    const port = [{ port: BARMAN_CLOUD_PLUGIN_PORT }];
    rules["barman-cloud-out"] = { podLabels: CNPG_OPERATOR_POD, egressTo: [{ podLabels: BARMAN_CLOUD_PLUGIN_POD }], ports: port };
    rules["barman-cloud-in"] = { podLabels: BARMAN_CLOUD_PLUGIN_POD, ingressFrom: [{ podLabels: CNPG_OPERATOR_POD }], ports: port };
  }
  if (r.monitoringNamespace) rules["metrics-from-monitoring"] = { ingressFrom: [{ namespace: r.monitoringNamespace }], ports: OPERATOR_METRICS_PORTS[op].map((port) => ({ port })) };
  return rules;
}

export class Operators extends pulumi.ComponentResource {
  /** Namespace of each enabled operator (the infra namespaces let them in). */
  public readonly namespaces: pulumi.Output<Partial<Record<OperatorName, string>>>;
  /** Releases, for `dependsOn` of the custom resources that need their CRDs (`barmanCloud`: the cnpg plugin's). */
  public readonly releases: Partial<Record<OperatorName | "barmanCloud" | "mariadbCrds", k8s.helm.v3.Release>> = {};
  /**
   * Each enabled operator's release with the CRD groups it installs, for `crdDependencies`;
   * `barmanCloud` installs `barmancloud.cnpg.io` (ObjectStore).
   */
  public readonly crds: Partial<Record<OperatorName | "barmanCloud" | "mariadbCrds", CrdInstaller>> = {};
  /**
   * Ports the API server must reach on the enabled operators' pods. On a private GKE cluster, those
   * other than 443 and 10250 need a VPC firewall rule from the control plane's CIDR to the nodes.
   */
  public readonly apiServerIngressPorts: number[];

  constructor(name: string, args: OperatorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(OPERATORS_TYPE, name, {}, opts);
    const r = resolveOperatorsArgs(name, args);
    const namespaces: Partial<Record<OperatorName, string>> = {};
    const watched = args.watchNamespaceResources ?? [];

    for (const [op, o] of Object.entries(r.operators) as [OperatorName, ResolvedOperator][]) {
      // RabbitMQ's webhook Certificates need cert-manager's CRDs and webhook (resolve refused it missing).
      const dependsOn = op === "rabbitmq" && args.certManager ? [...watched, ...crdDependencies("cert-manager.io/v1", [args.certManager])] : watched;
      if (op === "mariadb") {
        this.mariadbOperator(name, o, r, watched);
        namespaces[op] = o.namespace;
        continue;
      }
      const addon = helmAddon(this, OPERATORS_TYPE, `${name}-${op}`, {
        namespace: {
          namespace: o.namespace,
          env: r.env,
          platform: r.platform,
          labels: r.labels,
          deletionProtection: r.deletionProtection,
          quota: { ...OPERATOR_NAMESPACE_QUOTA },
          allow: operatorAllowRules(op, o, r),
        },
        releaseName: OPERATOR_CHARTS[op].chart,
        chart: OPERATOR_CHARTS[op],
        values: operatorValues(op, r),
        dependsOn,
      });
      this.releases[op] = addon.release;
      this.crds[op] = { release: addon.release, crdGroups: addon.crdGroups };
      namespaces[op] = o.namespace;

      if (op === "cnpg" && o.barmanCloudPlugin && args.certManager) {
        // Beside the operator, after it (its CRDs and the operator that calls the plugin) and after
        // cert-manager (the chart's Issuer and Certificates; the pod waits for their Secrets).
        const plugin = pinnedHelmRelease(this, OPERATORS_TYPE, `${name}-cnpg-barman-cloud`, {
          releaseName: BARMAN_CLOUD_PLUGIN_CHART.chart,
          chart: BARMAN_CLOUD_PLUGIN_CHART,
          namespace: addon.namespace.namespaceName,
          values: barmanCloudPluginValues(),
          dependsOn: [addon.release, ...crdDependencies("cert-manager.io/v1", [args.certManager])],
        });
        this.releases.barmanCloud = plugin.release;
        this.crds.barmanCloud = plugin;
      }
    }

    this.apiServerIngressPorts = [...new Set(Object.keys(r.operators).flatMap((op) => OPERATOR_API_SERVER_INGRESS_PORTS[op as OperatorName]))].sort((a, b) => a - b);
    this.namespaces = pulumi.output(namespaces);
    this.registerOutputs({ namespaces: this.namespaces });
  }

  /**
   * The same children helmAddon makes (`<name>-mariadb-ns`, `<name>-mariadb-release`), with the CRDs'
   * release `<name>-mariadb-crds-release` between them: the operator exits at start when its kinds
   * are missing, which an atomic release would roll back.
   */
  private mariadbOperator(name: string, o: ResolvedOperator, r: ResolvedOperatorsArgs, watched: pulumi.Resource[]): void {
    const op: OperatorName = "mariadb";
    const ns = addonNamespace(this, `${name}-${op}`, {
      namespace: o.namespace,
      env: r.env,
      platform: r.platform,
      labels: r.labels,
      deletionProtection: r.deletionProtection,
      quota: { ...OPERATOR_NAMESPACE_QUOTA },
      allow: operatorAllowRules(op, o, r),
    });
    const crds = pinnedHelmRelease(this, OPERATORS_TYPE, `${name}-${op}-crds`, {
      releaseName: MARIADB_CRDS_CHART.chart,
      chart: MARIADB_CRDS_CHART,
      namespace: ns.namespaceName,
      values: {},
    });
    const operator = pinnedHelmRelease(this, OPERATORS_TYPE, `${name}-${op}`, {
      releaseName: OPERATOR_CHARTS.mariadb.chart,
      chart: OPERATOR_CHARTS.mariadb,
      namespace: ns.namespaceName,
      values: operatorValues(op, r),
      dependsOn: [...watched, crds.release],
    });
    this.releases.mariadb = operator.release;
    this.releases.mariadbCrds = crds.release;
    // MariaDB resources wait for the CRDs and for the operator (its webhook validates them).
    this.crds.mariadb = { release: operator.release, crdGroups: MARIADB_CRDS_CHART.crdGroups };
    this.crds.mariadbCrds = crds;
  }
}

/**
 * KafkaCluster: an Apache Kafka cluster in KRaft mode run by Strimzi (kafka.strimzi.io/v1, served
 * by Strimzi ≥ 0.49 and the only version of Strimzi 1.x): a Kafka resource, a controller and a
 * broker KafkaNodePool, a TLS listener with client authentication, explicit replication and
 * retention, persistent storage that survives node deletion, the entity operator and an app
 * KafkaUser with ACLs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { serverCertificate } from "../../common/private-ca";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { assertResources, restrictedContainerSecurityContext, standardLabels, type ResourceSpec } from "../common/pod-security";

export const KAFKA_CLUSTER_TYPE = "platform:k8s:KafkaCluster";

/** The TLS client listener's port. */
export const KAFKA_TLS_PORT = 9093;
/** Port of Strimzi's metrics endpoints (JMX exporter on the nodes, Kafka Exporter), named `tcp-prometheus`. */
export const KAFKA_METRICS_PORT = 9404;
/** Ports Strimzi uses between Kafka nodes and from its operators (controller quorum, replication). */
export const KAFKA_INTERNAL_PORTS = [9090, 9091] as const;

/** A peer allowed to connect to the TLS listener (Strimzi writes the listener's NetworkPolicy from these). */
export interface KafkaClientPeer {
  namespace: string;
  /** Pod labels of the clients; empty matches every pod of the namespace. */
  podLabels: Labels;
}

export interface KafkaAppUserArgs {
  /**
   * KafkaUser name; the User Operator writes its credentials to a Secret of the same name.
   * @default "app"
   */
  name?: string;
  /**
   * Topics the user may read/write/create (literal name, `*` for all, or a prefix with prefixTopics).
   * @default "*"
   */
  topics?: string;
  /** Treat `topics` as a prefix. @default false */
  prefixTopics?: boolean;
  /** Consumer groups the user may use. @default "*" */
  groups?: string;
  /**
   * Namespaces of the user's clients (SCRAM only). The component generates the password, gives it
   * to the User Operator through `spec.authentication.password.valueFrom.secretKeyRef` (a Secret
   * `<name>-password` in the cluster's namespace, the only one the operator reads) and writes it
   * with the user name to a Secret `<name>` (keys username, password) in each client namespace.
   * Without client namespaces, the User Operator generates the password and it stays in the
   * cluster's namespace.
   * @default []
   */
  clientNamespaces?: string[];
}

export interface KafkaClusterArgs extends CommonArgs {
  /** Namespace of the cluster (the env's `-infra` namespace). */
  namespace: string;
  /** Broker count: 3 in dev/rct, 5 in prod (diaspomoney.md). At least `replicationFactor`. */
  brokers: number;
  /**
   * KRaft controllers (a quorum: odd).
   * @default 3
   */
  controllers?: number;
  /**
   * Kafka version; must be one the installed Strimzi release supports (pinned so that an operator
   * upgrade does not silently upgrade the brokers).
   * @default "4.2.0"
   */
  version?: string;
  /**
   * Hours a message is kept. diaspomoney.md § Backup says only "Kafka - Retention des messages",
   * without a figure: 168 h (7 days, Kafka's own default) is our choice, set explicitly.
   * @default 168
   */
  retentionHours?: number;
  /** default.replication.factor and the internal topics' replication. @default 3 */
  replicationFactor?: number;
  /** min.insync.replicas. @default 2 */
  minInsyncReplicas?: number;
  /**
   * Client authentication on the TLS listener.
   * @default "scram-sha-512"
   */
  authentication?: "tls" | "scram-sha-512";
  /**
   * Who may reach the TLS listener. Strimzi generates a NetworkPolicy per listener and, with no
   * peers, that policy admits everyone: at least one peer is required.
   */
  clientPeers: KafkaClientPeer[];
  /**
   * Persistent volumes.
   * @default { storageClassName: "premium-rwo", brokerSize: "50Gi", controllerSize: "10Gi" }
   */
  storage?: { storageClassName?: string; brokerSize?: string; controllerSize?: string };
  /**
   * Broker resources.
   * @default { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } }
   */
  brokerResources?: ResourceSpec;
  /**
   * Controller resources.
   * @default { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }
   */
  controllerResources?: ResourceSpec;
  /**
   * Spread replicas over zones with Kafka rack awareness (broker.rack from the node's zone label).
   * @default true
   */
  rackAware?: boolean;
  /**
   * The application's KafkaUser.
   * @default { name: "app", topics: "*", groups: "*", clientNamespaces: [] }
   */
  appUser?: KafkaAppUserArgs;
  /**
   * TLS listener certificate. Without `issuer`, Strimzi's own cluster CA signs it (clients trust
   * `<resourceName>-cluster-ca-cert`, in the cluster's namespace only); with `issuer` (e.g. the
   * environment's private ClusterIssuer), cert-manager signs it and Strimzi serves it through
   * `brokerCertChainAndKey`, so that clients trust the same CA as for the other data services.
   * @default {}
   */
  tls?: { issuer?: { name: string; kind?: "Issuer" | "ClusterIssuer" } };
  /**
   * Prometheus metrics: the JMX Prometheus exporter on every node (Strimzi `metricsConfig`, rules
   * in a ConfigMap), Kafka Exporter for consumer lag and offsets, and a PodMonitor for both.
   * @default { enabled: true, labels: {} }
   */
  metrics?: {
    enabled?: boolean;
    /** Labels Prometheus' podMonitorSelector matches (e.g. `release: kube-prometheus-stack`). */
    labels?: Labels;
  };
  /**
   * Name of the Kafka resource (bootstrap service `<resourceName>-kafka-bootstrap`).
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedKafkaClusterArgs {
  namespace: string;
  resourceName: string;
  brokers: number;
  controllers: number;
  version: string;
  retentionHours: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  authentication: "tls" | "scram-sha-512";
  clientPeers: KafkaClientPeer[];
  storage: { storageClassName: string; brokerSize: string; controllerSize: string };
  brokerResources: ResourceSpec;
  controllerResources: ResourceSpec;
  rackAware: boolean;
  appUser: Required<KafkaAppUserArgs>;
  tls: { issuer?: { name: string; kind: "Issuer" | "ClusterIssuer" } };
  metrics: { enabled: boolean; labels: Labels };
  deletionProtection: boolean;
  labels: Labels;
}

/** Applies KafkaCluster defaults and rejects contradictory arguments. */
export function resolveKafkaClusterArgs(name: string, args: KafkaClusterArgs): ResolvedKafkaClusterArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(KAFKA_CLUSTER_TYPE, name, detail);
  };
  const replicationFactor = args.replicationFactor ?? 3;
  const minInsyncReplicas = args.minInsyncReplicas ?? 2;
  if (!Number.isInteger(args.brokers) || args.brokers < replicationFactor) {
    fail(`brokers (${args.brokers}) must be an integer ≥ replicationFactor (${replicationFactor}); diaspomoney.md asks for 3 (dev/rct) and 5 (prod)`);
  }
  if (minInsyncReplicas < 1 || minInsyncReplicas >= replicationFactor) {
    fail(`minInsyncReplicas (${minInsyncReplicas}) must be ≥ 1 and below replicationFactor (${replicationFactor}), or a single broker loss blocks producers`);
  }
  const controllers = args.controllers ?? 3;
  if (!Number.isInteger(controllers) || controllers < 1 || controllers % 2 === 0) fail(`controllers must be an odd positive integer (a KRaft quorum), got ${controllers}`);
  const version = args.version ?? "4.2.0";
  if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`version "${version}" must be a full x.y.z Kafka version`);
  const retentionHours = args.retentionHours ?? 168;
  if (!Number.isInteger(retentionHours) || retentionHours < 1) fail(`retentionHours must be a positive integer, got ${retentionHours}`);
  if (args.clientPeers.length === 0) {
    fail("clientPeers is empty: Strimzi would generate a listener NetworkPolicy that admits every pod of the cluster");
  }
  const brokerResources = args.brokerResources ?? { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } };
  const controllerResources = args.controllerResources ?? { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } };
  assertResources(KAFKA_CLUSTER_TYPE, name, "brokerResources", brokerResources);
  assertResources(KAFKA_CLUSTER_TYPE, name, "controllerResources", controllerResources);
  const authentication = args.authentication ?? "scram-sha-512";
  const clientNamespaces = [...new Set(args.appUser?.clientNamespaces ?? [])];
  if (clientNamespaces.length > 0 && authentication !== "scram-sha-512") {
    fail("appUser.clientNamespaces needs authentication scram-sha-512 (a TLS client certificate is generated by the User Operator and cannot be written elsewhere)");
  }
  if (clientNamespaces.includes(args.namespace)) fail(`appUser.clientNamespaces includes the cluster's own namespace "${args.namespace}"`);
  return {
    namespace: args.namespace,
    resourceName: args.resourceName ?? name,
    brokers: args.brokers,
    controllers,
    version,
    retentionHours,
    replicationFactor,
    minInsyncReplicas,
    authentication,
    clientPeers: args.clientPeers,
    storage: {
      storageClassName: args.storage?.storageClassName ?? "premium-rwo",
      brokerSize: args.storage?.brokerSize ?? "50Gi",
      controllerSize: args.storage?.controllerSize ?? "10Gi",
    },
    brokerResources,
    controllerResources,
    rackAware: args.rackAware ?? true,
    appUser: {
      name: args.appUser?.name ?? "app",
      topics: args.appUser?.topics ?? "*",
      prefixTopics: args.appUser?.prefixTopics ?? false,
      groups: args.appUser?.groups ?? "*",
      clientNamespaces,
    },
    tls: args.tls?.issuer ? { issuer: { name: args.tls.issuer.name, kind: args.tls.issuer.kind ?? "Issuer" } } : {},
    metrics: { enabled: args.metrics?.enabled ?? true, labels: args.metrics?.labels ?? {} },
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** Labels Strimzi puts on the broker pods of a cluster. */
export function kafkaBrokerPodSelector(resourceName: string): Labels {
  return { "strimzi.io/cluster": resourceName, "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true" };
}

/** Labels Strimzi puts on every Kafka node pod (brokers and controllers) of a cluster. */
export function kafkaNodePodSelector(resourceName: string): Labels {
  return { "strimzi.io/cluster": resourceName, "strimzi.io/kind": "Kafka" };
}

/**
 * Rules of the JMX Prometheus exporter: the broker, controller, network and log MBeans the
 * dashboards and alerts read (under-replicated and offline partitions, request rates, ISR changes,
 * log size), named `kafka_<domain>_<type>_<name>`, lowercase.
 */
export function kafkaJmxExporterConfig(): string {
  return [
    "lowercaseOutputName: true",
    "lowercaseOutputLabelNames: true",
    "rules:",
    '  - pattern: "kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value"',
    '    name: "kafka_server_$1_$2"',
    "    type: GAUGE",
    '    labels: { clientId: "$3", topic: "$4", partition: "$5" }',
    '  - pattern: "kafka.server<type=(.+), name=(.+), topic=(.+)><>(Count|OneMinuteRate)"',
    '    name: "kafka_server_$1_$2_$4"',
    '    labels: { topic: "$3" }',
    '  - pattern: "kafka.server<type=(.+), name=(.+)><>(Count|Value|OneMinuteRate)"',
    '    name: "kafka_server_$1_$2_$3"',
    '  - pattern: "kafka.controller<type=(.+), name=(.+)><>(Count|Value)"',
    '    name: "kafka_controller_$1_$2_$3"',
    '  - pattern: "kafka.network<type=(.+), name=(.+), request=(.+)><>(Count|Mean|99thPercentile)"',
    '    name: "kafka_network_$1_$2_$4"',
    '    labels: { request: "$3" }',
    '  - pattern: "kafka.log<type=Log, name=Size, topic=(.+), partition=(.*)><>Value"',
    '    name: "kafka_log_log_size"',
    "    type: GAUGE",
    '    labels: { topic: "$1", partition: "$2" }',
    "",
  ].join("\n");
}

/** The broker configuration the component sets (the figures the tests and policies check). */
export function kafkaBrokerConfig(r: Pick<ResolvedKafkaClusterArgs, "replicationFactor" | "minInsyncReplicas" | "retentionHours">): Record<string, number | string | boolean> {
  return {
    "default.replication.factor": r.replicationFactor,
    "min.insync.replicas": r.minInsyncReplicas,
    "offsets.topic.replication.factor": r.replicationFactor,
    "transaction.state.log.replication.factor": r.replicationFactor,
    "transaction.state.log.min.isr": r.minInsyncReplicas,
    // diaspomoney.md § Backup: "Kafka - Retention des messages" (no figure given; see retentionHours).
    "log.retention.hours": r.retentionHours,
    // Losing acknowledged messages on an unclean leader election is worse than a short outage.
    "unclean.leader.election.enable": false,
  };
}

export class KafkaCluster extends pulumi.ComponentResource {
  public readonly resourceName: pulumi.Output<string>;
  /** Bootstrap address of the TLS listener. */
  public readonly bootstrapServers: pulumi.Output<string>;
  /**
   * Secret holding the app user's credentials: in the cluster's namespace, the one the User Operator
   * writes (`password`, `sasl.jaas.config`, or the TLS keystore); in each `appUser.clientNamespaces`,
   * the component's copy of the generated password (`username`, `password`), under the same name.
   */
  public readonly appUserSecretName: pulumi.Output<string>;
  /** Secret holding the cluster CA certificate (`ca.crt`) clients trust. */
  public readonly clusterCaSecretName: pulumi.Output<string>;

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KAFKA_CLUSTER_TYPE, name, {}, opts);
    const r = resolveKafkaClusterArgs(name, args);
    const rn = r.resourceName;
    const ns = r.namespace;
    const labels = standardLabels(rn, rn, "event-streaming", r.labels);
    const clusterLabel = { "strimzi.io/cluster": rn };
    const stateful = statefulChildOptions(this, r.deletionProtection);
    const securityContext = restrictedContainerSecurityContext(true);
    const podSecurity = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

    // The listener certificate, when an issuer is given (Strimzi needs the key in PKCS #8).
    let listenerCert: { secretName: string; resource: k8s.apiextensions.CustomResource } | undefined;
    if (r.tls.issuer) {
      const svc = (s: string) => [`${rn}-${s}.${ns}.svc`, `${rn}-${s}.${ns}.svc.cluster.local`];
      listenerCert = serverCertificate(this, name, rn, (o) => ({ name: o, namespace: ns, labels }), {
        commonName: `${rn}-kafka-bootstrap.${ns}.svc`,
        dnsNames: [`${rn}-kafka-bootstrap`, `${rn}-kafka-bootstrap.${ns}`, ...svc("kafka-bootstrap"), ...svc("kafka-brokers").map((d) => `*.${d}`)],
        issuer: r.tls.issuer,
        privateKeyEncoding: "PKCS8",
      });
    }

    const metricsConfigMapName = `${rn}-metrics`;
    const metricsDeps: pulumi.Resource[] = [];
    if (r.metrics.enabled) {
      metricsDeps.push(
        new k8s.core.v1.ConfigMap(
          `${name}-metrics`,
          { metadata: { name: metricsConfigMapName, namespace: ns, labels }, data: { "kafka-metrics-config.yml": kafkaJmxExporterConfig() } },
          { parent: this },
        ),
      );
    }

    const pool = (role: "controller" | "broker", replicas: number, size: string, resources: ResourceSpec) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${role}`,
        {
          apiVersion: "kafka.strimzi.io/v1",
          kind: "KafkaNodePool",
          metadata: { name: role, namespace: ns, labels: mergeLabels(labels, clusterLabel) },
          spec: {
            replicas,
            roles: [role],
            // deleteClaim false: deleting the pool (or the cluster) keeps the data volumes.
            storage: { type: "persistent-claim", size, class: r.storage.storageClassName, deleteClaim: false },
            resources,
            template: {
              pod: {
                securityContext: podSecurity,
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: { ...clusterLabel, "strimzi.io/pool-name": role } },
                  },
                ],
              },
              kafkaContainer: { securityContext },
              initContainer: { securityContext },
            },
          },
        },
        stateful,
      );
    // docs/platforms/diaspomoney.md § Architecture par Environnement: Kafka "(3 Brokers)" dev/rct, "(5 Brokers)" prod.
    const controllers = pool("controller", r.controllers, r.storage.controllerSize, r.controllerResources);
    const brokers = pool("broker", r.brokers, r.storage.brokerSize, r.brokerResources);

    const kafka = new k8s.apiextensions.CustomResource(
      `${name}-kafka`,
      {
        apiVersion: "kafka.strimzi.io/v1",
        kind: "Kafka",
        metadata: {
          name: rn,
          namespace: ns,
          labels,
          // Strimzi ≥ 0.48 runs KRaft with node pools unconditionally and ignores these; they are
          // kept so that the resource reads the same on the older operators that required them.
          annotations: { "strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled" },
        },
        spec: {
          kafka: {
            version: r.version,
            listeners: [
              {
                name: "tls",
                port: KAFKA_TLS_PORT,
                type: "internal",
                tls: true,
                authentication: { type: r.authentication },
                ...(listenerCert ? { configuration: { brokerCertChainAndKey: { secretName: listenerCert.secretName, certificate: "tls.crt", key: "tls.key" } } } : {}),
                networkPolicyPeers: r.clientPeers.map((p) => ({
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.namespace } },
                  podSelector: { matchLabels: p.podLabels },
                })),
              },
            ],
            authorization: { type: "simple" },
            config: kafkaBrokerConfig(r),
            ...(r.metrics.enabled
              ? { metricsConfig: { type: "jmxPrometheusExporter", valueFrom: { configMapKeyRef: { name: metricsConfigMapName, key: "kafka-metrics-config.yml" } } } }
              : {}),
            ...(r.rackAware ? { rack: { type: "topology-label", topologyKey: "topology.kubernetes.io/zone" } } : {}),
            template: {
              // Strimzi creates one PDB for all Kafka nodes; one node at a time may be evicted.
              podDisruptionBudget: { maxUnavailable: 1 },
              pod: { securityContext: podSecurity },
              kafkaContainer: { securityContext },
              initContainer: { securityContext },
            },
          },
          // Kafka Exporter: consumer-group lag and offsets per topic/partition (kafka_consumergroup_lag).
          ...(r.metrics.enabled
            ? {
                kafkaExporter: {
                  topicRegex: ".*",
                  groupRegex: ".*",
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
                  template: { pod: { securityContext: podSecurity }, container: { securityContext } },
                },
              }
            : {}),
          entityOperator: {
            topicOperator: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
            userOperator: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
            template: {
              pod: { securityContext: podSecurity },
              topicOperatorContainer: { securityContext },
              userOperatorContainer: { securityContext },
            },
          },
        },
      },
      { ...stateful, dependsOn: [controllers, brokers, ...metricsDeps, ...(listenerCert ? [listenerCert.resource] : [])] },
    );

    if (r.metrics.enabled) {
      // Strimzi names the metrics port of Kafka nodes and of Kafka Exporter `tcp-prometheus`.
      new k8s.apiextensions.CustomResource(
        `${name}-podmonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PodMonitor",
          metadata: { name: rn, namespace: ns, labels: mergeLabels(labels, r.metrics.labels) },
          spec: {
            selector: { matchLabels: kafkaNodePodSelector(rn) },
            namespaceSelector: { matchNames: [ns] },
            podMetricsEndpoints: [{ port: "tcp-prometheus", path: "/metrics", interval: "30s" }],
          },
        },
        { parent: this, dependsOn: [kafka] },
      );
    }

    const u = r.appUser;
    // A password of ours when clients live in other namespaces (see appUser.clientNamespaces).
    let userPassword: { secretName: string; resource: k8s.core.v1.Secret } | undefined;
    if (u.clientNamespaces.length > 0) {
      const password = new random.RandomPassword(`${name}-app-user-password`, { length: 32, special: false }, { parent: this });
      const secretName = `${u.name}-password`;
      userPassword = {
        secretName,
        resource: new k8s.core.v1.Secret(
          `${name}-app-user-password`,
          { metadata: { name: secretName, namespace: ns, labels }, type: "Opaque", stringData: { password: password.result } },
          { parent: this },
        ),
      };
      for (const clientNs of u.clientNamespaces) {
        new k8s.core.v1.Secret(
          `${name}-app-user-${clientNs}`,
          { metadata: { name: u.name, namespace: clientNs, labels }, type: "Opaque", stringData: { username: u.name, password: password.result } },
          { parent: this },
        );
      }
    }
    new k8s.apiextensions.CustomResource(
      `${name}-app-user`,
      {
        apiVersion: "kafka.strimzi.io/v1",
        kind: "KafkaUser",
        metadata: { name: u.name, namespace: ns, labels: mergeLabels(labels, clusterLabel) },
        spec: {
          // Without client namespaces the User Operator generates the credentials inside the cluster
          // (they never transit Pulumi); with them, the password is ours (Secret in this namespace).
          authentication: userPassword
            ? { type: r.authentication, password: { valueFrom: { secretKeyRef: { name: userPassword.secretName, key: "password" } } } }
            : { type: r.authentication },
          authorization: {
            type: "simple",
            acls: [
              {
                resource: { type: "topic", name: u.topics, patternType: u.prefixTopics ? "prefix" : "literal" },
                operations: ["Describe", "DescribeConfigs", "Read", "Write", "Create"],
              },
              { resource: { type: "group", name: u.groups, patternType: "literal" }, operations: ["Describe", "Read"] },
            ],
          },
        },
      },
      { parent: this, dependsOn: [kafka, ...(userPassword ? [userPassword.resource] : [])] },
    );

    this.resourceName = pulumi.output(rn);
    this.bootstrapServers = pulumi.output(`${rn}-kafka-bootstrap.${ns}.svc:${KAFKA_TLS_PORT}`);
    this.appUserSecretName = pulumi.output(u.name);
    this.clusterCaSecretName = pulumi.output(`${rn}-cluster-ca-cert`);
    this.registerOutputs({
      resourceName: this.resourceName,
      bootstrapServers: this.bootstrapServers,
      appUserSecretName: this.appUserSecretName,
      clusterCaSecretName: this.clusterCaSecretName,
    });
  }
}

/**
 * RabbitmqBroker: the event bus of shareyoursales.md § Architecture Microservices ("Event Bus
 * (RabbitMQ)", between the services and the email, notification and invoice workers). The RabbitMQ
 * Cluster Operator runs the broker (a `RabbitmqCluster`: TLS only, quorum queues by default); the
 * Messaging Topology Operator runs what lives inside it (a vhost, exchanges, quorum queues each with
 * a dead-letter queue and a delivery limit, one user per service with least-privilege permissions).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { serverCertificate } from "../../common/private-ca";
import { assertPinnedImage } from "../../common/images";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { crdDependencies, type CrdInstaller } from "../common/helm-addon";
import { assertResources, parseQuantity, standardLabels, type ResourceSpec } from "../common/pod-security";

export const RABBITMQ_BROKER_TYPE = "platform:k8s:RabbitmqBroker";

/** AMQP 0-9-1 over TLS: the only client port (the plain 5672 listener is disabled). */
export const RABBITMQ_AMQPS_PORT = 5671;
/** Management API and UI over TLS: the Messaging Topology Operator (and KEDA's scaler in `http` mode) call it. */
export const RABBITMQ_MANAGEMENT_TLS_PORT = 15671;
/** rabbitmq_prometheus over TLS (the plain 15692 is disabled with the other non-TLS listeners). */
export const RABBITMQ_METRICS_TLS_PORT = 15691;
/** Between the broker's own pods only: the epmd port mapper (4369) and Erlang distribution (25672). */
export const RABBITMQ_INTER_NODE_PORTS = [4369, 25672] as const;
/**
 * Erlang distribution ports of the CLI tools (rabbitmqctl, rabbitmq-upgrade in the preStop hook),
 * 35672–35682: the Cluster Operator's network-policy example allows them between the broker's pods
 * too. A NetworkPolicy port range (`endPort`) or the eleven ports.
 */
export const RABBITMQ_CLI_PORT_RANGE = { port: 35672, endPort: 35682 } as const;

/**
 * The RabbitMQ image: the default of the Cluster Operator 2.22.3 (the vendored CRDs' release),
 * pinned here so that an operator upgrade never upgrades the brokers behind our back.
 */
export const RABBITMQ_IMAGE = "rabbitmq:4.2.6-management";

/** Nodes in prod: issue 13 ("3 replicas in prod"); a quorum queue survives the loss of one. */
export const RABBITMQ_PROD_REPLICAS = 3;
/**
 * Nodes in dev and rct: OUR choice, the documents give none. One node (quorum queues of one member,
 * no replication): dev and rct hold no message worth a second copy, and shareyoursales.md § Coûts
 * caps every env together at €470–900/month. Raise it in rct to rehearse a rolling upgrade.
 */
export const RABBITMQ_NON_PROD_REPLICAS = 1;
/**
 * Redeliveries of a message before it is dead-lettered: docs/platforms/shareyoursales.md § 2.
 * Absence de Queue System: `@celery.task(retry=3, ...)`, "Retry automatique 3 fois". RabbitMQ
 * dead-letters a message returned more than `delivery-limit` times, so 3 = the first delivery and
 * 3 retries (RabbitMQ 4's own default is 20).
 */
export const RABBITMQ_DEFAULT_DELIVERY_LIMIT = 3;
/** The dead-letter exchange of the vhost (direct, routing key = the source queue's name). */
export const RABBITMQ_DEAD_LETTER_EXCHANGE = "dead-letter";
/** Suffix of each queue's dead-letter queue. */
export const RABBITMQ_DLQ_SUFFIX = ".dlq";

export interface RabbitmqExchangeArgs {
  /** Exchange name in the vhost. */
  name: string;
  /** @default "topic" */
  type?: "topic" | "direct" | "fanout" | "headers";
}

export interface RabbitmqQueueArgs {
  /** Queue name in the vhost; its dead-letter queue is `<name>.dlq`. */
  name: string;
  /** Exchange (one of `exchanges`) the queue is bound to. */
  exchange: string;
  /** Binding key from the exchange (`#` takes everything a topic exchange receives). */
  routingKey: string;
  /**
   * Redeliveries of one message before it is dead-lettered (its retries).
   * @default RABBITMQ_DEFAULT_DELIVERY_LIMIT (3, shareyoursales.md "Retry automatique 3 fois")
   */
  deliveryLimit?: number;
}

export interface RabbitmqUserArgs {
  /** RabbitMQ user name (one per service or worker); also names its Secrets. */
  name: string;
  /** Namespaces of the user's pods: each gets the Secret `rabbitmqUserSecretName(...)` with its credentials. */
  clientNamespaces: string[];
  /**
   * Exchanges (of `exchanges`) the user publishes to: its only write permission.
   * @default []
   */
  publishes?: string[];
  /**
   * Queues (of `queues`, or their `<name>.dlq`) the user consumes: its only read permission.
   * @default []
   */
  consumes?: string[];
  /**
   * The `management` tag: the user may call the management API (15671) for the vhost it has
   * permissions in, e.g. KEDA's RabbitMQ scaler in `http` mode reading its queue's length.
   * @default false
   */
  managementApi?: boolean;
}

export interface RabbitmqBrokerArgs extends CommonArgs {
  /** Namespace of the broker (the env's `-infra` namespace). */
  namespace: string;
  /**
   * RabbitMQ nodes: 1, or an odd number from 3 to 7 (quorum queues need a majority).
   * @default RABBITMQ_PROD_REPLICAS (3)
   */
  replicas?: number;
  /**
   * Persistent volume per node (above the operator's `disk_free_limit.absolute = 2GB`).
   * @default { storageClassName: "premium-rwo", size: "10Gi" }
   */
  storage?: { storageClassName?: string; size?: string };
  /**
   * Resources of each RabbitMQ container (memory request = limit: RabbitMQ sizes its memory
   * watermark from the limit).
   * @default { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }
   */
  resources?: ResourceSpec;
  /**
   * `issuer`: the cert-manager issuer of the server certificate (e.g. the env's private
   * ClusterIssuer). `interNode`: Erlang distribution (25672) over TLS with peer verification both
   * ways, from the same certificate (the Cluster Operator has no field for it: `envConfig` and an
   * `override` mount, as in its `mtls-inter-node` example). Off by default: upstream does not test
   * that example in CI, and without it inter-node traffic already stays between the broker's own
   * pods (the only flow the namespace's NetworkPolicies allow on 4369/25672).
   */
  tls: {
    issuer: { name: string; kind?: "Issuer" | "ClusterIssuer" };
    /** @default false */
    interNode?: boolean;
  };
  /**
   * RabbitMQ image; pinned (model/images.ts).
   * @default RABBITMQ_IMAGE
   */
  image?: string;
  /**
   * The vhost every exchange, queue and permission lives in.
   * @default "events"
   */
  vhost?: string;
  /** @default [] */
  exchanges?: RabbitmqExchangeArgs[];
  /** Quorum queues, each with a dead-letter queue. @default [] */
  queues?: RabbitmqQueueArgs[];
  /** Per-service users with least-privilege permissions. @default [] */
  users?: RabbitmqUserArgs[];
  /**
   * Prometheus metrics (rabbitmq_prometheus on 15691, TLS) scraped through a PodMonitor.
   * @default { enabled: true, labels: {} }
   */
  metrics?: {
    enabled?: boolean;
    /** Labels Prometheus' podMonitorSelector matches (e.g. `release: kube-prometheus-stack`). */
    labels?: Labels;
  };
  /**
   * Releases installing the rabbitmq.com CRDs when they are in the same stack (the operators'
   * `crds.rabbitmq`); every custom resource waits for them. Empty when the operators come from
   * another stack, deployed first.
   * @default []
   */
  crdInstallers?: (CrdInstaller | pulumi.Resource)[];
  /**
   * Name of the RabbitmqCluster (its client Service is `<resourceName>`).
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedRabbitmqBrokerArgs {
  namespace: string;
  resourceName: string;
  replicas: number;
  storage: { storageClassName: string; size: string };
  resources: ResourceSpec;
  tls: { issuer: { name: string; kind: "Issuer" | "ClusterIssuer" }; interNode: boolean };
  image: string;
  vhost: string;
  exchanges: Required<RabbitmqExchangeArgs>[];
  queues: Required<RabbitmqQueueArgs>[];
  users: Required<RabbitmqUserArgs>[];
  metrics: { enabled: boolean; labels: Labels };
  crdInstallers: (CrdInstaller | pulumi.Resource)[];
  deletionProtection: boolean;
  labels: Labels;
}

/** A Kubernetes object name part: the topology names become parts of CR and Secret names. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Applies RabbitmqBroker defaults and rejects unsafe or contradictory arguments. */
export function resolveRabbitmqBrokerArgs(name: string, args: RabbitmqBrokerArgs): ResolvedRabbitmqBrokerArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(RABBITMQ_BROKER_TYPE, name, detail);
  };
  const resourceName = args.resourceName ?? name;
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(resourceName) || resourceName.length > 40) {
    fail(`resourceName "${resourceName}" must be a DNS label of at most 40 characters (it prefixes the StatefulSet and its pods' host names)`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.namespace ?? "")) fail(`namespace "${args.namespace}" must be a Kubernetes namespace name`);
  const commonName = `${resourceName}.${args.namespace}.svc`;
  if (commonName.length > 64) fail(`the certificate's common name "${commonName}" is ${commonName.length} characters; X.509 allows 64: shorten resourceName`);
  const replicas = args.replicas ?? RABBITMQ_PROD_REPLICAS;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 7 || (replicas > 1 && replicas % 2 === 0)) {
    fail(`replicas must be 1 or an odd integer from 3 to 7 (quorum queues need a majority of nodes; an even count tolerates no more failures than one node fewer), got ${replicas}`);
  }
  const storage = { storageClassName: args.storage?.storageClassName ?? "premium-rwo", size: args.storage?.size ?? "10Gi" };
  const bytes = parseQuantity(storage.size);
  if (!(bytes >= 4 * 1024 ** 3)) {
    fail(`storage.size must be a quantity of at least 4Gi (the operator stops publishers below 2GB free, disk_free_limit.absolute), got "${storage.size}"`);
  }
  const resources = args.resources ?? { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } };
  assertResources(RABBITMQ_BROKER_TYPE, name, "resources", resources);
  const image = args.image ?? RABBITMQ_IMAGE;
  assertPinnedImage(RABBITMQ_BROKER_TYPE, name, "image", image);
  if (!args.tls?.issuer?.name) fail("tls.issuer.name is required: the broker serves only TLS listeners (disableNonTLSListeners), so it needs a certificate");
  const vhost = args.vhost ?? "events";
  if (!OBJECT_NAME.test(vhost)) fail(`vhost "${vhost}" must be lowercase letters, digits, "-" and "." (it names the Vhost resource)`);

  const unique = (kind: string, names: string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (!OBJECT_NAME.test(n) || n.length > 100) fail(`${kind} name "${n}" must be lowercase letters, digits, "-" and "." and at most 100 characters (it names Kubernetes objects)`);
      if (seen.has(n)) fail(`${kind} "${n}" is declared twice`);
      seen.add(n);
    }
  };

  const exchanges = (args.exchanges ?? []).map((e) => ({ name: e.name, type: e.type ?? "topic" }));
  unique("exchange", exchanges.map((e) => e.name));
  for (const e of exchanges) {
    if (e.name === RABBITMQ_DEAD_LETTER_EXCHANGE) fail(`exchange "${e.name}" is the component's own dead-letter exchange; choose another name`);
    if (e.name.startsWith("amq.")) fail(`exchange "${e.name}": names starting with "amq." are reserved by RabbitMQ`);
  }
  const exchangeNames = new Set(exchanges.map((e) => e.name));

  const queues = (args.queues ?? []).map((q) => ({ ...q, deliveryLimit: q.deliveryLimit ?? RABBITMQ_DEFAULT_DELIVERY_LIMIT }));
  unique("queue", queues.map((q) => q.name));
  for (const q of queues) {
    if (q.name.startsWith("amq.")) fail(`queue "${q.name}": names starting with "amq." are reserved by RabbitMQ`);
    if (q.name.endsWith(RABBITMQ_DLQ_SUFFIX)) fail(`queue "${q.name}" ends with "${RABBITMQ_DLQ_SUFFIX}", the suffix of the dead-letter queues the component makes`);
    if (!exchangeNames.has(q.exchange)) fail(`queue "${q.name}" is bound to exchange "${q.exchange}", which is not in exchanges (${[...exchangeNames].join(", ") || "none"})`);
    if (q.routingKey === "") fail(`queue "${q.name}" has an empty routingKey; use "#" to take everything a topic exchange receives`);
    if (!Number.isInteger(q.deliveryLimit) || q.deliveryLimit < 1 || q.deliveryLimit > 100) {
      fail(`queue "${q.name}" deliveryLimit must be an integer from 1 to 100 (a message is dead-lettered after that many redeliveries), got ${q.deliveryLimit}`);
    }
  }
  const consumable = new Set(queues.flatMap((q) => [q.name, q.name + RABBITMQ_DLQ_SUFFIX]));

  const users = (args.users ?? []).map((u) => ({
    name: u.name,
    clientNamespaces: [...new Set(u.clientNamespaces)],
    publishes: [...new Set(u.publishes ?? [])],
    consumes: [...new Set(u.consumes ?? [])],
    managementApi: u.managementApi ?? false,
  }));
  unique("user", users.map((u) => u.name));
  for (const u of users) {
    if (u.name === "guest") fail(`user "guest" is RabbitMQ's built-in user; choose another name`);
    if (u.clientNamespaces.length === 0) fail(`user "${u.name}" has no clientNamespaces: its credentials would reach no pod`);
    if (u.clientNamespaces.includes(args.namespace)) fail(`user "${u.name}" lists the broker's own namespace "${args.namespace}" in clientNamespaces; clients run in their own namespaces`);
    if (u.publishes.length === 0 && u.consumes.length === 0 && !u.managementApi) {
      fail(`user "${u.name}" neither publishes nor consumes (expected publishes: [exchange...] or consumes: [queue...])`);
    }
    for (const e of u.publishes) if (!exchangeNames.has(e)) fail(`user "${u.name}" publishes to "${e}", which is not in exchanges (${[...exchangeNames].join(", ") || "none"})`);
    for (const q of u.consumes) if (!consumable.has(q)) fail(`user "${u.name}" consumes "${q}", which is neither a queue nor a queue's dead-letter queue`);
  }

  return {
    namespace: args.namespace,
    resourceName,
    replicas,
    storage,
    resources,
    tls: { issuer: { name: args.tls.issuer.name, kind: args.tls.issuer.kind ?? "Issuer" }, interNode: args.tls.interNode ?? false },
    image,
    vhost,
    exchanges,
    queues,
    users,
    metrics: { enabled: args.metrics?.enabled ?? true, labels: args.metrics?.labels ?? {} },
    crdInstallers: args.crdInstallers ?? [],
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** Labels the Cluster Operator puts on a RabbitmqCluster's pods (its StatefulSet selector). */
export function rabbitmqPodSelector(resourceName: string): Labels {
  return { "app.kubernetes.io/name": resourceName, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq" };
}

/** Name of the Secret holding a user's credentials in each of its client namespaces. */
export function rabbitmqUserSecretName(resourceName: string, user: string): string {
  return `${resourceName}-${user}`;
}

/** A permission regex matching exactly these names, or nothing (`^$`). */
export function exactNamesRegex(names: readonly string[]): string {
  if (names.length === 0) return "^$";
  const escaped = [...names].sort().map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return `^(${escaped.join("|")})$`;
}

/**
 * configure/write/read of a user: configure nothing (the operator owns the topology, so clients
 * declare passively), write only the exchanges it publishes to, read only the queues it consumes.
 */
export function rabbitmqUserPermissions(user: Pick<RabbitmqUserArgs, "publishes" | "consumes">): { configure: string; write: string; read: string } {
  return { configure: "^$", write: exactNamesRegex(user.publishes ?? []), read: exactNamesRegex(user.consumes ?? []) };
}

/**
 * What RabbitMQ dead-letters a queue's messages with. A policy rather than queue arguments:
 * arguments are fixed at declaration (the Topology Operator refuses to update them), so changing a
 * delivery limit would mean deleting the queue and its messages; a policy changes in place.
 * `at-least-once` dead-lettering (which needs `overflow: reject-publish`) keeps a message in the
 * source queue until its dead-letter queue has confirmed it.
 */
export function deadLetterPolicyDefinition(queue: string, deliveryLimit: number): Record<string, string | number> {
  return {
    "dead-letter-exchange": RABBITMQ_DEAD_LETTER_EXCHANGE,
    "dead-letter-routing-key": queue,
    "delivery-limit": deliveryLimit,
    "dead-letter-strategy": "at-least-once",
    overflow: "reject-publish",
  };
}

/** Lines added to rabbitmq.conf (on top of the operator's TLS listeners and defaults). */
export function rabbitmqAdditionalConfig(): string {
  return [
    // Queues a client declares without a type are quorum queues (replicated, poison-message handling).
    "default_queue_type = quorum",
    // The AMQPS listener accepts TLS 1.3 and 1.2 only.
    "ssl_options.versions.1 = tlsv1.3",
    "ssl_options.versions.2 = tlsv1.2",
    // One JSON object per line, for the log pipeline.
    "log.console.formatter = json",
    "",
  ].join("\n");
}

/** Where the inter-node TLS files are mounted in the RabbitMQ container. */
const INTER_NODE_TLS_DIR = "/etc/rabbitmq/inter-node-tls";
const INTER_NODE_TLS_CONFIG = "/etc/rabbitmq/inter-node-tls.config";

/**
 * The Erlang distribution's TLS options (`-ssl_dist_optfile`): each node presents the server
 * certificate and verifies its peer's against the issuer's CA, both as server and as client; the
 * client checks the peer's host name (`<pod>.<name>-nodes.<ns>`, covered by a wildcard name).
 */
export function rabbitmqInterNodeTlsConfig(): string {
  const files = [`{cacertfile, "${INTER_NODE_TLS_DIR}/ca.crt"}`, `{certfile, "${INTER_NODE_TLS_DIR}/tls.crt"}`, `{keyfile, "${INTER_NODE_TLS_DIR}/tls.key"}`, "{secure_renegotiate, true}"];
  return [
    "[",
    "  {server, [",
    ...files.map((f) => `    ${f},`),
    "    {fail_if_no_peer_cert, true},",
    "    {verify, verify_peer}",
    "  ]},",
    "  {client, [",
    ...files.map((f) => `    ${f},`),
    "    {verify, verify_peer},",
    "    {customize_hostname_check, [{match_fun, public_key:pkix_verify_hostname_match_fun(https)}]}",
    "  ]}",
    "].",
    "",
  ].join("\n");
}

/** rabbitmq-env.conf lines switching the node and the CLI tools to TLS distribution. */
export function rabbitmqInterNodeEnvConfig(): string {
  const args = `-proto_dist inet_tls -ssl_dist_optfile ${INTER_NODE_TLS_CONFIG}`;
  return [`SERVER_ADDITIONAL_ERL_ARGS="${args}"`, `RABBITMQ_CTL_ERL_ARGS="${args}"`, ""].join("\n");
}

/**
 * What a client pod reads from its copy of the user's Secret: the parts (username, password, host,
 * port, vhost) and the AMQPS URL; with `managementApi`, the management API URL in the form KEDA's
 * RabbitMQ scaler takes (`https://user:pass@host:15671/vhost`).
 */
export function rabbitmqClientSecretData(
  user: Pick<RabbitmqUserArgs, "name" | "managementApi">,
  host: string,
  vhost: string,
  password: string,
): Record<string, string> {
  const auth = `${encodeURIComponent(user.name)}:${encodeURIComponent(password)}`;
  const path = encodeURIComponent(vhost);
  return {
    username: user.name,
    password,
    host,
    port: String(RABBITMQ_AMQPS_PORT),
    vhost,
    url: `amqps://${auth}@${host}:${RABBITMQ_AMQPS_PORT}/${path}`,
    ...(user.managementApi ? { managementUrl: `https://${auth}@${host}:${RABBITMQ_MANAGEMENT_TLS_PORT}/${path}` } : {}),
  };
}

export class RabbitmqBroker extends pulumi.ComponentResource {
  /** The RabbitmqCluster's name. */
  public readonly resourceName: pulumi.Output<string>;
  /** The client Service (`<resourceName>`) in the broker's namespace. */
  public readonly serviceName: pulumi.Output<string>;
  /** `<service>.<namespace>.svc` (the certificate's name). */
  public readonly host: pulumi.Output<string>;
  /** `<host>:5671`, AMQP over TLS. */
  public readonly amqpsAddress: pulumi.Output<string>;
  /** The vhost of the topology. */
  public readonly vhost: pulumi.Output<string>;
  /** User name → the Secret with its credentials in each of its client namespaces (keys username, password, host, port, vhost, url; managementUrl with managementApi). */
  public readonly userSecretNames: pulumi.Output<Record<string, string>>;
  /** Secret (broker namespace) with the server certificate and `ca.crt`. */
  public readonly tlsSecretName: pulumi.Output<string>;

  constructor(name: string, args: RabbitmqBrokerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RABBITMQ_BROKER_TYPE, name, {}, opts);
    const r = resolveRabbitmqBrokerArgs(name, args);
    const rn = r.resourceName;
    const ns = r.namespace;
    const labels = standardLabels(rn, rn, "event-bus", r.labels);
    const meta = (objectName: string, extra?: Labels) => ({ name: objectName, namespace: ns, labels: mergeLabels(labels, extra) });
    const crdDeps = crdDependencies("rabbitmq.com/v1beta1", r.crdInstallers);
    const stateful = statefulChildOptions(this, r.deletionProtection);
    const host = `${rn}.${ns}.svc`;
    const podSelector = rabbitmqPodSelector(rn);

    // Clients, the Topology Operator and Prometheus (serverName) verify `<rn>.<ns>.svc`; the
    // wildcards cover one node by its stable name under the headless `<rn>-nodes` Service, the
    // first being the node's own host name (inter-node TLS checks it).
    const svcNames = (s: string) => [s, `${s}.${ns}`, `${s}.${ns}.svc`, `${s}.${ns}.svc.cluster.local`];
    const cert = serverCertificate(this, name, rn, (o) => meta(o), {
      commonName: host,
      dnsNames: [...svcNames(rn), `*.${rn}-nodes.${ns}`, `*.${rn}-nodes.${ns}.svc`, `*.${rn}-nodes.${ns}.svc.cluster.local`],
      issuer: r.tls.issuer,
    });

    let interNode: { override: object; configMap: pulumi.Resource } | undefined;
    if (r.tls.interNode) {
      const configMapName = `${rn}-inter-node-tls`;
      const configMap = new k8s.core.v1.ConfigMap(
        `${name}-inter-node-tls`,
        { metadata: meta(configMapName), data: { "inter_node_tls.config": rabbitmqInterNodeTlsConfig() } },
        { parent: this },
      );
      // 0440: root-owned files the rabbitmq user (uid 999) reads through the pod's fsGroup 0.
      const mode = 0o440;
      interNode = {
        configMap,
        override: {
          statefulSet: {
            spec: {
              template: {
                spec: {
                  containers: [
                    {
                      name: "rabbitmq",
                      volumeMounts: [
                        { name: "inter-node-tls", mountPath: INTER_NODE_TLS_DIR, readOnly: true },
                        { name: "inter-node-tls-config", mountPath: INTER_NODE_TLS_CONFIG, subPath: "inter_node_tls.config", readOnly: true },
                      ],
                    },
                  ],
                  volumes: [
                    { name: "inter-node-tls", secret: { secretName: cert.secretName, defaultMode: mode, items: ["ca.crt", "tls.crt", "tls.key"].map((k) => ({ key: k, path: k })) } },
                    { name: "inter-node-tls-config", configMap: { name: configMapName, defaultMode: mode } },
                  ],
                },
              },
            },
          },
        },
      };
    }

    const cluster = new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      {
        apiVersion: "rabbitmq.com/v1beta1",
        kind: "RabbitmqCluster",
        metadata: meta(rn),
        spec: {
          replicas: r.replicas,
          image: r.image,
          resources: r.resources,
          persistence: { storageClassName: r.storage.storageClassName, storage: r.storage.size },
          // The operator's pod already meets "restricted" (non-root uid 999, RuntimeDefault
          // seccomp, no privilege escalation, ALL capabilities dropped, read-only root filesystem),
          // so no statefulSet override is needed for Pod Security.
          tls: { secretName: cert.secretName, disableNonTLSListeners: true },
          rabbitmq: { additionalConfig: rabbitmqAdditionalConfig(), ...(interNode ? { envConfig: rabbitmqInterNodeEnvConfig() } : {}) },
          ...(interNode ? { override: interNode.override } : {}),
          service: { type: "ClusterIP" },
          // The operator spreads over zones; this also keeps two nodes off one machine.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": rn } } } },
              ],
            },
          },
        },
      },
      { ...stateful, dependsOn: [...crdDeps, cert.resource, ...(interNode ? [interNode.configMap] : [])] },
    );

    if (r.replicas > 1) {
      // The operator makes no PDB; a drain must never take two nodes of a quorum at once.
      new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, { metadata: meta(rn), spec: { maxUnavailable: 1, selector: { matchLabels: podSelector } } }, { parent: this });
    }

    if (r.metrics.enabled) {
      const tlsConfig = { ca: { secret: { name: cert.secretName, key: "ca.crt" } }, serverName: host };
      const endpoint = { port: "prometheus-tls", scheme: "https", interval: "30s", tlsConfig };
      new k8s.apiextensions.CustomResource(
        `${name}-podmonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PodMonitor",
          metadata: meta(rn, r.metrics.labels),
          spec: {
            selector: { matchLabels: podSelector },
            namespaceSelector: { matchNames: [ns] },
            podMetricsEndpoints: [
              // Node totals (memory and disk alarms, connections, messages in and out).
              { ...endpoint, path: "/metrics" },
              // Per-queue depth and consumers in our vhost: a dead-letter queue that fills is the alert.
              { ...endpoint, path: "/metrics/detailed", params: { family: ["queue_coarse_metrics", "queue_consumer_count"], vhost: [r.vhost] } },
            ],
          },
        },
        { parent: this, dependsOn: [cluster] },
      );
    }

    const clusterRef = { name: rn };
    // Every rabbitmq.com resource counts as data-service state (model/stateful.ts): all follow
    // deletion protection, even those that hold no message (exchanges, bindings, users).
    const topology = { ...stateful, dependsOn: [...crdDeps, cluster] };
    const retention = r.deletionProtection ? { deletionPolicy: "retain" } : {};
    const vhost = new k8s.apiextensions.CustomResource(
      `${name}-vhost`,
      {
        apiVersion: "rabbitmq.com/v1beta1",
        kind: "Vhost",
        metadata: meta(`${rn}-${r.vhost}`),
        spec: { name: r.vhost, defaultQueueType: "quorum", rabbitmqClusterReference: clusterRef, ...retention },
      },
      topology,
    );
    const inVhost = { ...topology, dependsOn: [...topology.dependsOn, vhost] };

    const exchange = (id: string, exchangeName: string, type: string) =>
      new k8s.apiextensions.CustomResource(
        `${name}-exchange-${id}`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "Exchange",
          metadata: meta(`${rn}-exchange-${exchangeName}`),
          spec: { name: exchangeName, vhost: r.vhost, type, durable: true, autoDelete: false, rabbitmqClusterReference: clusterRef },
        },
        inVhost,
      );
    const exchanges = new Map<string, pulumi.Resource>();
    const dlx = exchange("dead-letter", RABBITMQ_DEAD_LETTER_EXCHANGE, "direct");
    for (const e of r.exchanges) exchanges.set(e.name, exchange(e.name, e.name, e.type));

    const queue = (id: string, queueName: string) =>
      new k8s.apiextensions.CustomResource(
        `${name}-queue-${id}`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "Queue",
          metadata: meta(`${rn}-queue-${queueName.replace(/\.dlq$/, "-dlq")}`),
          spec: { name: queueName, vhost: r.vhost, type: "quorum", durable: true, autoDelete: false, rabbitmqClusterReference: clusterRef, ...retention },
        },
        inVhost,
      );
    const binding = (id: string, source: string, sourceResource: pulumi.Resource, destination: pulumi.Resource, queueName: string, routingKey: string) =>
      new k8s.apiextensions.CustomResource(
        `${name}-binding-${id}`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "Binding",
          metadata: meta(`${rn}-binding-${id}`),
          spec: { vhost: r.vhost, source, destination: queueName, destinationType: "queue", routingKey, rabbitmqClusterReference: clusterRef },
        },
        // A binding's spec cannot be updated either: a new routing key is a new binding.
        { ...inVhost, dependsOn: [...inVhost.dependsOn, sourceResource, destination], replaceOnChanges: ["spec"], deleteBeforeReplace: true },
      );

    for (const q of r.queues) {
      const dlqName = q.name + RABBITMQ_DLQ_SUFFIX;
      const main = queue(q.name, q.name);
      const dlq = queue(`${q.name}-dlq`, dlqName);
      binding(q.name, q.exchange, exchanges.get(q.exchange)!, main, q.name, q.routingKey);
      binding(`${q.name}-dlq`, RABBITMQ_DEAD_LETTER_EXCHANGE, dlx, dlq, dlqName, q.name);
      new k8s.apiextensions.CustomResource(
        `${name}-dead-lettering-${q.name}`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "Policy",
          metadata: meta(`${rn}-dead-lettering-${q.name}`),
          spec: {
            name: `dead-lettering-${q.name}`,
            vhost: r.vhost,
            pattern: exactNamesRegex([q.name]),
            applyTo: "quorum_queues",
            definition: deadLetterPolicyDefinition(q.name, q.deliveryLimit),
            rabbitmqClusterReference: clusterRef,
          },
        },
        { ...inVhost, dependsOn: [...inVhost.dependsOn, main, dlq] },
      );
    }

    const userSecretNames: Record<string, string> = {};
    for (const u of r.users) {
      const password = new random.RandomPassword(`${name}-user-${u.name}-password`, { length: 32, special: false }, { parent: this });
      // The Topology Operator reads the credentials to set only from a Secret in the User's namespace.
      const importSecretName = `${rn}-${u.name}-credentials`;
      const importSecret = new k8s.core.v1.Secret(
        `${name}-user-${u.name}-credentials`,
        { metadata: meta(importSecretName), type: "Opaque", stringData: { username: u.name, password: password.result } },
        { parent: this },
      );
      const user = new k8s.apiextensions.CustomResource(
        `${name}-user-${u.name}`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "User",
          metadata: meta(`${rn}-${u.name}`),
          spec: { tags: u.managementApi ? ["management"] : [], importCredentialsSecret: { name: importSecretName }, rabbitmqClusterReference: clusterRef },
        },
        { ...topology, dependsOn: [...topology.dependsOn, importSecret] },
      );
      new k8s.apiextensions.CustomResource(
        `${name}-permission-${u.name}`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "Permission",
          metadata: meta(`${rn}-${u.name}-${r.vhost}`),
          spec: { vhost: r.vhost, userReference: { name: `${rn}-${u.name}` }, permissions: rabbitmqUserPermissions(u), rabbitmqClusterReference: clusterRef },
        },
        { ...inVhost, dependsOn: [...inVhost.dependsOn, user] },
      );
      // Pods read Secrets only in their own namespace: each client namespace gets its copy.
      const secretName = rabbitmqUserSecretName(rn, u.name);
      userSecretNames[u.name] = secretName;
      const stringData = pulumi.secret(password.result.apply((pw) => rabbitmqClientSecretData(u, host, r.vhost, pw)));
      for (const clientNs of u.clientNamespaces) {
        new k8s.core.v1.Secret(
          `${name}-user-${u.name}-${clientNs}`,
          { metadata: { name: secretName, namespace: clientNs, labels }, type: "Opaque", stringData },
          { parent: this },
        );
      }
    }

    this.resourceName = pulumi.output(rn);
    this.serviceName = pulumi.output(rn);
    this.host = pulumi.output(host);
    this.amqpsAddress = pulumi.output(`${host}:${RABBITMQ_AMQPS_PORT}`);
    this.vhost = pulumi.output(r.vhost);
    this.userSecretNames = pulumi.output(userSecretNames);
    this.tlsSecretName = pulumi.output(cert.secretName);
    this.registerOutputs({
      resourceName: this.resourceName,
      serviceName: this.serviceName,
      host: this.host,
      amqpsAddress: this.amqpsAddress,
      vhost: this.vhost,
      userSecretNames: this.userSecretNames,
      tlsSecretName: this.tlsSecretName,
    });
  }
}

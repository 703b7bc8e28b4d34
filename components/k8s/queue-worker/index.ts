/**
 * QueueWorker: a consumer of one RabbitMQ queue (shareyoursales.md § Architecture Microservices:
 * the email, notification and invoice workers behind the event bus; § Absence de Queue System:
 * "Worker séparé traite les notifications"), scaled on the queue's length by KEDA: a Deployment
 * with its own ServiceAccount, a `keda.sh/v1alpha1` ScaledObject with a `rabbitmq` trigger
 * (mode QueueLength), the TriggerAuthentication that reads the broker's address and credentials from
 * a Secret in the worker's namespace, and a PodDisruptionBudget when at least two replicas stay up.
 *
 * Retries belong to the queue, not to the worker: the broker's quorum queue has a delivery limit and
 * a dead-letter queue (components/k8s/rabbitmq); the worker only gets both names as environment.
 *
 * Or, with `trigger`, a consumer of one list of a Redis Cluster (crm-courtier.md: Laravel queues
 * high, default, low on Redis, "Queue depth > 100 jobs" alert): KEDA's `redis-cluster` scaler on
 * the list's length, AUTH password and CA from Secrets of the worker's namespace. Laravel keeps
 * its failed jobs itself (failed_jobs table), so there is no dead-letter queue there.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { crdDependencies, type CrdInstaller } from "../common/helm-addon";
import { assertResources, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, zoneSpread, type ResourceSpec } from "../common/pod-security";
import { SENSITIVE_ENV_NAME, TRUSTED_CA_MOUNT, type SecretRef } from "../web-app";

export const QUEUE_WORKER_TYPE = "platform:k8s:QueueWorker";

/** API version of KEDA's ScaledObject and TriggerAuthentication (KEDA 2.x, vendor/crds/keda). */
export const KEDA_API_VERSION = "keda.sh/v1alpha1";

/**
 * KEDA's own default target of the rabbitmq scaler (`defaultRabbitMQQueueLength`, 20 messages per
 * replica), set explicitly: shareyoursales.md gives no throughput per worker.
 */
export const DEFAULT_MESSAGES_PER_REPLICA = 20;

/** Where the worker's broker connection comes from: the Secret the broker copies into the worker's namespace. */
export interface QueueWorkerBrokerArgs {
  /** Secret in the worker's namespace (KEDA, like the pod, reads it there). */
  secretName: pulumi.Input<string>;
  /**
   * Key holding the broker's `amqps://host:5671/vhost` URL (credentials in it are optional: the
   * username/password keys override them). KEDA infers the protocol from the scheme, so the value
   * must be a URL, not a bare host name.
   * @default "url"
   */
  urlKey?: string;
  /** @default "username" */
  usernameKey?: string;
  /** @default "password" */
  passwordKey?: string;
  /**
   * Vhost KEDA inspects the queue in, when it differs from the URL's.
   * @default undefined (the URL's vhost)
   */
  vhost?: string;
  /**
   * The CA that signed the broker's certificate (a private CA): KEDA gets it as its `ca` with
   * `tls: enable`, and the worker has it mounted at `/etc/platform-ca/ca.crt` (env `AMQP_CA_FILE`).
   * Unset, both trust only the public roots, which a private broker certificate fails.
   * @default undefined
   */
  ca?: { secretName: pulumi.Input<string>; /** @default "ca.crt" */ key?: string };
}

/**
 * The second trigger kind: a worker draining one list of a Redis Cluster (crm-courtier.md: Laravel
 * queues high, default, low on Redis), scaled by KEDA's `redis-cluster` scaler on the list's length
 * (LLEN). KEDA resolves the cluster's slots itself, so any reachable nodes will do as seeds.
 */
export interface QueueWorkerRedisClusterListTrigger {
  kind: "redis-cluster-list";
  /** Seed nodes as `host:port` (the cluster's leader Service, e.g. `crm-redis-leader.crm-data.svc:6379`). */
  addresses: string[];
  /**
   * The full Redis key of the list, prefix included: Laravel pushes queue `high` to
   * `<redis prefix>queues:{high}` (its Redis-cluster queues need the `{…}` hash tag, so a job's list,
   * `:delayed` and `:reserved` keys share one slot). Must contain a non-empty `{…}` hash tag.
   */
  listName: string;
  /**
   * Target of the scaler: jobs waiting per replica (KEDA `listLength`).
   * @default DEFAULT_MESSAGES_PER_REPLICA (20): with the default 5 replicas, the fleet is at its
   * maximum when 100 jobs wait, the "Queue depth > 100 jobs" alert of crm-courtier.md
   */
  listLength?: number;
  /** The AUTH password: a Secret in the worker's namespace (the redis-cluster component copies it there). */
  password: { secretName: pulumi.Input<string>; /** @default "password" */ key?: string };
  /**
   * TLS to the nodes, verified with the CA that signed their certificate (a Secret in the worker's
   * namespace): KEDA gets it as its `ca` with `enableTLS`, the worker at `/etc/platform-ca/ca.crt`
   * (env `REDIS_CA_FILE`). `false` only for a cluster without TLS: the password then crosses the
   * network in clear, so it must be said explicitly.
   */
  tls: { ca: { secretName: pulumi.Input<string>; /** @default "ca.crt" */ key?: string } } | false;
}

/** Probes on a heartbeat file the worker touches. */
export interface QueueWorkerHeartbeatProbes {
  /** @default "/tmp/worker-heartbeat" (under a writable path) */
  heartbeatFile?: string;
  /** Age after which the worker is not ready and, three periods later, restarted. @default 120 */
  heartbeatTimeoutSeconds?: number;
}

/** Probes the image provides. */
export interface QueueWorkerCommandProbes {
  livenessCommand: string[];
  readinessCommand: string[];
}

export interface QueueWorkerArgs extends CommonArgs {
  /** Namespace the worker runs in (the broker's credentials Secret must be there). */
  namespace: string;
  /** Container image; must be pinned (model/images.ts). */
  image: string;
  /**
   * RabbitMQ queue the worker consumes and KEDA measures (the default trigger). Required unless
   * `trigger` is given, refused with it.
   * @default undefined
   */
  queue?: string;
  /**
   * Dead-letter queue of `queue` (where the broker moves a message after its delivery limit),
   * given to the worker for inspection and replay tooling.
   * RabbitMQ only.
   * @default `${queue}.dlq` (the broker component's naming)
   */
  deadLetterQueue?: string;
  /**
   * The RabbitMQ connection: Secret and keys. Required with `queue`, refused with `trigger`.
   * @default undefined
   */
  broker?: QueueWorkerBrokerArgs;
  /**
   * Another source than RabbitMQ: a Redis Cluster list (Laravel's Redis queues). Replaces
   * `queue`, `deadLetterQueue`, `broker` and `messagesPerReplica` (its `listLength` is the target).
   * @default undefined (RabbitMQ, from `queue` and `broker`)
   */
  trigger?: QueueWorkerRedisClusterListTrigger;
  /**
   * Replicas KEDA keeps when the queue is empty. 0 scales the worker to zero (first message then
   * waits for a poll and a pod start).
   * @default 1
   */
  minReplicas?: number;
  /**
   * Upper bound of the scaling; must be ≥ minReplicas and ≥ 1.
   * @default 5
   */
  maxReplicas?: number;
  /**
   * Target of the rabbitmq trigger in QueueLength mode: ready messages per replica (RabbitMQ
   * only; a Redis trigger has its own `listLength`).
   * @default DEFAULT_MESSAGES_PER_REPLICA (20)
   */
  messagesPerReplica?: number;
  /**
   * Seconds between two reads of the queue length by KEDA.
   * @default 30 (KEDA's default)
   */
  pollingIntervalSeconds?: number;
  /**
   * Seconds after the last active poll before KEDA scales to zero (only matters with minReplicas 0).
   * @default 300 (KEDA's default)
   */
  cooldownPeriodSeconds?: number;
  /**
   * Container command (entrypoint override, e.g. `["celery", "-A", "app", "worker"]`).
   * @default undefined (the image's entrypoint)
   */
  command?: string[];
  /** Container arguments. @default undefined */
  args?: string[];
  /**
   * Plain environment variables. Names that look sensitive are refused (use `secretEnv`), and
   * the names the component sets (QUEUE_NAME, DEAD_LETTER_QUEUE_NAME, AMQP_*; REDIS_* with a Redis
   * trigger) are reserved.
   * @default {}
   */
  env?: Record<string, pulumi.Input<string>>;
  /** Environment variables read from Secrets in the worker's namespace. @default {} */
  secretEnv?: Record<string, SecretRef>;
  /**
   * Container resources (what each replica adds to the namespace quota, times maxReplicas).
   * @default { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } }
   */
  resources?: ResourceSpec;
  /**
   * Exec probes (a queue consumer serves no port, so there is nothing for an HTTP or TCP probe to
   * call, and the policy pack requires a readiness and a liveness probe on long-running containers
   * in prod). Either the heartbeat contract: the worker touches `heartbeatFile` at least every
   * `heartbeatTimeoutSeconds / 2` while its consumer is connected (a timer, not only on messages),
   * and both probes check the file's age with the image's shell, `date` and `stat` (busybox or
   * coreutils); or the image's own commands (e.g. `celery inspect ping`).
   * @default { heartbeatFile: "/tmp/worker-heartbeat", heartbeatTimeoutSeconds: 120 }
   */
  probes?: QueueWorkerHeartbeatProbes | QueueWorkerCommandProbes;
  /**
   * Seconds a pod has to finish its in-flight message after SIGTERM (a scale-down or a rollout):
   * an unacknowledged message is redelivered, so this bounds duplicate work, not loss.
   * @default 60
   */
  terminationGracePeriodSeconds?: number;
  /**
   * Numeric user/group the container runs as.
   * @default 1001
   */
  runAsUser?: number;
  /**
   * Writable directories (emptyDir) under the read-only root filesystem.
   * @default ["/tmp"]
   */
  writablePaths?: string[];
  /**
   * Annotations on the worker's ServiceAccount (e.g. `iam.gke.io/gcp-service-account` for an
   * invoice worker writing to GCS).
   * @default {}
   */
  serviceAccountAnnotations?: Record<string, string>;
  /**
   * Releases installing the keda.sh CRDs when KEDA is in the same stack; the ScaledObject and
   * TriggerAuthentication wait for them. Empty when KEDA comes from the shared stack (deployed first).
   * @default []
   */
  crdInstallers?: (CrdInstaller | pulumi.Resource)[];
  /**
   * Name of the Kubernetes objects.
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedRabbitMqTrigger {
  kind: "rabbitmq";
  queue: string;
  deadLetterQueue: string;
  broker: Required<Omit<QueueWorkerBrokerArgs, "vhost" | "ca">> & { vhost?: string; ca?: { secretName: pulumi.Input<string>; key: string } };
}

export interface ResolvedRedisClusterListTrigger {
  kind: "redis-cluster-list";
  addresses: string[];
  listName: string;
  password: { secretName: pulumi.Input<string>; key: string };
  tls: { ca: { secretName: pulumi.Input<string>; key: string } } | false;
}

export interface ResolvedQueueWorkerArgs {
  namespace: string;
  resourceName: string;
  image: string;
  trigger: ResolvedRabbitMqTrigger | ResolvedRedisClusterListTrigger;
  minReplicas: number;
  maxReplicas: number;
  /** The scaler's target per replica: `messagesPerReplica` (RabbitMQ) or the trigger's `listLength` (Redis). */
  messagesPerReplica: number;
  pollingIntervalSeconds: number;
  cooldownPeriodSeconds: number;
  command?: string[];
  args?: string[];
  env: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, SecretRef>;
  resources: ResourceSpec;
  /** The exec commands of the readiness and liveness probes, and the liveness period. */
  probes: { readinessCommand: string[]; livenessCommand: string[]; periodSeconds: number };
  terminationGracePeriodSeconds: number;
  runAsUser: number;
  writablePaths: string[];
  serviceAccountAnnotations: Record<string, string>;
  crdInstallers: (CrdInstaller | pulumi.Resource)[];
  /** A PodDisruptionBudget is made only when minReplicas ≥ 2 (with one replica it would block node drains). */
  podDisruptionBudget: boolean;
  labels: Labels;
}

/** Environment variables the component sets itself. */
export const QUEUE_WORKER_ENV = ["QUEUE_NAME", "DEAD_LETTER_QUEUE_NAME", "AMQP_URL", "AMQP_USERNAME", "AMQP_PASSWORD", "AMQP_CA_FILE"] as const;

/** Environment variables the component sets itself with a Redis Cluster list trigger. */
export const REDIS_QUEUE_WORKER_ENV = ["REDIS_CLUSTER_ADDRESSES", "REDIS_LIST_NAME", "REDIS_PASSWORD", "REDIS_CA_FILE"] as const;

const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,255}$/;
const REDIS_ADDRESS = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:([1-9]\d{0,4})$/;
/** A Redis key KEDA can take in its metadata: printable, no space or comma, with a non-empty `{…}` hash tag. */
const REDIS_LIST_NAME = /^[!-+\--~]{1,255}$/;
const HASH_TAG = /\{[^{}]+\}/;

/** Resolves the Redis Cluster list trigger, refusing the RabbitMQ arguments beside it. */
function resolveRedisTrigger(fail: (detail: string) => never, args: QueueWorkerArgs, t: QueueWorkerRedisClusterListTrigger): { trigger: ResolvedRedisClusterListTrigger; listLength: number } {
  if (t.kind !== "redis-cluster-list") fail(`trigger.kind must be "redis-cluster-list" (RabbitMQ is the default, from queue and broker), got "${String(t.kind)}"`);
  const rabbit = (["queue", "deadLetterQueue", "broker", "messagesPerReplica"] as const).filter((k) => args[k] !== undefined);
  if (rabbit.length > 0) fail(`${rabbit.join(", ")} configure the RabbitMQ trigger, but trigger is a ${t.kind}: drop them (the list's own listLength is the target)`);
  if (t.addresses.length === 0) fail("trigger.addresses is empty: expected host:port seed nodes of the Redis Cluster, e.g. redis-leader.data.svc:6379");
  for (const a of t.addresses) {
    const m = REDIS_ADDRESS.exec(a);
    if (!m || Number(m[2]) > 65535) fail(`trigger.addresses has "${a}", expected a lowercase host:port`);
  }
  if (new Set(t.addresses).size !== t.addresses.length) fail(`trigger.addresses lists a node twice: ${t.addresses.join(", ")}`);
  if (!REDIS_LIST_NAME.test(t.listName)) fail(`trigger.listName must be a Redis key of 1 to 255 printable characters without space or comma, got "${t.listName}"`);
  if (!HASH_TAG.test(t.listName)) {
    fail(`trigger.listName "${t.listName}" has no {…} hash tag: on a Redis Cluster, Laravel's queue keys (the list, :delayed, :reserved) must share a slot, so the queue is named {high} and its list is "<prefix>queues:{high}"`);
  }
  const listLength = t.listLength ?? DEFAULT_MESSAGES_PER_REPLICA;
  if (!Number.isInteger(listLength) || listLength < 1) fail(`trigger.listLength must be an integer ≥ 1 (jobs per replica), got ${listLength}`);
  if (t.tls === undefined) fail("trigger.tls is missing: expected { ca: { secretName } } (the CA of the nodes' certificates), or false for a cluster without TLS");
  return {
    trigger: {
      kind: "redis-cluster-list",
      addresses: t.addresses,
      listName: t.listName,
      password: { secretName: t.password.secretName, key: t.password.key ?? "password" },
      tls: t.tls ? { ca: { secretName: t.tls.ca.secretName, key: t.tls.ca.key ?? "ca.crt" } } : false,
    },
    listLength,
  };
}

/** Applies QueueWorker defaults and rejects contradictory or unsafe arguments. */
export function resolveQueueWorkerArgs(name: string, args: QueueWorkerArgs): ResolvedQueueWorkerArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(QUEUE_WORKER_TYPE, name, detail);
  };
  assertPinnedImage(QUEUE_WORKER_TYPE, name, "image", args.image);
  let trigger: ResolvedQueueWorkerArgs["trigger"];
  let messagesPerReplica: number;
  if (args.trigger !== undefined) {
    const redis = resolveRedisTrigger(fail, args, args.trigger);
    trigger = redis.trigger;
    messagesPerReplica = redis.listLength;
  } else {
    if (args.queue === undefined || args.broker === undefined) {
      fail(`queue and broker are required for the default RabbitMQ trigger (got ${args.queue === undefined ? "no queue" : "queue"} and ${args.broker === undefined ? "no broker" : "broker"}); or give trigger for a Redis Cluster list`);
    }
    const queue = args.queue!;
    if (!QUEUE_NAME.test(queue)) fail(`queue must be a RabbitMQ queue name (letters, digits, "_.:-", 1 to 255), got "${queue}"`);
    const deadLetterQueue = args.deadLetterQueue ?? `${queue}.dlq`;
    if (!QUEUE_NAME.test(deadLetterQueue)) fail(`deadLetterQueue must be a RabbitMQ queue name, got "${deadLetterQueue}"`);
    if (deadLetterQueue === queue) fail(`deadLetterQueue must differ from queue ("${queue}"): a message dead-lettered into its own queue is retried forever`);
    messagesPerReplica = args.messagesPerReplica ?? DEFAULT_MESSAGES_PER_REPLICA;
    if (!Number.isInteger(messagesPerReplica) || messagesPerReplica < 1) fail(`messagesPerReplica must be an integer ≥ 1, got ${messagesPerReplica}`);
    const b = args.broker!;
    trigger = {
      kind: "rabbitmq",
      queue,
      deadLetterQueue,
      broker: {
        secretName: b.secretName,
        urlKey: b.urlKey ?? "url",
        usernameKey: b.usernameKey ?? "username",
        passwordKey: b.passwordKey ?? "password",
        ...(b.vhost !== undefined ? { vhost: b.vhost } : {}),
        ...(b.ca ? { ca: { secretName: b.ca.secretName, key: b.ca.key ?? "ca.crt" } } : {}),
      },
    };
  }

  const minReplicas = args.minReplicas ?? 1;
  const maxReplicas = args.maxReplicas ?? 5;
  if (!Number.isInteger(minReplicas) || minReplicas < 0) fail(`minReplicas must be an integer ≥ 0, got ${minReplicas}`);
  if (!Number.isInteger(maxReplicas) || maxReplicas < 1) fail(`maxReplicas must be an integer ≥ 1, got ${maxReplicas}`);
  if (maxReplicas < minReplicas) fail(`maxReplicas (${maxReplicas}) is below minReplicas (${minReplicas})`);
  const pollingIntervalSeconds = args.pollingIntervalSeconds ?? 30;
  if (!Number.isInteger(pollingIntervalSeconds) || pollingIntervalSeconds < 5 || pollingIntervalSeconds > 3600) {
    fail(`pollingIntervalSeconds must be an integer from 5 to 3600 (each poll opens a connection to the broker), got ${pollingIntervalSeconds}`);
  }
  const cooldownPeriodSeconds = args.cooldownPeriodSeconds ?? 300;
  if (!Number.isInteger(cooldownPeriodSeconds) || cooldownPeriodSeconds < 0) fail(`cooldownPeriodSeconds must be an integer ≥ 0, got ${cooldownPeriodSeconds}`);
  if (minReplicas > 0 && args.cooldownPeriodSeconds !== undefined) {
    fail(`cooldownPeriodSeconds (${args.cooldownPeriodSeconds}) only applies when scaling to zero, but minReplicas is ${minReplicas}: set minReplicas to 0 or drop cooldownPeriodSeconds`);
  }

  const resources = args.resources ?? { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
  assertResources(QUEUE_WORKER_TYPE, name, "resources", resources);

  const env = args.env ?? {};
  const secretEnv = args.secretEnv ?? {};
  const reserved = new Set<string>(trigger.kind === "rabbitmq" ? QUEUE_WORKER_ENV : REDIS_QUEUE_WORKER_ENV);
  const from = trigger.kind === "rabbitmq" ? "queue, deadLetterQueue and broker" : "trigger";
  for (const key of [...Object.keys(env), ...Object.keys(secretEnv)]) {
    if (reserved.has(key)) fail(`${key} is set by the component (from ${from}): do not set it in env or secretEnv`);
  }
  for (const key of Object.keys(env)) {
    if (SENSITIVE_ENV_NAME.test(key)) fail(`env.${key} looks sensitive: pass it through secretEnv (secretKeyRef), never as a plain value`);
    if (key in secretEnv) fail(`${key} is set in both env and secretEnv`);
  }
  const writablePaths = args.writablePaths ?? ["/tmp"];
  let probes: ResolvedQueueWorkerArgs["probes"];
  const given = args.probes;
  if (given && "livenessCommand" in given) {
    if (given.livenessCommand.length === 0 || given.readinessCommand.length === 0) fail("probes.livenessCommand and probes.readinessCommand must both be non-empty commands");
    probes = { livenessCommand: given.livenessCommand, readinessCommand: given.readinessCommand, periodSeconds: 30 };
  } else {
    const file = given?.heartbeatFile ?? "/tmp/worker-heartbeat";
    const timeout = given?.heartbeatTimeoutSeconds ?? 120;
    if (!Number.isInteger(timeout) || timeout < 10) fail(`probes.heartbeatTimeoutSeconds must be an integer ≥ 10, got ${timeout}`);
    if (!/^\/[A-Za-z0-9._\/-]+$/.test(file)) fail(`probes.heartbeatFile must be an absolute path of plain characters, got "${file}"`);
    // On a read-only root filesystem, the file can only be under one of the writable paths.
    if (!writablePaths.some((w) => file.startsWith(`${w.replace(/\/+$/, "")}/`))) {
      fail(`probes.heartbeatFile "${file}" is not under a writable path (${writablePaths.join(", ")}): the worker could not write it on the read-only root filesystem`);
    }
    const check = ["/bin/sh", "-c", `test $(( $(date +%s) - $(stat -c %Y ${file}) )) -lt ${timeout}`];
    probes = { livenessCommand: check, readinessCommand: check, periodSeconds: Math.max(10, Math.floor(timeout / 2)) };
  }
  const terminationGracePeriodSeconds = args.terminationGracePeriodSeconds ?? 60;
  if (!Number.isInteger(terminationGracePeriodSeconds) || terminationGracePeriodSeconds < 1) fail(`terminationGracePeriodSeconds must be a positive integer, got ${terminationGracePeriodSeconds}`);
  const runAsUser = args.runAsUser ?? 1001;
  if (!Number.isInteger(runAsUser) || runAsUser < 1) fail(`runAsUser must be a non-root numeric user (≥ 1), got ${runAsUser}`);

  return {
    namespace: args.namespace,
    resourceName: args.resourceName ?? name,
    image: args.image,
    trigger,
    minReplicas,
    maxReplicas,
    messagesPerReplica,
    pollingIntervalSeconds,
    cooldownPeriodSeconds,
    command: args.command,
    args: args.args,
    env,
    secretEnv,
    resources,
    probes,
    terminationGracePeriodSeconds,
    runAsUser,
    writablePaths,
    serviceAccountAnnotations: args.serviceAccountAnnotations ?? {},
    crdInstallers: args.crdInstallers ?? [],
    podDisruptionBudget: minReplicas >= 2,
    labels: args.labels ?? {},
  };
}

/** The label selector of a QueueWorker's pods (for the network flows to the broker). */
export function queueWorkerPodSelector(resourceName: string): Labels {
  return { "app.kubernetes.io/name": resourceName, "app.kubernetes.io/component": "worker" };
}

export class QueueWorker extends pulumi.ComponentResource {
  public readonly deploymentName: pulumi.Output<string>;
  public readonly scaledObjectName: pulumi.Output<string>;
  /** Labels of the worker's pods (network flows from them to the broker). */
  public readonly podSelector: Labels;

  constructor(name: string, args: QueueWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(QUEUE_WORKER_TYPE, name, {}, opts);
    const r = resolveQueueWorkerArgs(name, args);
    const selector = queueWorkerPodSelector(r.resourceName);
    const labels = standardLabels(r.resourceName, r.resourceName, "worker", r.labels);
    const meta = (suffix = "") => ({ name: `${r.resourceName}${suffix}`, namespace: r.namespace, labels });

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { ...meta(), annotations: r.serviceAccountAnnotations }, automountServiceAccountToken: false },
      { parent: this },
    );

    const t = r.trigger;
    const secretRef = (secretName: pulumi.Input<string>, key: string) => ({ valueFrom: { secretKeyRef: { name: secretName, key } } });
    // The CA the worker and KEDA verify the broker's certificate with, whichever the broker.
    const ca = t.kind === "rabbitmq" ? t.broker.ca : t.tls ? t.tls.ca : undefined;
    const triggerEnv =
      t.kind === "rabbitmq"
        ? [
            { name: "QUEUE_NAME", value: t.queue },
            { name: "DEAD_LETTER_QUEUE_NAME", value: t.deadLetterQueue },
            { name: "AMQP_URL", ...secretRef(t.broker.secretName, t.broker.urlKey) },
            { name: "AMQP_USERNAME", ...secretRef(t.broker.secretName, t.broker.usernameKey) },
            { name: "AMQP_PASSWORD", ...secretRef(t.broker.secretName, t.broker.passwordKey) },
            ...(ca ? [{ name: "AMQP_CA_FILE", value: `${TRUSTED_CA_MOUNT}/ca.crt` }] : []),
          ]
        : [
            { name: "REDIS_CLUSTER_ADDRESSES", value: t.addresses.join(",") },
            { name: "REDIS_LIST_NAME", value: t.listName },
            { name: "REDIS_PASSWORD", ...secretRef(t.password.secretName, t.password.key) },
            ...(ca ? [{ name: "REDIS_CA_FILE", value: `${TRUSTED_CA_MOUNT}/ca.crt` }] : []),
          ];
    const env = [
      ...triggerEnv,
      ...Object.entries(r.env).map(([envName, value]) => ({ name: envName, value })),
      ...Object.entries(r.secretEnv).map(([envName, ref]) => ({ name: envName, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } })),
    ];
    const volumeName = (path: string) => `writable${path.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.replace(/-+$/, "");
    const volumes = [
      ...r.writablePaths.map((path) => ({ name: volumeName(path), emptyDir: { sizeLimit: "1Gi" } })),
      // Only the CA certificate is projected, whatever else its Secret holds.
      ...(ca ? [{ name: "broker-ca", secret: { secretName: ca.secretName, items: [{ key: ca.key, path: "ca.crt" }] } }] : []),
    ];
    const volumeMounts = [
      ...r.writablePaths.map((path) => ({ name: volumeName(path), mountPath: path })),
      ...(ca ? [{ name: "broker-ca", mountPath: TRUSTED_CA_MOUNT, readOnly: true }] : []),
    ];

    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta(),
        spec: {
          // KEDA owns the count once running; this is the count before its first poll.
          replicas: Math.max(r.minReplicas, 1),
          revisionHistoryLimit: 5,
          selector: { matchLabels: selector },
          // A new consumer starts before an old one stops: the queue keeps draining during a rollout.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels: mergeLabels(labels, selector) },
            spec: {
              serviceAccountName: serviceAccount.metadata.name,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurityContext(r.runAsUser),
              // Spread for availability, never at the cost of a pending consumer.
              topologySpreadConstraints: zoneSpread(selector, "ScheduleAnyway"),
              terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
              containers: [
                {
                  name: "worker",
                  image: r.image,
                  imagePullPolicy: "IfNotPresent",
                  ...(r.command ? { command: r.command } : {}),
                  ...(r.args ? { args: r.args } : {}),
                  env,
                  resources: r.resources,
                  securityContext: restrictedContainerSecurityContext(),
                  // Ready once the consumer runs (a rollout waits for it before stopping an old one);
                  // restarted after three missed periods.
                  readinessProbe: { exec: { command: r.probes.readinessCommand }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                  livenessProbe: {
                    exec: { command: r.probes.livenessCommand },
                    initialDelaySeconds: 30,
                    periodSeconds: r.probes.periodSeconds,
                    timeoutSeconds: 10,
                    failureThreshold: 3,
                  },
                  volumeMounts,
                },
              ],
              volumes,
            },
          },
        },
      },
      // KEDA's HPA owns the replica count: a redeploy must not reset it.
      { parent: this, ignoreChanges: ["spec.replicas"] },
    );

    const crdDeps = crdDependencies(KEDA_API_VERSION, r.crdInstallers);

    // KEDA's operator resolves these parameters from Secrets of the ScaledObject's namespace.
    let tlsConfig: k8s.core.v1.ConfigMap | undefined;
    let authSpec: Record<string, unknown>;
    let triggerSpec: { type: string; metadata: Record<string, string> };
    if (t.kind === "rabbitmq") {
      // `tls` is not a secret, but the rabbitmq scaler reads it only as an authentication
      // parameter, so it comes from a ConfigMap.
      if (ca) {
        tlsConfig = new k8s.core.v1.ConfigMap(`${name}-keda-tls`, { metadata: meta("-keda-tls"), data: { tls: "enable" } }, { parent: this });
      }
      authSpec = {
        secretTargetRef: [
          { parameter: "host", name: t.broker.secretName, key: t.broker.urlKey },
          { parameter: "username", name: t.broker.secretName, key: t.broker.usernameKey },
          { parameter: "password", name: t.broker.secretName, key: t.broker.passwordKey },
          ...(ca ? [{ parameter: "ca", name: ca.secretName, key: ca.key }] : []),
        ],
        ...(tlsConfig ? { configMapTargetRef: [{ parameter: "tls", name: tlsConfig.metadata.name, key: "tls" }] } : {}),
      };
      triggerSpec = {
        type: "rabbitmq",
        metadata: {
          // AMQP over TLS (5671) with the worker's own user: QueueLength needs no management API.
          protocol: "amqp",
          mode: "QueueLength",
          value: String(r.messagesPerReplica),
          queueName: t.queue,
          ...(t.broker.vhost !== undefined ? { vhostName: t.broker.vhost } : {}),
        },
      };
    } else {
      // The redis scalers take `enableTLS` from the trigger's metadata (refusing it in both places),
      // so no ConfigMap; `ca` is read only from authentication parameters. `unsafeSsl` stays unset:
      // KEDA verifies the nodes' certificates against the CA.
      authSpec = {
        secretTargetRef: [
          { parameter: "password", name: t.password.secretName, key: t.password.key },
          ...(ca ? [{ parameter: "ca", name: ca.secretName, key: ca.key }] : []),
        ],
      };
      triggerSpec = {
        type: "redis-cluster",
        metadata: {
          addresses: t.addresses.join(","),
          listName: t.listName,
          listLength: String(r.messagesPerReplica),
          ...(ca ? { enableTLS: "true" } : {}),
        },
      };
    }
    const triggerAuthentication = new k8s.apiextensions.CustomResource(
      `${name}-trigger-auth`,
      { apiVersion: KEDA_API_VERSION, kind: "TriggerAuthentication", metadata: meta(), spec: authSpec },
      { parent: this, dependsOn: crdDeps },
    );

    const scaledObject = new k8s.apiextensions.CustomResource(
      `${name}-scaledobject`,
      {
        apiVersion: KEDA_API_VERSION,
        kind: "ScaledObject",
        metadata: meta(),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
          minReplicaCount: r.minReplicas,
          maxReplicaCount: r.maxReplicas,
          pollingInterval: r.pollingIntervalSeconds,
          cooldownPeriod: r.cooldownPeriodSeconds,
          triggers: [{ ...triggerSpec, authenticationRef: { name: triggerAuthentication.metadata.name, kind: "TriggerAuthentication" } }],
        },
      },
      { parent: this, dependsOn: [...crdDeps, triggerAuthentication] },
    );

    if (r.podDisruptionBudget) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        { metadata: meta(), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
        { parent: this },
      );
    }

    this.deploymentName = deployment.metadata.name;
    this.scaledObjectName = scaledObject.metadata.name;
    this.podSelector = selector;
    this.registerOutputs({ deploymentName: this.deploymentName, scaledObjectName: this.scaledObjectName });
  }
}

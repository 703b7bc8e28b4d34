/**
 * A work queue on Pub/Sub: a topic whose messages are pushed to one Cloud Run worker with
 * exponential backoff between attempts, and, after a bounded number of attempts, moved to a
 * dead-letter topic whose pull subscription keeps them for inspection and replay.
 * docs/platforms/cryptocare.md § 6.1: "Création paiements BTC | Queue + retries + fallback",
 * "Création réunions Zoom | Backoff exponentiel + queue", "Webhooks paiements | Queue asynchrone".
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import {
  ComponentArgsError,
  mergeLabels,
  statefulChildOptions,
  type CommonArgs,
  type Labels,
} from "../../common/conventions";
import { serviceAgentMember } from "../../common/service-agents";
import { durationSeconds } from "../../../model/durations";

export const WORK_QUEUE_TYPE = "platform:gcp:WorkQueue";

/** The Cloud Run service the main subscription pushes to. */
export interface WorkQueueWorker {
  /** Cloud Run service name (`CloudRunService.serviceName`): the push identity may invoke this service only. */
  serviceName: pulumi.Input<string>;
  /** Region of the worker service; must be one of the queue's `regions` (messages are processed where they are stored). */
  region: string;
  /** The worker's run.app URL (`CloudRunService.uri`), without a trailing path. */
  url: pulumi.Input<string>;
  /**
   * Project of the worker service.
   * @default the queue's `project`
   */
  project?: pulumi.Input<string>;
  /**
   * Path the messages are POSTed to, appended to `url`.
   * @default "/"
   */
  path?: string;
  /**
   * Audience of the OIDC token Pub/Sub attaches (what the worker checks, if it checks it itself;
   * Cloud Run's own IAM check accepts the service URL).
   * @default the worker's `url`
   */
  audience?: pulumi.Input<string>;
  /**
   * The worker's request timeout in seconds, when the stack sets one. Pub/Sub stops waiting for a
   * push response at the ack deadline and redelivers, so `ackDeadlineSeconds` must be at least this.
   * @default not checked
   */
  requestTimeoutSeconds?: number;
}

export interface WorkQueueArgs extends CommonArgs {
  /**
   * Regions where Pub/Sub may persist the messages (`messageStoragePolicy.allowedPersistenceRegions`
   * of both topics). Required, never empty: residency, e.g. `["europe-west6"]` for the Swiss stacks
   * (docs/platforms/cryptocare.md § 7.2).
   */
  regions: string[];
  /**
   * Also refuse publish and pull calls received outside `regions` and hold push deliveries to them
   * (`messageStoragePolicy.enforceInTransit`). Off by default: the storage policy already keeps the
   * messages in `regions` and Pub/Sub pushes from the region that stores them, while enforcement
   * can pause push delivery altogether (Pub/Sub docs § Configure message storage policies).
   * @default false
   */
  enforceInTransit?: boolean;
  /** Project number, from which the Pub/Sub service agent's address is derived (dead-lettering grants). */
  projectNumber: pulumi.Input<string>;
  /**
   * Project of the topics, subscriptions and push service account.
   * @default the provider's project
   */
  project?: pulumi.Input<string>;
  /**
   * Cloud KMS key (`projects/.../locations/<region>/keyRings/.../cryptoKeys/...`) for both topics.
   * The Pub/Sub service agent needs `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it (EncryptionKeys'
   * `pubsub` service agent).
   * @default Google-managed encryption
   */
  kmsKeyName?: pulumi.Input<string>;
  /**
   * How long the main topic keeps every published message, acknowledged or not, so that a
   * subscription can seek back and replay it (between "600s" and "2678400s", 31 days).
   * @default none: the subscriptions' retention applies
   */
  messageRetentionDuration?: string;
  /** The Cloud Run worker the main subscription pushes to. */
  worker: WorkQueueWorker;
  /**
   * Seconds Pub/Sub waits for the worker's response before it counts the attempt as failed (10–600).
   * @default 60
   */
  ackDeadlineSeconds?: number;
  /**
   * Smallest delay before a failed message is redelivered (the backoff is exponential between the two bounds, 0s–600s).
   * @default "10s"
   */
  minimumBackoff?: string;
  /**
   * Largest delay before a failed message is redelivered (0s–600s, at least `minimumBackoff`).
   * @default "600s"
   */
  maximumBackoff?: string;
  /**
   * Delivery attempts before a message goes to the dead-letter topic (Pub/Sub accepts 5–100).
   * @default 5
   */
  maxDeliveryAttempts?: number;
  /**
   * How long the main subscription keeps an unacknowledged message ("600s"–"2678400s"; beyond 7 days
   * Pub/Sub bills the storage).
   * @default "604800s" (7 days)
   */
  subscriptionRetentionDuration?: string;
  /**
   * How long the dead-letter subscription keeps dead letters, acknowledged or not, for inspection
   * and replay ("600s"–"2678400s").
   * @default "604800s" (7 days)
   */
  deadLetterRetentionDuration?: string;
  /**
   * Service accounts that may publish to the main topic (never to the dead-letter topic), key → email.
   * The key names the IAM child (`${name}-publisher-<key>`), so an email that is an output (a
   * service account created in the same program) still gives a stable name and a dependency.
   * @default {}
   */
  publishers?: Record<string, pulumi.Input<string>>;
  /**
   * Account id of the push service account (6–30 lowercase letters, digits, hyphens).
   * @default `${name}-push`
   */
  pushAccountId?: string;
}

export interface ResolvedWorkQueueArgs {
  regions: string[];
  enforceInTransit: boolean;
  projectNumber: pulumi.Input<string>;
  project?: pulumi.Input<string>;
  kmsKeyName?: pulumi.Input<string>;
  messageRetentionDuration?: string;
  worker: {
    serviceName: pulumi.Input<string>;
    region: string;
    project?: pulumi.Input<string>;
    url: pulumi.Input<string>;
    path: string;
    audience: pulumi.Input<string>;
  };
  ackDeadlineSeconds: number;
  minimumBackoff: string;
  maximumBackoff: string;
  maxDeliveryAttempts: number;
  subscriptionRetentionDuration: string;
  deadLetterRetentionDuration: string;
  publishers: { key: string; email: pulumi.Input<string> }[];
  pushAccountId: string;
  labels: Labels;
  deletionProtection: boolean;
}

/** Pub/Sub's bounds (cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions). */
const ACK_DEADLINE_MIN = 10;
const ACK_DEADLINE_MAX = 600;
const BACKOFF_MAX_SECONDS = 600;
const DELIVERY_ATTEMPTS_MIN = 5;
const DELIVERY_ATTEMPTS_MAX = 100;
const RETENTION_MIN_SECONDS = 600;
/** 31 days: the ceiling of both topic and subscription retention. */
const RETENTION_MAX_SECONDS = 2_678_400;
const WEEK = "604800s";

const REGION = /^[a-z]+-[a-z]+\d+$/;
const ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
const PUBLISHER_KEY = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const SERVICE_ACCOUNT_EMAIL = /^[a-z0-9][-a-z0-9._]*@[-a-z0-9.]+\.gserviceaccount\.com$/;

/** Applies the queue's defaults and refuses what Pub/Sub would refuse or what breaks retries, dead-lettering or residency. */
export function resolveWorkQueueArgs(name: string, args: WorkQueueArgs): ResolvedWorkQueueArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(WORK_QUEUE_TYPE, name, detail);
  };

  const regions = args.regions ?? [];
  if (!Array.isArray(regions) || regions.length === 0) {
    fail("regions must list at least one region (messageStoragePolicy.allowedPersistenceRegions; Pub/Sub refuses an empty list), got none; the Swiss stacks pass [\"europe-west6\"].");
  }
  for (const region of regions) {
    if (!REGION.test(region)) fail(`regions: "${region}" is not a Google Cloud region id (e.g. "europe-west6").`);
  }
  if (new Set(regions).size !== regions.length) fail(`regions lists a region twice: ${regions.join(", ")}.`);

  if (typeof args.projectNumber === "string" && !/^\d{6,20}$/.test(args.projectNumber)) {
    fail(`projectNumber must be the project's number (digits), got "${args.projectNumber}"; the Pub/Sub service agent's address is derived from it.`);
  }

  let messageRetentionDuration: string | undefined;
  const retention = (field: string, value: string): string => {
    const s = durationSeconds(value);
    if (s === undefined || s < RETENTION_MIN_SECONDS || s > RETENTION_MAX_SECONDS) {
      fail(`${field} must be a duration in seconds from "${RETENTION_MIN_SECONDS}s" to "${RETENTION_MAX_SECONDS}s" (31 days), got "${value}".`);
    }
    return value;
  };
  if (args.messageRetentionDuration !== undefined) messageRetentionDuration = retention("messageRetentionDuration", args.messageRetentionDuration);
  const subscriptionRetentionDuration = retention("subscriptionRetentionDuration", args.subscriptionRetentionDuration ?? WEEK);
  const deadLetterRetentionDuration = retention("deadLetterRetentionDuration", args.deadLetterRetentionDuration ?? WEEK);

  const w = args.worker;
  if (!w) fail("worker (the Cloud Run service the messages are pushed to) is required.");
  if (!regions.includes(w.region)) {
    // Pub/Sub pushes from the region that stores the message: a worker elsewhere would process it
    // outside the residency the storage policy promises.
    fail(`worker.region "${w.region}" is not one of regions (${regions.join(", ")}); run the worker where the messages are stored.`);
  }
  const path = w.path ?? "/";
  if (!path.startsWith("/")) fail(`worker.path must start with "/", got "${path}".`);

  const ackDeadlineSeconds = args.ackDeadlineSeconds ?? 60;
  if (!Number.isInteger(ackDeadlineSeconds) || ackDeadlineSeconds < ACK_DEADLINE_MIN || ackDeadlineSeconds > ACK_DEADLINE_MAX) {
    fail(`ackDeadlineSeconds must be a whole number from ${ACK_DEADLINE_MIN} to ${ACK_DEADLINE_MAX}, got ${ackDeadlineSeconds}.`);
  }
  if (w.requestTimeoutSeconds !== undefined && ackDeadlineSeconds < w.requestTimeoutSeconds) {
    // The ack deadline is also the push request's timeout: a slower answer counts as a failure and
    // the message is redelivered while the first attempt is still running.
    fail(`ackDeadlineSeconds (${ackDeadlineSeconds}) must be at least the worker's request timeout (worker.requestTimeoutSeconds ${w.requestTimeoutSeconds}); raise it or shorten the worker's timeout.`);
  }

  const minimumBackoff = args.minimumBackoff ?? "10s";
  const maximumBackoff = args.maximumBackoff ?? "600s";
  const minS = durationSeconds(minimumBackoff);
  const maxS = durationSeconds(maximumBackoff);
  if (minS === undefined || minS > BACKOFF_MAX_SECONDS) fail(`minimumBackoff must be a duration from "0s" to "${BACKOFF_MAX_SECONDS}s", got "${minimumBackoff}".`);
  if (maxS === undefined || maxS > BACKOFF_MAX_SECONDS) fail(`maximumBackoff must be a duration from "0s" to "${BACKOFF_MAX_SECONDS}s", got "${maximumBackoff}".`);
  if ((minS as number) > (maxS as number)) fail(`minimumBackoff ("${minimumBackoff}") must not exceed maximumBackoff ("${maximumBackoff}").`);

  const maxDeliveryAttempts = args.maxDeliveryAttempts ?? 5;
  if (!Number.isInteger(maxDeliveryAttempts) || maxDeliveryAttempts < DELIVERY_ATTEMPTS_MIN || maxDeliveryAttempts > DELIVERY_ATTEMPTS_MAX) {
    fail(`maxDeliveryAttempts must be a whole number from ${DELIVERY_ATTEMPTS_MIN} to ${DELIVERY_ATTEMPTS_MAX} (Pub/Sub's bounds), got ${maxDeliveryAttempts}.`);
  }

  const publishers: ResolvedWorkQueueArgs["publishers"] = [];
  for (const [key, email] of Object.entries(args.publishers ?? {})) {
    if (!PUBLISHER_KEY.test(key)) fail(`publishers: key "${key}" must be lowercase letters, digits and hyphens (it names the IAM child).`);
    if (typeof email === "string" && !SERVICE_ACCOUNT_EMAIL.test(email)) {
      fail(`publishers.${key} must be a service account email (…@….gserviceaccount.com, without "serviceAccount:"), got "${email}".`);
    }
    publishers.push({ key, email });
  }

  const pushAccountId = args.pushAccountId ?? `${name}-push`;
  if (!ACCOUNT_ID.test(pushAccountId)) {
    fail(`push service account id "${pushAccountId}" must be 6-30 characters of lowercase letters, digits and hyphens, starting with a letter; pass pushAccountId.`);
  }

  return {
    regions: [...regions],
    enforceInTransit: args.enforceInTransit ?? false,
    projectNumber: args.projectNumber,
    project: args.project,
    kmsKeyName: args.kmsKeyName,
    messageRetentionDuration,
    worker: {
      serviceName: w.serviceName,
      region: w.region,
      project: w.project ?? args.project,
      url: w.url,
      path,
      // Cloud Run checks the token's audience against its URL, written without a trailing slash.
      audience: w.audience ?? (typeof w.url === "string" ? w.url.replace(/\/+$/, "") : w.url),
    },
    ackDeadlineSeconds,
    minimumBackoff,
    maximumBackoff,
    maxDeliveryAttempts,
    subscriptionRetentionDuration,
    deadLetterRetentionDuration,
    publishers,
    pushAccountId,
    labels: mergeLabels(args.labels),
    deletionProtection: args.deletionProtection ?? true,
  };
}

export class WorkQueue extends pulumi.ComponentResource {
  /** `projects/{project}/topics/{name}` of the main topic (what publishers publish to). */
  public readonly topicId: pulumi.Output<string>;
  /** Short name of the main topic. */
  public readonly topicName: pulumi.Output<string>;
  /** `projects/{project}/topics/{name}` of the dead-letter topic. */
  public readonly deadLetterTopicId: pulumi.Output<string>;
  /** `projects/{project}/subscriptions/{name}` of the push subscription (its backlog is the queue length). */
  public readonly subscriptionId: pulumi.Output<string>;
  /** `projects/{project}/subscriptions/{name}` of the pull subscription holding the dead letters. */
  public readonly deadLetterSubscriptionId: pulumi.Output<string>;
  /** The identity Pub/Sub signs push requests as (`roles/run.invoker` on the worker only). */
  public readonly pushServiceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: WorkQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super(WORK_QUEUE_TYPE, name, {}, opts);
    const r = resolveWorkQueueArgs(name, args);

    // The Pub/Sub service agent moves failed messages to the dead-letter topic: it publishes there
    // and acknowledges them on the main subscription (cloud.google.com/pubsub/docs/handling-failures).
    // On a fresh project the agent may not exist yet and IAM refuses a binding to it: ensure it
    // (generateServiceIdentity is idempotent, so a second queue or EncryptionKeys' own is harmless)
    // and make every grant to it wait. The address is derived, not read back from this resource.
    const agent = pulumi.output(r.projectNumber).apply((n) => serviceAgentMember(n, "gcp-sa-pubsub"));
    const agentIdentity = new gcp.projects.ServiceIdentity(`${name}-pubsub-agent`, { project: r.project, service: "pubsub.googleapis.com" }, { parent: this });
    const deletionPolicy = r.deletionProtection ? "PREVENT" : "DELETE";
    const storage = { allowedPersistenceRegions: r.regions, enforceInTransit: r.enforceInTransit };

    const topic = new gcp.pubsub.Topic(
      `${name}-topic`,
      {
        project: r.project,
        messageStoragePolicy: storage,
        kmsKeyName: r.kmsKeyName,
        messageRetentionDuration: r.messageRetentionDuration,
        labels: r.labels,
        deletionPolicy,
      },
      statefulChildOptions(this, r.deletionProtection),
    );
    const deadLetterTopic = new gcp.pubsub.Topic(
      `${name}-dead-letter-topic`,
      { project: r.project, messageStoragePolicy: storage, kmsKeyName: r.kmsKeyName, labels: r.labels, deletionPolicy },
      statefulChildOptions(this, r.deletionProtection),
    );

    // Dead letters published to a topic without a subscription are lost: this one exists before
    // the main subscription can dead-letter anything, never expires, and keeps acknowledged
    // messages for the retention so that an inspected message can still be replayed (seek).
    const deadLetterSubscription = new gcp.pubsub.Subscription(
      `${name}-dead-letter-subscription`,
      {
        project: r.project,
        topic: deadLetterTopic.id,
        messageRetentionDuration: r.deadLetterRetentionDuration,
        retainAckedMessages: true,
        expirationPolicy: { ttl: "" },
        labels: r.labels,
        deletionPolicy,
      },
      statefulChildOptions(this, r.deletionProtection),
    );
    const deadLetterPublisher = new gcp.pubsub.TopicIAMMember(
      `${name}-dead-letter-publisher`,
      { project: r.project, topic: deadLetterTopic.name, role: "roles/pubsub.publisher", member: agent },
      { parent: this, dependsOn: [agentIdentity] },
    );

    const pushAccount = new gcp.serviceaccount.Account(
      `${name}-push`,
      { project: r.project, accountId: r.pushAccountId, displayName: `Pub/Sub push identity of ${name}` },
      { parent: this },
    );
    // Pub/Sub mints the push request's OIDC token as this account; projects created before
    // 2021-04-08 lack the agent's implicit right to, so it is granted on this account only.
    const tokenCreator = new gcp.serviceaccount.IAMMember(
      `${name}-push-token-creator`,
      { serviceAccountId: pushAccount.name, role: "roles/iam.serviceAccountTokenCreator", member: agent },
      { parent: this, dependsOn: [agentIdentity] },
    );
    const invoker = new gcp.cloudrunv2.ServiceIamMember(
      `${name}-invoker`,
      { project: r.worker.project, location: r.worker.region, name: r.worker.serviceName, role: "roles/run.invoker", member: pushAccount.member },
      { parent: this },
    );

    const subscription = new gcp.pubsub.Subscription(
      `${name}-subscription`,
      {
        project: r.project,
        topic: topic.id,
        ackDeadlineSeconds: r.ackDeadlineSeconds,
        messageRetentionDuration: r.subscriptionRetentionDuration,
        retryPolicy: { minimumBackoff: r.minimumBackoff, maximumBackoff: r.maximumBackoff },
        deadLetterPolicy: { deadLetterTopic: deadLetterTopic.id, maxDeliveryAttempts: r.maxDeliveryAttempts },
        pushConfig: {
          pushEndpoint: pulumi.output(r.worker.url).apply((url) => `${url.replace(/\/+$/, "")}${r.worker.path}`),
          oidcToken: { serviceAccountEmail: pushAccount.email, audience: r.worker.audience },
        },
        expirationPolicy: { ttl: "" },
        labels: r.labels,
        deletionPolicy,
      },
      // Deliveries start at creation: the worker accepts the push identity and dead letters have
      // somewhere to go before the first message arrives.
      statefulChildOptions(this, r.deletionProtection, { dependsOn: [invoker, tokenCreator, deadLetterPublisher, deadLetterSubscription] }),
    );
    new gcp.pubsub.SubscriptionIAMMember(
      `${name}-dead-letter-subscriber`,
      { project: r.project, subscription: subscription.name, role: "roles/pubsub.subscriber", member: agent },
      { parent: this, dependsOn: [agentIdentity] },
    );

    for (const p of r.publishers) {
      new gcp.pubsub.TopicIAMMember(
        `${name}-publisher-${p.key}`,
        { project: r.project, topic: topic.name, role: "roles/pubsub.publisher", member: pulumi.interpolate`serviceAccount:${p.email}` },
        { parent: this },
      );
    }

    this.topicId = topic.id;
    this.topicName = topic.name;
    this.deadLetterTopicId = deadLetterTopic.id;
    this.subscriptionId = subscription.id;
    this.deadLetterSubscriptionId = deadLetterSubscription.id;
    this.pushServiceAccountEmail = pushAccount.email;
    this.registerOutputs({
      topicId: this.topicId,
      topicName: this.topicName,
      deadLetterTopicId: this.deadLetterTopicId,
      subscriptionId: this.subscriptionId,
      deadLetterSubscriptionId: this.deadLetterSubscriptionId,
      pushServiceAccountEmail: this.pushServiceAccountEmail,
    });
  }
}

/** Specs of the workload rules on managed services (Pub/Sub queues). */
import { DEL, res, UNKNOWN } from "../helpers";
import type { RuleSpec } from "./types";

const TOPIC = "gcp:pubsub/topic:Topic";
const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
const storage = { allowedPersistenceRegions: ["europe-west6"], enforceInTransit: false };
const kmsKeyName = "projects/cc-prod/locations/europe-west6/keyRings/data/cryptoKeys/pubsub";

const wqTopic = res(TOPIC, "wq-payments-topic", { project: "cc-prod", name: "wq-payments", messageStoragePolicy: storage, kmsKeyName }, { protect: true });
const wqDeadLetterTopic = res(TOPIC, "wq-payments-dead-letter-topic", { project: "cc-prod", name: "wq-payments-dlq", messageStoragePolicy: storage, kmsKeyName }, { protect: true });

/** A WorkQueue's push subscription after its first deployment: every id known. */
const wqSubscription = res(
  SUBSCRIPTION,
  "wq-payments-subscription",
  {
    project: "cc-prod",
    topic: "projects/cc-prod/topics/wq-payments",
    ackDeadlineSeconds: 60,
    retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
    deadLetterPolicy: { deadLetterTopic: "projects/cc-prod/topics/wq-payments-dlq", maxDeliveryAttempts: 5 },
    pushConfig: { pushEndpoint: "https://payments-worker-abc123-oa.a.run.app/", oidcToken: { serviceAccountEmail: "wq-payments-push@cc-prod.iam.gserviceaccount.com" } },
    expirationPolicy: { ttl: "" },
  },
  {
    protect: true,
    dependencies: [wqTopic.urn, wqDeadLetterTopic.urn],
    propertyDependencies: { topic: [wqTopic.urn], deadLetterPolicy: [wqDeadLetterTopic.urn] },
  },
);

/** The dead-letter sink: a pull subscription on the dead-letter topic, without a policy of its own. */
const wqDeadLetterSubscription = res(
  SUBSCRIPTION,
  "wq-payments-dead-letter-subscription",
  { project: "cc-prod", topic: "projects/cc-prod/topics/wq-payments-dlq", messageRetentionDuration: "604800s", retainAckedMessages: true, expirationPolicy: { ttl: "" } },
  { protect: true, dependencies: [wqDeadLetterTopic.urn], propertyDependencies: { topic: [wqDeadLetterTopic.urn] } },
);

export const WORKLOAD_SPECS: Record<string, RuleSpec> = {
  "gcp-pubsub-subscription-require-dead-letter": {
    kind: "stack",
    fixture: [wqTopic, wqDeadLetterTopic, wqSubscription, wqDeadLetterSubscription],
    failing: {
      "no deadLetterPolicy": { target: "wq-payments-subscription", changes: { deadLetterPolicy: DEL } },
      "no deadLetterPolicy.deadLetterTopic": { target: "wq-payments-subscription", changes: { "deadLetterPolicy.deadLetterTopic": DEL } },
      "no deadLetterPolicy.maxDeliveryAttempts": { target: "wq-payments-subscription", changes: { "deadLetterPolicy.maxDeliveryAttempts": DEL } },
      "dead-letters into its own topic": { target: "wq-payments-subscription", changes: { "deadLetterPolicy.deadLetterTopic": "projects/cc-prod/topics/wq-payments" } },
      "no retryPolicy": { target: "wq-payments-subscription", changes: { retryPolicy: DEL } },
      "no retryPolicy.minimumBackoff": { target: "wq-payments-subscription", changes: { "retryPolicy.minimumBackoff": DEL } },
      "a pull subscription without a policy on a topic nobody dead-letters to": {
        add: res(SUBSCRIPTION, "wq-payments-audit", { project: "cc-prod", topic: "projects/cc-prod/topics/wq-payments", expirationPolicy: { ttl: "" } }, { propertyDependencies: { topic: [wqTopic.urn] } }),
      },
    },
    compliant: {
      "the dead-letter topic named by its short name on the sink": { target: "wq-payments-dead-letter-subscription", changes: { topic: "wq-payments-dlq" } },
      "ids a first preview cannot know, the sink found through the topic it depends on": {
        add: res(
          SUBSCRIPTION,
          "wq-zoom-dead-letter-subscription",
          { project: "cc-prod", topic: UNKNOWN, messageRetentionDuration: "604800s", retainAckedMessages: true, expirationPolicy: { ttl: "" } },
          { propertyDependencies: { topic: [wqDeadLetterTopic.urn] } },
        ),
      },
      "an unknown deadLetterPolicy (computed)": { target: "wq-payments-subscription", changes: { deadLetterPolicy: UNKNOWN } },
    },
  },
};

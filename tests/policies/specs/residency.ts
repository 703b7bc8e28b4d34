/**
 * Specs of the residency rules: where each located type keeps its data (variants of
 * gcp-location-resource-require-allowed-location, on top of its key-ring spec in gcp.ts), and a
 * CryptoCare-like Swiss stack whose data must stay in its own project
 * (gcp-project-deny-foreign-data-reference).
 */
import { DEL, res, UNKNOWN } from "../helpers";
import { GCP_SPECS, redis, sqlInstance } from "./gcp";
import type { ResourceSpec, ResourceVariant, RuleSpec } from "./types";

const LOCATION_RULE = "gcp-location-resource-require-allowed-location";
const ISOLATION_RULE = "gcp-project-deny-foreign-data-reference";

/** The project of the Swiss stack, and the German instance's (cryptocare.md § 7.2). */
const CH = "cc-ch-prod";
const DE = "cc-de-prod";
const chKey = (k: string) => `projects/${CH}/locations/europe-west6/keyRings/data/cryptoKeys/${k}`;
const deKey = (k: string) => `projects/${DE}/locations/europe-west3/keyRings/data/cryptoKeys/${k}`;

/**
 * Every located type the CryptoCare stacks create besides the key ring of the base spec; each
 * fixture is compliant for the whole pack (the all-fixtures test runs every rule over them), with
 * the base spec's facts (europe-west6 and the EU multi-region allowed).
 */
export const LOCATION_VARIANTS: Record<string, ResourceVariant> = {
  "Pub/Sub topic": {
    fixture: res("gcp:pubsub/topic:Topic", "orders", { name: "orders", messageStoragePolicy: { allowedPersistenceRegions: ["europe-west6"] } }),
    failing: {
      "no message storage policy (stored near each publisher, anywhere)": { messageStoragePolicy: DEL },
      "an empty region list": { "messageStoragePolicy.allowedPersistenceRegions": [] },
      "one region outside": { "messageStoragePolicy.allowedPersistenceRegions": ["europe-west6", "us-central1"] },
      "the German region for a Swiss stack": { "messageStoragePolicy.allowedPersistenceRegions": ["europe-west3"] },
    },
    compliant: { "regions computed at deploy time": { "messageStoragePolicy.allowedPersistenceRegions": UNKNOWN }, "enforced in transit too": { "messageStoragePolicy.enforceInTransit": true } },
  },
  "log bucket": {
    fixture: res("gcp:logging/projectBucketConfig:ProjectBucketConfig", "ch-logs", { project: "p", location: "europe-west6", bucketId: "ch-logs", retentionDays: 30 }),
    failing: { "global (the _Default bucket's location)": { location: "global" }, "in the US": { location: "us-central1" } },
    compliant: { "location computed at deploy time": { location: UNKNOWN } },
  },
  "log sink": {
    fixture: res("gcp:logging/projectSink:ProjectSink", "ch-logs-sink", { project: "p", name: "ch-logs-sink", destination: "logging.googleapis.com/projects/p/locations/europe-west6/buckets/ch-logs" }),
    failing: { "into a global log bucket": { destination: "logging.googleapis.com/projects/p/locations/global/buckets/_Default" }, "into a US log bucket": { destination: "logging.googleapis.com/projects/p/locations/us-central1/buckets/logs" } },
    compliant: {
      "into a log bucket whose id is computed at deploy time": { destination: UNKNOWN },
      "into a Cloud Storage bucket (judged as its own resource)": { destination: "storage.googleapis.com/ch-log-archive" },
    },
  },
  "Cloud Run job": {
    fixture: res("gcp:cloudrunv2/job:Job", "migrate", { location: "europe-west6", template: { template: { serviceAccount: "migrate@p.iam.gserviceaccount.com", containers: [{ image: "europe-west6-docker.pkg.dev/p/apps/api:1.0.0" }] } } }),
    failing: { "in Frankfurt for a Swiss stack": { location: "europe-west3" }, "no location and no provider": { location: DEL } },
  },
  "Cloud Run worker pool": {
    fixture: res("gcp:cloudrunv2/workerPool:WorkerPool", "consumers", { location: "europe-west6", template: { serviceAccount: "consumers@p.iam.gserviceaccount.com", containers: [{ image: "europe-west6-docker.pkg.dev/p/apps/worker:1.0.0" }] } }),
    failing: { "in the US": { location: "us-central1" } },
  },
  "serverless NEG": {
    fixture: res("gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup", "api-neg", { region: "europe-west6", networkEndpointType: "SERVERLESS", cloudRun: { service: "api" } }),
    failing: { "a backend in Frankfurt behind the Swiss load balancer": { region: "europe-west3" }, "no region and no provider": { region: DEL } },
  },
  "Artifact Registry repository": {
    fixture: res("gcp:artifactregistry/repository:Repository", "apps", { location: "europe-west6", repositoryId: "apps", format: "DOCKER" }),
    failing: { "in the US multi-region": { location: "us" } },
  },
  "Memorystore replica zone": {
    fixture: res("gcp:redis/instance:Instance", "sessions", { ...structuredClone(redis.inputs), locationId: "europe-west6-a", alternativeLocationId: "europe-west6-b" }),
    failing: {
      "replica in Frankfurt": { alternativeLocationId: "europe-west3-a" },
      "replica in Frankfurt while the region is computed at deploy time": { region: UNKNOWN, alternativeLocationId: "europe-west3-a" },
    },
    compliant: { "replica zone chosen by Google (unset)": { alternativeLocationId: DEL } },
  },
  "Cloud Tasks queue": {
    fixture: res("gcp:cloudtasks/queue:Queue", "zoom-calls", { location: "europe-west6", name: "zoom-calls" }),
    failing: { "in the US": { location: "us-central1" } },
  },
  "BigQuery dataset": {
    fixture: res("gcp:bigquery/dataset:Dataset", "events", { datasetId: "events", location: "europe-west6" }),
    failing: { "no location (BigQuery's default is US)": { location: DEL }, "the US multi-region": { location: "US" } },
  },
  "Cloud NAT": {
    fixture: res("gcp:compute/routerNat:RouterNat", "egress-nat", { region: "europe-west6", router: UNKNOWN, natIpAllocateOption: "AUTO_ONLY", sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES" }),
    failing: { "in Belgium for a Swiss stack": { region: "europe-west1" } },
  },
};

const locationBase = GCP_SPECS[LOCATION_RULE] as ResourceSpec;

// ---- gcp-project-deny-foreign-data-reference: a small Swiss stack in one project ----

const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
const PUBSUB_AGENT = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com";

const chProvider = res("pulumi:providers:gcp", "gcp-ch", { project: CH, region: "europe-west6" });
const chDb = res(
  "gcp:sql/databaseInstance:DatabaseInstance",
  "ch-db",
  {
    ...structuredClone(sqlInstance.inputs),
    project: CH,
    name: "ch-db",
    encryptionKeyName: chKey("sql"),
    settings: {
      ...structuredClone((sqlInstance.inputs as { settings: Record<string, unknown> }).settings),
      backupConfiguration: { enabled: true, location: "europe-west6", pointInTimeRecoveryEnabled: true, backupRetentionSettings: { retainedBackups: 30, retentionUnit: "COUNT" } },
      ipConfiguration: { ipv4Enabled: false, privateNetwork: `projects/${CH}/global/networks/vpc`, sslMode: "ENCRYPTED_ONLY" },
    },
  },
  { protect: true },
);
const chTopic = res("gcp:pubsub/topic:Topic", "ch-payments", { project: CH, name: "payments", messageStoragePolicy: { allowedPersistenceRegions: ["europe-west6"] }, kmsKeyName: chKey("pubsub") }, { protect: true });
const chWorker = res("gcp:cloudrunv2/service:Service", "ch-payments-worker", {
  project: CH,
  name: "payments-worker",
  location: "europe-west6",
  ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
  template: { serviceAccount: `payments-worker@${CH}.iam.gserviceaccount.com`, containers: [{ image: `europe-west6-docker.pkg.dev/${CH}/apps/worker:1.0.0` }] },
});
const workerUrl = "https://payments-worker-2dkzmudfsa-oa.a.run.app/";
const chSubscription = res(
  SUBSCRIPTION,
  "ch-payments-push",
  {
    project: CH,
    name: "payments-push",
    topic: `projects/${CH}/topics/payments`,
    ackDeadlineSeconds: 60,
    retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
    deadLetterPolicy: { deadLetterTopic: `projects/${CH}/topics/payments-dlq`, maxDeliveryAttempts: 5 },
    pushConfig: { pushEndpoint: workerUrl, oidcToken: { serviceAccountEmail: `payments-push@${CH}.iam.gserviceaccount.com`, audience: workerUrl } },
    expirationPolicy: { ttl: "" },
  },
  { protect: true },
);
const chDeadLetterGrant = res("gcp:pubsub/topicIAMMember:TopicIAMMember", "ch-payments-dlq-agent", { project: CH, topic: `projects/${CH}/topics/payments-dlq`, role: "roles/pubsub.publisher", member: PUBSUB_AGENT });
const chBucket = res("gcp:storage/bucket:Bucket", "ch-documents", {
  project: CH,
  name: "cc-ch-prod-documents",
  location: "EUROPE-WEST6",
  publicAccessPrevention: "enforced",
  uniformBucketLevelAccess: true,
  versioning: { enabled: true },
  encryption: { defaultKmsKeyName: chKey("gcs") },
});
const chBucketReader = res("gcp:storage/bucketIAMMember:BucketIAMMember", "ch-documents-api-reader", {
  bucket: "cc-ch-prod-documents",
  role: "roles/storage.objectViewer",
  member: `serviceAccount:api@${CH}.iam.gserviceaccount.com`,
});
const chLogBucket = res("gcp:logging/projectBucketConfig:ProjectBucketConfig", "ch-logs-bucket", { project: CH, location: "europe-west6", bucketId: "ch-logs", retentionDays: 30 });
const chLogSink = res("gcp:logging/projectSink:ProjectSink", "ch-logs-sink", {
  project: CH,
  name: "ch-logs-sink",
  destination: `logging.googleapis.com/projects/${CH}/locations/europe-west6/buckets/ch-logs`,
  filter: 'NOT LOG_ID("cloudaudit.googleapis.com/activity")',
});

const isolationFacts = {
  dataIsolation: true,
  sources: { dataIsolation: 'cryptocare.md § 7.2 ("Allemagne: Instance dédiée (Phase 2)")' },
};

const replica = (master: string) =>
  res("gcp:sql/databaseInstance:DatabaseInstance", "ch-db-replica", { project: CH, name: "ch-db-replica", region: "europe-west6", databaseVersion: "POSTGRES_16", masterInstanceName: master, instanceType: "READ_REPLICA_INSTANCE" });

export const RESIDENCY_SPECS: Record<string, RuleSpec> = {
  // The key-ring spec of gcp.ts, with every other located type as a variant.
  [LOCATION_RULE]: { ...locationBase, variants: { ...(locationBase.variants ?? {}), ...LOCATION_VARIANTS } },
  [ISOLATION_RULE]: {
    kind: "stack",
    fixture: [chProvider, chDb, chTopic, chWorker, chSubscription, chDeadLetterGrant, chBucket, chBucketReader, chLogBucket, chLogSink],
    facts: isolationFacts,
    failing: {
      "a DE service account granted on a CH bucket": { target: "ch-documents-api-reader", changes: { member: `serviceAccount:api@${DE}.iam.gserviceaccount.com` } },
      "a Cloud SQL replica of the DE master": { add: replica(`${DE}:de-db`) },
      "a push endpoint to a Cloud Run service the stack does not deploy": { target: "ch-payments-push", changes: { "pushConfig.pushEndpoint": "https://payments-worker-de-7hq2kfzx1a-ey.a.run.app/" } },
      "a push endpoint on another project's App Engine": { target: "ch-payments-push", changes: { "pushConfig.pushEndpoint": `https://${DE}.ey.r.appspot.com/payments` } },
      "a subscription to a topic of another project": { target: "ch-payments-push", changes: { topic: `projects/${DE}/topics/payments` } },
      "dead letters into another project's topic": { target: "ch-payments-push", changes: { "deadLetterPolicy.deadLetterTopic": `projects/${DE}/topics/payments-dlq` } },
      "a log sink to another project's log bucket": { target: "ch-logs-sink", changes: { destination: `logging.googleapis.com/projects/${DE}/locations/europe-west3/buckets/de-logs` } },
      "a topic encrypted with another project's key": { target: "ch-payments", changes: { kmsKeyName: deKey("pubsub") } },
      "the database on another project's network": { target: "ch-db", changes: { "settings.ipConfiguration.privateNetwork": `projects/${DE}/global/networks/vpc` } },
      "the worker running as another project's service account": { target: "ch-payments-worker", changes: { "template.serviceAccount": `payments-worker@${DE}.iam.gserviceaccount.com` } },
      "a Workload Identity principal of another project": { target: "ch-documents-api-reader", changes: { member: `serviceAccount:${DE}.svc.id.goog[payments/api]` } },
      "a grant on the DE project (its project is a reference, not the stack's)": { add: res("gcp:projects/iAMMember:IAMMember", "de-project-viewer", { project: DE, role: "roles/viewer", member: `serviceAccount:api@${CH}.iam.gserviceaccount.com` }) },
      "a grant on a key of another project (the provider's short key id)": { add: res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "de-key-user", { cryptoKeyId: `${DE}/europe-west3/data/sql`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: `serviceAccount:api@${CH}.iam.gserviceaccount.com` }) },
      "a Pub/Sub export into a bucket the stack does not create": { target: "ch-payments-push", changes: { cloudStorageConfig: { bucket: "cc-de-prod-payments-archive" } } },
      "a log sink into a bucket the stack does not create": { target: "ch-logs-sink", changes: { destination: "storage.googleapis.com/cc-de-prod-log-archive" } },
      "a Cloud SQL connection to the DE instance": { target: "ch-payments-worker", changes: { "template.volumes": [{ name: "cloudsql", cloudSqlInstance: { instances: [`${DE}:europe-west3:de-db`] } }] } },
      "a service agent of another number once the stack states its own": { add: res("gcp:projects/serviceIdentity:ServiceIdentity", "pubsub-agent", { project: "210987654321", service: "pubsub.googleapis.com" }) },
    },
    compliant: {
      "a replica of a master in the same project (short name)": { add: replica("ch-db") },
      "a replica of a master in the same project (project-qualified)": { add: replica(`${CH}:ch-db`) },
      "the subscription's topic by its short name": { target: "ch-payments-push", changes: { topic: "payments" } },
      "a push endpoint computed at deploy time (the worker's uri output)": { target: "ch-payments-push", changes: { "pushConfig.pushEndpoint": UNKNOWN } },
      "a member computed at deploy time": { target: "ch-documents-api-reader", changes: { member: UNKNOWN } },
      "a sink destination computed at deploy time": { target: "ch-logs-sink", changes: { destination: UNKNOWN } },
      "a Google service agent whose number the stack does not state": { target: "ch-payments-dlq-agent", changes: { member: "serviceAccount:service-999999999999@gcp-sa-pubsub.iam.gserviceaccount.com" } },
      "a service agent of the number the stack states": { add: res("gcp:projects/serviceIdentity:ServiceIdentity", "pubsub-agent", { project: "123456789012", service: "pubsub.googleapis.com" }) },
      "a grant on the stack's own key (the provider's short key id)": { add: res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "ch-key-user", { cryptoKeyId: `${CH}/europe-west6/data/sql`, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: PUBSUB_AGENT }) },
      "a grant on the stack's own project": { add: res("gcp:projects/iAMMember:IAMMember", "ch-project-viewer", { project: CH, role: "roles/viewer", member: `serviceAccount:api@${CH}.iam.gserviceaccount.com` }) },
      "an image from another project's registry (code, not data)": { target: "ch-payments-worker", changes: { "template.containers.0.image": `europe-west6-docker.pkg.dev/${DE}/apps/worker:1.0.0` } },
      "the Cloud Storage 'any project' wildcard in a resource name": { target: "ch-payments-worker", changes: { "template.volumes": [{ name: "docs", gcs: { bucket: "cc-ch-prod-documents" } }], "template.containers.0.env": [{ name: "DOCS", value: "projects/_/buckets/cc-ch-prod-documents" }] } },
      "a sink filter naming another project's log (a filter only narrows the own project's logs)": { target: "ch-logs-sink", changes: { filter: `logName:"projects/${DE}/logs/"` } },
      "a grant on the stack's bucket by its b/ id": { target: "ch-documents-api-reader", changes: { bucket: "b/cc-ch-prod-documents" } },
      "a bucket name computed at deploy time": { target: "ch-documents-api-reader", changes: { bucket: UNKNOWN } },
      "a human user and a group": { target: "ch-documents-api-reader", changes: { member: "group:ops@cryptocare.ch" } },
    },
    notApplicable: {
      "a platform that does not ask for isolation (a DE grant passes unchecked)": {
        change: { target: "ch-documents-api-reader", changes: { member: `serviceAccount:api@${DE}.iam.gserviceaccount.com` } },
        facts: { dataIsolation: false },
        reason: /does not ask for per-stack data isolation/,
      },
    },
  },
};

/**
 * Residency per stack: the Swiss stack allows only Zurich, the German instance only Frankfurt
 * (cryptocare.md § 7.2), so each one's resources fail in the other's region. Same shape as gcp.ts
 * RESIDENCY_EXTRA (rules.test.ts runs those cases one by one with their own facts).
 */
const CH_ONLY = { allowedLocations: ["europe-west6"] };
const DE_ONLY = { allowedLocations: ["europe-west3"] };
const secretIn = (location: string) => res("gcp:secretmanager/secret:Secret", "zoom-api-key", { secretId: "zoom-api-key", replication: { userManaged: { replicas: [{ location }] } } });
const v = (label: string) => LOCATION_VARIANTS[label].fixture;
export const RESIDENCY_PER_STACK: { name: string; fixture: typeof chDb; changes: Record<string, unknown>; fails: boolean; facts?: object }[] = [
  { name: "CH: database and backups in Zurich", fixture: sqlInstance, changes: { "settings.backupConfiguration.location": "europe-west6" }, fails: false, facts: CH_ONLY },
  { name: "CH: database in Frankfurt", fixture: sqlInstance, changes: { region: "europe-west3", "settings.backupConfiguration.location": "europe-west3" }, fails: true, facts: CH_ONLY },
  { name: "CH: backups left in the EU multi-region default", fixture: sqlInstance, changes: {}, fails: true, facts: CH_ONLY },
  { name: "CH: EU log bucket is not Switzerland", fixture: v("log bucket"), changes: { location: "eu" }, fails: true, facts: CH_ONLY },
  { name: "CH: KMS key ring in the europe multi-region", fixture: res("gcp:kms/keyRing:KeyRing", "data", { location: "europe" }), changes: {}, fails: true, facts: CH_ONLY },
  { name: "CH: topic persisting in Zurich", fixture: v("Pub/Sub topic"), changes: {}, fails: false, facts: CH_ONLY },
  { name: "CH: topic persisting in Frankfurt too", fixture: v("Pub/Sub topic"), changes: { "messageStoragePolicy.allowedPersistenceRegions": ["europe-west6", "europe-west3"] }, fails: true, facts: CH_ONLY },
  { name: "DE: database and backups in Frankfurt", fixture: sqlInstance, changes: { region: "europe-west3", "settings.backupConfiguration.location": "europe-west3" }, fails: false, facts: DE_ONLY },
  { name: "DE: database in Zurich", fixture: sqlInstance, changes: { "settings.backupConfiguration.location": "europe-west6" }, fails: true, facts: DE_ONLY },
  { name: "DE: secret replicated in Frankfurt", fixture: secretIn("europe-west3"), changes: {}, fails: false, facts: DE_ONLY },
  { name: "DE: secret replicated in Zurich", fixture: secretIn("europe-west6"), changes: {}, fails: true, facts: DE_ONLY },
  { name: "DE: serverless NEG in Zurich", fixture: v("serverless NEG"), changes: {}, fails: true, facts: DE_ONLY },
  { name: "DE: serverless NEG in Frankfurt", fixture: v("serverless NEG"), changes: { region: "europe-west3" }, fails: false, facts: DE_ONLY },
  { name: "DE: log sink into a Zurich log bucket", fixture: v("log sink"), changes: {}, fails: true, facts: DE_ONLY },
];

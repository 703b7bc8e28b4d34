/**
 * Which resources hold state: data a delete or a replacement loses (databases, buckets, volumes,
 * queues, data services run by operators), or identities that cannot be recreated as they were
 * (encryption keys, secret stores, namespaces). One list for every layer: the plan diff flags a
 * delete, rename or replacement of these (engine/diff), and the stack tests require prod to
 * protect them.
 */

/** Custom resource types that hold data, by exact token. */
export const STATEFUL_TYPES: Record<string, string> = {
  "gcp:sql/databaseInstance:DatabaseInstance": "database",
  "gcp:sql/database:Database": "database",
  "gcp:alloydb/cluster:Cluster": "database",
  "gcp:alloydb/instance:Instance": "database",
  "gcp:spanner/instance:Instance": "database",
  "gcp:spanner/database:Database": "database",
  "gcp:firestore/database:Database": "database",
  "gcp:bigquery/dataset:Dataset": "dataset",
  "gcp:bigquery/table:Table": "dataset",
  "gcp:redis/instance:Instance": "cache",
  "gcp:redis/cluster:Cluster": "cache",
  "gcp:memorystore/instance:Instance": "cache",
  "gcp:storage/bucket:Bucket": "bucket",
  "gcp:compute/disk:Disk": "volume",
  "gcp:compute/regionDisk:RegionDisk": "volume",
  "gcp:compute/snapshot:Snapshot": "snapshot",
  "gcp:filestore/instance:Instance": "volume",
  "gcp:container/cluster:Cluster": "cluster",
  "gcp:pubsub/topic:Topic": "queue",
  "gcp:pubsub/subscription:Subscription": "queue",
  "gcp:kms/cryptoKey:CryptoKey": "encryption key",
  "gcp:kms/keyRing:KeyRing": "encryption key",
  "gcp:secretmanager/secret:Secret": "secret store",
  "gcp:artifactregistry/repository:Repository": "registry",
  "kubernetes:core/v1:PersistentVolumeClaim": "volume claim",
  "kubernetes:core/v1:PersistentVolume": "volume",
  "kubernetes:apps/v1:StatefulSet": "StatefulSet",
  "kubernetes:core/v1:Namespace": "namespace",
};

/** Operators' API groups whose custom resources are data services (MongoDB, Kafka, Redis, SQL, search, queues). */
export const DATA_SERVICE_GROUP = /(mongodb|kafka|strimzi|redis|postgres|cnpg|zalan|crunchydata|percona|mariadb|mysql|vitess|elastic|opensearch|rabbitmq|clickhouse|cassandra|minio|velero)/i;
/**
 * Kinds of those groups that run or configure clients of a data service and hold no data
 * themselves (a KafkaUser is an identity: recreating it issues new credentials, loses nothing; so
 * are mariadb-operator's and RabbitMQ's User and Grant, and a SqlJob runs SQL as a client; a firm's
 * database is its `Database`, which stays stateful).
 */
const CLIENT_KINDS = /^(KafkaUser|KafkaRebalance|KafkaBridge|KafkaConnect|KafkaConnector|KafkaMirrorMaker2?|User|Grant|SqlJob)$/;
/** Helm charts that install a data service. */
export const DATA_SERVICE_CHART = /(mongo|kafka|redis|valkey|postgres|mariadb|mysql|elasticsearch|opensearch|rabbitmq|clickhouse|cassandra|minio|etcd|zookeeper)/i;
/**
 * Charts that install an operator (a controller), not the data service it runs: its data lives in
 * the custom resources it serves, which are stateful on their own. MongoDB's operator chart is
 * `mongodb-kubernetes`.
 */
const OPERATOR_CHART = /operator|(^|\/)mongodb-kubernetes$/i;

/**
 * The kind of state a resource holds, or undefined. Components hold no state of their own: their
 * stateful children are reported instead (a renamed component renames its children).
 */
export function statefulKind(type: string, custom: boolean, inputs: Record<string, unknown> = {}): string | undefined {
  if (!custom) return undefined;
  if (STATEFUL_TYPES[type]) return STATEFUL_TYPES[type];
  const m = /^kubernetes:([^/]+)\/[^:]+:(.+)$/.exec(type);
  if (m && m[1].includes(".") && !/\.k8s\.io$|^helm\.sh$|^apiextensions/.test(m[1]) && DATA_SERVICE_GROUP.test(m[1]) && !CLIENT_KINDS.test(m[2])) return `data service (${m[2]})`;
  if (type.startsWith("kubernetes:helm.sh/") && type.endsWith(":Release")) {
    const chart = String(inputs.chart ?? inputs.name ?? "");
    if (DATA_SERVICE_CHART.test(chart) && !OPERATOR_CHART.test(chart)) return `data service (chart ${chart})`;
  }
  return undefined;
}

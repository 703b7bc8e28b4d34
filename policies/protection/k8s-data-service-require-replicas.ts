import { CNPG_CLUSTER_KIND as POSTGRES } from "../lib/k8s";
import { DATA_SERVICE_KINDS, groupKind, ofGroupKinds } from "../lib/pod-templates";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, num, prop } from "../lib/values";

const { mongodb: MONGODB, redis: REDIS, rabbitmq: RABBITMQ, elasticsearch: ELASTICSEARCH, mariadb: MARIADB } = DATA_SERVICE_KINDS;

export default defineResourceRule({
  name: "k8s-data-service-require-replicas",
  description:
    "In prod, operator-run data services survive the loss of a member: MongoDB replica sets of 3+ members, RedisCluster of 3+ shards with followers, RabbitMQ of 3+ nodes, Elasticsearch of 3+ nodes, MariaDB of 3+ replicas under Galera (quorum) or 2+ under replication (a primary and a replica the operator fails over to), CloudNativePG PostgreSQL of a primary and 1+ standby under the operator's PodDisruptionBudgets.",
  severity: "high",
  remediationSteps: "MongoDB: spec.members ≥ 3 (type ReplicaSet). Redis: clusterSize ≥ 3, redisFollower.replicas ≥ 1. RabbitMQ: spec.replicas ≥ 3. Elasticsearch: nodeSets counts ≥ 3 in total. MariaDB: spec.replicas ≥ 3 with galera.enabled, ≥ 2 with replication.enabled. CloudNativePG: spec.instances ≥ 2 (shareyoursales.md draws a primary and 2 read replicas: 3) and spec.enablePDB not false.",
  source: 'cryptocare.md § 1.3 ("Disponibilité: 99.9%"); diaspomoney.md § Performance ("MongoDB - Sharding et réplication"), § Métriques ("Uptime > 99.9%"); shareyoursales.md § Architecture Base de Données ("Primary PostgreSQL (Write)", "Read Replica 1 (Analytics)"); crm-courtier.md § 04 Scaling ("2 Shards MariaDB (master-slave chacun)")',
  domain: "protection",
  resources: ["MongoDBCommunity", "RedisCluster", "RabbitmqCluster", "Elasticsearch (ECK)", "MariaDB (mariadb-operator)", "Cluster (CloudNativePG)"],
  scope: "prod",
  types: ofGroupKinds(MONGODB, REDIS, RABBITMQ, ELASTICSEARCH, MARIADB, POSTGRES),
  validate(r, report) {
    const spec = prop(r.props, "spec");
    if (isUnknown(spec)) return;
    const atLeast = (field: string, min: number, dflt: number | undefined, what: string) => {
      const v = field.split(".").reduce<unknown>((o, k) => prop(o, k), spec);
      if (isUnknown(v)) return;
      const n = v === undefined ? dflt : num(v);
      if (n === undefined) report(`spec.${field} is ${JSON.stringify(v)}, not a number.`);
      else if (n < min) report(`spec.${field} is ${n}${v === undefined ? " (the operator's default)" : ""}: ${what} (prod needs at least ${min}).`);
    };
    switch (groupKind(r.type)) {
      case MONGODB:
        atLeast("members", 3, undefined, "a single failure loses the primary and its data");
        break;
      case REDIS:
        atLeast("clusterSize", 3, undefined, "a Redis cluster needs 3 masters to keep a quorum");
        atLeast("redisFollower.replicas", 1, undefined, "a shard without a follower loses its keys with its pod");
        break;
      case RABBITMQ:
        atLeast("replicas", 3, 1, "quorum queues need 3 nodes");
        break;
      case ELASTICSEARCH: {
        const sets = list(prop(spec, "nodeSets"));
        if (sets.some(isUnknown) || sets.some((s) => isUnknown(prop(s, "count")))) return;
        const total = sets.reduce<number>((t, s) => t + (num(prop(s, "count")) ?? 0), 0);
        if (total < 3) report(`spec.nodeSets count ${total} nodes in total: Elasticsearch needs 3 master-eligible nodes (prod needs at least 3).`);
        break;
      }
      case MARIADB: {
        const galera = prop(prop(spec, "galera"), "enabled");
        const repl = prop(prop(spec, "replication"), "enabled");
        // Galera needs a majority to accept writes; replication needs none: the operator promotes the replica.
        if (galera === true) atLeast("replicas", 3, 1, "a Galera cluster of fewer than 3 loses its quorum with one member");
        else atLeast("replicas", 2, 1, "a lone primary has no replica to fail over to");
        if (!isUnknown(galera) && !isUnknown(repl) && galera !== true && repl !== true) report("neither spec.galera.enabled nor spec.replication.enabled is true: the replicas do not replicate.");
        break;
      }
      case POSTGRES:
        // Streaming replication needs no quorum: the operator fails over to any standby, so one
        // standby survives the loss of the primary (the CRD's default is a lone primary).
        atLeast("instances", 2, 1, "a lone primary has no standby to fail over to");
        // Without the operator's PDBs a node drain may evict the primary and its standbys together.
        if (prop(spec, "enablePDB") === false) report("spec.enablePDB is false: nothing stops a node drain from evicting the primary and its standbys at once.");
        break;
    }
  },
});

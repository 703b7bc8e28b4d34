import { MEMORYSTORE_INSTANCE, REDIS_CLUSTER_GCP, REDIS_INSTANCE } from "../lib/gcp";
import { REDIS_CLUSTER } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, str } from "../lib/values";

const SNAPSHOT_HOURS: Record<string, number> = { ONE_HOUR: 1, SIX_HOURS: 6, TWELVE_HOURS: 12, TWENTY_FOUR_HOURS: 24 };

export default defineResourceRule({
  name: "gcp-redis-instance-require-persistence",
  description: "Where the document asks for it, Redis keeps its data on disk (Memorystore RDB/AOF, operator-managed RedisCluster storage) with snapshots within the backup interval.",
  severity: "medium",
  remediationSteps:
    "Memorystore for Redis: persistenceConfig { persistenceMode: RDB, rdbSnapshotPeriod within maxBackupIntervalHours }. Redis Cluster / Memorystore instance: persistenceConfig.mode RDB or AOF. RedisCluster CR: keep persistenceEnabled and set spec.storage.",
  source: 'diaspomoney.md § Maintenance / Backup ("Redis - Persistence AOF")',
  domain: "backup",
  resources: [REDIS_INSTANCE, REDIS_CLUSTER_GCP, MEMORYSTORE_INSTANCE, REDIS_CLUSTER],
  facts: ["persistenceRequired", "maxBackupIntervalHours"],
  types: [REDIS_INSTANCE, REDIS_CLUSTER_GCP, MEMORYSTORE_INSTANCE, REDIS_CLUSTER],
  validate(r, report) {
    if (!r.facts.persistenceRequired) r.notApplicable("the platform's document does not ask for Redis persistence");
    if (r.type === REDIS_INSTANCE) {
      const mode = r.get("persistenceConfig.persistenceMode");
      if (isUnknown(mode)) return;
      if (mode !== "RDB") {
        report(`persistenceConfig.persistenceMode is ${mode === undefined ? "unset (DISABLED)" : String(mode)}, not RDB.`);
        return;
      }
      const period = str(r.get("persistenceConfig.rdbSnapshotPeriod")) ?? "TWENTY_FOUR_HOURS";
      const hours = SNAPSHOT_HOURS[period];
      if (hours !== undefined && hours > r.facts.maxBackupIntervalHours) report(`rdbSnapshotPeriod ${period} exceeds the ${r.facts.maxBackupIntervalHours} h backup interval.`);
      return;
    }
    if (r.type === REDIS_CLUSTER) {
      if (r.get("spec.persistenceEnabled") === false) report("spec.persistenceEnabled is false.");
      else if (r.get("spec.storage") === undefined) report("spec.storage is not set: the cluster keeps no data on disk.");
      return;
    }
    const mode = r.get("persistenceConfig.mode");
    if (!isUnknown(mode) && mode !== "RDB" && mode !== "AOF") report(`persistenceConfig.mode is ${mode === undefined ? "unset" : String(mode)}, not RDB or AOF.`);
  },
});

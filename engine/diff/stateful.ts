/**
 * What makes a change dangerous: which resources hold data (model/stateful.ts, shared with the stack
 * tests), and which property changes lower a replica count, a backup setting or a protection. Pure
 * functions over type tokens, paths and values.
 */
import type { PropertyChange } from "./types";

export { statefulKind } from "../../model/stateful";

const last = (path: string) => {
  const parts = path.replace(/\[[^\]]*\]/g, "").split(".");
  return parts[parts.length - 1] ?? "";
};

/** Numeric fields that count copies of something: lowering them lowers availability or durability. */
const REPLICA_FIELD = /^(replicas|replicaCount|minReplicas|maxReplicas|minReplicaCount|instances|instanceCount|nodeCount|initialNodeCount|minNodeCount|totalMinNodeCount|members|brokers|shards|shardCount|replicasPerShard|readReplicas|readReplicaCount|readPoolNodeCount|numNodes|numReplicas|replicationFactor|minInSyncReplicas|min\.insync\.replicas|default\.replication\.factor|offsets\.topic\.replication\.factor)$/i;
const BACKUP_CONTEXT = /(backup|retention|retain|pointInTime|binaryLog|binlog|transactionLog|versioning|snapshot|softDelete|lifecycle|archive|pitr)/i;
const RETENTION_FIELD = /(retain|retention|days|count|age|duration|seconds|period|numNewerVersions|keep)/i;
const INTERVAL_FIELD = /(interval|frequency|every)/i;
const PROTECTION_TRUE = /^(deletionProtection|deletionProtectionEnabled|deletion_protection|preventDestroy|enableDeletionProtection|protect)$/i;
const PROTECTION_FALSE = /^(forceDestroy|force_destroy|skipFinalSnapshot)$/i;

export interface LoweredSetting {
  kind: "replicas-lowered" | "backup-lowered" | "protection-removed";
  path: string;
  message: string;
}

function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

/** Property changes that lower replicas, backups or protection. */
export function loweredSettings(changes: PropertyChange[]): LoweredSetting[] {
  const out: LoweredSetting[] = [];
  for (const c of changes) {
    const field = last(c.path);
    const before = c.before.kind === "value" ? c.before.value : undefined;
    const after = c.after.kind === "value" ? c.after.value : undefined;
    const b = num(before);
    const a = num(after);
    const fmt = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));
    if (REPLICA_FIELD.test(field) && b !== undefined && (a !== undefined ? a < b : c.change === "removed")) {
      out.push({ kind: "replicas-lowered", path: c.path, message: `${c.path} lowered from ${b} to ${a ?? "(unset)"}` });
      continue;
    }
    if (field === "availabilityType" && before === "REGIONAL" && after !== "REGIONAL") {
      out.push({ kind: "replicas-lowered", path: c.path, message: `${c.path}: REGIONAL (standby in a second zone) → ${fmt(after)}` });
      continue;
    }
    if (PROTECTION_TRUE.test(field) && before === true && after !== true) {
      out.push({ kind: "protection-removed", path: c.path, message: `${c.path}: true → ${fmt(after)}` });
      continue;
    }
    if (PROTECTION_FALSE.test(field) && before !== true && after === true && c.before.kind !== "absent") {
      out.push({ kind: "protection-removed", path: c.path, message: `${c.path}: ${fmt(before)} → true` });
      continue;
    }
    if (!BACKUP_CONTEXT.test(c.path)) continue;
    if (before === true && after !== true && /(enabled|enable|pointInTimeRecoveryEnabled|binaryLogEnabled|versioning|enabled\b)/i.test(field)) {
      out.push({ kind: "backup-lowered", path: c.path, message: `${c.path}: true → ${fmt(after)}` });
    } else if (b !== undefined && INTERVAL_FIELD.test(field) && (a === undefined || a > b)) {
      out.push({ kind: "backup-lowered", path: c.path, message: `${c.path} (interval) raised from ${b} to ${a ?? "(unset)"}` });
    } else if (b !== undefined && RETENTION_FIELD.test(field) && !INTERVAL_FIELD.test(field) && (a === undefined ? c.change === "removed" : a < b)) {
      out.push({ kind: "backup-lowered", path: c.path, message: `${c.path} lowered from ${b} to ${a ?? "(unset)"}` });
    } else if (c.change === "removed" && /backup/i.test(c.path) && (before === true || b !== undefined)) {
      out.push({ kind: "backup-lowered", path: c.path, message: `${c.path} removed (was ${fmt(before)})` });
    }
  }
  return out;
}

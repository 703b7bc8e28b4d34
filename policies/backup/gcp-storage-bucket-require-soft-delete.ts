import { BUCKET, isBackupBucket } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, num } from "../lib/values";

/** The floor for backup buckets, whatever the stack's minimum. */
const FLOOR_DAYS = 28;
/** GCS keeps soft-deleted objects 7 days when no policy is set. */
const DEFAULT_SOFT_DELETE_SECONDS = 7 * 86_400;

export default defineResourceRule({
  name: "gcp-storage-bucket-require-soft-delete",
  description: "Backup buckets keep deleted objects (soft delete) or lock them (retention policy) for at least 28 days and the stack's minimum retention.",
  severity: "high",
  remediationSteps:
    "On buckets that hold backups (named *backup* or labelled purpose=backup), set softDeletePolicy.retentionDurationSeconds (or retentionPolicy.retentionPeriod) to at least max(28, minBackupRetentionDays) days.",
  source: 'crm-courtier.md § Backup Strategy ("rétention 4 semaines"); model/compliance.ts § ComplianceFacts (minBackupRetentionDays)',
  domain: "backup",
  resources: [`${BUCKET} (backup buckets)`],
  facts: ["minBackupRetentionDays"],
  types: [BUCKET],
  validate(r, report) {
    if (!isBackupBucket(r)) r.notApplicable("not a backup bucket (name without 'backup', no purpose=backup label)");
    const days = Math.max(FLOOR_DAYS, r.facts.minBackupRetentionDays);
    const soft = r.get("softDeletePolicy.retentionDurationSeconds");
    const lock = r.get("retentionPolicy.retentionPeriod");
    if (isUnknown(soft) || isUnknown(lock)) return;
    const seconds = (v: unknown, dflt: number) => (v === undefined ? dflt : (num(v) ?? 0));
    const best = Math.max(seconds(soft, DEFAULT_SOFT_DELETE_SECONDS), seconds(lock, 0));
    if (best < days * 86_400) {
      report(`deleted backups are recoverable for ${Math.floor(best / 86_400)} days${soft === undefined && lock === undefined ? " (the GCS default)" : ""}; at least ${days} days are required.`);
    }
  },
});

import { isReadReplica, SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, num, str } from "../lib/values";

/** Cloud SQL keeps 7 automated backups when retention is not set. */
const DEFAULT_RETAINED = 7;

export default defineResourceRule({
  name: "gcp-sql-instance-require-backup-retention",
  description: "Cloud SQL automated backups are kept at least the stack's minimum retention (daily backups: one retained backup per day).",
  severity: "high",
  remediationSteps:
    "Set settings.backupConfiguration.backupRetentionSettings.retainedBackups to at least minBackupRetentionDays (retentionUnit COUNT; Cloud SQL takes one automated backup a day).",
  source: 'crm-courtier.md § Backup Strategy ("Snapshots: Hebdomadaire (rétention 4 semaines)"); model/compliance.ts § ComplianceFacts (minBackupRetentionDays)',
  domain: "backup",
  resources: [SQL_INSTANCE],
  facts: ["minBackupRetentionDays"],
  types: [SQL_INSTANCE],
  validate(r, report) {
    if (isReadReplica(r)) r.notApplicable("read replica: backups are taken on the primary");
    if (r.get("settings.backupConfiguration.enabled") !== true) r.notApplicable("backups are off: gcp-sql-instance-require-backups reports it");
    const unit = r.get("settings.backupConfiguration.backupRetentionSettings.retentionUnit");
    if (!isUnknown(unit) && unit !== undefined && str(unit) !== "COUNT") {
      report(`retentionUnit ${String(unit)} is not COUNT: the retention cannot be checked against ${r.facts.minBackupRetentionDays} days.`);
      return;
    }
    const raw = r.get("settings.backupConfiguration.backupRetentionSettings.retainedBackups");
    if (isUnknown(raw)) return;
    const retained = num(raw) ?? DEFAULT_RETAINED;
    if (retained < r.facts.minBackupRetentionDays) {
      report(`${retained} retained daily backups${raw === undefined ? " (the default)" : ""} keep less than the ${r.facts.minBackupRetentionDays} days this stack requires.`);
    }
  },
});

import { isReadReplica, SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-require-backups",
  description: "Cloud SQL primaries take automated backups.",
  severity: "high",
  remediationSteps: "Set settings.backupConfiguration.enabled: true (the Postgres component does by default). Read replicas are exempt: backups belong to the primary.",
  source: 'quickfund.md § Backups ("Backup base de données: GCP automatique"); crm-courtier.md § Backup Strategy; CIS GCP v3.0 6.7; CKV_GCP_14',
  domain: "backup",
  resources: [SQL_INSTANCE],
  types: [SQL_INSTANCE],
  validate(r, report) {
    if (isReadReplica(r)) r.notApplicable("read replica: backups are taken on the primary");
    const enabled = r.get("settings.backupConfiguration.enabled");
    if (!isUnknown(enabled) && enabled !== true) report("settings.backupConfiguration.enabled is not true: automated backups are off (the provider default).");
  },
});

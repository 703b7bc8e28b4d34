import { isReadReplica, SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, plain } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-require-retained-backups",
  description: "Production Cloud SQL primaries keep their backups when the instance is deleted (settings.retainBackupsOnDelete), so that a mistaken or malicious delete is recoverable.",
  severity: "high",
  remediationSteps: "Set settings.retainBackupsOnDelete: true (the Postgres component does); the default, false, deletes every automated backup with the instance.",
  source: 'quickfund.md § Données stockées ("Contrats signés: Critique"); crm-courtier.md § Backup Strategy; Cloud SQL docs § Retained backups',
  domain: "backup",
  resources: [SQL_INSTANCE],
  scope: "prod",
  types: [SQL_INSTANCE],
  validate(r, report) {
    if (isReadReplica(r)) r.notApplicable("read replica: backups belong to the primary");
    const v = r.get("settings.retainBackupsOnDelete");
    if (isUnknown(v) || v === true) return;
    report(`settings.retainBackupsOnDelete is ${v === undefined ? "unset (false)" : JSON.stringify(plain(v))}: deleting the instance deletes its backups.`);
  },
});

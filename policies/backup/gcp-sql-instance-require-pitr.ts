import { isReadReplica, SQL_INSTANCE, sqlEngine } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-require-pitr",
  description: "Where an RPO is stated, Cloud SQL primaries keep transaction logs for point-in-time recovery (PostgreSQL: pointInTimeRecoveryEnabled; MySQL: binaryLogEnabled).",
  severity: "high",
  remediationSteps:
    "PostgreSQL/SQL Server: set settings.backupConfiguration.pointInTimeRecoveryEnabled: true. MySQL: set settings.backupConfiguration.binaryLogEnabled: true.",
  source: 'crm-courtier.md § Backup Strategy ("binlogs incrémentaux", "RTO/RPO: <1h / <15min"); model/compliance.ts § ComplianceFacts (pointInTimeRecoveryRequired)',
  domain: "backup",
  resources: [SQL_INSTANCE],
  facts: ["pointInTimeRecoveryRequired"],
  types: [SQL_INSTANCE],
  validate(r, report) {
    if (!r.facts.pointInTimeRecoveryRequired) r.notApplicable("no RPO stated for this stack: point-in-time recovery is not required");
    if (isReadReplica(r)) r.notApplicable("read replica: transaction logs are kept by the primary");
    const engine = sqlEngine(r);
    if (engine === "unknown") return;
    const field = engine === "mysql" ? "binaryLogEnabled" : "pointInTimeRecoveryEnabled";
    const v = r.get(`settings.backupConfiguration.${field}`);
    if (!isUnknown(v) && v !== true) report(`settings.backupConfiguration.${field} is not true: the stated RPO needs point-in-time recovery.`);
  },
});

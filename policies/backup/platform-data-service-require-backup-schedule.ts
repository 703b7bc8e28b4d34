import type { PolicyResource } from "@pulumi/policy";
import { BACKUP_TARGET_LABEL } from "../../model/backup";
import { maxGapHours } from "../lib/cron";
import { SQL_INSTANCE } from "../lib/gcp";
import { CRONJOB, MONGODB, STATEFULSET } from "../lib/k8s";
import { defineStackRule } from "../lib/rule";
import { at, isSet, isUnknown, num, prop, str } from "../lib/values";

/** Cloud SQL takes one automated backup a day. */
const CLOUD_SQL_INTERVAL_HOURS = 24;

function nameOf(r: PolicyResource): string {
  return str(at(r.props, "metadata.name")) ?? r.name;
}

export default defineStackRule({
  name: "platform-data-service-require-backup-schedule",
  description:
    "In prod, every stateful data service (Cloud SQL primaries, StatefulSets, MongoDB) is backed up at least every maxBackupIntervalHours, by Cloud SQL (which keeps minBackupRetentionDays of backups) or a labelled backup CronJob (whose bucket's retention k8s-backup-cronjob-require-bucket-retention checks).",
  severity: "critical",
  remediationSteps:
    `Cloud SQL: enable automated backups with enough retained backups. Kubernetes: a CronJob labelled ${BACKUP_TARGET_LABEL}=<service name> in the service's namespace, whose schedule never leaves more than maxBackupIntervalHours between runs, uploading to a bucket that keeps dumps minBackupRetentionDays (model/backup.ts). Kafka (message retention) and Redis (persistence) are exempt as their documents state.`,
  source:
    'quickfund.md § Backups ("Fréquence: Tous les 2 jours"); diaspomoney.md § Backup ("MongoDB - Backup quotidien", "Redis - Persistence AOF", "Kafka - Retention des messages"); crm-courtier.md § Backup Strategy ("Dump quotidien", "rétention 4 semaines")',
  domain: "backup",
  resources: [SQL_INSTANCE, STATEFULSET, MONGODB, CRONJOB],
  scope: "prod",
  facts: ["maxBackupIntervalHours", "minBackupRetentionDays"],
  validate(s, report) {
    const { maxBackupIntervalHours: maxHours, minBackupRetentionDays: minDays } = s.facts;
    for (const db of s.ofType(SQL_INSTANCE)) {
      if (isSet(at(db.props, "masterInstanceName"))) continue;
      const enabled = at(db.props, "settings.backupConfiguration.enabled");
      if (isUnknown(enabled)) continue;
      if (enabled !== true) {
        report(`Cloud SQL ${db.name}: automated backups are off.`, db.urn);
        continue;
      }
      if (CLOUD_SQL_INTERVAL_HOURS > maxHours) report(`Cloud SQL ${db.name}: daily backups exceed the ${maxHours} h interval.`, db.urn);
      const retained = at(db.props, "settings.backupConfiguration.backupRetentionSettings.retainedBackups");
      if (!isUnknown(retained) && (num(retained) ?? 7) < minDays) report(`Cloud SQL ${db.name}: ${num(retained) ?? 7} retained backups < ${minDays} days.`, db.urn);
    }
    const cronJobs = s.ofType(CRONJOB);
    const services = [...s.ofType(STATEFULSET), ...s.ofType(MONGODB)];
    // StatefulSets an operator creates for a CR are not in the plan; the ones here are ours.
    for (const svc of services) {
      const name = nameOf(svc);
      const ns = at(svc.props, "metadata.namespace");
      const jobs = cronJobs.filter((j) => {
        const jns = at(j.props, "metadata.namespace");
        const sameNs = isUnknown(ns) || isUnknown(jns) || (ns ?? "default") === (jns ?? "default");
        return sameNs && prop(at(j.props, "metadata.labels"), BACKUP_TARGET_LABEL) === name;
      });
      if (jobs.length === 0) {
        report(`${svc.type.split(":").pop()} ${svc.name}: no backup CronJob labelled ${BACKUP_TARGET_LABEL}=${name}.`, svc.urn);
        continue;
      }
      const problems: string[] = [];
      const ok = jobs.some((j) => {
        const schedule = at(j.props, "spec.schedule");
        const suspended = at(j.props, "spec.suspend") === true;
        if (isUnknown(schedule)) return true;
        const gap = typeof schedule === "string" ? maxGapHours(schedule) : undefined;
        const bad: string[] = [];
        if (suspended) bad.push("suspended");
        if (gap === undefined) bad.push(`schedule ${String(schedule)} cannot be read`);
        else if (gap > maxHours) bad.push(`schedule ${String(schedule)} leaves ${gap} h between backups (max ${maxHours} h)`);
        if (bad.length) problems.push(`CronJob ${j.name}: ${bad.join(", ")}`);
        return bad.length === 0;
      });
      if (!ok) report(`${svc.type.split(":").pop()} ${svc.name}: ${problems.join("; ")}.`, svc.urn);
    }
  },
});

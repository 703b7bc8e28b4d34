import type { PolicyResource } from "@pulumi/policy";
import { BACKUP_TARGET_LABEL } from "../../model/backup";
import { BINLOG_ROTATION_TARGET_LABEL } from "../../model/compliance";
import { maxGapHours } from "../lib/cron";
import { describeMinutes, readPgDuration } from "../lib/duration";
import { SQL_INSTANCE } from "../lib/gcp";
import { CNPG_CLUSTER_KIND, CNPG_SCHEDULED_BACKUP_KIND, CRONJOB, MONGODB, namespaceOf, STATEFULSET } from "../lib/k8s";
import { groupKind } from "../lib/pod-templates";
import { defineStackRule } from "../lib/rule";
import { at, isSet, isUnknown, list, prop, str } from "../lib/values";
import { cnpgSchedule } from "./k8s-cnpg-cluster-require-backups";

/** Cloud SQL takes one automated backup a day: without its transaction logs, that is what is lost. */
const CLOUD_SQL_BACKUP_MINUTES = 24 * 60;

/**
 * CloudNativePG sets archive_timeout to 5min unless the Cluster's postgresql.parameters say
 * otherwise (CloudNativePG docs § WAL archiving): PostgreSQL then closes and ships a WAL segment at
 * least that often, however quiet the database.
 */
export const CNPG_DEFAULT_ARCHIVE_TIMEOUT_SECONDS = 300;

/**
 * mariadb-operator's agent looks for closed binary logs every 10 minutes (v26.6.0
 * pkg/binlog/archiver.go archiveInterval, not configurable): a binary log closed just after a
 * cycle waits that long before it is uploaded.
 */
export const MARIADB_ARCHIVE_CYCLE_MINUTES = 10;

const MARIADB_KIND = "k8s.mariadb.com/MariaDB";
const MARIADB_PITR_KIND = "k8s.mariadb.com/PointInTimeRecovery";
const MARIADB_PHYSICAL_BACKUP_KIND = "k8s.mariadb.com/PhysicalBackup";
const MARIADB_BACKUP_KIND = "k8s.mariadb.com/Backup";
const MARIADB_SQLJOB_KIND = "k8s.mariadb.com/SqlJob";
const FLUSH_BINLOG = /\bFLUSH\s+(?:BINARY\s+)?LOGS\b/i;

/** Unknown-tolerant equality: a value a preview cannot know never proves a mismatch. */
function mayEqual(a: unknown, b: unknown): boolean {
  return isUnknown(a) || isUnknown(b) || a === b;
}

function ofKind(resources: PolicyResource[], gk: string): PolicyResource[] {
  return resources.filter((r) => groupKind(r.type) === gk);
}

function nameOf(r: PolicyResource): string {
  return str(at(r.props, "metadata.name")) ?? r.name;
}

function sameNamespace(a: PolicyResource, b: PolicyResource): boolean {
  return mayEqual(namespaceOf(a.props, a.provider), namespaceOf(b.props, b.provider));
}

/**
 * The shortest worst-case gap, in hours, among schedules that run: `undefined` when none runs,
 * `"unknown"` when one of them cannot be known during preview (never a violation).
 */
type Gap = { hours: number; by: string } | "unknown" | undefined;
function bestGap(candidates: { label: string; schedule: unknown; suspended: unknown; sixFields?: boolean }[], problems: string[]): Gap {
  let best: { hours: number; by: string } | undefined;
  for (const c of candidates) {
    if (isUnknown(c.schedule) || isUnknown(c.suspended)) return "unknown";
    if (c.suspended === true) {
      problems.push(`${c.label} is suspended`);
      continue;
    }
    const gap = typeof c.schedule === "string" ? maxGapHours(c.sixFields ? cnpgSchedule(c.schedule) : c.schedule) : undefined;
    if (gap === undefined) {
      problems.push(`${c.label}'s schedule ${JSON.stringify(c.schedule)} cannot be read`);
      continue;
    }
    if (best === undefined || gap < best.hours) best = { hours: gap, by: `${c.label} (${String(c.schedule)})` };
  }
  return best;
}

/** Hours (a cron gap) to minutes, rounded to the second: a five-minute schedule is 5 minutes, not 5.0000001. */
function minutesOf(hours: number): number {
  return Math.round(hours * 3600) / 60;
}

function extra(problems: string[]): string {
  return problems.length ? ` (${problems.join("; ")})` : "";
}

export default defineStackRule({
  name: "platform-data-service-require-rpo-log-shipping",
  description:
    "Where the document states an RPO (maxRpoMinutes), every data service's worst-case data-loss window is within it: Cloud SQL primaries keep transaction logs for point-in-time recovery (else a day of writes); a CloudNativePG Cluster archives its WAL with archive_timeout (5min by default) within the RPO; a mariadb-operator MariaDB archives its binary logs through a PointInTimeRecovery and rotates them on a schedule whose gap plus the operator's 10-minute archive cycle is within the RPO; StatefulSets and MongoDB, which ship no logs, are dumped by a labelled CronJob at least that often. Services without log shipping are judged by their backup interval.",
  severity: "critical",
  remediationSteps:
    `Cloud SQL: settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled (PostgreSQL) or binaryLogEnabled (MySQL). CloudNativePG: a WAL-archiver plugin (components/k8s/postgres-cluster) and spec.postgresql.parameters.archive_timeout no longer than the RPO (unset is 5min). MariaDB: spec.pointInTimeRecoveryRef naming a PointInTimeRecovery of its namespace (with its PhysicalBackup), replication enabled, and a CronJob labelled ${BINLOG_ROTATION_TARGET_LABEL}=<MariaDB name> (or a scheduled SqlJob of the MariaDB) running FLUSH BINARY LOGS at most RPO - ${MARIADB_ARCHIVE_CYCLE_MINUTES} minutes apart. StatefulSets and MongoDB: a CronJob labelled ${BACKUP_TARGET_LABEL}=<name> whose schedule never leaves more than the RPO between runs.`,
  source:
    'crm-courtier.md § Backup Strategy ("RTO/RPO : <1h / <15min", "binlogs incrémentaux (6h)"); model/compliance.ts § ComplianceFacts (maxRpoMinutes); CloudNativePG docs § WAL archiving (archive_timeout is 5min by default, a time-based bound on the RPO); MariaDB Operator docs § Point-In-Time-Recovery (Archival: the agent archives closed binary logs periodically, every 10 minutes in pkg/binlog/archiver.go at v26.6.0; Binary log size: rotation at max_binlog_size); Cloud SQL docs § Use point-in-time recovery (PITR)',
  domain: "backup",
  resources: [
    SQL_INSTANCE,
    "kubernetes:postgresql.cnpg.io/v1:Cluster (+ its ScheduledBackups)",
    "kubernetes:k8s.mariadb.com/v1alpha1:MariaDB (+ PointInTimeRecovery, PhysicalBackup, Backup, SqlJob, rotation CronJob)",
    STATEFULSET,
    MONGODB,
    CRONJOB,
  ],
  scope: "all",
  facts: ["maxRpoMinutes"],
  validate(s, report) {
    const rpo = s.facts.maxRpoMinutes;
    if (rpo === null || rpo === undefined) return s.notApplicable("the platform's document states no RPO (maxRpoMinutes is null): no log-shipping window to check");
    const over = (minutes: number) => minutes > rpo;
    const window = (minutes: number) => `a worst-case data-loss window of ${describeMinutes(minutes)}, over the stated RPO of ${describeMinutes(rpo)}`;

    // Cloud SQL: PITR logs are uploaded continuously (Google states no interval); without them, the daily backup.
    for (const db of s.ofType(SQL_INSTANCE)) {
      if (isSet(at(db.props, "masterInstanceName")) || at(db.props, "instanceType") === "READ_REPLICA_INSTANCE") continue;
      const version = at(db.props, "databaseVersion");
      if (typeof version !== "string" || isUnknown(version)) continue;
      const field = version.startsWith("MYSQL") ? "binaryLogEnabled" : "pointInTimeRecoveryEnabled";
      const enabled = at(db.props, "settings.backupConfiguration.enabled");
      const pitr = at(db.props, `settings.backupConfiguration.${field}`);
      if (isUnknown(enabled) || isUnknown(pitr)) continue;
      if (enabled === true && pitr === true) continue;
      if (enabled !== true) report(`Cloud SQL ${db.name}: automated backups are off, so nothing bounds what a failure loses (the stated RPO is ${describeMinutes(rpo)}); enable backups and settings.backupConfiguration.${field}.`, db.urn);
      else report(`Cloud SQL ${db.name}: settings.backupConfiguration.${field} is not true, so only the daily backup bounds the loss: ${window(CLOUD_SQL_BACKUP_MINUTES)}.`, db.urn);
    }

    // CloudNativePG: WAL archiving closes a segment at least every archive_timeout.
    const scheduled = ofKind(s.resources, CNPG_SCHEDULED_BACKUP_KIND);
    for (const cluster of ofKind(s.resources, CNPG_CLUSTER_KIND)) {
      const spec = prop(cluster.props, "spec");
      if (isUnknown(spec)) continue;
      const label = `Cluster ${nameOf(cluster)}`;
      const plugins = list(prop(spec, "plugins"));
      if (plugins.some(isUnknown)) continue;
      const inTree = at(spec, "backup.barmanObjectStore");
      if (isUnknown(inTree)) continue;
      const archives = plugins.some((p) => (prop(p, "isWALArchiver") === true || isUnknown(prop(p, "isWALArchiver"))) && prop(p, "enabled") !== false) || (inTree !== undefined && inTree !== null);
      if (archives) {
        const t = readPgDuration(at(spec, "postgresql.parameters.archive_timeout"));
        if (t.kind === "unknown") continue;
        if (t.kind === "invalid") {
          report(`${label}: spec.postgresql.parameters.archive_timeout ${t.raw} is not a PostgreSQL time (e.g. "5min"), so its archiving window cannot be checked against the stated RPO of ${describeMinutes(rpo)}.`, cluster.urn);
          continue;
        }
        const seconds = t.kind === "absent" ? CNPG_DEFAULT_ARCHIVE_TIMEOUT_SECONDS : t.seconds;
        if (seconds === 0) report(`${label}: archive_timeout 0 turns the time bound off: a WAL segment ships only once 16 MB are written, so a quiet database keeps its last writes unarchived for as long as it stays quiet (the stated RPO is ${describeMinutes(rpo)}).`, cluster.urn);
        else if (over(seconds / 60)) report(`${label}: archive_timeout ${t.kind === "absent" ? "5min (the default)" : t.raw} gives ${window(seconds / 60)}.`, cluster.urn);
        continue;
      }
      // No archiver: only its base backups bound the loss.
      const name = at(cluster.props, "metadata.name");
      const problems: string[] = [];
      const mine = scheduled.filter((b) => sameNamespace(b, cluster) && mayEqual(at(b.props, "spec.cluster.name"), name));
      const gap = bestGap(
        mine.map((b) => ({ label: `ScheduledBackup ${nameOf(b)}`, schedule: at(b.props, "spec.schedule"), suspended: at(b.props, "spec.suspend"), sixFields: true })),
        problems,
      );
      if (gap === "unknown") continue;
      if (gap === undefined) report(`${label}: no plugin archives its WAL and no running ScheduledBackup backs it up, so nothing bounds what a failure loses (the stated RPO is ${describeMinutes(rpo)})${extra(problems)}.`, cluster.urn);
      else if (over(minutesOf(gap.hours))) report(`${label}: no plugin archives its WAL, so only ${gap.by} bounds the loss: ${window(minutesOf(gap.hours))}.`, cluster.urn);
    }

    // mariadb-operator: closed binary logs are archived every 10 minutes; MariaDB closes one at max_binlog_size or on FLUSH BINARY LOGS.
    const pitrs = ofKind(s.resources, MARIADB_PITR_KIND);
    const physical = ofKind(s.resources, MARIADB_PHYSICAL_BACKUP_KIND);
    const logical = ofKind(s.resources, MARIADB_BACKUP_KIND);
    const sqlJobs = ofKind(s.resources, MARIADB_SQLJOB_KIND);
    const cronJobs = s.ofType(CRONJOB);
    for (const mdb of ofKind(s.resources, MARIADB_KIND)) {
      const spec = prop(mdb.props, "spec");
      if (isUnknown(spec)) continue;
      const name = at(mdb.props, "metadata.name");
      const label = `MariaDB ${nameOf(mdb)}`;
      const ref = at(spec, "pointInTimeRecoveryRef.name");
      if (isUnknown(ref)) continue;
      // A mariaDbRef may name another namespace; without one it is the referrer's.
      const byMe = (r: PolicyResource) => {
        const refNs = at(r.props, "spec.mariaDbRef.namespace");
        const ns = refNs === undefined || refNs === null || refNs === "" ? namespaceOf(r.props, r.provider) : refNs;
        return mayEqual(ns, namespaceOf(mdb.props, mdb.provider)) && mayEqual(at(r.props, "spec.mariaDbRef.name"), name);
      };
      if (typeof ref === "string" && ref !== "") {
        const replication = at(spec, "replication.enabled");
        if (!isUnknown(replication) && replication !== true) {
          report(`${label}: spec.pointInTimeRecoveryRef is set but replication is not enabled; mariadb-operator archives binary logs on the asynchronous replication topology only (MariaDB Operator docs § Point-In-Time-Recovery), so nothing ships its writes (the stated RPO is ${describeMinutes(rpo)}).`, mdb.urn);
          continue;
        }
        const inNs = pitrs.filter((p) => sameNamespace(p, mdb));
        const pitr = inNs.find((p) => at(p.props, "metadata.name") === ref);
        if (!pitr) {
          if (!inNs.some((p) => isUnknown(at(p.props, "metadata.name")))) report(`${label}: its pointInTimeRecoveryRef names PointInTimeRecovery ${ref}, which is not in the stack in its namespace: nothing archives its binary logs (the stated RPO is ${describeMinutes(rpo)}).`, mdb.urn);
          continue;
        }
        // The agent skips archival while the PointInTimeRecovery's base backup is missing.
        const base = at(pitr.props, "spec.physicalBackupRef.name");
        if (!isUnknown(base) && !physical.some((b) => sameNamespace(b, pitr) && mayEqual(at(b.props, "metadata.name"), base))) {
          report(`${label}: PointInTimeRecovery ${ref} names PhysicalBackup ${String(base)} as its base backup, which is not in the stack in its namespace; the operator's agent archives nothing without it.`, mdb.urn);
          continue;
        }
        const problems: string[] = [];
        const rotations = [
          ...cronJobs
            .filter((j) => sameNamespace(j, mdb) && mayEqual(prop(at(j.props, "metadata.labels"), BINLOG_ROTATION_TARGET_LABEL), name))
            .map((j) => ({ label: `CronJob ${nameOf(j)}`, schedule: at(j.props, "spec.schedule"), suspended: at(j.props, "spec.suspend") })),
          ...sqlJobs
            .filter((j) => byMe(j) && isSet(at(j.props, "spec.schedule")) && (isUnknown(at(j.props, "spec.sql")) || FLUSH_BINLOG.test(str(at(j.props, "spec.sql")) ?? "")))
            .map((j) => ({ label: `SqlJob ${nameOf(j)}`, schedule: at(j.props, "spec.schedule.cron"), suspended: at(j.props, "spec.schedule.suspend") })),
        ];
        const gap = bestGap(rotations, problems);
        if (gap === "unknown") continue;
        if (gap === undefined) {
          report(
            `${label}: its binary logs are archived only once closed, and MariaDB closes one at max_binlog_size (1 GB by default), not on a clock: with no scheduled FLUSH BINARY LOGS (a CronJob labelled ${BINLOG_ROTATION_TARGET_LABEL}=${String(str(name) ?? "?")} or a scheduled SqlJob of this MariaDB), a quiet shard keeps its last writes unarchived for as long as it stays quiet (the stated RPO is ${describeMinutes(rpo)})${extra(problems)}.`,
            mdb.urn,
          );
          continue;
        }
        const minutes = minutesOf(gap.hours) + MARIADB_ARCHIVE_CYCLE_MINUTES;
        if (over(minutes)) report(`${label}: ${gap.by} rotates its binary log, and the operator's agent archives closed logs every ${MARIADB_ARCHIVE_CYCLE_MINUTES} min: ${window(minutes)}.`, mdb.urn);
        continue;
      }
      // No binlog archiving: its scheduled backups bound the loss.
      const problems: string[] = [];
      const backups = [...physical, ...logical].filter((b) => byMe(b) && isSet(at(b.props, "spec.schedule")));
      const gap = bestGap(
        backups.map((b) => ({ label: `${groupKind(b.type)?.split("/")[1] ?? "Backup"} ${nameOf(b)}`, schedule: at(b.props, "spec.schedule.cron"), suspended: at(b.props, "spec.schedule.suspend") })),
        problems,
      );
      if (gap === "unknown") continue;
      if (gap === undefined) report(`${label}: no spec.pointInTimeRecoveryRef archives its binary logs and no scheduled Backup or PhysicalBackup backs it up, so nothing bounds what a failure loses (the stated RPO is ${describeMinutes(rpo)})${extra(problems)}.`, mdb.urn);
      else if (over(minutesOf(gap.hours))) report(`${label}: no spec.pointInTimeRecoveryRef archives its binary logs, so only ${gap.by} bounds the loss: ${window(minutesOf(gap.hours))}.`, mdb.urn);
    }

    // StatefulSets and MongoDB ship no logs here: the dump CronJob's worst gap is the window (model/backup.ts).
    for (const svc of [...s.ofType(STATEFULSET), ...s.ofType(MONGODB)]) {
      const name = nameOf(svc);
      const label = `${svc.type.split(":").pop()} ${svc.name}`;
      const problems: string[] = [];
      const jobs = cronJobs.filter((j) => sameNamespace(j, svc) && prop(at(j.props, "metadata.labels"), BACKUP_TARGET_LABEL) === name);
      const gap = bestGap(
        jobs.map((j) => ({ label: `CronJob ${j.name}`, schedule: at(j.props, "spec.schedule"), suspended: at(j.props, "spec.suspend") })),
        problems,
      );
      if (gap === "unknown") continue;
      if (gap === undefined) report(`${label}: no running backup CronJob labelled ${BACKUP_TARGET_LABEL}=${name}, so nothing bounds what a failure loses (the stated RPO is ${describeMinutes(rpo)})${extra(problems)}.`, svc.urn);
      else if (over(minutesOf(gap.hours))) report(`${label}: it ships no logs, so ${gap.by} bounds the loss: ${window(minutesOf(gap.hours))}.`, svc.urn);
    }
  },
});

/**
 * Spec of the RPO rule (platform-data-service-require-rpo-log-shipping): one plan holding every
 * data service it judges, each shipping its logs within a 15-minute RPO (crm-courtier.md § Backup
 * Strategy, "RTO/RPO : <1h / <15min"), and one changed property per failing case.
 */
import { BACKUP_TARGET_LABEL } from "../../../model/backup";
import { BINLOG_ROTATION_TARGET_LABEL } from "../../../model/compliance";
import { DEL, res, UNKNOWN } from "../helpers";
import { pgCluster, pgScheduledBackup } from "./cnpg";
import { sqlInstance } from "./gcp";
import { container, mongoCr } from "./kubernetes";
import type { RuleSpec } from "./types";

const NS = "crm-courtier-prod-data";
const POD_SECURITY = { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } };
const S3 = (prefix: string) => ({
  s3: {
    bucket: "crm-courtier-prod-mariadb",
    endpoint: "storage.googleapis.com",
    region: "europe-west9",
    prefix,
    accessKeyIdSecretKeyRef: { name: "mariadb-s3", key: "access-key-id" },
    secretAccessKeySecretKeyRef: { name: "mariadb-s3", key: "secret-access-key" },
    tls: { enabled: true },
  },
});

const pg = { ...structuredClone(pgCluster), name: "rpo-pg-cluster", urn: pgCluster.urn.replace("ledger-pg-cluster", "rpo-pg-cluster") };
const pgDaily = { ...structuredClone(pgScheduledBackup), name: "rpo-pg-scheduled-backup", urn: pgScheduledBackup.urn.replace("ledger-pg-scheduled-backup", "rpo-pg-scheduled-backup") };
const cloudSql = { ...structuredClone(sqlInstance), name: "rpo-sql-instance", urn: sqlInstance.urn.replace("orders-instance", "rpo-sql-instance") };

/**
 * A MariaDB shard as components/k8s/mariadb emits it: replication, a PointInTimeRecovery whose
 * base is a weekly PhysicalBackup, and a daily logical Backup.
 */
function mariadbShard(shard: string) {
  const mariadb = res("kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", `${shard}-mariadb`, {
    apiVersion: "k8s.mariadb.com/v1alpha1",
    kind: "MariaDB",
    metadata: { name: shard, namespace: NS },
    spec: {
      image: "docker-registry1.mariadb.com/library/mariadb:11.8.2",
      replicas: 3,
      replication: { enabled: true },
      rootPasswordSecretKeyRef: { name: `${shard}-root`, key: "password" },
      storage: { size: "20Gi" },
      tls: { enabled: true, required: true },
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
      podSecurityContext: { ...POD_SECURITY, fsGroup: 999, runAsUser: 999 },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, readOnlyRootFilesystem: true },
      pointInTimeRecoveryRef: { name: `${shard}-pitr` },
    },
  });
  const pitr = res("kubernetes:k8s.mariadb.com/v1alpha1:PointInTimeRecovery", `${shard}-pitr`, {
    apiVersion: "k8s.mariadb.com/v1alpha1",
    kind: "PointInTimeRecovery",
    metadata: { name: `${shard}-pitr`, namespace: NS },
    spec: { physicalBackupRef: { name: `${shard}-weekly` }, storage: S3(`${shard}/binlogs`), compression: "gzip", archiveTimeout: "1h" },
  });
  const weekly = res("kubernetes:k8s.mariadb.com/v1alpha1:PhysicalBackup", `${shard}-physical-backup`, {
    apiVersion: "k8s.mariadb.com/v1alpha1",
    kind: "PhysicalBackup",
    metadata: { name: `${shard}-weekly`, namespace: NS },
    spec: { mariaDbRef: { name: shard, waitForIt: true }, schedule: { cron: "0 4 * * 0" }, maxRetention: "672h", storage: S3(`${shard}/physical`) },
  });
  const daily = res("kubernetes:k8s.mariadb.com/v1alpha1:Backup", `${shard}-backup`, {
    apiVersion: "k8s.mariadb.com/v1alpha1",
    kind: "Backup",
    metadata: { name: `${shard}-daily`, namespace: NS },
    spec: { mariaDbRef: { name: shard, waitForIt: true }, schedule: { cron: "0 3 * * *" }, maxRetention: "720h", storage: S3(`${shard}/logical`) },
  });
  return [mariadb, pitr, weekly, daily];
}

/** shard-0 rotates its binary log the way components/k8s/mariadb does: a SqlJob every 3 minutes (3 + 10 = 13 min). */
export const mariadbRotationSqlJob = res("kubernetes:k8s.mariadb.com/v1alpha1:SqlJob", "shard-0-binlog-rotation", {
  apiVersion: "k8s.mariadb.com/v1alpha1",
  kind: "SqlJob",
  metadata: { name: "shard-0-binlog-rotation", namespace: NS },
  spec: {
    mariaDbRef: { name: "shard-0", waitForIt: true },
    username: "binlog-rotator",
    passwordSecretKeyRef: { name: "shard-0-binlog-rotator", key: "password" },
    sql: "FLUSH BINARY LOGS;",
    schedule: { cron: "*/3 * * * *", suspend: false },
    timeZone: "UTC",
    restartPolicy: "Never",
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    podSecurityContext: POD_SECURITY,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, readOnlyRootFilesystem: true },
  },
});

const jobSpec = (schedule: string, args: string[]) => ({
  schedule,
  concurrencyPolicy: "Forbid",
  jobTemplate: {
    spec: {
      template: {
        spec: {
          restartPolicy: "OnFailure",
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          containers: [{ ...container, name: "job", image: "docker-registry1.mariadb.com/library/mariadb:11.8.2", ports: [], args }],
        },
      },
    },
  },
});

/** shard-1 rotates through a labelled CronJob every 4 minutes: 4 + the operator's 10-minute archive cycle = 14 min. */
export const mariadbRotationCronJob = res("kubernetes:batch/v1:CronJob", "shard-1-binlog-rotation", {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "shard-1-binlog-rotation", namespace: NS, labels: { [BINLOG_ROTATION_TARGET_LABEL]: "shard-1" } },
  spec: jobSpec("*/4 * * * *", ["mariadb --host shard-1-primary --execute 'FLUSH BINARY LOGS'"]),
});

/** A MongoDB with no log shipping, dumped every 15 minutes. */
const mongo = { ...structuredClone(mongoCr), name: "rpo-mongodb", urn: mongoCr.urn.replace("::mongodb", "::rpo-mongodb") };
(mongo.inputs.metadata as Record<string, unknown>).name = "sessions";
const mongoDump = res("kubernetes:batch/v1:CronJob", "sessions-dump", {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "sessions-dump", namespace: "diaspomoney-prod-infra", labels: { [BACKUP_TARGET_LABEL]: "sessions" } },
  spec: jobSpec("*/15 * * * *", ['mongodump --archive | gcloud storage cp - "gs://diaspomoney-mongodb-backups-prod/sessions/$(date +%FT%H%M).gz"']),
});

// The operator labels a MongoDBCommunity's pods app=<name>-svc.
const mongoPdb = res("kubernetes:policy/v1:PodDisruptionBudget", "sessions-pdb", {
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "sessions", namespace: "diaspomoney-prod-infra" },
  spec: { maxUnavailable: 1, selector: { matchLabels: { app: "sessions-svc" } } },
});

const RPO = { maxRpoMinutes: 15, pointInTimeRecoveryRequired: true };

export const RPO_SPECS: Record<string, RuleSpec> = {
  "platform-data-service-require-rpo-log-shipping": {
    kind: "stack",
    fixture: [cloudSql, pg, pgDaily, ...mariadbShard("shard-0"), mariadbRotationSqlJob, ...mariadbShard("shard-1"), mariadbRotationCronJob, mongo, mongoDump, mongoPdb],
    facts: RPO,
    failing: {
      "RPO 15 min, archive_timeout 1h": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "1h" } },
      "archive_timeout 20min": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "20min" } },
      "archive_timeout as bare seconds (3600)": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "3600" } },
      "archive_timeout 0 (time bound off)": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "0" } },
      "archive_timeout unreadable": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "5 minutes" } },
      "no WAL archiver: daily base backups only": { target: "rpo-pg-cluster", changes: { "spec.plugins": DEL } },
      "WAL archiver disabled": { target: "rpo-pg-cluster", changes: { "spec.plugins.0.enabled": false } },
      "Cloud SQL without PITR: a day of writes": { target: "rpo-sql-instance", changes: { "settings.backupConfiguration.pointInTimeRecoveryEnabled": false } },
      "Cloud SQL backups off": { target: "rpo-sql-instance", changes: { "settings.backupConfiguration.enabled": false } },
      "SqlJob rotation every 6 h (the document's binlog figure)": { target: "shard-0-binlog-rotation", changes: { "spec.schedule.cron": "0 */6 * * *" } },
      "SqlJob rotation every 10 min: 10 + 10 > 15": { target: "shard-0-binlog-rotation", changes: { "spec.schedule.cron": "*/10 * * * *" } },
      "SqlJob rotation suspended": { target: "shard-0-binlog-rotation", changes: { "spec.schedule.suspend": true } },
      "SqlJob that does not flush the binary log": { target: "shard-0-binlog-rotation", changes: { "spec.sql": "ANALYZE TABLE app.users;" } },
      "SqlJob run once, not on a schedule": { target: "shard-0-binlog-rotation", changes: { "spec.schedule": DEL } },
      "SqlJob of another MariaDB": { target: "shard-0-binlog-rotation", changes: { "spec.mariaDbRef.name": "shard-1" } },
      "SqlJob rotation unreadable": { target: "shard-0-binlog-rotation", changes: { "spec.schedule.cron": "every 3 minutes" } },
      "MariaDB without a rotation schedule (max_binlog_size only)": { remove: "shard-0-binlog-rotation" },
      "CronJob rotation every 6 h": { target: "shard-1-binlog-rotation", changes: { "spec.schedule": "0 */6 * * *" } },
      "CronJob rotation suspended": { target: "shard-1-binlog-rotation", changes: { "spec.suspend": true } },
      "rotation CronJob labelled for another MariaDB": { target: "shard-1-binlog-rotation", changes: { [`metadata.labels.${BINLOG_ROTATION_TARGET_LABEL.replace(/\./g, "\u2024")}`]: "shard-0" } },
      "rotation CronJob in another namespace": { target: "shard-1-binlog-rotation", changes: { "metadata.namespace": "crm-courtier-prod" } },
      "MariaDB without binlog archiving: daily dumps only": { target: "shard-0-mariadb", changes: { "spec.pointInTimeRecoveryRef": DEL } },
      "MariaDB naming a PointInTimeRecovery not in the stack": { remove: "shard-0-pitr" },
      "PointInTimeRecovery without its PhysicalBackup": { remove: "shard-1-physical-backup" },
      "MariaDB archiving without replication (the operator archives on replication only)": { target: "shard-1-mariadb", changes: { "spec.replication.enabled": false } },
      "MongoDB dumped hourly": { target: "sessions-dump", changes: { "spec.schedule": "0 * * * *" } },
      "MongoDB never dumped": { remove: "sessions-dump" },
      "MongoDB dump suspended": { target: "sessions-dump", changes: { "spec.suspend": true } },
    },
    compliant: {
      "archive_timeout 60s": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "60s" } },
      "archive_timeout 15min, at the RPO": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "15min" } },
      "archive_timeout not known yet": { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": UNKNOWN } },
      "Cloud SQL PITR not known yet": { target: "rpo-sql-instance", changes: { "settings.backupConfiguration.pointInTimeRecoveryEnabled": UNKNOWN } },
      "Cloud SQL read replica (its primary keeps the logs)": { target: "rpo-sql-instance", changes: { masterInstanceName: "primary", "settings.backupConfiguration.enabled": false } },
      "SqlJob rotation every 5 min: 5 + 10 = 15, at the RPO": { target: "shard-0-binlog-rotation", changes: { "spec.schedule.cron": "*/5 * * * *" } },
      "SqlJob rotation not known yet": { target: "shard-0-binlog-rotation", changes: { "spec.schedule.cron": UNKNOWN } },
      "SqlJob statement not known yet": { target: "shard-0-binlog-rotation", changes: { "spec.sql": UNKNOWN } },
      "CronJob rotation every 5 min, at the RPO": { target: "shard-1-binlog-rotation", changes: { "spec.schedule": "*/5 * * * *" } },
      "pointInTimeRecoveryRef not known yet": { target: "shard-0-mariadb", changes: { "spec.pointInTimeRecoveryRef.name": UNKNOWN } },
      "MariaDB namespace not known yet": { target: "shard-0-mariadb", changes: { "metadata.namespace": UNKNOWN } },
      "the archiver's 1h archiveTimeout is a timeout, not an interval": { target: "shard-0-pitr", changes: { "spec.archiveTimeout": "2h" } },
    },
    notApplicable: {
      "no fact: the document states no RPO": { facts: { maxRpoMinutes: null }, change: { target: "rpo-pg-cluster", changes: { "spec.postgresql.parameters.archive_timeout": "1h" } }, reason: /states no RPO/ },
      "no fact, in a dev stack too": { facts: { maxRpoMinutes: null, env: "dev" }, change: { remove: "sessions-dump" }, reason: /states no RPO/ },
    },
  },
};

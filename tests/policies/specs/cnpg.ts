/** Specs of the CloudNativePG rules: fixtures shaped as components/k8s/postgres-cluster emits them. */
import { DEL, mutate, res, UNKNOWN } from "../helpers";
import { bucket } from "./gcp";
import type { RuleSpec } from "./types";

const INFRA = "diaspomoney-prod-infra";
const PLUGIN = "barman-cloud.cloudnative-pg.io";

export const pgCluster = res("kubernetes:postgresql.cnpg.io/v1:Cluster", "ledger-pg-cluster", {
  apiVersion: "postgresql.cnpg.io/v1",
  kind: "Cluster",
  metadata: { name: "ledger-pg", namespace: INFRA },
  spec: {
    instances: 3,
    imageName: "ghcr.io/cloudnative-pg/postgresql:17.10-standard-trixie",
    enablePDB: true,
    enableSuperuserAccess: false,
    storage: { size: "20Gi", storageClass: "premium-rwo" },
    resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
    bootstrap: { initdb: { database: "app", owner: "app", secret: { name: "ledger-pg-app" } } },
    plugins: [{ name: PLUGIN, enabled: true, isWALArchiver: true, parameters: { barmanObjectName: "ledger-pg-backup" } }],
  },
});

export const pgObjectStore = res("kubernetes:barmancloud.cnpg.io/v1:ObjectStore", "ledger-pg-object-store", {
  apiVersion: "barmancloud.cnpg.io/v1",
  kind: "ObjectStore",
  metadata: { name: "ledger-pg-backup", namespace: INFRA },
  spec: {
    configuration: { destinationPath: "gs://diaspomoney-prod-pg-backups/cnpg", googleCredentials: { gkeEnvironment: true }, wal: { compression: "gzip" } },
    retentionPolicy: "60d",
  },
});

/** The bucket barman writes to: only noncurrent versions expire (barman deletes what its window no longer needs). */
export const pgBackupBucket = {
  ...mutate(bucket, { name: "diaspomoney-prod-pg-backups", lifecycleRules: [{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 7, withState: "ARCHIVED" } }] }),
  name: "pg-backups",
  urn: bucket.urn.replace("db-backups", "pg-backups"),
};

export const pgScheduledBackup = res("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", "ledger-pg-scheduled-backup", {
  apiVersion: "postgresql.cnpg.io/v1",
  kind: "ScheduledBackup",
  metadata: { name: "ledger-pg-daily", namespace: INFRA },
  spec: { cluster: { name: "ledger-pg" }, schedule: "0 0 3 * * *", method: "plugin", pluginConfiguration: { name: PLUGIN }, immediate: true, backupOwnerReference: "self" },
});

const CLUSTER = "ledger-pg-cluster";
const STORE = "ledger-pg-object-store";
const SCHEDULE = "ledger-pg-scheduled-backup";
const BUCKET = "pg-backups";
const deleteAfter = (age: unknown, extra: Record<string, unknown> = {}) => ({ "lifecycleRules.1": { action: { type: "Delete" }, condition: { age, ...extra } } });

export const CNPG_SPECS: Record<string, RuleSpec> = {
  "k8s-cnpg-cluster-require-backups": {
    kind: "stack",
    fixture: [pgCluster, pgObjectStore, pgScheduledBackup, pgBackupBucket],
    failing: {
      "no WAL archiver": { target: CLUSTER, changes: { "spec.plugins.0.isWALArchiver": false } },
      "no plugin at all": { target: CLUSTER, changes: { "spec.plugins": DEL } },
      "the archiver plugin disabled": { target: CLUSTER, changes: { "spec.plugins.0.enabled": false } },
      "in-tree barmanObjectStore (removed in 1.31, #11083)": { target: CLUSTER, changes: { "spec.backup.barmanObjectStore": { destinationPath: "gs://diaspomoney-prod-pg-backups/cnpg", googleCredentials: { gkeEnvironment: true } } } },
      "another plugin archives the WAL": { target: CLUSTER, changes: { "spec.plugins.0.name": "wal-archiver.example.com" } },
      "the plugin names no ObjectStore": { target: CLUSTER, changes: { "spec.plugins.0.parameters": DEL } },
      "the plugin names an ObjectStore not in the stack": { target: CLUSTER, changes: { "spec.plugins.0.parameters.barmanObjectName": "ledger-pg-archive" } },
      "ObjectStore missing": { remove: STORE },
      "ObjectStore in another namespace": { target: STORE, changes: { "metadata.namespace": "diaspomoney-prod" } },
      "retention 7d": { target: STORE, changes: { "spec.retentionPolicy": "7d" } },
      "retention 4w is 28 days": { target: STORE, changes: { "spec.retentionPolicy": "4w" } },
      "retention not barman's syntax": { target: STORE, changes: { "spec.retentionPolicy": "30 days" } },
      "the bucket deletes WAL after 7 days": { target: BUCKET, changes: deleteAfter(7) },
      "the bucket deletes within the recovery window": { target: BUCKET, changes: { ...deleteAfter(45), "lifecycleRules.1.condition.matchesPrefixes": ["cnpg/"] } },
      "the bucket's delete age not a number": { target: BUCKET, changes: deleteAfter("thirty") },
      "no ScheduledBackup": { remove: SCHEDULE },
      "the ScheduledBackup backs up another cluster": { target: SCHEDULE, changes: { "spec.cluster.name": "orders-pg" } },
      "the ScheduledBackup in another namespace": { target: SCHEDULE, changes: { "metadata.namespace": "diaspomoney-prod" } },
      suspended: { target: SCHEDULE, changes: { "spec.suspend": true } },
      "method unset: the in-tree barmanObjectStore default": { target: SCHEDULE, changes: { "spec.method": DEL } },
      "method volumeSnapshot": { target: SCHEDULE, changes: { "spec.method": "volumeSnapshot" } },
      "another backup plugin": { target: SCHEDULE, changes: { "spec.pluginConfiguration.name": "snapshots.example.com" } },
      "weekly base backups": { target: SCHEDULE, changes: { "spec.schedule": "0 0 3 * * 0" } },
      "every 3 days": { target: SCHEDULE, changes: { "spec.schedule": "0 0 3 */3 * *" } },
      "@every 72h": { target: SCHEDULE, changes: { "spec.schedule": "@every 72h" } },
      "schedule unreadable": { target: SCHEDULE, changes: { "spec.schedule": "daily" } },
    },
    compliant: {
      "retention 2m (barman: 62 days)": { target: STORE, changes: { "spec.retentionPolicy": "2m" } },
      "no retentionPolicy: nothing is deleted": { target: STORE, changes: { "spec.retentionPolicy": DEL } },
      "the bucket deletes another prefix early": { target: BUCKET, changes: { ...deleteAfter(1), "lifecycleRules.1.condition.matchesPrefixes": ["tmp/"] } },
      "the bucket deletes after the window": { target: BUCKET, changes: deleteAfter(90) },
      "the bucket is another stack's": { remove: BUCKET },
      "enabled unset (the CRD's default true)": { target: CLUSTER, changes: { "spec.plugins.0.enabled": DEL } },
      "every 12 h with ? for the day of week": { target: SCHEDULE, changes: { "spec.schedule": "0 0 */12 * * ?" } },
      "@every 24h": { target: SCHEDULE, changes: { "spec.schedule": "@every 24h" } },
      // robfig/cron v1 (CNPG's parser): five fields are seconds first, so this runs hourly.
      "five fields read seconds first (hourly)": { target: SCHEDULE, changes: { "spec.schedule": "0 3 * * *" } },
      "ObjectStore name not known yet": { target: STORE, changes: { "metadata.name": UNKNOWN } },
      "retention not known yet": { target: STORE, changes: { "spec.retentionPolicy": UNKNOWN } },
      "plugins not known yet": { target: CLUSTER, changes: { "spec.plugins": UNKNOWN } },
      "scheduled cluster name not known yet": { target: SCHEDULE, changes: { "spec.cluster.name": UNKNOWN } },
      "schedule not known yet": { target: SCHEDULE, changes: { "spec.schedule": UNKNOWN } },
      "a second, suspended ScheduledBackup next to the daily one": {
        add: res("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", "ledger-pg-weekly", {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "ScheduledBackup",
          metadata: { name: "ledger-pg-weekly", namespace: INFRA },
          spec: { cluster: { name: "ledger-pg" }, schedule: "0 0 4 * * 0", method: "plugin", pluginConfiguration: { name: PLUGIN }, suspend: true },
        }),
      },
    },
    notApplicable: {
      "dev stack": { facts: { env: "dev" }, change: { remove: SCHEDULE }, reason: /prod stacks only/ },
      "without the stack's facts": { facts: { maxBackupIntervalHours: undefined }, reason: /stack facts not configured/ },
    },
  },
};

/**
 * MariadbShard: one MariaDB shard run by mariadb-operator 26.6.0 (k8s.mariadb.com/v1alpha1): a
 * primary and its asynchronous replicas, TLS, metrics, a PDB, a daily logical Backup and a weekly
 * PhysicalBackup to S3-compatible object storage, binary-log archiving for point-in-time recovery,
 * and per-firm Database + User + Grant with the firm's credentials in its client namespaces.
 *
 * docs/platforms/crm-courtier.md § 04 Scaling Multi-Cabinets (firms spread over shards) and
 * § Backup Strategy ("Dump quotidien + binlogs incrémentaux (6h)", "RTO/RPO : <1h / <15min").
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { crdDependencies, type CrdInstaller } from "../common/helm-addon";
import { assertResources, parseQuantity, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, zoneSpread, type ResourceSpec } from "../common/pod-security";
import { RFC1918, type CidrEndpoint, type Flow, type LabelSelector, type PodEndpoint } from "../network-flows";

export const MARIADB_SHARD_TYPE = "platform:k8s:MariadbShard";

/** Where the shard's backups and archived binary logs go: any S3-compatible store (OVH, Hetzner, GCS interoperability with HMAC keys). */
export interface MariadbObjectStorageArgs {
  /** Bucket name (no scheme). */
  bucket: string;
  /** S3 API endpoint without scheme (`s3.gra.io.cloud.ovh.net`, `fsn1.your-objectstorage.com`, `storage.googleapis.com`). */
  endpoint: string;
  /** S3 region (`gra`, `fsn1`, `auto` for GCS). */
  region: string;
  /**
   * Secret in the shard's namespace holding the access key pair (the Backup, PhysicalBackup and
   * restore Jobs and the binlog agent read it there).
   */
  credentialsSecret: {
    name: string;
    /** @default "access-key-id" */
    accessKeyIdKey?: string;
    /** @default "secret-access-key" */
    secretAccessKeyKey?: string;
  };
  /**
   * Folder in the bucket; the component writes `<prefix>/<shard>/logical`, `/physical` and `/binlogs` under it.
   * @default "mariadb"
   */
  prefix?: string;
}

/** One firm (cabinet) hosted on the shard: data, not code. */
export interface MariadbFirm {
  /**
   * Stable id of the firm (lowercase letters, digits, dashes; at most 24 characters). Every child
   * of the firm is named from it alone, so adding or removing a firm never renames another's.
   */
  id: string;
  /**
   * Namespaces whose pods connect as this firm: each gets the Secret `<shard>-firm-<id>` with
   * `username`, `password`, `host`, `port`, `database`.
   * @default the component's `clientNamespaces`
   */
  clientNamespaces?: string[];
  /**
   * Max simultaneous connections of the firm's user (one firm cannot starve the others).
   * @default 50
   */
  maxUserConnections?: number;
}

export interface MariadbBackupArgs {
  /**
   * Daily logical dump (mariadb-dump) schedule, a 5-field cron in UTC.
   * crm-courtier.md § Backup Strategy: "Dump quotidien".
   * @default "0 2 * * *"
   */
  logicalSchedule?: string;
  /**
   * How long logical dumps are kept (a Go duration).
   * @default "720h" (30 days)
   */
  logicalRetention?: string;
  /**
   * Physical backup (mariadb-backup) schedule, a 5-field cron in UTC; also the base the binary
   * logs are replayed on. crm-courtier.md § Backup Strategy: weekly snapshots kept 4 weeks.
   * @default "0 3 * * 0" (Sundays 03:00)
   */
  physicalSchedule?: string;
  /**
   * How long physical backups are kept (a Go duration).
   * @default "672h" (4 weeks)
   */
  physicalRetention?: string;
  /**
   * Minutes between forced binary-log rotations (a scheduled `FLUSH BINARY LOGS`). The agent
   * archives only closed binlogs, every BINLOG_ARCHIVE_TICK_MINUTES (10, fixed in 26.6.0), so the
   * worst-case RPO is this plus 10 minutes. At most 4 (RPO < 15 min).
   * @default 4
   */
  binlogRotationMinutes?: number;
}

export interface MariadbShardArgs extends CommonArgs {
  /** Namespace of the shard (an infra namespace the mariadb operator watches). */
  namespace: string;
  /**
   * Name of the MariaDB resource: pods `<shardName>-<n>`, services `<shardName>-primary`, `-secondary`.
   * @default the component name
   */
  shardName?: string;
  /**
   * Asynchronous replicas next to the primary (pods = 1 + replicas). crm-courtier.md § 03
   * Infrastructure: a primary and one replica. At least 1 (binlog archiving needs replication).
   * @default 1
   */
  replicas?: number;
  /**
   * MariaDB server image, pinned.
   * @default DEFAULT_MARIADB_IMAGE
   */
  image?: string;
  /**
   * Data volume of each pod.
   * @default { size: "20Gi", storageClass: "premium-rwo" }
   */
  storage?: { size?: string; storageClass?: string };
  /**
   * Resources of each mariadb container; memory requests equal limits (no OOM kill by a neighbour).
   * @default { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }
   */
  resources?: ResourceSpec;
  /** Object storage receiving dumps, physical backups and binary logs. Required. */
  objectStorage: MariadbObjectStorageArgs;
  /**
   * Schedules and retentions.
   * @default MariadbBackupArgs' defaults
   */
  backup?: MariadbBackupArgs;
  /**
   * Firms hosted on this shard.
   * @default []
   */
  firms?: MariadbFirm[];
  /**
   * Default client namespaces of every firm's credentials Secret.
   * @default []
   */
  clientNamespaces?: string[];
  /**
   * Server TLS. With `issuer`, cert-manager signs the server and client certificates
   * (`serverCertIssuerRef`/`clientCertIssuerRef`); without it, the operator's own CA does. TLS is
   * required on every connection either way.
   * @default {}
   */
  tls?: { issuer?: { name: string; kind?: "Issuer" | "ClusterIssuer" } };
  /**
   * mysqld-exporter (a `<shard>-metrics` Deployment) and a ServiceMonitor labelled
   * `release: <prometheusRelease>`, both created by the operator.
   * @default { enabled: true, prometheusRelease: "kube-prometheus-stack" }
   */
  metrics?: { enabled?: boolean; prometheusRelease?: string };
  /**
   * Seconds after which a query counts as slow (`long_query_time`: the exporter's
   * `mysql_global_status_slow_queries` counts them, for a slow-query alert).
   * @default 10 (MariaDB's default)
   */
  longQueryTimeSeconds?: number;
  /**
   * Resources of the Jobs the operator starts for the shard (logical and physical backups, binlog
   * rotation, restores).
   * @default MARIADB_JOB_RESOURCES
   */
  jobResources?: ResourceSpec;
  /**
   * Releases installing the k8s.mariadb.com CRDs when in the same stack (Operators.crds.mariadb).
   * @default []
   */
  crdInstallers?: (CrdInstaller | pulumi.Resource)[];
}

/** MariaDB's port on the shard's Services and pods. */
export const MARIADB_PORT = 3306;
/** The operator's agent sidecar in every MariaDB pod: its API (called by the operator) and its probe port (kubelet). 26.6.0 defaults. */
export const MARIADB_AGENT_PORT = 5555;
export const MARIADB_AGENT_PROBE_PORT = 5566;
/** mysqld-exporter's port in the `<shard>-metrics` Deployment (the operator's default). */
export const MARIADB_EXPORTER_PORT = 9104;
/** The uid/gid of `mysql` in the official image, which the operator sets on the pods. */
const MYSQL_UID = 999;
/** The `nobody` user the mysqld-exporter image runs as. */
const EXPORTER_UID = 65534;

/**
 * MariaDB 11.8 LTS: crm-courtier.md § Technologies Utilisées names "MariaDB 11"; 11.8.8 is what
 * mariadb-operator 26.6.0 defaults to (chart values `config.mariadbImage`). PITR needs ≥ 10.8.
 */
export const DEFAULT_MARIADB_IMAGE = "docker.io/library/mariadb:11.8.8";
/** The exporter mariadb-operator 26.6.0 defaults to (chart values `config.exporterImage`), pinned explicitly. */
export const DEFAULT_MARIADB_EXPORTER_IMAGE = "docker.io/prom/mysqld-exporter:v0.15.1";
/**
 * The operator image the pods' init container runs (the chart's `image`, tag = appVersion 26.6.0):
 * keep it on the release components/k8s/operators installs (OPERATOR_IMAGES.mariadb).
 */
export const MARIADB_OPERATOR_IMAGE = "ghcr.io/mariadb-operator/mariadb-operator:26.6.0";

/**
 * How often the agent sidecar archives closed binary logs: fixed in 26.6.0
 * (pkg/binlog/archiver.go, `archiveInterval = 10 * time.Minute`); no CRD field sets it.
 */
export const BINLOG_ARCHIVE_TICK_MINUTES = 10;
/** crm-courtier.md § Backup Strategy: "RTO/RPO : <1h / <15min". */
export const MARIADB_RPO_MINUTES = 15;
/**
 * Ours: a forced rotation every 3 minutes gives a worst case of 3 + 10 = 13 minutes (plus the
 * upload, seconds for binlogs this small), under the document's 15 with room for a slow cycle.
 */
export const DEFAULT_BINLOG_ROTATION_MINUTES = 3;

/**
 * Requests and limits of the Jobs the operator runs for a shard (ours: mariadb-dump of a database
 * of hundreds of MB, mariadb-backup streaming to S3, a one-statement SqlJob).
 */
export const MARIADB_JOB_RESOURCES: ResourceSpec = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } };
/** The agent sidecar and the init container of every MariaDB pod (ours: a Go process archiving binlogs). */
export const MARIADB_AGENT_RESOURCES: ResourceSpec = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
/** The `<shard>-metrics` exporter pod (ours: mysqld-exporter scraping one server every 30 s). */
export const MARIADB_EXPORTER_RESOURCES: ResourceSpec = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

/** The cron of the binlog-rotation SqlJob: the field a policy reads to bound the RPO. */
export function binlogRotationCron(minutes: number): string {
  return `*/${minutes} * * * *`;
}

/** The rotation interval a SqlJob cron carries (`*\/N * * * *`), or undefined for any other shape. */
export function binlogRotationMinutesOf(cron: string): number | undefined {
  const m = /^\*\/(\d+) \* \* \* \*$/.exec(cron.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Worst-case RPO of archived binlogs: a commit waits in the open binlog until the next rotation,
 * then for the agent's next archive cycle.
 */
export function binlogWorstCaseRpoMinutes(rotationMinutes: number): number {
  return rotationMinutes + BINLOG_ARCHIVE_TICK_MINUTES;
}

export interface ResolvedMariadbFirm {
  id: string;
  /** MariaDB database and user name: `firm_<id>` with dashes as underscores. */
  database: string;
  username: string;
  clientNamespaces: string[];
  maxUserConnections: number;
}

export interface ResolvedMariadbShardArgs {
  namespace: string;
  shardName: string;
  instances: number;
  image: string;
  storage: { size: string; storageClass: string };
  resources: ResourceSpec;
  objectStorage: Required<Omit<MariadbObjectStorageArgs, "credentialsSecret">> & { credentialsSecret: Required<MariadbObjectStorageArgs["credentialsSecret"]> };
  backup: Required<MariadbBackupArgs>;
  firms: ResolvedMariadbFirm[];
  tls: { issuer?: { name: string; kind: "Issuer" | "ClusterIssuer" } };
  metrics: { enabled: boolean; prometheusRelease: string };
  jobResources: ResourceSpec;
  longQueryTimeSeconds: number;
  crdInstallers: (CrdInstaller | pulumi.Resource)[];
  deletionProtection: boolean;
  labels: Labels;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const FIRM_ID = /^[a-z0-9]([-a-z0-9]{0,22}[a-z0-9])?$/;
/** An S3 bucket name (3–63 lowercase letters, digits, dots, dashes). */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A host[:port] without scheme or path, as the CRDs' `endpoint` expects. */
const S3_ENDPOINT = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;
/** A Go duration made of hours, minutes and seconds (`720h`, `90m`). */
const GO_DURATION = /^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/;
const CRON5 = /^\S+ \S+ \S+ \S+ \S+$/;

/** Applies MariadbShard defaults and rejects contradictory or unsafe arguments. */
export function resolveMariadbShardArgs(name: string, args: MariadbShardArgs): ResolvedMariadbShardArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(MARIADB_SHARD_TYPE, name, detail);
  };
  if (!args.namespace || !DNS_LABEL.test(args.namespace)) fail(`namespace "${args.namespace}" must be a DNS label`);
  const shardName = args.shardName ?? name;
  // Pods are `<shard>-<n>`, Services `<shard>-secondary`, per-firm CRs `<shard>-firm-<id>-password`.
  if (!DNS_LABEL.test(shardName) || shardName.length > 30) fail(`shardName "${shardName}" must be a DNS label of at most 30 characters (the operator and the firms' resources derive longer names from it)`);
  const replicas = args.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) {
    fail(`replicas must be an integer ≥ 1, got ${replicas}: crm-courtier.md § 04 draws "master-slave" shards, and binlog archiving (PITR) runs only on the replication topology in mariadb-operator 26.6.0`);
  }
  const image = args.image ?? DEFAULT_MARIADB_IMAGE;
  assertPinnedImage(MARIADB_SHARD_TYPE, name, "image", image);
  const version = /:(\d+)\.(\d+)/.exec(image.includes("@") ? image.slice(0, image.indexOf("@")) : image);
  if (!version) fail(`image "${image}" must carry the MariaDB version in its tag (…/mariadb:11.8.8): the operator and PITR depend on it`);
  const [major, minor] = [Number(version![1]), Number(version![2])];
  if (major < 10 || (major === 10 && minor < 8)) fail(`image "${image}" is MariaDB ${major}.${minor}: point-in-time recovery needs 10.8 or later (mariadb-binlog --start-position with a GTID)`);
  const resources = args.resources ?? { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } };
  assertResources(MARIADB_SHARD_TYPE, name, "resources", resources);
  const jobResources = args.jobResources ?? MARIADB_JOB_RESOURCES;
  assertResources(MARIADB_SHARD_TYPE, name, "jobResources", jobResources);
  const size = args.storage?.size ?? "20Gi";
  if (!(parseQuantity(size) > 0)) fail(`storage.size "${size}" is not a Kubernetes quantity`);

  const o = args.objectStorage;
  if (!o) fail("objectStorage is required: backups and binlog archives go to S3-compatible object storage (crm-courtier.md § Backup Strategy)");
  if (!S3_BUCKET.test(o.bucket)) fail(`objectStorage.bucket "${o.bucket}" is not an S3 bucket name (3–63 lowercase letters, digits, dots, dashes)`);
  if (!S3_ENDPOINT.test(o.endpoint)) fail(`objectStorage.endpoint "${o.endpoint}" must be a host[:port] without scheme or path (e.g. s3.gra.io.cloud.ovh.net)`);
  if (!o.region || /\s/.test(o.region)) fail(`objectStorage.region "${o.region}" must be a region name (e.g. gra, fsn1, auto)`);
  if (!o.credentialsSecret || !DNS_SUBDOMAIN.test(o.credentialsSecret.name)) fail(`objectStorage.credentialsSecret.name "${o.credentialsSecret?.name}" must be a Secret name in namespace ${args.namespace}`);
  const prefix = (o.prefix ?? "mariadb").replace(/^\/+|\/+$/g, "");
  if (prefix === "" || /\s/.test(prefix)) fail(`objectStorage.prefix "${o.prefix}" must be a non-empty folder name`);

  const b = args.backup ?? {};
  const backup: Required<MariadbBackupArgs> = {
    logicalSchedule: b.logicalSchedule ?? "0 2 * * *",
    logicalRetention: b.logicalRetention ?? "720h",
    physicalSchedule: b.physicalSchedule ?? "0 3 * * 0",
    physicalRetention: b.physicalRetention ?? "672h",
    binlogRotationMinutes: b.binlogRotationMinutes ?? DEFAULT_BINLOG_ROTATION_MINUTES,
  };
  for (const f of ["logicalSchedule", "physicalSchedule"] as const) {
    if (!CRON5.test(backup[f].trim())) fail(`backup.${f} "${backup[f]}" must be a 5-field cron (minute hour day month weekday), e.g. "0 2 * * *"`);
  }
  for (const f of ["logicalRetention", "physicalRetention"] as const) {
    if (!GO_DURATION.test(backup[f])) fail(`backup.${f} "${backup[f]}" must be a Go duration in hours/minutes/seconds (e.g. "720h")`);
  }
  const rot = backup.binlogRotationMinutes;
  // */N spaces runs evenly only when N divides 60; 4 is the largest whose worst case stays under 15.
  if (!Number.isInteger(rot) || rot < 1 || binlogWorstCaseRpoMinutes(rot) >= MARIADB_RPO_MINUTES || 60 % rot !== 0) {
    fail(`backup.binlogRotationMinutes must be 1, 2, 3 or 4, got ${rot}: the agent archives closed binlogs every ${BINLOG_ARCHIVE_TICK_MINUTES} minutes, so the worst-case RPO is rotation + ${BINLOG_ARCHIVE_TICK_MINUTES}, which must stay under crm-courtier.md's ${MARIADB_RPO_MINUTES} minutes`);
  }

  const defaultClients = [...new Set(args.clientNamespaces ?? [])];
  const seen = new Set<string>();
  const firms = (args.firms ?? []).map((f): ResolvedMariadbFirm => {
    if (!FIRM_ID.test(f.id)) fail(`firm id "${f.id}" must be lowercase letters, digits and dashes, at most 24 characters (it names the firm's database, user and Secrets)`);
    if (seen.has(f.id)) fail(`firm "${f.id}" is listed twice`);
    seen.add(f.id);
    const maxUserConnections = f.maxUserConnections ?? 50;
    if (!Number.isInteger(maxUserConnections) || maxUserConnections < 1) fail(`firm "${f.id}" maxUserConnections must be a positive integer, got ${maxUserConnections}`);
    const clientNamespaces = [...new Set(f.clientNamespaces ?? defaultClients)];
    const bad = clientNamespaces.find((n) => !DNS_LABEL.test(n));
    if (bad !== undefined) fail(`firm "${f.id}" client namespace "${bad}" is not a DNS label`);
    const sqlName = `firm_${f.id.replace(/-/g, "_")}`;
    return { id: f.id, database: sqlName, username: sqlName, clientNamespaces, maxUserConnections };
  });

  const issuer = args.tls?.issuer;
  if (issuer && !DNS_SUBDOMAIN.test(issuer.name)) fail(`tls.issuer.name "${issuer.name}" is not a resource name`);
  const longQueryTimeSeconds = args.longQueryTimeSeconds ?? 10;
  if (!(Number.isFinite(longQueryTimeSeconds) && longQueryTimeSeconds > 0)) fail(`longQueryTimeSeconds must be a positive number of seconds, got ${longQueryTimeSeconds}`);
  return {
    namespace: args.namespace,
    shardName,
    instances: 1 + replicas,
    image,
    storage: { size, storageClass: args.storage?.storageClass ?? "premium-rwo" },
    resources,
    objectStorage: {
      bucket: o.bucket,
      endpoint: o.endpoint,
      region: o.region,
      prefix,
      credentialsSecret: {
        name: o.credentialsSecret.name,
        accessKeyIdKey: o.credentialsSecret.accessKeyIdKey ?? "access-key-id",
        secretAccessKeyKey: o.credentialsSecret.secretAccessKeyKey ?? "secret-access-key",
      },
    },
    backup,
    firms,
    tls: issuer ? { issuer: { name: issuer.name, kind: issuer.kind ?? "Issuer" } } : {},
    metrics: { enabled: args.metrics?.enabled ?? true, prometheusRelease: args.metrics?.prometheusRelease ?? "kube-prometheus-stack" },
    jobResources,
    longQueryTimeSeconds,
    crdInstallers: args.crdInstallers ?? [],
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** Labels the operator puts on a shard's MariaDB pods. */
export function mariadbPodSelector(shardName: string): Labels {
  return { "app.kubernetes.io/name": "mariadb", "app.kubernetes.io/instance": shardName };
}

/** Labels of the shard's mysqld-exporter pod (`<shard>-metrics`). */
export function mariadbExporterPodSelector(shardName: string): Labels {
  return { "app.kubernetes.io/name": "exporter", "app.kubernetes.io/instance": `${shardName}-metrics` };
}

/** The primary's Service host, which the firms' Secrets carry. */
export function mariadbPrimaryHost(r: Pick<ResolvedMariadbShardArgs, "shardName" | "namespace">): string {
  return `${r.shardName}-primary.${r.namespace}.svc.cluster.local`;
}

/** Where each kind of backup lives in the bucket: separate prefixes (binlog archiving wants an empty one to start). */
export function mariadbBackupPrefixes(r: Pick<ResolvedMariadbShardArgs, "shardName" | "objectStorage">): { logical: string; physical: string; binlogs: string } {
  const base = `${r.objectStorage.prefix}/${r.shardName}`;
  return { logical: `${base}/logical`, physical: `${base}/physical`, binlogs: `${base}/binlogs` };
}

/** The CRDs' `s3` block for one prefix (TLS on: the stores are public HTTPS endpoints). */
function s3Storage(r: ResolvedMariadbShardArgs, prefix: string) {
  const c = r.objectStorage.credentialsSecret;
  return {
    bucket: r.objectStorage.bucket,
    endpoint: r.objectStorage.endpoint,
    region: r.objectStorage.region,
    prefix,
    accessKeyIdSecretKeyRef: { name: c.name, key: c.accessKeyIdKey },
    secretAccessKeySecretKeyRef: { name: c.name, key: c.secretAccessKeyKey },
    tls: { enabled: true },
  };
}

/**
 * The "restricted" container context in the operator's own type, which has no `seccompProfile`
 * (26.6.0 CRDs): the pod-level context carries RuntimeDefault for every container instead, which
 * the restricted Pod Security Standard accepts.
 */
function containerSecurity(readOnlyRootFilesystem: boolean) {
  const { seccompProfile: _pod, ...rest } = restrictedContainerSecurityContext(readOnlyRootFilesystem);
  return rest;
}

/** Pod and container security of every Job the operator starts for the shard (mariadb image, uid 999). */
function jobSecurity() {
  // The backup tools write temporary files outside their volumes: a writable root filesystem.
  return { podSecurityContext: restrictedPodSecurityContext(MYSQL_UID), securityContext: containerSecurity(false) };
}

function resourcesOf(r: ResourceSpec) {
  return { requests: r.requests, limits: r.limits };
}

/** The MariaDB spec shared by the shard and its restores (without PITR archiving or bootstrap). */
export function mariadbSpec(r: ResolvedMariadbShardArgs): Record<string, unknown> {
  const sn = r.shardName;
  const issuerRef = r.tls.issuer ? { name: r.tls.issuer.name, kind: r.tls.issuer.kind, group: "cert-manager.io" } : undefined;
  // MariaDB writes its socket and temporary files under / : the root filesystem stays writable.
  const sidecar = { securityContext: containerSecurity(false), resources: resourcesOf(MARIADB_AGENT_RESOURCES) };
  return {
    image: r.image,
    imagePullPolicy: "IfNotPresent",
    port: MARIADB_PORT,
    // The operator generates it once (`generate`) and keeps it; nothing here holds it.
    rootPasswordSecretKeyRef: { name: `${sn}-root`, key: "password", generate: true },
    // crm-courtier.md § 04 Scaling Multi-Cabinets: "2 Shards MariaDB (master-slave chacun)".
    replicas: r.instances,
    replication: {
      enabled: true,
      gtidStrictMode: true,
      primary: { autoFailover: true },
      replica: { recovery: { enabled: true } },
      agent: sidecar,
      // The CRD requires the image once the init container is customised (for its security context):
      // the operator's own, which is what it would default to.
      initContainer: { image: MARIADB_OPERATOR_IMAGE, ...sidecar },
    },
    storage: { size: r.storage.size, storageClassName: r.storage.storageClass, resizeInUseVolumes: true, waitForVolumeResize: true },
    resources: resourcesOf(r.resources),
    podSecurityContext: restrictedPodSecurityContext(MYSQL_UID),
    // mariadbd writes its data directory (the volume), its socket and pid file (/run/mysqld) and its
    // temporary tables (/tmp): the rest of the image stays read-only.
    securityContext: containerSecurity(true),
    volumes: [{ name: "run-mysqld", emptyDir: {} }, { name: "tmp", emptyDir: {} }],
    volumeMounts: [{ name: "run-mysqld", mountPath: "/run/mysqld" }, { name: "tmp", mountPath: "/tmp" }],
    affinity: { antiAffinityEnabled: true },
    topologySpreadConstraints: [zoneSpread(mariadbPodSelector(sn))[0]],
    // With a primary and one replica: one pod may go, the operator fails over if it is the primary.
    podDisruptionBudget: { maxUnavailable: 1 },
    updateStrategy: { type: "ReplicasFirstPrimaryLast" },
    myCnf: ["[mariadb]", "bind-address=*", "default_storage_engine=InnoDB", "binlog_format=ROW", "character_set_server=utf8mb4", "collation_server=utf8mb4_unicode_ci", `long_query_time=${r.longQueryTimeSeconds}`, ""].join("\n"),
    // Certificates from cert-manager when an issuer is given, else from the operator's own CA
    // (`<shard>-ca`); every connection must be TLS.
    tls: { enabled: true, required: true, ...(issuerRef ? { serverCertIssuerRef: issuerRef, clientCertIssuerRef: issuerRef } : {}) },
    ...(r.metrics.enabled
      ? {
          metrics: {
            enabled: true,
            exporter: {
              image: DEFAULT_MARIADB_EXPORTER_IMAGE,
              port: MARIADB_EXPORTER_PORT,
              resources: resourcesOf(MARIADB_EXPORTER_RESOURCES),
              podSecurityContext: restrictedPodSecurityContext(EXPORTER_UID),
              securityContext: containerSecurity(true),
            },
            serviceMonitor: { prometheusRelease: r.metrics.prometheusRelease, interval: "30s", scrapeTimeout: "25s" },
          },
        }
      : {}),
  };
}

export interface MariadbRestoreArgs {
  /** Name of the new MariaDB, restored next to the damaged one (never over it). */
  restoredName: string;
  /** RFC 3339 time to recover to (`2026-11-30T07:45:00Z`); the closest physical backup before it is restored and binlogs replayed up to it. */
  targetRecoveryTime: string;
}

/**
 * The declarative point-in-time restore: a new MariaDB with the shard's spec, bootstrapped from the
 * shard's PointInTimeRecovery (closest PhysicalBackup + archived binlogs up to the target time). It
 * archives nothing itself (no `pointInTimeRecoveryRef`): the binlog prefix belongs to the original
 * until clients are switched over (README § Restore).
 */
export function mariadbPointInTimeRestore(name: string, args: MariadbShardArgs, restore: MariadbRestoreArgs): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> } {
  const r = resolveMariadbShardArgs(name, args);
  const fail = (detail: string): never => {
    throw new ComponentArgsError(MARIADB_SHARD_TYPE, name, detail);
  };
  if (!DNS_LABEL.test(restore.restoredName) || restore.restoredName.length > 30) fail(`restoredName "${restore.restoredName}" must be a DNS label of at most 30 characters`);
  if (restore.restoredName === r.shardName) fail(`restoredName "${restore.restoredName}" is the shard's own name: restore next to it, then switch clients over`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(restore.targetRecoveryTime) || Number.isNaN(Date.parse(restore.targetRecoveryTime))) {
    fail(`targetRecoveryTime "${restore.targetRecoveryTime}" must be an RFC 3339 time such as 2026-11-30T07:45:00Z`);
  }
  return {
    apiVersion: "k8s.mariadb.com/v1alpha1",
    kind: "MariaDB",
    metadata: { name: restore.restoredName, namespace: r.namespace },
    spec: {
      ...mariadbSpec({ ...r, shardName: restore.restoredName }),
      bootstrapFrom: {
        pointInTimeRecoveryRef: { name: `${r.shardName}-pitr` },
        targetRecoveryTime: restore.targetRecoveryTime,
        restoreJob: { resources: resourcesOf(r.jobResources) },
      },
    },
  };
}

/** What a shard's pods hold at most, for the namespace's ResourceQuota. */
export interface MariadbPodBudget {
  pods: number;
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
  persistentVolumeClaims: number;
  storageBytes: number;
}

/**
 * The quota a shard needs: each MariaDB pod (mariadb + agent; the init container finishes first),
 * the exporter, and up to two Jobs at once (the binlog rotation overlapping a backup). Updates
 * replace pods in place (no surge).
 */
export function mariadbPodBudget(r: Pick<ResolvedMariadbShardArgs, "instances" | "resources" | "storage" | "metrics" | "jobResources">): MariadbPodBudget {
  const sum = (specs: ResourceSpec[], q: (c: ResourceSpec) => string) => specs.reduce((t, c) => t + parseQuantity(q(c)), 0);
  const containers: ResourceSpec[] = [];
  for (let i = 0; i < r.instances; i++) containers.push(r.resources, MARIADB_AGENT_RESOURCES);
  if (r.metrics.enabled) containers.push(MARIADB_EXPORTER_RESOURCES);
  containers.push(r.jobResources, r.jobResources);
  return {
    pods: r.instances + (r.metrics.enabled ? 1 : 0) + 2,
    requests: { cpu: sum(containers, (c) => c.requests.cpu), memory: sum(containers, (c) => c.requests.memory) },
    limits: { cpu: sum(containers, (c) => c.limits.cpu ?? c.requests.cpu), memory: sum(containers, (c) => c.limits.memory) },
    persistentVolumeClaims: r.instances,
    storageBytes: r.instances * parseQuantity(r.storage.size),
  };
}

/** The keys of a firm's credentials Secret in each client namespace. */
export function mariadbFirmCredentials<T>(r: Pick<ResolvedMariadbShardArgs, "shardName" | "namespace">, firm: Pick<ResolvedMariadbFirm, "username" | "database">, password: T): { username: string; password: T; host: string; port: string; database: string } {
  return { username: firm.username, password, host: mariadbPrimaryHost(r), port: String(MARIADB_PORT), database: firm.database };
}

export interface MariadbFlowsArgs {
  /** The shard's namespace and name (`resolveMariadbShardArgs(...).shardName`). */
  namespace: string;
  shardName: string;
  /** The shard's clients (the CRM backends and workers), each named for its flow (`<name>-to-mariadb`). */
  clients: (PodEndpoint & { name: string })[];
  /** mariadb-operator's pods (its own namespace, not managed here). */
  operator: { namespace: string; podSelector: LabelSelector };
  /** Prometheus' pods, scraping the exporter. Omitted: no flow. */
  prometheus?: { namespace: string; podSelector: LabelSelector };
  /** CIDRs of the Kubernetes API server, which the agent sidecars and the operator's Jobs call. */
  apiServerCidrs: string[];
  /**
   * Where the object storage answers (port 443).
   * @default { cidrs: ["0.0.0.0/0"], except: RFC 1918 }
   */
  objectStorage?: CidrEndpoint;
}

/**
 * The flows a shard needs under default-deny: clients → 3306 on the MariaDB pods; MariaDB pods ↔
 * each other on 3306 (replication) and the agent port (replica recovery); the operator → 3306 (it
 * runs the Database/User/Grant SQL and configures replication) and the agent API 5555; the
 * namespace's Jobs (backups, binlog rotation, restores) and the exporter → 3306; Prometheus → 9104
 * on the exporter; agent sidecars and Jobs → the API server (443) and the object storage (443).
 */
export function mariadbShardFlows(a: MariadbFlowsArgs): Flow[] {
  const pods: PodEndpoint = { namespace: a.namespace, podSelector: { matchLabels: mariadbPodSelector(a.shardName) } };
  // The operator's Jobs carry no label we can rely on across releases: every pod of the shard's namespace.
  const namespacePods: PodEndpoint = { namespace: a.namespace };
  const sql = [{ port: MARIADB_PORT }];
  const flows: Flow[] = a.clients.map(({ name, ...from }) => ({ name: `${name}-to-mariadb`, from, to: pods, ports: sql }));
  flows.push({ name: "mariadb-members", from: pods, to: pods, ports: [...sql, { port: MARIADB_AGENT_PORT }] });
  flows.push({ name: "mariadb-operator-to-mariadb", from: { ...a.operator, managed: false }, to: pods, ports: [...sql, { port: MARIADB_AGENT_PORT }] });
  flows.push({ name: "mariadb-jobs-to-mariadb", from: namespacePods, to: pods, ports: sql });
  if (a.prometheus) {
    flows.push({ name: "prometheus-to-mariadb-exporter", from: { ...a.prometheus, managed: false }, to: { namespace: a.namespace, podSelector: { matchLabels: mariadbExporterPodSelector(a.shardName) } }, ports: [{ port: MARIADB_EXPORTER_PORT }] });
  }
  if (a.apiServerCidrs.length) flows.push({ name: "mariadb-apiserver", from: namespacePods, to: { cidrs: a.apiServerCidrs }, ports: [{ port: 443 }] });
  flows.push({ name: "mariadb-backup-to-s3", from: namespacePods, to: a.objectStorage ?? { cidrs: ["0.0.0.0/0"], except: RFC1918 }, ports: [{ port: 443 }] });
  return flows;
}

export class MariadbShard extends pulumi.ComponentResource {
  public readonly shardName: pulumi.Output<string>;
  /** `<shard>-primary.<ns>.svc.cluster.local`: where firms write. */
  public readonly primaryHost: pulumi.Output<string>;
  /** `<shard>-secondary`: the replicas, for read-only work. */
  public readonly secondaryService: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** Labels of the MariaDB pods, for NetworkFlows. */
  public readonly podSelector: pulumi.Output<Labels>;
  /** Each firm's credentials Secret name (the same in every client namespace), by firm id. */
  public readonly firmSecretNames: pulumi.Output<Record<string, string>>;
  /** Minutes between forced binlog rotations (the rotation SqlJob's cron). */
  public readonly binlogRotationMinutes: pulumi.Output<number>;
  /** Worst-case RPO of the binlog archive, in minutes. */
  public readonly rpoMinutes: pulumi.Output<number>;
  /** `s3://<bucket>/<prefix>/<shard>`: logical/, physical/ and binlogs/ under it. */
  public readonly backupDestination: pulumi.Output<string>;
  /** The PointInTimeRecovery a restore bootstraps from. */
  public readonly pointInTimeRecoveryName: pulumi.Output<string>;

  constructor(name: string, args: MariadbShardArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MARIADB_SHARD_TYPE, name, {}, opts);
    const r = resolveMariadbShardArgs(name, args);
    const sn = r.shardName;
    const ns = r.namespace;
    const labels = standardLabels("mariadb", sn, "database", r.labels);
    const stateful = statefulChildOptions(this, r.deletionProtection);
    const crds = crdDependencies("k8s.mariadb.com/v1alpha1", r.crdInstallers);
    const prefixes = mariadbBackupPrefixes(r);
    const mariaDbRef = { name: sn, waitForIt: true };
    const pitrName = `${sn}-pitr`;
    const physicalName = `${sn}-weekly`;
    const cr = (child: string, kind: string, metaName: string, spec: Record<string, unknown>, o: pulumi.CustomResourceOptions) =>
      new k8s.apiextensions.CustomResource(`${name}-${child}`, { apiVersion: "k8s.mariadb.com/v1alpha1", kind, metadata: { name: metaName, namespace: ns, labels }, spec }, o);

    // The PITR configuration first: the MariaDB names it, and its agent starts archiving as soon as
    // the base PhysicalBackup below has completed.
    const pitr = cr(
      "pitr",
      "PointInTimeRecovery",
      pitrName,
      {
        physicalBackupRef: { name: physicalName },
        storage: { s3: s3Storage(r, prefixes.binlogs) },
        compression: "gzip",
        // Shorter than the 10-minute archive cycle, so that a stuck upload never delays the next one.
        archiveTimeout: "5m",
        strictMode: false,
      },
      { ...stateful, dependsOn: crds },
    );

    const mariadb = cr("mariadb", "MariaDB", sn, { ...mariadbSpec(r), pointInTimeRecoveryRef: { name: pitrName } }, { ...stateful, dependsOn: [...crds, pitr] });
    const afterDb = { dependsOn: [...crds, mariadb] };

    // crm-courtier.md § Backup Strategy: "Dump quotidien".
    cr(
      "logical-backup",
      "Backup",
      `${sn}-daily`,
      {
        mariaDbRef,
        schedule: { cron: r.backup.logicalSchedule, suspend: false },
        timeZone: "UTC",
        maxRetention: r.backup.logicalRetention,
        compression: "gzip",
        storage: { s3: s3Storage(r, prefixes.logical) },
        backoffLimit: 3,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        resources: resourcesOf(r.jobResources),
        ...jobSecurity(),
      },
      { ...stateful, ...afterDb },
    );

    // crm-courtier.md § Backup Strategy: "Snapshots : Hebdomadaire (rétention 4 semaines)"; also the base of PITR.
    cr(
      "physical-backup",
      "PhysicalBackup",
      physicalName,
      {
        mariaDbRef,
        // Taken right away, so that point-in-time recovery covers the shard from its first day.
        schedule: { cron: r.backup.physicalSchedule, suspend: false, immediate: true },
        maxRetention: r.backup.physicalRetention,
        compression: "gzip",
        target: "PreferReplica",
        storage: { s3: s3Storage(r, prefixes.physical) },
        backoffLimit: 3,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        resources: resourcesOf(r.jobResources),
        ...jobSecurity(),
      },
      { ...stateful, ...afterDb },
    );

    // The agent archives only closed binlogs, and MariaDB closes one at max_binlog_size (1 GB): a
    // quiet shard would keep its last writes unarchived for days. A scheduled FLUSH BINARY LOGS on
    // the primary bounds that wait; its cron is the figure a policy reads (binlogRotationMinutesOf).
    const rotatorUser = "binlog_rotator";
    const rotatorPassword = new random.RandomPassword(`${name}-binlog-rotator-password`, { length: 32, special: false }, { parent: this });
    const rotatorSecret = new k8s.core.v1.Secret(
      `${name}-binlog-rotator-secret`,
      { metadata: { name: `${sn}-binlog-rotator`, namespace: ns, labels: mergeLabels(labels, { "k8s.mariadb.com/watch": "" }) }, type: "Opaque", stringData: { password: rotatorPassword.result } },
      { parent: this },
    );
    const rotator = cr(
      "binlog-rotator-user",
      "User",
      `${sn}-binlog-rotator`,
      { mariaDbRef, name: rotatorUser, host: "%", passwordSecretKeyRef: { name: `${sn}-binlog-rotator`, key: "password" }, maxUserConnections: 2, require: { ssl: true }, cleanupPolicy: "Delete" },
      { parent: this, dependsOn: [...crds, mariadb, rotatorSecret] },
    );
    const rotatorGrant = cr(
      "binlog-rotator-grant",
      "Grant",
      `${sn}-binlog-rotator`,
      // RELOAD is what FLUSH needs; BINLOG ADMIN covers the binlog statements MariaDB ≥ 10.5.2 split off it.
      { mariaDbRef, privileges: ["RELOAD", "BINLOG ADMIN"], database: "*", table: "*", username: rotatorUser, host: "%", grantOption: false, cleanupPolicy: "Delete" },
      { parent: this, dependsOn: [...crds, rotator] },
    );
    cr(
      "binlog-rotation",
      "SqlJob",
      `${sn}-binlog-rotation`,
      {
        mariaDbRef,
        username: rotatorUser,
        passwordSecretKeyRef: { name: `${sn}-binlog-rotator`, key: "password" },
        sql: "FLUSH BINARY LOGS;",
        schedule: { cron: binlogRotationCron(r.backup.binlogRotationMinutes), suspend: false },
        timeZone: "UTC",
        backoffLimit: 1,
        restartPolicy: "Never",
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        resources: resourcesOf(r.jobResources),
        ...jobSecurity(),
      },
      { parent: this, dependsOn: [...crds, rotatorGrant] },
    );

    // Per firm: every child named from the firm id alone, so that adding a firm renames nothing.
    const host = mariadbPrimaryHost(r);
    const firmSecretNames: Record<string, string> = {};
    for (const f of r.firms) {
      const base = `${name}-tenant-${f.id}`;
      const objName = `${sn}-firm-${f.id}`;
      firmSecretNames[f.id] = objName;
      const password = new random.RandomPassword(`${base}-password`, { length: 32, special: false }, { parent: this });
      const passwordSecret = new k8s.core.v1.Secret(
        `${base}-password-secret`,
        { metadata: { name: `${objName}-password`, namespace: ns, labels: mergeLabels(labels, { "k8s.mariadb.com/watch": "" }) }, type: "Opaque", stringData: { password: password.result } },
        { parent: this },
      );
      // The firm's data outlives its entry here: removing the firm deletes the CR, never the schema.
      const database = cr(
        "tenant-" + f.id + "-database",
        "Database",
        objName,
        { mariaDbRef, name: f.database, characterSet: "utf8mb4", collate: "utf8mb4_unicode_ci", cleanupPolicy: "Skip" },
        { ...stateful, ...afterDb },
      );
      const user = cr(
        "tenant-" + f.id + "-user",
        "User",
        objName,
        { mariaDbRef, name: f.username, host: "%", passwordSecretKeyRef: { name: `${objName}-password`, key: "password" }, maxUserConnections: f.maxUserConnections, require: { ssl: true }, cleanupPolicy: "Delete" },
        { parent: this, dependsOn: [...crds, mariadb, passwordSecret] },
      );
      cr(
        "tenant-" + f.id + "-grant",
        "Grant",
        objName,
        // Its own database only: a firm never reads another's (crm-courtier.md § Multi-Tenancy, "Isolation stricte").
        { mariaDbRef, privileges: ["ALL PRIVILEGES"], database: f.database, table: "*", username: f.username, host: "%", grantOption: false, cleanupPolicy: "Delete" },
        { parent: this, dependsOn: [...crds, database, user] },
      );
      for (const clientNs of f.clientNamespaces) {
        new k8s.core.v1.Secret(
          `${base}-credentials-${clientNs}`,
          {
            metadata: { name: objName, namespace: clientNs, labels },
            type: "Opaque",
            stringData: mariadbFirmCredentials(r, f, password.result),
          },
          { parent: this },
        );
      }
    }

    this.shardName = pulumi.output(sn);
    this.primaryHost = pulumi.output(host);
    this.secondaryService = pulumi.output(`${sn}-secondary`);
    this.port = pulumi.output(MARIADB_PORT);
    this.podSelector = pulumi.output(mariadbPodSelector(sn));
    this.firmSecretNames = pulumi.output(firmSecretNames);
    this.binlogRotationMinutes = pulumi.output(r.backup.binlogRotationMinutes);
    this.rpoMinutes = pulumi.output(binlogWorstCaseRpoMinutes(r.backup.binlogRotationMinutes));
    this.backupDestination = pulumi.output(`s3://${r.objectStorage.bucket}/${r.objectStorage.prefix}/${sn}`);
    this.pointInTimeRecoveryName = pulumi.output(pitrName);
    this.registerOutputs({
      shardName: this.shardName,
      primaryHost: this.primaryHost,
      secondaryService: this.secondaryService,
      port: this.port,
      podSelector: this.podSelector,
      firmSecretNames: this.firmSecretNames,
      binlogRotationMinutes: this.binlogRotationMinutes,
      rpoMinutes: this.rpoMinutes,
      backupDestination: this.backupDestination,
      pointInTimeRecoveryName: this.pointInTimeRecoveryName,
    });
  }
}

/**
 * A Cloud SQL for PostgreSQL instance reachable only on a private IP, encrypted with a customer key,
 * backed up daily with point-in-time recovery, with an application database and user whose
 * generated password lives in Secret Manager. Optional read replicas (CryptoCare, ShareYourSales).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { EU_REGIONS } from "../../../model/locations";
import { regionalSecret } from "../secret";

export const POSTGRES_TYPE = "platform:gcp:Postgres";

/** The oldest major version this component accepts. */
export const MIN_POSTGRES_MAJOR = 16;

export type PostgresEdition = "ENTERPRISE" | "ENTERPRISE_PLUS";
export type PostgresSslMode = "ENCRYPTED_ONLY" | "TRUSTED_CLIENT_CERTIFICATE_REQUIRED";
export type AvailabilityType = "REGIONAL" | "ZONAL";

/** Automated backups of the primary. Cloud SQL takes one automated backup per day. */
export interface PostgresBackupArgs {
  /**
   * Automated daily backups. Cannot be turned off with REGIONAL availability or read replicas.
   * @default true
   */
  enabled?: boolean;
  /**
   * Start of the 4-hour backup window, `HH:MM` in UTC.
   * @default "01:00"
   */
  startTime?: string;
  /**
   * Automated backups kept (one per day, so this is also a number of days), 1 to 365.
   * @default 7 — Cloud SQL's own default; docs/platforms/quickfund.md § Backups: "Rétention | Standard GCP"
   */
  retainedBackups?: number;
  /**
   * Point-in-time recovery (write-ahead logs archived to Cloud Storage).
   * @default true
   */
  pointInTimeRecovery?: boolean;
  /**
   * Days of write-ahead logs kept for point-in-time recovery: 1–7 (ENTERPRISE) or 1–35 (ENTERPRISE_PLUS),
   * at most `retainedBackups`.
   * @default 7 — Cloud SQL's default for ENTERPRISE; docs/platforms/quickfund.md § Backups: "Rétention | Standard GCP"
   */
  transactionLogRetentionDays?: number;
  /**
   * Region where backups are stored. Cloud SQL's own default is the multi-region nearest the
   * instance, which for a Swiss instance would leave Switzerland: pinning it to the instance's region
   * keeps backups under the same jurisdiction.
   * @default the instance's region
   */
  location?: string;
}

/** One-hour weekly window for Cloud SQL's disruptive maintenance, in UTC. */
export interface PostgresMaintenanceArgs {
  /**
   * Day of week, 1 (Monday) to 7 (Sunday).
   * @default 7
   */
  day?: number;
  /**
   * Hour of day, 0 to 23, UTC.
   * @default 3
   */
  hour?: number;
  /**
   * `canary` (updates one week after notice), `stable` (two weeks) or `week5` (five weeks).
   * @default "stable"
   */
  updateTrack?: "canary" | "stable" | "week5";
}

/** A read replica of the primary (`masterInstanceName`). Replicas never have backups of their own. */
export interface PostgresReplicaArgs {
  /** Role of the replica, used in the child name `${name}-replica-${role}` (e.g. `analytics`). */
  role: string;
  /**
   * Region of the replica; a different region makes a cross-region (disaster recovery) replica.
   * @default the primary's region
   */
  region?: string;
  /**
   * Machine type.
   * @default the primary's tier
   */
  tier?: string;
  /**
   * `REGIONAL` gives the replica its own standby.
   * @default "ZONAL"
   */
  availabilityType?: AvailabilityType;
  /**
   * Cloud KMS key for the replica's disk; must be in the replica's region. Required for a
   * cross-region replica when the primary uses CMEK.
   * @default the primary's key when the replica is in the primary's region
   */
  encryptionKeyName?: pulumi.Input<string>;
  /**
   * Preferred zone.
   * @default chosen by Cloud SQL
   */
  zone?: string;
}

export interface PostgresArgs extends CommonArgs {
  /** Region of the primary instance (e.g. `europe-west1`). Derived from configuration, never looked up. */
  region: string;
  /**
   * Regions the instance, its replicas, its backups and its secret may live in. Widen only for a
   * platform whose documents require it, e.g. `["europe-west6"]` for Swiss hosting.
   * @default EU_REGIONS — docs/platforms/quickfund.md § Sécurité: "Conformité RGPD | Données en Europe"
   */
  allowedRegions?: readonly string[];
  /**
   * Project to create every resource in.
   * @default the provider's project
   */
  project?: pulumi.Input<string>;
  /** VPC network (`projects/<p>/global/networks/<n>` or its id) that gets the instance's private IP. */
  privateNetwork: pulumi.Input<string>;
  /**
   * The private services access connection (`gcp.servicenetworking.Connection`) of `privateNetwork`.
   * The instance depends on it: Cloud SQL cannot allocate a private IP before the VPC peering exists.
   */
  privateServicesConnection: pulumi.Resource;
  /**
   * Name of the allocated IP range (private services access) to take the instance's IP from.
   * @default any range allocated to the connection
   */
  allocatedIpRange?: pulumi.Input<string>;
  /**
   * Let Google Cloud services (BigQuery federated queries, Datastream…) reach the instance over the
   * private path. Off: nothing needs it yet, and it widens who can connect.
   * @default false
   */
  privatePathForGoogleCloudServices?: boolean;
  /**
   * `POSTGRES_<major>`, 16 or later.
   * @default "POSTGRES_16"
   */
  databaseVersion?: string;
  /**
   * Cloud SQL edition. Set explicitly because, left unset, Cloud SQL picks ENTERPRISE_PLUS for
   * PostgreSQL 16+, which refuses custom and shared-core tiers.
   * @default "ENTERPRISE"
   */
  edition?: PostgresEdition;
  /** Machine type: `db-custom-<vCPU>-<MiB>` for ENTERPRISE, `db-perf-optimized-N-<vCPU>` for ENTERPRISE_PLUS. */
  tier: string;
  /** Initial data disk size, in GB (at least 10). Grows automatically afterwards; Pulumi ignores later drift. */
  diskSizeGb: number;
  /**
   * Ceiling for automatic disk growth, in GB, so a runaway table cannot grow the bill without bound.
   * @default 5 × diskSizeGb
   */
  diskAutoresizeLimitGb?: number;
  /**
   * `PD_SSD` or `HYPERDISK_BALANCED`.
   * @default "PD_SSD"
   */
  diskType?: "PD_SSD" | "HYPERDISK_BALANCED";
  /**
   * `REGIONAL` keeps a standby in a second zone with automatic failover. `ZONAL` for dev only.
   * @default "REGIONAL"
   */
  availabilityType?: AvailabilityType;
  /**
   * Preferred zone of the primary.
   * @default chosen by Cloud SQL
   */
  zone?: string;
  /**
   * Preferred zone of the standby (REGIONAL only).
   * @default chosen by Cloud SQL
   */
  secondaryZone?: string;
  /**
   * TLS enforcement. `ALLOW_UNENCRYPTED_AND_ENCRYPTED` is refused: docs/platforms/quickfund.md
   * § Sécurité données: "Chiffrement en transit (HTTPS/TLS) | Oui".
   * @default "ENCRYPTED_ONLY"
   */
  sslMode?: PostgresSslMode | "ALLOW_UNENCRYPTED_AND_ENCRYPTED";
  /**
   * Cloud KMS key for the instance's disk and backups, in the instance's region; the Cloud SQL
   * service agent needs `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it. Cannot be changed after
   * creation. Required unless `allowGoogleManagedEncryption` is true.
   * docs/platforms/quickfund.md § Sécurité données: "Chiffrement au repos | Oui".
   * @default none — a key is required
   */
  encryptionKeyName?: pulumi.Input<string>;
  /**
   * Accept Google-managed encryption instead of a customer-managed key (disposable environments).
   * @default false
   */
  allowGoogleManagedEncryption?: boolean;
  /**
   * Automated backups and point-in-time recovery.
   * @default { enabled: true, startTime: "01:00", retainedBackups: 7, pointInTimeRecovery: true, transactionLogRetentionDays: 7, location: region }
   */
  backup?: PostgresBackupArgs;
  /**
   * Keep the automated backups when the instance is deleted (they then expire per retention).
   * @default true
   */
  retainBackupsOnDelete?: boolean;
  /**
   * Weekly maintenance window.
   * @default { day: 7, hour: 3, updateTrack: "stable" }
   */
  maintenance?: PostgresMaintenanceArgs;
  /**
   * Query Insights (normalized query text, no literal values).
   * @default true
   */
  queryInsights?: boolean;
  /**
   * Database flags added to (or overriding) the defaults in `DEFAULT_DATABASE_FLAGS`.
   * @default {}
   */
  databaseFlags?: Record<string, string>;
  /**
   * Instance name. Cloud SQL names cannot be reused for a week after deletion.
   * @default Pulumi auto-naming (`<name>-instance-<random suffix>`)
   */
  instanceName?: string;
  /**
   * Name of the application database.
   * @default "app"
   */
  databaseName?: string;
  /**
   * Name of the application's built-in user.
   * @default "app"
   */
  userName?: string;
  /**
   * Length of the generated password (at least 16).
   * @default 32
   */
  passwordLength?: number;
  /**
   * Secret Manager secret id holding the password.
   * @default Pulumi auto-naming (`<name>-db-password-<random suffix>`)
   */
  passwordSecretId?: string;
  /**
   * Regions the secret is replicated to (user-managed replication), each in `allowedRegions`.
   * @default [region]
   */
  secretReplicaLocations?: string[];
  /**
   * Cloud KMS key per secret replica location (`location → key`), for a CMEK-encrypted secret.
   * @default {} (Google-managed encryption of the secret)
   */
  secretEncryptionKeyNames?: Record<string, pulumi.Input<string>>;
  /**
   * Read replicas of the primary. ShareYourSales needs two (docs/platforms/shareyoursales.md:
   * "Read Replica 1 (Analytics)", "Read Replica 2 (Dashboards)"), CryptoCare one
   * (docs/platforms/cryptocare.md § 4.1.2: "DB principale + 1 réplica").
   * @default []
   */
  readReplicas?: PostgresReplicaArgs[];
}

/**
 * Logging flags set on every instance and replica, from the CIS Google Cloud Platform Foundations
 * Benchmark v3.0 § 6.2 (PostgreSQL). log_min_duration_statement stays disabled because it logs
 * statement text, which here would carry KYC and credit data.
 */
export const DEFAULT_DATABASE_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  log_error_verbosity: "default", // CIS 6.2.1
  log_connections: "on", // CIS 6.2.2
  log_disconnections: "on", // CIS 6.2.3
  log_statement: "ddl", // CIS 6.2.4: schema changes are audited, data statements are not logged
  log_min_messages: "warning", // CIS 6.2.5
  log_min_error_statement: "error", // CIS 6.2.6
  log_min_duration_statement: "-1", // CIS 6.2.7
  // CIS 6.2.8: loads pgAudit so that `CREATE EXTENSION pgaudit` can audit roles and DDL; its
  // classes (pgaudit.log) are set per database, never to log data statements.
  "cloudsql.enable_pgaudit": "on",
  log_lock_waits: "on", // CIS v1.2 6.2.6: lock contention shows up in logs
});

export interface ResolvedPostgresReplica {
  role: string;
  childName: string;
  region: string;
  tier: string;
  availabilityType: AvailabilityType;
  encryptionKeyName?: pulumi.Input<string>;
  zone?: string;
}

export interface ResolvedPostgresArgs {
  region: string;
  project?: pulumi.Input<string>;
  privateNetwork: pulumi.Input<string>;
  privateServicesConnection: pulumi.Resource;
  allocatedIpRange?: pulumi.Input<string>;
  privatePathForGoogleCloudServices: boolean;
  databaseVersion: string;
  edition: PostgresEdition;
  tier: string;
  diskSizeGb: number;
  diskAutoresizeLimitGb: number;
  diskType: string;
  availabilityType: AvailabilityType;
  zone?: string;
  secondaryZone?: string;
  sslMode: PostgresSslMode;
  encryptionKeyName?: pulumi.Input<string>;
  backup: Required<PostgresBackupArgs>;
  retainBackupsOnDelete: boolean;
  maintenance: Required<PostgresMaintenanceArgs>;
  queryInsights: boolean;
  databaseFlags: { name: string; value: string }[];
  instanceName?: string;
  databaseName: string;
  userName: string;
  passwordLength: number;
  passwordSecretId?: string;
  secretReplicas: { location: string; kmsKeyName?: pulumi.Input<string> }[];
  readReplicas: ResolvedPostgresReplica[];
  deletionProtection: boolean;
  labels: Labels;
}

/** Applies the component's defaults and refuses contradictory or unsafe arguments. */
export function resolvePostgresArgs(name: string, args: PostgresArgs): ResolvedPostgresArgs {
  const fail: (detail: string) => never = (detail) => {
    throw new ComponentArgsError(POSTGRES_TYPE, name, detail);
  };
  const allowedRegions = args.allowedRegions ?? EU_REGIONS;
  const checkRegion = (field: string, region: string) => {
    if (!allowedRegions.includes(region)) {
      fail(
        `${field} "${region}" is outside the allowed regions (${allowedRegions.join(", ")}); data must stay in the EU ` +
          `(docs/platforms/quickfund.md § Sécurité: "Données en Europe"). Pass allowedRegions to widen it for a documented jurisdiction.`,
      );
    }
  };
  checkRegion("region", args.region);

  const databaseVersion = args.databaseVersion ?? "POSTGRES_16";
  const version = /^POSTGRES_(\d+)$/.exec(databaseVersion);
  if (!version) fail(`databaseVersion "${databaseVersion}" is not a PostgreSQL version (expected POSTGRES_<major>).`);
  if (Number(version[1]) < MIN_POSTGRES_MAJOR) {
    fail(`databaseVersion ${databaseVersion} is older than POSTGRES_${MIN_POSTGRES_MAJOR}; older majors are refused (end of support, no in-place downgrade later).`);
  }

  const edition = args.edition ?? "ENTERPRISE";
  const checkTier = (field: string, tier: string) => {
    const perfOptimized = tier.startsWith("db-perf-optimized-N-");
    if (edition === "ENTERPRISE_PLUS" && !perfOptimized) fail(`${field} "${tier}" is not available in ENTERPRISE_PLUS, which takes only db-perf-optimized-N-* tiers.`);
    if (edition === "ENTERPRISE" && perfOptimized) fail(`${field} "${tier}" needs edition ENTERPRISE_PLUS.`);
  };
  checkTier("tier", args.tier);

  if (!Number.isInteger(args.diskSizeGb) || args.diskSizeGb < 10) fail(`diskSizeGb must be a whole number ≥ 10, got ${args.diskSizeGb}.`);
  const diskAutoresizeLimitGb = args.diskAutoresizeLimitGb ?? args.diskSizeGb * 5;
  if (!Number.isInteger(diskAutoresizeLimitGb) || diskAutoresizeLimitGb < args.diskSizeGb) {
    fail(`diskAutoresizeLimitGb (${diskAutoresizeLimitGb}) must be a whole number ≥ diskSizeGb (${args.diskSizeGb}).`);
  }

  const sslMode = args.sslMode ?? "ENCRYPTED_ONLY";
  if (sslMode === "ALLOW_UNENCRYPTED_AND_ENCRYPTED") {
    fail(`sslMode ALLOW_UNENCRYPTED_AND_ENCRYPTED accepts clear-text connections (docs/platforms/quickfund.md § Sécurité données: "Chiffrement en transit | Oui").`);
  }

  if (args.encryptionKeyName !== undefined && args.allowGoogleManagedEncryption === true) {
    fail("encryptionKeyName and allowGoogleManagedEncryption: true contradict each other; choose one.");
  }
  if (args.encryptionKeyName === undefined && args.allowGoogleManagedEncryption !== true) {
    fail(
      "encryptionKeyName (a Cloud KMS key in the instance's region) is required (docs/platforms/quickfund.md § Sécurité données: " +
        `"Chiffrement au repos | Oui"); set allowGoogleManagedEncryption: true to opt out explicitly.`,
    );
  }

  const availabilityType = args.availabilityType ?? "REGIONAL";
  if (args.secondaryZone !== undefined && availabilityType !== "REGIONAL") fail("secondaryZone needs availabilityType REGIONAL.");

  const b = args.backup ?? {};
  const maxLogDays = edition === "ENTERPRISE_PLUS" ? 35 : 7;
  const backup: Required<PostgresBackupArgs> = {
    enabled: b.enabled ?? true,
    startTime: b.startTime ?? "01:00",
    retainedBackups: b.retainedBackups ?? 7,
    pointInTimeRecovery: b.pointInTimeRecovery ?? true,
    transactionLogRetentionDays: b.transactionLogRetentionDays ?? 7,
    location: b.location ?? args.region,
  };
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(backup.startTime)) fail(`backup.startTime "${backup.startTime}" must be HH:MM (UTC).`);
  if (!Number.isInteger(backup.retainedBackups) || backup.retainedBackups < 1 || backup.retainedBackups > 365) {
    fail(`backup.retainedBackups must be a whole number between 1 and 365, got ${backup.retainedBackups}.`);
  }
  const logDays = backup.transactionLogRetentionDays;
  if (!Number.isInteger(logDays) || logDays < 1 || logDays > maxLogDays) {
    fail(`backup.transactionLogRetentionDays must be between 1 and ${maxLogDays} for ${edition}, got ${logDays}.`);
  }
  // Logs older than the oldest retained backup have no base backup to replay onto.
  if (logDays > backup.retainedBackups) {
    fail(`backup.transactionLogRetentionDays (${logDays}) exceeds backup.retainedBackups (${backup.retainedBackups}); point-in-time recovery needs a base backup that old.`);
  }
  checkRegion("backup.location", backup.location);
  if (!backup.enabled && backup.pointInTimeRecovery) fail("backup.pointInTimeRecovery needs backup.enabled: point-in-time recovery replays logs onto a backup.");
  if (availabilityType === "REGIONAL" && !(backup.enabled && backup.pointInTimeRecovery)) {
    fail("availabilityType REGIONAL needs backup.enabled and backup.pointInTimeRecovery (Cloud SQL requirement for high availability).");
  }

  const m = args.maintenance ?? {};
  const maintenance: Required<PostgresMaintenanceArgs> = { day: m.day ?? 7, hour: m.hour ?? 3, updateTrack: m.updateTrack ?? "stable" };
  if (!Number.isInteger(maintenance.day) || maintenance.day < 1 || maintenance.day > 7) fail(`maintenance.day must be 1 (Monday) to 7 (Sunday), got ${maintenance.day}.`);
  if (!Number.isInteger(maintenance.hour) || maintenance.hour < 0 || maintenance.hour > 23) fail(`maintenance.hour must be 0 to 23, got ${maintenance.hour}.`);

  const flags = { ...DEFAULT_DATABASE_FLAGS, ...(args.databaseFlags ?? {}) };
  const databaseFlags = Object.keys(flags)
    .sort()
    .map((flag) => ({ name: flag, value: flags[flag] }));

  const passwordLength = args.passwordLength ?? 32;
  if (!Number.isInteger(passwordLength) || passwordLength < 16) fail(`passwordLength must be a whole number ≥ 16, got ${passwordLength}.`);

  const secretLocations = args.secretReplicaLocations ?? [args.region];
  if (secretLocations.length === 0) fail("secretReplicaLocations cannot be empty.");
  secretLocations.forEach((l) => checkRegion("secretReplicaLocations", l));
  for (const l of Object.keys(args.secretEncryptionKeyNames ?? {})) {
    if (!secretLocations.includes(l)) fail(`secretEncryptionKeyNames has a key for ${l}, which is not in secretReplicaLocations (${secretLocations.join(", ")}).`);
  }
  const secretReplicas = secretLocations.map((location) => ({ location, kmsKeyName: args.secretEncryptionKeyNames?.[location] }));

  const roles = new Set<string>();
  const readReplicas = (args.readReplicas ?? []).map((rep): ResolvedPostgresReplica => {
    if (!/^[a-z][a-z0-9-]*$/.test(rep.role)) fail(`readReplicas role "${rep.role}" must be lowercase letters, digits and dashes.`);
    if (roles.has(rep.role)) fail(`readReplicas role "${rep.role}" is used twice.`);
    roles.add(rep.role);
    const region = rep.region ?? args.region;
    checkRegion(`readReplicas[${rep.role}].region`, region);
    const tier = rep.tier ?? args.tier;
    checkTier(`readReplicas[${rep.role}].tier`, tier);
    let encryptionKeyName = rep.encryptionKeyName;
    if (args.encryptionKeyName !== undefined && encryptionKeyName === undefined) {
      if (region !== args.region) {
        fail(`readReplicas[${rep.role}] is in ${region}, the primary in ${args.region}: a cross-region replica needs its own encryptionKeyName in ${region} (Cloud SQL keys are regional).`);
      }
      encryptionKeyName = args.encryptionKeyName;
    }
    if (args.encryptionKeyName === undefined && encryptionKeyName !== undefined) {
      fail(`readReplicas[${rep.role}].encryptionKeyName is set but the primary uses Google-managed encryption.`);
    }
    return { role: rep.role, childName: `${name}-replica-${rep.role}`, region, tier, availabilityType: rep.availabilityType ?? "ZONAL", encryptionKeyName, zone: rep.zone };
  });
  if (readReplicas.length > 0 && !backup.enabled) {
    fail("readReplicas need backup.enabled on the primary (Cloud SQL requires automated backups before it creates a replica).");
  }

  return {
    region: args.region,
    project: args.project,
    privateNetwork: args.privateNetwork,
    privateServicesConnection: args.privateServicesConnection,
    allocatedIpRange: args.allocatedIpRange,
    privatePathForGoogleCloudServices: args.privatePathForGoogleCloudServices ?? false,
    databaseVersion,
    edition,
    tier: args.tier,
    diskSizeGb: args.diskSizeGb,
    diskAutoresizeLimitGb,
    diskType: args.diskType ?? "PD_SSD",
    availabilityType,
    zone: args.zone,
    secondaryZone: args.secondaryZone,
    sslMode,
    encryptionKeyName: args.encryptionKeyName,
    backup,
    retainBackupsOnDelete: args.retainBackupsOnDelete ?? true,
    maintenance,
    queryInsights: args.queryInsights ?? true,
    databaseFlags,
    instanceName: args.instanceName,
    databaseName: args.databaseName ?? "app",
    userName: args.userName ?? "app",
    passwordLength,
    passwordSecretId: args.passwordSecretId,
    secretReplicas,
    readReplicas,
    deletionProtection: args.deletionProtection ?? true,
    labels: mergeLabels(args.labels),
  };
}

export class Postgres extends pulumi.ComponentResource {
  /** Instance name (auto-named unless `instanceName` is given). */
  public readonly instanceName: pulumi.Output<string>;
  /** `project:region:instance`, for the Cloud SQL Auth Proxy and connectors. */
  public readonly connectionName: pulumi.Output<string>;
  /** The primary's private IP address in `privateNetwork`. */
  public readonly privateIpAddress: pulumi.Output<string>;
  /** Name of the application database. */
  public readonly databaseName: pulumi.Output<string>;
  /** Name of the application user. */
  public readonly userName: pulumi.Output<string>;
  /** Secret Manager secret id (`projects/<p>/secrets/<id>`) holding the password; grant `roles/secretmanager.secretAccessor` on it. */
  public readonly passwordSecretId: pulumi.Output<string>;
  /** Secret Manager secret resource name (`projects/<number>/secrets/<id>`). */
  public readonly passwordSecretName: pulumi.Output<string>;
  /** Full name of the secret version holding the current password. */
  public readonly passwordSecretVersionName: pulumi.Output<string>;
  /** Connection name per replica role. */
  public readonly replicaConnectionNames: pulumi.Output<Record<string, string>>;
  /** Private IP address per replica role. */
  public readonly replicaPrivateIpAddresses: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super(POSTGRES_TYPE, name, {}, opts);
    const r = resolvePostgresArgs(name, args);

    const ipConfiguration = {
      // Unset means a public IP: always say no explicitly.
      ipv4Enabled: false,
      privateNetwork: r.privateNetwork,
      allocatedIpRange: r.allocatedIpRange,
      enablePrivatePathForGoogleCloudServices: r.privatePathForGoogleCloudServices,
      sslMode: r.sslMode,
    };
    const insightsConfig = r.queryInsights
      ? { queryInsightsEnabled: true, recordApplicationTags: true, recordClientAddress: false }
      : { queryInsightsEnabled: false };

    const instance = new gcp.sql.DatabaseInstance(
      `${name}-instance`,
      {
        name: r.instanceName,
        project: r.project,
        region: r.region,
        databaseVersion: r.databaseVersion,
        encryptionKeyName: r.encryptionKeyName,
        // Pulumi/provider-level guard, and (below) Cloud SQL's own guard across console, gcloud and API.
        deletionProtection: r.deletionProtection,
        settings: {
          edition: r.edition,
          tier: r.tier,
          availabilityType: r.availabilityType,
          diskType: r.diskType,
          diskSize: r.diskSizeGb,
          diskAutoresize: true,
          diskAutoresizeLimit: r.diskAutoresizeLimitGb,
          deletionProtectionEnabled: r.deletionProtection,
          retainBackupsOnDelete: r.retainBackupsOnDelete,
          ipConfiguration,
          // docs/platforms/quickfund.md § Backups: "Fréquence | Tous les 2 jours" is an upper bound:
          // Cloud SQL takes an automated backup every day, which meets it with margin.
          backupConfiguration: {
            enabled: r.backup.enabled,
            startTime: r.backup.startTime,
            location: r.backup.location,
            pointInTimeRecoveryEnabled: r.backup.pointInTimeRecovery,
            transactionLogRetentionDays: r.backup.pointInTimeRecovery ? r.backup.transactionLogRetentionDays : undefined,
            backupRetentionSettings: { retainedBackups: r.backup.retainedBackups, retentionUnit: "COUNT" },
          },
          maintenanceWindow: r.maintenance,
          insightsConfig,
          databaseFlags: r.databaseFlags,
          locationPreference: r.zone || r.secondaryZone ? { zone: r.zone, secondaryZone: r.secondaryZone } : undefined,
          userLabels: r.labels,
        },
      },
      statefulChildOptions(this, r.deletionProtection, {
        dependsOn: [r.privateServicesConnection],
        // The disk grows by itself (diskAutoresize); re-applying diskSize would try to shrink it.
        ignoreChanges: ["settings.diskSize"],
      }),
    );

    const replicas = r.readReplicas.map(
      (rep) =>
        [
          rep.role,
          new gcp.sql.DatabaseInstance(
            rep.childName,
            {
              project: r.project,
              region: rep.region,
              databaseVersion: r.databaseVersion,
              masterInstanceName: instance.name,
              encryptionKeyName: rep.encryptionKeyName,
              deletionProtection: r.deletionProtection,
              settings: {
                edition: r.edition,
                tier: rep.tier,
                availabilityType: rep.availabilityType,
                diskType: r.diskType,
                diskSize: r.diskSizeGb,
                diskAutoresize: true,
                diskAutoresizeLimit: r.diskAutoresizeLimitGb,
                // A cross-region replica is what gets promoted in a regional disaster: protect it like the primary.
                deletionProtectionEnabled: r.deletionProtection,
                ipConfiguration,
                // Cloud SQL replicas cannot have backups or point-in-time recovery of their own.
                backupConfiguration: { enabled: false },
                insightsConfig,
                databaseFlags: r.databaseFlags,
                locationPreference: rep.zone ? { zone: rep.zone } : undefined,
                userLabels: r.labels,
              },
            },
            statefulChildOptions(this, r.deletionProtection, {
              dependsOn: [r.privateServicesConnection],
              ignoreChanges: ["settings.diskSize"],
            }),
          ),
        ] as const,
    );

    const database = new gcp.sql.Database(
      `${name}-database`,
      // ABANDON: PostgreSQL refuses to drop a database other roles still use; the instance's own
      // deletion removes it, and Pulumi's protect guards it while deletion protection is on.
      { project: r.project, instance: instance.name, name: r.databaseName, charset: "UTF8", collation: "en_US.UTF8", deletionPolicy: "ABANDON" },
      statefulChildOptions(this, r.deletionProtection),
    );

    // The password is generated in the Pulumi state (encrypted as a secret) and only ever travels
    // wrapped in pulumi.secret: never an output, never interpolated into a name, label or log.
    const password = new random.RandomPassword(
      `${name}-db-password`,
      // URL-unreserved specials only, so the password can sit in a connection URI without escaping.
      { length: r.passwordLength, special: true, overrideSpecial: "-_.~", minLower: 1, minUpper: 1, minNumeric: 1, minSpecial: 1 },
      { parent: this },
    );
    const secretPassword = pulumi.secret(password.result);

    new gcp.sql.User(
      `${name}-user`,
      // ABANDON: PostgreSQL refuses to drop a role that owns objects or holds grants.
      { project: r.project, instance: instance.name, name: r.userName, password: secretPassword, deletionPolicy: "ABANDON" },
      { parent: this },
    );

    const { secret, version: secretVersion } = regionalSecret(
      { secret: `${name}-db-password-secret`, version: `${name}-db-password-version` },
      { project: r.project, secretId: r.passwordSecretId, replicas: r.secretReplicas, labels: r.labels, value: secretPassword },
      // Deleting the secret would strand the database user with a password nobody can read.
      statefulChildOptions(this, r.deletionProtection),
    );

    this.instanceName = instance.name;
    this.connectionName = instance.connectionName;
    this.privateIpAddress = instance.privateIpAddress;
    this.databaseName = database.name;
    this.userName = pulumi.output(r.userName);
    this.passwordSecretId = secret.id;
    this.passwordSecretName = secret.name;
    this.passwordSecretVersionName = secretVersion.name;
    this.replicaConnectionNames = pulumi.output(Object.fromEntries(replicas.map(([role, rep]) => [role, rep.connectionName])));
    this.replicaPrivateIpAddresses = pulumi.output(Object.fromEntries(replicas.map(([role, rep]) => [role, rep.privateIpAddress])));
    this.registerOutputs({
      instanceName: this.instanceName,
      connectionName: this.connectionName,
      privateIpAddress: this.privateIpAddress,
      databaseName: this.databaseName,
      userName: this.userName,
      passwordSecretId: this.passwordSecretId,
      passwordSecretName: this.passwordSecretName,
      passwordSecretVersionName: this.passwordSecretVersionName,
      replicaConnectionNames: this.replicaConnectionNames,
      replicaPrivateIpAddresses: this.replicaPrivateIpAddresses,
    });
  }
}

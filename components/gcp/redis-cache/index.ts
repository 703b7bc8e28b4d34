/**
 * A Memorystore for Redis instance (`gcp.redis.Instance`) reachable only through private services
 * access, with AUTH always on, TLS with server authentication, RDB snapshots, and its AUTH string in
 * Secret Manager (user-managed replication in the instance's region). The server CA is an output for
 * clients. CryptoCare's cache from phase 1 (docs/platforms/cryptocare.md § 3.2.2: "Mise en place
 * Redis pour le caching").
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { EU_REGIONS } from "../../../model/locations";
import { regionalSecret } from "../secret";

export const REDIS_CACHE_TYPE = "platform:gcp:RedisCache";

export type RedisTier = "BASIC" | "STANDARD_HA";
export type RedisSnapshotPeriod = "ONE_HOUR" | "SIX_HOURS" | "TWELVE_HOURS" | "TWENTY_FOUR_HOURS";
export type RedisDayOfWeek = "MONDAY" | "TUESDAY" | "WEDNESDAY" | "THURSDAY" | "FRIDAY" | "SATURDAY" | "SUNDAY";

/** RDB snapshots: Memorystore writes the dataset to disk periodically and reloads it after a restart. */
export interface RedisPersistenceArgs {
  /**
   * `RDB` (snapshots) or `DISABLED` (a pure cache that starts empty after a failure or maintenance).
   * The policy pack refuses `DISABLED` where the platform's document asks for persistence.
   * @default "RDB"
   */
  mode?: "RDB" | "DISABLED";
  /**
   * Time between snapshots; at most the platform's backup interval (gcp-redis-instance-require-persistence).
   * @default "ONE_HOUR"
   */
  rdbSnapshotPeriod?: RedisSnapshotPeriod;
  /**
   * RFC 3339 UTC timestamp that snapshots align to (`2026-01-01T02:00:00Z`).
   * @default the creation time (Memorystore's own default)
   */
  rdbSnapshotStartTime?: string;
}

/** One-hour weekly window for Memorystore's maintenance (a failover on STANDARD_HA, a restart on BASIC), in UTC. */
export interface RedisMaintenanceArgs {
  /**
   * Day of the week.
   * @default "SUNDAY"
   */
  day?: RedisDayOfWeek;
  /**
   * Start hour, 0 to 23 UTC.
   * @default 3
   */
  hour?: number;
}

export interface RedisCacheArgs extends CommonArgs {
  /** Region of the instance (e.g. `europe-west6`). Derived from configuration, never looked up. */
  region: string;
  /**
   * Regions the instance and its AUTH secret may live in. Widen only for a documented jurisdiction,
   * e.g. `["europe-west6"]` for Swiss hosting (docs/platforms/cryptocare.md § 7.2).
   * @default EU_REGIONS
   */
  allowedRegions?: readonly string[];
  /**
   * Project to create every resource in.
   * @default the provider's project
   */
  project?: pulumi.Input<string>;
  /**
   * `STANDARD_HA` keeps a replica in a second zone with automatic failover; `BASIC` is one node
   * (loses its data on a failure unless RDB restores it).
   * @default "STANDARD_HA"
   */
  tier?: RedisTier;
  /** Memory in GiB: 1–300 (at least 5 with read replicas). */
  memorySizeGb: number;
  /**
   * `REDIS_<major>_<minor>` (or `REDIS_6_X`), 6 or later.
   * @default "REDIS_7_2"
   */
  redisVersion?: string;
  /**
   * Zone of the primary, inside `region`.
   * @default chosen by Memorystore
   */
  locationId?: string;
  /**
   * Zone of the STANDARD_HA replica, inside `region` and different from `locationId`. Refused on BASIC.
   * @default chosen by Memorystore
   */
  alternativeLocationId?: string;
  /** VPC network (`projects/<p>/global/networks/<n>`, e.g. the Network component's `networkId`) clients connect from. */
  authorizedNetwork: pulumi.Input<string>;
  /**
   * The private services access connection (`gcp.servicenetworking.Connection`) of `authorizedNetwork`
   * (the Network component's `privateServicesConnection`). The instance depends on it: with
   * PRIVATE_SERVICE_ACCESS, Memorystore takes its IPs from the peering.
   */
  privateServicesConnection: pulumi.Resource;
  /**
   * Name of the private services access range to take the instance's IPs from (the Network
   * component's `privateServicesRangeName`).
   * @default any range allocated to the connection
   */
  reservedIpRange?: pulumi.Input<string>;
  /**
   * TLS between clients and the instance. `DISABLED` is refused (gcp-redis-instance-require-transit-encryption).
   * @default "SERVER_AUTHENTICATION"
   */
  transitEncryptionMode?: "SERVER_AUTHENTICATION" | "DISABLED";
  /**
   * Cloud KMS key (`projects/…/cryptoKeys/…`, in the instance's region) for the data at rest, RDB
   * snapshots included. The Memorystore agent (`service-<projectNumber>@cloud-redis.iam.gserviceaccount.com`,
   * the EncryptionKeys agent `cloud-redis`) needs `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it:
   * pass EncryptionKeys' `grantedKeyIds`. Cannot be changed after creation.
   * @default none (Google-managed encryption)
   */
  customerManagedKey?: pulumi.Input<string>;
  /**
   * RDB snapshots.
   * @default { mode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" }
   */
  persistence?: RedisPersistenceArgs;
  /**
   * Weekly maintenance window.
   * @default { day: "SUNDAY", hour: 3 }
   */
  maintenance?: RedisMaintenanceArgs;
  /**
   * Read replicas behind a read endpoint (STANDARD_HA only, memory ≥ 5 GB; can only be turned on,
   * and only Memorystore can add the IP range it needs afterwards). The number is `replicaCount`.
   * @default false
   */
  readReplicas?: boolean;
  /**
   * Replica nodes with `readReplicas`: 1–5.
   * @default 2 with readReplicas (Memorystore's default), otherwise Memorystore's own (1 on STANDARD_HA, 0 on BASIC)
   */
  replicaCount?: number;
  /**
   * Redis configuration parameters Memorystore accepts (`maxmemory-policy`…).
   * Merged over DEFAULT_REDIS_CONFIGS, key by key.
   * @default { "maxmemory-policy": "volatile-lru" } (DEFAULT_REDIS_CONFIGS) — evicts keys with a TTL, least recently used first, instead of refusing writes
   */
  redisConfigs?: Record<string, string>;
  /**
   * Instance id (lowercase letters, digits and dashes, 1–40 characters).
   * @default Pulumi auto-naming (`<name>-instance-<random suffix>`)
   */
  instanceName?: string;
  /**
   * Secret Manager secret id holding the AUTH string.
   * @default Pulumi auto-naming (`<name>-auth-<random suffix>`)
   */
  authSecretId?: string;
  /**
   * Cloud KMS key for the secret's replica in `region` (a CMEK-encrypted secret; the Secret Manager agent needs access).
   * @default none (Google-managed encryption of the secret)
   */
  secretEncryptionKeyName?: pulumi.Input<string>;
  /**
   * Service accounts granted `roles/secretmanager.secretAccessor` on the AUTH secret only, by a
   * stable key (`api`, `worker`) → email (`app@p.iam.gserviceaccount.com`, no `serviceAccount:`
   * prefix; an Output is fine). Keyed rather than a list so that reordering never replaces a grant
   * (a replaced IAM member is created, then its twin deleted: the grant disappears). Leave out a
   * CloudRunService that reads the secret through `secretEnv`: it grants itself.
   * @default {}
   */
  accessors?: Record<string, pulumi.Input<string>>;
}

/**
 * Memorystore's versions this component accepts: 6.x and later. 3.2–5.0 are past upstream end of
 * life, and an instance can be upgraded in place but never downgraded, so starting old only adds an upgrade.
 */
export const REDIS_VERSIONS: readonly string[] = Object.freeze(["REDIS_6_X", "REDIS_7_0", "REDIS_7_2"]);

/** Memorystore's size range for a Basic or Standard instance, in GiB. */
export const MIN_MEMORY_GB = 1;
export const MAX_MEMORY_GB = 300;
/** Memorystore serves read replicas only on nodes of at least 5 GB (docs: "Read replicas are only supported for instance sizes with nodes >= 5 GB"). */
export const MIN_READ_REPLICA_MEMORY_GB = 5;

/**
 * Eviction when memory is full: only keys that carry a TTL, least recently used first. Every
 * cache entry carries one (docs/platforms/cryptocare.md § 5.1: "Utilisateurs, disponibilités |
 * Redis | 15 minutes"; "Spécialités, pays, etc. | Redis | 1 heure"), so the cache makes room by
 * itself, while keys without a TTL (a queue, a lock) are never evicted behind the application's back.
 */
export const DEFAULT_REDIS_CONFIGS: Readonly<Record<string, string>> = Object.freeze({ "maxmemory-policy": "volatile-lru" });

export interface ResolvedRedisCacheArgs {
  region: string;
  project?: pulumi.Input<string>;
  tier: RedisTier;
  memorySizeGb: number;
  redisVersion: string;
  locationId?: string;
  alternativeLocationId?: string;
  authorizedNetwork: pulumi.Input<string>;
  privateServicesConnection: pulumi.Resource;
  reservedIpRange?: pulumi.Input<string>;
  transitEncryptionMode: "SERVER_AUTHENTICATION";
  customerManagedKey?: pulumi.Input<string>;
  persistence: { mode: "RDB" | "DISABLED"; rdbSnapshotPeriod?: RedisSnapshotPeriod; rdbSnapshotStartTime?: string };
  maintenance: Required<RedisMaintenanceArgs>;
  /** Unset on BASIC, where the mode does not apply. */
  readReplicasMode?: "READ_REPLICAS_DISABLED" | "READ_REPLICAS_ENABLED";
  replicaCount?: number;
  redisConfigs: Record<string, string>;
  instanceName?: string;
  authSecretId?: string;
  secretEncryptionKeyName?: pulumi.Input<string>;
  accessors: Record<string, pulumi.Input<string>>;
  deletionProtection: boolean;
  labels: Labels;
}

const DAYS: readonly RedisDayOfWeek[] = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
const PERIODS: readonly RedisSnapshotPeriod[] = ["ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"];
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Applies the component's defaults and refuses contradictory or unsafe arguments. */
export function resolveRedisCacheArgs(name: string, args: RedisCacheArgs): ResolvedRedisCacheArgs {
  const fail: (detail: string) => never = (detail) => {
    throw new ComponentArgsError(REDIS_CACHE_TYPE, name, detail);
  };
  const allowedRegions = args.allowedRegions ?? EU_REGIONS;
  if (!allowedRegions.includes(args.region)) {
    fail(`region: expected one of the allowed regions (${allowedRegions.join(", ")}), got "${args.region}". Pass allowedRegions to widen it for a documented jurisdiction.`);
  }
  const checkZone = (field: string, zone: string | undefined) => {
    if (zone !== undefined && !(zone.startsWith(`${args.region}-`) && /^[a-z]$/.test(zone.slice(args.region.length + 1)))) {
      fail(`${field}: expected a zone of region ${args.region} (e.g. "${args.region}-a"), got "${zone}".`);
    }
  };
  checkZone("locationId", args.locationId);
  checkZone("alternativeLocationId", args.alternativeLocationId);

  const tier = args.tier ?? "STANDARD_HA";
  if (tier !== "BASIC" && tier !== "STANDARD_HA") fail(`tier: expected "BASIC" or "STANDARD_HA", got "${String(tier)}".`);
  if (args.alternativeLocationId !== undefined) {
    if (tier !== "STANDARD_HA") fail(`alternativeLocationId: expected only with tier STANDARD_HA (the replica's zone), got "${args.alternativeLocationId}" with tier ${tier}.`);
    if (args.alternativeLocationId === args.locationId) fail(`alternativeLocationId: expected a zone other than locationId, got "${args.alternativeLocationId}" for both.`);
  }

  const gb = args.memorySizeGb;
  if (!Number.isInteger(gb) || gb < MIN_MEMORY_GB || gb > MAX_MEMORY_GB) fail(`memorySizeGb: expected a whole number of GiB from ${MIN_MEMORY_GB} to ${MAX_MEMORY_GB}, got ${gb}.`);

  const redisVersion = args.redisVersion ?? "REDIS_7_2";
  if (!REDIS_VERSIONS.includes(redisVersion)) fail(`redisVersion: expected one of ${REDIS_VERSIONS.join(", ")}, got "${redisVersion}".`);

  const transit = args.transitEncryptionMode ?? "SERVER_AUTHENTICATION";
  if (transit !== "SERVER_AUTHENTICATION") {
    fail(`transitEncryptionMode: expected "SERVER_AUTHENTICATION", got "${String(transit)}": clients would send the AUTH string and cached personal data in clear (gcp-redis-instance-require-transit-encryption).`);
  }

  const p = args.persistence ?? {};
  const mode = p.mode ?? "RDB";
  if (mode !== "RDB" && mode !== "DISABLED") fail(`persistence.mode: expected "RDB" or "DISABLED", got "${String(mode)}".`);
  if (mode === "DISABLED" && (p.rdbSnapshotPeriod !== undefined || p.rdbSnapshotStartTime !== undefined)) {
    fail(`persistence: expected no rdbSnapshotPeriod/rdbSnapshotStartTime with mode DISABLED, got ${JSON.stringify({ rdbSnapshotPeriod: p.rdbSnapshotPeriod, rdbSnapshotStartTime: p.rdbSnapshotStartTime })}.`);
  }
  if (p.rdbSnapshotPeriod !== undefined && !PERIODS.includes(p.rdbSnapshotPeriod)) fail(`persistence.rdbSnapshotPeriod: expected one of ${PERIODS.join(", ")}, got "${p.rdbSnapshotPeriod}".`);
  if (p.rdbSnapshotStartTime !== undefined && !RFC3339_UTC.test(p.rdbSnapshotStartTime)) {
    fail(`persistence.rdbSnapshotStartTime: expected an RFC 3339 UTC timestamp such as "2026-01-01T02:00:00Z", got "${p.rdbSnapshotStartTime}".`);
  }
  const persistence: ResolvedRedisCacheArgs["persistence"] =
    mode === "RDB" ? { mode, rdbSnapshotPeriod: p.rdbSnapshotPeriod ?? "ONE_HOUR", rdbSnapshotStartTime: p.rdbSnapshotStartTime } : { mode };

  const m = args.maintenance ?? {};
  const maintenance: Required<RedisMaintenanceArgs> = { day: m.day ?? "SUNDAY", hour: m.hour ?? 3 };
  if (!DAYS.includes(maintenance.day)) fail(`maintenance.day: expected one of ${DAYS.join(", ")}, got "${maintenance.day}".`);
  if (!Number.isInteger(maintenance.hour) || maintenance.hour < 0 || maintenance.hour > 23) fail(`maintenance.hour: expected a whole hour from 0 to 23 (UTC), got ${maintenance.hour}.`);

  const readReplicas = args.readReplicas ?? false;
  let replicaCount: number | undefined;
  if (readReplicas) {
    if (tier !== "STANDARD_HA") fail(`readReplicas: expected tier STANDARD_HA (a Basic instance has no replica to read from), got tier ${tier}.`);
    if (gb < MIN_READ_REPLICA_MEMORY_GB) fail(`readReplicas: expected memorySizeGb ≥ ${MIN_READ_REPLICA_MEMORY_GB} (Memorystore serves read replicas only on nodes of at least 5 GB), got ${gb}.`);
    replicaCount = args.replicaCount ?? 2;
    if (!Number.isInteger(replicaCount) || replicaCount < 1 || replicaCount > 5) fail(`replicaCount: expected a whole number from 1 to 5 with readReplicas, got ${replicaCount}.`);
  } else if (args.replicaCount !== undefined) {
    fail(`replicaCount: expected only with readReplicas: true (without them Memorystore fixes it: 1 on STANDARD_HA, 0 on BASIC), got ${args.replicaCount}.`);
  }

  if (args.instanceName !== undefined && !/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(args.instanceName)) {
    fail(`instanceName: expected 1–40 lowercase letters, digits and dashes, starting with a letter, got "${args.instanceName}".`);
  }
  if (args.authSecretId !== undefined && !/^[A-Za-z0-9_-]{1,255}$/.test(args.authSecretId)) {
    fail(`authSecretId: expected 1–255 letters, digits, dashes and underscores, got "${args.authSecretId}".`);
  }

  const accessors: Record<string, pulumi.Input<string>> = {};
  for (const [key, email] of Object.entries(args.accessors ?? {})) {
    if (!/^[a-z][a-z0-9-]{0,29}$/.test(key)) fail(`accessors: expected keys of lowercase letters, digits and dashes (a stable name such as "api"), got "${key}".`);
    if (typeof email === "string" && !/^[^@:\s]+@[^@:\s]+\.iam\.gserviceaccount\.com$/.test(email)) {
      fail(`accessors.${key}: expected a service account email such as "api@p.iam.gserviceaccount.com" (no "serviceAccount:" prefix), got "${email}".`);
    }
    accessors[key] = email;
  }

  return {
    region: args.region,
    project: args.project,
    tier,
    memorySizeGb: gb,
    redisVersion,
    locationId: args.locationId,
    alternativeLocationId: args.alternativeLocationId,
    authorizedNetwork: args.authorizedNetwork,
    privateServicesConnection: args.privateServicesConnection,
    reservedIpRange: args.reservedIpRange,
    transitEncryptionMode: "SERVER_AUTHENTICATION",
    customerManagedKey: args.customerManagedKey,
    persistence,
    maintenance,
    // Stated on STANDARD_HA (the field is create-only; stating it keeps the plan's intent visible);
    // left out on BASIC, where the API has no replicas to speak of.
    readReplicasMode: readReplicas ? "READ_REPLICAS_ENABLED" : tier === "STANDARD_HA" ? "READ_REPLICAS_DISABLED" : undefined,
    replicaCount,
    redisConfigs: { ...DEFAULT_REDIS_CONFIGS, ...(args.redisConfigs ?? {}) },
    instanceName: args.instanceName,
    authSecretId: args.authSecretId,
    secretEncryptionKeyName: args.secretEncryptionKeyName,
    accessors,
    deletionProtection: args.deletionProtection ?? true,
    labels: mergeLabels(args.labels),
  };
}

export class RedisCache extends pulumi.ComponentResource {
  /** Instance id. */
  public readonly instanceName: pulumi.Output<string>;
  /** Private IP of the primary endpoint, in the private services access range. */
  public readonly host: pulumi.Output<string>;
  /** Port of the primary endpoint (6378 with TLS). */
  public readonly port: pulumi.Output<number>;
  /** Read endpoint's IP with `readReplicas` (empty otherwise). */
  public readonly readEndpoint: pulumi.Output<string>;
  /** Secret Manager secret id (`projects/<p>/secrets/<id>`) holding the AUTH string. */
  public readonly authSecretId: pulumi.Output<string>;
  /** Full name of the secret version holding the current AUTH string. */
  public readonly authSecretVersionName: pulumi.Output<string>;
  /** PEM of the server CA that signs the instance's TLS certificate: clients verify the server with it. Not secret. */
  public readonly serverCaCert: pulumi.Output<string>;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super(REDIS_CACHE_TYPE, name, {}, opts);
    const r = resolveRedisCacheArgs(name, args);

    const instance = new gcp.redis.Instance(
      `${name}-instance`,
      {
        name: r.instanceName,
        project: r.project,
        region: r.region,
        locationId: r.locationId,
        alternativeLocationId: r.alternativeLocationId,
        tier: r.tier,
        memorySizeGb: r.memorySizeGb,
        redisVersion: r.redisVersion,
        // Private services access: the instance takes its IPs from the VPC's peered range, the
        // same path Cloud SQL uses, instead of a second, Memorystore-only peering.
        authorizedNetwork: r.authorizedNetwork,
        connectMode: "PRIVATE_SERVICE_ACCESS",
        reservedIpRange: r.reservedIpRange,
        // Not an argument: every client on the VPC could read and write the cache otherwise.
        authEnabled: true,
        transitEncryptionMode: r.transitEncryptionMode,
        customerManagedKey: r.customerManagedKey,
        persistenceConfig: {
          persistenceMode: r.persistence.mode,
          rdbSnapshotPeriod: r.persistence.rdbSnapshotPeriod,
          rdbSnapshotStartTime: r.persistence.rdbSnapshotStartTime,
        },
        maintenancePolicy: {
          weeklyMaintenanceWindows: [{ day: r.maintenance.day, startTime: { hours: r.maintenance.hour, minutes: 0, seconds: 0, nanos: 0 } }],
        },
        readReplicasMode: r.readReplicasMode,
        replicaCount: r.replicaCount,
        redisConfigs: r.redisConfigs,
        labels: r.labels,
        // The provider's own guard, in addition to Pulumi's protect.
        deletionProtection: r.deletionProtection,
      },
      statefulChildOptions(this, r.deletionProtection, { dependsOn: [r.privateServicesConnection] }),
    );

    // The AUTH string is generated by Memorystore; it reaches clients only through Secret Manager.
    const { secret, version } = regionalSecret(
      { secret: `${name}-auth-secret`, version: `${name}-auth-version` },
      {
        project: r.project,
        secretId: r.authSecretId,
        replicas: [{ location: r.region, kmsKeyName: r.secretEncryptionKeyName }],
        labels: r.labels,
        value: instance.authString,
      },
      // Clients find the AUTH string here only: deleting the secret would cut every client off.
      statefulChildOptions(this, r.deletionProtection),
    );

    for (const [key, email] of Object.entries(r.accessors)) {
      new gcp.secretmanager.SecretIamMember(
        `${name}-auth-accessor-${key}`,
        { project: r.project, secretId: secret.id, role: "roles/secretmanager.secretAccessor", member: pulumi.interpolate`serviceAccount:${email}` },
        { parent: this },
      );
    }

    this.instanceName = instance.name;
    this.host = instance.host;
    this.port = instance.port;
    this.readEndpoint = instance.readEndpoint;
    this.authSecretId = secret.id;
    this.authSecretVersionName = version.name;
    this.serverCaCert = instance.serverCaCerts.apply((certs) => certs?.[0]?.cert ?? "");
    this.registerOutputs({
      instanceName: this.instanceName,
      host: this.host,
      port: this.port,
      readEndpoint: this.readEndpoint,
      authSecretId: this.authSecretId,
      authSecretVersionName: this.authSecretVersionName,
      serverCaCert: this.serverCaCert,
    });
  }
}

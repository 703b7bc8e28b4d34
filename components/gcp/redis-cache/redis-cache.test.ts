import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, UNKNOWN } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { analyzeDeployability } from "../../../engine/deployability";
import { runPolicyPack } from "../../../engine/policy/run";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { EncryptionKeys } from "../encryption-keys";
import { DEFAULT_REDIS_CONFIGS, REDIS_CACHE_TYPE, RedisCache, resolveRedisCacheArgs, type RedisCacheArgs } from "./index";

const INSTANCE = "gcp:redis/instance:Instance";
const SECRET = "gcp:secretmanager/secret:Secret";
const VERSION = "gcp:secretmanager/secretVersion:SecretVersion";
const ACCESSOR = "gcp:secretmanager/secretIamMember:SecretIamMember";
const PSA = "gcp:servicenetworking/connection:Connection";
const NETWORK = "projects/p/global/networks/vpc";
const KEY = "projects/p/locations/europe-west6/keyRings/data/cryptoKeys/cache";
const SWISS = { region: "europe-west6", allowedRegions: ["europe-west6"] } as const;

function privateServicesConnection(): pulumi.Resource {
  return new gcp.servicenetworking.Connection("psa", { network: NETWORK, service: "servicenetworking.googleapis.com", reservedPeeringRanges: ["psa-range"] });
}

function baseArgs(psa: pulumi.Resource): RedisCacheArgs {
  return { ...SWISS, memorySizeGb: 1, authorizedNetwork: NETWORK, privateServicesConnection: psa, reservedIpRange: "psa-range" };
}

/** For resolveRedisCacheArgs alone: any object stands in for the connection. */
const plain = (extra: Partial<RedisCacheArgs> = {}): RedisCacheArgs => ({ ...baseArgs({} as pulumi.Resource), ...extra });

function run(extra: Partial<RedisCacheArgs> = {}, region = "europe-west6") {
  return runProgram(() => {
    const provider = new gcp.Provider("gcp", { project: "p", region });
    const cache = new RedisCache("cache", { ...baseArgs(privateServicesConnection()), ...extra }, { providers: [provider] });
    return { host: cache.host, authSecretId: cache.authSecretId, serverCaCert: cache.serverCaCert };
  });
}

function expectArgsError(args: RedisCacheArgs, message: RegExp) {
  let caught: unknown;
  try {
    resolveRedisCacheArgs("cache", args);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ComponentArgsError);
  expect((caught as Error).message).toMatch(new RegExp(`^${REDIS_CACHE_TYPE} "cache": `));
  expect((caught as Error).message).toMatch(message);
}

describe("RedisCache: inventory", () => {
  it("creates the instance, the AUTH secret and its version, all parented to the component", async () => {
    const { plan } = await run();
    expect(plan.counts()).toEqual({
      [INSTANCE]: 1,
      [SECRET]: 1,
      [VERSION]: 1,
      [REDIS_CACHE_TYPE]: 1,
      [PSA]: 1,
      "pulumi:providers:gcp": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one(REDIS_CACHE_TYPE);
    expect(plan.children(component.urn).map((c) => c.name).sort()).toEqual(["cache-auth-secret", "cache-auth-version", "cache-instance"]);
  });

  it("builds a Standard HA, private-services-access, AUTH + TLS, RDB-hourly, protected instance that waits for the peering", async () => {
    const { plan } = await run({ labels: { platform: "cryptocare" }, locationId: "europe-west6-a", alternativeLocationId: "europe-west6-b", customerManagedKey: KEY });
    const instance = plan.one(INSTANCE, "cache-instance");
    expect(instance.dependencies).toContain(plan.one(PSA).urn);
    expect(instance.options.protect).toBe(true);
    expect(instance.inputs).toMatchObject({
      region: "europe-west6",
      locationId: "europe-west6-a",
      alternativeLocationId: "europe-west6-b",
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      redisVersion: "REDIS_7_2",
      authorizedNetwork: NETWORK,
      connectMode: "PRIVATE_SERVICE_ACCESS",
      reservedIpRange: "psa-range",
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      customerManagedKey: KEY,
      readReplicasMode: "READ_REPLICAS_DISABLED",
      deletionProtection: true,
      labels: { platform: "cryptocare" },
      redisConfigs: { "maxmemory-policy": "volatile-lru" },
    });
    expect(instance.inputs.replicaCount).toBeUndefined();
    expect(instance.inputs.persistenceConfig).toEqual({ persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" });
    expect(valueAt(instance.inputs, "maintenancePolicy.weeklyMaintenanceWindows")).toEqual([{ day: "SUNDAY", startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 } }]);
  });

  it("stores the AUTH string in a secret replicated only to the instance's region, wired from the instance", async () => {
    const { plan } = await run();
    const secret = plan.one(SECRET);
    expect(secret.inputs.replication).toEqual({ userManaged: { replicas: [{ location: "europe-west6" }] } });
    expect(secret.options.protect).toBe(true);
    const version = plan.one(VERSION);
    expect(version.dependencies).toContain(secret.urn);
    expect(version.propertyDependencies.secretData).toContain(plan.one(INSTANCE).urn);
    // The AUTH string is Memorystore's: unknown in preview, and blinded if ever known.
    expect([UNKNOWN, BLINDED_SECRET]).toContainEqual(version.inputs.secretData);
  });

  it("encrypts the secret with its own key when given", async () => {
    const { plan } = await run({ secretEncryptionKeyName: "projects/p/locations/europe-west6/keyRings/data/cryptoKeys/secrets" });
    expect(valueAt(plan.one(SECRET).inputs, "replication.userManaged.replicas")).toEqual([
      { location: "europe-west6", customerManagedEncryption: { kmsKeyName: "projects/p/locations/europe-west6/keyRings/data/cryptoKeys/secrets" } },
    ]);
  });

  it("grants secretAccessor on the AUTH secret only to the listed accessors, one stable member per key", async () => {
    const { plan } = await run({ accessors: { api: "api@p.iam.gserviceaccount.com", worker: "worker@p.iam.gserviceaccount.com" } });
    const grants = plan.ofType(ACCESSOR);
    expect(grants.map((g) => g.name).sort()).toEqual(["cache-auth-accessor-api", "cache-auth-accessor-worker"]);
    const secret = plan.one(SECRET);
    for (const g of grants) {
      expect(g.inputs.role).toBe("roles/secretmanager.secretAccessor");
      expect(g.propertyDependencies.secretId).toContain(secret.urn);
    }
    expect(plan.one(ACCESSOR, "cache-auth-accessor-api").inputs.member).toBe("serviceAccount:api@p.iam.gserviceaccount.com");
  });

  it("enables read replicas on STANDARD_HA with Memorystore's default of 2", async () => {
    const { plan } = await run({ memorySizeGb: 5, readReplicas: true });
    expect(plan.one(INSTANCE).inputs).toMatchObject({ readReplicasMode: "READ_REPLICAS_ENABLED", replicaCount: 2 });
  });

  it("turns protection off together for a disposable environment, and takes a BASIC tier without a replica zone", async () => {
    const { plan } = await run({ deletionProtection: false, tier: "BASIC", persistence: { rdbSnapshotPeriod: "SIX_HOURS" } });
    const instance = plan.one(INSTANCE);
    expect(instance.options.protect).toBe(false);
    // Explicitly false: the provider's own default for deletionProtection is true.
    expect(instance.inputs.deletionProtection).toBe(false);
    expect(instance.inputs.tier).toBe("BASIC");
    expect(instance.inputs.readReplicasMode).toBeUndefined();
    expect(instance.inputs.persistenceConfig).toEqual({ persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS" });
    expect(plan.one(SECRET).options.protect).toBe(false);
  });

  it("with EncryptionKeys' cloud-redis agent: the instance waits for the key grant, and the plan deploys in one pass", async () => {
    const { plan } = await runProgram(() => {
      const provider = new gcp.Provider("gcp", { project: "p", region: "europe-west6" });
      const keys = new EncryptionKeys("keys", { location: "europe-west6", project: "p", projectNumber: "123456789012", keys: { cache: { serviceAgents: ["cloud-redis"] } } }, { providers: [provider] });
      new RedisCache("cache", { ...baseArgs(privateServicesConnection()), customerManagedKey: keys.grantedKeyIds.apply((k) => k.cache) }, { providers: [provider] });
    });
    const grant = plan.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "keys-cache-cloud-redis");
    expect(grant.inputs.member).toBe("serviceAccount:service-123456789012@cloud-redis.iam.gserviceaccount.com");
    const instance = plan.one(INSTANCE);
    expect(instance.propertyDependencies.customerManagedKey).toContain(grant.urn);
    const report = analyzeDeployability({ stack: "test", resources: plan.resources, upstream: [] });
    const mine = new Set(plan.resources.filter((r) => r.type !== PSA).map((r) => r.urn));
    expect(report.findings.filter((f) => mine.has(f.urn)).map((f) => `${f.check}: ${f.message}`)).toEqual([]);
  });

  it("passes the pack's Redis, residency and encryption rules where persistence is required; the persistence rule bites without RDB", async () => {
    // diaspomoney-prod: persistence required, snapshots within 24 h, EU locations.
    const judge = async (extra: Partial<RedisCacheArgs>) => {
      const { plan } = await run({ region: "europe-west1", allowedRegions: undefined, ...extra }, "europe-west1");
      const result = await runPolicyPack({ stack: "diaspomoney-prod", resources: [...plan.resources] });
      return result.results.filter((x) => x.urn && plan.resources.some((r) => r.urn === x.urn && r.type !== PSA)).map((x) => `${x.policy}: ${x.message}`);
    };
    expect(await judge({})).toEqual([]);
    expect((await judge({ persistence: { mode: "DISABLED" } })).join("\n")).toMatch(/gcp-redis-instance-require-persistence/);
  });
});

describe("RedisCache: defaults (resolveRedisCacheArgs)", () => {
  const r = resolveRedisCacheArgs("cache", plain());
  it("tier defaults to STANDARD_HA, version to REDIS_7_2", () => {
    expect(r.tier).toBe("STANDARD_HA");
    expect(r.redisVersion).toBe("REDIS_7_2");
  });
  it("transit encryption defaults to SERVER_AUTHENTICATION", () => expect(r.transitEncryptionMode).toBe("SERVER_AUTHENTICATION"));
  it("persistence defaults to RDB every hour", () => expect(r.persistence).toEqual({ mode: "RDB", rdbSnapshotPeriod: "ONE_HOUR", rdbSnapshotStartTime: undefined }));
  it("maintenance defaults to Sunday 03:00 UTC", () => expect(r.maintenance).toEqual({ day: "SUNDAY", hour: 3 }));
  it("read replicas default to off, with no replicaCount", () => {
    expect(r.readReplicasMode).toBe("READ_REPLICAS_DISABLED");
    expect(r.replicaCount).toBeUndefined();
  });
  it("eviction defaults to volatile-lru; extra configs add or override", () => {
    expect(r.redisConfigs).toEqual(DEFAULT_REDIS_CONFIGS);
    expect(resolveRedisCacheArgs("cache", plain({ redisConfigs: { "maxmemory-policy": "allkeys-lru", "notify-keyspace-events": "Ex" } })).redisConfigs).toEqual({
      "maxmemory-policy": "allkeys-lru",
      "notify-keyspace-events": "Ex",
    });
  });
  it("no CMEK, no accessors, deletion protection on, no labels by default", () => {
    expect(r.customerManagedKey).toBeUndefined();
    expect(r.accessors).toEqual({});
    expect(r.deletionProtection).toBe(true);
    expect(r.labels).toEqual({});
  });
  it("allowed regions default to the EU: Zurich needs an explicit allowedRegions", () => {
    expect(resolveRedisCacheArgs("cache", plain({ region: "europe-west1", allowedRegions: undefined })).region).toBe("europe-west1");
    expectArgsError(plain({ allowedRegions: undefined }), /region: expected one of the allowed regions \(europe-central2.*\), got "europe-west6"/);
  });
  it("a replica count within 1–5 is kept with read replicas", () => expect(resolveRedisCacheArgs("cache", plain({ memorySizeGb: 5, readReplicas: true, replicaCount: 5 })).replicaCount).toBe(5));
});

describe("RedisCache: refused arguments", () => {
  it("refuses transit encryption off", () => expectArgsError(plain({ transitEncryptionMode: "DISABLED" }), /transitEncryptionMode: expected "SERVER_AUTHENTICATION", got "DISABLED"/));
  it("refuses a region or zone outside the allowed ones", () => {
    expectArgsError(plain({ region: "europe-west3" }), /region: expected one of the allowed regions \(europe-west6\), got "europe-west3"/);
    expectArgsError(plain({ locationId: "europe-west3-a" }), /locationId: expected a zone of region europe-west6 .*got "europe-west3-a"/);
    expectArgsError(plain({ alternativeLocationId: "europe-west6" }), /alternativeLocationId: expected a zone of region europe-west6.*got "europe-west6"/);
  });
  it("refuses a replica zone on BASIC, or the same zone twice", () => {
    expectArgsError(plain({ tier: "BASIC", alternativeLocationId: "europe-west6-b" }), /alternativeLocationId: expected only with tier STANDARD_HA.*got "europe-west6-b" with tier BASIC/);
    expectArgsError(plain({ locationId: "europe-west6-a", alternativeLocationId: "europe-west6-a" }), /expected a zone other than locationId, got "europe-west6-a"/);
  });
  it("refuses read replicas on BASIC or under 5 GB, and a replica count without them or out of range", () => {
    expectArgsError(plain({ tier: "BASIC", memorySizeGb: 5, readReplicas: true }), /readReplicas: expected tier STANDARD_HA.*got tier BASIC/);
    expectArgsError(plain({ memorySizeGb: 4, readReplicas: true }), /readReplicas: expected memorySizeGb ≥ 5.*got 4/);
    expectArgsError(plain({ replicaCount: 2 }), /replicaCount: expected only with readReplicas: true.*got 2/);
    expectArgsError(plain({ memorySizeGb: 5, readReplicas: true, replicaCount: 6 }), /replicaCount: expected a whole number from 1 to 5.*got 6/);
  });
  it("refuses a size outside 1–300 GiB or not whole", () => {
    expectArgsError(plain({ memorySizeGb: 0 }), /memorySizeGb: expected a whole number of GiB from 1 to 300, got 0/);
    expectArgsError(plain({ memorySizeGb: 1.5 }), /got 1\.5/);
    expectArgsError(plain({ memorySizeGb: 301 }), /got 301/);
  });
  it("refuses an old or unknown Redis version", () => {
    expectArgsError(plain({ redisVersion: "REDIS_5_0" }), /redisVersion: expected one of REDIS_6_X, REDIS_7_0, REDIS_7_2, got "REDIS_5_0"/);
    expectArgsError(plain({ redisVersion: "7.2" }), /got "7\.2"/);
  });
  it("refuses snapshot settings that Memorystore does not take", () => {
    expectArgsError(plain({ persistence: { rdbSnapshotPeriod: "TWO_HOURS" as never } }), /persistence\.rdbSnapshotPeriod: expected one of ONE_HOUR, .*got "TWO_HOURS"/);
    expectArgsError(plain({ persistence: { rdbSnapshotStartTime: "02:00" } }), /rdbSnapshotStartTime: expected an RFC 3339 UTC timestamp.*got "02:00"/);
    expectArgsError(plain({ persistence: { mode: "DISABLED", rdbSnapshotPeriod: "ONE_HOUR" } }), /persistence: expected no rdbSnapshotPeriod\/rdbSnapshotStartTime with mode DISABLED/);
  });
  it("refuses a maintenance window outside the week or the day", () => {
    expectArgsError(plain({ maintenance: { day: "SUN" as never } }), /maintenance\.day: expected one of MONDAY.*got "SUN"/);
    expectArgsError(plain({ maintenance: { hour: 24 } }), /maintenance\.hour: expected a whole hour from 0 to 23 \(UTC\), got 24/);
  });
  it("refuses a malformed instance name, secret id, accessor key or accessor email", () => {
    expectArgsError(plain({ instanceName: "Cache_1" }), /instanceName: expected 1–40 lowercase letters.*got "Cache_1"/);
    expectArgsError(plain({ authSecretId: "auth/string" }), /authSecretId: expected 1–255 letters.*got "auth\/string"/);
    expectArgsError(plain({ accessors: { API: "api@p.iam.gserviceaccount.com" } }), /accessors: expected keys of lowercase letters.*got "API"/);
    expectArgsError(plain({ accessors: { api: "serviceAccount:api@p.iam.gserviceaccount.com" } }), /accessors\.api: expected a service account email.*got "serviceAccount:api@p/);
  });
});

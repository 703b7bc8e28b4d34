import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import pulumiLog = require("@pulumi/pulumi/log");
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, EvaluationError, UNKNOWN, blindSecrets } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { DEFAULT_DATABASE_FLAGS, POSTGRES_TYPE, Postgres, resolvePostgresArgs, type PostgresArgs } from "./index";

const KEY = "projects/p/locations/europe-west1/keyRings/data/cryptoKeys/cloudsql";
const INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";
const SECRET = "gcp:secretmanager/secret:Secret";
const VERSION = "gcp:secretmanager/secretVersion:SecretVersion";
const USER = "gcp:sql/user:User";

const PSA = "gcp:servicenetworking/connection:Connection";

/** The VPC peering the instance must wait for. */
function privateServicesConnection(): pulumi.Resource {
  return new gcp.servicenetworking.Connection("psa", {
    network: "projects/p/global/networks/vpc",
    service: "servicenetworking.googleapis.com",
    reservedPeeringRanges: ["psa-range"],
  });
}

function baseArgs(psa: pulumi.Resource): PostgresArgs {
  return {
    region: "europe-west1",
    privateNetwork: "projects/p/global/networks/vpc",
    privateServicesConnection: psa,
    tier: "db-custom-2-7680",
    diskSizeGb: 50,
    encryptionKeyName: KEY,
  };
}

/** For resolvePostgresArgs alone: any object stands in for the connection. */
const plain = (extra: Partial<PostgresArgs> = {}): PostgresArgs => ({ ...baseArgs({} as pulumi.Resource), ...extra });

function run(extra: Partial<PostgresArgs> = {}, name = "orders") {
  return runProgram(() => {
    const provider = new gcp.Provider("gcp", { project: "p", region: "europe-west1" });
    const db = new Postgres(name, { ...baseArgs(privateServicesConnection()), ...extra }, { providers: [provider] });
    return { connectionName: db.connectionName, passwordSecretId: db.passwordSecretId };
  });
}

function expectArgsError(args: PostgresArgs, message: RegExp) {
  let caught: unknown;
  try {
    resolvePostgresArgs("orders", args);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ComponentArgsError);
  expect((caught as Error).message).toMatch(new RegExp(`^${POSTGRES_TYPE} "orders": `));
  expect((caught as Error).message).toMatch(message);
}

describe("Postgres: inventory", () => {
  it("creates the instance, database, user, password and secret, all parented to the component", async () => {
    const { plan } = await run();
    expect(plan.counts()).toEqual({
      [INSTANCE]: 1,
      [SECRET]: 1,
      [VERSION]: 1,
      "gcp:sql/database:Database": 1,
      [USER]: 1,
      "platform:gcp:Postgres": 1,
      "pulumi:providers:gcp": 1,
      "pulumi:pulumi:Stack": 1,
      "random:index/randomPassword:RandomPassword": 1,
      [PSA]: 1,
    });
    const component = plan.one(POSTGRES_TYPE);
    expect(plan.children(component.urn).map((c) => c.name).sort()).toEqual([
      "orders-database",
      "orders-db-password",
      "orders-db-password-secret",
      "orders-db-password-version",
      "orders-instance",
      "orders-user",
    ]);
  });

  it("builds a private, TLS-only, CMEK-encrypted, protected, regional instance that waits for the VPC peering", async () => {
    const { plan } = await run({ labels: { platform: "quickfund" } });
    const instance = plan.one(INSTANCE, "orders-instance");
    expect(instance.dependencies).toContain(plan.one(PSA).urn);
    expect(instance.options.protect).toBe(true);
    expect(instance.options.ignoreChanges).toEqual(["settings.diskSize"]);
    expect(instance.inputs).toMatchObject({
      region: "europe-west1",
      databaseVersion: "POSTGRES_16",
      encryptionKeyName: KEY,
      deletionProtection: true,
    });
    const s = (path: string) => valueAt(instance.inputs, `settings.${path}`);
    // Explicitly false: an unset ipv4Enabled gives the instance a public IP.
    expect(s("ipConfiguration.ipv4Enabled")).toBe(false);
    expect(s("ipConfiguration.privateNetwork")).toBe("projects/p/global/networks/vpc");
    expect(s("ipConfiguration.enablePrivatePathForGoogleCloudServices")).toBe(false);
    expect(s("ipConfiguration.sslMode")).toBe("ENCRYPTED_ONLY");
    expect(s("ipConfiguration.authorizedNetworks")).toBeUndefined();
    expect(s("edition")).toBe("ENTERPRISE");
    expect(s("tier")).toBe("db-custom-2-7680");
    expect(s("availabilityType")).toBe("REGIONAL");
    expect(s("deletionProtectionEnabled")).toBe(true);
    expect(s("retainBackupsOnDelete")).toBe(true);
    expect(s("diskSize")).toBe(50);
    expect(s("diskAutoresize")).toBe(true);
    expect(s("diskAutoresizeLimit")).toBe(250);
    expect(s("backupConfiguration")).toEqual({
      enabled: true,
      startTime: "01:00",
      location: "europe-west1",
      pointInTimeRecoveryEnabled: true,
      transactionLogRetentionDays: 7,
      backupRetentionSettings: { retainedBackups: 7, retentionUnit: "COUNT" },
    });
    expect(s("maintenanceWindow")).toEqual({ day: 7, hour: 3, updateTrack: "stable" });
    expect(s("insightsConfig")).toEqual({ queryInsightsEnabled: true, recordApplicationTags: true, recordClientAddress: false });
    expect(s("userLabels")).toEqual({ platform: "quickfund" });
    const flags = Object.fromEntries((s("databaseFlags") as { name: string; value: string }[]).map((f) => [f.name, f.value]));
    expect(flags).toEqual(DEFAULT_DATABASE_FLAGS);
    expect(flags).toMatchObject({ log_connections: "on", log_disconnections: "on", log_min_duration_statement: "-1", "cloudsql.enable_pgaudit": "on" });

    const database = plan.one("gcp:sql/database:Database");
    expect(database.options.protect).toBe(true);
    expect(database.dependencies).toContain(instance.urn);
    expect(database.inputs).toMatchObject({ name: "app", charset: "UTF8", deletionPolicy: "ABANDON" });
    const user = plan.one(USER);
    expect(user.inputs).toMatchObject({ name: "app", deletionPolicy: "ABANDON" });
    // Left to the provider default (built-in user); `type` forces a replacement when it changes.
    expect(user.inputs.type).toBeUndefined();
    expect(user.dependencies).toContain(instance.urn);
  });

  it("stores the password in a secret replicated only to the allowed region", async () => {
    const { plan } = await run();
    const secret = plan.one(SECRET);
    expect(secret.inputs.replication).toEqual({ userManaged: { replicas: [{ location: "europe-west1" }] } });
    const version = plan.one(VERSION);
    expect(version.dependencies).toContain(secret.urn);
    expect(version.dependencies).toContain(plan.one("random:index/randomPassword:RandomPassword").urn);
    expect(plan.one(USER).dependencies).toContain(plan.one("random:index/randomPassword:RandomPassword").urn);
    expect(plan.one("random:index/randomPassword:RandomPassword").inputs).toMatchObject({ length: 32, special: true, overrideSpecial: "-_.~" });
  });

  it("encrypts secret replicas with their own keys when given", async () => {
    const { plan } = await run({
      secretReplicaLocations: ["europe-west1", "europe-west4"],
      secretEncryptionKeyNames: { "europe-west4": "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/secrets" },
    });
    expect(valueAt(plan.one(SECRET).inputs, "replication.userManaged.replicas")).toEqual([
      { location: "europe-west1" },
      { location: "europe-west4", customerManagedEncryption: { kmsKeyName: "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/secrets" } },
    ]);
  });

  it("creates read replicas from the primary: same CMEK, private IP and TLS, no backups", async () => {
    const { plan } = await run({
      readReplicas: [
        { role: "analytics" },
        { role: "dr", region: "europe-west4", availabilityType: "REGIONAL", encryptionKeyName: "projects/p/locations/europe-west4/keyRings/d/cryptoKeys/cloudsql" },
      ],
    });
    expect(plan.ofType(INSTANCE)).toHaveLength(3);
    const primary = plan.one(INSTANCE, "orders-instance");
    const analytics = plan.one(INSTANCE, "orders-replica-analytics");
    const dr = plan.one(INSTANCE, "orders-replica-dr");
    for (const rep of [analytics, dr]) {
      expect(rep.parent).toBe(plan.one(POSTGRES_TYPE).urn);
      // masterInstanceName is the primary's (provider-computed) name: unknown in preview, but wired.
      expect(rep.inputs.masterInstanceName).toBe(UNKNOWN);
      expect(rep.propertyDependencies.masterInstanceName).toContain(primary.urn);
      expect(rep.dependencies).toContain(plan.one(PSA).urn);
      expect(rep.options.protect).toBe(true);
      expect(rep.inputs).toMatchObject({ databaseVersion: "POSTGRES_16", deletionProtection: true });
      expect(valueAt(rep.inputs, "settings.backupConfiguration")).toEqual({ enabled: false });
      expect(valueAt(rep.inputs, "settings.ipConfiguration")).toEqual(valueAt(primary.inputs, "settings.ipConfiguration"));
      expect(valueAt(rep.inputs, "settings.databaseFlags")).toEqual(valueAt(primary.inputs, "settings.databaseFlags"));
      expect(valueAt(rep.inputs, "settings.maintenanceWindow")).toBeUndefined();
    }
    expect(analytics.inputs).toMatchObject({ region: "europe-west1", encryptionKeyName: KEY });
    expect(valueAt(analytics.inputs, "settings.availabilityType")).toBe("ZONAL");
    expect(valueAt(analytics.inputs, "settings.tier")).toBe("db-custom-2-7680");
    expect(dr.inputs).toMatchObject({ region: "europe-west4", encryptionKeyName: "projects/p/locations/europe-west4/keyRings/d/cryptoKeys/cloudsql" });
    expect(valueAt(dr.inputs, "settings.availabilityType")).toBe("REGIONAL");
  });

  it("turns every protection off together for a disposable environment", async () => {
    const { plan } = await run({ deletionProtection: false, availabilityType: "ZONAL" });
    const instance = plan.one(INSTANCE);
    expect(instance.options.protect).toBe(false);
    // Explicitly false: the provider's own default for deletionProtection is true.
    expect(instance.inputs.deletionProtection).toBe(false);
    expect(valueAt(instance.inputs, "settings.deletionProtectionEnabled")).toBe(false);
    expect(valueAt(instance.inputs, "settings.availabilityType")).toBe("ZONAL");
    expect(plan.one("gcp:sql/database:Database").options.protect).toBe(false);
  });

  it("omits the CMEK key only on explicit opt-out", async () => {
    const { plan } = await run({ encryptionKeyName: undefined, allowGoogleManagedEncryption: true });
    expect(plan.one(INSTANCE).inputs.encryptionKeyName).toBeUndefined();
  });
});

describe("Postgres: defaults (resolvePostgresArgs)", () => {
  const r = resolvePostgresArgs("orders", plain());
  it("databaseVersion defaults to POSTGRES_16", () => expect(r.databaseVersion).toBe("POSTGRES_16"));
  it("accepts newer majors", () => expect(resolvePostgresArgs("orders", plain({ databaseVersion: "POSTGRES_17" })).databaseVersion).toBe("POSTGRES_17"));
  it("edition defaults to ENTERPRISE", () => expect(r.edition).toBe("ENTERPRISE"));
  it("availabilityType defaults to REGIONAL", () => expect(r.availabilityType).toBe("REGIONAL"));
  it("sslMode defaults to ENCRYPTED_ONLY; client certificates are allowed", () => {
    expect(r.sslMode).toBe("ENCRYPTED_ONLY");
    expect(resolvePostgresArgs("orders", plain({ sslMode: "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" })).sslMode).toBe("TRUSTED_CLIENT_CERTIFICATE_REQUIRED");
  });
  it("private path for Google services defaults to off", () => expect(r.privatePathForGoogleCloudServices).toBe(false));
  it("backups default to daily from 01:00 UTC, 7 kept, PITR with 7 days of logs, stored in the region (Standard GCP)", () =>
    expect(r.backup).toEqual({ enabled: true, startTime: "01:00", retainedBackups: 7, pointInTimeRecovery: true, transactionLogRetentionDays: 7, location: "europe-west1" }));
  it("ENTERPRISE_PLUS allows up to 35 days of logs", () =>
    expect(
      resolvePostgresArgs("orders", plain({ edition: "ENTERPRISE_PLUS", tier: "db-perf-optimized-N-2", backup: { retainedBackups: 35, transactionLogRetentionDays: 35 } })).backup
        .transactionLogRetentionDays,
    ).toBe(35));
  it("backups are kept after deletion by default", () => expect(r.retainBackupsOnDelete).toBe(true));
  it("maintenance defaults to Sunday 03:00 UTC on the stable track", () => expect(r.maintenance).toEqual({ day: 7, hour: 3, updateTrack: "stable" }));
  it("disk defaults to PD_SSD with an autoresize limit of 5 × diskSizeGb", () => {
    expect(r.diskType).toBe("PD_SSD");
    expect(r.diskAutoresizeLimitGb).toBe(250);
    expect(resolvePostgresArgs("orders", plain({ diskAutoresizeLimitGb: 100 })).diskAutoresizeLimitGb).toBe(100);
  });
  it("query insights default to on", () => expect(r.queryInsights).toBe(true));
  it("database flags default to the CIS logging set; extra flags override or add", () => {
    expect(r.databaseFlags).toContainEqual({ name: "log_min_duration_statement", value: "-1" });
    const custom = resolvePostgresArgs("orders", plain({ databaseFlags: { log_lock_waits: "off", "cloudsql.enable_pgaudit": "on" } }));
    expect(custom.databaseFlags).toContainEqual({ name: "log_lock_waits", value: "off" });
    expect(custom.databaseFlags).toContainEqual({ name: "cloudsql.enable_pgaudit", value: "on" });
    expect(custom.databaseFlags.filter((f) => f.name === "log_lock_waits")).toHaveLength(1);
  });
  it("database and user default to app; the password to 32 characters", () => {
    expect(r.databaseName).toBe("app");
    expect(r.userName).toBe("app");
    expect(r.passwordLength).toBe(32);
  });
  it("the secret is replicated to the instance's region only", () => expect(r.secretReplicas).toEqual([{ location: "europe-west1", kmsKeyName: undefined }]));
  it("deletion protection defaults to on; labels to none; no replicas", () => {
    expect(r.deletionProtection).toBe(true);
    expect(r.labels).toEqual({});
    expect(r.readReplicas).toEqual([]);
  });
  it("replicas default to the primary's region, tier and key, ZONAL", () =>
    expect(resolvePostgresArgs("orders", plain({ readReplicas: [{ role: "dashboards" }] })).readReplicas).toEqual([
      { role: "dashboards", childName: "orders-replica-dashboards", region: "europe-west1", tier: "db-custom-2-7680", availabilityType: "ZONAL", encryptionKeyName: KEY, zone: undefined },
    ]));
  it("a non-EU region is accepted when allowedRegions names it (Swiss hosting)", () => {
    const swiss = resolvePostgresArgs("orders", plain({ region: "europe-west6", allowedRegions: ["europe-west6"] }));
    expect(swiss.backup.location).toBe("europe-west6");
    expect(swiss.secretReplicas).toEqual([{ location: "europe-west6", kmsKeyName: undefined }]);
  });
});

describe("Postgres: loud errors", () => {
  it("refuses PostgreSQL older than 16", () => expectArgsError(plain({ databaseVersion: "POSTGRES_15" }), /POSTGRES_15 is older than POSTGRES_16/));
  it("refuses a non-PostgreSQL version", () => expectArgsError(plain({ databaseVersion: "MYSQL_8_0" }), /not a PostgreSQL version/));
  it("refuses unencrypted connections", () => expectArgsError(plain({ sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" }), /clear-text/));
  it("refuses a missing CMEK key without the explicit opt-out", () => expectArgsError(plain({ encryptionKeyName: undefined }), /encryptionKeyName .* is required/));
  it("refuses a CMEK key together with the opt-out", () => expectArgsError(plain({ allowGoogleManagedEncryption: true }), /contradict/));
  it("refuses a region outside the EU", () => {
    expectArgsError(plain({ region: "us-central1" }), /region "us-central1" is outside the allowed regions/);
    expectArgsError(plain({ region: "europe-west6" }), /allowedRegions/);
  });
  it("refuses a backup location, replica region or secret location outside the allowed regions", () => {
    expectArgsError(plain({ backup: { location: "us" } }), /backup.location "us"/);
    expectArgsError(plain({ readReplicas: [{ role: "dr", region: "europe-west2", encryptionKeyName: "k" }] }), /readReplicas\[dr\].region "europe-west2"/);
    expectArgsError(plain({ secretReplicaLocations: ["us-east1"] }), /secretReplicaLocations "us-east1"/);
  });
  it("refuses REGIONAL without backups or point-in-time recovery", () => {
    expectArgsError(plain({ backup: { pointInTimeRecovery: false } }), /REGIONAL needs backup.enabled and backup.pointInTimeRecovery/);
    expectArgsError(plain({ backup: { enabled: false, pointInTimeRecovery: false } }), /REGIONAL needs/);
  });
  it("refuses read replicas without backups on the primary", () =>
    expectArgsError(plain({ availabilityType: "ZONAL", backup: { enabled: false, pointInTimeRecovery: false }, readReplicas: [{ role: "analytics" }] }), /readReplicas need backup.enabled/));
  it("refuses point-in-time recovery without backups", () =>
    expectArgsError(plain({ availabilityType: "ZONAL", backup: { enabled: false } }), /pointInTimeRecovery needs backup.enabled/));
  it("refuses a tier that does not match the edition", () => {
    expectArgsError(plain({ edition: "ENTERPRISE_PLUS" }), /not available in ENTERPRISE_PLUS/);
    expectArgsError(plain({ tier: "db-perf-optimized-N-4" }), /needs edition ENTERPRISE_PLUS/);
  });
  it("refuses backup counts and log retention out of range", () => {
    expectArgsError(plain({ backup: { retainedBackups: 0 } }), /retainedBackups must be .* between 1 and 365/);
    expectArgsError(plain({ backup: { retainedBackups: 366 } }), /retainedBackups/);
    expectArgsError(plain({ backup: { retainedBackups: 30, transactionLogRetentionDays: 8 } }), /between 1 and 7 for ENTERPRISE, got 8/);
    expectArgsError(plain({ backup: { retainedBackups: 3, transactionLogRetentionDays: 5 } }), /exceeds backup.retainedBackups/);
    expectArgsError(plain({ backup: { startTime: "25:00" } }), /HH:MM/);
  });
  it("refuses a cross-region replica without its own key", () =>
    expectArgsError(plain({ readReplicas: [{ role: "dr", region: "europe-west4" }] }), /cross-region replica needs its own encryptionKeyName in europe-west4/));
  it("refuses duplicate or malformed replica roles", () => {
    expectArgsError(plain({ readReplicas: [{ role: "a" }, { role: "a" }] }), /used twice/);
    expectArgsError(plain({ readReplicas: [{ role: "Read_1" }] }), /lowercase/);
  });
  it("refuses a disk autoresize limit below the disk size, and tiny disks", () => {
    expectArgsError(plain({ diskAutoresizeLimitGb: 20 }), /diskAutoresizeLimitGb \(20\) must be/);
    expectArgsError(plain({ diskSizeGb: 5 }), /diskSizeGb must be/);
  });
  it("refuses a short password and an encryption key for a secret location it does not have", () => {
    expectArgsError(plain({ passwordLength: 12 }), /passwordLength/);
    expectArgsError(plain({ secretEncryptionKeyNames: { "europe-west4": "k" } }), /not in secretReplicaLocations/);
  });
  it("surfaces the error from the constructor as a failed evaluation", async () => {
    const failed = run({ databaseVersion: "POSTGRES_14" });
    await expect(failed).rejects.toBeInstanceOf(EvaluationError);
    await expect(failed).rejects.toThrow(/platform:gcp:Postgres "orders": databaseVersion POSTGRES_14/);
  });
});

describe("Postgres: the password never appears in clear", () => {
  it("is never known in a preview's plan or outputs", async () => {
    const { plan, evaluation } = await run();
    for (const res of [plan.one(VERSION).inputs.secretData, plan.one(USER).inputs.password]) {
      expect([UNKNOWN, BLINDED_SECRET]).toContainEqual(res);
    }
    // Only the secret's id reaches the outputs, never a password-bearing value.
    expect(Object.keys(evaluation.outputs)).toEqual(["connectionName", "passwordSecretId"]);
  });

  /**
   * A preview leaves the generated password unknown, so it cannot show a leak. This run uses mocks
   * that give the RandomPassword a known value, as an update would, and inspects every registration
   * the resource monitor receives, the component's registered outputs and every log line.
   */
  it("with a known password: travels only inside secret envelopes, never in outputs or logs", async () => {
    const PASSWORD = "Known-Plaintext-Password-4f1c9e";
    const registrations: { type: string; name: string; inputs: unknown }[] = [];
    const componentOutputs: unknown[] = [];
    const logs: string[] = [];

    await pulumi.runtime.setMocks(
      {
        newResource: (a) => ({
          id: `${a.name}-id`,
          state: a.type === "random:index/randomPassword:RandomPassword" ? { ...a.inputs, result: PASSWORD } : a.inputs,
        }),
        call: () => {
          throw new Error("no invokes expected");
        },
      },
      "platform-infra",
      "password-test",
      false,
    );
    type Req = { getType(): string; getName(): string; getObject(): { toJavaScript(): unknown } | undefined };
    type OutReq = { getOutputs(): { toJavaScript(): unknown } | undefined };
    const monitor = (pulumi.runtime as unknown as { getMonitor(): Record<string, (req: never, cb: unknown) => void> }).getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: Req, cb: unknown) => {
      registrations.push({ type: req.getType(), name: req.getName(), inputs: req.getObject()?.toJavaScript() });
      register(req as never, cb);
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: OutReq, cb: unknown) => {
      componentOutputs.push(req.getOutputs()?.toJavaScript());
      registerOutputs(req as never, cb);
    };
    const logModule = pulumiLog as unknown as Record<string, (msg: string) => Promise<void>>;
    // The levels a user sees (the engine captures the same). The SDK's own debug tracing prints raw RPC payloads, secrets included, and only with --debug.
    const saved = { info: logModule.info, warn: logModule.warn, error: logModule.error };
    for (const level of Object.keys(saved)) logModule[level] = async (msg: string) => void logs.push(String(msg));

    let publicOutputs: unknown[] = [];
    try {
      await pulumi.runtime.runInPulumiStack(async () => {
        const db = new Postgres("orders", { ...baseArgs(privateServicesConnection()), readReplicas: [{ role: "analytics" }] });
        const fields: pulumi.Output<unknown>[] = [db.instanceName, db.connectionName, db.privateIpAddress, db.databaseName, db.userName, db.passwordSecretId, db.passwordSecretName, db.passwordSecretVersionName, db.replicaConnectionNames, db.replicaPrivateIpAddresses];
        publicOutputs = await Promise.all(fields.map((o) => new Promise((resolve) => o.apply((v) => resolve(v)))));
        return {};
      });
      await pulumi.runtime.disconnect();
    } finally {
      Object.assign(logModule, saved);
    }

    // The value did flow (so the checks below are not vacuous)...
    const raw = JSON.stringify(registrations);
    expect(raw).toContain(PASSWORD);
    const carriers = registrations.filter((r) => JSON.stringify(r.inputs).includes(PASSWORD)).map((r) => r.type).sort();
    expect(carriers).toEqual([VERSION, USER].sort());
    // ...but only ever inside a secret envelope, which the plan blinds.
    expect(JSON.stringify(blindSecrets(registrations.map((r) => r.inputs)))).not.toContain(PASSWORD);
    expect(valueAt(blindSecrets(registrations.find((r) => r.type === VERSION)!.inputs), "secretData")).toEqual(BLINDED_SECRET);
    expect(valueAt(blindSecrets(registrations.find((r) => r.type === USER)!.inputs), "password")).toEqual(BLINDED_SECRET);
    expect(componentOutputs.length).toBeGreaterThan(0);
    expect(JSON.stringify(componentOutputs)).not.toContain(PASSWORD);
    expect(JSON.stringify(publicOutputs)).not.toContain(PASSWORD);
    expect(logs.join("\n")).not.toContain(PASSWORD);
  });
});

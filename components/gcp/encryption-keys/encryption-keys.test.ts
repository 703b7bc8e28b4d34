import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { ENCRYPTER_DECRYPTER_ROLE, ENCRYPTION_KEYS_TYPE, EncryptionKeys, resolveEncryptionKeysArgs, type EncryptionKeysArgs } from "./index";

const KEY_RING = "gcp:kms/keyRing:KeyRing";
const KEY = "gcp:kms/cryptoKey:CryptoKey";
const MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember";
const IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity";

const APP_SA = "serviceAccount:api@qf-prod.iam.gserviceaccount.com";

const base: EncryptionKeysArgs = { location: "europe-west1", keys: { database: {} } };

const full: EncryptionKeysArgs = {
  location: "europe-west1",
  project: "qf-prod",
  projectNumber: "123456789012",
  labels: { platform: "quickfund" },
  keys: {
    database: { serviceAgents: ["cloud-sql"] },
    storage: { serviceAgents: ["cloud-storage"] },
    secrets: { serviceAgents: ["secret-manager"], iam: { [ENCRYPTER_DECRYPTER_ROLE]: [APP_SA] } },
  },
};

function expectArgsError(args: EncryptionKeysArgs, pattern: RegExp): void {
  let caught: unknown;
  try {
    resolveEncryptionKeysArgs("keys", args);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ComponentArgsError);
  expect((caught as Error).message).toMatch(/^platform:gcp:EncryptionKeys "keys": /);
  expect((caught as Error).message).toMatch(pattern);
}

describe("EncryptionKeys", () => {
  it("produces the expected inventory, all parented to the component", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", full);
    });
    expect(plan.counts()).toEqual({
      [KEY]: 3,
      [MEMBER]: 4,
      [KEY_RING]: 1,
      [IDENTITY]: 3,
      [ENCRYPTION_KEYS_TYPE]: 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one(ENCRYPTION_KEYS_TYPE, "qf");
    expect(plan.children(component.urn).map((r) => r.name).sort()).toEqual(
      [
        "qf-keyring",
        "qf-database",
        "qf-storage",
        "qf-secrets",
        "qf-cloud-sql-agent",
        "qf-cloud-storage-agent",
        "qf-secret-manager-agent",
        "qf-database-cloud-sql",
        "qf-storage-cloud-storage",
        "qf-secrets-secret-manager",
        "qf-secrets-cryptokeyencrypterdecrypter-serviceaccount-api-qf-prod-iam-gserviceaccount-com",
      ].sort(),
    );
  });

  it("puts the key ring in the given location and every key in the ring", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", full);
    });
    const ring = plan.one(KEY_RING);
    expect(ring.inputs).toMatchObject({ location: "europe-west1", project: "qf-prod" });
    for (const key of plan.ofType(KEY)) expect(key.dependencies).toContain(ring.urn);
  });

  it("creates symmetric ENCRYPT_DECRYPT keys rotated every 90 days in software by default, labelled by purpose", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", full);
    });
    for (const purpose of ["database", "storage", "secrets"]) {
      expect(plan.one(KEY, `qf-${purpose}`).inputs).toMatchObject({
        purpose: "ENCRYPT_DECRYPT",
        rotationPeriod: "7776000s",
        versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" },
        labels: { platform: "quickfund", purpose },
      });
    }
  });

  it("protects the key ring and the keys by default, with the provider's guard too", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", base);
    });
    expect(plan.one(KEY_RING).options.protect).toBe(true);
    expect(plan.one(KEY).options.protect).toBe(true);
    expect(plan.one(KEY).inputs.deletionPolicy).toBe("PREVENT");
  });

  it("without deletion protection, leaves keys deletable", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", { ...base, deletionProtection: false });
    });
    expect(plan.one(KEY_RING).options.protect).toBe(false);
    expect(plan.one(KEY).options.protect).toBe(false);
    expect(plan.one(KEY).inputs.deletionPolicy).toBe("DELETE");
  });

  it("grants the Cloud SQL agent through a ServiceIdentity (no invoke), on the database key only", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", full);
    });
    const identity = plan.one(IDENTITY, "qf-cloud-sql-agent");
    expect(identity.inputs).toMatchObject({ service: "sqladmin.googleapis.com", project: "qf-prod" });
    const grant = plan.one(MEMBER, "qf-database-cloud-sql");
    expect(grant.inputs).toMatchObject({ role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: UNKNOWN });
    expect(grant.dependencies).toContain(identity.urn);
    expect(grant.dependencies).toContain(plan.one(KEY, "qf-database").urn);
    expect(plan.one(IDENTITY, "qf-secret-manager-agent").inputs.service).toBe("secretmanager.googleapis.com");
  });

  it("creates the Cloud Storage agent before granting it, its address derived from the project number", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", full);
    });
    const grant = plan.one(MEMBER, "qf-storage-cloud-storage");
    expect(grant.inputs).toMatchObject({
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
    });
    // The agent does not exist until something activates it: the grant waits for the ServiceIdentity.
    const identity = plan.one(IDENTITY, "qf-cloud-storage-agent");
    expect(identity.inputs.service).toBe("storage.googleapis.com");
    expect(grant.dependencies).toContain(identity.urn);
  });

  it("grants the Memorystore and Pub/Sub agents at their derived addresses, each after its ServiceIdentity", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("cc", {
        location: "europe-west6",
        project: "cc-prod",
        projectNumber: "123456789012",
        keys: { cache: { serviceAgents: ["cloud-redis"] }, queues: { serviceAgents: ["pubsub"] } },
      });
    });
    const cases = [
      ["cache", "cloud-redis", "redis.googleapis.com", "cloud-redis"],
      ["queues", "pubsub", "pubsub.googleapis.com", "gcp-sa-pubsub"],
    ] as const;
    for (const [purpose, agent, api, domain] of cases) {
      const identity = plan.one(IDENTITY, `cc-${agent}-agent`);
      expect(identity.inputs).toMatchObject({ service: api, project: "cc-prod" });
      const grant = plan.one(MEMBER, `cc-${purpose}-${agent}`);
      expect(grant.inputs).toMatchObject({ role: ENCRYPTER_DECRYPTER_ROLE, member: `serviceAccount:service-123456789012@${domain}.iam.gserviceaccount.com` });
      expect(grant.dependencies).toContain(identity.urn);
      expect(grant.dependencies).toContain(plan.one(KEY, `cc-${purpose}`).urn);
    }
    expect(plan.ofType(MEMBER)).toHaveLength(2);
  });

  it("grants extra members their role on their key", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", full);
    });
    const extra = plan.ofType(MEMBER).filter((m) => m.inputs.member === APP_SA);
    expect(extra).toHaveLength(1);
    expect(extra[0].inputs.role).toBe(ENCRYPTER_DECRYPTER_ROLE);
    expect(extra[0].dependencies).toContain(plan.one(KEY, "qf-secrets").urn);
  });

  it("creates no service identity when no key needs one", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", base);
    });
    expect(plan.ofType(IDENTITY)).toHaveLength(0);
    expect(plan.ofType(MEMBER)).toHaveLength(0);
  });

  it("honours per-key rotation and HSM protection", async () => {
    const { plan } = await runProgram(() => {
      new EncryptionKeys("qf", { ...base, rotationDays: 60, keys: { database: { protectionLevel: "HSM" }, storage: { rotationDays: 30 } } });
    });
    expect(plan.one(KEY, "qf-database").inputs).toMatchObject({ rotationPeriod: "5184000s", versionTemplate: { protectionLevel: "HSM" } });
    expect(plan.one(KEY, "qf-storage").inputs).toMatchObject({ rotationPeriod: "2592000s", versionTemplate: { protectionLevel: "SOFTWARE" } });
  });

  it("grantedKeyIds carries the grants as dependencies of whatever uses the key", async () => {
    const { plan } = await runProgram(() => {
      const keys = new EncryptionKeys("qf", full);
      new gcp.storage.Bucket("docs", { location: "EUROPE-WEST1", encryption: { defaultKmsKeyName: keys.grantedKeyIds.apply((k) => k.storage) } });
      return { ids: keys.keyIds };
    });
    const bucket = plan.one("gcp:storage/bucket:Bucket");
    expect(bucket.dependencies).toContain(plan.one(MEMBER, "qf-storage-cloud-storage").urn);
    expect(bucket.dependencies).toContain(plan.one(KEY, "qf-storage").urn);
  });

  it("exposes the grants by purpose for dependsOn", async () => {
    let grants: Record<string, unknown[]> = {};
    await runProgram(() => {
      grants = new EncryptionKeys("qf", full).grants;
    });
    expect(Object.fromEntries(Object.entries(grants).map(([k, v]) => [k, v.length]))).toEqual({ database: 1, storage: 1, secrets: 2 });
  });

  describe("resolveEncryptionKeysArgs defaults", () => {
    const r = resolveEncryptionKeysArgs("keys", base);
    it("deletion protection on", () => expect(r.deletionProtection).toBe(true));
    it("rotation every 90 days", () => expect(r.keys.database).toMatchObject({ rotationDays: 90, rotationPeriod: "7776000s" }));
    it("software protection", () => expect(r.keys.database.protectionLevel).toBe("SOFTWARE"));
    it("no service agent and no extra grant", () => {
      expect(r.keys.database.serviceAgents).toEqual([]);
      expect(r.keys.database.iam).toEqual({});
      expect(r.serviceAgents).toEqual([]);
    });
    it("no labels", () => expect(r.labels).toEqual({}));
    it("a key inherits the component's rotation and protection", () => {
      const inherited = resolveEncryptionKeysArgs("keys", { ...base, rotationDays: 30, protectionLevel: "HSM" }).keys.database;
      expect(inherited).toMatchObject({ rotationDays: 30, rotationPeriod: "2592000s", protectionLevel: "HSM" });
    });
    it("agents in use are deduplicated in a stable order", () =>
      expect(
        resolveEncryptionKeysArgs("keys", { ...full, keys: { a: { serviceAgents: ["secret-manager", "cloud-sql", "cloud-sql"] } } }),
      ).toMatchObject({ serviceAgents: ["cloud-sql", "secret-manager"], keys: { a: { serviceAgents: ["secret-manager", "cloud-sql"] } } }));
  });

  describe("loud errors", () => {
    it("rotation above 90 days", () => expectArgsError({ ...base, rotationDays: 91 }, /rotationDays is 91 days: policy requires key rotation at most every 90 days/));
    it("rotation above 90 days on one key", () =>
      expectArgsError({ ...base, keys: { database: { rotationDays: 365 } } }, /keys\.database\.rotationDays is 365 days: policy requires/));
    it("rotation under a day", () => expectArgsError({ ...base, rotationDays: 0 }, /whole number of days ≥ 1/));
    it("fractional rotation", () => expectArgsError({ ...base, keys: { database: { rotationDays: 1.5 } } }, /keys\.database\.rotationDays must be a whole number/));
    it("the Cloud Storage agent without a project number", () =>
      expectArgsError({ ...base, keys: { storage: { serviceAgents: ["cloud-storage"] } } }, /keys\.storage\.serviceAgents lists "cloud-storage" but projectNumber is not set/));
    it("the Memorystore or Pub/Sub agent without a project number", () => {
      expectArgsError({ ...base, keys: { cache: { serviceAgents: ["cloud-redis"] } } }, /keys\.cache\.serviceAgents lists "cloud-redis" but projectNumber is not set: the Memorystore for Redis agent/);
      expectArgsError({ ...base, keys: { queues: { serviceAgents: ["pubsub"] } } }, /keys\.queues\.serviceAgents lists "pubsub" but projectNumber is not set: the Pub\/Sub agent/);
    });
    it("a project id where the number belongs", () => expectArgsError({ ...base, projectNumber: "qf-prod" }, /projectNumber "qf-prod" must be the numeric project number/));
    it("no key", () => expectArgsError({ ...base, keys: {} }, /keys: at least one key purpose/));
    it("a public key", () =>
      expectArgsError({ ...base, keys: { database: { iam: { [ENCRYPTER_DECRYPTER_ROLE]: ["allUsers"] } } } }, /allUsers would make the key public/));
    it("a role that is not about using a key", () =>
      expectArgsError({ ...base, keys: { database: { iam: { "roles/owner": [APP_SA] } } } }, /role "roles\/owner" is not a Cloud KMS key-usage role/));
    it("KMS admin on a key", () =>
      expectArgsError({ ...base, keys: { database: { iam: { "roles/cloudkms.admin": [APP_SA] } } } }, /"roles\/cloudkms\.admin" is not a Cloud KMS key-usage role/));
    it("a member without its kind", () =>
      expectArgsError({ ...base, keys: { database: { iam: { [ENCRYPTER_DECRYPTER_ROLE]: ["api@qf-prod.iam.gserviceaccount.com"] } } } }, /is not an IAM member/));
    it("an unknown agent", () =>
      expectArgsError({ ...base, keys: { database: { serviceAgents: ["bigquery" as never] } } }, /unknown agent "bigquery"/));
    it("an invalid purpose", () => expectArgsError({ ...base, keys: { Database: {} } }, /keys\.Database: purposes must be lowercase/));
    it("a missing location", () => expectArgsError({ ...base, location: "" }, /location "" is not a KMS location/));
    it("surfaces through the constructor", async () => {
      await expect(runProgram(() => new EncryptionKeys("qf", { ...base, rotationDays: 120 }))).rejects.toThrow(
        /platform:gcp:EncryptionKeys "qf": rotationDays is 120 days/,
      );
    });
  });
});

import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { EvaluationError } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { BUCKET_TYPE, Bucket, EU_BUCKET_LOCATIONS, resolveBucketArgs, type BucketArgs } from "./index";

const KEY = "projects/p/locations/europe/keyRings/data/cryptoKeys/documents";
const BUCKET = "gcp:storage/bucket:Bucket";
const IAM = "gcp:storage/bucketIAMMember:BucketIAMMember";
const base: BucketArgs = { encryptionKeyName: KEY };

function run(args: BucketArgs, name = "docs") {
  return runProgram(() => {
    const provider = new gcp.Provider("gcp", { project: "p", region: "europe-west1" });
    new Bucket(name, args, { providers: [provider] });
  });
}

function expectArgsError(args: BucketArgs, message: RegExp) {
  let caught: unknown;
  try {
    resolveBucketArgs("docs", args);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ComponentArgsError);
  expect((caught as Error).message).toMatch(new RegExp(`^${BUCKET_TYPE} "docs": `));
  expect((caught as Error).message).toMatch(message);
}

describe("Bucket: inventory", () => {
  it("creates one protected, private, versioned, encrypted bucket and one IAM member per role/member, all parented", async () => {
    const { plan } = await run({
      ...base,
      labels: { platform: "quickfund" },
      iam: {
        "roles/storage.objectViewer": ["serviceAccount:api@p.iam.gserviceaccount.com", "group:ops@example.com"],
        "roles/storage.objectCreator": ["serviceAccount:api@p.iam.gserviceaccount.com"],
      },
    });
    expect(plan.counts()).toEqual({
      [BUCKET]: 1,
      [IAM]: 3,
      "platform:gcp:Bucket": 1,
      "pulumi:providers:gcp": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one("platform:gcp:Bucket");
    const bucket = plan.one(BUCKET, "docs-bucket");
    expect(bucket.parent).toBe(component.urn);
    expect(bucket.options.protect).toBe(true);
    expect(bucket.provider).toMatch(/pulumi:providers:gcp::gcp::/);
    expect(bucket.inputs).toMatchObject({
      location: "EU",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      softDeletePolicy: { retentionDurationSeconds: 30 * 86400 },
      encryption: { defaultKmsKeyName: KEY },
      forceDestroy: false,
      storageClass: "STANDARD",
      labels: { platform: "quickfund" },
    });
    expect(bucket.inputs.retentionPolicy).toBeUndefined();
    expect(bucket.inputs.logging).toBeUndefined();
    expect(valueAt(bucket.inputs, "lifecycleRules")).toEqual([
      { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
    ]);
    const members = plan.ofType(IAM);
    expect(members.map((m) => m.name).sort()).toEqual([
      "docs-iam-storage.objectCreator-serviceAccount-api@p.iam.gserviceaccount.com",
      "docs-iam-storage.objectViewer-group-ops@example.com",
      "docs-iam-storage.objectViewer-serviceAccount-api@p.iam.gserviceaccount.com",
    ]);
    for (const m of members) {
      expect(m.parent).toBe(component.urn);
      expect(m.dependencies).toContain(bucket.urn);
      expect(m.options.protect).toBe(false);
    }
    expect(plan.one(IAM, "docs-iam-storage.objectViewer-group-ops@example.com").inputs).toMatchObject({
      role: "roles/storage.objectViewer",
      member: "group:ops@example.com",
    });
  });

  it("adds a retention policy (unlocked, versioning off) for a documents bucket", async () => {
    const { plan } = await run({ ...base, retention: { retentionDays: 1825 } });
    const bucket = plan.one(BUCKET);
    expect(bucket.inputs.retentionPolicy).toEqual({ retentionPeriod: String(1825 * 86400), isLocked: false });
    expect(bucket.inputs.versioning).toEqual({ enabled: false });
    // No noncurrent-version rule on an unversioned bucket.
    expect(bucket.inputs.lifecycleRules).toEqual([]);
  });

  it("locks the retention policy only when asked", () => {
    expect(resolveBucketArgs("docs", { ...base, retention: { retentionDays: 30, isLocked: true } }).retentionPolicy).toEqual({
      retentionPeriod: "2592000",
      isLocked: true,
    });
  });

  it("drops protection and allows forceDestroy when deletion protection is off", async () => {
    const { plan } = await run({ ...base, deletionProtection: false, forceDestroy: true });
    const bucket = plan.one(BUCKET);
    expect(bucket.options.protect).toBe(false);
    expect(bucket.inputs.forceDestroy).toBe(true);
  });

  it("turns on access logging into the given bucket", async () => {
    const { plan } = await run({ ...base, accessLogBucket: "audit-logs", accessLogObjectPrefix: "docs/" });
    expect(plan.one(BUCKET).inputs.logging).toEqual({ logBucket: "audit-logs", logObjectPrefix: "docs/" });
  });

  it("moves objects only to colder classes, never warming an archived object back", () => {
    const r = resolveBucketArgs("docs", {
      ...base,
      storageClassTransitions: [
        { ageDays: 30, storageClass: "NEARLINE" },
        { ageDays: 365, storageClass: "ARCHIVE" },
      ],
    });
    expect(r.lifecycleRules.slice(1)).toEqual([
      {
        action: { type: "SetStorageClass", storageClass: "NEARLINE" },
        condition: { age: 30, matchesStorageClasses: ["STANDARD", "MULTI_REGIONAL", "REGIONAL", "DURABLE_REDUCED_AVAILABILITY"] },
      },
      {
        action: { type: "SetStorageClass", storageClass: "ARCHIVE" },
        condition: { age: 365, matchesStorageClasses: ["STANDARD", "MULTI_REGIONAL", "REGIONAL", "DURABLE_REDUCED_AVAILABILITY", "NEARLINE", "COLDLINE"] },
      },
    ]);
  });
});

describe("Bucket: defaults (resolveBucketArgs)", () => {
  const r = resolveBucketArgs("docs", base);
  it("location defaults to the EU multi-region", () => expect(r.location).toBe("EU"));
  it("deletion protection defaults to on", () => expect(r.deletionProtection).toBe(true));
  it("forceDestroy defaults to false", () => expect(r.forceDestroy).toBe(false));
  it("versioning defaults to on without a retention policy", () => expect(r.versioning).toBe(true));
  it("versioning defaults to off with a retention policy", () =>
    expect(resolveBucketArgs("docs", { ...base, retention: { retentionDays: 10 } }).versioning).toBe(false));
  it("noncurrent versions are deleted after 30 days", () =>
    expect(r.lifecycleRules[0]).toEqual({ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } }));
  it("noncurrentVersionRetentionDays is honoured", () =>
    expect(resolveBucketArgs("docs", { ...base, noncurrentVersionRetentionDays: 90 }).lifecycleRules[0].condition).toMatchObject({ daysSinceNoncurrentTime: 90 }));
  it("soft delete defaults to 30 days (≥ 28), in seconds", () => expect(r.softDeleteRetentionSeconds).toBe(2_592_000));
  it("soft delete accepts the 7 and 90 day bounds", () => {
    expect(resolveBucketArgs("docs", { ...base, softDeleteRetentionDays: 7 }).softDeleteRetentionSeconds).toBe(604_800);
    expect(resolveBucketArgs("docs", { ...base, softDeleteRetentionDays: 90 }).softDeleteRetentionSeconds).toBe(7_776_000);
  });
  it("no retention policy by default", () => expect(r.retentionPolicy).toBeUndefined());
  it("storage class defaults to STANDARD", () => expect(r.storageClass).toBe("STANDARD"));
  it("no IAM, labels or logging by default", () => {
    expect(r.iam).toEqual([]);
    expect(r.labels).toEqual({});
    expect(r.logging).toBeUndefined();
  });
  it("the CMEK key is passed through", () => expect(r.encryptionKeyName).toBe(KEY));
  it("Google-managed encryption only on explicit opt-out", () =>
    expect(resolveBucketArgs("docs", { allowGoogleManagedEncryption: true }).encryptionKeyName).toBeUndefined());
  it("EU locations are accepted in any case, Swiss only when allowed", () => {
    expect(EU_BUCKET_LOCATIONS).toContain("EUROPE-WEST1");
    expect(EU_BUCKET_LOCATIONS).not.toContain("EUROPE-WEST6");
    expect(resolveBucketArgs("docs", { ...base, location: "europe-west9" }).location).toBe("europe-west9");
    expect(resolveBucketArgs("docs", { ...base, location: "europe-west6", allowedLocations: ["EUROPE-WEST6"] }).location).toBe("europe-west6");
  });
});

describe("Bucket: loud errors", () => {
  it("refuses a location outside the EU", () => {
    expectArgsError({ ...base, location: "US" }, /location "US" is outside the allowed locations/);
    expectArgsError({ ...base, location: "europe-west2" }, /outside the allowed locations/);
    expectArgsError({ ...base, location: "europe-west6" }, /allowedLocations/);
  });
  it("refuses a missing CMEK key without the explicit opt-out", () => expectArgsError({}, /encryptionKeyName .* is required/));
  it("refuses a CMEK key together with the opt-out", () =>
    expectArgsError({ ...base, allowGoogleManagedEncryption: true }, /contradict/));
  it("refuses forceDestroy while deletion protection is on (the default)", () =>
    expectArgsError({ ...base, forceDestroy: true }, /forceDestroy: true .* deletionProtection/));
  it("refuses soft delete outside 7–90 days", () => {
    expectArgsError({ ...base, softDeleteRetentionDays: 6 }, /softDeleteRetentionDays must be .* between 7 and 90, got 6/);
    expectArgsError({ ...base, softDeleteRetentionDays: 91 }, /got 91/);
    expectArgsError({ ...base, softDeleteRetentionDays: 0 }, /got 0/);
  });
  it("refuses versioning together with a retention policy", () =>
    expectArgsError({ ...base, versioning: true, retention: { retentionDays: 30 } }, /versioning: true and a retention policy/));
  it("refuses noncurrentVersionRetentionDays on an unversioned bucket", () =>
    expectArgsError({ ...base, versioning: false, noncurrentVersionRetentionDays: 10 }, /only applies to a versioned bucket/));
  it("refuses a retention period out of range", () => {
    expectArgsError({ ...base, retention: { retentionDays: 0 } }, /retention.retentionDays/);
    expectArgsError({ ...base, retention: { retentionDays: 40_000 } }, /retention.retentionDays/);
  });
  it("refuses public members", () => {
    expectArgsError({ ...base, iam: { "roles/storage.objectViewer": ["allUsers"] } }, /never public/);
    expectArgsError({ ...base, iam: { "roles/storage.objectViewer": ["allAuthenticatedUsers"] } }, /never public/);
  });
  it("refuses transitions that are not colder at increasing ages", () => {
    expectArgsError(
      { ...base, storageClassTransitions: [{ ageDays: 90, storageClass: "COLDLINE" }, { ageDays: 30, storageClass: "ARCHIVE" }] },
      /colder classes at increasing ages/,
    );
    expectArgsError(
      { ...base, storageClassTransitions: [{ ageDays: 30, storageClass: "COLDLINE" }, { ageDays: 90, storageClass: "NEARLINE" }] },
      /colder classes at increasing ages/,
    );
  });
  it("refuses an access-log prefix without a log bucket", () =>
    expectArgsError({ ...base, accessLogObjectPrefix: "x/" }, /without accessLogBucket/));
  it("surfaces the error from the constructor as a failed evaluation", async () => {
    const failed = run({ location: "US", encryptionKeyName: KEY });
    await expect(failed).rejects.toBeInstanceOf(EvaluationError);
    await expect(failed).rejects.toThrow(/platform:gcp:Bucket "docs": location "US"/);
  });
});

/**
 * A Cloud Storage bucket that is private, versioned, recoverable and encrypted with a customer key
 * unless told otherwise. Used for documents (Quickfund's KYC files and signed contracts), exports
 * and backups.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import {
  ComponentArgsError,
  mergeLabels,
  statefulChildOptions,
  type CommonArgs,
  type IamBindings,
  type Labels,
} from "../../common/conventions";
import { EU_BUCKET_LOCATIONS } from "../../../model/locations";

export const BUCKET_TYPE = "platform:gcp:Bucket";

// The EU lists live in model/ (one owner for every layer); re-exported for the bucket's importers.
export { EU_BUCKET_LOCATIONS, EU_REGIONS } from "../../../model/locations";

/** Soft delete bounds of Cloud Storage, in days (604800 s to 7776000 s). */
const SOFT_DELETE_MIN_DAYS = 7;
const SOFT_DELETE_MAX_DAYS = 90;
/** Cloud Storage refuses a retention period of 3,155,760,000 seconds (100 years) or more. */
const RETENTION_MAX_SECONDS = 3_155_760_000;
const DAY_SECONDS = 86_400;

/** Storage classes from warmest to coldest; lifecycle transitions only go colder. */
const COLD_CLASSES = ["NEARLINE", "COLDLINE", "ARCHIVE"] as const;
type ColdClass = (typeof COLD_CLASSES)[number];
const WARM_CLASSES = ["STANDARD", "MULTI_REGIONAL", "REGIONAL", "DURABLE_REDUCED_AVAILABILITY"];

/** Move objects to a colder storage class once they reach an age. */
export interface StorageClassTransition {
  /** Age of the object, in days since creation, at which it moves. */
  ageDays: number;
  /** Target class; each transition must be colder than the previous one. */
  storageClass: ColdClass;
}

/** A retention policy (Bucket Lock): objects cannot be deleted or replaced before they reach this age. */
export interface BucketRetentionArgs {
  /** Minimum age, in days, before an object can be deleted or overwritten. */
  retentionDays: number;
  /**
   * Locks the policy. Irreversible: once locked, the policy can never be removed or shortened and the
   * bucket cannot be deleted until every object has aged out. Only set after legal sign-off.
   * @default false
   */
  isLocked?: boolean;
}

export interface BucketArgs extends CommonArgs {
  /**
   * Cloud Storage location (multi-region, dual-region or region).
   * @default "EU" — docs/platforms/quickfund.md § Sécurité: "Conformité RGPD | Données en Europe"
   */
  location?: string;
  /**
   * Locations this bucket may be created in (case-insensitive). Widen only for a platform whose
   * documents require another jurisdiction, e.g. `["EUROPE-WEST6"]` for Swiss hosting.
   * @default EU_BUCKET_LOCATIONS
   */
  allowedLocations?: readonly string[];
  /**
   * Bucket name (globally unique). Names cannot be reused for a while after deletion.
   * @default Pulumi auto-naming (`<name>-bucket-<random suffix>`)
   */
  bucketName?: string;
  /**
   * Project to create the bucket in.
   * @default the provider's project
   */
  project?: pulumi.Input<string>;
  /**
   * Storage class of new objects.
   * @default "STANDARD"
   */
  storageClass?: "STANDARD" | "NEARLINE" | "COLDLINE" | "ARCHIVE";
  /**
   * Cloud KMS key (`projects/.../locations/.../keyRings/.../cryptoKeys/...`) used by default for new
   * objects. Required unless `allowGoogleManagedEncryption` is true. The key must be in the bucket's
   * location and the Cloud Storage service agent must hold `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it.
   * @default none — a key is required
   */
  encryptionKeyName?: pulumi.Input<string>;
  /**
   * Accept Google-managed encryption keys instead of a customer-managed key (disposable environments).
   * @default false
   */
  allowGoogleManagedEncryption?: boolean;
  /**
   * Object versioning. Cloud Storage refuses versioning together with a retention policy, so the
   * default is off when `retention` is given.
   * @default true (false when `retention` is set)
   */
  versioning?: boolean;
  /**
   * Days a noncurrent object version is kept before a lifecycle rule deletes it (versioned buckets only).
   * @default 30
   */
  noncurrentVersionRetentionDays?: number;
  /**
   * Days a deleted or overwritten object stays restorable (soft delete), between 7 and 90.
   * @default 30
   */
  softDeleteRetentionDays?: number;
  /**
   * Age-based transitions to colder storage classes, in increasing age and colder class order.
   * @default []
   */
  storageClassTransitions?: StorageClassTransition[];
  /**
   * Extra lifecycle rules appended after the generated ones.
   * @default []
   */
  lifecycleRules?: gcp.types.input.storage.BucketLifecycleRule[];
  /**
   * Retention policy (Bucket Lock). Quickfund's KYC and contract documents bucket uses one.
   * @default none
   */
  retention?: BucketRetentionArgs;
  /**
   * Delete every object when the bucket is deleted. Refused while `deletionProtection` is on.
   * @default false
   */
  forceDestroy?: boolean;
  /**
   * Role → members granted on the bucket, one `BucketIAMMember` per pair (additive, never
   * authoritative). `allUsers` and `allAuthenticatedUsers` are refused: the bucket is never public.
   * @default {}
   */
  iam?: IamBindings;
  /**
   * Bucket receiving usage and storage logs. Prefer Cloud Audit Logs (Data Access) for who-read-what;
   * usage logs are for traffic accounting.
   * @default no access logging
   */
  accessLogBucket?: pulumi.Input<string>;
  /**
   * Object prefix of the access logs.
   * @default the bucket's name (Cloud Storage's own default)
   */
  accessLogObjectPrefix?: pulumi.Input<string>;
}

export interface ResolvedBucketArgs {
  location: string;
  bucketName?: string;
  project?: pulumi.Input<string>;
  storageClass: string;
  encryptionKeyName?: pulumi.Input<string>;
  versioning: boolean;
  softDeleteRetentionSeconds: number;
  lifecycleRules: gcp.types.input.storage.BucketLifecycleRule[];
  retentionPolicy?: { retentionPeriod: string; isLocked: boolean };
  forceDestroy: boolean;
  deletionProtection: boolean;
  iam: { role: string; member: string; childName: string }[];
  logging?: { logBucket: pulumi.Input<string>; logObjectPrefix?: pulumi.Input<string> };
  labels: Labels;
}

const PUBLIC_MEMBERS = new Set(["allusers", "allauthenticatedusers"]);

/** Applies the bucket's defaults and refuses contradictory or unsafe arguments. */
export function resolveBucketArgs(name: string, args: BucketArgs): ResolvedBucketArgs {
  const fail: (detail: string) => never = (detail) => {
    throw new ComponentArgsError(BUCKET_TYPE, name, detail);
  };
  const deletionProtection = args.deletionProtection ?? true;

  // Passed on as written (Cloud Storage accepts either case); compared case-insensitively.
  const location = args.location ?? "EU";
  const allowed = (args.allowedLocations ?? EU_BUCKET_LOCATIONS).map((l) => l.toUpperCase());
  if (!allowed.includes(location.toUpperCase())) {
    fail(
      `location "${location}" is outside the allowed locations (${allowed.join(", ")}); ` +
        `data must stay in the EU (docs/platforms/quickfund.md § Sécurité: "Données en Europe"). ` +
        `Pass allowedLocations to widen it for a documented jurisdiction.`,
    );
  }

  if (args.encryptionKeyName !== undefined && args.allowGoogleManagedEncryption === true) {
    fail("encryptionKeyName and allowGoogleManagedEncryption: true contradict each other; choose one.");
  }
  if (args.encryptionKeyName === undefined && args.allowGoogleManagedEncryption !== true) {
    fail("encryptionKeyName (a Cloud KMS key in the bucket's location) is required; set allowGoogleManagedEncryption: true to opt out explicitly.");
  }

  if (args.forceDestroy === true && deletionProtection) {
    fail("forceDestroy: true deletes every object with the bucket and contradicts deletionProtection (on by default); turn deletionProtection off first.");
  }

  let retentionPolicy: ResolvedBucketArgs["retentionPolicy"];
  if (args.retention) {
    const { retentionDays } = args.retention;
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays * DAY_SECONDS >= RETENTION_MAX_SECONDS) {
      fail(`retention.retentionDays must be a whole number of days between 1 and ${Math.floor((RETENTION_MAX_SECONDS - 1) / DAY_SECONDS)}, got ${retentionDays}.`);
    }
    retentionPolicy = { retentionPeriod: String(retentionDays * DAY_SECONDS), isLocked: args.retention.isLocked ?? false };
  }

  // Cloud Storage: bucket retention policies and Object Versioning are mutually exclusive.
  const versioning = args.versioning ?? !retentionPolicy;
  if (versioning && retentionPolicy) {
    fail("versioning: true and a retention policy cannot be combined (Cloud Storage refuses both on one bucket); the retention policy already protects every object.");
  }

  const softDeleteDays = args.softDeleteRetentionDays ?? 30;
  if (!Number.isInteger(softDeleteDays) || softDeleteDays < SOFT_DELETE_MIN_DAYS || softDeleteDays > SOFT_DELETE_MAX_DAYS) {
    fail(`softDeleteRetentionDays must be a whole number between ${SOFT_DELETE_MIN_DAYS} and ${SOFT_DELETE_MAX_DAYS}, got ${softDeleteDays}.`);
  }

  const lifecycleRules: gcp.types.input.storage.BucketLifecycleRule[] = [];
  if (versioning) {
    const days = args.noncurrentVersionRetentionDays ?? 30;
    if (!Number.isInteger(days) || days < 1) fail(`noncurrentVersionRetentionDays must be a whole number of days ≥ 1, got ${days}.`);
    lifecycleRules.push({ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: days, withState: "ARCHIVED" } });
  } else if (args.noncurrentVersionRetentionDays !== undefined) {
    fail("noncurrentVersionRetentionDays only applies to a versioned bucket, and versioning is off.");
  }

  let previous: { ageDays: number; rank: number } | undefined;
  for (const t of args.storageClassTransitions ?? []) {
    const rank = COLD_CLASSES.indexOf(t.storageClass);
    if (rank < 0) fail(`storageClassTransitions: "${t.storageClass}" is not one of ${COLD_CLASSES.join(", ")}.`);
    if (!Number.isInteger(t.ageDays) || t.ageDays < 1) fail(`storageClassTransitions: ageDays must be a whole number ≥ 1, got ${t.ageDays}.`);
    if (previous && (t.ageDays <= previous.ageDays || rank <= previous.rank)) {
      fail("storageClassTransitions must go to colder classes at increasing ages (NEARLINE → COLDLINE → ARCHIVE).");
    }
    // Only move objects that are still warmer than the target, so a rule never warms an object back up.
    lifecycleRules.push({
      action: { type: "SetStorageClass", storageClass: t.storageClass },
      condition: { age: t.ageDays, matchesStorageClasses: [...WARM_CLASSES, ...COLD_CLASSES.slice(0, rank)] },
    });
    previous = { ageDays: t.ageDays, rank };
  }
  lifecycleRules.push(...(args.lifecycleRules ?? []));

  const iam: ResolvedBucketArgs["iam"] = [];
  const childNames = new Set<string>();
  for (const [role, members] of Object.entries(args.iam ?? {})) {
    for (const member of members) {
      if (PUBLIC_MEMBERS.has(member.toLowerCase())) {
        fail(`iam["${role}"] grants ${member}: the bucket is never public (publicAccessPrevention is enforced).`);
      }
      const childName = `${name}-iam-${slug(role.replace(/^roles\//, ""))}-${slug(member)}`;
      if (childNames.has(childName)) fail(`iam lists ${member} twice for ${role}.`);
      childNames.add(childName);
      iam.push({ role, member, childName });
    }
  }

  if (args.accessLogObjectPrefix !== undefined && args.accessLogBucket === undefined) {
    fail("accessLogObjectPrefix is set without accessLogBucket.");
  }

  return {
    location,
    bucketName: args.bucketName,
    project: args.project,
    storageClass: args.storageClass ?? "STANDARD",
    encryptionKeyName: args.encryptionKeyName,
    versioning,
    softDeleteRetentionSeconds: softDeleteDays * DAY_SECONDS,
    lifecycleRules,
    retentionPolicy,
    forceDestroy: args.forceDestroy ?? false,
    deletionProtection,
    iam,
    logging: args.accessLogBucket !== undefined ? { logBucket: args.accessLogBucket, logObjectPrefix: args.accessLogObjectPrefix } : undefined,
    labels: mergeLabels(args.labels),
  };
}

/** A stable, URN-safe fragment for a child name. */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._@-]+/g, "-");
}

export class Bucket extends pulumi.ComponentResource {
  /** The bucket's name (auto-named unless `bucketName` is given). */
  public readonly bucketName: pulumi.Output<string>;
  /** `gs://` URL of the bucket. */
  public readonly url: pulumi.Output<string>;
  /** The bucket's self link. */
  public readonly selfLink: pulumi.Output<string>;

  constructor(name: string, args: BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(BUCKET_TYPE, name, {}, opts);
    const r = resolveBucketArgs(name, args);

    const bucket = new gcp.storage.Bucket(
      `${name}-bucket`,
      {
        name: r.bucketName,
        project: r.project,
        location: r.location,
        storageClass: r.storageClass,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        versioning: { enabled: r.versioning },
        softDeletePolicy: { retentionDurationSeconds: r.softDeleteRetentionSeconds },
        lifecycleRules: r.lifecycleRules,
        retentionPolicy: r.retentionPolicy,
        encryption: r.encryptionKeyName !== undefined ? { defaultKmsKeyName: r.encryptionKeyName } : undefined,
        logging: r.logging,
        forceDestroy: r.forceDestroy,
        labels: r.labels,
      },
      // Cloud Storage has no deletion-protection flag of its own: forceDestroy false (a non-empty
      // bucket cannot be deleted) plus Pulumi's protect play that role.
      statefulChildOptions(this, r.deletionProtection),
    );

    for (const b of r.iam) {
      new gcp.storage.BucketIAMMember(b.childName, { bucket: bucket.name, role: b.role, member: b.member }, { parent: this });
    }

    this.bucketName = bucket.name;
    this.url = bucket.url;
    this.selfLink = bucket.selfLink;
    this.registerOutputs({ bucketName: this.bucketName, url: this.url, selfLink: this.selfLink });
  }
}

/** Google Cloud type tokens and the small readings several rules share. */
import type { ResourceContext } from "./rule";
import { isSet, isUnknown, str } from "./values";

export const SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";
export const BUCKET = "gcp:storage/bucket:Bucket";
export const REDIS_INSTANCE = "gcp:redis/instance:Instance";
export const REDIS_CLUSTER_GCP = "gcp:redis/cluster:Cluster";
export const MEMORYSTORE_INSTANCE = "gcp:memorystore/instance:Instance";
export const GKE_CLUSTER = "gcp:container/cluster:Cluster";
export const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
export const HTTPS_PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy";
export const REGION_HTTPS_PROXY = "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy";
export const SSL_POLICY = "gcp:compute/sSLPolicy:SSLPolicy";
export const REGION_SSL_POLICY = "gcp:compute/regionSslPolicy:RegionSslPolicy";
export const BACKEND_SERVICE = "gcp:compute/backendService:BackendService";
export const FIREWALL = "gcp:compute/firewall:Firewall";
export const KMS_KEY = "gcp:kms/cryptoKey:CryptoKey";
export const KMS_KEY_RING = "gcp:kms/keyRing:KeyRing";
export const CLOUD_RUN_V2 = "gcp:cloudrunv2/service:Service";
export const CLOUD_RUN = "gcp:cloudrun/service:Service";

/** A Cloud SQL read replica: backups, PITR, HA and deletion protection belong to its primary. */
export function isReadReplica(r: ResourceContext): boolean {
  const t = str(r.get("instanceType"));
  return isSet(r.get("masterInstanceName")) || t === "READ_REPLICA_INSTANCE";
}

export function sqlEngine(r: ResourceContext): "postgres" | "mysql" | "sqlserver" | "unknown" {
  const v = r.get("databaseVersion");
  if (isUnknown(v) || typeof v !== "string") return "unknown";
  if (v.startsWith("POSTGRES")) return "postgres";
  if (v.startsWith("MYSQL")) return "mysql";
  if (v.startsWith("SQLSERVER")) return "sqlserver";
  return "unknown";
}

/** The default Compute Engine service account, which carries Editor on the project. */
export function isDefaultComputeServiceAccount(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return true;
  if (isUnknown(v)) return false;
  return v === "default" || (typeof v === "string" && v.endsWith("-compute@developer.gserviceaccount.com"));
}

/** A bucket that holds backups: named `*backup*` or labelled `purpose: backup`. */
export function isBackupBucket(r: ResourceContext): boolean {
  const label = r.get("labels.purpose");
  // The bucket's real name when the program sets one, else the logical name it derives from.
  const name = str(r.get("name")) ?? r.name;
  return label === "backup" || label === "backups" || /backup/i.test(name);
}

export const HTTP_PROXY = "gcp:compute/targetHttpProxy:TargetHttpProxy";
export const REGION_HTTP_PROXY = "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy";
export const URL_MAP = "gcp:compute/uRLMap:URLMap";
export const REGION_URL_MAP = "gcp:compute/regionUrlMap:RegionUrlMap";
export const SECURITY_POLICY = "gcp:compute/securityPolicy:SecurityPolicy";
export const REGION_SECURITY_POLICY = "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy";
export const SECRET = "gcp:secretmanager/secret:Secret";
export const REGIONAL_SECRET = "gcp:secretmanager/regionalSecret:RegionalSecret";

/** IAM resources that grant roles on one resource (a bucket, secret, key, service account, Cloud Run service). */
export const RESOURCE_IAM_TYPES = [
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "gcp:storage/bucketIAMBinding:BucketIAMBinding",
  "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
  "gcp:secretmanager/secretIamMember:SecretIamMember",
  "gcp:secretmanager/secretIamBinding:SecretIamBinding",
  "gcp:secretmanager/secretIamPolicy:SecretIamPolicy",
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
  "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy",
  "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
  "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
  "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy",
  "gcp:serviceaccount/iAMMember:IAMMember",
  "gcp:serviceaccount/iAMBinding:IAMBinding",
  "gcp:serviceaccount/iAMPolicy:IAMPolicy",
  "gcp:cloudrun/iamMember:IamMember",
  "gcp:cloudrun/iamBinding:IamBinding",
  "gcp:cloudrun/iamPolicy:IamPolicy",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
  "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
];
/** IAM resources that grant roles on a whole project, folder or organization. */
export const HIERARCHY_IAM_TYPES = [
  "gcp:projects/iAMMember:IAMMember",
  "gcp:projects/iAMBinding:IAMBinding",
  "gcp:projects/iAMPolicy:IAMPolicy",
  "gcp:folder/iAMMember:IAMMember",
  "gcp:folder/iAMBinding:IAMBinding",
  "gcp:folder/iAMPolicy:IAMPolicy",
  "gcp:organizations/iAMMember:IAMMember",
  "gcp:organizations/iAMBinding:IAMBinding",
  "gcp:organizations/iAMPolicy:IAMPolicy",
];
/** Any IAM grant resource of any service: `gcp:<module>/<name>IamMember|IamBinding|IamPolicy` (IAM or Iam). */
export function isIamGrantType(type: string): boolean {
  return /^gcp:[^/]+\/[^:]*:[A-Za-z]*I[Aa][Mm](Member|Binding|Policy)$/.test(type);
}
/** An additive IAM grant (a Member or a Binding, not the authoritative Policy) of any service. */
export function isIamMemberOrBindingType(type: string): boolean {
  return isIamGrantType(type) && !type.endsWith("Policy");
}
/** Cloud Storage ACL resources, whose `entity` can name the public. */
export const STORAGE_ACL_TYPES = [
  "gcp:storage/bucketAccessControl:BucketAccessControl",
  "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
  "gcp:storage/objectAccessControl:ObjectAccessControl",
];

export const PUBSUB_TOPIC = "gcp:pubsub/topic:Topic";
export const PUBSUB_SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
export const CLOUD_RUN_V2_JOB = "gcp:cloudrunv2/job:Job";
export const CLOUD_RUN_V2_WORKER_POOL = "gcp:cloudrunv2/workerPool:WorkerPool";
export const REGION_NEG = "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup";
export const ARTIFACT_REPOSITORY = "gcp:artifactregistry/repository:Repository";
export const LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig";
export const LOG_SINK = "gcp:logging/projectSink:ProjectSink";
/** Log buckets above the project: their location is where the routed logs are stored, like a project's. */
export const HIERARCHY_LOG_BUCKET_TYPES = [
  "gcp:logging/folderBucketConfig:FolderBucketConfig",
  "gcp:logging/organizationBucketConfig:OrganizationBucketConfig",
  "gcp:logging/billingAccountBucketConfig:BillingAccountBucketConfig",
];
export const GCP_PROVIDER = "pulumi:providers:gcp";
export const GCP_PROJECT = "gcp:organizations/project:Project";

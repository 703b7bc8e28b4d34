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

export const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0", "0.0.0.0", "*"]);

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

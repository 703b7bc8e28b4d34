/** Specs of the Google Cloud rules: compliant fixtures and one failing case per checked property. */
import { DEL, res, UNKNOWN } from "../helpers";
import type { RuleSpec } from "./types";

const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const BUCKET = "gcp:storage/bucket:Bucket";

export const sqlInstance = res(
  SQL,
  "orders-instance",
  {
    databaseVersion: "POSTGRES_16",
    region: "europe-west6",
    encryptionKeyName: "projects/p/locations/europe-west6/keyRings/r/cryptoKeys/sql",
    deletionProtection: true,
    settings: {
      tier: "db-custom-2-7680",
      availabilityType: "REGIONAL",
      deletionProtectionEnabled: true,
      backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true, backupRetentionSettings: { retainedBackups: 30, retentionUnit: "COUNT" } },
      ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/p/global/networks/vpc", sslMode: "ENCRYPTED_ONLY" },
    },
  },
  { protect: true },
);
export const mysqlInstance = res(SQL, "crm-instance", {
  ...structuredClone(sqlInstance.inputs),
  databaseVersion: "MYSQL_8_0",
  settings: { ...structuredClone((sqlInstance.inputs as { settings: object }).settings), backupConfiguration: { enabled: true, binaryLogEnabled: true, backupRetentionSettings: { retainedBackups: 30 } } },
}, { protect: true });
const replica = { masterInstanceName: "orders-instance", instanceType: "READ_REPLICA_INSTANCE" };

export const bucket = res(BUCKET, "db-backups", {
  location: "EUROPE-WEST6",
  publicAccessPrevention: "enforced",
  uniformBucketLevelAccess: true,
  versioning: { enabled: true },
  softDeletePolicy: { retentionDurationSeconds: 30 * 86_400 },
  encryption: { defaultKmsKeyName: "projects/p/locations/europe-west6/keyRings/r/cryptoKeys/gcs" },
  labels: { purpose: "backup" },
});
const documents = { name: "documents", "labels.purpose": "documents" };

export const redis = res("gcp:redis/instance:Instance", "cache", {
  region: "europe-west6",
  memorySizeGb: 1,
  tier: "STANDARD_HA",
  authEnabled: true,
  transitEncryptionMode: "SERVER_AUTHENTICATION",
  persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "TWELVE_HOURS" },
});
export const redisCluster = res("gcp:redis/cluster:Cluster", "cache-cluster", {
  region: "europe-west6",
  shardCount: 3,
  authorizationMode: "AUTH_MODE_IAM_AUTH",
  transitEncryptionMode: "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
  persistenceConfig: { mode: "AOF" },
});

export const gke = res(
  "gcp:container/cluster:Cluster",
  "platform-cluster",
  {
    location: "europe-west6",
    removeDefaultNodePool: true,
    initialNodeCount: 1,
    privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" },
    masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "10.0.0.0/8", displayName: "vpc" }] },
    datapathProvider: "ADVANCED_DATAPATH",
    workloadIdentityConfig: { workloadPool: "p.svc.id.goog" },
    databaseEncryption: { state: "ENCRYPTED", keyName: "projects/p/locations/europe-west6/keyRings/r/cryptoKeys/gke" },
    enableShieldedNodes: true,
    releaseChannel: { channel: "REGULAR" },
    deletionProtection: true,
  },
  { protect: true },
);
export const nodePool = res("gcp:container/nodePool:NodePool", "platform-nodes", {
  location: "europe-west6",
  cluster: UNKNOWN,
  nodeConfig: {
    serviceAccount: "gke-nodes@p.iam.gserviceaccount.com",
    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
    workloadMetadataConfig: { mode: "GKE_METADATA" },
  },
});

const httpsProxy = res("gcp:compute/targetHttpsProxy:TargetHttpsProxy", "web-https", { urlMap: UNKNOWN, sslCertificates: [UNKNOWN], sslPolicy: UNKNOWN });
const sslPolicy = res("gcp:compute/sSLPolicy:SSLPolicy", "modern-tls", { profile: "MODERN", minTlsVersion: "TLS_1_2" });
const backend = res("gcp:compute/backendService:BackendService", "web-backend", { loadBalancingScheme: "EXTERNAL_MANAGED", securityPolicy: UNKNOWN, protocol: "HTTPS" });
const firewall = res("gcp:compute/firewall:Firewall", "allow-web", {
  network: "vpc",
  direction: "INGRESS",
  sourceRanges: ["0.0.0.0/0"],
  allows: [{ protocol: "tcp", ports: ["80", "443"] }],
});
const kmsKey = res("gcp:kms/cryptoKey:CryptoKey", "sql-key", { keyRing: UNKNOWN, rotationPeriod: "7776000s", purpose: "ENCRYPT_DECRYPT" }, { protect: true });
const keyRing = res("gcp:kms/keyRing:KeyRing", "keys", { location: "europe-west6" });
const provider = res("pulumi:providers:gcp", "gcp", { project: "p", region: "europe-west6" });
const cloudRun = res("gcp:cloudrunv2/service:Service", "api", { location: UNKNOWN }, { provider: `${provider.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9` });

export const GCP_SPECS: Record<string, RuleSpec> = {
  "gcp-sql-instance-require-backups": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { "backups disabled": { "settings.backupConfiguration.enabled": false }, "backups unset": { "settings.backupConfiguration.enabled": DEL } },
    compliant: { "unknown flag": { "settings.backupConfiguration.enabled": UNKNOWN } },
    notApplicable: { "read replica": { changes: replica, reason: /read replica/ } },
  },
  "gcp-sql-instance-require-backup-retention": {
    kind: "resource",
    fixture: sqlInstance,
    failing: {
      "too few retained backups": { "settings.backupConfiguration.backupRetentionSettings.retainedBackups": 7 },
      "default retention (7)": { "settings.backupConfiguration.backupRetentionSettings": DEL },
      "non-count unit": { "settings.backupConfiguration.backupRetentionSettings.retentionUnit": "RETENTION_UNIT_UNSPECIFIED" },
    },
    notApplicable: { "read replica": { changes: replica, reason: /read replica/ }, "backups off": { changes: { "settings.backupConfiguration.enabled": false }, reason: /backups are off/ } },
  },
  "gcp-sql-instance-require-pitr": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { "postgres without PITR": { "settings.backupConfiguration.pointInTimeRecoveryEnabled": false }, "PITR unset": { "settings.backupConfiguration.pointInTimeRecoveryEnabled": DEL } },
    compliant: { "mysql with binary logs": { databaseVersion: "MYSQL_8_0", "settings.backupConfiguration.pointInTimeRecoveryEnabled": DEL, "settings.backupConfiguration.binaryLogEnabled": true } },
    notApplicable: {
      "read replica": { changes: replica, reason: /read replica/ },
      "no RPO stated": { facts: { pointInTimeRecoveryRequired: false }, changes: { "settings.backupConfiguration.pointInTimeRecoveryEnabled": false }, reason: /no RPO/ },
    },
  },
  "gcp-sql-instance-require-regional": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { zonal: { "settings.availabilityType": "ZONAL" }, unset: { "settings.availabilityType": DEL } },
    notApplicable: { "read replica": { changes: replica, reason: /read replica/ }, "dev stack": { facts: { env: "dev" }, changes: { "settings.availabilityType": "ZONAL" }, reason: /prod stacks only/ } },
  },
  "gcp-sql-instance-require-ssl": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { "unencrypted allowed": { "settings.ipConfiguration.sslMode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED" }, "ssl mode unset": { "settings.ipConfiguration.sslMode": DEL } },
    compliant: { "client certificates (stricter) also pass": { "settings.ipConfiguration.sslMode": "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" } },
  },
  "gcp-sql-instance-deny-public-ip": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { "public ip": { "settings.ipConfiguration.ipv4Enabled": true }, "ipv4Enabled unset is public": { "settings.ipConfiguration.ipv4Enabled": DEL } },
  },
  "gcp-sql-instance-deny-open-network": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { "0.0.0.0/0 authorized": { "settings.ipConfiguration.authorizedNetworks": [{ name: "all", value: "0.0.0.0/0" }] } },
    compliant: { "office range": { "settings.ipConfiguration.authorizedNetworks": [{ name: "office", value: "203.0.113.0/24" }] } },
  },
  "gcp-sql-instance-require-cmek": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { "no key": { encryptionKeyName: DEL } },
    compliant: { "key id unknown in preview": { encryptionKeyName: UNKNOWN } },
  },
  "gcp-sql-instance-require-deletion-protection": {
    kind: "resource",
    fixture: sqlInstance,
    failing: {
      "no pulumi protect": { $protect: false },
      "provider flag off": { deletionProtection: false },
      "API flag off": { "settings.deletionProtectionEnabled": false },
    },
    notApplicable: { "read replica": { changes: replica, reason: /read replica/ }, "rct stack": { facts: { env: "rct" }, changes: { $protect: false }, reason: /prod stacks only/ } },
  },
  "gcp-storage-bucket-enforce-public-access-prevention": {
    kind: "resource",
    fixture: bucket,
    failing: { inherited: { publicAccessPrevention: "inherited" }, unset: { publicAccessPrevention: DEL } },
  },
  "gcp-storage-bucket-require-uniform-access": { kind: "resource", fixture: bucket, failing: { "fine-grained ACLs": { uniformBucketLevelAccess: false }, unset: { uniformBucketLevelAccess: DEL } } },
  "gcp-storage-bucket-require-versioning": {
    kind: "resource",
    fixture: bucket,
    failing: { off: { "versioning.enabled": false }, unset: { versioning: DEL } },
    notApplicable: { "retention policy (GCS forbids both)": { changes: { versioning: DEL, "retentionPolicy.retentionPeriod": "2592000" }, reason: /retention policy/ } },
  },
  "gcp-storage-bucket-require-soft-delete": {
    kind: "resource",
    fixture: bucket,
    failing: { "7 days": { "softDeletePolicy.retentionDurationSeconds": 7 * 86_400 }, "GCS default": { softDeletePolicy: DEL } },
    compliant: { "retention lock instead": { softDeletePolicy: DEL, "retentionPolicy.retentionPeriod": String(35 * 86_400) } },
    notApplicable: { "not a backup bucket": { changes: { ...documents, softDeletePolicy: DEL }, reason: /not a backup bucket/ } },
  },
  "gcp-storage-bucket-deny-force-destroy": {
    kind: "resource",
    fixture: bucket,
    failing: { "force destroy": { forceDestroy: true } },
    notApplicable: { "dev stack": { facts: { env: "dev" }, changes: { forceDestroy: true }, reason: /prod stacks only/ } },
  },
  "gcp-storage-bucket-require-cmek": { kind: "resource", fixture: bucket, failing: { "no default key": { encryption: DEL } } },
  "gcp-redis-instance-require-auth": {
    kind: "resource",
    fixture: redis,
    failing: { "auth off": { authEnabled: false }, "auth unset": { authEnabled: DEL } },
  },
  "gcp-redis-instance-require-transit-encryption": {
    kind: "resource",
    fixture: redis,
    failing: { disabled: { transitEncryptionMode: "DISABLED" }, unset: { transitEncryptionMode: DEL } },
  },
  "gcp-redis-instance-require-persistence": {
    kind: "resource",
    fixture: redis,
    failing: { "persistence disabled": { "persistenceConfig.persistenceMode": "DISABLED" }, "no persistence config": { persistenceConfig: DEL } },
    compliant: { "default 24 h snapshots within 48 h": { "persistenceConfig.rdbSnapshotPeriod": DEL } },
    notApplicable: { "document does not ask": { facts: { persistenceRequired: false }, changes: { persistenceConfig: DEL }, reason: /does not ask/ } },
  },
  "gcp-gke-cluster-require-private-nodes": { kind: "resource", fixture: gke, failing: { "public nodes": { "privateClusterConfig.enablePrivateNodes": false }, unset: { privateClusterConfig: DEL } } },
  "gcp-gke-cluster-restrict-control-plane": {
    kind: "resource",
    fixture: gke,
    failing: {
      "0/0 authorized": { "masterAuthorizedNetworksConfig.cidrBlocks": [{ cidrBlock: "0.0.0.0/0" }] },
      "no authorized networks": { masterAuthorizedNetworksConfig: DEL },
      "all GCP public IPs": { "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled": true },
    },
    compliant: { "private endpoint": { masterAuthorizedNetworksConfig: DEL, "privateClusterConfig.enablePrivateEndpoint": true } },
  },
  "gcp-gke-cluster-require-network-policy": {
    kind: "resource",
    fixture: gke,
    failing: { "legacy datapath, no network policy": { datapathProvider: "LEGACY_DATAPATH" }, "nothing set": { datapathProvider: DEL } },
    compliant: { "calico networkPolicy block instead of Dataplane V2": { datapathProvider: DEL, networkPolicy: { enabled: true, provider: "CALICO" } } },
  },
  "gcp-gke-cluster-require-workload-identity": {
    kind: "resource",
    fixture: gke,
    failing: { "no workload pool": { workloadIdentityConfig: DEL }, "GCE metadata on default pool": { "nodeConfig.workloadMetadataConfig.mode": "GCE_METADATA" } },
  },
  "gcp-gke-cluster-deny-default-service-account": {
    kind: "resource",
    fixture: gke,
    failing: { "default node pool kept with default SA": { removeDefaultNodePool: false } },
    compliant: { "default pool kept with dedicated SA": { removeDefaultNodePool: false, "nodeConfig.serviceAccount": "gke-nodes@p.iam.gserviceaccount.com" } },
  },
  "gcp-gke-cluster-require-secrets-encryption": {
    kind: "resource",
    fixture: gke,
    failing: { decrypted: { "databaseEncryption.state": "DECRYPTED" }, "no key": { "databaseEncryption.keyName": DEL }, unset: { databaseEncryption: DEL } },
  },
  "gcp-gke-cluster-require-shielded-nodes": {
    kind: "resource",
    fixture: gke,
    failing: { "shielded nodes off": { enableShieldedNodes: false }, "default pool without secure boot": { removeDefaultNodePool: false } },
  },
  "gcp-gke-cluster-require-release-channel": {
    kind: "resource",
    fixture: gke,
    failing: { unspecified: { "releaseChannel.channel": "UNSPECIFIED" }, unset: { releaseChannel: DEL } },
  },
  "gcp-gke-cluster-require-deletion-protection": {
    kind: "resource",
    fixture: gke,
    failing: { "no protect": { $protect: false }, "flag off": { deletionProtection: false } },
  },
  "gcp-compute-https-proxy-require-ssl-policy": { kind: "resource", fixture: httpsProxy, failing: { "no ssl policy": { sslPolicy: DEL } } },
  "gcp-compute-ssl-policy-require-tls12": {
    kind: "resource",
    fixture: sslPolicy,
    failing: { "TLS 1.0": { minTlsVersion: "TLS_1_0" }, "TLS 1.1": { minTlsVersion: "TLS_1_1" }, "unset (TLS 1.0)": { minTlsVersion: DEL } },
    compliant: { "TLS 1.3": { minTlsVersion: "TLS_1_3" } },
  },
  "gcp-compute-backend-service-require-cloud-armor": {
    kind: "resource",
    fixture: backend,
    failing: { "no security policy": { securityPolicy: DEL }, "default scheme is external": { loadBalancingScheme: DEL, securityPolicy: DEL } },
    notApplicable: { "internal backend": { changes: { loadBalancingScheme: "INTERNAL_MANAGED", securityPolicy: DEL }, reason: /internal/ } },
  },
  "gcp-compute-firewall-deny-open-ingress": {
    kind: "resource",
    fixture: firewall,
    failing: {
      "ssh from anywhere": { "allows.0.ports": ["22"] },
      "all protocols from anywhere": { "allows.0": { protocol: "all" } },
      "every tcp port": { "allows.0.ports": DEL },
      "ipv6 anywhere": { sourceRanges: ["::/0"], "allows.0.ports": ["3306"] },
    },
    compliant: { "ssh from IAP only": { sourceRanges: ["35.235.240.0/20"], "allows.0.ports": ["22"] } },
    notApplicable: { egress: { changes: { direction: "EGRESS", "allows.0.ports": ["22"] }, reason: /egress/ } },
  },
  "gcp-kms-crypto-key-require-rotation": {
    kind: "resource",
    fixture: kmsKey,
    failing: { "yearly rotation": { rotationPeriod: "31536000s" }, "no rotation": { rotationPeriod: DEL } },
    notApplicable: { "asymmetric key": { changes: { purpose: "ASYMMETRIC_SIGN", rotationPeriod: DEL }, reason: /rotates only symmetric/ } },
  },
  "gcp-kms-crypto-key-require-protection": { kind: "resource", fixture: kmsKey, failing: { "not protected": { $protect: false } } },
  "gcp-location-resource-require-allowed-location": {
    kind: "resource",
    fixture: keyRing,
    failing: { "US key ring": { location: "us-central1" }, "global key ring": { location: "global" }, "no location": { location: DEL } },
    compliant: { "EU multi-region (KMS spelling)": { location: "europe" } },
  },
};

/** Extra residency specs on other located types (same rule, different fixtures). */
export const RESIDENCY_EXTRA: { name: string; fixture: typeof bucket; others?: (typeof bucket)[]; changes: Record<string, unknown>; fails: boolean; facts?: object }[] = [
  { name: "bucket in US", fixture: bucket, changes: { location: "US" }, fails: true },
  { name: "bucket in EU multi-region", fixture: bucket, changes: { location: "EU" }, fails: false },
  { name: "cryptocare: EU multi-region is not Zurich", fixture: bucket, changes: { location: "EU" }, fails: true, facts: { allowedLocations: ["europe-west6", "europe-west3"] } },
  { name: "cryptocare: Frankfurt planned instance", fixture: sqlInstance, changes: { region: "europe-west3" }, fails: false, facts: { allowedLocations: ["europe-west6", "europe-west3"] } },
  { name: "sql in belgium for a Zurich-only stack", fixture: sqlInstance, changes: { region: "europe-west1" }, fails: true, facts: { allowedLocations: ["europe-west6"] } },
  { name: "GKE zonal location in an allowed region", fixture: gke, changes: { location: "europe-west6-a" }, fails: false },
  { name: "redis in us-east1", fixture: redis, changes: { region: "us-east1" }, fails: true },
  { name: "cloud run falls back to the provider region", fixture: cloudRun, others: [provider], changes: { location: DEL }, fails: false },
  { name: "cloud run: provider region outside", fixture: cloudRun, others: [{ ...provider, inputs: { project: "p", region: "us-central1" } }], changes: { location: DEL }, fails: true },
];

export const GKE_NODE_POOL_CASES = [
  { rule: "gcp-gke-cluster-deny-default-service-account", changes: { "nodeConfig.serviceAccount": DEL } },
  { rule: "gcp-gke-cluster-deny-default-service-account", changes: { "nodeConfig.serviceAccount": "123-compute@developer.gserviceaccount.com" } },
  { rule: "gcp-gke-cluster-require-shielded-nodes", changes: { "nodeConfig.shieldedInstanceConfig.enableSecureBoot": false } },
  { rule: "gcp-gke-cluster-require-workload-identity", changes: { "nodeConfig.workloadMetadataConfig.mode": "GCE_METADATA" } },
];

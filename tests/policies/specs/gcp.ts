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
      retainBackupsOnDelete: true,
      databaseFlags: [
        { name: "log_connections", value: "on" },
        { name: "log_disconnections", value: "on" },
        { name: "log_statement", value: "ddl" },
        { name: "cloudsql.enable_pgaudit", value: "on" },
        { name: "log_min_error_statement", value: "error" },
      ],
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
const secret = res("gcp:secretmanager/secret:Secret", "db-password", { secretId: "db-password", replication: { userManaged: { replicas: [{ location: "europe-west6" }] } } });
const regionalSecret = res("gcp:secretmanager/regionalSecret:RegionalSecret", "api-key", { secretId: "api-key", location: "europe-west6" });

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
  management: { autoRepair: true, autoUpgrade: true },
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
const subnet = res("gcp:compute/subnetwork:Subnetwork", "app", {
  network: UNKNOWN,
  region: "europe-west6",
  ipCidrRange: "10.10.0.0/20",
  logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
});
const armor = res("gcp:compute/securityPolicy:SecurityPolicy", "web-armor", {
  rules: [
    { action: "deny(403)", priority: 1000, preview: false, match: { expr: { expression: "evaluatePreconfiguredWaf('sqli-v33-stable')" } } },
    { action: "allow", priority: 2147483647, match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } } },
  ],
});
const redirectMap = res("gcp:compute/uRLMap:URLMap", "web-redirect-map", { defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false } });
const httpProxy = res("gcp:compute/targetHttpProxy:TargetHttpProxy", "web-http", { urlMap: UNKNOWN }, { propertyDependencies: { urlMap: [redirectMap.urn] } });
export const runService = res("gcp:cloudrunv2/service:Service", "api-service", {
  location: "europe-west6",
  ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  invokerIamDisabled: true,
  template: { serviceAccount: "api@p.iam.gserviceaccount.com", containers: [{ image: "europe-west6-docker.pkg.dev/p/apps/api:1.0.0" }] },
});
export const bucketMember = res("gcp:storage/bucketIAMMember:BucketIAMMember", "documents-api-reader", {
  bucket: UNKNOWN,
  role: "roles/storage.objectViewer",
  member: "serviceAccount:api@p.iam.gserviceaccount.com",
});
export const projectMember = res("gcp:projects/iAMMember:IAMMember", "api-sql-client", { project: "p", role: "roles/cloudsql.client", member: "serviceAccount:api@p.iam.gserviceaccount.com" });
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
    failing: {
      "0.0.0.0/0 authorized": { "settings.ipConfiguration.authorizedNetworks": [{ name: "all", value: "0.0.0.0/0" }] },
      "0.0.0.0/1 + 128.0.0.0/1 (the same, split)": { "settings.ipConfiguration.authorizedNetworks": [{ value: "0.0.0.0/1" }, { value: "128.0.0.0/1" }] },
      "half the Internet": { "settings.ipConfiguration.authorizedNetworks": [{ value: "64.0.0.0/2" }] },
      "not a CIDR": { "settings.ipConfiguration.authorizedNetworks": [{ name: "office", value: "203.0.113.0/33" }] },
    },
    compliant: {
      "office range": { "settings.ipConfiguration.authorizedNetworks": [{ name: "office", value: "203.0.113.0/24" }] },
      "private ranges, however wide": { "settings.ipConfiguration.authorizedNetworks": [{ value: "10.0.0.0/8" }, { value: "172.16.0.0/12" }] },
      "unknown range": { "settings.ipConfiguration.authorizedNetworks": [{ value: UNKNOWN }] },
    },
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
      "0.0.0.0/1 + 128.0.0.0/1 authorized": { "masterAuthorizedNetworksConfig.cidrBlocks": [{ cidrBlock: "0.0.0.0/1" }, { cidrBlock: "128.0.0.0/1" }] },
      "every IPv6 global unicast address": { "masterAuthorizedNetworksConfig.cidrBlocks": [{ cidrBlock: "2000::/3" }] },
      "not a CIDR": { "masterAuthorizedNetworksConfig.cidrBlocks": [{ cidrBlock: "office" }] },
      "no authorized networks": { masterAuthorizedNetworksConfig: DEL },
      "all GCP public IPs": { "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled": true },
      "a private endpoint whose authorized networks add up to everything": {
        "privateClusterConfig.enablePrivateEndpoint": true,
        "masterAuthorizedNetworksConfig.cidrBlocks": [{ cidrBlock: "0.0.0.0/1" }, { cidrBlock: "128.0.0.0/1" }],
      },
    },
    compliant: {
      "private endpoint": { masterAuthorizedNetworksConfig: DEL, "privateClusterConfig.enablePrivateEndpoint": true },
      "private endpoint with no authorized range": { "masterAuthorizedNetworksConfig.cidrBlocks": [], "privateClusterConfig.enablePrivateEndpoint": true },
    },
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
    failing: {
      "TLS 1.0": { minTlsVersion: "TLS_1_0" },
      "TLS 1.1": { minTlsVersion: "TLS_1_1" },
      "unset (TLS 1.0)": { minTlsVersion: DEL },
      "COMPATIBLE profile": { profile: "COMPATIBLE" },
      "profile unset (COMPATIBLE)": { profile: DEL },
      "CUSTOM with an RSA key-exchange suite": { profile: "CUSTOM", customFeatures: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"] },
    },
    compliant: {
      "TLS 1.3": { minTlsVersion: "TLS_1_3" },
      "RESTRICTED profile": { profile: "RESTRICTED" },
      "CUSTOM with ECDHE AEAD suites only": { profile: "CUSTOM", customFeatures: ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"] },
    },
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
      "no source at all (GCP applies 0.0.0.0/0), ssh": { sourceRanges: DEL, "allows.0.ports": ["22"] },
      "0.0.0.0/1 + 128.0.0.0/1, ssh": { sourceRanges: ["0.0.0.0/1", "128.0.0.0/1"], "allows.0.ports": ["22"] },
      "a port range that spans ssh": { "allows.0.ports": ["1-1024"] },
      "source range that is not a CIDR": { sourceRanges: ["0.0.0.0/0", "everywhere"] },
    },
    compliant: {
      "ssh from IAP only": { sourceRanges: ["35.235.240.0/20"], "allows.0.ports": ["22"] },
      "ssh from instances with a tag (no range)": { sourceRanges: DEL, sourceTags: ["bastion"], "allows.0.ports": ["22"] },
      "health-check ranges on any port": { sourceRanges: ["35.191.0.0/16", "130.211.0.0/22"], "allows.0.ports": ["8080"] },
      "unknown source ranges": { sourceRanges: UNKNOWN, "allows.0.ports": ["22"] },
    },
    notApplicable: {
      egress: { changes: { direction: "EGRESS", "allows.0.ports": ["22"] }, reason: /egress/ },
      "deny rule": { changes: { allows: DEL, denies: [{ protocol: "all" }] }, reason: /deny rule/ },
    },
  },
  "gcp-kms-crypto-key-require-rotation": {
    kind: "resource",
    fixture: kmsKey,
    failing: {
      "yearly rotation": { rotationPeriod: "31536000s" },
      "no rotation": { rotationPeriod: DEL },
      "bare number (not seconds: the API refuses it)": { rotationPeriod: 90 },
      "bare numeric string": { rotationPeriod: "90" },
      "days unit (not protobuf syntax)": { rotationPeriod: "90d" },
    },
    compliant: { "30 days": { rotationPeriod: "2592000s" }, "unknown period": { rotationPeriod: UNKNOWN } },
    notApplicable: { "asymmetric key": { changes: { purpose: "ASYMMETRIC_SIGN", rotationPeriod: DEL }, reason: /rotates only symmetric/ } },
  },
  "gcp-kms-crypto-key-require-protection": { kind: "resource", fixture: kmsKey, failing: { "not protected": { $protect: false } } },
  "gcp-location-resource-require-allowed-location": {
    kind: "resource",
    fixture: keyRing,
    failing: { "US key ring": { location: "us-central1" }, "global key ring": { location: "global" }, "no location": { location: DEL } },
    compliant: { "EU multi-region (KMS spelling)": { location: "europe" } },
  },
  "gcp-iam-binding-deny-public-principal": {
    kind: "resource",
    fixture: bucketMember,
    failing: {
      "allUsers on a bucket": { member: "allUsers" },
      "allAuthenticatedUsers on a bucket": { member: "allAuthenticatedUsers" },
      "member that is not a principal": { member: "everyone" },
    },
    compliant: { "member computed at deploy time": { member: UNKNOWN }, "a group": { member: "group:ops@example.com" } },
  },
  "gcp-iam-project-deny-admin-service-account": {
    kind: "resource",
    fixture: projectMember,
    failing: {
      "roles/editor to a service account": { role: "roles/editor" },
      "roles/owner to a service account": { role: "roles/owner" },
      "an *Admin role to a service account": { role: "roles/iam.serviceAccountAdmin" },
      "roles/editor to a service account created by the same program (unknown email)": { role: "roles/editor", member: UNKNOWN },
      "roles/editor to a member that is not a principal": { role: "roles/editor", member: "api@p.iam.gserviceaccount.com" },
    },
    compliant: { "roles/editor to a human group": { role: "roles/editor", member: "group:admins@example.com" }, "narrow role, unknown member": { member: UNKNOWN } },
  },
  "gcp-cloudrun-service-restrict-ingress": {
    kind: "resource",
    fixture: runService,
    failing: { "ingress from all with the invoker check off": { ingress: "INGRESS_TRAFFIC_ALL" }, "ingress unset (all) with the invoker check off": { ingress: DEL } },
    compliant: {
      "ingress from all, invoker IAM check kept": { ingress: "INGRESS_TRAFFIC_ALL", invokerIamDisabled: false },
      "internal only": { ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY" },
      "ingress unknown": { ingress: UNKNOWN },
    },
  },
  "gcp-cloudrun-service-deny-default-service-account": {
    kind: "resource",
    fixture: runService,
    failing: { "no service account (the default compute one)": { "template.serviceAccount": DEL }, "the default compute service account by name": { "template.serviceAccount": "123456-compute@developer.gserviceaccount.com" } },
    compliant: { "service account created by the program (unknown)": { "template.serviceAccount": UNKNOWN } },
  },
  "gcp-compute-http-proxy-require-https-redirect": {
    kind: "stack",
    fixture: [redirectMap, httpProxy],
    failing: {
      "the HTTP URL map serves the app": { target: "web-redirect-map", changes: { defaultService: UNKNOWN } },
      "a path rule serves the API over HTTP": { target: "web-redirect-map", changes: { pathMatchers: [{ name: "main", defaultUrlRedirect: { httpsRedirect: true }, pathRules: [{ paths: ["/api/*"], service: UNKNOWN }] }] } },
      "redirect without https": { target: "web-redirect-map", changes: { "defaultUrlRedirect.httpsRedirect": false } },
    },
    compliant: { "redirect flag unknown": { target: "web-redirect-map", changes: { "defaultUrlRedirect.httpsRedirect": UNKNOWN } } },
  },
  "gcp-compute-security-policy-deny-preview-rules": {
    kind: "resource",
    fixture: armor,
    failing: { "WAF rule in preview mode": { "rules.0.preview": true }, "preview flag that is not a boolean": { "rules.0.preview": "false" } },
    compliant: { "preview unset": { "rules.0.preview": DEL } },
  },
  "gcp-gke-cluster-deny-legacy-abac": { kind: "resource", fixture: gke, failing: { "legacy ABAC on": { enableLegacyAbac: true } }, compliant: { "explicitly off": { enableLegacyAbac: false } } },
  "gcp-gke-cluster-deny-client-certificate": {
    kind: "resource",
    fixture: gke,
    failing: { "client certificate issued": { "masterAuth.clientCertificateConfig.issueClientCertificate": true } },
    compliant: { "explicitly not issued": { "masterAuth.clientCertificateConfig.issueClientCertificate": false } },
  },
  "gcp-gke-cluster-require-logging": {
    kind: "resource",
    fixture: gke,
    failing: {
      "logging off": { loggingService: "none" },
      "monitoring off": { monitoringService: "none" },
      "no logging components": { "loggingConfig.enableComponents": [] },
      "monitoring without system components": { "monitoringConfig.enableComponents": ["APISERVER"] },
    },
    compliant: { "explicit defaults": { loggingService: "logging.googleapis.com/kubernetes", "loggingConfig.enableComponents": ["SYSTEM_COMPONENTS", "WORKLOADS"] } },
  },
  "gcp-gke-node-pool-require-auto-management": {
    kind: "resource",
    fixture: nodePool,
    failing: { "auto-repair off": { "management.autoRepair": false }, "auto-upgrade off": { "management.autoUpgrade": false } },
    compliant: { "no management block (both default on)": { management: DEL } },
  },
  "gcp-sql-instance-require-audit-flags": {
    kind: "resource",
    fixture: sqlInstance,
    failing: {
      "log_connections off": { "settings.databaseFlags.0.value": "off" },
      "log_disconnections unset": { "settings.databaseFlags.1": { name: "log_checkpoints", value: "on" } },
      "log_statement none": { "settings.databaseFlags.2.value": "none" },
      "pgaudit off": { "settings.databaseFlags.3.value": "off" },
      "log_min_error_statement too quiet (fatal)": { "settings.databaseFlags.4.value": "fatal" },
      "log_min_messages error": { "settings.databaseFlags.5": { name: "log_min_messages", value: "error" } },
      "log_error_verbosity terse": { "settings.databaseFlags.5": { name: "log_error_verbosity", value: "terse" } },
      "log_min_duration_statement logs statements": { "settings.databaseFlags.5": { name: "log_min_duration_statement", value: "0" } },
      "no flags at all": { "settings.databaseFlags": DEL },
    },
    compliant: {
      "flag value unknown": { "settings.databaseFlags.3.value": UNKNOWN },
      "upper-case value": { "settings.databaseFlags.0.value": "ON" },
      "a flag computed at deploy time may be the missing one": { "settings.databaseFlags.3": UNKNOWN },
    },
    notApplicable: { mysql: { changes: { databaseVersion: "MYSQL_8_0" }, reason: /mysql instance/ } },
  },
  "gcp-sql-instance-require-retained-backups": {
    kind: "resource",
    fixture: sqlInstance,
    failing: { "backups deleted with the instance": { "settings.retainBackupsOnDelete": false }, "unset (false)": { "settings.retainBackupsOnDelete": DEL } },
    notApplicable: {
      "read replica": { changes: replica, reason: /read replica/ },
      "dev stack": { facts: { env: "dev" }, changes: { "settings.retainBackupsOnDelete": false }, reason: /prod stacks only/ },
    },
  },
  "gcp-compute-subnetwork-require-flow-logs": {
    kind: "resource",
    fixture: subnet,
    failing: { "flow logs off": { logConfig: DEL } },
    compliant: { "purpose PRIVATE explicitly": { purpose: "PRIVATE" } },
    notApplicable: { "proxy-only subnet": { changes: { purpose: "REGIONAL_MANAGED_PROXY", role: "ACTIVE", logConfig: DEL }, reason: /flow logs are not available/ } },
  },
  "gcp-kms-crypto-key-require-destroy-delay": {
    kind: "resource",
    fixture: kmsKey,
    failing: {
      "1-day destroy window": { destroyScheduledDuration: "86400s" },
      "bare number": { destroyScheduledDuration: 2592000 },
      "days unit (not protobuf syntax)": { destroyScheduledDuration: "30d" },
    },
    compliant: { "60 days": { destroyScheduledDuration: "5184000s" }, "unknown": { destroyScheduledDuration: UNKNOWN } },
  },
};

/** Extra residency specs on other located types (same rule, different fixtures). */
export const RESIDENCY_EXTRA: { name: string; fixture: typeof bucket; others?: (typeof bucket)[]; changes: Record<string, unknown>; fails: boolean; facts?: object }[] = [
  { name: "bucket in US", fixture: bucket, changes: { location: "US" }, fails: true },
  { name: "bucket in EU multi-region", fixture: bucket, changes: { location: "EU" }, fails: false },
  { name: "cryptocare: EU multi-region is not Zurich", fixture: bucket, changes: { location: "EU" }, fails: true, facts: { allowedLocations: ["europe-west6", "europe-west3"] } },
  { name: "cryptocare: Frankfurt planned instance", fixture: sqlInstance, changes: { region: "europe-west3", "settings.backupConfiguration.location": "europe-west3" }, fails: false, facts: { allowedLocations: ["europe-west6", "europe-west3"] } },
  { name: "cryptocare: backups left in the EU multi-region default", fixture: sqlInstance, changes: { region: "europe-west3" }, fails: true, facts: { allowedLocations: ["europe-west6", "europe-west3"] } },
  { name: "sql backups in the US", fixture: sqlInstance, changes: { "settings.backupConfiguration.location": "us" }, fails: true },
  { name: "sql backups in an allowed region", fixture: sqlInstance, changes: { "settings.backupConfiguration.location": "europe-west6" }, fails: false },
  { name: "secret replicated in Zurich", fixture: secret, changes: {}, fails: false },
  { name: "secret with automatic (global) replication", fixture: secret, changes: { replication: { auto: {} } }, fails: true },
  { name: "secret with a US replica", fixture: secret, changes: { "replication.userManaged.replicas": [{ location: "europe-west6" }, { location: "us-central1" }] }, fails: true },
  { name: "secret replica location unknown", fixture: secret, changes: { "replication.userManaged.replicas.0.location": UNKNOWN }, fails: false },
  { name: "regional secret in the US", fixture: regionalSecret, changes: { location: "us-east1" }, fails: true },
  { name: "regional secret in Zurich", fixture: regionalSecret, changes: {}, fails: false },
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
  { rule: "gcp-gke-cluster-require-shielded-nodes", changes: { "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring": false } },
  { rule: "gcp-gke-cluster-require-workload-identity", changes: { "nodeConfig.workloadMetadataConfig.mode": "GCE_METADATA" } },
];

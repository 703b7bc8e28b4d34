/**
 * CRM Courtier (docs/platforms/crm-courtier.md): a multi-tenant CRM for insurance brokers whose
 * tenants (cabinets) are data. § 04 Scaling Multi-Cabinets draws the target: "3 Backend Instances
 * (Laravel Octane)", "2 Shards MariaDB (master-slave chacun)", "Redis Cluster (3 nodes)",
 * "S3/MinIO Object Storage", prioritised queue workers and a production frontend build.
 *
 * Two kinds of stack: `crm-courtier-shared` is the GKE cluster foundation (stacks/gke-cluster-foundation.ts)
 * with mariadb-operator, the Redis operator and KEDA; `crm-courtier-<env>` holds the env's
 * workloads. The document recommends OVH/Hetzner, so the env stacks create nothing GKE-only: they
 * reach any conformant cluster by kubeconfig (`access.source: kubeconfig`), take its storage class
 * as data, authenticate to object storage with HMAC keys (S3 API) rather than Workload Identity,
 * and keep their Google resources (buckets, keys, probe) to plain GCP APIs. The edge (CDN + WAF) is
 * one of those: a Google global load balancer whose backend is an internet NEG to the cluster
 * ingress's public hostname, so it fronts a GKE, OVH or Hetzner cluster alike.
 *
 * Adding a firm is one entry in `crm-courtier:firms`: its shard (model/tenants.ts: stable), its
 * database, user and grant on that shard, its credentials Secret, its host on the gateway, its
 * files prefix with a Google account only that prefix grants. Every child is named from the firm's
 * id alone, so adding a firm never renames another's. A firm host under the env's tenant domain
 * (`<firm>.crm-courtier.fr`) is served by the env's one wildcard certificate, issued through ACME
 * DNS-01 by the foundation's `letsencrypt-production-dns01` (Cloud DNS): no solver pod and one Let's
 * Encrypt certificate however many firms (Let's Encrypt allows 50 per registered domain per week).
 * A firm on its own domain gets its own certificate through HTTP-01.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PrivateClusterCa } from "../components/common/private-ca";
import { Bucket } from "../components/gcp/bucket";
import { HttpsLoadBalancer, wildcardCovers } from "../components/gcp/https-load-balancer";
import { EncryptionKeys } from "../components/gcp/encryption-keys";
import { Monitoring } from "../components/gcp/monitoring";
import { ApiGateway } from "../components/k8s/api-gateway";
import { dns01IssuerName } from "../components/k8s/cert-manager";
import { MariadbShard, mariadbShardFlows } from "../components/k8s/mariadb";
import { ACME_SOLVER_POD_LABELS, ACME_SOLVER_PORT, DATA_PORTS, NetworkFlows, redisClusterFlows, type Flow } from "../components/k8s/network-flows";
import { PlatformAlertRules } from "../components/k8s/prometheus-rules";
import { QueueWorker, queueWorkerPodSelector } from "../components/k8s/queue-worker";
import { RedisCluster, redisLeaderService, redisPodSelector } from "../components/k8s/redis-cluster";
import { TRAEFIK_POD_LABELS } from "../components/k8s/traefik";
import { WebApp, webAppPodSelector } from "../components/k8s/web-app";
import { ENV_TRAITS, type AppEnv } from "../model/envs";
import { FIRM_ID, FIRM_PLANS, placeFirms, type FirmPlan } from "../model/tenants";
import { emailAddress, gcpProjectId, gcpProjectSchema, hostname, pinnedImage, secretString } from "./config";
import { envProject } from "./env-project";
import { DEFAULT_MASTER_CIDR, envDataCaName, envNamespaces, GKE_CLUSTER_DEFAULTS, gkeClusterFoundation, SHARED_NAMESPACES } from "./gke-cluster-foundation";
import { definePlatform, envsOf, platformDefinition, type ComplianceFacts, type StackContext } from "./platform";
import { clusterAccessSchema, clusterProvider } from "./shared-stack";

const DOC = "docs/platforms/crm-courtier.md";
const PLATFORM = "crm-courtier";

/** Regions the cluster, buckets and backups may use: GDPR (§ RGPD) keeps data in the EU. */
export const CRM_COURTIER_REGIONS = ["europe-west1", "europe-west9", "europe-west4"] as const;
/** "S3 versioning + cross-region replication" (§ Backup Strategy): the EUR4 dual-region (Finland + Netherlands), both in the EU. */
export const FILES_LOCATION = "EUR4";

export const crmCourtierNamespaces = (env: AppEnv) => envNamespaces(PLATFORM, env);

/** § 04 Scaling: "2 Shards MariaDB (master-slave chacun)". */
export const SHARDS = ["shard-0", "shard-1"] as const;

/** Laravel's priority queues (§ 04 Scaling: "Multi-workers + prioritized queues"), highest first. */
export const QUEUES = ["high", "default", "low"] as const;

/** A queue's Redis list: Laravel's key with a hash tag (one slot per queue on a Redis Cluster; REDIS_PREFIX empty). */
export const queueKey = (queue: string) => `queues:{${queue}}`;

/**
 * The domains whose Cloud DNS zones the foundation's DNS-01 issuer writes to (its `selector.dnsZones`):
 * every env's tenant domain lies in one of them (crm-courtier.fr, dev.crm-courtier.fr, …).
 */
export const CRM_DNS_ZONES = ["crm-courtier.fr"] as const;

/** The ClusterIssuer an env's firm wildcard comes from by default: the foundation's DNS-01 Let's Encrypt issuer. */
export const WILDCARD_ISSUER = dns01IssuerName("letsencrypt-production");

/** The domain whose direct subdomains share the firms' wildcard certificate: the key, else the parent of the platform's host. */
export const tenantDomainOf = (c: Pick<CrmCourtierConfig, "host" | "tenantDomain">): string => c.tenantDomain ?? c.host.slice(c.host.indexOf(".") + 1);

/** § 03 Infrastructure: "Upload 200MB" (Apache/PHP configuration, kept at the edge). */
export const UPLOAD_MAX_BYTES = 200 * 1024 * 1024;

/**
 * § Sécurité API: "Throttle sur routes critiques (audio upload, IA)", per client IP and minute, the
 * same figures at the Google edge (Cloud Armor) and in the cluster (Traefik): 10 audio uploads and
 * 20 AI calls (ours: the document names the routes, not the counts), and 5 logins (Laravel
 * Fortify's default).
 */
export const EDGE_RATE_LIMITS = {
  recordings: { pathPrefixes: ["/api/recordings"], count: 10 },
  ai: { pathPrefixes: ["/api/ai"], count: 20 },
  login: { pathPrefixes: ["/api/login"], count: 5 },
} as const;

/**
 * An upload of 200 MB at 10 Mbit/s takes about 170 s: the API backend's response timeout (the load
 * balancer's default is 30 s) leaves room for it.
 */
export const EDGE_API_TIMEOUT_SEC = 300;

const firmSchema = z.strictObject({
  /** Stable id: names the firm's database, user, Secret, host prefix and Google account. Never change it. */
  id: z.string().regex(FIRM_ID).max(20).describe("a DNS label of at most 20 characters"),
  /** § Modèle de tarification SaaS: Starter (5 users), Pro (20), Enterprise (unlimited). */
  plan: z.enum(Object.keys(FIRM_PLANS) as [FirmPlan, ...FirmPlan[]]),
  /** The firm's host (a certificate is issued for it). */
  host: hostname,
  /** Pins the firm to a shard; unset, model/tenants.ts places it (stable as firms are added). */
  shard: z.enum(SHARDS).optional(),
});
export type Firm = z.output<typeof firmSchema>;

const workerSchema = z.strictObject({ minReplicas: z.number().int().min(0).max(20), maxReplicas: z.number().int().min(1).max(50) });

export const crmCourtierSchema = z.strictObject({
  gcp: gcpProjectSchema(CRM_COURTIER_REGIONS),
  deletionProtection: z.boolean(),
  access: clusterAccessSchema(PLATFORM),
  /** The cluster's storage class for volumes (GKE: premium-rwo; OVH: csi-cinder-high-speed; …). */
  storageClass: z.string().min(1),
  /** The platform's own host (the firms' hosts are in `firms`). */
  host: hostname,
  /**
   * The firms' domain: every firm host directly under it (`<firm>.<tenantDomain>`) is served by one
   * wildcard certificate issued through ACME DNS-01, which starts no solver pod and counts once
   * against Let's Encrypt's 50 certificates per registered domain per week. A firm host elsewhere
   * (its own domain) keeps its own certificate through HTTP-01. Default: the parent domain of `host`.
   */
  tenantDomain: hostname.optional().describe("the domain whose direct subdomains are firm hosts under one wildcard certificate; default: the parent domain of host"),
  /**
   * The ClusterIssuer of that wildcard: it must solve DNS-01 for `tenantDomain`. Default: the
   * foundation's `letsencrypt-production-dns01` (Cloud DNS); on another cluster, the name of one
   * solving DNS-01 with that cluster's DNS provider.
   */
  wildcardIssuer: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/).optional().describe("the name of a ClusterIssuer solving DNS-01 for tenantDomain; default: letsencrypt-production-dns01"),
  /**
   * § 03 Infrastructure "CDN + WAF": a global external Application Load Balancer on Google Cloud
   * (Cloud Armor, Cloud CDN on static assets, Certificate Manager) in front of the cluster's
   * ingress, whatever the cluster (an internet NEG reaches `originHost:443`). The platform's host
   * and the tenant domain's wildcard point at the edge's IP (`edge.ipAddress`); `originHost` points
   * at the cluster's ingress, and no firm may take it.
   */
  edge: z.strictObject({
    originHost: hostname.describe("the cluster ingress's public hostname (its DNS record points at the ingress, not at the edge)"),
    /** The Cloud DNS zone of the tenant domain: the Certificate Manager DNS authorization's CNAME is created there; without it, exported as edge.dnsAuthorizationRecords. */
    dnsZone: z.strictObject({ managedZone: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/).describe("a Cloud DNS managed zone name"), project: gcpProjectId.optional() }).optional()
      .describe("the Cloud DNS zone holding the tenant domain; unset: the DNS authorization records are exported for the operator"),
  }),
  images: z.strictObject({ backend: pinnedImage, frontend: pinnedImage, worker: pinnedImage }),
  /** § 04 Scaling: "3 Backend Instances (Laravel Octane)". */
  backend: z.strictObject({ replicas: z.number().int().min(1).max(20), maxReplicas: z.number().int().min(1).max(50) }),
  workers: z.strictObject({ high: workerSchema, default: workerSchema, low: workerSchema }),
  mariadb: z.strictObject({ replicas: z.number().int().min(0).max(3), storageGi: z.number().int().min(1).max(2000) }),
  redis: z.strictObject({ leaders: z.number().int().min(3).max(12), followers: z.number().int().min(0).max(12), storageGi: z.number().int().min(1).max(200) }),
  /** The cabinets: tenants are data. */
  firms: z.array(firmSchema).max(1000),
  sentryDsn: secretString("Sentry DSN of the backend").optional(),
  probe: z.strictObject({ notificationEmails: z.array(emailAddress).min(1).max(10) }),
  /**
   * The billing account the env project is paid from: a Cloud Billing budget alerts the probe's
   * channels when the month's spend passes the env's share of the document's budget, and again
   * past 20 % over it (§ Alertes Critiques "dépassement > 20%").
   */
  billing: z.strictObject({
    accountId: z.string().regex(/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/).describe("a billing account id such as 01A2B3-C4D5E6-F7A8B9"),
  }),
});
export type CrmCourtierConfig = z.output<typeof crmCourtierSchema>;

const documentFacts = {
  allowedLocations: [...CRM_COURTIER_REGIONS, "EU", FILES_LOCATION],
  // § Backup Strategy: "Dump quotidien".
  maxBackupIntervalHours: 24,
  // "RTO/RPO : <1h / <15min": binlogs archived within 13 minutes (components/k8s/mariadb).
  pointInTimeRecoveryRequired: true,
  maxRpoMinutes: 15,
};
const sources: ComplianceFacts["sources"] = {
  allowedLocations: `${DOC} § RGPD (EU regions; the files' EUR4 dual-region is Finland + Netherlands)`,
  minBackupRetentionDays: `${DOC} § Backup Strategy ("Snapshots : Hebdomadaire (rétention 4 semaines)"): 28 days`,
  maxBackupIntervalHours: `${DOC} § Backup Strategy ("BDD : Dump quotidien")`,
  pointInTimeRecoveryRequired: `${DOC} § Backup Strategy ("RTO/RPO : <1h / <15min")`,
  maxRpoMinutes: `${DOC} § Backup Strategy ("RTO/RPO : <1h / <15min"; the stronger requirement wins over "binlogs incrémentaux (6h)")`,
};

const common = {
  access: { source: "shared-stack" as const, apiServerCidrs: [DEFAULT_MASTER_CIDR] },
  storageClass: "premium-rwo",
};

const crmCourtierEnvsDefinition = platformDefinition({
  name: PLATFORM,
  schemaId: PLATFORM,
  document: "crm-courtier.md",
  schema: crmCourtierSchema,
  // The document sizes production; dev and rct run one backend and no MariaDB replica (ours).
  envs: {
    dev: {
      profile: { ...common, backend: { replicas: 1, maxReplicas: 2 }, workers: { high: { minReplicas: 1, maxReplicas: 2 }, default: { minReplicas: 1, maxReplicas: 2 }, low: { minReplicas: 0, maxReplicas: 1 } }, mariadb: { replicas: 1, storageGi: 10 }, redis: { leaders: 3, followers: 0, storageGi: 1 }, firms: [] },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
    },
    rct: {
      profile: { ...common, backend: { replicas: 1, maxReplicas: 2 }, workers: { high: { minReplicas: 1, maxReplicas: 2 }, default: { minReplicas: 1, maxReplicas: 2 }, low: { minReplicas: 0, maxReplicas: 1 } }, mariadb: { replicas: 1, storageGi: 10 }, redis: { leaders: 3, followers: 0, storageGi: 1 }, firms: [] },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
    },
    prod: {
      // § 04 Scaling: "3 Backend Instances", "master-slave" shards, "Redis Cluster (3 nodes)": three
      // shards, each with a follower in prod (the policy pack's rule: a shard without one stops its
      // queues with its pod).
      profile: { ...common, backend: { replicas: 3, maxReplicas: 6 }, workers: { high: { minReplicas: 2, maxReplicas: 6 }, default: { minReplicas: 2, maxReplicas: 4 }, low: { minReplicas: 2, maxReplicas: 3 } }, mariadb: { replicas: 1, storageGi: 20 }, redis: { leaders: 3, followers: 3, storageGi: 2 }, firms: [] },
      compliance: { ...documentFacts, minBackupRetentionDays: 28, sources },
    },
  },
  checkEnv: (_env, config) => {
    const placed = placeFirms(config.firms, SHARDS);
    if ("problem" in placed) return placed.problem;
    const hosts = new Set<string>();
    for (const [i, f] of config.firms.entries()) {
      if (hosts.has(f.host) || f.host === config.host) return { key: `firms[${i}].host`, expected: "a host no other firm and not the platform uses", got: JSON.stringify(f.host) };
      hosts.add(f.host);
    }
    if (config.edge.originHost === config.host || hosts.has(config.edge.originHost)) {
      return { key: "edge.originHost", expected: "the ingress's own hostname, distinct from the platform's and every firm's host (those point at the edge, which would call itself)", got: JSON.stringify(config.edge.originHost) };
    }
    const tenantDomain = tenantDomainOf(config);
    if (!tenantDomain.includes(".")) return { key: "tenantDomain", expected: `a domain of at least two labels for the firms' wildcard (the parent of host "${config.host}" is a top-level domain)`, got: JSON.stringify(tenantDomain) };
    // The foundation's issuer solves DNS-01 only in its zones: a wildcard outside them is never issued.
    if (config.access.source === "shared-stack" && (config.wildcardIssuer ?? WILDCARD_ISSUER) === WILDCARD_ISSUER && !CRM_DNS_ZONES.some((z) => tenantDomain === z || tenantDomain.endsWith(`.${z}`))) {
      return { key: config.tenantDomain ? "tenantDomain" : "host", expected: `a tenant domain in the DNS zones the foundation's ${WILDCARD_ISSUER} solves for (${CRM_DNS_ZONES.join(", ")})`, got: JSON.stringify(tenantDomain) };
    }
    if (config.backend.maxReplicas < config.backend.replicas) return { key: "backend.maxReplicas", expected: `at least backend.replicas (${config.backend.replicas})`, got: String(config.backend.maxReplicas) };
    return undefined;
  },
  compose: (ctx, config) => composeEnv(ctx, config),
});

const crmCourtierSharedDefinition = gkeClusterFoundation({
  platform: PLATFORM,
  document: "crm-courtier.md",
  regions: CRM_COURTIER_REGIONS,
  servedEnvs: envsOf(crmCourtierEnvsDefinition),
  operators: ["mariadb", "redis", "keda"],
  // The firms' wildcard certificates (one per env) through DNS-01: the zone crm-courtier.fr is
  // assumed in the foundation's own project (crm-courtier-platform).
  acmeDns01: { dnsZones: CRM_DNS_ZONES },
  compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
  profile: {
    cluster: { nodesCidr: "10.60.0.0/20", podsCidr: "10.64.0.0/14", servicesCidr: "10.68.0.0/20", ...GKE_CLUSTER_DEFAULTS },
    // § Sécurité API: "HTTPS : Obligatoire production (Let's Encrypt)".
    edge: { traefikReplicas: 2, minTlsVersion: "VersionTLS12", monitoringDomain: "crm-courtier.fr", prometheusRetention: "15d", prometheusStorageGi: 50 },
    // Sized from the capacity check's measures (every HPA and ScaledObject at its maximum plus the
    // rollout surge; the MariaDB and Redis pods; the ACME HTTP-01 solvers), with ~20% headroom on requests.
    // The firms under the env's tenant domain share one DNS-01 wildcard certificate, which starts no
    // solver pod: the measures no longer grow with the number of firms (the same at 20 and 200).
    // HTTP-01 solvers remain for the platform's host and for each firm on its own domain while its
    // certificate is issued (10m / 100m CPU, 64Mi each: cert-manager's defaults).
    // Measured (requests cpu / limits cpu / requests memory / limits memory / PVCs / storage):
    //   dev, rct app    3.3 / 14.1 / 7.1Gi / 7.1Gi (19 pods)    prod app    5.1 / 22.1 / 11.1Gi / 11.1Gi (31 pods)
    //   dev, rct infra  2.3 / 10.4 / 7.7Gi / 8.9Gi / 10 / 46Gi
    //   prod infra      3.2 / 14 / 10.9Gi / 12.3Gi / 16 / 98Gi
    namespaceQuotas: {
      dev: {
        app: { requestsCpu: "4", limitsCpu: "16", requestsMemory: "8704Mi", limitsMemory: "8704Mi", pods: "60" },
        infra: { requestsCpu: "2800m", limitsCpu: "12", requestsMemory: "9Gi", limitsMemory: "10Gi", requestsStorage: "80Gi", persistentVolumeClaims: "14" },
      },
      rct: {
        app: { requestsCpu: "4", limitsCpu: "16", requestsMemory: "8704Mi", limitsMemory: "8704Mi", pods: "60" },
        infra: { requestsCpu: "2800m", limitsCpu: "12", requestsMemory: "9Gi", limitsMemory: "10Gi", requestsStorage: "80Gi", persistentVolumeClaims: "14" },
      },
      prod: {
        // The workloads at their maximum (30 pods) and the platform host's HTTP-01 solver; the rest
        // holds the solvers of firms on their own domains being issued at once: up to 29 (limits.cpu,
        // 2.9 left at 0.1 each, is the bound before pods, 49 left, and memory, 1.9Gi left at 64Mi).
        app: { requestsCpu: "6500m", limitsCpu: "25", requestsMemory: "13Gi", limitsMemory: "13Gi", pods: "80" },
        infra: { requestsCpu: "4", limitsCpu: "16", requestsMemory: "13Gi", limitsMemory: "14Gi", requestsStorage: "150Gi", persistentVolumeClaims: "20" },
      },
    },
  },
});

export const crmCourtier = definePlatform(crmCourtierEnvsDefinition);
export const crmCourtierShared = definePlatform(crmCourtierSharedDefinition);

// ------------------------------------------------------------------------------------------------
// crm-courtier-<env>
// ------------------------------------------------------------------------------------------------

/**
 * crm-courtier.md § Modèle de tarification SaaS, Revenus estimés (20 cabinets Pro): "Coûts : €1084/mois",
 * the platform's monthly budget, shared by its stacks by weight (the shared stack carries the cluster).
 */
export const CRM_MONTHLY_BUDGET_EUR = 1084;
export const CRM_BUDGET_WEIGHTS = { shared: 55, prod: 25, rct: 10, dev: 10 } as const;
/** § Alertes Critiques "Coûts OpenAI dépassement > 20%": the spend threshold, applied to what the stack bills on GCP. */
export const CRM_SPEND_ALERT_RATIO = 1.2;

const CRM_ENV_APIS = ["billingbudgets.googleapis.com", "certificatemanager.googleapis.com", "cloudkms.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com", "dns.googleapis.com", "iam.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com", "storage.googleapis.com"];
const NAMES = { backend: "backend", frontend: "frontend", gotenberg: "gotenberg", redis: "redis", gateway: "gateway" } as const;
/** Laravel Octane's default port; nginx-unprivileged's; Gotenberg's. */
const PORTS = { backend: 8000, frontend: 8080, gotenberg: 3000 } as const;
/** Gotenberg 8, the PDF service (§ 03 Infrastructure: "gotenberg"), pinned. */
const GOTENBERG_IMAGE = "docker.io/gotenberg/gotenberg:8.21.1";

function composeEnv(ctx: StackContext<AppEnv>, c: CrmCourtierConfig): Record<string, unknown> {
  const { env } = ctx;
  const ns = crmCourtierNamespaces(env);
  const labels = { platform: PLATFORM, env };
  const deletionProtection = c.deletionProtection;
  const provider = clusterProvider(PLATFORM, c.access);
  const opts = { provider };
  const metricsLabels = { release: "kube-prometheus-stack" };
  const placement = placeFirms(c.firms, SHARDS);
  if ("problem" in placement) throw new Error(`${ctx.stack}: ${placement.problem.key}: expected ${placement.problem.expected}, got ${placement.problem.got}`);

  const project = envProject(ctx, c.gcp, CRM_ENV_APIS, deletionProtection);
  const { projectId, projectNumber, region } = c.gcp;
  const keys = new EncryptionKeys(`${PLATFORM}-${env}-storage`, {
    location: region,
    project: projectId,
    projectNumber,
    keys: { backups: { serviceAgents: ["cloud-storage"] } },
    labels,
    deletionProtection,
  }, project.opts);

  // --- MariaDB backups and binlogs through the S3 API (HMAC: works from any cluster) -----------
  const backupBucketName = `${projectId}-mariadb-backups-${env}`;
  const backupBucket = new Bucket(`${PLATFORM}-${env}-mariadb-backups`, {
    bucketName: backupBucketName,
    location: region,
    project: projectId,
    encryptionKeyName: keys.grantedKeyIds.apply((k) => k.backups),
    softDeleteRetentionDays: 30,
    labels: { ...labels, purpose: "backup" },
    deletionProtection,
  }, project.opts);
  const backupAccount = new gcp.serviceaccount.Account(`${PLATFORM}-${env}-mariadb-backup`, { project: projectId, accountId: `mariadb-backup-${env}`, displayName: `MariaDB backups and binlogs (${env})` }, { provider: project.provider });
  new gcp.storage.BucketIAMMember(`${PLATFORM}-${env}-mariadb-backup-writer`, { bucket: backupBucketName, role: "roles/storage.objectAdmin", member: pulumi.interpolate`serviceAccount:${backupAccount.email}` }, { provider: project.provider, parent: backupBucket });
  const backupKey = new gcp.storage.HmacKey(`${PLATFORM}-${env}-mariadb-backup-hmac`, { project: projectId, serviceAccountEmail: backupAccount.email }, { provider: project.provider, parent: backupAccount });
  const backupCredentials = new k8s.core.v1.Secret(`${PLATFORM}-${env}-mariadb-backup-credentials`, {
    metadata: { name: "mariadb-backup-s3", namespace: ns.infra, labels },
    type: "Opaque",
    stringData: { "access-key-id": backupKey.accessId, "secret-access-key": pulumi.secret(backupKey.secret) },
  }, opts);

  // --- the firms' files: one EUR4 bucket ("S3 versioning + cross-region replication", § Backup
  // Strategy), a prefix per firm, each firm's own Google account granted that prefix only ------------
  const filesBucketName = `${projectId}-files-${env}`;
  // A CMEK key in the bucket's own location: Cloud KMS serves the eur4 dual-region too.
  const filesKeys = new EncryptionKeys(`${PLATFORM}-${env}-files`, {
    location: FILES_LOCATION.toLowerCase(),
    project: projectId,
    projectNumber,
    keys: { files: { serviceAgents: ["cloud-storage"] } },
    labels,
    deletionProtection,
  }, project.opts);
  new Bucket(`${PLATFORM}-${env}-files`, {
    bucketName: filesBucketName,
    // A dual-region: every object is stored in both regions (Finland and the Netherlands).
    location: FILES_LOCATION,
    project: projectId,
    encryptionKeyName: filesKeys.grantedKeyIds.apply((k) => k.files),
    versioning: true,
    noncurrentVersionRetentionDays: 30,
    softDeleteRetentionDays: 30,
    labels: { ...labels, purpose: "documents" },
    deletionProtection,
  }, project.opts);
  for (const f of c.firms) {
    const account = new gcp.serviceaccount.Account(`${PLATFORM}-${env}-firm-${f.id}`, { project: projectId, accountId: `firm-${f.id}-${env}`, displayName: `Firm ${f.id}: its files prefix (${env})` }, { provider: project.provider });
    // The IAM boundary: this account reaches objects under firms/<id>/ and nothing else of the bucket.
    new gcp.storage.BucketIAMMember(`${PLATFORM}-${env}-firm-${f.id}-files`, {
      bucket: filesBucketName,
      role: "roles/storage.objectUser",
      member: pulumi.interpolate`serviceAccount:${account.email}`,
      condition: { title: `firm-${f.id}-prefix`, description: `Objects of firm ${f.id} only`, expression: `resource.name.startsWith("projects/_/buckets/${filesBucketName}/objects/firms/${f.id}/")` },
    }, { provider: project.provider, parent: account });
    const key = new gcp.storage.HmacKey(`${PLATFORM}-${env}-firm-${f.id}-hmac`, { project: projectId, serviceAccountEmail: account.email }, { provider: project.provider, parent: account });
    new k8s.core.v1.Secret(`${PLATFORM}-${env}-firm-${f.id}-storage`, {
      metadata: { name: `firm-${f.id}-storage`, namespace: ns.app, labels },
      type: "Opaque",
      stringData: { bucket: filesBucketName, prefix: `firms/${f.id}/`, endpoint: "https://storage.googleapis.com", "access-key-id": key.accessId, "secret-access-key": pulumi.secret(key.secret) },
    }, opts);
  }

  // --- the env's private CA for the data services ----------------------------------------------
  const dataCa = new PrivateClusterCa(`${PLATFORM}-${env}-data-ca`, {
    caNamespace: SHARED_NAMESPACES.certManager,
    trustNamespaces: [ns.app],
    resourceName: envDataCaName(PLATFORM, env),
    labels,
  }, opts);

  // --- two MariaDB shards; each firm on the shard model/tenants.ts places it -------------------
  const shards = SHARDS.map((shard) => new MariadbShard(shard, {
    namespace: ns.infra,
    shardName: shard,
    replicas: c.mariadb.replicas,
    storage: { size: `${c.mariadb.storageGi}Gi`, storageClass: c.storageClass },
    objectStorage: { bucket: backupBucketName, endpoint: "storage.googleapis.com", region: "auto", credentialsSecret: { name: "mariadb-backup-s3" } },
    firms: c.firms.filter((f) => placement.placement.get(f.id) === shard).map((f) => ({ id: f.id, maxUserConnections: FIRM_PLANS[f.plan].users === undefined ? 100 : 50 })),
    clientNamespaces: [ns.app],
    tls: { issuer: dataCa.issuer },
    // § Alertes Critiques: "Database slow queries > 1s".
    longQueryTimeSeconds: 1,
    labels,
    deletionProtection,
  }, { ...opts, dependsOn: [backupCredentials] }));

  // --- Redis cluster, 3 nodes (§ 04 Scaling) -----------------------------------------------------
  const redis = new RedisCluster(NAMES.redis, {
    namespace: ns.infra,
    leaders: c.redis.leaders,
    followers: c.redis.followers,
    storage: { size: `${c.redis.storageGi}Gi`, storageClassName: c.storageClass },
    // The queues' lengths, for § Alertes Critiques "Queue depth > 100 jobs".
    exporterCheckKeys: QUEUES.map(queueKey),
    tls: { issuer: dataCa.issuer },
    clientNamespaces: [ns.app],
    labels,
    deletionProtection,
  }, opts);

  // --- the application ----------------------------------------------------------------------------
  const shared = { namespace: ns.app, trustedCa: { secretName: dataCa.trustSecretName }, verticalPodAutoscaler: c.access.source === "shared-stack", labels, deletionProtection };
  const firmsJson = JSON.stringify(c.firms.map((f) => ({ id: f.id, plan: f.plan, host: f.host, shard: placement.placement.get(f.id), users: FIRM_PLANS[f.plan].users ?? null })));
  const backend = new WebApp(NAMES.backend, {
    ...shared,
    image: c.images.backend,
    replicas: c.backend.replicas,
    containerPort: PORTS.backend,
    autoscaling: { maxReplicas: c.backend.maxReplicas, targetCpuUtilizationPercent: 70 },
    probes: { readinessPath: "/up", livenessPath: "/up" },
    metrics: { labels: metricsLabels, path: "/metrics" },
    writablePaths: ["/tmp", "/var/www/html/storage/framework"],
    runAsUser: 33,
    env: {
      APP_ENV: ENV_TRAITS[env].runtimeMode,
      REDIS_CLUSTER: "redis",
      REDIS_HOST: pulumi.interpolate`${redis.leaderServiceName}.${ns.infra}.svc`,
      GOTENBERG_URL: `http://${NAMES.gotenberg}.${ns.app}.svc:${PORTS.gotenberg}`,
      TENANTS: firmsJson,
      UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES),
    },
    secretEnv: { REDIS_PASSWORD: { secretName: redis.passwordSecretName, key: "password" } },
    secretValues: c.sentryDsn ? { SENTRY_DSN: c.sentryDsn } : ({} as Record<string, pulumi.Input<string>>),
  }, opts);
  // § 04 Scaling: "Frontend Vite dev → Build production + Nginx".
  new WebApp(NAMES.frontend, { ...shared, image: c.images.frontend, replicas: Math.min(2, c.backend.replicas), containerPort: PORTS.frontend, autoscaling: { maxReplicas: 3 }, probes: { readinessPath: "/", livenessPath: "/" }, metrics: { enabled: false }, writablePaths: ["/tmp"], runAsUser: 101 }, opts);
  new WebApp(NAMES.gotenberg, { ...shared, image: GOTENBERG_IMAGE, replicas: Math.min(2, c.backend.replicas), containerPort: PORTS.gotenberg, autoscaling: { maxReplicas: 2 }, probes: { readinessPath: "/health", livenessPath: "/health" }, metrics: { enabled: false }, writablePaths: ["/tmp"], runAsUser: 1001 }, opts);

  // --- the gateway: the platform's host and one per firm, HTTPS, upload and AI rate limits ---------
  const gateway = new ApiGateway(NAMES.gateway, {
    namespace: ns.app,
    host: c.host,
    issuer: { name: "letsencrypt-production" },
    routes: [
      // § Sécurité API: "Throttle sur routes critiques (audio upload, IA)" (10 per minute per client: ours).
      { pathPrefix: "/api/recordings", service: NAMES.backend, port: PORTS.backend, rateLimit: { average: EDGE_RATE_LIMITS.recordings.count, period: "1m", burst: 5 }, maxBodyBytes: UPLOAD_MAX_BYTES },
      { pathPrefix: "/api/ai", service: NAMES.backend, port: PORTS.backend, rateLimit: { average: EDGE_RATE_LIMITS.ai.count, period: "1m", burst: 10 } },
      { pathPrefix: "/api", service: NAMES.backend, port: PORTS.backend },
    ],
    frontend: { service: NAMES.frontend, port: PORTS.frontend },
    // Laravel Fortify's login, throttled as Fortify's own default does (5 per minute): the document
    // names no figure for it (ours).
    login: { path: "/api/login", rateLimit: { average: EDGE_RATE_LIMITS.login.count, period: "1m", burst: 5 } },
    // One route per firm, named by its id (adding a firm renames nothing).
    tenantHosts: Object.fromEntries(c.firms.map((f) => [f.id, f.host])),
    // The firms under the tenant domain share one DNS-01 wildcard (no solver pod, one Let's Encrypt
    // certificate however many firms); a firm on its own domain gets its own HTTP-01 certificate.
    tenantWildcard: { domain: tenantDomainOf(c), issuer: { name: c.wildcardIssuer ?? WILDCARD_ISSUER } },
    // § Sécurité API: "CORS : Configuration stricte (domaines autorisés)": the platform's and the firms' own hosts.
    cors: { allowedOrigins: [c.host, ...c.firms.map((f) => f.host)].map((h) => `https://${h}`) },
    labels,
  }, opts);

  // --- the edge: CDN + WAF on Google Cloud in front of the cluster's ingress, whatever the cluster ---
  // § 03 Infrastructure "CDN + WAF", § Sécurité API "HTTPS : Obligatoire", "Rate limiting". The
  // client's Host header reaches the ingress unchanged, so the gateway's per-firm routes and CORS
  // keep working; firms under the tenant domain add nothing here (the wildcard serves them).
  const tenantDomain = tenantDomainOf(c);
  const edge = new HttpsLoadBalancer(`edge-${env}`, {
    domains: [c.host, ...c.firms.map((f) => f.host).filter((h) => !wildcardCovers(tenantDomain, h))],
    certificateMap: { wildcardDomains: [tenantDomain], ...(c.edge.dnsZone ? { dnsZone: c.edge.dnsZone } : {}) },
    internetBackends: {
      // The API is never cached; its upload route needs the long timeout.
      api: { fqdn: c.edge.originHost, paths: ["/api", "/api/*"], timeoutSec: EDGE_API_TIMEOUT_SEC },
      // The built React frontend: CACHE_ALL_STATIC caches its static assets (JS, CSS, images, fonts) only.
      web: { fqdn: c.edge.originHost, cdn: true },
    },
    defaultBackend: "web",
    armor: {
      // throttle, as Traefik's token buckets do: a broker over the limit gets 429s, not a 10-minute ban.
      authRateLimit: { ...EDGE_RATE_LIMITS.login, pathPrefixes: [...EDGE_RATE_LIMITS.login.pathPrefixes], action: "throttle" },
      rateLimits: [
        { pathPrefixes: [...EDGE_RATE_LIMITS.recordings.pathPrefixes], count: EDGE_RATE_LIMITS.recordings.count, action: "throttle", description: "Throttle on audio upload (crm-courtier.md, Securite API)" },
        { pathPrefixes: [...EDGE_RATE_LIMITS.ai.pathPrefixes], count: EDGE_RATE_LIMITS.ai.count, action: "throttle", description: "Throttle on AI routes (crm-courtier.md, Securite API)" },
      ],
    },
    labels,
    deletionProtection,
  }, project.opts);

  // --- queue workers: high, default, low, each scaled on its Redis list's length (KEDA) -----------
  // § Alertes Critiques: "Queue depth > 100 jobs"; 20 jobs per replica (ours) reaches a worker's
  // maximum before a queue reaches the alert.
  const redisAddresses = [`${redisLeaderService(NAMES.redis)}.${ns.infra}.svc:${DATA_PORTS.redis}`];
  for (const q of QUEUES) {
    new QueueWorker(`worker-${q}`, {
      namespace: ns.app,
      image: c.images.worker,
      args: ["php", "artisan", "queue:work", "redis", `--queue={${q}}`, "--tries=3", "--max-time=3600"],
      trigger: {
        kind: "redis-cluster-list",
        addresses: redisAddresses,
        // Laravel's queue key on a Redis Cluster carries a hash tag (REDIS_PREFIX empty).
        listName: queueKey(q),
        listLength: 20,
        password: { secretName: redis.passwordSecretName },
        tls: { ca: { secretName: dataCa.trustSecretName } },
      },
      minReplicas: c.workers[q].minReplicas,
      maxReplicas: c.workers[q].maxReplicas,
      env: { APP_ENV: ENV_TRAITS[env].runtimeMode, REDIS_PREFIX: "", TENANTS: firmsJson },
      labels,
      deletionProtection,
    }, opts);
  }

  // --- flows -----------------------------------------------------------------------------------
  const appPods = (name: string) => ({ namespace: ns.app, podSelector: { matchLabels: webAppPodSelector(name) } });
  const traefik = { namespace: SHARED_NAMESPACES.traefik, podSelector: { matchLabels: { ...TRAEFIK_POD_LABELS } }, managed: false };
  const prometheus = { namespace: SHARED_NAMESPACES.monitoring, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } }, managed: false };
  const redisPods = { namespace: ns.infra, podSelector: redisPodSelector(NAMES.redis) };
  const workerPods = (q: string) => ({ namespace: ns.app, podSelector: { matchLabels: queueWorkerPodSelector(`worker-${q}`) } });
  const flows: Flow[] = [
    { name: "traefik-to-backend", from: traefik, to: appPods(NAMES.backend), ports: [{ port: PORTS.backend }] },
    { name: "traefik-to-frontend", from: traefik, to: appPods(NAMES.frontend), ports: [{ port: PORTS.frontend }] },
    { name: "traefik-to-acme-solver", from: traefik, to: { namespace: ns.app, podSelector: { matchLabels: { ...ACME_SOLVER_POD_LABELS } } }, ports: [{ port: ACME_SOLVER_PORT }] },
    { name: "backend-to-gotenberg", from: appPods(NAMES.backend), to: appPods(NAMES.gotenberg), ports: [{ port: PORTS.gotenberg }] },
    { name: "prometheus-to-backend", from: prometheus, to: appPods(NAMES.backend), ports: [{ port: PORTS.backend }] },
    ...redisClusterFlows({
      redis: redisPods,
      clients: [
        { name: "backend", ...appPods(NAMES.backend) },
        ...QUEUES.map((q) => ({ name: `worker-${q}`, ...workerPods(q) })),
        // KEDA polls the queues' lengths.
        { name: "keda", namespace: SHARED_NAMESPACES.keda, podSelector: {}, managed: false },
      ],
      operator: { namespace: SHARED_NAMESPACES.redisOperator, podSelector: {} },
      prometheus,
    }),
    ...SHARDS.flatMap((shard) =>
      mariadbShardFlows({
        namespace: ns.infra,
        shardName: shard,
        clients: [{ name: `backend-${shard}`, ...appPods(NAMES.backend) }, ...QUEUES.map((q) => ({ name: `worker-${q}-${shard}`, ...workerPods(q) }))],
        operator: { namespace: SHARED_NAMESPACES.mariadbOperator, podSelector: {} },
        prometheus,
        apiServerCidrs: c.access.apiServerCidrs,
      }).map((f) => ({ ...f, name: /^(backend|worker)-/.test(f.name) ? f.name : `${shard}-${f.name}` })),
    ),
  ];
  new NetworkFlows(`${PLATFORM}-${env}-flows`, { resourceName: "flows", flows, labels }, opts);

  const monitoring = new Monitoring(`${PLATFORM}-${env}`, {
    project: projectId,
    uptimeHost: c.host,
    uptimePath: "/up",
    // § Performance: "Uptime cible : 99.5%"; "Latence API : p95 < 500ms".
    availabilityObjective: 0.995,
    latencyThresholdMs: 500,
    notificationEmails: c.probe.notificationEmails,
    labels,
  }, project.opts);
  // The env's share of the document's budget, alerted at 100 % and at 120 % of it (actual and
  // forecast spend). The OpenAI bill the document's line is about is not Google's to watch:
  // OpenAI's own usage limits cover it (README § CRM Courtier).
  const weights = Object.values(CRM_BUDGET_WEIGHTS).reduce((a, b) => a + b, 0);
  const share = Math.round((CRM_MONTHLY_BUDGET_EUR * CRM_BUDGET_WEIGHTS[env]) / weights);
  new gcp.billing.Budget(`${PLATFORM}-${env}-spend`, {
    billingAccount: c.billing.accountId,
    displayName: `${PLATFORM}-${env} monthly spend`,
    budgetFilter: { projects: [`projects/${projectNumber}`], calendarPeriod: "MONTH", creditTypesTreatment: "INCLUDE_ALL_CREDITS" },
    amount: { specifiedAmount: { currencyCode: "EUR", units: String(share) } },
    thresholdRules: [
      { thresholdPercent: 1.0, spendBasis: "CURRENT_SPEND" },
      { thresholdPercent: CRM_SPEND_ALERT_RATIO, spendBasis: "CURRENT_SPEND" },
      { thresholdPercent: CRM_SPEND_ALERT_RATIO, spendBasis: "FORECASTED_SPEND" },
    ],
    allUpdatesRule: { monitoringNotificationChannels: monitoring.notificationChannelIds, disableDefaultIamRecipients: false },
  }, project.resourceOpts);
  new PlatformAlertRules(`${PLATFORM}-${env}-alerts`, {
    namespace: ns.app,
    platform: PLATFORM,
    env,
    appNamespace: ns.app,
    watchedNamespaces: [ns.app, ns.infra],
    noReadyReplicasPerDeployment: true,
    thresholds: { latencyP95Seconds: 0.5, errorRatio: 0.001, cpuRatio: 0.8, memoryRatio: 0.8, diskRatio: 0.8, authFailureRatio: 0.2 },
    sources: {
      latency: `${DOC} § Performance ("Latence API : p95 < 500ms")`,
      errorRate: `${DOC} § Alertes Critiques ("API error rate > 0.1%")`,
      uptime: `${DOC} § Performance ("Uptime cible : 99.5%")`,
      payment: `${DOC} § Modèle de tarification SaaS (billing routes; 5xx > 0.1%)`,
      security: `${DOC} § Sécurité API ("Rate limiting"; 401/403 > 20% is ours)`,
      cpu: `${DOC} § Alertes Critiques ("CPU/RAM/Disk > 80%")`,
      memory: `${DOC} § Alertes Critiques ("CPU/RAM/Disk > 80%")`,
      disk: `${DOC} § Alertes Critiques ("CPU/RAM/Disk > 80%")`,
    },
    queueDepth: { source: `${DOC} § Alertes Critiques ("Queue depth > 100 jobs")`, keys: QUEUES.map(queueKey), maxJobs: 100 },
    slowQueries: { source: `${DOC} § Alertes Critiques ("Database slow queries > 1s"): long_query_time=1 on every shard` },
    ruleSelectorLabels: metricsLabels,
    labels,
  }, opts);

  return {
    url: `https://${c.host}`,
    namespaces: ns,
    firms: Object.fromEntries(c.firms.map((f) => [f.id, { shard: placement.placement.get(f.id), host: f.host }])),
    shards: Object.fromEntries(SHARDS.map((s, i) => [s, shards[i].primaryHost])),
    backupBucket: backupBucketName,
    filesBucket: filesBucketName,
    gateway: gateway.url,
    backend: backend.serviceName,
    // Point the platform's host, its firms' own hosts and *.<tenantDomain> at this address; the
    // records below must exist in the tenant domain's zone for the certificates to be issued.
    edge: { ipAddress: edge.ipAddress, originHost: c.edge.originHost, dnsAuthorizationRecords: edge.dnsAuthorizationRecords },
  };
}

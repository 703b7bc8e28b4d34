/**
 * Quickfund (docs/platforms/quickfund.md): a FastAPI + React monolith with PostgreSQL and a
 * documents store, on Google Cloud in Europe, dev / rct (pré-prod) / prod.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "../components/gcp/bucket";
import { EncryptionKeys } from "../components/gcp/encryption-keys";
import { HttpsLoadBalancer } from "../components/gcp/https-load-balancer";
import { Monitoring } from "../components/gcp/monitoring";
import { Monolith } from "../components/gcp/monolith";
import { Postgres } from "../components/gcp/postgres";
import { z } from "zod";
import { emailAddress, gcpProjectSchema, hostname, pinnedImage, secretString } from "./config";
import { utcTime } from "./config-schema";
import { regionalAppProject, regionalNetworkSchema } from "./regional-app-project";
import { ENV_TRAITS } from "../model/envs";
import { definePlatform, type StackContext } from "./platform";

const DOC = "docs/platforms/quickfund.md";

/** GCP regions the document allows: "Région: Europe" (§ Hébergement); the team runs Belgium or Paris. */
export const QUICKFUND_REGIONS = ["europe-west1", "europe-west9"] as const;

const service = z.strictObject({
  /** Container image, pinned. */
  image: pinnedImage,
  /** Minimum instances kept warm; prod keeps at least one (no cold start on a payment). */
  minInstances: z.number().int().min(0).max(100),
  maxInstances: z.number().int().min(1).max(1000),
  cpu: z.enum(["1", "2", "4"]),
  memory: z.enum(["512Mi", "1Gi", "2Gi", "4Gi"]),
});

export const quickfundSchema = z.strictObject({
  gcp: gcpProjectSchema(QUICKFUND_REGIONS),
  network: regionalNetworkSchema,
  database: z
    .strictObject({
      tier: z.string().regex(/^db-(f1-micro|g1-small|custom-\d+-\d+|perf-optimized-N-\d+)$/).describe("a Cloud SQL tier such as db-custom-2-7680"),
      availability: z.enum(["ZONAL", "REGIONAL"]),
      diskSizeGb: z.number().int().min(10).max(4000),
      /**
       * Longest allowed time between two backups. quickfund.md § Backups: "Fréquence: Tous les 2
       * jours" is the upper bound (48 h); Cloud SQL's automated backups run daily.
       */
      backupIntervalHours: z.number().min(1).max(48),
      /**
       * Automated backups. A throwaway dev database may turn them off; the policy pack refuses that
       * in prod (gcp-cloudsql-instance-require-backups), as quickfund.md § Backups requires them.
       */
      backupsEnabled: z.boolean(),
      backupStartTime: utcTime,
      backupRetentionDays: z.number().int().min(1).max(365),
      pointInTimeRecovery: z.boolean(),
      transactionLogRetentionDays: z.number().int().min(1).max(7),
      maintenanceWindow: z.strictObject({ day: z.number().int().min(1).max(7), hour: z.number().int().min(0).max(23) }),
    })
    .refine((d) => d.backupIntervalHours >= 24, {
      message: "a backupIntervalHours of at least 24: Cloud SQL takes one automated backup a day (more often needs on-demand backups, which this stack does not schedule)",
      path: ["backupIntervalHours"],
    }),
  documents: z.strictObject({
    /** GCS location of the documents bucket (KYC, signed contracts). */
    location: z.enum(["EU", "europe-west1", "europe-west9"]),
    /** Days a document cannot be deleted or overwritten (bucket retention policy). */
    retentionDays: z.number().int().min(0).max(3650),
    softDeleteDays: z.number().int().min(7).max(90),
  }),
  api: service,
  frontend: service,
  /** Public hostnames. quickfund.md names no domain: each stack file states its own. */
  domains: z.array(hostname).min(1).max(10),
  monitoring: z.strictObject({
    notificationEmail: emailAddress,
    /** Ratio of 5xx responses over 5 minutes that pages. */
    errorRatioThreshold: z.number().min(0).max(1),
    databaseCpuThreshold: z.number().min(0).max(1),
    databaseDiskThreshold: z.number().min(0).max(1),
  }),
  /** Third-party credentials (quickfund.md § Services tiers). Optional: an empty secret is created when absent. */
  secrets: z
    .strictObject({
      stripeApiKey: secretString("Stripe secret API key (quickfund.md § Services tiers: Stripe, criticité Critique)").optional(),
      twilioAuthToken: secretString("Twilio auth token (quickfund.md § Services tiers: Twilio)").optional(),
    })
    .optional(),
  /** Protect stateful resources against deletion (Pulumi protect + GCP flags). Required in prod. */
  deletionProtection: z.boolean(),
});

export type QuickfundConfig = z.output<typeof quickfundSchema>;

/** What every env shares; each row below states only what differs. */
const common = {
  network: { subnetCidr: "10.10.0.0/20", privateServicesPrefixLength: 20 },
  database: {
    // quickfund.md § Backups: "Tous les 2 jours" → at most 48 h between backups; Cloud SQL runs daily.
    backupIntervalHours: 24,
    backupsEnabled: true,
    backupStartTime: "01:00",
    transactionLogRetentionDays: 7,
    maintenanceWindow: { day: 7, hour: 3 },
  },
  documents: { location: "EU" as const, softDeleteDays: 30 },
  monitoring: { errorRatioThreshold: 0.05, databaseCpuThreshold: 0.8, databaseDiskThreshold: 0.85 },
};

/** The document's figures every env shares, with the sections they come from. */
const documentFacts = {
  // quickfund.md § Sécurité: "Conformité RGPD — Données en Europe".
  allowedLocations: ["EU", ...QUICKFUND_REGIONS],
  // quickfund.md § Backups: "Fréquence: Tous les 2 jours".
  maxBackupIntervalHours: 48,
  // The document states no RPO: nothing to hold log shipping to.
  maxRpoMinutes: null,
};
const sources = {
  allowedLocations: `${DOC} § Sécurité ("Conformité RGPD — Données en Europe") and § Hébergement ("Région: Europe")`,
  minBackupRetentionDays: `${DOC} § Backups ("Rétention: Standard GCP"); 30 days in prod is the team's floor for financial data`,
  maxBackupIntervalHours: `${DOC} § Backups ("Fréquence: Tous les 2 jours")`,
  pointInTimeRecoveryRequired: `${DOC} § Base de données (PostgreSQL for financial data, "Critique"): PITR in rct and prod`,
  maxRpoMinutes: `${DOC} states no RPO`,
};

/** The app envs (dev, rct, prod), one row each: adding an env to Quickfund is one row here plus its stack file. */
export const quickfund = definePlatform({
  name: "quickfund",
  schemaId: "quickfund",
  document: "quickfund.md",
  schema: quickfundSchema,
  // One row per env. Deletion protection is the env's trait (model/envs.ts), not a row figure.
  envs: {
    dev: {
      profile: {
        ...common,
        database: { ...common.database, tier: "db-custom-1-3840", availability: "ZONAL", diskSizeGb: 20, backupRetentionDays: 7, pointInTimeRecovery: false },
        documents: { ...common.documents, retentionDays: 0 },
        api: { minInstances: 0, maxInstances: 3, cpu: "1", memory: "512Mi" },
        frontend: { minInstances: 0, maxInstances: 2, cpu: "1", memory: "512Mi" },
      },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, pointInTimeRecoveryRequired: false, sources },
    },
    rct: {
      profile: {
        ...common,
        database: { ...common.database, tier: "db-custom-1-3840", availability: "ZONAL", diskSizeGb: 20, backupRetentionDays: 14, pointInTimeRecovery: true },
        documents: { ...common.documents, retentionDays: 0 },
        api: { minInstances: 0, maxInstances: 5, cpu: "1", memory: "1Gi" },
        frontend: { minInstances: 0, maxInstances: 3, cpu: "1", memory: "512Mi" },
      },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, pointInTimeRecoveryRequired: true, sources },
    },
    prod: {
      profile: {
        ...common,
        database: { ...common.database, tier: "db-custom-2-7680", availability: "REGIONAL", diskSizeGb: 50, backupRetentionDays: 30, pointInTimeRecovery: true },
        // Signed contracts are "Critique" (quickfund.md § Données stockées): kept from deletion for 5 years.
        documents: { ...common.documents, retentionDays: 1825 },
        api: { minInstances: 1, maxInstances: 20, cpu: "2", memory: "1Gi" },
        frontend: { minInstances: 1, maxInstances: 10, cpu: "1", memory: "512Mi" },
      },
      compliance: { ...documentFacts, minBackupRetentionDays: 30, pointInTimeRecoveryRequired: true, sources },
    },
  },
  checkEnv: (env, config) =>
    ENV_TRAITS[env].prodLike && config.api.minInstances < 1
      ? { key: "api.minInstances", expected: `at least 1 in a prod-like stack (${env}: no cold start on the API)`, got: String(config.api.minInstances) }
      : undefined,
  compose: composeQuickfund,
});

/** Google APIs the Quickfund stacks use. */
export const QUICKFUND_APIS = [
  "cloudkms.googleapis.com",
  // Project IAM grants (the API's Cloud SQL client role) go through Resource Manager.
  "cloudresourcemanager.googleapis.com",
  "compute.googleapis.com",
  "iam.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "run.googleapis.com",
  "secretmanager.googleapis.com",
  "servicenetworking.googleapis.com",
  "sqladmin.googleapis.com",
  "storage.googleapis.com",
];

/** The key ring location that can encrypt a bucket in `location` (CMEK keys must sit where the data is). */
export function kmsLocationForBucket(location: string): string {
  // A multi-region EU bucket needs a key in the multi-region "europe" KMS location.
  return location === "EU" ? "europe" : location;
}

function composeQuickfund(ctx: StackContext, c: QuickfundConfig): Record<string, unknown> {
  const { projectId, projectNumber, region } = c.gcp;
  const labels = { platform: "quickfund", env: ctx.env };
  const deletionProtection = c.deletionProtection;
  // quickfund.md § Sécurité: "Conformité RGPD — Données en Europe": logs (load balancer requests
  // with client IPs, the API's logs, Data Access audit logs) stay in the stack's region, not in the
  // global _Default bucket (stacks/regional-app-project.ts).
  const { provider, opts, network } = regionalAppProject(ctx, "quickfund", { gcp: c.gcp, apis: QUICKFUND_APIS, network: c.network, labels, deletionProtection });

  // quickfund.md § Sécurité données: "Chiffrement au repos" — with keys the platform holds.
  const keys = new EncryptionKeys("quickfund", {
    location: region,
    project: projectId,
    projectNumber,
    keys: {
      database: { serviceAgents: ["cloud-sql"] },
      secrets: { serviceAgents: ["secret-manager"] },
    },
    labels,
    deletionProtection,
  }, opts);
  const storageKeys = new EncryptionKeys("quickfund-storage", {
    location: kmsLocationForBucket(c.documents.location),
    project: projectId,
    projectNumber,
    keys: { documents: { serviceAgents: ["cloud-storage"] } },
    labels,
    deletionProtection,
  }, opts);

  // quickfund.md § Base de données: PostgreSQL for credit requests, contracts and payments.
  const database = new Postgres("quickfund", {
    region,
    project: projectId,
    privateNetwork: network.networkId,
    privateServicesConnection: network.privateServicesConnection,
    allocatedIpRange: network.privateServicesRangeName,
    tier: c.database.tier,
    diskSizeGb: c.database.diskSizeGb,
    availabilityType: c.database.availability,
    encryptionKeyName: keys.grantedKeyIds.apply((k) => k.database),
    backup: {
      enabled: c.database.backupsEnabled,
      startTime: c.database.backupStartTime,
      retainedBackups: c.database.backupRetentionDays,
      pointInTimeRecovery: c.database.pointInTimeRecovery,
      transactionLogRetentionDays: Math.min(c.database.transactionLogRetentionDays, c.database.backupRetentionDays),
    },
    maintenance: c.database.maintenanceWindow,
    databaseName: "quickfund",
    userName: "quickfund-api",
    secretEncryptionKeyNames: { [region]: keys.grantedKeyIds.apply((k) => k.secrets) },
    labels,
    deletionProtection,
  }, opts);

  // quickfund.md § Données stockées: KYC documents and signed contracts ("Critique").
  const documents = new Bucket("quickfund-documents", {
    location: c.documents.location,
    project: projectId,
    encryptionKeyName: storageKeys.grantedKeyIds.apply((k) => k.documents),
    softDeleteRetentionDays: c.documents.softDeleteDays,
    ...(c.documents.retentionDays > 0 ? { retention: { retentionDays: c.documents.retentionDays } } : {}),
    storageClassTransitions: [{ ageDays: 365, storageClass: "NEARLINE" }],
    labels: { ...labels, data: "kyc-contracts" },
    deletionProtection,
  }, opts);

  const app = new Monolith("quickfund", {
    target: "cloud-run",
    // A prod-like env never answers a login from a cold start (the component refuses fewer).
    minWarmInstances: ENV_TRAITS[ctx.env].prodLike ? 1 : 0,
    project: projectId,
    region,
    network: network.networkId,
    subnetwork: network.subnetSelfLinks.apply((s) => s.app),
    api: { ...c.api, healthPath: "/api/health", env: { DOCUMENTS_BUCKET: documents.bucketName, CLOUD_SQL_CONNECTION: database.connectionName } },
    frontend: { ...c.frontend, healthPath: "/" },
    database: { host: database.privateIpAddress, name: database.databaseName, user: database.userName, passwordSecretId: database.passwordSecretId },
    secretValues: { "stripe-api-key": c.secrets?.stripeApiKey, "twilio-auth-token": c.secrets?.twilioAuthToken },
    labels,
    deletionProtection,
  }, opts);

  // The API uploads and reads documents; it never deletes them (least privilege, and the retention
  // policy would refuse anyway).
  for (const [role, suffix] of [["roles/storage.objectCreator", "writer"], ["roles/storage.objectViewer", "reader"]] as const) {
    new gcp.storage.BucketIAMMember(`quickfund-documents-api-${suffix}`, {
      bucket: documents.bucketName,
      role,
      member: pulumi.interpolate`serviceAccount:${app.apiServiceAccountEmail}`,
    }, { parent: documents, provider });
  }

  // quickfund.md § Sécurité: "HTTPS partout".
  const entry = new HttpsLoadBalancer("quickfund", {
    domains: c.domains,
    backends: {
      api: { serviceName: app.apiServiceName, region, paths: ["/api", "/api/*"] },
      frontend: { serviceName: app.frontendServiceName, region, cdn: true },
    },
    defaultBackend: "frontend",
    labels,
    deletionProtection,
  }, opts);

  // quickfund.md § Monitoring et alertes: uptime, error alerts, notification immédiate.
  const monitoring = new Monitoring("quickfund", {
    project: projectId,
    notificationEmails: [c.monitoring.notificationEmail],
    uptimeHost: c.domains[0],
    uptimePath: "/api/health",
    apiServiceName: app.apiServiceName,
    cloudSqlInstance: database.instanceName,
    thresholds: {
      errorRatio: c.monitoring.errorRatioThreshold,
      cloudSqlCpu: c.monitoring.databaseCpuThreshold,
      cloudSqlDisk: c.monitoring.databaseDiskThreshold,
    },
    labels,
  }, opts);

  return {
    loadBalancerIp: entry.ipAddress,
    domains: c.domains,
    databaseConnectionName: database.connectionName,
    databasePasswordSecret: database.passwordSecretId,
    documentsBucket: documents.bucketName,
    apiService: app.apiServiceName,
    frontendService: app.frontendServiceName,
    alertPolicies: monitoring.alertPolicyIds,
  };
}

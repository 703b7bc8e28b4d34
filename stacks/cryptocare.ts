/**
 * CryptoCare (docs/platforms/cryptocare.md): a Node.js/Express API with a static React frontend,
 * PostgreSQL, Zoom and Swiss Bitcoin Pay integrations, on Google Cloud in Switzerland.
 *
 * Two axes, both data:
 * - the env (dev / rct / prod), as every platform;
 * - the growth phase (`cryptocare:phase`: mvp, p1, p2, p3), § 1.2 and § 4.1.2: each phase's sizes
 *   and features are one row of {@link CRYPTOCARE_PHASES}. Moving a stack to the next phase is a
 *   one-line config change whose diff only grows (tests/cryptocare.test.ts proves it never
 *   replaces the database or a queue).
 *
 * Two instances: `cryptocare-<env>` in Switzerland (LPD, europe-west6) and, from phase 2, the
 * dedicated German instance `cryptocare-de-prod` (§ 7.2 "Allemagne | Instance dédiée (Phase 2)") in
 * its own project in europe-west3. The platform part of the stack name says which instance
 * (`cryptocare` or `cryptocare-de`), the last part the env, as every stack: `<platform>-<env>`.
 *
 * Runtime: Cloud Run. Its revisions and traffic splitting give blue/green and canary releases
 * natively (§ 4.2.2), its manual scaling mode is the document's "API servers: 1, 2, 4" (§ 4.1.2,
 * § 6.3 "Scaling manuel basé sur métriques"), and it runs in europe-west6 with no cluster to
 * operate (§ 3.2.2 puts Kubernetes at phase 3 "Container orchestration", a migration this
 * program does not need to reach the phase-3 figures). Cloud Run autoscales on request
 * concurrency and CPU, not memory: memory is bounded per instance and alerted on instead.
 */
import { createHash } from "node:crypto";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Bucket } from "../components/gcp/bucket";
import { CloudRunService, revisionSuffixFromImage, type CloudRunRelease, type CloudRunScaling, type SecretEnvRef } from "../components/gcp/cloud-run-service";
import { EncryptionKeys } from "../components/gcp/encryption-keys";
import { HttpsLoadBalancer } from "../components/gcp/https-load-balancer";
import { Monitoring } from "../components/gcp/monitoring";
import { Postgres } from "../components/gcp/postgres";
import { RedisCache } from "../components/gcp/redis-cache";
import { regionalSecret } from "../components/gcp/secret";
import { WorkQueue } from "../components/gcp/work-queue";
import { ENV_TRAITS, type AppEnv } from "../model/envs";
import { emailAddress, gcpProjectSchema, hostname, pinnedImage, secretString } from "./config";
import { utcTime } from "./config-schema";
import { regionalAppProject, regionalNetworkSchema } from "./regional-app-project";
import { definePlatform, type ComplianceFacts, type StackContext } from "./platform";

const DOC = "docs/platforms/cryptocare.md";
const PLATFORM = "cryptocare";

/** The growth phases of § 1.2 "Objectifs de scalabilité", in order. */
export const CRYPTOCARE_PHASE_NAMES = ["mvp", "p1", "p2", "p3"] as const;
export type CryptocarePhase = (typeof CRYPTOCARE_PHASE_NAMES)[number];

/** A Cloud SQL tier and what it means (the document sizes servers in GB of RAM and vCPUs). */
interface DatabaseSize {
  tier: string;
  vcpus: number;
  memoryGb: number;
}

/** What one phase runs in prod, each figure with the section it comes from. */
export interface PhaseRow {
  /** § 1.2 / § 8.1: active users the phase is sized for (cost per user divides by it). */
  users: number;
  /** § 8.1: the phase's monthly infrastructure cost, CHF. */
  budgetChf: number;
  api: { scaling: CloudRunScaling; cpu: "2" | "4"; memory: "4Gi" | "8Gi" };
  database: DatabaseSize & { readReplica: boolean; diskSizeGb: number };
  /** Memorystore size in GB; null before Redis (§ 3.2.2 "Mise en place Redis" at phase 1). */
  redisGb: number | null;
  /** Most instances each queue worker may run: 1 before phase 2 (no horizontal scaling), more after (§ 6.3). */
  workerMaxInstances: number;
  release: "all-at-once" | "blue-green" | "canary";
  /** PagerDuty alerting (§ 4.3.2 phase 1 "Alerting avancé avec PagerDuty"). */
  pagerDuty: boolean;
  /** Distributed tracing (§ 4.3.2 phase 1 "Distributed tracing"). */
  tracing: boolean;
  /** Formal request-based SLOs with burn-rate alerts (§ 4.3.2 phase 3 "SLOs et SLIs formels"). */
  formalSlos: boolean;
  sources: Record<string, string>;
}

/**
 * The document's phases. Sizes are prod's; dev and rct run the same features at the smallest
 * sizes (`sizing: reduced`), so every env previews the phase's architecture.
 */
export const CRYPTOCARE_PHASES: Readonly<Record<CryptocarePhase, PhaseRow>> = {
  mvp: {
    users: 1000,
    budgetChf: 500,
    api: { scaling: { mode: "manual", instances: 1 }, cpu: "2", memory: "4Gi" },
    database: { tier: "db-custom-2-4096", vcpus: 2, memoryGb: 4, readReplica: false, diskSizeGb: 20 },
    redisGb: null,
    workerMaxInstances: 1,
    release: "all-at-once",
    pagerDuty: false,
    tracing: false,
    formalSlos: false,
    sources: {
      api: '§ 1.1 / § 4.1.1 "API: 1 x Standard (4GB RAM, 2 vCPUs)"',
      database: '§ 1.1 / § 4.1.1 "DB: 1 x Standard (4GB RAM, 2 vCPUs)"; disk 20 GB for "Volume de données: ~5 GB/mois" (§ 1.1), grown by autoresize and by each phase (a disk never shrinks)',
      users: '§ 1.2 "MVP | 1 000"; § 8.1 "MVP | 1 000 | 500 CHF"',
    },
  },
  p1: {
    users: 5000,
    budgetChf: 1500,
    api: { scaling: { mode: "manual", instances: 2 }, cpu: "2", memory: "4Gi" },
    database: { tier: "db-custom-4-8192", vcpus: 4, memoryGb: 8, readReplica: true, diskSizeGb: 50 },
    redisGb: 1,
    workerMaxInstances: 1,
    release: "blue-green",
    pagerDuty: true,
    tracing: true,
    formalSlos: false,
    sources: {
      api: '§ 4.1.2 "1 | Load balancer + 2 API servers | 2 x 4GB RAM, 2 vCPUs"; § 6.3 "1 | API servers | Scaling manuel basé sur métriques"',
      database: '§ 4.1.2 "1 | DB principale + 1 réplica | 2 x 8GB RAM, 4 vCPUs"; § 3.3.2 "1 | Mise en place réplicas en lecture"',
      redis: '§ 3.2.2 "1 | Mise en place Redis pour le caching"; § 9.1 "Mois 2: Implémentation Redis"; 1 GB is ours (§ 5.1 caches users, availabilities and reference lists)',
      release: '§ 4.2.2 "1 | Déploiement blue/green | Zéro downtime"',
      observability: '§ 4.3.2 "1 | Alerting avancé avec PagerDuty", "1 | Distributed tracing (Jaeger)"',
      users: '§ 1.2 "Phase 1 | 5 000"; § 8.1 "Phase 1 | 5 000 | 1 500 CHF"',
    },
  },
  p2: {
    users: 20000,
    budgetChf: 4000,
    api: { scaling: { mode: "automatic", min: 4, max: 8 }, cpu: "4", memory: "8Gi" },
    database: { tier: "db-custom-8-16384", vcpus: 8, memoryGb: 16, readReplica: true, diskSizeGb: 100 },
    redisGb: 2,
    workerMaxInstances: 10,
    release: "canary",
    pagerDuty: true,
    tracing: true,
    formalSlos: false,
    sources: {
      api: '§ 4.1.2 "2 | Scale à 4 API servers | 4 x 8GB RAM, 4 vCPUs"; § 6.3 "2 | API servers | Auto-scaling basé CPU/mémoire" (max 8: ours, twice the document\'s 4)',
      database: '§ 4.1.2 "2 | Mise à niveau DB | 16GB RAM, 8 vCPUs"',
      workers: '§ 6.3 "2 | API workers | Auto-scaling basé longueur queue" (max 10: ours)',
      release: '§ 4.2.2 "2 | Canary releases | Détection anticipée problèmes"',
      users: '§ 1.2 "Phase 2 | 20 000"; § 8.1 "Phase 2 | 20 000 | 4 000 CHF"',
    },
  },
  p3: {
    users: 50000,
    budgetChf: 8000,
    api: { scaling: { mode: "automatic", min: 4, max: 20 }, cpu: "4", memory: "8Gi" },
    database: { tier: "db-custom-8-16384", vcpus: 8, memoryGb: 16, readReplica: true, diskSizeGb: 200 },
    redisGb: 5,
    workerMaxInstances: 20,
    release: "canary",
    pagerDuty: true,
    tracing: true,
    formalSlos: true,
    sources: {
      api: '§ 6.3 "3 | Tout | Auto-scaling prédictif basé trafic historique": autoscaled from the phase-2 floor of 4 (max 20: ours)',
      database: "the document gives no size past phase 2's 16GB RAM, 8 vCPUs",
      observability: '§ 4.3.2 "3 | SLOs et SLIs formels"',
      users: '§ 1.2 "Phase 3 | 50 000+"; § 8.1 "Phase 3 | 50 000+ | 8 000 CHF"',
    },
  },
};

/** The reduced sizes dev and rct run a phase's architecture at. */
const REDUCED = {
  api: { cpu: "1", memory: "2Gi" },
  database: { tier: "db-custom-1-3840", diskSizeGb: 20 },
  redisGb: 1,
  workerMaxInstances: 1,
} as const;

/** § 1.3 "Indicateurs critiques" and § 8.3 "Points d'inflexion": the alert thresholds. */
export const CRYPTOCARE_INDICATORS = {
  availability: 0.999,
  latencyP95Ms: 500,
  errorRatio: 0.001,
  inflection: { cpu: 0.7, latencyP95Ms: 400, errorRatio: 0.005 },
  costPerUserReviewChf: 0.25,
  sources: {
    critical: '§ 1.3 "Temps de réponse de l\'API: < 500ms (95ème percentile)", "Disponibilité: 99.9%", "Taux d\'erreur: < 0.1%"',
    inflection: '§ 8.3 "CPU utilisation | >70% soutenu", "Temps réponse API | >400ms (p95)", "Taux d\'erreur | >0.5%"',
    costPerUser: '§ 8.3 "Coût utilisateur | >0.25 CHF | Revue architecture"',
  },
} as const;

/**
 * The queues of § 6.1 "Points de congestion potentiels", each drained by its own worker service.
 * A worker's max instances bound its calls to the third party (Zoom's rate limits).
 */
export const CRYPTOCARE_QUEUES = {
  payments: { what: "BTC payment creation (Swiss Bitcoin Pay)", source: '§ 6.1 "Création paiements BTC | Appels API externes | Queue + retries + fallback"' },
  "zoom-meetings": { what: "Zoom meeting creation", source: '§ 6.1 "Création réunions Zoom | Rate limits API | Backoff exponentiel + queue"' },
  "payment-webhooks": { what: "Swiss Bitcoin Pay payment webhooks", source: '§ 6.1 "Webhooks paiements | Pics simultanés | Queue asynchrone"' },
} as const;
export type CryptocareQueue = keyof typeof CRYPTOCARE_QUEUES;

/** The two instances: the Swiss one and the dedicated German one (§ 7.2). */
export const CRYPTOCARE_INSTANCES = {
  ch: { platform: "cryptocare", regions: ["europe-west6"], source: '§ 7.2 "Suisse | LPD | Hébergement en Suisse"; § 4.1.1 "Région: Zurich, Suisse"' },
  de: { platform: "cryptocare-de", regions: ["europe-west3"], source: '§ 7.2 "Allemagne | Exigences spécifiques | Instance dédiée (Phase 2)"' },
} as const;
type Instance = keyof typeof CRYPTOCARE_INSTANCES;

function cryptocareSchema<const R extends readonly [string, ...string[]]>(regions: R) {
  return z.strictObject({
    gcp: gcpProjectSchema(regions),
    /** The growth phase (§ 1.2): sets sizes and features from CRYPTOCARE_PHASES. */
    phase: z.enum(CRYPTOCARE_PHASE_NAMES),
    /** `document`: the phase's sizes (prod); `reduced`: the same architecture at the smallest sizes (dev, rct). */
    sizing: z.enum(["document", "reduced"]),
    network: regionalNetworkSchema,
    database: z.strictObject({
      availability: z.enum(["ZONAL", "REGIONAL"]),
      backupStartTime: utcTime,
      backupRetentionDays: z.number().int().min(1).max(365),
      pointInTimeRecovery: z.boolean(),
      transactionLogRetentionDays: z.number().int().min(1).max(7),
    }),
    /** Public hostnames of the API and the frontend (the document names none). */
    domains: z.array(hostname).min(1).max(10),
    images: z.strictObject({ api: pinnedImage, worker: pinnedImage }),
    /**
     * The API revision serving production (blue/green from phase 1, canary from phase 2): the
     * new image deploys as a candidate beside it; promoting is setting this to the candidate's
     * revision name (`cryptocare-api-<tag>-<digest>`, the `apiCandidateRevision` output).
     * `generation`: raise it to roll out a new revision with the same image (a rotated credential).
     */
    release: z.strictObject({
      stableRevision: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/).optional(),
      canaryPercent: z.number().int().min(1).max(50),
      generation: z.number().int().min(0),
    }),
    monitoring: z.strictObject({ notificationEmail: emailAddress }),
    secrets: z
      .strictObject({
        pagerDutyServiceKey: secretString("integration key of a PagerDuty service's Google Cloud Monitoring integration (cryptocare.md § 4.3.2 phase 1: Alerting avancé avec PagerDuty)").optional(),
        zoomClientSecret: secretString("Zoom Server-to-Server OAuth client secret (cryptocare.md § 2.1 Zoom API)").optional(),
        swissBitcoinPayApiKey: secretString("Swiss Bitcoin Pay API key (cryptocare.md § 2.1 Swiss Bitcoin Pay API)").optional(),
      })
      .optional(),
    deletionProtection: z.boolean(),
  });
}

const chSchema = cryptocareSchema(CRYPTOCARE_INSTANCES.ch.regions);
const deSchema = cryptocareSchema(CRYPTOCARE_INSTANCES.de.regions);
/** A stack's configuration, either instance (they differ only in the regions they accept). */
export type CryptocareConfig = Omit<z.output<typeof chSchema>, "gcp"> & { gcp: { projectId: string; projectNumber: string; region: string } };

const common = {
  network: { subnetCidr: "10.60.0.0/20", privateServicesPrefixLength: 20 },
  database: { backupStartTime: "01:00", transactionLogRetentionDays: 7 },
  release: { canaryPercent: 10, generation: 0 },
};

/** Compliance facts of an instance in an env. */
function facts(instance: Instance, prodLike: boolean): ComplianceFacts {
  const i = CRYPTOCARE_INSTANCES[instance];
  return {
    allowedLocations: [...i.regions],
    minBackupRetentionDays: prodLike ? 30 : 7,
    maxBackupIntervalHours: 24,
    pointInTimeRecoveryRequired: prodLike,
    maxRpoMinutes: null,
    dataIsolation: true,
    sources: {
      allowedLocations: `${DOC} ${i.source}`,
      minBackupRetentionDays: `${DOC} states no retention: 30 days in prod is the team's floor for payment and consultation records`,
      maxBackupIntervalHours: `${DOC} § 3.3.2 "2 | Backup automatisé cross-region": daily automated backups (the document gives no frequency)`,
      pointInTimeRecoveryRequired: `${DOC} § 1.3 "Confirmation de paiement": payments are not replayable from elsewhere; PITR in prod`,
      maxRpoMinutes: `${DOC} states no RPO`,
      dataIsolation: `${DOC} § 7.2 "UE | RGPD | Séparation régionale données", "Allemagne | Instance dédiée": no data flows between the Swiss and German instances`,
    },
  };
}

function envRow(instance: Instance, env: AppEnv) {
  const prodLike = ENV_TRAITS[env].prodLike;
  return {
    profile: {
      ...common,
      sizing: prodLike ? ("document" as const) : ("reduced" as const),
      database: {
        ...common.database,
        // § 1.3 "Disponibilité: 99.9%": Cloud SQL's availability SLA needs the regional (HA) configuration.
        availability: prodLike ? ("REGIONAL" as const) : ("ZONAL" as const),
        backupRetentionDays: prodLike ? 30 : 7,
        // The envs whose data is protected (rct, prod) can also be restored to a point in time.
        pointInTimeRecovery: ENV_TRAITS[env].deletionProtection,
      },
    },
    compliance: facts(instance, prodLike),
  };
}

/** Cross-key rules: a prod stack runs the document's sizes; the German instance exists from phase 2. */
function checkEnv(instance: Instance) {
  return (env: AppEnv, c: CryptocareConfig) => {
    if (ENV_TRAITS[env].prodLike && c.sizing !== "document") {
      return { key: "sizing", expected: `"document" in a prod-like stack (${env} runs the phase's sizes)`, got: JSON.stringify(c.sizing) };
    }
    if (instance === "de" && (c.phase === "mvp" || c.phase === "p1")) {
      return { key: "phase", expected: 'p2 or p3: the German instance starts at phase 2 (cryptocare.md § 7.2 "Instance dédiée (Phase 2)")', got: JSON.stringify(c.phase) };
    }
    if (c.release.stableRevision !== undefined && CRYPTOCARE_PHASES[c.phase].release === "all-at-once") {
      return { key: "release.stableRevision", expected: `unset at phase ${c.phase} (all-at-once releases; blue/green starts at p1)`, got: JSON.stringify(c.release.stableRevision) };
    }
    return undefined;
  };
}

/** The Swiss instance: dev, rct and prod in europe-west6. */
export const cryptocare = definePlatform({
  name: CRYPTOCARE_INSTANCES.ch.platform,
  schemaId: "cryptocare",
  document: "cryptocare.md",
  schema: chSchema,
  envs: { dev: envRow("ch", "dev"), rct: envRow("ch", "rct"), prod: envRow("ch", "prod") },
  checkEnv: checkEnv("ch"),
  compose: (ctx, c) => composeCryptocare(ctx, c, "ch"),
});

/** The dedicated German instance (§ 7.2), prod only, from phase 2. */
export const cryptocareDe = definePlatform({
  name: CRYPTOCARE_INSTANCES.de.platform,
  schemaId: "cryptocare-de",
  document: "cryptocare.md",
  schema: deSchema,
  envs: { prod: envRow("de", "prod") },
  checkEnv: checkEnv("de"),
  compose: (ctx, c) => composeCryptocare(ctx, c, "de"),
});

/** Google APIs the CryptoCare stacks use. */
export const CRYPTOCARE_APIS = [
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "cloudtrace.googleapis.com",
  "compute.googleapis.com",
  "iam.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "observability.googleapis.com",
  "pubsub.googleapis.com",
  "redis.googleapis.com",
  "run.googleapis.com",
  "secretmanager.googleapis.com",
  "servicenetworking.googleapis.com",
  "sqladmin.googleapis.com",
  "storage.googleapis.com",
];

/**
 * The API revision's suffix: its image tag and a digest of what else shapes the revision template
 * (the phase and sizing set its resources and env, the configured credentials its secret env, and
 * `release.generation` anything else, such as a rotated secret). Cloud Run refuses a second revision
 * under an existing name, so a phase move or a new credential with the same image must not reuse it.
 */
export function apiRevisionSuffix(c: Pick<CryptocareConfig, "phase" | "sizing" | "images" | "release" | "secrets">): string {
  const template = JSON.stringify({ phase: c.phase, sizing: c.sizing, secrets: Object.keys(c.secrets ?? {}).sort(), generation: c.release.generation });
  return revisionSuffixFromImage(c.images.api, createHash("sha256").update(template).digest("hex").slice(0, 6));
}

/** What one phase runs in a stack, after the env's sizing. */
export function phaseSizes(c: Pick<CryptocareConfig, "phase" | "sizing">) {
  const p = CRYPTOCARE_PHASES[c.phase];
  if (c.sizing === "document") return { ...p, databaseTier: p.database.tier, diskSizeGb: p.database.diskSizeGb };
  const apiScaling: CloudRunScaling = p.api.scaling.mode === "manual" ? { mode: "manual", instances: 1 } : { mode: "automatic", min: 0, max: 2 };
  return {
    ...p,
    api: { scaling: apiScaling, cpu: REDUCED.api.cpu, memory: REDUCED.api.memory },
    databaseTier: REDUCED.database.tier,
    diskSizeGb: REDUCED.database.diskSizeGb,
    redisGb: p.redisGb === null ? null : REDUCED.redisGb,
    workerMaxInstances: REDUCED.workerMaxInstances,
  };
}

function composeCryptocare(ctx: StackContext<AppEnv>, c: CryptocareConfig, instance: Instance): Record<string, unknown> {
  const { projectId, projectNumber, region } = c.gcp;
  const regions = [...CRYPTOCARE_INSTANCES[instance].regions];
  const prefix = CRYPTOCARE_INSTANCES[instance].platform;
  const labels = { platform: PLATFORM, instance, env: ctx.env, phase: c.phase };
  const deletionProtection = c.deletionProtection;
  const phase = phaseSizes(c);
  // § 7.2: logs (request logs carry client IPs and user ids) stay in the instance's region.
  const { opts, resourceOpts, network } = regionalAppProject(ctx, prefix, { gcp: c.gcp, apis: CRYPTOCARE_APIS, network: c.network, labels, deletionProtection });

  // Payment and consultation data are encrypted with keys the platform holds, in the region.
  const keys = new EncryptionKeys(prefix, {
    location: region,
    project: projectId,
    projectNumber,
    keys: {
      database: { serviceAgents: ["cloud-sql"] },
      secrets: { serviceAgents: ["secret-manager"] },
      storage: { serviceAgents: ["cloud-storage"] },
      queues: { serviceAgents: ["pubsub"] },
      cache: { serviceAgents: ["cloud-redis"] },
    },
    labels,
    deletionProtection,
  }, opts);
  const key = (k: "database" | "secrets" | "storage" | "queues" | "cache") => keys.grantedKeyIds.apply((ids) => ids[k]);

  // § 3.3: PostgreSQL; a read replica from phase 1 (§ 3.3.2 "Mise en place réplicas en lecture").
  // Backups stay in the region (Postgres' default backup location): Switzerland has one Google
  // region, so § 3.3.2's "Backup automatisé cross-region" cannot leave it without leaving the LPD;
  // the regional (two-zone) instance and its in-region backups are the disaster-recovery copy.
  const database = new Postgres(prefix, {
    region,
    allowedRegions: regions,
    project: projectId,
    privateNetwork: network.networkId,
    privateServicesConnection: network.privateServicesConnection,
    allocatedIpRange: network.privateServicesRangeName,
    tier: phase.databaseTier,
    diskSizeGb: phase.diskSizeGb,
    availabilityType: c.database.availability,
    encryptionKeyName: key("database"),
    backup: {
      enabled: true,
      startTime: c.database.backupStartTime,
      retainedBackups: c.database.backupRetentionDays,
      pointInTimeRecovery: c.database.pointInTimeRecovery,
      transactionLogRetentionDays: Math.min(c.database.transactionLogRetentionDays, c.database.backupRetentionDays),
      location: region,
    },
    databaseName: "cryptocare",
    userName: "cryptocare-api",
    secretEncryptionKeyNames: { [region]: key("secrets") },
    readReplicas: phase.database.readReplica ? [{ role: "read" }] : [],
    labels,
    deletionProtection,
  }, opts);

  const cache =
    phase.redisGb === null
      ? undefined
      : new RedisCache(prefix, {
          region,
          allowedRegions: regions,
          project: projectId,
          // Never BASIC → STANDARD_HA later: changing the tier replaces the instance.
          tier: "STANDARD_HA",
          memorySizeGb: phase.redisGb,
          authorizedNetwork: network.networkId,
          privateServicesConnection: network.privateServicesConnection,
          reservedIpRange: network.privateServicesRangeName,
          customerManagedKey: key("cache"),
          secretEncryptionKeyName: key("secrets"),
          labels,
          deletionProtection,
        }, opts);

  // Traces (from phase 1, § 4.3.2) are stored in the region: Cloud Trace keeps spans in the
  // project's observability bucket, whose location is this setting (Google's default is global).
  if (phase.tracing) {
    new gcp.observability.ProjectSettings(`${prefix}-observability`, { project: projectId, location: "global", defaultStorageLocation: region }, resourceOpts);
  }

  const secrets = appSecrets(prefix, c, region, key("secrets"), labels, deletionProtection, resourceOpts);
  const vpc = { network: network.networkId, subnetwork: network.subnetSelfLinks.apply((s) => s.app) };
  const runtimeMode = ENV_TRAITS[ctx.env].runtimeMode;
  const dbEnv = { DB_HOST: database.privateIpAddress, DB_NAME: database.databaseName, DB_USER: database.userName, NODE_ENV: runtimeMode };
  const readEnv: Record<string, pulumi.Input<string>> = phase.database.readReplica ? { DB_READ_HOST: database.replicaPrivateIpAddresses.apply((r) => r.read) } : {};
  // Redis over TLS (verified against the instance's CA) with its AUTH string, for every workload that reads it.
  const cacheEnv: Record<string, pulumi.Input<string>> = cache ? { REDIS_HOST: cache.host, REDIS_PORT: cache.port.apply(String), REDIS_TLS: "true", REDIS_CA_CERT: cache.serverCaCert } : {};
  const cacheSecretEnv: Record<string, SecretEnvRef> = cache ? { REDIS_AUTH: { secret: cache.authSecretId } } : {};
  const traceRoles = phase.tracing ? ["roles/cloudtrace.agent"] : [];
  const topicEnv = (queues: Record<CryptocareQueue, WorkQueue>): Record<string, pulumi.Input<string>> =>
    Object.fromEntries(Object.entries(queues).map(([q, w]) => [`TOPIC_${q.toUpperCase().replace(/-/g, "_")}`, w.topicName]));

  // The workers first: each queue pushes to its worker's URL.
  const workers = Object.fromEntries(
    (Object.keys(CRYPTOCARE_QUEUES) as CryptocareQueue[]).map((q) => {
      const worker = new CloudRunService(`${prefix}-worker-${q}`, {
        project: projectId,
        region,
        image: c.images.worker,
        // Account ids are per project and at most 30 characters: the queue names them.
        accountId: `worker-${q}`,
        healthPath: "/healthz",
        // Pub/Sub push requests from the same project count as internal traffic.
        ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
        allowUnauthenticated: false,
        vpc,
        scaling: { mode: "automatic", min: 0, max: phase.workerMaxInstances },
        cpu: "1",
        memory: "512Mi",
        // One message at a time per instance: instances (not threads) follow the backlog, and the
        // max instances is the ceiling on calls to Zoom and Swiss Bitcoin Pay.
        concurrency: 1,
        env: { ...dbEnv, ...cacheEnv, QUEUE: q },
        secretEnv: { DB_PASSWORD: { secret: database.passwordSecretId }, ...cacheSecretEnv, ...secrets.envFor(q) },
        roles: ["roles/cloudsql.client", ...traceRoles],
        labels: { ...labels, queue: q },
        deletionProtection,
      }, opts);
      return [q, worker];
    }),
  ) as Record<CryptocareQueue, CloudRunService>;

  const queues = Object.fromEntries(
    (Object.keys(CRYPTOCARE_QUEUES) as CryptocareQueue[]).map((q) => [
      q,
      new WorkQueue(`${prefix}-${q}`, {
        project: projectId,
        projectNumber,
        regions,
        kmsKeyName: key("queues"),
        pushAccountId: `push-${q}`,
        // Cloud Run's default request timeout is 300 s: Pub/Sub waits as long before redelivering.
        ackDeadlineSeconds: 300,
        worker: { serviceName: workers[q].serviceName, region, url: workers[q].uri, path: `/queues/${q}`, requestTimeoutSeconds: 300 },
        labels: { ...labels, queue: q },
        deletionProtection,
      }, opts),
    ]),
  ) as Record<CryptocareQueue, WorkQueue>;

  const api = new CloudRunService(`${prefix}-api`, {
    project: projectId,
    region,
    serviceName: `${prefix}-api`,
    image: c.images.api,
    healthPath: "/api/health",
    vpc,
    scaling: phase.api.scaling,
    cpu: phase.api.cpu,
    memory: phase.api.memory,
    // Instance-based billing: the API's instances are always on (manual count, then a floor of 4),
    // and CPU stays allocated after a response (trace export, circuit-breaker timers).
    cpuIdle: false,
    release: apiRelease(c, phase.release),
    env: { ...dbEnv, ...readEnv, ...cacheEnv, ...topicEnv(queues), ...(phase.tracing ? { OTEL_TRACES_EXPORTER: "gcp" } : {}) },
    secretEnv: {
      DB_PASSWORD: { secret: database.passwordSecretId },
      ...cacheSecretEnv,
      ...secrets.envFor("api"),
    },
    roles: ["roles/cloudsql.client", ...traceRoles],
    labels,
    deletionProtection,
  }, opts);

  // The API enqueues (the payment webhooks included, § 6.1 "Queue asynchrone"); nothing else publishes.
  for (const [q, queue] of Object.entries(queues)) {
    new gcp.pubsub.TopicIAMMember(`${prefix}-${q}-api-publisher`, {
      project: projectId,
      topic: queue.topicName,
      role: "roles/pubsub.publisher",
      member: api.serviceAccountMember,
    }, { parent: queue });
  }


  // The static React build (§ 3.1) in a private bucket behind the CDN (§ 3.1.2 "Déploiement sur CDN global").
  const frontend = new Bucket(`${prefix}-frontend`, {
    bucketName: `${projectId}-frontend`,
    location: region,
    allowedLocations: regions,
    project: projectId,
    encryptionKeyName: key("storage"),
    versioning: true,
    noncurrentVersionRetentionDays: 30,
    softDeleteRetentionDays: 7,
    labels: { ...labels, purpose: "frontend" },
    deletionProtection,
  }, opts);

  // § 2.2 "CDN / WAF" → "Load Balancer": HTTPS, Cloud Armor on the API, the frontend through Cloud CDN.
  const entry = new HttpsLoadBalancer(prefix, {
    domains: c.domains,
    backends: { api: { serviceName: api.serviceName, region, paths: ["/api", "/api/*"] } },
    bucketBackends: { frontend: { bucketName: frontend.bucketName } },
    projectNumber,
    defaultBackend: "frontend",
    labels,
    deletionProtection,
  }, opts);

  const ind = CRYPTOCARE_INDICATORS;
  // § 1.3 from the start (critical), § 8.3's inflection points as warnings ("Action requise"),
  // PagerDuty from phase 1 (§ 4.3.2) when its key is set, formal SLOs at phase 3.
  const monitoring = new Monitoring(prefix, {
    project: projectId,
    notificationEmails: [c.monitoring.notificationEmail],
    ...(phase.pagerDuty && c.secrets?.pagerDutyServiceKey ? { pagerDutyServiceKey: c.secrets.pagerDutyServiceKey } : {}),
    uptimeHost: c.domains[0],
    uptimePath: "/api/health",
    apiServiceName: api.serviceName,
    cloudSqlInstance: database.instanceName,
    availabilityObjective: ind.availability,
    thresholds: { errorRatio: ind.errorRatio, cloudSqlCpu: ind.inflection.cpu },
    apiAlerts: {
      "latency-critical": { metric: "latencyP95Ms", threshold: ind.latencyP95Ms, severity: "CRITICAL" },
      "errors-critical": { metric: "errorRatio", threshold: ind.errorRatio, severity: "CRITICAL" },
      // "> 70 % soutenu": sustained for 15 minutes (ours).
      "cpu-inflection": { metric: "cpu", threshold: ind.inflection.cpu, duration: "900s", severity: "WARNING" },
      "latency-inflection": { metric: "latencyP95Ms", threshold: ind.inflection.latencyP95Ms, severity: "WARNING" },
      "errors-inflection": { metric: "errorRatio", threshold: ind.inflection.errorRatio, severity: "WARNING" },
      // Cloud Run does not scale on memory (see the file's header): alerting is how memory is watched.
      "memory-high": { metric: "memory", threshold: 0.8, severity: "WARNING" },
    },
    ...(phase.formalSlos ? { apiSlos: { availability: ind.availability, latency: { thresholdMs: ind.latencyP95Ms, objective: 0.95 } } } : {}),
    labels,
  }, opts);

  return {
    phase: c.phase,
    instance,
    loadBalancerIp: entry.ipAddress,
    domains: c.domains,
    apiService: api.serviceName,
    apiCandidateRevision: `${prefix}-api-${apiRevisionSuffix(c)}`,
    databaseConnectionName: database.connectionName,
    frontendBucket: frontend.bucketName,
    queues: Object.fromEntries(Object.entries(queues).map(([q, w]) => [q, w.topicName])),
    alertPolicies: monitoring.alertPolicyIds,
  };
}

/** The API's release: all-at-once at MVP, blue/green from phase 1, canary from phase 2 (§ 4.2.2). */
function apiRelease(c: CryptocareConfig, strategy: PhaseRow["release"]): CloudRunRelease {
  const revisionSuffix = apiRevisionSuffix(c);
  if (strategy === "all-at-once") return { strategy, revisionSuffix };
  return {
    strategy,
    revisionSuffix,
    ...(c.release.stableRevision ? { stableRevision: c.release.stableRevision } : {}),
    ...(strategy === "canary" ? { canaryPercent: c.release.canaryPercent } : {}),
  };
}

/** Which workload reads which third-party credential. */
const SECRET_READERS = {
  "zoom-client-secret": { config: "zoomClientSecret", env: "ZOOM_CLIENT_SECRET", readers: ["zoom-meetings"] },
  "swiss-bitcoin-pay-api-key": { config: "swissBitcoinPayApiKey", env: "SWISS_BITCOIN_PAY_API_KEY", readers: ["payments", "payment-webhooks"] },
} as const;

/**
 * The Zoom and Swiss Bitcoin Pay credentials in Secret Manager, replicated in the region only, with
 * the platform's key. A credential left unset gets an empty secret that no workload reads (Cloud Run
 * refuses to start a revision reading a secret with no version).
 */
function appSecrets(
  prefix: string,
  c: CryptocareConfig,
  region: string,
  kmsKeyName: pulumi.Input<string>,
  labels: Record<string, string>,
  deletionProtection: boolean,
  opts: pulumi.CustomResourceOptions,
) {
  const refs: Record<string, { env: string; readers: readonly string[]; secret: pulumi.Output<string>; version: pulumi.Output<string> }> = {};
  for (const [name, spec] of Object.entries(SECRET_READERS)) {
    const { secret, version } = regionalSecret(
      { secret: `${prefix}-secret-${name}`, version: `${prefix}-secret-${name}-version` },
      {
        project: c.gcp.projectId,
        secretId: `${prefix}-${name}`,
        replicas: [{ location: region, kmsKeyName }],
        labels,
        deletionProtection,
        value: c.secrets?.[spec.config],
      },
      { ...opts, protect: deletionProtection },
      (s) => ({ parent: s }),
    );
    if (version === undefined) continue;
    refs[name] = { env: spec.env, readers: spec.readers, secret: secret.secretId, version: version.version };
  }
  return {
    envFor: (reader: string) =>
      Object.fromEntries(Object.values(refs).filter((r) => r.readers.includes(reader)).map((r) => [r.env, { secret: r.secret, version: r.version }])),
  };
}

/**
 * ShareYourSales (docs/platforms/shareyoursales.md): the monolith's move to five services behind a
 * gateway (§ Architecture Microservices), an event bus and three workers, PostgreSQL with two read
 * replicas, a Redis cache, Elasticsearch and object storage (§ Architecture Base de Données), on its
 * own GKE cluster built by the same foundation as DiaspoMoney's.
 *
 * Two kinds of stack, one definition each: `shareyoursales-shared` is the GKE cluster foundation
 * (stacks/gke-cluster-foundation.ts) with ShareYourSales' operators and figures, and
 * `shareyoursales-<env>` holds what runs in the env's two namespaces (app and infra).
 *
 * Region: the platform serves Morocco (§ Plan de migration, Phase 2 "Conformité Légale":
 * "Intégration fiscalité Maroc"; § Fonctionnalités manquantes, KYC: "ICE au Maroc").
 * europe-west9 (Paris) is the nearest EU region whose prices the project vendors, so the document's
 * budget can be checked; Madrid (europe-southwest1) is nearer but has no vendored price (see the
 * README's ShareYourSales section). Morocco's law 09-08 lets personal data go to the EU.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PrivateClusterCa } from "../components/common/private-ca";
import { Bucket } from "../components/gcp/bucket";
import { EncryptionKeys } from "../components/gcp/encryption-keys";
import { HttpsLoadBalancer } from "../components/gcp/https-load-balancer";
import { Monitoring } from "../components/gcp/monitoring";
import { ApiGateway } from "../components/k8s/api-gateway";
import { CLAMAV_MIRROR_EGRESS, CLAMD_PORT, ClamavScanner, clamavPodSelector } from "../components/k8s/clamav";
import { ELASTICSEARCH_HTTP_PORT, ELASTICSEARCH_TRANSPORT_PORT, ElasticsearchCluster, elasticsearchPodSelector } from "../components/k8s/elasticsearch";
import { RABBITMQ_TOPOLOGY_OPERATOR_DEPLOYMENT } from "../components/k8s/operators";
import { ACME_SOLVER_POD_LABELS, ACME_SOLVER_PORT, GKE_METADATA_SERVER, NetworkFlows, RFC1918, SENTRY_INGEST_CIDRS, redisClusterFlows, type CidrEndpoint, type Flow, type FlowPort, type PodEndpoint } from "../components/k8s/network-flows";
import { CNPG_METRICS_PORT, CNPG_STATUS_PORT, POSTGRES_PORT, PostgresCluster, postgresPodSelector } from "../components/k8s/postgres-cluster";
import { PlatformAlertRules } from "../components/k8s/prometheus-rules";
import { QueueWorker, queueWorkerPodSelector } from "../components/k8s/queue-worker";
import { RABBITMQ_AMQPS_PORT, RABBITMQ_INTER_NODE_PORTS, RABBITMQ_MANAGEMENT_TLS_PORT, RABBITMQ_METRICS_TLS_PORT, RabbitmqBroker, rabbitmqPodSelector } from "../components/k8s/rabbitmq";
import { RedisCluster, redisPodSelector } from "../components/k8s/redis-cluster";
import { TRAEFIK_POD_LABELS } from "../components/k8s/traefik";
import { WebApp, webAppPodSelector } from "../components/k8s/web-app";
import { ENV_TRAITS, type AppEnv } from "../model/envs";
import { emailAddress, gcpProjectSchema, hostname, pinnedImage, secretString } from "./config";
import { envProject, workloadBackupBucket, workloadIdentityAccount, type EnvProjectHandles } from "./env-project";
import { DEFAULT_MASTER_CIDR, envDataCaName, envNamespaces, GKE_CLUSTER_DEFAULTS, gkeClusterFoundation, SHARED_NAMESPACES } from "./gke-cluster-foundation";
import { definePlatform, envsOf, platformDefinition, type ComplianceFacts, type StackContext } from "./platform";
import { clusterAccessSchema, clusterProvider } from "./shared-stack";

const DOC = "docs/platforms/shareyoursales.md";
const PLATFORM = "shareyoursales";

/** Regions the cluster, the buckets and the backups may use: the EU, nearest Morocco first (file comment). */
export const SHAREYOURSALES_REGIONS = ["europe-west9", "europe-west1"] as const;

/** The namespaces of an env: `shareyoursales-<env>` (services, gateway, workers) and `-infra` (data services). */
export const shareyoursalesNamespaces = (env: AppEnv) => envNamespaces(PLATFORM, env);

/** § Architecture Microservices: the five services behind the gateway, and the path each one serves. */
export const SERVICES = {
  auth: { pathPrefix: "/api/auth" },
  product: { pathPrefix: "/api/products" },
  tracking: { pathPrefix: "/api/tracking" },
  payment: { pathPrefix: "/api/payments" },
  analytics: { pathPrefix: "/api/analytics" },
} as const;
export type ServiceName = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** § Architecture Microservices: the workers behind the event bus, and the events they consume. */
export const WORKERS = {
  email: { routingKey: "email.#", publishers: ["auth", "payment", "product"] },
  notification: { routingKey: "notification.#", publishers: ["auth", "product", "tracking", "payment"] },
  invoice: { routingKey: "invoice.#", publishers: ["payment"] },
} as const satisfies Record<string, { routingKey: string; publishers: readonly ServiceName[] }>;
export type WorkerName = keyof typeof WORKERS;
const WORKER_NAMES = Object.keys(WORKERS) as WorkerName[];

/** The one exchange the services publish events to (§ Architecture Microservices: "Event Bus (RabbitMQ)"). */
const EVENTS_EXCHANGE = "events";

/** Which services use which data services (§ Architecture Base de Données); nothing else reaches them. */
export const DATA_CLIENTS = {
  // "Primary PostgreSQL (Write)": every service owns tables; the workers read what they send.
  postgres: [...SERVICE_NAMES, ...WORKER_NAMES.map((w) => `${w}-worker`)],
  // "Redis Cache (Hot Data) - Sessions, Tokens, Counters, Leaderboards".
  redis: ["auth", "product", "tracking", "analytics"],
  // "Elasticsearch (Full-Text Search) - Products, Influencers, Merchants Search".
  elasticsearch: ["product", "analytics"],
  // § Sécurité "Scan antivirus (ClamAV)" on uploads: product images and documents.
  clamav: ["product"],
} as const;

const serviceSchema = z.strictObject({
  image: pinnedImage,
  replicas: z.number().int().min(1).max(50),
  maxReplicas: z.number().int().min(1).max(100),
});
const workerSchema = z.strictObject({
  image: pinnedImage,
  /** Replicas KEDA keeps when the queue is empty (2 in prod: a worker's loss delays nothing). */
  minReplicas: z.number().int().min(1).max(20),
  maxReplicas: z.number().int().min(1).max(50),
});

/** The env stacks' schema: every key required; the env's profile row fills the figures. */
export const shareyoursalesSchema = z.strictObject({
  gcp: gcpProjectSchema(SHAREYOURSALES_REGIONS),
  /** Protect stateful resources against deletion (Pulumi protect + the services' own flags). */
  deletionProtection: z.boolean(),
  access: clusterAccessSchema(PLATFORM),
  /** The gateway's host (TLS, Let's Encrypt); the document names no domain, so each stack file gives its own. */
  host: hostname,
  /** § Architecture Microservices: one entry per service. */
  services: z.strictObject({ auth: serviceSchema, product: serviceSchema, tracking: serviceSchema, payment: serviceSchema, analytics: serviceSchema }),
  /** § Frontend: "Next.js 14 (React avec SSR)". */
  frontend: serviceSchema,
  /** § Absence de Queue System: the email, notification and invoice workers, scaled on their queue's length. */
  workers: z.strictObject({ email: workerSchema, notification: workerSchema, invoice: workerSchema }),
  /** Target CPU of every HPA (ours: the document gives no figure). */
  cpuTargetPercent: z.number().int().min(10).max(95),
  /** § Monitoring & DevOps "Error Tracking: Sentry": the DSN, passed as SENTRY_DSN (optional). */
  sentryDsn: secretString("Sentry DSN of the services").optional(),
  /** Who the uptime probe's alerts page. */
  probe: z.strictObject({ notificationEmails: z.array(emailAddress).min(1).max(10) }),
  rabbitmq: z.strictObject({
    /** Nodes: 1, or an odd number (quorum queues need a majority). */
    replicas: z.number().int().min(1).max(7),
    storageGi: z.number().int().min(1).max(500),
  }),
  postgres: z.strictObject({
    /** § Architecture Base de Données: "Read Replica 1 (Analytics)", "Read Replica 2 (Dashboards)". */
    readReplicas: z.number().int().min(1).max(5),
    storageGi: z.number().int().min(1).max(4000),
    /** Days base backups and WAL are kept (the point-in-time recovery window). */
    backupRetentionDays: z.number().int().min(1).max(365),
  }),
  redis: z.strictObject({
    leaders: z.number().int().min(3).max(12),
    followers: z.number().int().min(0).max(24),
    storageGi: z.number().int().min(1).max(500),
  }),
  elasticsearch: z.strictObject({
    nodes: z.number().int().min(1).max(9),
    storageGi: z.number().int().min(1).max(2000),
  }),
  clamav: z.strictObject({ replicas: z.number().int().min(1).max(10) }),
  media: z.strictObject({
    /**
     * The host product images are served from through Cloud CDN (issue 13: "Product images are
     * served through the CDN"); every env has it, so that rct tries the CDN path before prod.
     */
    cdnHost: hostname,
  }),
});

export type ShareyoursalesConfig = z.output<typeof shareyoursalesSchema>;

/** The document's figures every ShareYourSales stack shares, with their sections. */
const documentFacts = {
  allowedLocations: [...SHAREYOURSALES_REGIONS, "EU"],
  // The document gives no backup figure; base backups daily with continuous WAL archiving are ours.
  maxBackupIntervalHours: 24,
  pointInTimeRecoveryRequired: true,
  // The document states no RPO: nothing to hold log shipping to.
  maxRpoMinutes: null,
};
const sources: ComplianceFacts["sources"] = {
  allowedLocations: `${DOC} § Plan de migration, Phase 2 "Conformité Légale" ("Intégration fiscalité Maroc"): EU regions nearest Morocco (stacks/shareyoursales.ts)`,
  minBackupRetentionDays: `${DOC} § Architecture Base de Données (no retention figure): 7 days in dev/rct, 28 in prod, the policy pack's floor`,
  maxBackupIntervalHours: `${DOC} gives no backup interval: daily base backups plus continuous WAL archiving (ours)`,
  pointInTimeRecoveryRequired: `${DOC} § Points Forts Existants ("Calcul automatique des commissions", "Système de paiements basique"): commission and payment data; WAL archiving gives point-in-time recovery (ours)`,
  maxRpoMinutes: `${DOC} states no RPO`,
};

/**
 * Figures the document does not give, chosen once here: replicas per env, HPA ceilings, worker
 * ceilings and data-service sizes. dev and rct run one of everything (rct is prod's shape at one
 * replica); prod runs two of each service for rolling updates and zone failures.
 */
const sized = (replicas: number, maxReplicas: number) => ({ replicas, maxReplicas });
const devLike = {
  services: { auth: sized(1, 2), product: sized(1, 2), tracking: sized(1, 2), payment: sized(1, 2), analytics: sized(1, 2) },
  frontend: sized(1, 2),
  workers: { email: { minReplicas: 1, maxReplicas: 2 }, notification: { minReplicas: 1, maxReplicas: 2 }, invoice: { minReplicas: 1, maxReplicas: 2 } },
  rabbitmq: { replicas: 1, storageGi: 5 },
  // One replica serves both replica names (postgres-analytics and postgres-dashboards) outside prod.
  postgres: { readReplicas: 1, storageGi: 10, backupRetentionDays: 7 },
  redis: { leaders: 3, followers: 0, storageGi: 1 },
  elasticsearch: { nodes: 1, storageGi: 10 },
  clamav: { replicas: 1 },
};
const common = {
  access: { source: "shared-stack" as const, apiServerCidrs: [DEFAULT_MASTER_CIDR] },
  cpuTargetPercent: 70,
};

const shareyoursalesEnvsDefinition = platformDefinition({
  name: PLATFORM,
  schemaId: PLATFORM,
  document: "shareyoursales.md",
  schema: shareyoursalesSchema,
  envs: {
    dev: {
      profile: { ...common, ...devLike },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
    },
    rct: {
      profile: { ...common, ...devLike },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
    },
    prod: {
      profile: {
        ...common,
        // Tracking takes every affiliate click (§ Base de Données: "trackable_links", "clicks_logs"): the most headroom.
        services: { auth: sized(2, 4), product: sized(2, 4), tracking: sized(2, 6), payment: sized(2, 3), analytics: sized(2, 3) },
        frontend: sized(2, 4),
        workers: { email: { minReplicas: 2, maxReplicas: 4 }, notification: { minReplicas: 2, maxReplicas: 4 }, invoice: { minReplicas: 2, maxReplicas: 3 } },
        // Issue 13: "3 replicas in prod"; quorum queues keep a message through one node's loss.
        rabbitmq: { replicas: 3, storageGi: 20 },
        // § Architecture Base de Données: a primary and two read replicas.
        postgres: { readReplicas: 2, storageGi: 50, backupRetentionDays: 30 },
        redis: { leaders: 3, followers: 3, storageGi: 5 },
        elasticsearch: { nodes: 3, storageGi: 30 },
        clamav: { replicas: 2 },
      },
      compliance: { ...documentFacts, minBackupRetentionDays: 28, sources },
    },
  },
  checkEnv: (_env, config) => {
    for (const [name, w] of Object.entries(config.workers)) {
      if (w.maxReplicas < w.minReplicas) return { key: `workers.${name}.maxReplicas`, expected: `at least workers.${name}.minReplicas (${w.minReplicas})`, got: String(w.maxReplicas) };
    }
    for (const [name, s] of [...Object.entries(config.services), ["frontend", config.frontend] as const]) {
      if (s.maxReplicas < s.replicas) {
        const key = name === "frontend" ? "frontend.maxReplicas" : `services.${name}.maxReplicas`;
        return { key, expected: `at least ${name === "frontend" ? "frontend" : `services.${name}`}.replicas (${s.replicas})`, got: String(s.maxReplicas) };
      }
    }
    if (config.rabbitmq.replicas > 1 && config.rabbitmq.replicas % 2 === 0) {
      return { key: "rabbitmq.replicas", expected: "1 or an odd number (quorum queues need a majority)", got: String(config.rabbitmq.replicas) };
    }
    return undefined;
  },
  compose: (ctx, config) => composeEnv(ctx, config),
});

/** shareyoursales-shared: the GKE cluster foundation with the operators ShareYourSales' data services need. */
const shareyoursalesSharedDefinition = gkeClusterFoundation({
  platform: PLATFORM,
  document: "shareyoursales.md",
  regions: SHAREYOURSALES_REGIONS,
  servedEnvs: envsOf(shareyoursalesEnvsDefinition),
  // § Architecture Base de Données and § Stack technologique: RabbitMQ, PostgreSQL replicas, Redis,
  // Elasticsearch; KEDA scales the workers on their queues.
  operators: ["rabbitmq", "cnpg", "redis", "eck", "keda"],
  // § Monitoring & DevOps: "Logging: Loki + Grafana", "Tracing: Jaeger ou Zipkin" (Tempo: the
  // Grafana stack's own, accepting Jaeger's and Zipkin's protocols; README § ShareYourSales).
  logsAndTraces: { logRetention: "744h", traceRetention: "336h" },
  compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
  profile: {
    cluster: {
      nodesCidr: "10.40.0.0/20",
      podsCidr: "10.44.0.0/14",
      servicesCidr: "10.48.0.0/20",
      ...GKE_CLUSTER_DEFAULTS,
      // The capacity check counts every namespace at its quota's requests (the env namespaces below,
      // the operators', monitoring's and observability's) plus the charts' requests: 36 CPU, over
      // the 35.3 that 3 nodes per zone offer; at 4 per zone (12 × e2-standard-4, 3.92 CPU and 13.3Gi
      // allocatable each) the pool offers 47 CPU and 160Gi. The pool idles at one node per zone
      // (what the cost estimate prices), and the autoscaler adds nodes only for pods that need them.
    },
    // § Sécurité: TLS everywhere; 1.2 stays allowed for older Android browsers common in Morocco.
    edge: { traefikReplicas: 2, minTlsVersion: "VersionTLS12", monitoringDomain: "shareyoursales.ma", prometheusRetention: "15d", prometheusStorageGi: 50 },
    // Sized from what the env stacks run, as the deployability `capacity` check measures it (every
    // HPA and ScaledObject at its maximum plus the rollout surge, the operator CRs' pods, the ACME
    // solver). Measured needs (requests cpu / limits cpu / requests memory / limits memory / PVCs / storage):
    //   dev, rct app    3.15 / 15 / 7.5Gi / 7.5Gi
    //   dev, rct infra  3.35 / 13.6 / 11.7Gi / 16.8Gi / 10 / 41Gi
    //   prod app        5.15 / 24.5 / 12.25Gi / 12.25Gi
    //   prod infra      6.6 / 25.2 / 23.6Gi / 30.75Gi / 21 / 336Gi
    // Headroom ~15% over each request figure (the node pool must hold them all) and ~10% over limits.
    namespaceQuotas: {
      dev: {
        app: { requestsCpu: "3600m", limitsCpu: "16500m", requestsMemory: "8704Mi", limitsMemory: "8704Mi" },
        infra: { requestsCpu: "3900m", limitsCpu: "15", requestsMemory: "13568Mi", limitsMemory: "19Gi", requestsStorage: "80Gi", persistentVolumeClaims: "14" },
      },
      rct: {
        app: { requestsCpu: "3600m", limitsCpu: "16500m", requestsMemory: "8704Mi", limitsMemory: "8704Mi" },
        infra: { requestsCpu: "3900m", limitsCpu: "15", requestsMemory: "13568Mi", limitsMemory: "19Gi", requestsStorage: "80Gi", persistentVolumeClaims: "14" },
      },
      prod: {
        app: { requestsCpu: "6", limitsCpu: "27", requestsMemory: "14Gi", limitsMemory: "14Gi" },
        infra: { requestsCpu: "7600m", limitsCpu: "28", requestsMemory: "27Gi", limitsMemory: "34Gi", requestsStorage: "400Gi", persistentVolumeClaims: "26" },
      },
    },
  },
});

/** The env stacks (`shareyoursales-dev|rct|prod`). */
export const shareyoursales = definePlatform(shareyoursalesEnvsDefinition);
/** The shared stack (`shareyoursales-shared`). */
export const shareyoursalesShared = definePlatform(shareyoursalesSharedDefinition);

// ------------------------------------------------------------------------------------------------
// shareyoursales-<env>: the services, the gateway, the workers and their data services.
// ------------------------------------------------------------------------------------------------

/** APIs an env stack calls in its own project (buckets, keys, the backup account, the probe, the CDN). */
const SHAREYOURSALES_ENV_APIS = [
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "compute.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "storage.googleapis.com",
];

/** Resource names inside the env's namespaces (pods, services and network policies derive from them). */
const NAMES = { postgres: "postgres", rabbitmq: "rabbitmq", redis: "redis", elasticsearch: "search", clamav: "clamav", gateway: "gateway", frontend: "frontend" } as const;

/**
 * § Architecture Monolithique, "Solution Professionnelle": Auth Service (Port 8001), Product Service
 * (Port 8002), Tracking Service (Port 8003); payment and analytics continue the series (ours).
 */
export const SERVICE_PORTS: Record<ServiceName, number> = { auth: 8001, product: 8002, tracking: 8003, payment: 8004, analytics: 8005 };
/**
 * A service pod's resources (ours: the document gives none). FastAPI services are I/O-bound: a
 * tenth of a CPU at rest, the HPA adds replicas at cpuTargetPercent; memory request = limit so that
 * no neighbour's burst gets a service OOM-killed.
 */
const SERVICE_RESOURCES = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
/** Alert thresholds (ours: shareyoursales.md gives none; each rule's citation says so). */
const ALERT_THRESHOLDS = { latencyP95Seconds: 0.5, errorRatio: 0.01, cpuRatio: 0.8, memoryRatio: 0.85, diskRatio: 0.85, authFailureRatio: 0.2 };
/** The Next.js frontend's port (Next.js' default). */
const FRONTEND_PORT = 3000;
/** Where WebApp and QueueWorker mount the data services' CA (`trustedCa`): the Python services read it from DATA_CA_FILE. */
const DATA_CA_FILE = "/etc/platform-ca/ca.crt";

/** § Sécurité, "Validation stricte des uploads": "MAX_FILE_SIZE = 5 * 1024 * 1024  # 5MB". */
export const UPLOAD_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** § Sécurité, "Rate Limiting avec Redis": `@app.post("/api/auth/login")` under `@limiter.limit("5/minute")`. */
export const LOGIN = { path: "/api/auth/login", rateLimit: { average: 5, period: "1m", burst: 5 } } as const;

/** Whether a service publishes events some worker consumes (§ Architecture Microservices: services → Event Bus → workers). */
const publishesEvents = (service: ServiceName) => WORKER_NAMES.some((w) => (WORKERS[w].publishers as readonly ServiceName[]).includes(service));

function composeEnv(ctx: StackContext<AppEnv>, c: ShareyoursalesConfig): Record<string, unknown> {
  const { env } = ctx;
  const ns = shareyoursalesNamespaces(env);
  const labels = { platform: PLATFORM, env };
  const deletionProtection = c.deletionProtection;
  const provider = clusterProvider(PLATFORM, c.access);
  const opts = { provider };
  const metricsLabels = { release: "kube-prometheus-stack" };
  const inInfra = (service: pulumi.Input<string>) => pulumi.interpolate`${service}.${ns.infra}.svc`;

  // --- the env's own project, and PostgreSQL's backup bucket (stacks/env-project.ts) -------------
  const project = envProject(ctx, c.gcp, SHAREYOURSALES_ENV_APIS, deletionProtection);
  const postgresBackups = workloadBackupBucket({
    ctx,
    project: c.gcp,
    handles: project,
    service: "postgres",
    purpose: "PostgreSQL base backups and WAL",
    // Barman Cloud deletes the backups and WAL its recovery window no longer needs: it manages
    // objects, and no age rule may delete behind it (a timeline's history file is written once per
    // failover and needed by every later restore). Soft delete is the net.
    role: "roles/storage.objectAdmin",
    lifecycleRules: [],
    // CloudNativePG runs the instances, and the backup sidecar in them, as a service account named after the cluster.
    kubernetesServiceAccount: { clusterProject: c.access.clusterProject, namespace: ns.infra, name: NAMES.postgres },
    labels,
    deletionProtection,
  });

  // --- media: images, videos, documents, exports (§ Architecture Base de Données "S3/MinIO (Files)") -
  const media = mediaStorage(ctx, c, project, labels);

  // --- the env's private CA: it signs the data services' certificates; its public certificate
  // reaches the app namespace (components/common/private-ca.ts).
  // The RabbitMQ Topology Operator (shared stack) calls the broker's management API over TLS: it
  // trusts this CA from the Secret written in its namespace too.
  const dataCa = new PrivateClusterCa(`${PLATFORM}-${env}-data-ca`, {
    caNamespace: SHARED_NAMESPACES.certManager,
    trustNamespaces: [ns.app, SHARED_NAMESPACES.rabbitmqOperator],
    resourceName: envDataCaName(PLATFORM, env),
    labels,
  }, opts);
  const trustedCa = { secretName: dataCa.trustSecretName };
  // The Topology Operator reads its trust store once, at start: once this env's CA is in its
  // namespace, roll it (an annotation per env, so each env's first deploy rolls it once).
  const topologyOperatorTrust = new k8s.apps.v1.DeploymentPatch(`${PLATFORM}-${env}-topology-operator-trust`, {
    metadata: { name: RABBITMQ_TOPOLOGY_OPERATOR_DEPLOYMENT, namespace: SHARED_NAMESPACES.rabbitmqOperator },
    spec: { template: { metadata: { annotations: { [`platform/trusted-ca-${env}`]: dataCa.trustSecretName } } } },
  }, { ...opts, dependsOn: [dataCa.trustCertificates[SHARED_NAMESPACES.rabbitmqOperator]] });

  // --- data services (§ Architecture Base de Données) ------------------------------------------------
  const postgres = new PostgresCluster(NAMES.postgres, {
    namespace: ns.infra,
    clusterName: NAMES.postgres,
    replicas: c.postgres.readReplicas,
    storage: { size: `${c.postgres.storageGi}Gi` },
    database: PLATFORM,
    owner: PLATFORM,
    clientNamespaces: [ns.app],
    tls: { issuer: dataCa.issuer },
    backup: {
      bucket: postgresBackups.bucketName,
      gcpServiceAccountEmail: postgresBackups.serviceAccountEmail,
      retentionDays: c.postgres.backupRetentionDays,
    },
    metrics: { labels: metricsLabels },
    labels,
    deletionProtection,
  }, { ...opts, dependsOn: [postgresBackups.bucket] });

  const rabbitmq = new RabbitmqBroker(NAMES.rabbitmq, {
    namespace: ns.infra,
    replicas: c.rabbitmq.replicas,
    storage: { size: `${c.rabbitmq.storageGi}Gi` },
    tls: { issuer: dataCa.issuer },
    vhost: PLATFORM,
    exchanges: [{ name: EVENTS_EXCHANGE, type: "topic" }],
    queues: WORKER_NAMES.map((w) => ({ name: w, exchange: EVENTS_EXCHANGE, routingKey: WORKERS[w].routingKey })),
    users: [
      ...SERVICE_NAMES.filter(publishesEvents).map((svc) => ({ name: svc, clientNamespaces: [ns.app], publishes: [EVENTS_EXCHANGE] })),
      ...WORKER_NAMES.map((w) => ({ name: `${w}-worker`, clientNamespaces: [ns.app], consumes: [w] })),
    ],
    metrics: { labels: metricsLabels },
    // Topology objects (vhost, queues, users) go through the operator's TLS call to the broker.
    crdInstallers: [topologyOperatorTrust],
    labels,
    deletionProtection,
  }, opts);

  const redis = new RedisCluster(NAMES.redis, {
    namespace: ns.infra,
    leaders: c.redis.leaders,
    followers: c.redis.followers,
    storage: { size: `${c.redis.storageGi}Gi` },
    tls: { issuer: dataCa.issuer },
    clientNamespaces: [ns.app],
    labels,
    deletionProtection,
  }, opts);

  const search = new ElasticsearchCluster(NAMES.elasticsearch, {
    namespace: ns.infra,
    nodeCount: c.elasticsearch.nodes,
    storage: { size: `${c.elasticsearch.storageGi}Gi` },
    tls: { issuer: dataCa.issuer },
    appUser: { name: PLATFORM, indices: ["products", "influencers", "merchants"], clientNamespaces: [ns.app] },
    labels,
    deletionProtection,
  }, opts);

  const clamav = new ClamavScanner(NAMES.clamav, { namespace: ns.infra, replicas: c.clamav.replicas, labels }, opts);

  // --- the five services and the frontend ----------------------------------------------------------
  const pg = postgres.appSecretName;
  const userSecret = (user: string) => rabbitmq.userSecretNames.apply((m) => m[user]);
  const shared = {
    namespace: ns.app,
    trustedCa,
    secretValues: c.sentryDsn ? { SENTRY_DSN: c.sentryDsn } : ({} as Record<string, pulumi.Input<string>>),
    // Right-sizing recommendations where the cluster runs VPA (the shared stack's GKE cluster does).
    verticalPodAutoscaler: c.access.source === "shared-stack",
    labels,
    deletionProtection,
  };
  const services = {} as Record<ServiceName, WebApp>;
  for (const svc of SERVICE_NAMES) {
    const s = c.services[svc];
    const uses = (clients: readonly string[]) => clients.includes(svc);
    services[svc] = new WebApp(svc, {
      ...shared,
      image: s.image,
      replicas: s.replicas,
      containerPort: SERVICE_PORTS[svc],
      autoscaling: { maxReplicas: s.maxReplicas, targetCpuUtilizationPercent: c.cpuTargetPercent },
      probes: { readinessPath: "/health", livenessPath: "/health" },
      resources: SERVICE_RESOURCES,
      metrics: { labels: metricsLabels, path: "/metrics" },
      writablePaths: ["/tmp"],
      runAsUser: 1000,
      ...(svc === "product" || svc === "analytics" ? { serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": media.serviceAccounts[svc] } } : {}),
      env: {
        APP_ENV: ENV_TRAITS[env].runtimeMode,
        DATA_CA_FILE,
        DATABASE_HOST: inInfra(postgres.rwService),
        // § Architecture Base de Données: "Read Replica 1 (Analytics)", "Read Replica 2 (Dashboards)".
        ...(svc === "analytics" ? { DATABASE_ANALYTICS_HOST: inInfra(postgres.replicaServices.apply((r) => r.analytics)), DATABASE_DASHBOARDS_HOST: inInfra(postgres.replicaServices.apply((r) => r.dashboards)) } : {}),
        ...(uses(DATA_CLIENTS.redis) ? { REDIS_URL: pulumi.interpolate`rediss://${redis.leaderServiceName}.${ns.infra}.svc:6379` } : {}),
        ...(uses(DATA_CLIENTS.elasticsearch) ? { ELASTICSEARCH_URL: search.url } : {}),
        ...(uses(DATA_CLIENTS.clamav) ? { CLAMAV_ADDRESS: clamav.address, MAX_UPLOAD_BYTES: String(UPLOAD_MAX_BODY_BYTES) } : {}),
        ...(svc === "product" ? { IMAGES_BUCKET: media.imagesBucketName, FILES_BUCKET: media.filesBucketName } : {}),
        ...(svc === "analytics" ? { FILES_BUCKET: media.filesBucketName } : {}),
      },
      secretEnv: {
        DATABASE_USER: { secretName: pg, key: "username" },
        DATABASE_PASSWORD: { secretName: pg, key: "password" },
        ...(publishesEvents(svc) ? { AMQP_URL: { secretName: userSecret(svc), key: "url" }, AMQP_USERNAME: { secretName: userSecret(svc), key: "username" }, AMQP_PASSWORD: { secretName: userSecret(svc), key: "password" } } : {}),
        ...(uses(DATA_CLIENTS.redis) ? { REDIS_PASSWORD: { secretName: redis.passwordSecretName, key: "password" } } : {}),
        ...(uses(DATA_CLIENTS.elasticsearch) ? { ELASTICSEARCH_USERNAME: { secretName: search.appUserSecretName, key: "username" }, ELASTICSEARCH_PASSWORD: { secretName: search.appUserSecretName, key: "password" } } : {}),
      },
    }, opts);
  }

  // § Frontend: "Next.js 14 (React avec SSR)", served by its own server, never a dev server.
  const frontend = new WebApp(NAMES.frontend, {
    ...shared,
    image: c.frontend.image,
    replicas: c.frontend.replicas,
    containerPort: FRONTEND_PORT,
    autoscaling: { maxReplicas: c.frontend.maxReplicas, targetCpuUtilizationPercent: c.cpuTargetPercent },
    metrics: { labels: metricsLabels },
    env: {
      NODE_ENV: ENV_TRAITS[env].runtimeMode,
      NEXT_PUBLIC_API_URL: `https://${c.host}/api`,
      NEXT_PUBLIC_MEDIA_URL: media.cdnUrl,
      // Server-side rendering calls the services inside the cluster, not through the public load balancer.
      ...Object.fromEntries(SERVICE_NAMES.map((svc) => [`${svc.toUpperCase()}_SERVICE_URL`, `http://${svc}.${ns.app}.svc:${SERVICE_PORTS[svc]}`])),
    },
  }, opts);

  // --- the workers: one queue each, scaled on its length by KEDA; retries, then the dead-letter queue
  const workers = {} as Record<WorkerName, QueueWorker>;
  for (const w of WORKER_NAMES) {
    const user = `${w}-worker`;
    workers[w] = new QueueWorker(user, {
      namespace: ns.app,
      image: c.workers[w].image,
      queue: w,
      broker: { secretName: userSecret(user), ca: trustedCa },
      minReplicas: c.workers[w].minReplicas,
      maxReplicas: c.workers[w].maxReplicas,
      env: { APP_ENV: ENV_TRAITS[env].runtimeMode, DATABASE_HOST: inInfra(postgres.rwService), DATA_CA_FILE },
      secretEnv: { DATABASE_USER: { secretName: pg, key: "username" }, DATABASE_PASSWORD: { secretName: pg, key: "password" } },
      labels,
      deletionProtection,
    }, opts);
  }

  // --- the gateway: TLS, routes by path, the login and general rate limits, 5 MB uploads ----------
  const gateway = new ApiGateway(NAMES.gateway, {
    namespace: ns.app,
    host: c.host,
    issuer: { name: "letsencrypt-production" },
    routes: SERVICE_NAMES.map((svc) => ({
      pathPrefix: SERVICES[svc].pathPrefix,
      service: svc,
      port: SERVICE_PORTS[svc],
      // § Sécurité "Validation stricte des uploads": MAX_FILE_SIZE = 5MB on the routes that take files.
      ...(DATA_CLIENTS.clamav.includes(svc as "product") ? { maxBodyBytes: UPLOAD_MAX_BODY_BYTES } : {}),
    })),
    frontend: { service: NAMES.frontend, port: FRONTEND_PORT },
    login: LOGIN,
    labels,
  }, opts);

  // --- the only flows allowed on top of default-deny ----------------------------------------------
  new NetworkFlows(`${PLATFORM}-${env}-flows`, {
    resourceName: "flows",
    flows: shareyoursalesFlows(ns, c.access.apiServerCidrs),
    labels,
  }, opts);

  // --- uptime and alerts ------------------------------------------------------------------------------
  new Monitoring(`${PLATFORM}-${env}`, {
    project: c.gcp.projectId,
    uptimeHost: c.host,
    uptimePath: "/",
    availabilityObjective: 0.995,
    latencyThresholdMs: 500,
    notificationEmails: c.probe.notificationEmails,
    labels,
  }, project.opts);
  // The document gives no threshold: every figure is ours, and each citation says so. The services
  // label their requests as the document's snippet does (§ Absence de Logging/Monitoring,
  // "Solution Professionnelle": Counter('http_requests_total', …, ['method', 'endpoint', 'status'])),
  // with the full path the gateway forwards (/api/auth/…, /api/payments/…).
  new PlatformAlertRules(`${PLATFORM}-${env}-alerts`, {
    namespace: ns.app,
    platform: PLATFORM,
    env,
    appNamespace: ns.app,
    watchedNamespaces: [ns.app, ns.infra],
    // Five services, the frontend and the workers share the namespace: one of them down is an outage.
    noReadyReplicasPerDeployment: true,
    authRoutePrefix: SERVICES.auth.pathPrefix,
    paymentsRoutePrefix: SERVICES.payment.pathPrefix,
    // The ServiceMonitor's own `endpoint` target label wins, so the app's is stored as exported_endpoint.
    metrics: { statusLabel: "status", routeLabel: "exported_endpoint" },
    thresholds: ALERT_THRESHOLDS,
    sources: {
      latency: `${DOC} § Absence de Logging/Monitoring: "Pas de métriques de performance" (p95 > 0.5 s is ours: the document gives no figure)`,
      errorRate: `${DOC} § Absence de Logging/Monitoring: "Pas d'alertes si le système crash" (5xx > 1% is ours: the document gives no figure)`,
      uptime: `${DOC} § Absence de Logging/Monitoring: "Pas d'alertes si le système crash"`,
      payment: `${DOC} § Architecture Microservices: "Payment" service; § Absence de Logging/Monitoring: "Pas d'alertes si le système crash" (5xx > 1% is ours)`,
      security: `${DOC} § Sécurité: "Rate Limiting" ("Pas de protection brute-force"; 401/403 > 20% of /api/auth is ours)`,
      cpu: `${DOC} § Monitoring & DevOps: "Metrics: Prometheus + Grafana" (CPU > 80% of the limit is ours: the document gives no figure)`,
      memory: `${DOC} § Monitoring & DevOps: "Metrics: Prometheus + Grafana" (memory > 85% of the limit is ours: the document gives no figure)`,
      disk: `${DOC} § Monitoring & DevOps: "Metrics: Prometheus + Grafana" (volume > 85% full is ours: the document gives no figure)`,
    },
    rabbitmq: {
      source: `${DOC} § Absence de Queue System: "Retry automatique 3 fois" (a message in a .dlq failed its retries; backlog > 1000 ready messages is ours)`,
      backlogMessages: 1000,
    },
    postgres: {
      source: `${DOC} § Architecture Base de Données: "Read Replica 1 (Analytics)", "Read Replica 2 (Dashboards)" (lag > 30 s is ours: the document gives no figure)`,
      replicationLagSeconds: 30,
    },
    ruleSelectorLabels: metricsLabels,
    labels,
  }, opts);

  return {
    url: `https://${c.host}`,
    namespaces: ns,
    services: Object.fromEntries(SERVICE_NAMES.map((svc) => [svc, services[svc].serviceName])),
    frontend: frontend.serviceName,
    workers: Object.fromEntries(WORKER_NAMES.map((w) => [w, workers[w].deploymentName])),
    postgres: { rw: postgres.rwService, replicas: postgres.replicaServices },
    rabbitmq: rabbitmq.amqpsAddress,
    search: search.url,
    backupBucket: postgresBackups.bucketName,
    buckets: { images: media.imagesBucketName, files: media.filesBucketName },
    mediaUrl: media.cdnUrl,
    mediaIpAddress: media.cdnIpAddress,
    gateway: gateway.url,
  };
}

/** What the media storage gives the services: the buckets, and the CDN's URL where the env has one. */
interface MediaStorage {
  /** Product images: what the CDN serves (anything in it is readable by whoever knows its path). */
  imagesBucketName: string;
  /** Videos, documents and exports: private, never behind a load balancer. */
  filesBucketName: string;
  /** Google service accounts the product and analytics services act as (Workload Identity). */
  serviceAccounts: Record<"product" | "analytics", string>;
  cdnUrl: string;
  cdnIpAddress: pulumi.Output<string>;
}

/**
 * § Architecture Base de Données "S3/MinIO (Files) - Images, Videos, Documents, Exports", on GCS
 * (MinIO is archived): two CMEK buckets in the env's project. Product images go in their own bucket
 * because Cloud CDN serves any object of a bucket it fronts (components/gcp/https-load-balancer
 * README § Bucket backends); documents and exports stay in a bucket no load balancer fronts. The
 * product service writes both, the analytics service writes exports, each through its own Google
 * account bound to its Kubernetes service account (Workload Identity).
 */
function mediaStorage(ctx: StackContext<AppEnv>, c: ShareyoursalesConfig, project: EnvProjectHandles, labels: Record<string, string>): MediaStorage {
  const { env } = ctx;
  const prefix = `${PLATFORM}-${env}`;
  const ns = shareyoursalesNamespaces(env);
  const { projectId, projectNumber, region } = c.gcp;
  const deletionProtection = c.deletionProtection;
  const writer = (service: "product" | "analytics", what: string) => {
    const accountId = `${service}-media-${env}`;
    workloadIdentityAccount(project, {
      name: `${prefix}-${service}-media`,
      project: projectId,
      accountId,
      displayName: `${service} service: ${what} (${env})`,
      kubernetesServiceAccount: { clusterProject: c.access.clusterProject, namespace: ns.app, name: service },
    });
    return `${accountId}@${projectId}.iam.gserviceaccount.com`;
  };
  const serviceAccounts = { product: writer("product", "product images and documents"), analytics: writer("analytics", "exports") };
  const keys = new EncryptionKeys(`${prefix}-media`, {
    location: region,
    project: projectId,
    projectNumber,
    keys: { media: { serviceAgents: ["cloud-storage"] } },
    labels,
    deletionProtection,
  }, project.opts);
  const bucket = (kind: "images" | "files", writers: string[]) => {
    const bucketName = `${projectId}-${kind}-${env}`;
    new Bucket(`${prefix}-${kind}`, {
      bucketName,
      location: region,
      project: projectId,
      encryptionKeyName: keys.grantedKeyIds.apply((k) => k.media),
      // An overwritten or deleted upload stays recoverable for 30 days (ours: the document gives no figure).
      versioning: true,
      noncurrentVersionRetentionDays: 30,
      softDeleteRetentionDays: 30,
      iam: { "roles/storage.objectAdmin": writers.map((email) => `serviceAccount:${email}`) },
      labels: { ...labels, purpose: "media" },
      deletionProtection,
    }, project.opts);
    return bucketName;
  };
  const imagesBucketName = bucket("images", [serviceAccounts.product]);
  const filesBucketName = bucket("files", [serviceAccounts.product, serviceAccounts.analytics]);
  // Product images through Cloud CDN at media.cdnHost; the bucket stays private (the CDN reads it
  // as Google's fill account, granted by the load balancer component).
  const cdn = new HttpsLoadBalancer(`${prefix}-media-cdn`, {
    domains: [c.media.cdnHost],
    bucketBackends: { images: { bucketName: imagesBucketName } },
    defaultBackend: "images",
    projectNumber,
    labels,
    deletionProtection,
  }, project.opts);
  return { imagesBucketName, filesBucketName, serviceAccounts, cdnUrl: `https://${c.media.cdnHost}`, cdnIpAddress: cdn.ipAddress };
}


/** Google APIs (Cloud Storage): the Internet minus private ranges, as their addresses are not fixed. */
const GOOGLE_APIS: CidrEndpoint = { cidrs: ["0.0.0.0/0"], except: RFC1918 };
/** The third-party APIs of § Services Externes and § Intégrations Tierces (Stripe, SendGrid, Twilio, social networks): public HTTPS only. */
const PUBLIC_HTTPS: CidrEndpoint = { cidrs: ["0.0.0.0/0"], except: [...RFC1918, "100.64.0.0/10", "169.254.0.0/16"] };

/**
 * Who calls a third-party API over the Internet (§ Services Externes: "Stripe", "Twilio SMS",
 * "SendGrid Email"; § Intégrations Tierces: "API Instagram, TikTok, YouTube, Facebook"); no other
 * workload of the app namespace leaves the cluster.
 */
export const INTERNET_CLIENTS = ["payment", "tracking", "email-worker", "notification-worker"] as const;

/**
 * The only flows allowed on top of the namespaces' default-deny: Traefik → the gateway's backends,
 * each service and worker → the data services it uses (DATA_CLIENTS), publishers and workers →
 * RabbitMQ, members ↔ members, operators → operands, Prometheus → metrics, backups → GCS.
 */
export function shareyoursalesFlows(ns: { app: string; infra: string }, apiServerCidrs: string[]): Flow[] {
  const app = (resourceName: string, kind: "service" | "worker"): PodEndpoint => ({
    namespace: ns.app,
    podSelector: { matchLabels: kind === "service" ? webAppPodSelector(resourceName) : queueWorkerPodSelector(resourceName) },
  });
  const infra = (matchLabels: Record<string, string>): PodEndpoint => ({ namespace: ns.infra, podSelector: { matchLabels } });
  const traefik: PodEndpoint = { namespace: SHARED_NAMESPACES.traefik, podSelector: { matchLabels: { ...TRAEFIK_POD_LABELS } }, managed: false };
  const prometheus: PodEndpoint = { namespace: SHARED_NAMESPACES.monitoring, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } }, managed: false };
  const operator = (namespace: string): PodEndpoint => ({ namespace, podSelector: {}, managed: false });
  const workerNames = WORKER_NAMES.map((w) => `${w}-worker`);
  const clients = (names: readonly string[]) => names.map((n) => (workerNames.includes(n) ? app(n, "worker") : app(n, "service")));
  const postgres = infra(postgresPodSelector(NAMES.postgres));
  const rabbitmq = infra(rabbitmqPodSelector(NAMES.rabbitmq));
  const search = infra(elasticsearchPodSelector(NAMES.elasticsearch));
  const clamav = infra(clamavPodSelector(NAMES.clamav));
  const redis: PodEndpoint = { namespace: ns.infra, podSelector: redisPodSelector(NAMES.redis) };

  const flows: Flow[] = [];
  const add = (name: string, from: PodEndpoint, to: PodEndpoint | CidrEndpoint, ports: FlowPort[]) => flows.push({ name, from, to, ports });
  const fromEach = (clientNames: readonly string[], to: PodEndpoint | CidrEndpoint, target: string, ports: FlowPort[]) =>
    clients(clientNames).forEach((from, i) => add(`${clientNames[i]}-to-${target}`, from, to, ports));

  // The gateway (Traefik's IngressRoute) → the five services and the frontend; ACME HTTP-01 solvers.
  for (const svc of SERVICE_NAMES) add(`traefik-to-${svc}`, traefik, app(svc, "service"), [{ port: SERVICE_PORTS[svc] }]);
  add("traefik-to-frontend", traefik, app(NAMES.frontend, "service"), [{ port: FRONTEND_PORT }]);
  // Server-side rendering: the frontend calls the services directly.
  for (const svc of SERVICE_NAMES) add(`frontend-to-${svc}`, app(NAMES.frontend, "service"), app(svc, "service"), [{ port: SERVICE_PORTS[svc] }]);
  add("traefik-to-acme-solver", traefik, { namespace: ns.app, podSelector: { matchLabels: { ...ACME_SOLVER_POD_LABELS } } }, [{ port: ACME_SOLVER_PORT }]);
  // Metrics of the services and the frontend.
  for (const svc of SERVICE_NAMES) add(`prometheus-to-${svc}`, prometheus, app(svc, "service"), [{ port: SERVICE_PORTS[svc] }]);
  add("prometheus-to-frontend", prometheus, app(NAMES.frontend, "service"), [{ port: FRONTEND_PORT }]);

  // PostgreSQL: every service and worker; members replicate; CloudNativePG manages; Barman ships to GCS.
  fromEach(DATA_CLIENTS.postgres, postgres, "postgres", [{ port: POSTGRES_PORT }]);
  add("postgres-members", postgres, postgres, [{ port: POSTGRES_PORT }, { port: CNPG_STATUS_PORT }]);
  add("cnpg-to-postgres", operator(SHARED_NAMESPACES.cnpgOperator), postgres, [{ port: CNPG_STATUS_PORT }, { port: POSTGRES_PORT }]);
  add("prometheus-to-postgres", prometheus, postgres, [{ port: CNPG_METRICS_PORT }]);
  add("postgres-backup-to-gcs", postgres, GOOGLE_APIS, [{ port: 443 }]);
  add("postgres-backup-to-metadata", postgres, GKE_METADATA_SERVER.to, GKE_METADATA_SERVER.ports);

  // RabbitMQ: publishers and workers over AMQPS; nodes cluster; the topology operator and KEDA.
  const amqpClients = [...SERVICE_NAMES.filter(publishesEvents), ...workerNames];
  fromEach(amqpClients, rabbitmq, "rabbitmq", [{ port: RABBITMQ_AMQPS_PORT }]);
  add("rabbitmq-members", rabbitmq, rabbitmq, [...RABBITMQ_INTER_NODE_PORTS.map((port) => ({ port })), { port: RABBITMQ_AMQPS_PORT }]);
  add("rabbitmq-operator-to-rabbitmq", operator(SHARED_NAMESPACES.rabbitmqOperator), rabbitmq, [{ port: RABBITMQ_MANAGEMENT_TLS_PORT }]);
  add("keda-to-rabbitmq", operator(SHARED_NAMESPACES.keda), rabbitmq, [{ port: RABBITMQ_AMQPS_PORT }, { port: RABBITMQ_MANAGEMENT_TLS_PORT }]);
  add("prometheus-to-rabbitmq", prometheus, rabbitmq, [{ port: RABBITMQ_METRICS_TLS_PORT }]);

  // Redis: sessions, tokens, counters, leaderboards.
  flows.push(
    ...redisClusterFlows({
      redis,
      clients: clients(DATA_CLIENTS.redis).map((from, i) => ({ name: DATA_CLIENTS.redis[i], ...from })),
      operator: { namespace: SHARED_NAMESPACES.redisOperator, podSelector: {} },
      prometheus,
    }),
  );

  // Elasticsearch: product and analytics search; nodes' transport; ECK manages over HTTPS.
  fromEach(DATA_CLIENTS.elasticsearch, search, "search", [{ port: ELASTICSEARCH_HTTP_PORT }]);
  add("search-members", search, search, [{ port: ELASTICSEARCH_TRANSPORT_PORT }]);
  add("eck-to-search", operator(SHARED_NAMESPACES.eckOperator), search, [{ port: ELASTICSEARCH_HTTP_PORT }]);

  // ClamAV: the upload path scans; freshclam fetches signatures.
  fromEach(DATA_CLIENTS.clamav, clamav, "clamav", [{ port: CLAMD_PORT }]);
  add("clamav-to-mirror", clamav, { cidrs: [...CLAMAV_MIRROR_EGRESS.cidrs], except: [...CLAMAV_MIRROR_EGRESS.except] }, [{ port: CLAMAV_MIRROR_EGRESS.port }]);

  // Media buckets through Workload Identity.
  for (const svc of ["product", "analytics"] as const) {
    add(`${svc}-to-gcs`, app(svc, "service"), GOOGLE_APIS, [{ port: 443 }]);
    add(`${svc}-to-metadata`, app(svc, "service"), GKE_METADATA_SERVER.to, GKE_METADATA_SERVER.ports);
  }
  // Third-party APIs, and Sentry for every service (§ Monitoring & DevOps "Error Tracking: Sentry").
  fromEach(INTERNET_CLIENTS, PUBLIC_HTTPS, "internet", [{ port: 443 }]);
  fromEach(SERVICE_NAMES, { cidrs: SENTRY_INGEST_CIDRS }, "sentry", [{ port: 443 }]);
  // Operands that call the Kubernetes API (CloudNativePG's instance manager, ECK's and RabbitMQ's pods).
  add("infra-apiserver", { namespace: ns.infra }, { cidrs: apiServerCidrs }, [{ port: 443 }]);
  return flows;
}

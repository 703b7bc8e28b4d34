/**
 * DiaspoMoney (docs/platforms/diaspomoney.md): one Kubernetes cluster, one Traefik in front of three
 * environments, each with an app namespace (Next.js) and an infra namespace (MongoDB, a Redis
 * cluster, Kafka), watched by Prometheus/Grafana/Alertmanager.
 *
 * Two kinds of stack, one definition each: `diaspomoney-shared` is the GKE cluster foundation
 * (stacks/gke-cluster-foundation.ts: the cluster, Traefik, cert-manager, monitoring, the operators
 * and the served envs' namespaces), instantiated here with DiaspoMoney's figures; and
 * `diaspomoney-<env>` holds what runs inside its two namespaces. The foundation serves exactly the
 * app envs listed below.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PrivateClusterCa } from "../components/common/private-ca";
import { Monitoring } from "../components/gcp/monitoring";
import { KafkaCluster, kafkaBrokerPodSelector, kafkaNodePodSelector } from "../components/k8s/kafka";
import { MongoReplicaSet, mongoBackupLifecycleRules, mongoBackupPodSelector, mongoPodSelector } from "../components/k8s/mongodb";
import { NetworkFlows, SENTRY_INGEST_CIDRS, platformFlows } from "../components/k8s/network-flows";
import { PlatformAlertRules } from "../components/k8s/prometheus-rules";
import { RedisCluster, redisPodSelector } from "../components/k8s/redis-cluster";
import { TRAEFIK_POD_LABELS } from "../components/k8s/traefik";
import { WebApp, webAppPodSelector } from "../components/k8s/web-app";
import { ENV_TRAITS, type AppEnv } from "../model/envs";
import { emailAddress, gcpProjectSchema, hostname, pinnedImage, secretString } from "./config";
import { DEFAULT_MASTER_CIDR, envDataCaName, envNamespaces, GKE_CLUSTER_DEFAULTS, gkeClusterFoundation, SHARED_NAMESPACES } from "./gke-cluster-foundation";
import { definePlatform, envsOf, platformDefinition, type ComplianceFacts, type StackContext } from "./platform";
import { envProject, workloadBackupBucket } from "./env-project";
import { clusterAccessSchema, clusterProvider } from "./shared-stack";

export { SHARED_NAMESPACES } from "./gke-cluster-foundation";

const DOC = "docs/platforms/diaspomoney.md";

/** Regions the cluster and backups may use: GDPR (diaspomoney.md § Conformité) keeps data in the EU. */
export const DIASPOMONEY_REGIONS = ["europe-west1", "europe-west9", "europe-west3", "europe-west4"] as const;

/** The namespaces of an env (diaspomoney.md § Architecture par Environnement). */
export const diaspomoneyNamespaces = (env: AppEnv) => envNamespaces("diaspomoney", env);

/** Resource names inside the infra namespaces (pods, services and network policies derive from them). */
const SERVICE_NAMES = { app: "web", mongodb: "mongodb", redis: "redis", kafka: "kafka" } as const;

/**
 * The APIs an env stack calls in its own project: its backup bucket and key, the backup job's
 * service account, the uptime probe, and the project's log routing and audit configuration. The
 * backup job reaches its Google service account from the cluster's project through Workload
 * Identity, which mints the account's tokens with the IAM Service Account Credentials API
 * (generateAccessToken) on the account in this project: enabled here so the first nightly dump
 * does not fail on a fresh project.
 */
const DIASPOMONEY_ENV_APIS = [
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "storage.googleapis.com",
];

const email = emailAddress;

/** The env stacks' schema: every key required; the env's profile row fills the figures. */
export const diaspomoneySchema = z.strictObject({
  gcp: gcpProjectSchema(DIASPOMONEY_REGIONS),
  /** Protect stateful resources against deletion (Pulumi protect + the services' own flags). */
  deletionProtection: z.boolean(),
  /** How the env stack reaches the cluster: the shared stack's kubeconfig, or one given as a secret. */
  access: clusterAccessSchema("diaspomoney"),
  app: z.strictObject({
    image: pinnedImage,
    /** diaspomoney.md: Next.js "3 replicas" (dev, rct), "5 replicas" (prod). */
    replicas: z.number().int().min(1).max(50),
    maxReplicas: z.number().int().min(1).max(100),
    /** diaspomoney.md § Métriques Infrastructure: "CPU Usage < 70%". */
    cpuTargetPercent: z.number().int().min(10).max(95),
    /** diaspomoney.md § Vue d'ensemble: dev./rct./app.diaspomoney.fr. */
    host: hostname,
    /** diaspomoney.md § Monitoring Layer "Sentry - Error tracking": the project's DSN, passed as SENTRY_DSN (optional). */
    sentryDsn: secretString("Sentry DSN of the app").optional(),
    /**
     * diaspomoney.md § Déploiement "Canary - Déploiement progressif" / "Blue-Green": a second
     * version receiving weightPercent % of requests (100 = blue-green switch). Unset: no canary.
     */
    canary: z.strictObject({ image: pinnedImage, weightPercent: z.number().int().min(0).max(100) }).optional(),
  }),
  /**
   * The uptime and latency probe of the app (diaspomoney.md § Métriques: "Uptime > 99.9%",
   * "Latence < 50ms"): who its alerts page ("Critical → Email").
   */
  probe: z.strictObject({ notificationEmails: z.array(email).min(1).max(10) }),
  mongodb: z.strictObject({
    /** diaspomoney.md: "Primary" (1 member) in dev/rct, "Replica" (3 members) in prod. */
    members: z.number().int().min(1).max(7),
    storageGi: z.number().int().min(1).max(4000),
    /** Days a daily dump is kept ("MongoDB - Backup quotidien"). */
    backupRetentionDays: z.number().int().min(1).max(365),
  }),
  redis: z.strictObject({
    leaders: z.number().int().min(3).max(12),
    followers: z.number().int().min(0).max(24),
    storageGi: z.number().int().min(1).max(500),
  }),
  kafka: z.strictObject({
    /** diaspomoney.md: "3 Brokers" (dev, rct), "5 Brokers" (prod). */
    brokers: z.number().int().min(3).max(15),
    /** "Kafka - Retention des messages": the document gives no figure; 7 days is ours. */
    retentionHours: z.number().int().min(1).max(8760),
    storageGi: z.number().int().min(1).max(4000),
  }),
});

export type DiaspomoneyConfig = z.output<typeof diaspomoneySchema>;

/** The document's figures every DiaspoMoney stack shares, with their sections. */
const documentFacts = {
  allowedLocations: [...DIASPOMONEY_REGIONS, "EU"],
  // "MongoDB - Backup quotidien": daily; retention is the team's (the document gives none).
  maxBackupIntervalHours: 24,
  pointInTimeRecoveryRequired: false,
  // The document states no RPO: nothing to hold log shipping to.
  maxRpoMinutes: null,
};
const sources: ComplianceFacts["sources"] = {
  allowedLocations: `${DOC} § Conformité ("GDPR - Protection des données")`,
  minBackupRetentionDays: `${DOC} § Backup (no retention figure): 28 days in prod, the policy pack's floor`,
  maxBackupIntervalHours: `${DOC} § Backup ("MongoDB - Backup quotidien")`,
  pointInTimeRecoveryRequired: `${DOC} states no RPO`,
  maxRpoMinutes: `${DOC} states no RPO`,
};

/** What every env's profile shares; each row below states the figures that differ. */
const common = {
  access: { source: "shared-stack" as const, apiServerCidrs: [DEFAULT_MASTER_CIDR] },
  // § Métriques Infrastructure: "CPU Usage < 70%".
  cpuTargetPercent: 70,
  // "Kafka - Retention des messages": no figure in the document; 7 days is ours.
  kafkaRetentionHours: 168,
};

/** The app envs DiaspoMoney has, in deploy order, one row each; the foundation serves exactly these. */
const diaspomoneyEnvsDefinition = platformDefinition({
  name: "diaspomoney",
  schemaId: "diaspomoney",
  document: "diaspomoney.md",
  schema: diaspomoneySchema,
  // One row per env: diaspomoney.md § Architecture par Environnement (Next.js "3 replicas" dev/rct,
  // "5 replicas" prod; MongoDB "Primary" vs "Replica"; Kafka "3 Brokers" vs "5 Brokers"; Redis
  // Cluster with replicas in prod) and § Vue d'ensemble (dev./rct./app.diaspomoney.fr).
  // Deletion protection is the env's trait (model/envs.ts), not a row figure.
  envs: {
    dev: {
      profile: {
        access: common.access,
        app: { replicas: 3, maxReplicas: 6, cpuTargetPercent: common.cpuTargetPercent, host: "dev.diaspomoney.fr" },
        mongodb: { members: 1, storageGi: 20, backupRetentionDays: 7 },
        redis: { leaders: 3, followers: 0, storageGi: 2 },
        kafka: { brokers: 3, retentionHours: common.kafkaRetentionHours, storageGi: 20 },
      },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
    },
    rct: {
      profile: {
        access: common.access,
        app: { replicas: 3, maxReplicas: 6, cpuTargetPercent: common.cpuTargetPercent, host: "rct.diaspomoney.fr" },
        mongodb: { members: 1, storageGi: 20, backupRetentionDays: 7 },
        redis: { leaders: 3, followers: 0, storageGi: 2 },
        kafka: { brokers: 3, retentionHours: common.kafkaRetentionHours, storageGi: 20 },
      },
      compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
    },
    prod: {
      profile: {
        access: common.access,
        app: { replicas: 5, maxReplicas: 15, cpuTargetPercent: common.cpuTargetPercent, host: "app.diaspomoney.fr" },
        mongodb: { members: 3, storageGi: 100, backupRetentionDays: 30 },
        redis: { leaders: 3, followers: 3, storageGi: 10 },
        kafka: { brokers: 5, retentionHours: common.kafkaRetentionHours, storageGi: 100 },
      },
      compliance: { ...documentFacts, minBackupRetentionDays: 28, sources },
    },
  },
  checkEnv: (_env, config) =>
    config.app.maxReplicas < config.app.replicas
      ? { key: "app.maxReplicas", expected: `at least app.replicas (${config.app.replicas})`, got: String(config.app.maxReplicas) }
      : undefined,
  compose: (ctx, config) => composeEnv(ctx, config),
});

/** diaspomoney-shared: the GKE cluster foundation, serving exactly DiaspoMoney's app envs. */
const diaspomoneySharedDefinition = gkeClusterFoundation({
  platform: "diaspomoney",
  document: "diaspomoney.md",
  regions: DIASPOMONEY_REGIONS,
  servedEnvs: envsOf(diaspomoneyEnvsDefinition),
  // § Infrastructure Layer: Kafka (Strimzi), MongoDB, Redis Cluster.
  operators: ["strimzi", "mongodb", "redis"],
  compliance: { ...documentFacts, minBackupRetentionDays: 7, sources },
  profile: {
    cluster: {
      nodesCidr: "10.20.0.0/20",
      podsCidr: "10.24.0.0/14",
      servicesCidr: "10.28.0.0/20",
      ...GKE_CLUSTER_DEFAULTS,
      // At its maximum (4 nodes per zone × 3 zones of e2-standard-4, 3.92 CPU and 13.3Gi
      // allocatable each after GKE's reservations) the pool offers 47 CPU and 160Gi. The
      // deployability capacity check counts, for the shared stack, every env namespace at its quota's
      // requests (namespaceQuotas below) plus the requests the charts' values set: 36.8 CPU and
      // 109Gi; the ~10 CPU left covers GKE's system pods (kube-system, not in the plan), so the
      // pool keeps this size (costs are weighed separately).
    },
    // diaspomoney.md § Chiffrement: "TLS 1.3 - Transport".
    edge: { traefikReplicas: 3, minTlsVersion: "VersionTLS13", monitoringDomain: "diaspomoney.fr", prometheusRetention: "15d", prometheusStorageGi: 50 },
    // Sized from what the env stacks run, as the deployability `capacity` check measures it
    // (npm run preview): the app namespace at the HPA's maxReplicas plus the rollout surge and the
    // ACME solver pod; the infra namespace from the operator CRs (Kafka 3/3/5 brokers + 3
    // controllers, MongoDB 1/1/3 members, Redis 3 leaders + 0/0/3 followers, diaspomoney.md
    // § Architecture par Environnement), their exporters and the nightly backup job.
    // Measured needs (requests cpu / limits cpu / requests memory / limits memory / PVCs / storage):
    //   dev, rct app    1.76 / 7.1 / 3.56Gi / 3.56Gi            (6 pods + 1 surge + 1 solver)
    //   dev, rct infra  4.25 / 17.35 / 15.5Gi / 17Gi / 14 / 121Gi
    //   prod app        4.01 / 16.1 / 8.06Gi / 8.06Gi           (15 pods + 1 surge + 1 solver)
    //   prod infra      7.35 / 29.95 / 27.19Gi / 29.38Gi / 26 / 902Gi
    // Headroom ~25% (rounded) over each figure, for a sidecar or a resize without a quota change.
    // Requests are what the node pool must hold (capacity check, cluster.machineType above), so
    // they stay close to the need; limits only bound bursts.
    namespaceQuotas: {
      dev: {
        app: { requestsCpu: "2500m", limitsCpu: "9", requestsMemory: "5Gi", limitsMemory: "5Gi" },
        infra: { requestsCpu: "5500m", limitsCpu: "22", requestsMemory: "20Gi", limitsMemory: "22Gi", requestsStorage: "200Gi", persistentVolumeClaims: "18" },
      },
      rct: {
        app: { requestsCpu: "2500m", limitsCpu: "9", requestsMemory: "5Gi", limitsMemory: "5Gi" },
        infra: { requestsCpu: "5500m", limitsCpu: "22", requestsMemory: "20Gi", limitsMemory: "22Gi", requestsStorage: "200Gi", persistentVolumeClaims: "18" },
      },
      prod: {
        app: { requestsCpu: "5", limitsCpu: "20", requestsMemory: "10Gi", limitsMemory: "10Gi" },
        infra: { requestsCpu: "9500m", limitsCpu: "38", requestsMemory: "34Gi", limitsMemory: "37Gi", requestsStorage: "1200Gi", persistentVolumeClaims: "32" },
      },
    },
  },
});

/** The env stacks (`diaspomoney-dev|rct|prod`). */
export const diaspomoney = definePlatform(diaspomoneyEnvsDefinition);
/** The shared stack (`diaspomoney-shared`). */
export const diaspomoneyShared = definePlatform(diaspomoneySharedDefinition);

// ------------------------------------------------------------------------------------------------
// diaspomoney-<env>: the app and its data services, inside the namespaces the shared stack made.
// ------------------------------------------------------------------------------------------------

function composeEnv(ctx: StackContext<AppEnv>, c: DiaspomoneyConfig): Record<string, unknown> {
  const { env } = ctx;
  const { app, access, mongodb: mongo, redis, kafka } = c;
  const ns = diaspomoneyNamespaces(env);
  const { projectId } = c.gcp;
  const labels = { platform: "diaspomoney", env };
  const deletionProtection = c.deletionProtection;
  const provider = clusterProvider("diaspomoney", access);
  const opts = { provider };

  // --- the env's own project, and the daily MongoDB dump's destination (stacks/env-project.ts) ---
  const project = envProject(ctx, c.gcp, DIASPOMONEY_ENV_APIS, deletionProtection);
  // Dumps older than the retention are deleted by the bucket's lifecycle, which the MongoDB component owns.
  const backups = workloadBackupBucket({
    ctx,
    project: c.gcp,
    handles: project,
    service: "mongodb",
    purpose: "MongoDB daily dump",
    role: "roles/storage.objectCreator",
    lifecycleRules: mongoBackupLifecycleRules(mongo.backupRetentionDays),
    kubernetesServiceAccount: { clusterProject: access.clusterProject, namespace: ns.infra, name: `${SERVICE_NAMES.mongodb}-backup` },
    labels,
    deletionProtection,
  });
  const { bucketName, bucket: backupBucket } = backups;
  const gopts = project.opts;

  // --- the env's private CA: it signs the data services' certificates (infra namespace) and its
  // public certificate reaches the app namespace through a Certificate there (components/common/private-ca.ts).
  const dataCa = new PrivateClusterCa(`diaspomoney-${env}-data-ca`, {
    caNamespace: SHARED_NAMESPACES.certManager,
    trustNamespaces: [ns.app],
    resourceName: envDataCaName("diaspomoney", env),
    labels,
  }, opts);
  const metricsLabels = { release: "kube-prometheus-stack" };

  // --- data services (diaspomoney.md § Infrastructure Layer) -----------------------------------
  // Credentials reach the app namespace as Secrets the stack writes there from the one generated
  // value (a pod reads Secrets only in its own namespace; see each component's README for why not
  // the operators' cross-namespace options).
  const mongodb = new MongoReplicaSet(SERVICE_NAMES.mongodb, {
    namespace: ns.infra,
    members: mongo.members,
    database: "diaspomoney",
    users: [{ name: "app", db: "admin", roles: [{ name: "readWrite", db: "diaspomoney" }], clientNamespaces: [ns.app] }],
    storage: { dataSize: `${mongo.storageGi}Gi` },
    tls: { issuer: dataCa.issuer },
    metrics: { labels: metricsLabels },
    backup: {
      bucket: bucketName,
      gcpServiceAccountEmail: backups.serviceAccountEmail,
      retentionDays: mongo.backupRetentionDays,
    },
    labels,
    deletionProtection,
  }, { ...opts, dependsOn: [backupBucket] });
  const redisCluster = new RedisCluster(SERVICE_NAMES.redis, {
    namespace: ns.infra,
    leaders: redis.leaders,
    followers: redis.followers,
    storage: { size: `${redis.storageGi}Gi` },
    tls: { issuer: dataCa.issuer },
    clientNamespaces: [ns.app],
    labels,
    deletionProtection,
  }, opts);
  const appPods = webAppPodSelector(SERVICE_NAMES.app);
  const kafkaUser = "diaspomoney-app";
  const kafkaCluster = new KafkaCluster(SERVICE_NAMES.kafka, {
    namespace: ns.infra,
    brokers: kafka.brokers,
    retentionHours: kafka.retentionHours,
    storage: { brokerSize: `${kafka.storageGi}Gi` },
    clientPeers: [{ namespace: ns.app, podLabels: appPods }],
    appUser: { name: kafkaUser, clientNamespaces: [ns.app] },
    tls: { issuer: dataCa.issuer },
    metrics: { labels: metricsLabels },
    labels,
    deletionProtection,
  }, opts);

  // --- the Next.js app (3 / 3 / 5 replicas, HPA on "CPU Usage < 70%") ---------------------------
  const web = new WebApp(SERVICE_NAMES.app, {
    namespace: ns.app,
    image: app.image,
    replicas: app.replicas,
    autoscaling: { maxReplicas: app.maxReplicas, targetCpuUtilizationPercent: app.cpuTargetPercent },
    env: {
      // The env's trait: verbose errors only where no user sees them (model/envs.ts).
      NODE_ENV: ENV_TRAITS[env].runtimeMode,
      KAFKA_BOOTSTRAP_SERVERS: kafkaCluster.bootstrapServers,
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      REDIS_URL: pulumi.interpolate`rediss://${redisCluster.leaderServiceName}.${ns.infra}.svc:6379`,
    },
    // All in the app namespace (the names match the infra-side Secrets they copy).
    secretEnv: {
      MONGODB_URI: { secretName: mongodb.connectionStringSecretNames.apply((n) => n.app!), key: "connectionString.standard" },
      REDIS_PASSWORD: { secretName: redisCluster.passwordSecretName, key: "password" },
      KAFKA_SASL_USERNAME: { secretName: kafkaUser, key: "username" },
      KAFKA_SASL_PASSWORD: { secretName: kafkaUser, key: "password" },
    },
    // The data services' CA (MongoDB, Redis and Kafka all serve certificates it signs).
    trustedCa: { secretName: dataCa.trustSecretName },
    secretValues: app.sentryDsn ? { SENTRY_DSN: app.sentryDsn } : {},
    ...(app.canary ? { canary: app.canary } : {}),
    // Right-sizing recommendations where the cluster runs VPA: the shared stack's GKE cluster does
    // (GkeCluster's default); a cluster given by kubeconfig may not have its CRDs.
    verticalPodAutoscaler: access.source === "shared-stack",
    metrics: { labels: metricsLabels },
    ingress: {
      host: app.host,
      // A certificate browsers trust in every env (staging certificates are not). Let's Encrypt's
      // limits (50 certificates per registered domain per week, 5 duplicates per week) are far
      // above three hosts renewed every 60 days; cert-manager keeps the certificate in a Secret,
      // so redeploying the stack does not request a new one.
      issuer: { name: "letsencrypt-production" },
      // No TLS option named: the TLSOption `default` (traefik namespace) applies to every router.
      // The security headers Middleware is the component's own, in the app namespace.
    },
    labels,
    deletionProtection,
  }, opts);

  // --- the only flows allowed on top of default-deny --------------------------------------------
  new NetworkFlows(`diaspomoney-${env}-flows`, {
    resourceName: "flows",
    flows: platformFlows({
      app: { namespace: ns.app, podSelector: { matchLabels: appPods }, port: 3000 },
      infraNamespace: ns.infra,
      ingressController: { namespace: SHARED_NAMESPACES.traefik, podSelector: { matchLabels: { ...TRAEFIK_POD_LABELS } } },
      prometheus: { namespace: SHARED_NAMESPACES.monitoring, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } },
      dns: false,
      mongodb: { podSelector: { matchLabels: mongoPodSelector(SERVICE_NAMES.mongodb) }, backupPodSelector: { matchLabels: mongoBackupPodSelector(SERVICE_NAMES.mongodb) } },
      redis: { podSelector: redisPodSelector(SERVICE_NAMES.redis) },
      kafka: {
        brokerPodSelector: { matchLabels: kafkaBrokerPodSelector(SERVICE_NAMES.kafka) },
        clusterPodSelector: { matchLabels: kafkaNodePodSelector(SERVICE_NAMES.kafka) },
      },
      operators: [
        { name: "mongodb-operator", namespace: SHARED_NAMESPACES.mongodbOperator, podSelector: {}, target: "mongodb" },
        { name: "redis-operator", namespace: SHARED_NAMESPACES.redisOperator, podSelector: {}, target: "redis" },
        { name: "strimzi", namespace: SHARED_NAMESPACES.strimzi, podSelector: {}, target: "kafka" },
      ],
      apiServerCidrs: access.apiServerCidrs,
      // Traefik → cert-manager's HTTP-01 solver pods in the app namespace (8089): the certificate of
      // app.host is issued through them (platformFlows' default, stated here for the reader).
      acmeHttp01Solvers: true,
      // § Monitoring Layer: "Sentry - Error tracking". The DSN is optional (the app reads it from
      // its own configuration); the flow reaches Sentry's published ingestion addresses on 443 only.
      sentry: { cidrs: SENTRY_INGEST_CIDRS },
    }),
    labels,
  }, opts);

  // --- § Métriques: "Uptime > 99.9%" and "Network Latency < 50ms", probed from outside ------------
  // A Cloud Monitoring uptime check on the app's health path (§ APIs: "/api/health"), an SLO at
  // 99.9% over 30 days with a fast-burn alert, and an alert when even the nearest checker region
  // waits more than 50 ms. Paging lives in Alertmanager (shared stack): these open Cloud Monitoring
  // incidents until the shared stack exports an on-call notification channel for the env stacks.
  new Monitoring(`diaspomoney-${env}`, {
    project: projectId,
    uptimeHost: app.host,
    uptimePath: "/api/health",
    availabilityObjective: 0.999,
    latencyThresholdMs: 50,
    notificationEmails: c.probe.notificationEmails,
    labels,
  }, gopts);

  // --- alerts with the document's thresholds, routed by severity and team ------------------------
  new PlatformAlertRules(`diaspomoney-${env}-alerts`, {
    namespace: ns.app,
    platform: "diaspomoney",
    env,
    appNamespace: ns.app,
    watchedNamespaces: [ns.app, ns.infra],
    thresholds: { latencyP95Seconds: 0.2, errorRatio: 0.001, cpuRatio: 0.7, memoryRatio: 0.8, diskRatio: 0.85, authFailureRatio: 0.2 },
    sources: {
      latency: `${DOC} § Métriques Application: "Response Time < 200ms (95th percentile)"`,
      errorRate: `${DOC} § Métriques Application: "Error Rate < 0.1%"`,
      uptime: `${DOC} § Métriques Application: "Uptime > 99.9%"`,
      payment: `${DOC} § Alertes Configurées: "Payment → Équipe paiements"; § Métriques Application: "Error Rate < 0.1%"`,
      // 0.2 is ours: the document names the signal, not a figure.
      security: `${DOC} § Alertes Configurées: "Security → Équipe sécurité"; § Audit: "Anomaly Detection" (threshold chosen, not in the document)`,
      cpu: `${DOC} § Métriques Infrastructure: "CPU Usage < 70%"`,
      memory: `${DOC} § Métriques Infrastructure: "Memory Usage < 80%"`,
      disk: `${DOC} § Métriques Infrastructure: "Disk Usage < 85%"`,
      kafka: {
        underReplicated: `${DOC} § Scalabilité: "Kafka - Partitioning et réplication" (any under-replicated partition; the document gives no figure)`,
        offline: `${DOC} § Scalabilité: "Kafka - Partitioning et réplication"; § Métriques Application: "Uptime > 99.9%"`,
      },
    },
    kafkaAlerts: true,
    ruleSelectorLabels: { release: "kube-prometheus-stack" },
    labels,
  }, opts);

  return {
    url: `https://${app.host}`,
    namespaces: ns,
    appReplicas: app.replicas,
    mongodbMembers: mongo.members,
    kafkaBrokers: kafka.brokers,
    kafkaBootstrap: kafkaCluster.bootstrapServers,
    backupBucket: bucketName,
    service: web.serviceName,
  };
}

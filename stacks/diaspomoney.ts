/**
 * DiaspoMoney (docs/platforms/diaspomoney.md): one Kubernetes cluster, one Traefik in front of three
 * environments, each with an app namespace (Next.js) and an infra namespace (MongoDB, a Redis
 * cluster, Kafka), watched by Prometheus/Grafana/Alertmanager.
 *
 * Stacks: `diaspomoney-shared` holds the cluster and what the document draws once for all envs
 * (Traefik, cert-manager, monitoring, the operators) and the six namespaces, which are the
 * isolation boundary; `diaspomoney-<env>` holds what runs inside its two namespaces.
 *
 * Why the namespaces live in the shared stack: the operators watch them (Strimzi's chart writes
 * RoleBindings into each watched namespace), and the env stacks' custom resources need the
 * operators' CRDs. Owning the namespaces where the operators live keeps the deploy order acyclic
 * (shared, then envs), and an env stack cannot loosen its own quota or Pod Security level.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PrivateClusterCa } from "../components/common/private-ca";
import { ArtifactRegistry } from "../components/gcp/artifact-registry";
import { Bucket } from "../components/gcp/bucket";
import { EncryptionKeys } from "../components/gcp/encryption-keys";
import { GkeCluster, kubernetesProvider } from "../components/gcp/gke-cluster";
import { Monitoring } from "../components/gcp/monitoring";
import { Network } from "../components/gcp/network";
import { ProjectLogging } from "../components/gcp/project-logging";
import { ProjectServices } from "../components/gcp/project-services";
import { CertManager } from "../components/k8s/cert-manager";
import { KafkaCluster, kafkaBrokerPodSelector, kafkaNodePodSelector } from "../components/k8s/kafka";
import { MongoReplicaSet, mongoBackupPodSelector, mongoPodSelector } from "../components/k8s/mongodb";
import { MonitoringStack, requireSecretToDeploy } from "../components/k8s/monitoring-stack";
import { IsolatedNamespace } from "../components/k8s/namespace";
import { NetworkFlows, SENTRY_INGEST_CIDRS, platformFlows } from "../components/k8s/network-flows";
import { Operators } from "../components/k8s/operators";
import { PlatformAlertRules } from "../components/k8s/prometheus-rules";
import { RedisCluster, redisPodSelector } from "../components/k8s/redis-cluster";
import { Traefik, TRAEFIK_POD_LABELS } from "../components/k8s/traefik";
import { WebApp, webAppPodSelector } from "../components/k8s/web-app";
import { emailAddress, gcpProjectId, gcpProjectSchema, hostname, ipv4Cidr, pinnedImage, secretString } from "./config";
import { platformGcpProvider } from "./gcp-provider";
import { ENVS, type ComplianceFacts, type Env, type PlatformDefinition, type StackContext, type StackEnv } from "./platform";
import { SharedStackReference } from "./shared-stack";

const DOC = "docs/platforms/diaspomoney.md";

/** Regions the cluster and backups may use: GDPR (diaspomoney.md § Conformité) keeps data in the EU. */
export const DIASPOMONEY_REGIONS = ["europe-west1", "europe-west9", "europe-west3", "europe-west4"] as const;

/** The namespaces of an env (diaspomoney.md § Architecture par Environnement). */
export const diaspomoneyNamespaces = (env: Env) => ({ app: `diaspomoney-${env}`, infra: `diaspomoney-${env}-infra` });

/** Namespaces of the cluster-wide services (created by their components in the shared stack). */
export const SHARED_NAMESPACES = { traefik: "traefik", certManager: "cert-manager", monitoring: "monitoring", strimzi: "strimzi", mongodbOperator: "mongodb-operator", redisOperator: "redis-operator" } as const;

/** Resource names inside the infra namespaces (pods, services and network policies derive from them). */
const SERVICE_NAMES = { app: "web", mongodb: "mongodb", redis: "redis", kafka: "kafka" } as const;

/** The GKE control plane's private range; the env stacks' network policies let operands reach it. */
const DEFAULT_MASTER_CIDR = "172.16.0.0/28";

/**
 * The APIs an env stack calls in its own project: its backup bucket and key, the backup job's
 * service account, the uptime probe, and the project's log routing and audit configuration.
 */
const DIASPOMONEY_ENV_APIS = [
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "iam.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "storage.googleapis.com",
];

const cidr = ipv4Cidr;
/** A Kubernetes quantity such as `2500m`, `4`, `20Gi`. */
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/).describe("a Kubernetes quantity such as 2500m or 20Gi");
const email = emailAddress;

export const diaspomoneySchema = z.strictObject({
  gcp: gcpProjectSchema(DIASPOMONEY_REGIONS),
  /** Protect stateful resources against deletion (Pulumi protect + the services' own flags). */
  deletionProtection: z.boolean(),

  // --- diaspomoney-shared only ---------------------------------------------------------------
  cluster: z
    .strictObject({
      nodesCidr: cidr,
      podsCidr: cidr,
      servicesCidr: cidr,
      /** The control plane's private range (a /28). */
      masterCidr: cidr,
      /** Who may reach the control plane (a CI runner or bastion range); never 0.0.0.0/0. */
      authorizedNetworks: z.array(z.strictObject({ cidr, name: z.string().min(1) })).max(20),
      releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]),
      machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9]+-\d+$/).describe("a machine type such as e2-standard-4"),
      minNodesPerZone: z.number().int().min(0).max(10),
      maxNodesPerZone: z.number().int().min(1).max(50),
    })
    .optional(),
  edge: z
    .strictObject({
      /** Traefik replicas (at least 2, one Traefik for all envs per the document). */
      traefikReplicas: z.number().int().min(2).max(10),
      /** diaspomoney.md § Chiffrement: "TLS 1.3"; 1.2 stays allowed where clients need it. */
      minTlsVersion: z.enum(["VersionTLS12", "VersionTLS13"]),
      /** Let's Encrypt account email. */
      acmeEmail: email,
      /** Domain of the monitoring UIs (prometheus., grafana., alertmanager.<domain>). */
      monitoringDomain: hostname,
      prometheusRetention: z.string().regex(/^\d+[dw]$/).describe("a duration such as 15d"),
      prometheusStorageGi: z.number().int().min(10).max(2000),
    })
    .optional(),
  alerting: z
    .strictObject({
      emailFrom: email,
      smtpSmarthost: z.string().regex(/^[a-z0-9.-]+:\d+$/).describe("an SMTP relay host:port"),
      smtpUsername: z.string().min(1),
      /** diaspomoney.md § Alertes Configurées: "Critical → Email + Slack + PagerDuty". */
      oncallEmail: email,
      /** "Security → Équipe sécurité". */
      securityEmail: email,
      /** "Payment → Équipe paiements". */
      paymentEmail: email,
      smtpPassword: secretString("SMTP relay password").optional(),
      slackWebhookUrl: secretString("Slack incoming webhook URL").optional(),
      pagerDutyRoutingKey: secretString("PagerDuty Events v2 routing key").optional(),
    })
    .optional(),
  /**
   * Quotas of the env namespaces, by env (the shared stack creates them): requests and limits apart,
   * since the node pool must hold every namespace's requests while limits only bound bursts.
   */
  namespaceQuotas: z
    .record(
      z.enum(ENVS),
      z.strictObject({
        app: z.strictObject({ requestsCpu: quantity, limitsCpu: quantity, requestsMemory: quantity, limitsMemory: quantity }),
        infra: z.strictObject({ requestsCpu: quantity, limitsCpu: quantity, requestsMemory: quantity, limitsMemory: quantity, requestsStorage: quantity, persistentVolumeClaims: z.string().regex(/^\d+$/) }),
      }),
    )
    .optional(),

  // --- env stacks only -----------------------------------------------------------------------
  /** How an env stack reaches the cluster: the shared stack's kubeconfig, or one given as a secret. */
  access: z
    .strictObject({
      source: z.enum(["shared-stack", "kubeconfig"]),
      /** Fully qualified name of the shared stack, e.g. `organization/platform-infra/diaspomoney-shared`. */
      sharedStack: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/).describe("<org>/<project>/<stack>"),
      /** A kubeconfig for an existing cluster (VMCloud, self-managed), when source is kubeconfig. */
      kubeconfig: secretString("kubeconfig of an existing cluster").optional(),
      /** The control plane's range (diaspomoney-shared's cluster.masterCidr): operands that call the API server egress to it. */
      apiServerCidrs: z.array(cidr).min(1).max(4),
      /**
       * GCP project of the cluster (diaspomoney-shared's gcp.projectId). The env stack's own
       * resources live in its own project (gcp.projectId); its pods authenticate to Google through
       * the cluster project's Workload Identity pool, `<clusterProject>.svc.id.goog`.
       */
      clusterProject: gcpProjectId,
    })
    .optional(),
  app: z
    .strictObject({
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
    })
    .optional(),
  /**
   * The uptime and latency probe of the app (diaspomoney.md § Métriques: "Uptime > 99.9%",
   * "Latence < 50ms"): who its alerts page ("Critical → Email").
   */
  probe: z.strictObject({ notificationEmails: z.array(email).min(1).max(10) }).optional(),
  mongodb: z
    .strictObject({
      /** diaspomoney.md: "Primary" (1 member) in dev/rct, "Replica" (3 members) in prod. */
      members: z.number().int().min(1).max(7),
      storageGi: z.number().int().min(1).max(4000),
      /** Days a daily dump is kept ("MongoDB - Backup quotidien"). */
      backupRetentionDays: z.number().int().min(1).max(365),
    })
    .optional(),
  redis: z
    .strictObject({
      leaders: z.number().int().min(3).max(12),
      followers: z.number().int().min(0).max(24),
      storageGi: z.number().int().min(1).max(500),
    })
    .optional(),
  kafka: z
    .strictObject({
      /** diaspomoney.md: "3 Brokers" (dev, rct), "5 Brokers" (prod). */
      brokers: z.number().int().min(3).max(15),
      /** "Kafka - Retention des messages": the document gives no figure; 7 days is ours. */
      retentionHours: z.number().int().min(1).max(8760),
      storageGi: z.number().int().min(1).max(4000),
    })
    .optional(),
});

export type DiaspomoneyConfig = z.output<typeof diaspomoneySchema>;

const SHARED_ONLY = ["cluster", "edge", "alerting", "namespaceQuotas"] as const;
const ENV_ONLY = ["access", "app", "probe", "mongodb", "redis", "kafka"] as const;

const envDefaults = (env: Env) => ({
  access: { source: "shared-stack" as const, sharedStack: "organization/platform-infra/diaspomoney-shared", apiServerCidrs: [DEFAULT_MASTER_CIDR] },
  app: {
    replicas: env === "prod" ? 5 : 3,
    maxReplicas: env === "prod" ? 15 : 6,
    cpuTargetPercent: 70,
    host: env === "prod" ? "app.diaspomoney.fr" : `${env}.diaspomoney.fr`,
  },
  mongodb: { members: env === "prod" ? 3 : 1, storageGi: env === "prod" ? 100 : 20, backupRetentionDays: env === "prod" ? 30 : 7 },
  redis: { leaders: 3, followers: env === "prod" ? 3 : 0, storageGi: env === "prod" ? 10 : 2 },
  kafka: { brokers: env === "prod" ? 5 : 3, retentionHours: 168, storageGi: env === "prod" ? 100 : 20 },
  deletionProtection: env !== "dev",
});

export const diaspomoney: PlatformDefinition<typeof diaspomoneySchema> = {
  name: "diaspomoney",
  document: "diaspomoney.md",
  envs: ["shared", "dev", "rct", "prod"],
  schema: diaspomoneySchema,
  profiles: {
    shared: {
      cluster: {
        nodesCidr: "10.20.0.0/20",
        podsCidr: "10.24.0.0/14",
        servicesCidr: "10.28.0.0/20",
        masterCidr: DEFAULT_MASTER_CIDR,
        authorizedNetworks: [],
        releaseChannel: "REGULAR",
        // At its maximum (4 nodes per zone × 3 zones of e2-standard-4, 3.92 CPU and 13.3Gi
        // allocatable each after GKE's reservations) the pool offers 47 CPU and 160Gi. The
        // deployability capacity check counts, for the shared stack, every env namespace at its quota's
        // requests (namespaceQuotas below) plus the requests the charts' values set: 36.8 CPU and
        // 109Gi; the ~10 CPU left covers GKE's system pods (kube-system, not in the plan), so the
        // pool keeps this size (costs are weighed separately).
        machineType: "e2-standard-4",
        minNodesPerZone: 1,
        maxNodesPerZone: 4,
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
      deletionProtection: true,
    },
    dev: envDefaults("dev"),
    rct: envDefaults("rct"),
    prod: envDefaults("prod"),
  },
  checkEnv: (env, config) => {
    const keys = env === "shared" ? ENV_ONLY : SHARED_ONLY;
    const needed = env === "shared" ? (["cluster", "edge", "alerting", "namespaceQuotas"] as const) : (["access", "app", "probe", "mongodb", "redis", "kafka"] as const);
    for (const key of keys) {
      if (config[key] !== undefined) return { key, expected: `no ${key} in ${env === "shared" ? "the shared stack (it belongs to the env stacks)" : "an env stack (it belongs to diaspomoney-shared)"}`, got: "a value" };
    }
    for (const key of needed) if (config[key] === undefined) return { key, expected: "a value (this stack needs it)", got: "nothing (the key is missing)" };
    if (env === "prod" && !config.deletionProtection) return { key: "deletionProtection", expected: "true in a prod stack (stateful resources in prod are protected against deletion)", got: "false" };
    if (env !== "shared" && config.access?.source === "kubeconfig" && !config.access.kubeconfig) {
      return { key: "access.kubeconfig", expected: "a secret kubeconfig when access.source is kubeconfig", got: "nothing" };
    }
    if (config.app && config.app.maxReplicas < config.app.replicas) {
      return { key: "app.maxReplicas", expected: `at least app.replicas (${config.app.replicas})`, got: String(config.app.maxReplicas) };
    }
    return undefined;
  },
  compliance: diaspomoneyCompliance,
  compose: (ctx, config) => (ctx.env === "shared" ? composeShared(ctx, config) : composeEnv(ctx, ctx.env, config)),
};

export function diaspomoneyCompliance(env: StackEnv): ComplianceFacts {
  return {
    allowedLocations: [...DIASPOMONEY_REGIONS, "EU"],
    // "MongoDB - Backup quotidien": daily; retention is the team's (the document gives none).
    minBackupRetentionDays: env === "prod" ? 28 : 7,
    maxBackupIntervalHours: 24,
    pointInTimeRecoveryRequired: false,
    sources: {
      allowedLocations: `${DOC} § Conformité ("GDPR - Protection des données")`,
      minBackupRetentionDays: `${DOC} § Backup (no retention figure): 28 days in prod, the policy pack's floor`,
      maxBackupIntervalHours: `${DOC} § Backup ("MongoDB - Backup quotidien")`,
      pointInTimeRecoveryRequired: `${DOC} states no RPO`,
    },
  };
}

// ------------------------------------------------------------------------------------------------
// diaspomoney-shared: the cluster and what the document draws once for all envs.
// ------------------------------------------------------------------------------------------------

function composeShared(ctx: StackContext, c: DiaspomoneyConfig): Record<string, unknown> {
  const cluster = c.cluster!;
  const edge = c.edge!;
  const alerting = c.alerting!;
  // Alert mail only through an authenticated submission server (monitoring-stack README § Alert
  // delivery); checked first, so that a deploy without the password stops before creating anything.
  const smtpPassword = requireSecretToDeploy(
    alerting.smtpPassword,
    "diaspomoney:alerting.smtpPassword",
    `Alertmanager would send alert mail through ${alerting.smtpSmarthost} without SMTP authentication, which a relay refuses from the cluster's NAT addresses`,
  );
  const { projectId, projectNumber, region } = c.gcp;
  const labels = { platform: "diaspomoney", env: "shared" };
  const deletionProtection = c.deletionProtection;
  const provider = platformGcpProvider(ctx, c.gcp);
  const services = new ProjectServices("diaspomoney", {
    project: projectId,
    // Every API the shared stack calls in the cluster's project (each env stack enables its own project's).
    services: [
      "artifactregistry.googleapis.com",
      "cloudkms.googleapis.com",
      "cloudresourcemanager.googleapis.com",
      "compute.googleapis.com",
      "container.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
      "servicenetworking.googleapis.com",
      "storage.googleapis.com",
    ],
  }, { providers: [provider] });
  const opts = { providers: [provider], dependsOn: [services] };

  const network = new Network("diaspomoney", {
    region,
    project: projectId,
    subnets: { gke: { ipCidrRange: cluster.nodesCidr, secondaryRanges: { pods: cluster.podsCidr, services: cluster.servicesCidr } } },
    labels,
    deletionProtection,
  }, opts);

  // Kubernetes Secrets encrypted with a key the platform holds (application-layer encryption).
  // GkeCluster grants the GKE service agent on it before creating the cluster: one grant, one owner.
  const keys = new EncryptionKeys("diaspomoney", {
    location: region,
    project: projectId,
    projectNumber,
    keys: { "gke-secrets": {} },
    labels,
    deletionProtection,
  }, opts);

  // GDPR (§ Conformité) and § Audit ("Audit Logging - Traçabilité complète"): the project's logs,
  // including the load balancers' request logs with client IPs, stay in the cluster's EU region,
  // with Data Access audit logs for the services holding data (backup buckets, keys).
  new ProjectLogging("diaspomoney", {
    project: projectId,
    location: region,
    dataAccessAuditServices: ["cloudkms.googleapis.com", "storage.googleapis.com"],
    deletionProtection,
  }, opts);
  // § CI/CD Layer: "Docker Registry - Registry d'images": the images the nodes pull
  // (<region>-docker.pkg.dev/<project>/apps/...), CMEK like the rest (§ Chiffrement). The nodes'
  // service account reads it through its project-level roles/artifactregistry.reader (GkeCluster).
  const registryKeys = new EncryptionKeys("diaspomoney-registry", {
    location: region,
    project: projectId,
    projectNumber,
    keys: { registry: { serviceAgents: ["artifact-registry"] } },
    labels,
    deletionProtection,
  }, opts);
  new ArtifactRegistry("diaspomoney", {
    project: projectId,
    location: region,
    repositoryId: "apps",
    kmsKeyName: registryKeys.grantedKeyIds.apply((k) => k.registry),
    labels,
    deletionProtection,
  }, opts);

  const gke = new GkeCluster("diaspomoney", {
    project: projectId,
    projectNumber,
    region,
    network: network.networkId,
    subnetwork: network.subnetSelfLinks.apply((s) => s.gke),
    podsRangeName: "pods",
    servicesRangeName: "services",
    masterIpv4CidrBlock: cluster.masterCidr,
    masterAuthorizedNetworks: cluster.authorizedNetworks,
    databaseEncryptionKeyId: keys.keyIds.apply((k) => k["gke-secrets"]),
    releaseChannel: cluster.releaseChannel,
    nodePools: { general: { machineType: cluster.machineType, minNodesPerZone: cluster.minNodesPerZone, maxNodesPerZone: cluster.maxNodesPerZone } },
    labels,
    deletionProtection,
  }, opts);
  const k8sProvider = gke.k8sProvider;
  const apiServerCidrs = [cluster.masterCidr];

  // The env namespaces: isolation boundary of each env (see the file comment for why they are here).
  const envNamespaces = ENVS.map((env) => diaspomoneyNamespaces(env));
  /** The infra namespaces' components: the operator releases write RBAC into them, so they wait for them. */
  const infraNamespaces: IsolatedNamespace[] = [];
  for (const env of ENVS) {
    const ns = diaspomoneyNamespaces(env);
    const quota = c.namespaceQuotas![env]!;
    new IsolatedNamespace(ns.app, {
      env,
      platform: "diaspomoney",
      podSecurity: "restricted",
      quota: quota.app,
      labels,
      deletionProtection,
    }, { provider: k8sProvider });
    infraNamespaces.push(new IsolatedNamespace(ns.infra, {
      env,
      platform: "diaspomoney",
      podSecurity: "baseline",
      podSecurityReason:
        "operator-generated pods (Strimzi, the MongoDB agent, OT redis) do not all set the seccomp profile and capabilities that restricted requires; baseline still forbids privileged pods, host namespaces and hostPath",
      quota: quota.infra,
      labels,
      deletionProtection,
    }, { provider: k8sProvider }));
  }

  // One Traefik for every env (diaspomoney.md § Architecture Multi-Environnement).
  const traefik = new Traefik("traefik", {
    platform: "diaspomoney",
    apiServerCidrs,
    backendNamespaces: [...envNamespaces.map((n) => n.app), SHARED_NAMESPACES.monitoring],
    namespace: SHARED_NAMESPACES.traefik,
    replicas: edge.traefikReplicas,
    minTlsVersion: edge.minTlsVersion,
    monitoringNamespace: SHARED_NAMESPACES.monitoring,
    labels,
  }, { provider: k8sProvider });
  // § Sécurité: "Let's Encrypt - Certificats SSL".
  const certManager = new CertManager("cert-manager", {
    platform: "diaspomoney",
    apiServerCidrs,
    acmeEmail: edge.acmeEmail,
    namespace: SHARED_NAMESPACES.certManager,
    traefikNamespace: SHARED_NAMESPACES.traefik,
    monitoringNamespace: SHARED_NAMESPACES.monitoring,
    labels,
  }, { provider: k8sProvider });
  // § Monitoring Layer: Prometheus, Grafana, Alertmanager at <ui>.diaspomoney.fr behind authentication.
  const monitoring = new MonitoringStack("monitoring", {
    platform: "diaspomoney",
    apiServerCidrs,
    nodeCidrs: [cluster.nodesCidr],
    domain: edge.monitoringDomain,
    namespace: SHARED_NAMESPACES.monitoring,
    retention: edge.prometheusRetention,
    storageSize: `${edge.prometheusStorageGi}Gi`,
    alerting: {
      emailFrom: alerting.emailFrom,
      smtpSmarthost: alerting.smtpSmarthost,
      smtpUsername: alerting.smtpUsername,
      oncallEmail: alerting.oncallEmail,
      securityEmail: alerting.securityEmail,
      paymentEmail: alerting.paymentEmail,
      smtpPassword,
      ...(alerting.slackWebhookUrl ? { slackWebhookUrl: alerting.slackWebhookUrl } : {}),
      ...(alerting.pagerDutyRoutingKey ? { pagerDutyRoutingKey: alerting.pagerDutyRoutingKey } : {}),
    },
    // Its Certificate, Middleware and IngressRoutes need the CRDs these releases install.
    crdInstallers: [traefik.release, certManager.release],
    labels,
    deletionProtection,
  }, { provider: k8sProvider });
  const operators = new Operators("operators", {
    platform: "diaspomoney",
    apiServerCidrs,
    watchNamespaces: envNamespaces.map((n) => n.infra),
    strimzi: { namespace: SHARED_NAMESPACES.strimzi },
    mongodb: { namespace: SHARED_NAMESPACES.mongodbOperator },
    redis: { namespace: SHARED_NAMESPACES.redisOperator },
    monitoringNamespace: SHARED_NAMESPACES.monitoring,
    watchNamespaceResources: infraNamespaces,
    labels,
  }, { provider: k8sProvider });

  return {
    clusterName: gke.clusterName,
    kubeconfig: gke.kubeconfig,
    workloadPool: gke.workloadPool,
    apiServerCidrs,
    traefikNamespace: traefik.namespaceName,
    certManagerNamespace: certManager.namespaceName,
    monitoringUrls: monitoring.urls,
    operatorNamespaces: operators.namespaces,
  };
}

// ------------------------------------------------------------------------------------------------
// diaspomoney-<env>: the app and its data services, inside the namespaces the shared stack made.
// ------------------------------------------------------------------------------------------------

function clusterProvider(c: DiaspomoneyConfig): k8s.Provider {
  const access = c.access!;
  if (access.source === "kubeconfig") return kubernetesProvider("k8s", access.kubeconfig!);
  const shared = new SharedStackReference("diaspomoney-shared", access.sharedStack);
  return kubernetesProvider("k8s", shared.kubeconfig);
}

function composeEnv(ctx: StackContext, env: Env, c: DiaspomoneyConfig): Record<string, unknown> {
  const app = c.app!;
  const mongo = c.mongodb!;
  const redis = c.redis!;
  const kafka = c.kafka!;
  const ns = diaspomoneyNamespaces(env);
  const { projectId, projectNumber, region } = c.gcp;
  const labels = { platform: "diaspomoney", env };
  const deletionProtection = c.deletionProtection;
  const provider = clusterProvider(c);
  const opts = { provider };

  // --- the env's own project: prod never shares a project or a secrets key with dev or rct
  // (docs/pull-requests.md § Identities and keys); the cluster stays in the shared stack's project.
  const gcpProv = platformGcpProvider(ctx, c.gcp);
  const services = new ProjectServices(`diaspomoney-${env}`, { project: projectId, services: DIASPOMONEY_ENV_APIS }, { providers: [gcpProv] });
  const gopts = { providers: [gcpProv], dependsOn: [services] };
  // GDPR (§ Conformité) and § Audit: this project's logs (bucket and key access) stay in the region.
  new ProjectLogging(`diaspomoney-${env}`, {
    project: projectId,
    location: region,
    dataAccessAuditServices: ["cloudkms.googleapis.com", "storage.googleapis.com"],
    deletionProtection,
  }, gopts);

  // --- the daily MongoDB dump's destination: a CMEK bucket written through Workload Identity ----
  const keys = new EncryptionKeys(`diaspomoney-${env}-backups`, {
    location: region,
    project: projectId,
    projectNumber,
    keys: { backups: { serviceAgents: ["cloud-storage"] } },
    labels,
    deletionProtection,
  }, gopts);
  const bucketName = `${projectId}-mongodb-backups-${env}`;
  const backupBucket = new Bucket(`diaspomoney-${env}-mongodb-backups`, {
    bucketName,
    location: region,
    project: projectId,
    encryptionKeyName: keys.grantedKeyIds.apply((k) => k.backups),
    // Dumps older than the retention are deleted by lifecycle; soft delete keeps a deleted dump 30 days more.
    lifecycleRules: [{ action: { type: "Delete" }, condition: { age: mongo.backupRetentionDays } }],
    softDeleteRetentionDays: 30,
    labels: { ...labels, purpose: "backup" },
    deletionProtection,
  }, gopts);
  const backupAccountId = `mongodb-backup-${env}`;
  const backupAccount = new gcp.serviceaccount.Account(`diaspomoney-${env}-mongodb-backup`, {
    project: projectId,
    accountId: backupAccountId,
    displayName: `MongoDB daily dump (${env})`,
  }, { provider: gcpProv });
  new gcp.storage.BucketIAMMember(`diaspomoney-${env}-mongodb-backup-writer`, {
    bucket: bucketName,
    role: "roles/storage.objectCreator",
    member: pulumi.interpolate`serviceAccount:${backupAccount.email}`,
  }, { provider: gcpProv, parent: backupBucket });
  new gcp.serviceaccount.IAMMember(`diaspomoney-${env}-mongodb-backup-workload-identity`, {
    serviceAccountId: backupAccount.name,
    role: "roles/iam.workloadIdentityUser",
    // The backup job's Kubernetes service account, as the cluster's pool names it (another project).
    member: `serviceAccount:${c.access!.clusterProject}.svc.id.goog[${ns.infra}/${SERVICE_NAMES.mongodb}-backup]`,
  }, { provider: gcpProv, parent: backupAccount });

  // --- the env's private CA: it signs the data services' certificates (infra namespace) and its
  // public certificate reaches the app namespace through a Certificate there (components/common/private-ca.ts).
  const dataCa = new PrivateClusterCa(`diaspomoney-${env}-data-ca`, {
    caNamespace: SHARED_NAMESPACES.certManager,
    trustNamespaces: [ns.app],
    resourceName: `diaspomoney-${env}-data`,
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
      gcpServiceAccountEmail: `${backupAccountId}@${projectId}.iam.gserviceaccount.com`,
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
      NODE_ENV: env === "dev" ? "development" : "production",
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
    verticalPodAutoscaler: c.access!.source === "shared-stack",
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
      apiServerCidrs: c.access!.apiServerCidrs,
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
    notificationEmails: c.probe!.notificationEmails,
    labels,
  }, gopts);

  // --- alerts with the document's thresholds, routed by severity and team ------------------------
  new PlatformAlertRules(`diaspomoney-${env}-alerts`, {
    namespace: ns.app,
    platform: "diaspomoney",
    env,
    appNamespace: ns.app,
    watchedNamespaces: [ns.app, ns.infra],
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

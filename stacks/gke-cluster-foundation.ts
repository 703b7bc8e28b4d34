/**
 * A Kubernetes platform's foundation on GKE: the stack deployed once for all its app envs, before
 * them (`<platform>-shared`). It holds the cluster (network, CMEK, private control plane, node
 * pool), the image registry, one Traefik for every env, cert-manager, Prometheus/Grafana/
 * Alertmanager, the data-service operators, and each served env's namespaces with their quotas.
 * DiaspoMoney uses it (stacks/diaspomoney.ts); the next Kubernetes platforms reuse it as it is,
 * with their name, their app envs, their operators, their figures and their document citations.
 *
 * Why the env namespaces live here: the operators watch them (Strimzi's chart writes RoleBindings
 * into each watched namespace), and the env stacks' custom resources need the operators' CRDs.
 * Owning the namespaces where the operators live keeps the deploy order acyclic (foundation, then
 * envs), and an env stack cannot loosen its own quota or Pod Security level.
 */
import * as gcp from "@pulumi/gcp";
import { z } from "zod";
import { ArtifactRegistry } from "../components/gcp/artifact-registry";
import { EncryptionKeys } from "../components/gcp/encryption-keys";
import { GkeCluster } from "../components/gcp/gke-cluster";
import { Network } from "../components/gcp/network";
import { ProjectLogging } from "../components/gcp/project-logging";
import { ProjectServices } from "../components/gcp/project-services";
import { CERT_MANAGER_SERVICE_ACCOUNT, CertManager, type CloudDns01Args } from "../components/k8s/cert-manager";
import { MonitoringStack, requireSecretToDeploy } from "../components/k8s/monitoring-stack";
import { IsolatedNamespace } from "../components/k8s/namespace";
import { LogsAndTraces, type LogsAndTracesArgs } from "../components/k8s/logs-traces";
import { GKE_CONTROL_PLANE_TO_NODE_PORT, OPERATOR_API_SERVER_INGRESS_PORTS, Operators, type OperatorArgs, type OperatorName } from "../components/k8s/operators";
import { Traefik } from "../components/k8s/traefik";
import type { AppEnv, FoundationEnv } from "../model/envs";
import { emailAddress, gcpProjectSchema, hostname, ipv4Cidr, secretString } from "./config";
import { workloadIdentityAccount } from "./env-project";
import { platformGcpProvider } from "./gcp-provider";
import type { ComplianceFacts, DeepPartial, PlatformDefinition, StackContext } from "./platform";

/** The namespaces of an app env (`<platform>-<env>` for the app, `<platform>-<env>-infra` for its data services). */
export const envNamespaces = (platform: string, env: AppEnv) => ({ app: `${platform}-${env}`, infra: `${platform}-${env}-infra` });

/**
 * The name of an app env's private CA for its data services (components/common/private-ca.ts): its
 * public certificate is the Secret `<this>-trust`, which the env stack also writes where a shared
 * operator must trust the env's services (the RabbitMQ Topology Operator).
 */
export const envDataCaName = (platform: string, env: AppEnv) => `${platform}-${env}-data`;

/** Namespaces of the cluster-wide services (created by their components in the foundation stack). */
export const SHARED_NAMESPACES = {
  traefik: "traefik",
  certManager: "cert-manager",
  monitoring: "monitoring",
  strimzi: "strimzi",
  mongodbOperator: "mongodb-operator",
  redisOperator: "redis-operator",
  keda: "keda",
  eckOperator: "elastic-system",
  rabbitmqOperator: "rabbitmq-system",
  cnpgOperator: "cnpg-system",
  mariadbOperator: "mariadb-operator",
} as const;

/** Where each data-service operator runs. */
export const OPERATOR_NAMESPACES: Record<OperatorName, string> = {
  strimzi: SHARED_NAMESPACES.strimzi,
  mongodb: SHARED_NAMESPACES.mongodbOperator,
  redis: SHARED_NAMESPACES.redisOperator,
  keda: SHARED_NAMESPACES.keda,
  eck: SHARED_NAMESPACES.eckOperator,
  rabbitmq: SHARED_NAMESPACES.rabbitmqOperator,
  cnpg: SHARED_NAMESPACES.cnpgOperator,
  mariadb: SHARED_NAMESPACES.mariadbOperator,
};

/** The GKE control plane's private range by default; env stacks' network policies let operands reach it. */
export const DEFAULT_MASTER_CIDR = "172.16.0.0/28";

/**
 * The cluster settings a platform's foundation profile starts from (it gives its own address
 * ranges, and overrides what its document sizes differently): a private control plane no network
 * reaches until one is listed, the REGULAR channel, and a regional pool of e2-standard-4 idling at
 * one node per zone and growing to four (47 CPU and 160Gi allocatable, what the capacity check
 * holds every env's quotas against).
 */
export const GKE_CLUSTER_DEFAULTS = {
  masterCidr: DEFAULT_MASTER_CIDR,
  authorizedNetworks: [],
  releaseChannel: "REGULAR",
  machineType: "e2-standard-4",
  minNodesPerZone: 1,
  maxNodesPerZone: 4,
} as const satisfies Partial<z.input<GkeClusterFoundationSchema<AppEnv>>["cluster"]>;

/** Every API the foundation calls in the cluster's project (each env stack enables its own project's). */
const FOUNDATION_APIS = [
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
];

/**
 * What cert-manager's Cloud DNS solver calls (pkg/issuer/acme/dns/clouddns, v1.21.1): it finds the
 * zone by listing the project's managed zones, lists the challenge's TXT records, and writes and
 * deletes them through a change it polls. A custom role with these permissions only, rather than
 * the roles/dns.admin cert-manager's guide suggests: the policy pack refuses any *Admin role on a
 * project to a service account (CIS GCP 1.5), and dns.admin would let the controller delete zones.
 */
export const CERT_MANAGER_DNS01_PERMISSIONS = [
  "dns.changes.create",
  "dns.changes.get",
  "dns.managedZones.get",
  "dns.managedZones.list",
  "dns.resourceRecordSets.create",
  "dns.resourceRecordSets.delete",
  "dns.resourceRecordSets.list",
  "dns.resourceRecordSets.update",
] as const;
/** The Google service account cert-manager's controller acts as for DNS-01, in the cluster's project. */
export const CERT_MANAGER_DNS01_ACCOUNT_ID = "cert-manager-dns01";
/** The custom role holding `CERT_MANAGER_DNS01_PERMISSIONS`, in the zones' project. */
export const CERT_MANAGER_DNS01_ROLE_ID = "certManagerDns01Solver";

/** A Kubernetes quantity such as `2500m`, `4`, `20Gi`. */
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/).describe("a Kubernetes quantity such as 2500m or 20Gi");

/** Pods a namespace may hold (IsolatedNamespace's default is 50): a platform serving one host per tenant counts an ACME solver pod per host being issued. */
const podCount = z.string().regex(/^\d+$/).describe("a number of pods").optional();
/** Quotas of one env's two namespaces: requests and limits apart, since the node pool must hold every namespace's requests while limits only bound bursts. */
const envQuotaSchema = z.strictObject({
  app: z.strictObject({ requestsCpu: quantity, limitsCpu: quantity, requestsMemory: quantity, limitsMemory: quantity, pods: podCount }),
  infra: z.strictObject({ requestsCpu: quantity, limitsCpu: quantity, requestsMemory: quantity, limitsMemory: quantity, requestsStorage: quantity, persistentVolumeClaims: z.string().regex(/^\d+$/) }),
});

/** The foundation's schema: every key required (its profile row fills most of them). */
export function gkeClusterFoundationSchema<const R extends readonly [string, ...string[]], const A extends AppEnv>(regions: R, servedEnvs: readonly A[]) {
  return z.strictObject({
    gcp: gcpProjectSchema(regions),
    /** Protect stateful resources against deletion (Pulumi protect + the services' own flags). */
    deletionProtection: z.boolean(),
    cluster: z.strictObject({
      nodesCidr: ipv4Cidr,
      podsCidr: ipv4Cidr,
      servicesCidr: ipv4Cidr,
      /** The control plane's private range (a /28). */
      masterCidr: ipv4Cidr,
      /** Who may reach the control plane (a CI runner or bastion range); never 0.0.0.0/0. */
      authorizedNetworks: z.array(z.strictObject({ cidr: ipv4Cidr, name: z.string().min(1) })).max(20),
      releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]),
      machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9]+-\d+$/).describe("a machine type such as e2-standard-4"),
      minNodesPerZone: z.number().int().min(0).max(10),
      maxNodesPerZone: z.number().int().min(1).max(50),
      /**
       * A second pool, `gpu`, for a platform that runs models on GPUs (local Whisper transcription),
       * off unless `enabled`. Its nodes scale from zero and carry GKE's `nvidia.com/gpu` NoSchedule
       * taint: only pods requesting `nvidia.com/gpu` start there. The switch rule of crm-courtier.md
       * (§ 04 "API OpenAI coûts variables → Whisper local GPU", § 05 Optimisations possibles,
       * § Roadmap Phase 4 "si >2000 enreg/mois"): turn it on once the platform transcribes more than
       * 2,000 recordings a month; below that the Whisper API costs less than the GPU node.
       */
      gpuPool: z
        .strictObject({
          enabled: z.boolean().default(false),
          /** One L4 node runs Whisper large-v3 many times faster than real time: 4 vCPU and 16 GB beside it are enough. */
          machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9]+-\d+g?$/).default("g2-standard-4").describe("a GPU machine type such as g2-standard-4"),
          accelerator: z
            .strictObject({
              type: z.string().regex(/^nvidia-[a-z0-9-]+$/).describe("a Compute Engine GPU type such as nvidia-l4"),
              count: z.number().int().min(1).max(8),
              gpuDriverVersion: z.enum(["DEFAULT", "LATEST"]).default("DEFAULT"),
            })
            .default({ type: "nvidia-l4", count: 1, gpuDriverVersion: "DEFAULT" }),
          maxNodesPerZone: z.number().int().min(1).max(10).default(1),
          /** Spot GPU nodes (about half the price): for work a queue retries when a node is reclaimed. */
          spot: z.boolean().default(false),
          /** Zones offering the GPU type (not every zone has every GPU). Default: the cluster's zones. */
          zones: z.array(z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/)).min(1).optional().describe("zones of the region offering the GPU type; default: the cluster's zones"),
        })
        .optional()
        .describe("an optional GPU node pool `gpu`, off unless enabled (crm-courtier.md: local Whisper above 2,000 recordings a month)"),
    }),
    edge: z.strictObject({
      /** Traefik replicas (at least 2: one Traefik serves every env). */
      traefikReplicas: z.number().int().min(2).max(10),
      /** 1.3 where the document asks for it; 1.2 stays allowed where clients need it. */
      minTlsVersion: z.enum(["VersionTLS12", "VersionTLS13"]),
      /** Let's Encrypt account email. */
      acmeEmail: emailAddress,
      /** Domain of the monitoring UIs (prometheus., grafana., alertmanager.<domain>). */
      monitoringDomain: hostname,
      prometheusRetention: z.string().regex(/^\d+[dw]$/).describe("a duration such as 15d"),
      prometheusStorageGi: z.number().int().min(10).max(2000),
    }),
    alerting: z.strictObject({
      emailFrom: emailAddress,
      smtpSmarthost: z.string().regex(/^[a-z0-9.-]+:\d+$/).describe("an SMTP relay host:port"),
      smtpUsername: z.string().min(1),
      /** Critical alerts. */
      oncallEmail: emailAddress,
      /** Security alerts. */
      securityEmail: emailAddress,
      /** Payment alerts. */
      paymentEmail: emailAddress,
      smtpPassword: secretString("SMTP relay password").optional(),
      slackWebhookUrl: secretString("Slack incoming webhook URL").optional(),
      pagerDutyRoutingKey: secretString("PagerDuty Events v2 routing key").optional(),
    }),
    /** Quotas of the served envs' namespaces, one entry per served env (the foundation creates them). */
    namespaceQuotas: z.record(z.enum(servedEnvs), envQuotaSchema),
  });
}

export type GkeClusterFoundationSchema<A extends AppEnv> = ReturnType<typeof gkeClusterFoundationSchema<readonly [string, ...string[]], A>>;

export interface GkeClusterFoundationOptions<R extends readonly [string, ...string[]], A extends AppEnv> {
  /** The platform's name: stack `<platform>-shared`, config namespace, resource names and labels. */
  platform: string;
  /** The platform's document in docs/platforms/. */
  document: string;
  /** Regions the cluster may use (the document's data residency). */
  regions: R;
  /** The app envs this foundation serves: the platform's app definition's envs (`envsOf`), never a global list. */
  servedEnvs: readonly A[];
  /** The data-service operators the app envs' custom resources need. */
  operators: readonly OperatorName[];
  /** The shared stack's defaults: cluster ranges and sizing, edge, one quota per served env. */
  profile: DeepPartial<z.input<ReturnType<typeof gkeClusterFoundationSchema<R, A>>>>;
  /** The document's figures for the shared stack, each with its § citation. */
  compliance: ComplianceFacts;
  /**
   * Logs (Loki) and traces (Tempo) beside Prometheus, with Grafana datasources, for a document
   * that asks for them; the env app namespaces may push to them.
   * @default undefined (no Loki, no Tempo)
   */
  logsAndTraces?: Pick<LogsAndTracesArgs, "logRetention" | "traceRetention" | "logStorageSize" | "traceStorageSize">;
  /**
   * ACME DNS-01 on Google Cloud DNS beside HTTP-01, for a platform that serves many hosts under one
   * domain (one wildcard certificate instead of a certificate and a solver pod per host):
   * cert-manager's ClusterIssuers `letsencrypt-{staging,production}-dns01` (cloudDNS solver,
   * `selector.dnsZones`), a Google service account `cert-manager-dns01` in the cluster's project with
   * a custom role on the zones' project that writes DNS records only (`CERT_MANAGER_DNS01_PERMISSIONS`;
   * the policy pack refuses roles/dns.admin to a service account), bound through Workload Identity to cert-manager's
   * Kubernetes service account. Env stacks only name the issuer.
   * @default undefined (HTTP-01 issuers only; DiaspoMoney's and ShareYourSales' foundations)
   */
  acmeDns01?: {
    /** Domains the DNS-01 issuers solve for (each with its subdomains), served by Cloud DNS managed zones in `project`. */
    dnsZones: readonly string[];
    /** Project of the managed zones. @default the foundation's project (`gcp.projectId`) */
    project?: string;
  };
}

/**
 * The ports the control plane must open on the nodes for the listed operators' webhooks and metrics
 * API, beyond the two a private GKE cluster's own firewall rule allows (443 and 10250): each
 * operator moved its own to 10250 where its chart lets it.
 */
export function controlPlaneWebhookPorts(operators: readonly OperatorName[]): number[] {
  const ports = operators.flatMap((op) => OPERATOR_API_SERVER_INGRESS_PORTS[op]).filter((p) => p !== 443 && p !== GKE_CONTROL_PLANE_TO_NODE_PORT);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** The foundation definition of one platform; `definePlatform` registers it. */
export function gkeClusterFoundation<const R extends readonly [string, ...string[]], const A extends AppEnv>(
  options: GkeClusterFoundationOptions<R, A>,
): PlatformDefinition<ReturnType<typeof gkeClusterFoundationSchema<R, A>>, FoundationEnv> {
  const schema = gkeClusterFoundationSchema(options.regions, options.servedEnvs);
  return {
    name: options.platform,
    schemaId: `${options.platform}-shared`,
    document: options.document,
    schema,
    envs: { shared: { profile: options.profile, compliance: options.compliance } },
    compose: (ctx, config) => composeFoundation(ctx, config, options),
  };
}

function composeFoundation<R extends readonly [string, ...string[]], A extends AppEnv>(
  ctx: StackContext<FoundationEnv>,
  c: z.output<ReturnType<typeof gkeClusterFoundationSchema<R, A>>>,
  options: GkeClusterFoundationOptions<R, A>,
): Record<string, unknown> {
  const { platform } = options;
  const { cluster, edge, alerting } = c;
  // Alert mail only through an authenticated submission server (monitoring-stack README § Alert
  // delivery); checked first, so that a deploy without the password stops before creating anything.
  const smtpPassword = requireSecretToDeploy(
    alerting.smtpPassword,
    `${platform}:alerting.smtpPassword`,
    `Alertmanager would send alert mail through ${alerting.smtpSmarthost} without SMTP authentication, which a relay refuses from the cluster's NAT addresses`,
  );
  const { projectId, projectNumber, region } = c.gcp;
  const labels = { platform, env: ctx.env };
  const deletionProtection = c.deletionProtection;
  const provider = platformGcpProvider(ctx, c.gcp);
  const dns01 = options.acmeDns01;
  const dnsProject = dns01?.project ?? projectId;
  // Cloud DNS's API where the zones are this project's (another project's zones have it on already).
  const apis = dns01 && dnsProject === projectId ? [...FOUNDATION_APIS, "dns.googleapis.com"].sort() : FOUNDATION_APIS;
  const services = new ProjectServices(platform, { project: projectId, services: apis }, { providers: [provider] });
  const opts = { providers: [provider], dependsOn: [services] };

  // The control plane calls admission webhooks on the pods' own ports: a private cluster's firewall
  // lets it reach the nodes on 443 and 10250 only, so any other webhook port is opened here.
  const webhookPorts = controlPlaneWebhookPorts(options.operators);
  const network = new Network(platform, {
    region,
    project: projectId,
    subnets: { gke: { ipCidrRange: cluster.nodesCidr, secondaryRanges: { pods: cluster.podsCidr, services: cluster.servicesCidr } } },
    ...(webhookPorts.length > 0 ? { ingressRules: { "control-plane-webhooks": { sourceRanges: [cluster.masterCidr], ports: webhookPorts.map(String) } } } : {}),
    labels,
    deletionProtection,
  }, opts);

  // Kubernetes Secrets encrypted with a key the platform holds (application-layer encryption).
  // GkeCluster grants the GKE service agent on it before creating the cluster: one grant, one owner.
  const keys = new EncryptionKeys(platform, {
    location: region,
    project: projectId,
    projectNumber,
    keys: { "gke-secrets": {} },
    labels,
    deletionProtection,
  }, opts);

  // Data residency and audit: the project's logs, including the load balancers' request logs with
  // client IPs, stay in the cluster's region, with Data Access audit logs for the services holding
  // data (backup buckets, keys).
  new ProjectLogging(platform, {
    project: projectId,
    location: region,
    dataAccessAuditServices: ["cloudkms.googleapis.com", "storage.googleapis.com"],
    deletionProtection,
  }, opts);
  // The images the nodes pull (<region>-docker.pkg.dev/<project>/apps/...), CMEK like the rest.
  // The nodes' service account reads it through its project-level roles/artifactregistry.reader (GkeCluster).
  const registryKeys = new EncryptionKeys(`${platform}-registry`, {
    location: region,
    project: projectId,
    projectNumber,
    keys: { registry: { serviceAgents: ["artifact-registry"] } },
    labels,
    deletionProtection,
  }, opts);
  new ArtifactRegistry(platform, {
    project: projectId,
    location: region,
    repositoryId: "apps",
    kmsKeyName: registryKeys.grantedKeyIds.apply((k) => k.registry),
    labels,
    deletionProtection,
  }, opts);

  const gke = new GkeCluster(platform, {
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
    nodePools: {
      general: { machineType: cluster.machineType, minNodesPerZone: cluster.minNodesPerZone, maxNodesPerZone: cluster.maxNodesPerZone },
      ...(cluster.gpuPool?.enabled
        ? {
            gpu: {
              machineType: cluster.gpuPool.machineType,
              accelerator: cluster.gpuPool.accelerator,
              minNodesPerZone: 0,
              maxNodesPerZone: cluster.gpuPool.maxNodesPerZone,
              spot: cluster.gpuPool.spot,
              ...(cluster.gpuPool.zones ? { zones: cluster.gpuPool.zones } : {}),
            },
          }
        : {}),
    },
    labels,
    deletionProtection,
  }, opts);
  const k8sProvider = gke.k8sProvider;
  const apiServerCidrs = [cluster.masterCidr];

  // DNS-01 on Cloud DNS: cert-manager's controller becomes a Google service account through
  // Workload Identity (no key file) that may only write the zones' records.
  let cloudDns01: CloudDns01Args | undefined;
  if (dns01) {
    const gcpOpts = { provider, dependsOn: [services] };
    const email = `${CERT_MANAGER_DNS01_ACCOUNT_ID}@${projectId}.iam.gserviceaccount.com`;
    const account = workloadIdentityAccount({ provider, opts, resourceOpts: gcpOpts }, {
      name: `${platform}-cert-manager-dns01`,
      project: projectId,
      accountId: CERT_MANAGER_DNS01_ACCOUNT_ID,
      displayName: "cert-manager: ACME DNS-01 records in Cloud DNS",
      kubernetesServiceAccount: { clusterProject: projectId, namespace: SHARED_NAMESPACES.certManager, name: CERT_MANAGER_SERVICE_ACCOUNT },
      workloadPool: gke.workloadPool,
      waitForApis: true,
      // The pool exists once the cluster does.
      dependsOn: [gke],
    });
    const role = new gcp.projects.IAMCustomRole(`${platform}-cert-manager-dns01-role`, {
      project: dnsProject,
      roleId: CERT_MANAGER_DNS01_ROLE_ID,
      title: "cert-manager DNS-01 solver",
      description: "Writes and deletes ACME DNS-01 TXT records (cert-manager's Cloud DNS solver)",
      permissions: [...CERT_MANAGER_DNS01_PERMISSIONS],
    }, gcpOpts);
    new gcp.projects.IAMMember(`${platform}-cert-manager-dns01-records`, {
      project: dnsProject,
      role: `projects/${dnsProject}/roles/${CERT_MANAGER_DNS01_ROLE_ID}`,
      member: `serviceAccount:${email}`,
    }, { provider, parent: account, dependsOn: [account, role] });
    cloudDns01 = { project: dnsProject, dnsZones: [...dns01.dnsZones], googleServiceAccountEmail: email };
  }

  // The served envs' namespaces: the isolation boundary of each env (see the file comment for why they are here).
  const servedNamespaces = options.servedEnvs.map((env) => envNamespaces(platform, env));
  /** The infra namespaces' components: the operator releases write RBAC into them, so they wait for them. */
  const infraNamespaces: IsolatedNamespace[] = [];
  /** The app namespaces' components, for an operator that watches them (KEDA). */
  const appNamespaces: IsolatedNamespace[] = [];
  for (const env of options.servedEnvs) {
    const ns = envNamespaces(platform, env);
    const quota = c.namespaceQuotas[env];
    appNamespaces.push(new IsolatedNamespace(ns.app, {
      env,
      platform,
      podSecurity: "restricted",
      quota: quota.app,
      labels,
      deletionProtection,
    }, { provider: k8sProvider }));
    infraNamespaces.push(new IsolatedNamespace(ns.infra, {
      env,
      platform,
      podSecurity: "baseline",
      podSecurityReason:
        "operator-generated pods (Strimzi, the MongoDB agent, OT redis) do not all set the seccomp profile and capabilities that restricted requires; baseline still forbids privileged pods, host namespaces and hostPath",
      quota: quota.infra,
      labels,
      deletionProtection,
    }, { provider: k8sProvider }));
  }

  // One Traefik for every env.
  const traefik = new Traefik("traefik", {
    platform,
    apiServerCidrs,
    backendNamespaces: [...servedNamespaces.map((n) => n.app), SHARED_NAMESPACES.monitoring],
    namespace: SHARED_NAMESPACES.traefik,
    replicas: edge.traefikReplicas,
    minTlsVersion: edge.minTlsVersion,
    monitoringNamespace: SHARED_NAMESPACES.monitoring,
    labels,
  }, { provider: k8sProvider });
  // Let's Encrypt certificates for the app hosts and the monitoring UIs.
  const certManager = new CertManager("cert-manager", {
    platform,
    apiServerCidrs,
    acmeEmail: edge.acmeEmail,
    namespace: SHARED_NAMESPACES.certManager,
    traefikNamespace: SHARED_NAMESPACES.traefik,
    monitoringNamespace: SHARED_NAMESPACES.monitoring,
    ...(cloudDns01 ? { cloudDns01 } : {}),
    labels,
  }, { provider: k8sProvider });
  // Prometheus, Grafana, Alertmanager at <ui>.<monitoringDomain> behind authentication.
  const monitoring = new MonitoringStack("monitoring", {
    platform,
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
  // Only the operators the platform lists; every other one is off (a chart added for another
  // platform must not appear in this one's cluster).
  const listed = (op: OperatorName) => options.operators.includes(op);
  const operatorArgs = (op: OperatorName): OperatorArgs => (listed(op) ? { namespace: OPERATOR_NAMESPACES[op] } : { enabled: false });
  const operators = new Operators("operators", {
    platform,
    apiServerCidrs,
    watchNamespaces: servedNamespaces.map((n) => n.infra),
    strimzi: operatorArgs("strimzi"),
    mongodb: operatorArgs("mongodb"),
    redis: operatorArgs("redis"),
    // KEDA reads ScaledObjects beside the workers (app namespaces) and polls the queues in the infra ones.
    keda: listed("keda")
      ? { ...operatorArgs("keda"), watchNamespaces: servedNamespaces.map((n) => n.app), scalerSourceNamespaces: servedNamespaces.map((n) => n.infra) }
      : operatorArgs("keda"),
    eck: operatorArgs("eck"),
    // The Topology Operator calls each env's broker over TLS signed by that env's private CA.
    rabbitmq: listed("rabbitmq") ? { ...operatorArgs("rabbitmq"), trustedCaSecrets: options.servedEnvs.map((env) => `${envDataCaName(platform, env)}-trust`) } : operatorArgs("rabbitmq"),
    cnpg: operatorArgs("cnpg"),
    mariadb: operatorArgs("mariadb"),
    // The RabbitMQ operators' webhook certificates and the Barman Cloud plugin's mTLS come from cert-manager.
    ...(listed("rabbitmq") || listed("cnpg") ? { certManager: certManager.crds } : {}),
    monitoringNamespace: SHARED_NAMESPACES.monitoring,
    watchNamespaceResources: listed("keda") ? [...appNamespaces, ...infraNamespaces] : infraNamespaces,
    labels,
  }, { provider: k8sProvider });

  // Loki and Tempo where the document asks for them; Grafana (monitoring namespace) reads both.
  if (options.logsAndTraces) {
    const logsTraces = new LogsAndTraces("logs-traces", {
      platform,
      monitoringNamespace: SHARED_NAMESPACES.monitoring,
      clientNamespaces: servedNamespaces.map((n) => n.app),
      // Alloy tails every env namespace's pod logs through the API server (no hostPath); it writes
      // Roles into them, so it waits for them.
      apiServerCidrs,
      logCollector: { namespaces: servedNamespaces.flatMap((n) => [n.app, n.infra]), namespaceResources: [...appNamespaces, ...infraNamespaces] },
      ...options.logsAndTraces,
      labels,
      deletionProtection,
    }, { provider: k8sProvider, dependsOn: [monitoring] });
    monitoring.namespace.allow("grafana-to-logs-traces", logsTraces.grafanaEgress);
  }

  return {
    clusterName: gke.clusterName,
    kubeconfig: gke.kubeconfig,
    workloadPool: gke.workloadPool,
    apiServerCidrs,
    traefikNamespace: traefik.namespaceName,
    certManagerNamespace: certManager.namespaceName,
    ...(certManager.productionDns01Issuer ? { dns01Issuer: certManager.productionDns01Issuer } : {}),
    monitoringUrls: monitoring.urls,
    operatorNamespaces: operators.namespaces,
  };
}

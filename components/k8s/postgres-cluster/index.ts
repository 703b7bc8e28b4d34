/**
 * PostgresCluster: PostgreSQL run in-cluster by CloudNativePG 1.30 (postgresql.cnpg.io/v1): one
 * primary and its hot-standby read replicas, named replica services, continuous WAL archiving and
 * daily base backups to GCS through the Barman Cloud plugin (PITR), a PodMonitor, and the
 * application's credentials in each client namespace.
 *
 * docs/platforms/shareyoursales.md § Architecture Base de Données: "Primary PostgreSQL (Write)",
 * "Read Replica 1 (Analytics)", "Read Replica 2 (Dashboards)".
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { crdDependencies, type CrdInstaller } from "../common/helm-addon";
import { GKE_METADATA_SERVER, RFC1918, type CidrEndpoint, type Flow, type LabelSelector, type PodEndpoint } from "../network-flows";
import { assertResources, parseQuantity, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, zoneSpread, type ResourceSpec } from "../common/pod-security";

export const POSTGRES_CLUSTER_TYPE = "platform:k8s:PostgresCluster";

/** PostgreSQL's port on every CloudNativePG service and instance. */
export const POSTGRES_PORT = 5432;
/** The instance manager's metrics exporter port, named `metrics` on the instance pods. */
export const CNPG_METRICS_PORT = 9187;
/** The instance manager's status port, which the operator calls on every instance pod. */
export const CNPG_STATUS_PORT = 8000;
/** Name under which the Barman Cloud plugin registers with the operator (CNPG-I). */
export const BARMAN_CLOUD_PLUGIN = "barman-cloud.cloudnative-pg.io";
/**
 * PostgreSQL 17 on Debian trixie, `standard` flavour (locales, pgaudit; no barman-cloud, which the
 * plugin's sidecar brings). 17.10 is the newest 17.x CloudNativePG 1.30.0 tests against
 * (.github/pg_versions.json at v1.30.0); `system` images are deprecated in 1.30.
 */
export const DEFAULT_POSTGRES_IMAGE = "ghcr.io/cloudnative-pg/postgresql:17.10-standard-trixie";

/** The document's two read replicas, each reachable under its own name (`<cluster>-<role>`). */
export const DEFAULT_REPLICA_SERVICES = ["analytics", "dashboards"] as const;

export interface PostgresBackupArgs {
  /** GCS bucket (name only, no `gs://`) receiving base backups and WAL files. */
  bucket: string;
  /**
   * Folder in the bucket; barman adds `/<cluster name>/` under it.
   * @default "cnpg"
   */
  path?: string;
  /**
   * Google service account the cluster's Kubernetes service account impersonates through Workload
   * Identity (annotation `iam.gke.io/gcp-service-account`); it needs object create/read/delete on
   * the bucket, and `roles/iam.workloadIdentityUser` granted to `backupServiceAccount`.
   */
  gcpServiceAccountEmail: string;
  /**
   * Recovery window in days: barman keeps every base backup and WAL file needed to restore to any
   * point of the last `retentionDays` days, and deletes older ones.
   */
  retentionDays: number;
  /**
   * Base-backup schedule, CloudNativePG's 6-field cron (seconds first), in the operator's time zone
   * (UTC). WAL archiving is continuous; this bounds how much WAL a restore replays.
   * @default "0 0 3 * * *" (daily at 03:00 UTC)
   */
  schedule?: string;
}

export interface PostgresClusterArgs extends CommonArgs {
  /** Namespace of the cluster (the env's `-infra` namespace, watched by the operator). */
  namespace: string;
  /**
   * Name of the CNPG Cluster: its services are `<clusterName>-rw`, `-ro`, `-r`, its service
   * account and pods `<clusterName>`, `<clusterName>-<n>`.
   * @default the component name
   */
  clusterName?: string;
  /**
   * Hot-standby replicas next to the primary (instances = 1 + replicas). shareyoursales.md draws
   * two (Analytics, Dashboards). At least 1.
   * @default 2
   */
  replicas?: number;
  /**
   * Names of the replica services, `<clusterName>-<name>`; each selects the replicas (`ro`).
   * @default ["analytics", "dashboards"]
   */
  replicaServices?: string[];
  /**
   * PostgreSQL image, pinned (major version in the tag, as CNPG detects it from there).
   * @default DEFAULT_POSTGRES_IMAGE (ghcr.io/cloudnative-pg/postgresql:17.10-standard-trixie)
   */
  image?: string;
  /**
   * Data volume of each instance (one PVC per instance, kept by CNPG when a pod is deleted).
   * @default { size: "20Gi", storageClass: "premium-rwo" }
   */
  storage?: { size?: string; storageClass?: string };
  /**
   * Resources of each instance's postgres container (also used by CNPG's init container and its
   * initdb/join Jobs). Requests equal limits on memory: PostgreSQL must not be OOM-killed by a
   * neighbour's burst.
   * @default { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }
   */
  resources?: ResourceSpec;
  /**
   * Resources of the Barman Cloud plugin's sidecar in each instance pod (WAL archiving, backups).
   * @default { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }
   */
  backupSidecarResources?: ResourceSpec;
  /**
   * Application database, created by `initdb`.
   * @default "app"
   */
  database?: string;
  /**
   * Owner of the database, the application's login role; its password is generated.
   * @default "app"
   */
  owner?: string;
  /**
   * Namespaces of the database's clients: each gets a Secret `<clusterName>-app` with `username`,
   * `password`, `dbname`, `host`, `port`, `uri`, and `<role>-host`/`<role>-uri` per replica
   * service plus `ro-host`/`ro-uri` (pods read Secrets only in their own namespace).
   * @default []
   */
  clientNamespaces?: string[];
  /** Backups and PITR: continuous WAL archiving and scheduled base backups to GCS. Required. */
  backup: PostgresBackupArgs;
  /**
   * How CNPG updates the primary after the replicas (image or config change): `unsupervised`
   * switches over by itself, `supervised` waits for a manual switchover.
   * @default "unsupervised"
   */
  primaryUpdateStrategy?: "unsupervised" | "supervised";
  /**
   * Let CNPG manage its PodDisruptionBudgets (primary: none evicted; replicas: one at a time).
   * @default true
   */
  enablePDB?: boolean;
  /**
   * Synchronous standbys (`ANY n`, data durability "preferred": writes never block when replicas
   * are down). 0 is asynchronous streaming: a failover may lose the last few commits.
   * @default 0
   */
  synchronousReplicas?: number;
  /**
   * postgresql.conf parameters on top of CNPG's defaults.
   * @default {}
   */
  parameters?: Record<string, string>;
  /**
   * Prometheus metrics of the instance manager (port `metrics`, 9187) scraped by a PodMonitor of
   * our own (CNPG 1.30 deprecates `spec.monitoring.enablePodMonitor`).
   * @default { enabled: true, labels: {} }
   */
  metrics?: {
    enabled?: boolean;
    /** Labels Prometheus' podMonitorSelector matches (e.g. `release: kube-prometheus-stack`). */
    labels?: Labels;
  };
  /**
   * Server certificate. Without `issuer`, CloudNativePG's own CA (`<clusterName>-ca`, in the
   * cluster's namespace) signs it, with the replica services' names added; with `issuer`,
   * cert-manager signs it (every service name) and CNPG serves it, so that clients trust the
   * same CA as for the other data services. Either way connections are TLS (`sslmode=require`).
   * @default {}
   */
  tls?: { issuer?: { name: string; kind?: "Issuer" | "ClusterIssuer" } };
  /**
   * Releases installing the `postgresql.cnpg.io` and `barmancloud.cnpg.io` CRDs when they are in
   * the same stack (the operators' CrdInstallers); the Cluster, ScheduledBackup and ObjectStore
   * wait for them. Empty when the operators are in another stack (deployed first).
   * @default []
   */
  crdInstallers?: (CrdInstaller | pulumi.Resource)[];
}

export interface ResolvedPostgresClusterArgs {
  namespace: string;
  clusterName: string;
  instances: number;
  replicaServices: string[];
  image: string;
  storage: { size: string; storageClass: string };
  resources: ResourceSpec;
  backupSidecarResources: ResourceSpec;
  database: string;
  owner: string;
  clientNamespaces: string[];
  backup: Required<PostgresBackupArgs>;
  primaryUpdateStrategy: "unsupervised" | "supervised";
  enablePDB: boolean;
  synchronousReplicas: number;
  parameters: Record<string, string>;
  metrics: { enabled: boolean; labels: Labels };
  tls: { issuer?: { name: string; kind: "Issuer" | "ClusterIssuer" } };
  crdInstallers: (CrdInstaller | pulumi.Resource)[];
  deletionProtection: boolean;
  labels: Labels;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Suffixes CloudNativePG gives its own services (and `-any`, its headless service before 1.22). */
const RESERVED_SERVICE_SUFFIXES = ["rw", "ro", "r", "any"];
/** A GCS bucket name (lowercase letters, digits, dots, dashes, underscores; 3–222 characters). */
const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const GCP_SA_EMAIL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/;
/** PostgreSQL identifiers the component accepts unquoted (lowercase, as initdb and the URI need no quoting). */
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Roles and databases PostgreSQL or CloudNativePG reserve for themselves. */
const RESERVED_PG_NAMES = ["postgres", "streaming_replica", "template0", "template1"];

/** The recovery window barman's `retentionPolicy` takes ("30d"). */
export function barmanRetentionPolicy(days: number): string {
  return `${days}d`;
}

/** Applies PostgresCluster defaults and rejects contradictory or unsafe arguments. */
export function resolvePostgresClusterArgs(name: string, args: PostgresClusterArgs): ResolvedPostgresClusterArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(POSTGRES_CLUSTER_TYPE, name, detail);
  };
  const clusterName = args.clusterName ?? name;
  // CNPG names pods `<cluster>-<n>` and Jobs `<cluster>-<n>-initdb`: keep room under 63 characters.
  if (!DNS_LABEL.test(clusterName) || clusterName.length > 50) fail(`clusterName "${clusterName}" must be a DNS label of at most 50 characters (CNPG derives pod, Job and Service names from it)`);
  const replicas = args.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1) {
    fail(`replicas must be an integer ≥ 1 (a primary alone has no standby to fail over to nor to serve reads), got ${replicas}; shareyoursales.md § Architecture Base de Données draws 2`);
  }
  const replicaServices = args.replicaServices ?? [...DEFAULT_REPLICA_SERVICES];
  for (const s of replicaServices) {
    if (!DNS_LABEL.test(s)) fail(`replicaServices entry "${s}" must be a DNS label`);
    if (RESERVED_SERVICE_SUFFIXES.includes(s)) fail(`replicaServices entry "${s}" collides with CloudNativePG's own service ${clusterName}-${s}; expected another name (e.g. analytics)`);
    if (`${clusterName}-${s}`.length > 63) fail(`service name "${clusterName}-${s}" exceeds 63 characters`);
  }
  if (new Set(replicaServices).size !== replicaServices.length) fail(`replicaServices has duplicates: ${replicaServices.join(", ")}`);
  const image = args.image ?? DEFAULT_POSTGRES_IMAGE;
  assertPinnedImage(POSTGRES_CLUSTER_TYPE, name, "image", image);
  // CNPG reads the major version from the tag (container_images.md § Image Tag Requirements).
  const tag = image.includes("@") ? image.slice(0, image.indexOf("@")) : image;
  if (!/:\d{2}(?:[._-]|$)/.test(tag)) fail(`image "${image}" must carry the PostgreSQL major version at the start of its tag (…/postgresql:17.10-standard-trixie): CloudNativePG detects the version from it`);
  const resources = args.resources ?? { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } };
  const backupSidecarResources = args.backupSidecarResources ?? { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
  assertResources(POSTGRES_CLUSTER_TYPE, name, "resources", resources);
  assertResources(POSTGRES_CLUSTER_TYPE, name, "backupSidecarResources", backupSidecarResources);
  const database = args.database ?? "app";
  const owner = args.owner ?? "app";
  for (const [field, v] of [["database", database], ["owner", owner]] as const) {
    if (!PG_IDENTIFIER.test(v)) fail(`${field} "${v}" must be a lowercase PostgreSQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)`);
    if (RESERVED_PG_NAMES.includes(v)) fail(`${field} "${v}" is reserved by PostgreSQL or CloudNativePG; expected an application name`);
  }
  const clientNamespaces = [...new Set(args.clientNamespaces ?? [])];
  if (clientNamespaces.includes(args.namespace)) fail(`clientNamespaces includes the cluster's own namespace "${args.namespace}" (its credentials Secret is already there)`);
  const b = args.backup;
  if (!b) fail("backup is required: PITR needs continuous WAL archiving and base backups (the policy pack's backup rules)");
  const bucket = b.bucket.replace(/^gs:\/\//, "");
  if (!GCS_BUCKET.test(bucket)) fail(`backup.bucket "${b.bucket}" is not a GCS bucket name`);
  if (!GCP_SA_EMAIL.test(b.gcpServiceAccountEmail)) fail(`backup.gcpServiceAccountEmail "${b.gcpServiceAccountEmail}" must be a service account email (…@<project>.iam.gserviceaccount.com) for Workload Identity`);
  if (!Number.isInteger(b.retentionDays) || b.retentionDays < 1) fail(`backup.retentionDays must be a positive integer, got ${b.retentionDays}`);
  const path = (b.path ?? "cnpg").replace(/^\/+|\/+$/g, "");
  if (path === "" || /\s/.test(path)) fail(`backup.path "${b.path}" must be a non-empty folder name`);
  const schedule = b.schedule ?? "0 0 3 * * *";
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 6) fail(`backup.schedule "${schedule}" must be a 6-field cron (seconds first, as CloudNativePG's ScheduledBackup reads it), e.g. "0 0 3 * * *"`);
  const synchronousReplicas = args.synchronousReplicas ?? 0;
  if (!Number.isInteger(synchronousReplicas) || synchronousReplicas < 0 || synchronousReplicas > replicas) {
    fail(`synchronousReplicas must be an integer from 0 to replicas (${replicas}), got ${synchronousReplicas}`);
  }
  const size = args.storage?.size ?? "20Gi";
  if (!(parseQuantity(size) > 0)) fail(`storage.size "${size}" is not a Kubernetes quantity`);
  return {
    namespace: args.namespace,
    clusterName,
    instances: 1 + replicas,
    replicaServices,
    image,
    storage: { size, storageClass: args.storage?.storageClass ?? "premium-rwo" },
    resources,
    backupSidecarResources,
    database,
    owner,
    clientNamespaces,
    backup: { bucket, path, gcpServiceAccountEmail: b.gcpServiceAccountEmail, retentionDays: b.retentionDays, schedule },
    primaryUpdateStrategy: args.primaryUpdateStrategy ?? "unsupervised",
    enablePDB: args.enablePDB ?? true,
    synchronousReplicas,
    parameters: args.parameters ?? {},
    metrics: { enabled: args.metrics?.enabled ?? true, labels: args.metrics?.labels ?? {} },
    tls: args.tls?.issuer ? { issuer: { name: args.tls.issuer.name, kind: args.tls.issuer.kind ?? "Issuer" } } : {},
    crdInstallers: args.crdInstallers ?? [],
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** Labels CloudNativePG puts on every pod of a cluster (instances and their initdb/join Jobs). */
export function postgresPodSelector(clusterName: string): Labels {
  return { "cnpg.io/cluster": clusterName };
}

/** What the instance pods of a cluster hold at most, for the namespace's ResourceQuota. */
export interface PostgresPodBudget {
  /** Instance pods; CNPG's initdb/join Jobs run one at a time, in place of a not-yet-created instance. */
  pods: number;
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
  /** One data PVC per instance (`storage.size` each, bytes in total). */
  persistentVolumeClaims: number;
  storageBytes: number;
}

/**
 * The quota a cluster needs: every instance pod runs postgres and the Barman Cloud sidecar (the
 * bootstrap init container uses postgres' resources and finishes before them). A rolling update
 * recreates pods in place (no surge), and the initdb/join Jobs run before the instance they create.
 */
export function postgresPodBudget(r: Pick<ResolvedPostgresClusterArgs, "instances" | "resources" | "backupSidecarResources" | "storage">): PostgresPodBudget {
  const containers = [r.resources, r.backupSidecarResources];
  // A container without a CPU limit counts its request (what a quota on limits.cpu would refuse anyway).
  const total = (q: (c: ResourceSpec) => string) => r.instances * containers.reduce((t, c) => t + parseQuantity(q(c)), 0);
  return {
    pods: r.instances,
    requests: { cpu: total((c) => c.requests.cpu), memory: total((c) => c.requests.memory) },
    limits: { cpu: total((c) => c.limits.cpu ?? c.requests.cpu), memory: total((c) => c.limits.memory) },
    persistentVolumeClaims: r.instances,
    storageBytes: r.instances * parseQuantity(r.storage.size),
  };
}

/** Host names and URIs of the cluster's services, as the client Secrets carry them. */
export function postgresHosts(r: Pick<ResolvedPostgresClusterArgs, "clusterName" | "namespace" | "replicaServices">): { rw: string; ro: string; r: string; replicas: Record<string, string> } {
  const host = (suffix: string) => `${r.clusterName}-${suffix}.${r.namespace}.svc`;
  return { rw: host("rw"), ro: host("ro"), r: host("r"), replicas: Object.fromEntries(r.replicaServices.map((s) => [s, host(s)])) };
}

export interface PostgresFlowsArgs {
  /** The cluster's namespace and name (`resolvePostgresClusterArgs(...).clusterName`). */
  namespace: string;
  clusterName: string;
  /** The database's clients, each named for its flow (`<name>-to-postgres`, a short DNS label). */
  clients: (PodEndpoint & { name: string })[];
  /** CloudNativePG's operator pods (`cnpg-system`, not managed here). */
  operator: { namespace: string; podSelector: LabelSelector };
  /** Prometheus' pods, scraping the `metrics` port. Omitted: no flow. */
  prometheus?: { namespace: string; podSelector: LabelSelector };
  /** CIDRs of the Kubernetes API server, which every instance manager and the backup sidecar call. */
  apiServerCidrs: string[];
  /**
   * Where the backup sidecar reaches Google Cloud Storage (port 443).
   * @default { cidrs: ["0.0.0.0/0"], except: RFC 1918 }
   */
  googleApis?: CidrEndpoint;
}

/**
 * The flows a cluster needs under default-deny (NetworkFlows): clients → 5432; instances ↔
 * instances on 5432 (streaming replication, pg_basebackup of the join Jobs, pg_rewind) and 8000
 * (instance manager); the operator → 8000 (status, backups) and 5432 (networking.md: "the
 * operator can reach every cluster pod on ports 8000 and 5432"); Prometheus → 9187; instances →
 * API server 443; the backup sidecar → GCS 443 and the GKE metadata server (Workload Identity).
 */
export function postgresClusterFlows(a: PostgresFlowsArgs): Flow[] {
  const pods: PodEndpoint = { namespace: a.namespace, podSelector: { matchLabels: postgresPodSelector(a.clusterName) } };
  const pg = [{ port: POSTGRES_PORT }];
  const flows: Flow[] = a.clients.map(({ name, ...from }) => ({ name: `${name}-to-postgres`, from, to: pods, ports: pg }));
  flows.push({ name: "postgres-members", from: pods, to: pods, ports: [...pg, { port: CNPG_STATUS_PORT }] });
  flows.push({ name: "cnpg-operator-to-postgres", from: { ...a.operator, managed: false }, to: pods, ports: [{ port: CNPG_STATUS_PORT }, ...pg] });
  if (a.prometheus) flows.push({ name: "prometheus-to-postgres", from: { ...a.prometheus, managed: false }, to: pods, ports: [{ port: CNPG_METRICS_PORT }] });
  if (a.apiServerCidrs.length) flows.push({ name: "postgres-apiserver", from: pods, to: { cidrs: a.apiServerCidrs }, ports: [{ port: 443 }] });
  flows.push({ name: "postgres-backup-to-gcs", from: pods, to: a.googleApis ?? { cidrs: ["0.0.0.0/0"], except: RFC1918 }, ports: [{ port: 443 }] });
  flows.push({ name: "postgres-backup-to-metadata", from: pods, ...GKE_METADATA_SERVER });
  return flows;
}

export class PostgresCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  /** Service of the primary (read-write), `<clusterName>-rw`. */
  public readonly rwService: pulumi.Output<string>;
  /** Service of every replica (read-only), `<clusterName>-ro`. */
  public readonly roService: pulumi.Output<string>;
  /** The named replica services, by role (`analytics` → `<clusterName>-analytics`). */
  public readonly replicaServices: pulumi.Output<Record<string, string>>;
  /** `<clusterName>-analytics` when that role is among `replicaServices`. */
  public readonly analyticsService: pulumi.Output<string | undefined>;
  /** `<clusterName>-dashboards` when that role is among `replicaServices`. */
  public readonly dashboardsService: pulumi.Output<string | undefined>;
  public readonly port: pulumi.Output<number>;
  /** Labels of every pod of the cluster, for NetworkFlows. */
  public readonly podSelector: pulumi.Output<Labels>;
  /**
   * The Kubernetes service account the instances (and the backup sidecar) run as: CNPG names it
   * after the cluster. Bind `roles/iam.workloadIdentityUser` on the backup GSA to
   * `serviceAccount:<project>.svc.id.goog[<namespace>/<this>]`.
   */
  public readonly backupServiceAccount: pulumi.Output<string>;
  public readonly backupRetentionDays: pulumi.Output<number>;
  /** `gs://<bucket>/<path>`: barman writes `<clusterName>/base` and `<clusterName>/wals` under it. */
  public readonly backupDestination: pulumi.Output<string>;
  /** Secret with the owner's credentials: in the cluster's namespace (basic-auth) and in each client namespace. */
  public readonly appSecretName: pulumi.Output<string>;
  /** Secret with the server CA certificate (`ca.crt`), in the cluster's namespace. */
  public readonly caSecretName: pulumi.Output<string>;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(POSTGRES_CLUSTER_TYPE, name, {}, opts);
    const r = resolvePostgresClusterArgs(name, args);
    const cn = r.clusterName;
    const ns = r.namespace;
    const labels = standardLabels(cn, cn, "database", r.labels);
    // CNPG sets app.kubernetes.io/{name,instance,component,managed-by,version} on the pods, PVCs and
    // services it creates and keeps them in step: inheriting ours would fight it on every reconcile.
    const inherited = Object.fromEntries(Object.entries(r.labels).filter(([k]) => !k.startsWith("app.kubernetes.io/") || k === "app.kubernetes.io/part-of"));
    const stateful = statefulChildOptions(this, r.deletionProtection);
    const cnpgCrds = crdDependencies("postgresql.cnpg.io/v1", r.crdInstallers);
    const barmanCrds = crdDependencies("barmancloud.cnpg.io/v1", r.crdInstallers);
    const hosts = postgresHosts(r);
    const appSecretName = `${cn}-app`;
    const objectStoreName = `${cn}-backup`;

    // One generated password for the owner; no special characters so that the URI needs no escaping.
    const password = new random.RandomPassword(`${name}-owner-password`, { length: 32, special: false }, { parent: this });
    // CNPG's initdb reads the owner's credentials from a basic-auth Secret in the cluster's
    // namespace, and the instance manager keeps the role's password in step with it afterwards.
    const ownerSecret = new k8s.core.v1.Secret(
      `${name}-owner-secret`,
      {
        metadata: { name: appSecretName, namespace: ns, labels },
        type: "kubernetes.io/basic-auth",
        stringData: { username: r.owner, password: password.result },
      },
      { parent: this },
    );

    let serverCert: k8s.apiextensions.CustomResource | undefined;
    const serverTlsSecret = `${cn}-server-tls`;
    if (r.tls.issuer) {
      const names = [hosts.rw, hosts.ro, hosts.r, ...Object.values(hosts.replicas)].flatMap((h) => {
        const short = h.slice(0, h.indexOf("."));
        return [short, `${short}.${ns}`, h, `${h}.cluster.local`];
      });
      serverCert = new k8s.apiextensions.CustomResource(
        `${name}-server-certificate`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: `${cn}-server`, namespace: ns, labels },
          spec: {
            secretName: serverTlsSecret,
            // CNPG reloads the certificate on renewal only for Secrets carrying cnpg.io/reload.
            secretTemplate: { labels: { "cnpg.io/reload": "" } },
            commonName: hosts.rw,
            dnsNames: names,
            duration: "8760h",
            renewBefore: "720h",
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            usages: ["server auth", "digital signature", "key encipherment"],
            issuerRef: { name: r.tls.issuer.name, kind: r.tls.issuer.kind, group: "cert-manager.io" },
          },
        },
        { parent: this },
      );
    }

    // In-tree `spec.backup.barmanObjectStore` is deprecated since CNPG 1.26 and removed in 1.31.0
    // (release notes 1.30.0, #11083): backups go through the Barman Cloud plugin, configured by an
    // ObjectStore in the cluster's namespace.
    const objectStore = new k8s.apiextensions.CustomResource(
      `${name}-object-store`,
      {
        apiVersion: "barmancloud.cnpg.io/v1",
        kind: "ObjectStore",
        metadata: { name: objectStoreName, namespace: ns, labels },
        spec: {
          configuration: {
            destinationPath: `gs://${r.backup.bucket}/${r.backup.path}`,
            // Workload Identity: the sidecar authenticates as the cluster's KSA, annotated below.
            googleCredentials: { gkeEnvironment: true },
            wal: { compression: "gzip", maxParallel: 2 },
            data: { compression: "gzip", jobs: 2 },
          },
          // A recovery window: any point of the last retentionDays days can be restored.
          retentionPolicy: barmanRetentionPolicy(r.backup.retentionDays),
          instanceSidecarConfiguration: { resources: r.backupSidecarResources },
        },
      },
      { ...stateful, dependsOn: barmanCrds },
    );

    const synchronous = r.synchronousReplicas > 0 ? { method: "any", number: r.synchronousReplicas, dataDurability: "preferred" } : undefined;
    const cluster = new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name: cn, namespace: ns, labels },
        spec: {
          // docs/platforms/shareyoursales.md § Architecture Base de Données: a primary and its read replicas.
          instances: r.instances,
          imageName: r.image,
          imagePullPolicy: "IfNotPresent",
          ...(Object.keys(inherited).length ? { inheritedMetadata: { labels: inherited } } : {}),
          primaryUpdateStrategy: r.primaryUpdateStrategy,
          // A switchover to an updated replica is seconds of write unavailability; a restart of the primary is longer.
          primaryUpdateMethod: "switchover",
          enablePDB: r.enablePDB,
          enableSuperuserAccess: false,
          storage: { size: r.storage.size, storageClass: r.storage.storageClass },
          resources: r.resources,
          podSecurityContext: restrictedPodSecurityContext(26),
          securityContext: restrictedContainerSecurityContext(true),
          affinity: { enablePodAntiAffinity: true, podAntiAffinityType: "preferred", topologyKey: "kubernetes.io/hostname" },
          topologySpreadConstraints: [zoneSpread(postgresPodSelector(cn))[0]],
          bootstrap: { initdb: { database: r.database, owner: r.owner, secret: { name: appSecretName } } },
          postgresql: { parameters: r.parameters, ...(synchronous ? { synchronous } : {}) },
          serviceAccountTemplate: { metadata: { annotations: { "iam.gke.io/gcp-service-account": r.backup.gcpServiceAccountEmail } } },
          plugins: [{ name: BARMAN_CLOUD_PLUGIN, enabled: true, isWALArchiver: true, parameters: { barmanObjectName: objectStoreName } }],
          managed: {
            services: {
              // CNPG forces the `ro` selector (every replica, cnpg.io/instanceRole=replica) on these:
              // a name per use, not a pinned instance.
              additional: r.replicaServices.map((role) => ({
                selectorType: "ro",
                updateStrategy: "patch",
                serviceTemplate: { metadata: { name: `${cn}-${role}`, labels: mergeLabels(inherited, { "platform/replica-role": role }) }, spec: { type: "ClusterIP" } },
              })),
            },
          },
          certificates: r.tls.issuer
            ? { serverTLSSecret: serverTlsSecret, serverCASecret: serverTlsSecret }
            : { serverAltDNSNames: Object.values(hosts.replicas).flatMap((h) => [h.slice(0, h.indexOf(".")), `${h.slice(0, h.indexOf("."))}.${ns}`, h]) },
          // Our own PodMonitor below: 1.30 deprecates the operator-managed one.
          monitoring: { enablePodMonitor: false },
        },
      },
      { ...stateful, dependsOn: [...cnpgCrds, ownerSecret, objectStore, ...(serverCert ? [serverCert] : [])] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-scheduled-backup`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        metadata: { name: `${cn}-daily`, namespace: ns, labels },
        spec: {
          cluster: { name: cn },
          schedule: r.backup.schedule,
          method: "plugin",
          pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
          // A base backup right after creation, so that PITR covers the cluster from day one.
          immediate: true,
          // Backups belong to the ScheduledBackup: deleting it removes the Backup objects, never the files in GCS.
          backupOwnerReference: "self",
        },
      },
      { ...stateful, dependsOn: [...cnpgCrds, cluster] },
    );

    if (r.metrics.enabled) {
      new k8s.apiextensions.CustomResource(
        `${name}-podmonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PodMonitor",
          metadata: { name: cn, namespace: ns, labels: mergeLabels(labels, r.metrics.labels) },
          spec: {
            selector: { matchLabels: postgresPodSelector(cn) },
            namespaceSelector: { matchNames: [ns] },
            podMetricsEndpoints: [{ port: "metrics", interval: "30s" }],
          },
        },
        { parent: this, dependsOn: [cluster] },
      );
    }

    const uri = (host: string) =>
      pulumi.interpolate`postgresql://${r.owner}:${password.result}@${host}:${POSTGRES_PORT}/${r.database}?sslmode=require`;
    for (const clientNs of r.clientNamespaces) {
      new k8s.core.v1.Secret(
        `${name}-app-${clientNs}`,
        {
          metadata: { name: appSecretName, namespace: clientNs, labels },
          type: "Opaque",
          stringData: {
            username: r.owner,
            password: password.result,
            dbname: r.database,
            port: String(POSTGRES_PORT),
            sslmode: "require",
            host: hosts.rw,
            uri: uri(hosts.rw),
            "ro-host": hosts.ro,
            "ro-uri": uri(hosts.ro),
            ...Object.fromEntries(Object.entries(hosts.replicas).flatMap(([role, h]) => [[`${role}-host`, h], [`${role}-uri`, uri(h)]])),
          },
        },
        { parent: this },
      );
    }

    const replicaServiceNames = Object.fromEntries(r.replicaServices.map((s) => [s, `${cn}-${s}`]));
    this.clusterName = pulumi.output(cn);
    this.rwService = pulumi.output(`${cn}-rw`);
    this.roService = pulumi.output(`${cn}-ro`);
    this.replicaServices = pulumi.output(replicaServiceNames);
    this.analyticsService = pulumi.output(replicaServiceNames.analytics);
    this.dashboardsService = pulumi.output(replicaServiceNames.dashboards);
    this.port = pulumi.output(POSTGRES_PORT);
    this.podSelector = pulumi.output(postgresPodSelector(cn));
    this.backupServiceAccount = pulumi.output(cn);
    this.backupRetentionDays = pulumi.output(r.backup.retentionDays);
    this.backupDestination = pulumi.output(`gs://${r.backup.bucket}/${r.backup.path}`);
    this.appSecretName = pulumi.output(appSecretName);
    this.caSecretName = pulumi.output(r.tls.issuer ? serverTlsSecret : `${cn}-ca`);
    this.registerOutputs({
      clusterName: this.clusterName,
      rwService: this.rwService,
      roService: this.roService,
      replicaServices: this.replicaServices,
      analyticsService: this.analyticsService,
      dashboardsService: this.dashboardsService,
      port: this.port,
      podSelector: this.podSelector,
      backupServiceAccount: this.backupServiceAccount,
      backupRetentionDays: this.backupRetentionDays,
      backupDestination: this.backupDestination,
      appSecretName: this.appSecretName,
      caSecretName: this.caSecretName,
    });
  }
}

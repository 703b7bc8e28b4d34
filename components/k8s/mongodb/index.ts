/**
 * MongoReplicaSet: a MongoDB replica set run by the MongoDB Community operator
 * (MongoDBCommunity, mongodbcommunity.mongodb.com/v1), with SCRAM users whose passwords are
 * generated and kept in Kubernetes Secrets, TLS from cert-manager, persistent volumes, a PDB when
 * replicated, and the daily mongodump to GCS through Workload Identity.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
// The backup contract (label, annotation) is model/backup.ts's: the policy pack reads the same constants.
import { BACKUP_RETENTION_ANNOTATION, BACKUP_TARGET_LABEL } from "../../../model/backup";
import { privateCaIssuer, serverCertificate } from "../../common/private-ca";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { assertResources, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, zoneSpread, type ResourceSpec } from "../common/pod-security";

export const MONGO_REPLICA_SET_TYPE = "platform:k8s:MongoReplicaSet";

/** Days a dump is kept when the composition does not say (diaspomoney.md gives no figure: our choice). */
export const DEFAULT_MONGO_BACKUP_RETENTION_DAYS = 30;

/** A Cloud Storage lifecycle rule, in the shape `Bucket.lifecycleRules` takes. */
export interface DumpLifecycleRule {
  action: { type: "Delete" };
  condition: { age: number };
}

/**
 * The one value that decides how long MongoDB dumps live, checked once. The dump bucket deletes
 * them (not the component), so the composition passes the same number to `backup.retentionDays`
 * and, through `mongoBackupLifecycleRules`, to the bucket.
 */
export function resolveMongoBackupRetentionDays(retentionDays: number | undefined, name = "backup"): number {
  const days = retentionDays ?? DEFAULT_MONGO_BACKUP_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < 1) throw new ComponentArgsError(MONGO_REPLICA_SET_TYPE, name, `backup.retentionDays must be a positive integer, got ${retentionDays}`);
  return days;
}

/**
 * The lifecycle the dump bucket must carry so that `backup.retentionDays` is what really happens:
 * each dump is deleted `retentionDays` days after its upload. The policy pack checks this rule on
 * the bucket (model/backup.ts: retention is checked where dumps are deleted).
 */
export function mongoBackupLifecycleRules(retentionDays?: number): DumpLifecycleRule[] {
  return [{ action: { type: "Delete" }, condition: { age: resolveMongoBackupRetentionDays(retentionDays) } }];
}

/** The operator's metrics exporter: user of its basic auth, and its port (the CRD's default). */
export const MONGO_METRICS_USER = "prometheus";
export const MONGO_METRICS_PORT = 9216;

/** A SCRAM user of the replica set. */
export interface MongoUserArgs {
  /** User name (lowercase letters, digits, dashes). */
  name: string;
  /** Authentication database. @default "admin" */
  db?: string;
  /** Roles granted to the user. */
  roles: { name: string; db: string }[];
  /**
   * Namespaces of the user's clients: each gets a Secret named like the operator's
   * (`<resourceName>-<db>-<name>`, keys connectionString.standard, username, password), written by
   * the stack from the same generated password, because a pod reads Secrets only in its own
   * namespace and the operator's `connectionStringSecretNamespace` is broken across namespaces
   * (see the README).
   * @default []
   */
  clientNamespaces?: string[];
}

/** A cert-manager issuer reference. */
export interface IssuerRef {
  name: string;
  /** @default "Issuer" */
  kind?: "Issuer" | "ClusterIssuer";
}

export interface MongoBackupArgs {
  /**
   * Runs the daily dump. Turning it off contradicts diaspomoney.md § Backup and is refused unless
   * `disabledReason` is given.
   * @default true
   */
  enabled?: boolean;
  /** Why backups are off (only with enabled: false). */
  disabledReason?: string;
  /** Target GCS bucket name (created by the composition, e.g. with components/gcp/bucket). */
  bucket: string;
  /**
   * Object prefix inside the bucket.
   * @default "mongodb/<resourceName>"
   */
  prefix?: string;
  /** Email of the GCP service account the backup ServiceAccount impersonates (Workload Identity); needs storage.objectCreator on the bucket. */
  gcpServiceAccountEmail: string;
  /**
   * Cron schedule, in `timeZone`.
   * @default "0 2 * * *" (daily, diaspomoney.md § Backup: "MongoDB - Backup quotidien")
   */
  schedule?: string;
  /** @default "Europe/Paris" */
  timeZone?: string;
  /**
   * Days each dump is kept. The bucket deletes dumps, so give the bucket
   * `lifecycleRules: mongoBackupLifecycleRules(<the same value>)`: one value drives both. Recorded
   * on the CronJob as `backup.platform/retention-days` for the people reading the cluster.
   * diaspomoney.md gives no figure: 30 days is our choice.
   * @default DEFAULT_MONGO_BACKUP_RETENTION_DAYS (30)
   */
  retentionDays?: number;
  /**
   * Image holding mongodump (the official MongoDB image ships the database tools).
   * @default "mongo:8.0.4"
   */
  dumpImage?: string;
  /**
   * Image holding gcloud, which uploads the archive.
   * @default "gcr.io/google.com/cloudsdktool/google-cloud-cli:499.0.0-slim"
   */
  uploadImage?: string;
}

export interface MongoReplicaSetArgs extends CommonArgs {
  /** Namespace of the replica set (the env's `-infra` namespace). */
  namespace: string;
  /** Number of data-bearing members: 1 in dev/rct, 3 in prod (diaspomoney.md). Must be odd. */
  members: number;
  /**
   * MongoDB server version (a full x.y.z; the operator rejects loose versions).
   * @default "8.0.4"
   */
  version?: string;
  /**
   * Feature compatibility version.
   * @default the major.minor of `version`
   */
  featureCompatibilityVersion?: string;
  /**
   * Database the default application user gets readWrite on.
   * @default "app"
   */
  database?: string;
  /**
   * SCRAM users. A `backup` user (role backup) is added when backups are enabled.
   * @default [{ name: "app", db: "admin", roles: [{ name: "readWrite", db: database }] }]
   */
  users?: MongoUserArgs[];
  /**
   * Persistent volumes per member.
   * @default { storageClassName: "premium-rwo", dataSize: "20Gi", logsSize: "2Gi" }
   */
  storage?: { storageClassName?: string; dataSize?: string; logsSize?: string };
  /**
   * mongod container resources.
   * @default { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } }
   */
  resources?: ResourceSpec;
  /**
   * TLS for client and member traffic. Without `issuer`, the component creates a self-signed
   * root, a namespace CA Issuer and the server Certificate.
   * @default { enabled: true }
   */
  tls?: { enabled?: boolean; issuer?: IssuerRef };
  /**
   * A PodDisruptionBudget (maxUnavailable 1) for the members.
   * @default members > 1
   */
  podDisruptionBudget?: boolean;
  /** The daily backup (diaspomoney.md § Backup). */
  backup: MongoBackupArgs;
  /**
   * Prometheus metrics: the operator's exporter on each member (MongoDBCommunity `spec.prometheus`,
   * port 9216, HTTP basic auth with a generated password) and a ServiceMonitor for it.
   * @default { enabled: true, labels: {} }
   */
  metrics?: {
    enabled?: boolean;
    /** Labels Prometheus' serviceMonitorSelector matches (e.g. `release: kube-prometheus-stack`). */
    labels?: Labels;
  };
  /**
   * Name of the MongoDBCommunity resource (pods are `<resourceName>-<i>`, service `<resourceName>-svc`).
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedMongoReplicaSetArgs {
  namespace: string;
  resourceName: string;
  members: number;
  version: string;
  featureCompatibilityVersion: string;
  users: Required<MongoUserArgs>[];
  metrics: { enabled: boolean; labels: Labels };
  storage: { storageClassName: string; dataSize: string; logsSize: string };
  resources: ResourceSpec;
  tls: { enabled: boolean; issuer?: Required<IssuerRef> };
  podDisruptionBudget: boolean;
  backup:
    | { enabled: false; disabledReason: string }
    | (Required<Omit<MongoBackupArgs, "disabledReason" | "enabled">> & { enabled: true });
  deletionProtection: boolean;
  labels: Labels;
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Applies MongoReplicaSet defaults and rejects contradictory arguments. */
export function resolveMongoReplicaSetArgs(name: string, args: MongoReplicaSetArgs): ResolvedMongoReplicaSetArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(MONGO_REPLICA_SET_TYPE, name, detail);
  };
  const resourceName = args.resourceName ?? name;
  if (!K8S_NAME.test(resourceName)) fail(`resourceName "${resourceName}" is not a valid Kubernetes name`);
  // A replica set elects its primary by majority: an even member count adds cost, not availability.
  if (!Number.isInteger(args.members) || args.members < 1 || args.members % 2 === 0) {
    fail(`members must be an odd positive integer (1 for dev/rct, 3 for prod per diaspomoney.md), got ${args.members}`);
  }
  const version = args.version ?? "8.0.4";
  if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`version "${version}" must be a full x.y.z version (the operator does not accept loose versions)`);
  const database = args.database ?? "app";
  const baseUsers: MongoUserArgs[] = args.users ?? [{ name: "app", db: "admin", roles: [{ name: "readWrite", db: database }] }];
  const backupEnabled = args.backup.enabled ?? true;
  const users = baseUsers.map((u) => ({ name: u.name, db: u.db ?? "admin", roles: u.roles, clientNamespaces: [...new Set(u.clientNamespaces ?? [])] }));
  if (backupEnabled && !users.some((u) => u.name === "backup")) users.push({ name: "backup", db: "admin", roles: [{ name: "backup", db: "admin" }], clientNamespaces: [] });
  const seen = new Set<string>();
  for (const u of users) {
    if (!K8S_NAME.test(u.name)) fail(`user name "${u.name}" must be lowercase letters, digits and dashes (it names Secrets)`);
    if (seen.has(u.name)) fail(`user "${u.name}" is declared twice`);
    seen.add(u.name);
    if (u.roles.length === 0) fail(`user "${u.name}" has no roles`);
    if (u.clientNamespaces.includes(args.namespace)) fail(`user "${u.name}": clientNamespaces includes the replica set's own namespace, where the operator already writes the Secret`);
  }
  const resources = args.resources ?? { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } };
  assertResources(MONGO_REPLICA_SET_TYPE, name, "resources", resources);

  let backup: ResolvedMongoReplicaSetArgs["backup"];
  if (!backupEnabled) {
    if (!args.backup.disabledReason) fail("backup.enabled is false without backup.disabledReason: diaspomoney.md § Backup requires a daily MongoDB backup");
    backup = { enabled: false, disabledReason: args.backup.disabledReason! };
  } else {
    const b = args.backup;
    if (!b.bucket) fail("backup.bucket is required");
    if (!/^[^@\s]+@[a-z0-9-]+\.iam\.gserviceaccount\.com$/.test(b.gcpServiceAccountEmail)) {
      fail(`backup.gcpServiceAccountEmail "${b.gcpServiceAccountEmail}" is not a GCP service account email`);
    }
    const dumpImage = b.dumpImage ?? "mongo:8.0.4";
    const uploadImage = b.uploadImage ?? "gcr.io/google.com/cloudsdktool/google-cloud-cli:499.0.0-slim";
    assertPinnedImage(MONGO_REPLICA_SET_TYPE, name, "backup.dumpImage", dumpImage);
    assertPinnedImage(MONGO_REPLICA_SET_TYPE, name, "backup.uploadImage", uploadImage);
    const schedule = b.schedule ?? "0 2 * * *";
    // diaspomoney.md § Backup: "MongoDB - Backup quotidien": at least one run per day.
    const fields = schedule.trim().split(/\s+/);
    const retentionDays = resolveMongoBackupRetentionDays(b.retentionDays, name);
    if (fields.length !== 5 || fields[2] !== "*" || fields[3] !== "*" || fields[4] !== "*") {
      fail(`backup.schedule "${schedule}" is not daily: diaspomoney.md § Backup requires "Backup quotidien" (day-of-month, month and day-of-week must be *)`);
    }
    backup = {
      enabled: true,
      bucket: b.bucket,
      prefix: b.prefix ?? `mongodb/${resourceName}`,
      gcpServiceAccountEmail: b.gcpServiceAccountEmail,
      schedule,
      timeZone: b.timeZone ?? "Europe/Paris",
      retentionDays,
      dumpImage,
      uploadImage,
    };
  }

  return {
    namespace: args.namespace,
    resourceName,
    members: args.members,
    version,
    featureCompatibilityVersion: args.featureCompatibilityVersion ?? version.split(".").slice(0, 2).join("."),
    users,
    metrics: { enabled: args.metrics?.enabled ?? true, labels: args.metrics?.labels ?? {} },
    storage: {
      storageClassName: args.storage?.storageClassName ?? "premium-rwo",
      dataSize: args.storage?.dataSize ?? "20Gi",
      logsSize: args.storage?.logsSize ?? "2Gi",
    },
    resources,
    tls: {
      enabled: args.tls?.enabled ?? true,
      issuer: args.tls?.issuer ? { name: args.tls.issuer.name, kind: args.tls.issuer.kind ?? "Issuer" } : undefined,
    },
    podDisruptionBudget: args.podDisruptionBudget ?? args.members > 1,
    backup,
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** The labels the operator puts on the replica set's pods (`app: <resourceName>-svc`). */
export function mongoPodSelector(resourceName: string): Labels {
  return { app: `${resourceName}-svc` };
}

/** The labels of the backup job's pods. */
export function mongoBackupPodSelector(resourceName: string): Labels {
  return { "app.kubernetes.io/name": `${resourceName}-backup`, "app.kubernetes.io/component": "backup" };
}

export class MongoReplicaSet extends pulumi.ComponentResource {
  /** Name of the MongoDBCommunity resource. */
  public readonly resourceName: pulumi.Output<string>;
  /** Headless Service the operator creates (`<resourceName>-svc`). */
  public readonly serviceName: pulumi.Output<string>;
  /** Per user: the Secret (key `password`) holding the generated password. */
  public readonly passwordSecretNames: pulumi.Output<Record<string, string>>;
  /** Per user: the Secret the operator writes connection strings to (`connectionString.standardSrv`). */
  public readonly connectionStringSecretNames: pulumi.Output<Record<string, string>>;
  /** Secret holding the server certificate and `ca.crt` (when TLS is on). */
  public readonly tlsSecretName: pulumi.Output<string | undefined>;

  constructor(name: string, args: MongoReplicaSetArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MONGO_REPLICA_SET_TYPE, name, {}, opts);
    const r = resolveMongoReplicaSetArgs(name, args);
    const rn = r.resourceName;
    const ns = r.namespace;
    const labels = standardLabels(rn, rn, "database", r.labels);
    const meta = (objName: string, extra?: Labels) => ({ name: objName, namespace: ns, labels: mergeLabels(labels, extra) });
    const stateful = statefulChildOptions(this, r.deletionProtection);

    // Users: a generated password per user, kept only in a Kubernetes Secret (and encrypted state).
    const passwordSecretNames: Record<string, string> = {};
    const connectionStringSecretNames: Record<string, string> = {};
    const passwordSecrets: k8s.core.v1.Secret[] = [];
    for (const u of r.users) {
      // Alphanumeric: the value ends up in connection strings the operator builds.
      const password = new random.RandomPassword(`${name}-${u.name}-password`, { length: 32, special: false }, stateful);
      const secretName = `${rn}-${u.name}-password`;
      passwordSecrets.push(
        new k8s.core.v1.Secret(
          `${name}-${u.name}-password`,
          { metadata: meta(secretName), type: "Opaque", stringData: { password: password.result } },
          stateful,
        ),
      );
      passwordSecretNames[u.name] = secretName;
      connectionStringSecretNames[u.name] = `${rn}-${u.db}-${u.name}`;
      // The clients' namespaces: the same Secret the operator writes here, built from the same
      // password (the members' addresses and the replica set name are fixed by the operator's naming).
      const hosts = Array.from({ length: r.members }, (_, i) => `${rn}-${i}.${rn}-svc.${ns}.svc.cluster.local:27017`).join(",");
      const tlsParam = r.tls.enabled ? "&tls=true" : "";
      for (const clientNs of u.clientNamespaces) {
        new k8s.core.v1.Secret(
          `${name}-${u.name}-connection-${clientNs}`,
          {
            metadata: { name: connectionStringSecretNames[u.name], namespace: clientNs, labels },
            type: "Opaque",
            stringData: {
              "connectionString.standard": pulumi.interpolate`mongodb://${u.name}:${password.result}@${hosts}/?replicaSet=${rn}&authSource=${u.db}${tlsParam}`,
              username: u.name,
              password: password.result,
            },
          },
          { parent: this },
        );
      }
    }

    // Metrics: the operator runs an exporter on every member behind HTTP basic auth.
    let metricsSecretName: string | undefined;
    if (r.metrics.enabled) {
      metricsSecretName = `${rn}-metrics`;
      const metricsPassword = new random.RandomPassword(`${name}-metrics-password`, { length: 32, special: false }, stateful);
      passwordSecrets.push(
        new k8s.core.v1.Secret(
          `${name}-metrics`,
          { metadata: meta(metricsSecretName), type: "Opaque", stringData: { username: MONGO_METRICS_USER, password: metricsPassword.result } },
          stateful,
        ),
      );
    }

    // TLS: a private CA per replica set unless an issuer is supplied.
    let tlsSecretName: string | undefined;
    const tlsDeps: pulumi.Resource[] = [];
    if (r.tls.enabled) {
      let issuer = r.tls.issuer;
      // No issuer given: a private CA of the service's own signs its certificates.
      if (!issuer) issuer = privateCaIssuer(this, name, rn, (o) => meta(o));
      const svcDomain = `${rn}-svc.${ns}.svc.cluster.local`;
      const cert = serverCertificate(this, name, rn, (o) => meta(o), { commonName: `*.${svcDomain}`, dnsNames: [`*.${svcDomain}`, svcDomain], issuer });
      tlsSecretName = cert.secretName;
      tlsDeps.push(cert.resource);
    }

    const podSelector = mongoPodSelector(rn);
    new k8s.apiextensions.CustomResource(
      `${name}-replicaset`,
      {
        apiVersion: "mongodbcommunity.mongodb.com/v1",
        kind: "MongoDBCommunity",
        metadata: meta(rn),
        spec: {
          type: "ReplicaSet",
          // docs/platforms/diaspomoney.md § Architecture par Environnement: MongoDB "(Primary)" in dev/rct, "(Replica)" in prod.
          members: r.members,
          version: r.version,
          featureCompatibilityVersion: r.featureCompatibilityVersion,
          security: {
            authentication: { modes: ["SCRAM"], ignoreUnknownUsers: false },
            ...(tlsSecretName
              ? { tls: { enabled: true, optional: false, certificateKeySecretRef: { name: tlsSecretName }, caCertificateSecretRef: { name: tlsSecretName } } }
              : {}),
          },
          ...(metricsSecretName ? { prometheus: { username: MONGO_METRICS_USER, passwordSecretRef: { name: metricsSecretName, key: "password" }, port: MONGO_METRICS_PORT } } : {}),
          users: r.users.map((u) => ({
            name: u.name,
            db: u.db,
            passwordSecretRef: { name: passwordSecretNames[u.name], key: "password" },
            roles: u.roles,
            scramCredentialsSecretName: `${rn}-${u.name}`,
            connectionStringSecretName: connectionStringSecretNames[u.name],
          })),
          statefulSet: {
            spec: {
              template: {
                metadata: { labels: mergeLabels(labels, podSelector) },
                spec: {
                  topologySpreadConstraints: zoneSpread(podSelector),
                  containers: [
                    { name: "mongod", resources: r.resources, securityContext: restrictedContainerSecurityContext(true) },
                    {
                      name: "mongodb-agent",
                      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                      securityContext: restrictedContainerSecurityContext(true),
                    },
                  ],
                },
              },
              volumeClaimTemplates: [
                {
                  metadata: { name: "data-volume" },
                  spec: { accessModes: ["ReadWriteOnce"], storageClassName: r.storage.storageClassName, resources: { requests: { storage: r.storage.dataSize } } },
                },
                {
                  metadata: { name: "logs-volume" },
                  spec: { accessModes: ["ReadWriteOnce"], storageClassName: r.storage.storageClassName, resources: { requests: { storage: r.storage.logsSize } } },
                },
              ],
            },
          },
        },
      },
      { ...stateful, dependsOn: [...passwordSecrets, ...tlsDeps] },
    );

    if (metricsSecretName) {
      // The operator adds a `prometheus` port to the `<name>-svc` Service when spec.prometheus is set.
      new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: meta(rn, r.metrics.labels),
          spec: {
            selector: { matchLabels: mongoPodSelector(rn) },
            namespaceSelector: { matchNames: [ns] },
            endpoints: [
              {
                port: "prometheus",
                interval: "30s",
                scheme: "http",
                basicAuth: { username: { name: metricsSecretName, key: "username" }, password: { name: metricsSecretName, key: "password" } },
              },
            ],
          },
        },
        { parent: this },
      );
    }

    if (r.podDisruptionBudget) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        { metadata: meta(rn), spec: { maxUnavailable: 1, selector: { matchLabels: podSelector } } },
        { parent: this },
      );
    }

    if (r.backup.enabled) {
      const b = r.backup;
      const backupLabels = mergeLabels(labels, mongoBackupPodSelector(rn));
      const sa = new k8s.core.v1.ServiceAccount(
        `${name}-backup-sa`,
        {
          // Workload Identity: pods using this KSA act as the GCP service account.
          metadata: { ...meta(`${rn}-backup`, mongoBackupPodSelector(rn)), annotations: { "iam.gke.io/gcp-service-account": b.gcpServiceAccountEmail } },
          automountServiceAccountToken: false,
        },
        { parent: this },
      );
      const tlsArgs = tlsSecretName ? " --ssl --sslCAFile=/etc/mongodb-tls/ca.crt" : "";
      new k8s.batch.v1.CronJob(
        `${name}-backup`,
        {
          metadata: {
            // The policy pack finds the backup of a data service by this label, and checks the
            // retention on the bucket's Delete lifecycle, where dumps are really deleted; the
            // annotation only tells a reader of the cluster how long dumps are kept.
            ...meta(`${rn}-backup`, { ...mongoBackupPodSelector(rn), [BACKUP_TARGET_LABEL]: rn }),
            annotations: { [BACKUP_RETENTION_ANNOTATION]: String(b.retentionDays) },
          },
          spec: {
            // docs/platforms/diaspomoney.md § Backup: "MongoDB - Backup quotidien"
            schedule: b.schedule,
            timeZone: b.timeZone,
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
              spec: {
                backoffLimit: 2,
                activeDeadlineSeconds: 4 * 3600,
                template: {
                  metadata: { labels: backupLabels },
                  spec: {
                    serviceAccountName: sa.metadata.name,
                    restartPolicy: "Never",
                    securityContext: restrictedPodSecurityContext(999),
                    // The dump is written to a scratch volume first, then uploaded: mongodump and
                    // gcloud live in different images.
                    initContainers: [
                      {
                        name: "mongodump",
                        image: b.dumpImage,
                        command: ["sh", "-c"],
                        args: [`mongodump --uri="$MONGODB_URI"${tlsArgs} --oplog --gzip --archive=/backup/dump.archive.gz`],
                        env: [
                          // The operator writes this Secret for the backup user; the URI embeds the password.
                          { name: "MONGODB_URI", valueFrom: { secretKeyRef: { name: connectionStringSecretNames["backup"], key: "connectionString.standard" } } },
                        ],
                        resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                        securityContext: restrictedContainerSecurityContext(true),
                        volumeMounts: [
                          { name: "backup", mountPath: "/backup" },
                          { name: "tmp", mountPath: "/tmp" },
                          ...(tlsSecretName ? [{ name: "mongodb-tls", mountPath: "/etc/mongodb-tls", readOnly: true }] : []),
                        ],
                      },
                    ],
                    containers: [
                      {
                        name: "upload",
                        image: b.uploadImage,
                        command: ["sh", "-c"],
                        // $$ escapes Kubernetes' $(VAR) expansion so that the shell runs date.
                        args: [`gcloud storage cp /backup/dump.archive.gz "gs://${b.bucket}/${b.prefix}/$$(date -u +%Y%m%dT%H%M%SZ).archive.gz"`],
                        env: [{ name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" }],
                        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                        securityContext: restrictedContainerSecurityContext(true),
                        volumeMounts: [
                          { name: "backup", mountPath: "/backup", readOnly: true },
                          { name: "tmp", mountPath: "/tmp" },
                        ],
                      },
                    ],
                    volumes: [
                      { name: "backup", emptyDir: { sizeLimit: r.storage.dataSize } },
                      { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                      ...(tlsSecretName ? [{ name: "mongodb-tls", secret: { secretName: tlsSecretName, items: [{ key: "ca.crt", path: "ca.crt" }] } }] : []),
                    ],
                  },
                },
              },
            },
          },
        },
        { parent: this },
      );
    }

    this.resourceName = pulumi.output(rn);
    this.serviceName = pulumi.output(`${rn}-svc`);
    this.passwordSecretNames = pulumi.output(passwordSecretNames);
    this.connectionStringSecretNames = pulumi.output(connectionStringSecretNames);
    this.tlsSecretName = pulumi.output(tlsSecretName);
    this.registerOutputs({
      resourceName: this.resourceName,
      serviceName: this.serviceName,
      passwordSecretNames: this.passwordSecretNames,
      connectionStringSecretNames: this.connectionStringSecretNames,
      tlsSecretName: this.tlsSecretName,
    });
  }
}

/**
 * RedisCluster: a sharded Redis cluster run by the OT-CONTAINER-KIT redis-operator
 * (RedisCluster, redis.redis.opstreelabs.in/v1beta2) with AOF persistence, a generated AUTH
 * password in a Kubernetes Secret, TLS from cert-manager, persistent volumes and PDBs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { privateCaIssuer, serverCertificate } from "../../common/private-ca";
import { ComponentArgsError, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { assertResources, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, type ResourceSpec } from "../common/pod-security";

export const REDIS_CLUSTER_TYPE = "platform:k8s:RedisCluster";

/** The client port and the cluster bus port (client port + 10000). */
export const REDIS_PORT = 6379;
export const REDIS_BUS_PORT = 16379;
/** The redis-exporter sidecar's metrics port. */
export const REDIS_EXPORTER_PORT = 9121;

export interface RedisClusterArgs extends CommonArgs {
  /** Namespace of the cluster (the env's `-infra` namespace). */
  namespace: string;
  /**
   * Shards (leaders). Redis Cluster needs at least 3 masters to reach a failover majority.
   * @default 3
   */
  leaders?: number;
  /**
   * Replicas (followers) in total, a multiple of `leaders` (0 = no replicas).
   * @default leaders (one replica per shard)
   */
  followers?: number;
  /**
   * Redis image (the operator's image, whose entrypoint the operator configures).
   * @default "quay.io/opstree/redis:v7.0.15"
   */
  image?: string;
  /**
   * redis-exporter sidecar image; Prometheus scrapes it on port 9121.
   * @default "quay.io/opstree/redis-exporter:v1.44.0"
   */
  exporterImage?: string;
  /**
   * Major version the operator configures for (`v7` enables hostname announcements).
   * @default "v7"
   */
  clusterVersion?: string;
  /**
   * Persistent volumes per pod (AOF data, and the cluster's nodes.conf).
   * @default { storageClassName: "premium-rwo", size: "5Gi", nodeConfSize: "1Gi" }
   */
  storage?: { storageClassName?: string; size?: string; nodeConfSize?: string };
  /**
   * Redis container resources.
   * @default { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } }
   */
  resources?: ResourceSpec;
  /**
   * AOF fsync policy (`appendonly yes` is always on: diaspomoney.md § Backup "Redis - Persistence AOF").
   * @default "everysec"
   */
  appendfsync?: "always" | "everysec";
  /**
   * Keys whose length the exporter reports as `redis_key_size{key=…}` (redis_exporter
   * `REDIS_EXPORTER_CHECK_SINGLE_KEYS`): a queue's list, for a queue-depth alert. Each node's exporter
   * reports the keys it holds.
   * @default [] (none)
   */
  exporterCheckKeys?: string[];
  /**
   * TLS on client, replication and bus traffic. Without `issuer`, the component creates a
   * self-signed root, a namespace CA Issuer and the server Certificate.
   * @default { enabled: true }
   */
  tls?: { enabled?: boolean; issuer?: { name: string; kind?: "Issuer" | "ClusterIssuer" } };
  /**
   * PodDisruptionBudgets (maxUnavailable 1) on leaders and followers, created by the operator.
   * @default true
   */
  podDisruptionBudget?: boolean;
  /**
   * Namespaces of the clients: each gets the AUTH password as a Secret named like the one the
   * cluster reads (`<resourceName>-auth`, key `password`), written from the same generated value,
   * because a pod reads Secrets only in its own namespace (see the README).
   * @default []
   */
  clientNamespaces?: string[];
  /**
   * Name of the RedisCluster resource (services `<resourceName>-leader`, `-follower`).
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedRedisClusterArgs {
  namespace: string;
  resourceName: string;
  leaders: number;
  followers: number;
  image: string;
  exporterImage: string;
  clusterVersion: string;
  storage: { storageClassName: string; size: string; nodeConfSize: string };
  resources: ResourceSpec;
  appendfsync: "always" | "everysec";
  exporterCheckKeys: string[];
  tls: { enabled: boolean; issuer?: { name: string; kind: "Issuer" | "ClusterIssuer" } };
  podDisruptionBudget: boolean;
  clientNamespaces: string[];
  deletionProtection: boolean;
  labels: Labels;
}

/** Applies RedisCluster defaults and rejects contradictory arguments. */
export function resolveRedisClusterArgs(name: string, args: RedisClusterArgs): ResolvedRedisClusterArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(REDIS_CLUSTER_TYPE, name, detail);
  };
  const leaders = args.leaders ?? 3;
  if (!Number.isInteger(leaders) || leaders < 3) fail(`leaders must be an integer ≥ 3 (Redis Cluster needs 3 masters for a failover majority), got ${leaders}`);
  const followers = args.followers ?? leaders;
  if (!Number.isInteger(followers) || followers < 0 || followers % leaders !== 0) {
    fail(`followers (${followers}) must be 0 or a multiple of leaders (${leaders}) so that every shard has the same number of replicas`);
  }
  const image = args.image ?? "quay.io/opstree/redis:v7.0.15";
  const exporterImage = args.exporterImage ?? "quay.io/opstree/redis-exporter:v1.44.0";
  assertPinnedImage(REDIS_CLUSTER_TYPE, name, "image", image);
  assertPinnedImage(REDIS_CLUSTER_TYPE, name, "exporterImage", exporterImage);
  const resources = args.resources ?? { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } };
  assertResources(REDIS_CLUSTER_TYPE, name, "resources", resources);
  const podDisruptionBudget = args.podDisruptionBudget ?? true;
  const clientNamespaces = [...new Set(args.clientNamespaces ?? [])];
  if (clientNamespaces.includes(args.namespace)) fail(`clientNamespaces includes the cluster's own namespace "${args.namespace}", which already holds the password Secret`);
  return {
    namespace: args.namespace,
    resourceName: args.resourceName ?? name,
    leaders,
    followers,
    image,
    exporterImage,
    clusterVersion: args.clusterVersion ?? "v7",
    storage: {
      storageClassName: args.storage?.storageClassName ?? "premium-rwo",
      size: args.storage?.size ?? "5Gi",
      nodeConfSize: args.storage?.nodeConfSize ?? "1Gi",
    },
    resources,
    appendfsync: args.appendfsync ?? "everysec",
    exporterCheckKeys: args.exporterCheckKeys ?? [],
    tls: { enabled: args.tls?.enabled ?? true, issuer: args.tls?.issuer ? { name: args.tls.issuer.name, kind: args.tls.issuer.kind ?? "Issuer" } : undefined },
    podDisruptionBudget,
    clientNamespaces,
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** The Service clients connect to (port 6379), which the operator names after the RedisCluster resource. */
export function redisLeaderService(resourceName: string): string {
  return `${resourceName}-leader`;
}

/** Selector of the cluster's pods: the operator labels them `app: <name>-leader|follower`. */
export function redisPodSelector(resourceName: string): { matchExpressions: { key: string; operator: "In"; values: string[] }[] } {
  return { matchExpressions: [{ key: "app", operator: "In", values: [`${resourceName}-leader`, `${resourceName}-follower`] }] };
}

/** The redis.conf fragment the operator includes (`redis-additional.conf` in the ConfigMap). */
export function redisAdditionalConfig(appendfsync: "always" | "everysec"): string {
  // docs/platforms/diaspomoney.md § Backup: "Redis - Persistence AOF"
  return ["appendonly yes", `appendfsync ${appendfsync}`, "aof-use-rdb-preamble yes", ""].join("\n");
}

export class RedisCluster extends pulumi.ComponentResource {
  public readonly resourceName: pulumi.Output<string>;
  /** Service clients connect to (`<resourceName>-leader`, port 6379). */
  public readonly leaderServiceName: pulumi.Output<string>;
  /** Secret (key `password`) holding the AUTH password. */
  public readonly passwordSecretName: pulumi.Output<string>;
  /** Secret with `ca.crt` clients verify the servers with (when TLS is on). */
  public readonly tlsSecretName: pulumi.Output<string | undefined>;

  constructor(name: string, args: RedisClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(REDIS_CLUSTER_TYPE, name, {}, opts);
    const r = resolveRedisClusterArgs(name, args);
    const rn = r.resourceName;
    const ns = r.namespace;
    const labels = standardLabels(rn, rn, "cache", r.labels);
    const meta = (objName: string) => ({ name: objName, namespace: ns, labels });
    const stateful = statefulChildOptions(this, r.deletionProtection);

    // Alphanumeric: the operator's entrypoint writes it unquoted into redis.conf.
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, stateful);
    const passwordSecretName = `${rn}-auth`;
    const secret = new k8s.core.v1.Secret(
      `${name}-password`,
      { metadata: meta(passwordSecretName), type: "Opaque", stringData: { password: password.result } },
      stateful,
    );

    // The same password, in each client namespace (one generated value, one rotation).
    for (const clientNs of r.clientNamespaces) {
      new k8s.core.v1.Secret(
        `${name}-password-${clientNs}`,
        { metadata: { name: passwordSecretName, namespace: clientNs, labels }, type: "Opaque", stringData: { password: password.result } },
        { parent: this },
      );
    }

    const configMapName = `${rn}-config`;
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: meta(configMapName), data: { "redis-additional.conf": redisAdditionalConfig(r.appendfsync) } },
      { parent: this },
    );

    let tlsSecretName: string | undefined;
    const tlsDeps: pulumi.Resource[] = [];
    if (r.tls.enabled) {
      let issuer = r.tls.issuer;
      // No issuer given: a private CA of the service's own signs its certificates.
      if (!issuer) issuer = privateCaIssuer(this, name, rn, meta);
      const dnsNames = ["leader", "follower"].flatMap((role) => [
        `${rn}-${role}.${ns}.svc`,
        `${rn}-${role}.${ns}.svc.cluster.local`,
        `*.${rn}-${role}-headless.${ns}.svc`,
        `*.${rn}-${role}-headless.${ns}.svc.cluster.local`,
      ]);
      const cert = serverCertificate(this, name, rn, meta, { commonName: `${redisLeaderService(rn)}.${ns}.svc`, dnsNames, issuer });
      tlsSecretName = cert.secretName;
      tlsDeps.push(cert.resource);
    }

    // The operator's entrypoint writes redis.conf into the image at start-up: the root filesystem
    // cannot be read-only (waiver recorded here, every other restricted control applies).
    const containerSecurityContext = restrictedContainerSecurityContext(false);
    const role = (roleName: "leader" | "follower", replicas: number) => ({
      replicas,
      securityContext: containerSecurityContext,
      pdb: r.podDisruptionBudget ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { app: `${rn}-${roleName}` } },
        },
      ],
    });

    new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      {
        apiVersion: "redis.redis.opstreelabs.in/v1beta2",
        kind: "RedisCluster",
        metadata: meta(rn),
        spec: {
          clusterSize: r.leaders,
          clusterVersion: r.clusterVersion,
          port: REDIS_PORT,
          // docs/platforms/diaspomoney.md § Backup: "Redis - Persistence AOF": the operator turns
          // on appendonly with persistence, and the ConfigMap states it explicitly.
          persistenceEnabled: true,
          redisConfig: { additionalRedisConfig: configMapName },
          kubernetesConfig: {
            image: r.image,
            imagePullPolicy: "IfNotPresent",
            resources: r.resources,
            redisSecret: { name: passwordSecretName, key: "password" },
            service: { serviceType: "ClusterIP" },
          },
          podSecurityContext: restrictedPodSecurityContext(1000),
          redisExporter: {
            enabled: true,
            image: r.exporterImage,
            imagePullPolicy: "IfNotPresent",
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            securityContext: restrictedContainerSecurityContext(true),
            ...(r.exporterCheckKeys.length > 0 ? { env: [{ name: "REDIS_EXPORTER_CHECK_SINGLE_KEYS", value: r.exporterCheckKeys.join(",") }] } : {}),
          },
          redisLeader: role("leader", r.leaders),
          redisFollower: role("follower", r.followers),
          storage: {
            volumeClaimTemplate: {
              spec: { accessModes: ["ReadWriteOnce"], storageClassName: r.storage.storageClassName, resources: { requests: { storage: r.storage.size } } },
            },
            // Cluster mode: nodes.conf must survive restarts or a pod rejoins as a stranger.
            nodeConfVolume: true,
            nodeConfVolumeClaimTemplate: {
              spec: { accessModes: ["ReadWriteOnce"], storageClassName: r.storage.storageClassName, resources: { requests: { storage: r.storage.nodeConfSize } } },
            },
          },
          ...(tlsSecretName ? { TLS: { ca: "ca.crt", cert: "tls.crt", key: "tls.key", secret: { secretName: tlsSecretName } } } : {}),
        },
      },
      { ...stateful, dependsOn: [secret, config, ...tlsDeps] },
    );

    this.resourceName = pulumi.output(rn);
    this.leaderServiceName = pulumi.output(redisLeaderService(rn));
    this.passwordSecretName = pulumi.output(passwordSecretName);
    this.tlsSecretName = pulumi.output(tlsSecretName);
    this.registerOutputs({
      resourceName: this.resourceName,
      leaderServiceName: this.leaderServiceName,
      passwordSecretName: this.passwordSecretName,
      tlsSecretName: this.tlsSecretName,
    });
  }
}


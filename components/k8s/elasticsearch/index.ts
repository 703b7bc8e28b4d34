/**
 * ElasticsearchCluster: an Elasticsearch cluster run by ECK (elasticsearch.k8s.elastic.co/v1,
 * CRDs vendored from ECK 3.5.0): one node set of master+data+ingest nodes on persistent disks, HTTPS
 * only, an application user of ECK's file realm limited by a role to the indices the application
 * searches, and that user's credentials written to each client namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { stringify } from "yaml";
import { ComponentArgsError, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { serverCertificate } from "../../common/private-ca";
import { imagePin } from "../../../model/images";
import { assertResources, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, zoneSpread, type ResourceSpec } from "../common/pod-security";

export const ELASTICSEARCH_CLUSTER_TYPE = "platform:k8s:ElasticsearchCluster";

/** The HTTPS port of the `<name>-es-http` Service (ECK's fixed HTTP port). */
export const ELASTICSEARCH_HTTP_PORT = 9200;
/** The transport port Elasticsearch nodes talk to each other on (and ECK's operator never uses). */
export const ELASTICSEARCH_TRANSPORT_PORT = 9300;
/** The pod label ECK puts on every node of a cluster. */
export const ELASTICSEARCH_CLUSTER_LABEL = "elasticsearch.k8s.elastic.co/cluster-name";

/**
 * Elasticsearch 9.4.3: the version ECK 3.5.0's own sample runs (config/samples/elasticsearch at
 * v3.5.0), in the 9.x line ECK 3.x supports (`SupportedVersions`: 9.x from 8.18.0 upgrades). 9.x,
 * not 8.19: a new cluster has no data to carry over, so it starts on the current major.
 */
export const DEFAULT_ELASTICSEARCH_VERSION = "9.4.3";

/**
 * The node set's name; ECK names the StatefulSet `<name>-es-default` and the pods
 * `<name>-es-default-<n>`.
 */
const NODE_SET = "default";

/**
 * ECK mounts the data directory from the claim of this exact name; another name would leave the
 * data in an emptyDir and make ECK turn the read-only root filesystem off.
 */
const DATA_CLAIM = "elasticsearch-data";

/** The uid/gid the Elasticsearch image (≥ 8.0) runs as; ECK's own default fsGroup is 1000 too. */
const ELASTICSEARCH_UID = 1000;

/** The application's user in ECK's file realm. */
export interface ElasticsearchAppUserArgs {
  /**
   * User name (file realm); also names its role `<name>-indices`.
   * @default "app"
   */
  name?: string;
  /**
   * Index names (or aliases) the user may use; each is granted as `<index>` and `<index>-*`, so a
   * versioned index behind an alias (`products-v2` behind `products`) is covered while any other
   * index is not. shareyoursales.md § Architecture Base de Données: "Products, Influencers,
   * Merchants Search".
   * @default ["products", "influencers", "merchants"]
   */
  indices?: string[];
  /**
   * Index privileges on those indices. `manage` covers mapping updates and alias swaps on a
   * reindex, limited to these names.
   * @default ["read", "write", "create_index", "view_index_metadata", "manage"]
   */
  privileges?: string[];
  /**
   * Namespaces of the user's clients: each gets a Secret `<resourceName>-<user>-credentials` with
   * `username`, `password` and `url` (a pod reads Secrets only in its own namespace). Requires
   * `tls.issuer` to be a ClusterIssuer, whose CA the clients trust (see README).
   * @default []
   */
  clientNamespaces?: string[];
}

export interface ElasticsearchClusterArgs extends CommonArgs {
  /** Namespace of the cluster (the env's `-infra` / data namespace). */
  namespace: string;
  /**
   * Elasticsearch nodes (each master-eligible, data and ingest). 1 in dev/rct, 3 in prod (our
   * choice: shareyoursales.md gives no figure; 3 is the smallest set that survives a node loss, and
   * the policy pack asks prod data services for 3). 2 is refused: two master-eligible nodes
   * survive the loss of neither.
   */
  nodeCount: number;
  /**
   * Elasticsearch version, pinned so that an ECK upgrade never upgrades the cluster by itself.
   * @default "9.4.3" (DEFAULT_ELASTICSEARCH_VERSION)
   */
  version?: string;
  /**
   * Container image; its tag, when it has one, must equal `version`.
   * @default "docker.elastic.co/elasticsearch/elasticsearch:<version>"
   */
  image?: string;
  /**
   * The `elasticsearch-data` claim of each node.
   * @default { size: "20Gi", storageClassName: "premium-rwo" }
   */
  storage?: { size?: string; storageClassName?: string };
  /**
   * Resources of the Elasticsearch container. No ES_JAVA_OPTS: Elasticsearch ≥ 7.11 sizes its heap
   * from the container's memory limit (half of it for a master+data node), so the limit is the knob.
   * @default { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } }
   */
  resources?: ResourceSpec;
  /**
   * HTTP certificate. Without `issuer`, ECK's self-signed CA signs it (clients in the cluster's
   * namespace only can trust `<resourceName>-es-http-certs-public`); with `issuer` (the env's
   * PrivateClusterCa), cert-manager signs it and ECK serves it via `http.tls.certificate`, so that
   * clients in other namespaces trust that CA's public certificate, which they already receive.
   * @default {}
   */
  tls?: { issuer?: { name: string; kind?: "Issuer" | "ClusterIssuer" } };
  /**
   * The application's user.
   * @default { name: "app", indices: ["products", "influencers", "merchants"], clientNamespaces: [] }
   */
  appUser?: ElasticsearchAppUserArgs;
  /**
   * ECK's `updateStrategy.changeBudget.maxUnavailable`: nodes a rolling change may take down at
   * once. Must keep a majority of master-eligible nodes up (1 for a 1- to 4-node cluster).
   * @default 1
   */
  maxUnavailable?: number;
  /**
   * Name of the Elasticsearch resource (Service `<resourceName>-es-http`).
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedElasticsearchClusterArgs {
  namespace: string;
  resourceName: string;
  nodeCount: number;
  version: string;
  image: string;
  storage: { size: string; storageClassName: string };
  resources: ResourceSpec;
  tls: { issuer?: { name: string; kind: "Issuer" | "ClusterIssuer" } };
  appUser: Required<ElasticsearchAppUserArgs>;
  maxUnavailable: number;
  deletionProtection: boolean;
  labels: Labels;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Index names: lowercase, no wildcard, not starting with `_`, `-` or `+` (Elasticsearch's rules). */
const INDEX_NAME = /^[a-z0-9][a-z0-9._-]*$/;
/** Index privileges Elasticsearch 9 defines. */
const INDEX_PRIVILEGES = new Set([
  "all", "auto_configure", "create", "create_doc", "create_index", "cross_cluster_replication", "cross_cluster_replication_internal",
  "delete", "delete_index", "index", "maintenance", "manage", "manage_data_stream_lifecycle", "manage_failure_store", "manage_follow_index",
  "manage_ilm", "manage_leader_index", "monitor", "read", "read_cross_cluster", "read_failure_store", "view_index_metadata", "write",
]);

/** Applies ElasticsearchCluster defaults and rejects unsafe or contradictory arguments. */
export function resolveElasticsearchClusterArgs(name: string, args: ElasticsearchClusterArgs): ResolvedElasticsearchClusterArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(ELASTICSEARCH_CLUSTER_TYPE, name, detail);
  };
  const resourceName = args.resourceName ?? name;
  // ECK derives `<name>-es-<nodeset>-<n>` pod names and `<name>-es-http-certs-public`: keep room.
  if (!DNS_LABEL.test(resourceName) || resourceName.length > 36) fail(`resourceName "${resourceName}" must be a DNS label of at most 36 characters (ECK appends "-es-http-certs-public")`);
  const n = args.nodeCount;
  if (!Number.isInteger(n) || n < 1) fail(`nodeCount must be a positive integer, got ${n}`);
  if (n === 2) fail("nodeCount 2 is refused: two master-eligible nodes lose quorum when either stops; expected 1 (dev/rct) or 3 or more (prod)");
  const version = args.version ?? DEFAULT_ELASTICSEARCH_VERSION;
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!v) fail(`version "${version}" must be a full x.y.z Elasticsearch version`);
  const [major, minor] = [Number(v![1]), Number(v![2])];
  // 8.8: first images ECK runs as non-root with a read-only root filesystem (securitycontext.go).
  if (major > 9 || major < 8 || (major === 8 && minor < 8)) fail(`version "${version}" must be 8.8.0 or later within 8.x/9.x (ECK 3.5 runs 9.x; non-root and read-only root filesystem need 8.8+)`);
  const image = args.image ?? `docker.elastic.co/elasticsearch/elasticsearch:${version}`;
  assertPinnedImage(ELASTICSEARCH_CLUSTER_TYPE, name, "image", image);
  const tag = imagePin(image).tag;
  if (tag !== undefined && tag !== version) fail(`image tag "${tag}" differs from version "${version}": ECK configures the cluster for spec.version, so both must name the same release`);
  const resources = args.resources ?? { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } };
  assertResources(ELASTICSEARCH_CLUSTER_TYPE, name, "resources", resources);
  const maxUnavailable = args.maxUnavailable ?? 1;
  const majoritySafe = Math.max(1, Math.floor((n - 1) / 2));
  if (!Number.isInteger(maxUnavailable) || maxUnavailable < 1 || maxUnavailable > majoritySafe) {
    fail(`maxUnavailable must be an integer from 1 to ${majoritySafe} for ${n} node(s) (0 stalls every rolling change; more takes down a majority of master-eligible nodes), got ${maxUnavailable}`);
  }
  const issuer = args.tls?.issuer ? { name: args.tls.issuer.name, kind: args.tls.issuer.kind ?? "Issuer" } : undefined;

  const userName = args.appUser?.name ?? "app";
  if (!DNS_LABEL.test(userName)) fail(`appUser.name "${userName}" must be a DNS label (it names Secrets)`);
  if (userName === "elastic" || userName.startsWith("elastic-internal")) fail(`appUser.name "${userName}" is reserved by ECK`);
  const indices = [...new Set(args.appUser?.indices ?? ["products", "influencers", "merchants"])];
  if (indices.length === 0) fail("appUser.indices is empty: the role would grant nothing");
  for (const i of indices) if (!INDEX_NAME.test(i)) fail(`appUser.indices "${i}" is not a literal index name (lowercase, no wildcard; "<index>-*" is added for versioned indices)`);
  const privileges = [...new Set(args.appUser?.privileges ?? ["read", "write", "create_index", "view_index_metadata", "manage"])];
  for (const p of privileges) {
    if (p === "all") fail('appUser.privileges "all" is refused: the application gets only the privileges it names');
    if (!INDEX_PRIVILEGES.has(p)) fail(`appUser.privileges "${p}" is not an Elasticsearch index privilege`);
  }
  const clientNamespaces = [...new Set(args.appUser?.clientNamespaces ?? [])];
  if (clientNamespaces.includes(args.namespace)) fail(`appUser.clientNamespaces includes the cluster's own namespace "${args.namespace}"`);
  if (clientNamespaces.length > 0 && issuer?.kind !== "ClusterIssuer") {
    fail(
      `appUser.clientNamespaces needs tls.issuer of kind ClusterIssuer, got ${issuer ? `kind ${issuer.kind}` : "no issuer"}: ` +
        `ECK's self-signed CA (${resourceName}-es-http-certs-public) lives only in "${args.namespace}", where clients in other namespaces cannot read it`,
    );
  }

  return {
    namespace: args.namespace,
    resourceName,
    nodeCount: n,
    version,
    image,
    storage: { size: args.storage?.size ?? "20Gi", storageClassName: args.storage?.storageClassName ?? "premium-rwo" },
    resources,
    tls: issuer ? { issuer } : {},
    appUser: { name: userName, indices, privileges, clientNamespaces },
    maxUnavailable,
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** Labels ECK puts on every Elasticsearch pod of a cluster (for NetworkFlows and PDB-like selectors). */
export function elasticsearchPodSelector(resourceName: string): Labels {
  return { [ELASTICSEARCH_CLUSTER_LABEL]: resourceName };
}

/** Index names a role grants for `indices`: each name and its versioned `<name>-*` indices. */
export function appIndexPatterns(indices: string[]): string[] {
  return indices.flatMap((i) => [i, `${i}-*`]);
}

/**
 * The `roles.yml` ECK merges into the cluster's file roles: the app role, with `monitor` on the
 * cluster (the client's version/health check, no data) and `privileges` on the app's indices only.
 */
export function appRolesYaml(roleName: string, indices: string[], privileges: string[]): string {
  return stringify({ [roleName]: { cluster: ["monitor"], indices: [{ names: appIndexPatterns(indices), privileges }] } });
}

export class ElasticsearchCluster extends pulumi.ComponentResource {
  public readonly resourceName: pulumi.Output<string>;
  /** The HTTPS Service ECK creates: `<resourceName>-es-http`, in the cluster's namespace. */
  public readonly httpServiceName: pulumi.Output<string>;
  /** 9200. */
  public readonly httpPort: pulumi.Output<number>;
  /** `https://<resourceName>-es-http.<namespace>.svc:9200`. */
  public readonly url: pulumi.Output<string>;
  /** Pod labels of the cluster's nodes (`elasticsearch.k8s.elastic.co/cluster-name`). */
  public readonly podSelector: Labels;
  /**
   * `<resourceName>-es-http-certs-public` (`ca.crt`, `tls.crt`): ECK writes it in the cluster's
   * namespace only. Clients elsewhere trust the `tls.issuer` CA instead (README § Clients).
   */
  public readonly caSecretName: pulumi.Output<string>;
  /** The app user's name in the file realm. */
  public readonly appUserName: pulumi.Output<string>;
  /** In each `appUser.clientNamespaces`: the Secret with `username`, `password`, `url`. */
  public readonly appUserSecretName: pulumi.Output<string>;

  constructor(name: string, args: ElasticsearchClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ELASTICSEARCH_CLUSTER_TYPE, name, {}, opts);
    const r = resolveElasticsearchClusterArgs(name, args);
    const rn = r.resourceName;
    const ns = r.namespace;
    const labels = standardLabels("elasticsearch", rn, "search", r.labels);
    const httpService = `${rn}-es-http`;
    const url = `https://${httpService}.${ns}.svc:${ELASTICSEARCH_HTTP_PORT}`;
    const deps: pulumi.Resource[] = [];

    let httpCert: { secretName: string; resource: k8s.apiextensions.CustomResource } | undefined;
    if (r.tls.issuer) {
      httpCert = serverCertificate(this, name, rn, (o) => ({ name: o, namespace: ns, labels }), {
        commonName: `${httpService}.${ns}.svc`,
        dnsNames: [httpService, `${httpService}.${ns}`, `${httpService}.${ns}.svc`, `${httpService}.${ns}.svc.cluster.local`],
        issuer: r.tls.issuer,
        // PKCS #8 is the one key encoding every Elasticsearch PEM reader accepts.
        privateKeyEncoding: "PKCS8",
      });
      deps.push(httpCert.resource);
    }

    // The password is ours, not ECK's: the same value must reach the file realm and the clients.
    const u = r.appUser;
    const roleName = `${u.name}-indices`;
    const password = new random.RandomPassword(`${name}-app-user-password`, { length: 32, special: false }, { parent: this });
    const fileRealmSecret = `${rn}-${u.name}-filerealm`;
    const rolesSecret = `${rn}-${u.name}-roles`;
    deps.push(
      new k8s.core.v1.Secret(
        `${name}-app-user`,
        {
          metadata: { name: fileRealmSecret, namespace: ns, labels },
          // ECK reads `username`, `password` and the comma-separated `roles` of a basic-auth Secret.
          type: "kubernetes.io/basic-auth",
          stringData: { username: u.name, password: password.result, roles: roleName },
        },
        { parent: this },
      ),
      new k8s.core.v1.Secret(
        `${name}-app-role`,
        {
          metadata: { name: rolesSecret, namespace: ns, labels },
          type: "Opaque",
          stringData: { "roles.yml": appRolesYaml(roleName, u.indices, u.privileges) },
        },
        { parent: this },
      ),
    );

    const selector = elasticsearchPodSelector(rn);
    // The image's own identity, uid 1000 with primary group 0 (what ECK runs by default): runAsGroup
    // stays unset so files the image grants to group 0 stay readable; fsGroup makes the claim writable.
    const { runAsGroup: _imageKeepsGroup0, ...podSecurityContext } = restrictedPodSecurityContext(ELASTICSEARCH_UID);
    const elasticsearch = new k8s.apiextensions.CustomResource(
      `${name}-elasticsearch`,
      {
        apiVersion: "elasticsearch.k8s.elastic.co/v1",
        kind: "Elasticsearch",
        metadata: { name: rn, namespace: ns, labels },
        spec: {
          version: r.version,
          image: r.image,
          http: {
            tls: httpCert
              ? { certificate: { secretName: httpCert.secretName } }
              : // Explicit: ECK's self-signed certificate stays on, HTTP is never served in clear.
                { selfSignedCertificate: { disabled: false } },
          },
          auth: { fileRealm: [{ secretName: fileRealmSecret }], roles: [{ secretName: rolesSecret }] },
          updateStrategy: { changeBudget: { maxUnavailable: r.maxUnavailable } },
          // Protected clusters keep their disks when the resource is deleted; a scale-down still frees them.
          volumeClaimDeletePolicy: r.deletionProtection ? "DeleteOnScaledownOnly" : "DeleteOnScaledownAndClusterDeletion",
          nodeSets: [
            {
              name: NODE_SET,
              count: r.nodeCount,
              config: {
                "node.roles": ["master", "data", "ingest"],
                // Without mmap Elasticsearch needs no vm.max_map_count sysctl, hence no privileged
                // init container, so the pod passes Pod Security "restricted"; niofs costs some
                // search speed, negligible at the catalogue sizes shareyoursales.md describes.
                "node.store.allow_mmap": false,
              },
              volumeClaimTemplates: [
                {
                  metadata: { name: DATA_CLAIM },
                  spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: r.storage.storageClassName,
                    resources: { requests: { storage: r.storage.size } },
                  },
                },
              ],
              podTemplate: {
                metadata: { labels },
                spec: {
                  // Elasticsearch never calls the Kubernetes API (ECK's default too; stated for the policy pack).
                  automountServiceAccountToken: false,
                  // Replaces ECK's default pod context (fsGroup 1000, RuntimeDefault) with the restricted one.
                  securityContext: podSecurityContext,
                  topologySpreadConstraints: zoneSpread(selector),
                  containers: [
                    {
                      name: "elasticsearch",
                      resources: r.resources,
                      // ECK's init containers keep ECK's defaults (no escalation, ALL dropped, non-root, read-only root).
                      securityContext: { ...restrictedContainerSecurityContext(true), privileged: false },
                    },
                  ],
                },
              },
            },
          ],
        },
      },
      statefulChildOptions(this, r.deletionProtection, { dependsOn: deps }),
    );

    const clientSecretName = `${rn}-${u.name}-credentials`;
    for (const clientNs of u.clientNamespaces) {
      new k8s.core.v1.Secret(
        `${name}-app-user-${clientNs}`,
        {
          metadata: { name: clientSecretName, namespace: clientNs, labels },
          type: "Opaque",
          stringData: { username: u.name, password: password.result, url },
        },
        { parent: this, dependsOn: [elasticsearch] },
      );
    }

    this.resourceName = pulumi.output(rn);
    this.httpServiceName = pulumi.output(httpService);
    this.httpPort = pulumi.output(ELASTICSEARCH_HTTP_PORT);
    this.url = pulumi.output(url);
    this.podSelector = selector;
    this.caSecretName = pulumi.output(`${httpService}-certs-public`);
    this.appUserName = pulumi.output(u.name);
    this.appUserSecretName = pulumi.output(clientSecretName);
    this.registerOutputs({
      resourceName: this.resourceName,
      httpServiceName: this.httpServiceName,
      httpPort: this.httpPort,
      url: this.url,
      podSelector: this.podSelector,
      caSecretName: this.caSecretName,
      appUserName: this.appUserName,
      appUserSecretName: this.appUserSecretName,
    });
  }
}

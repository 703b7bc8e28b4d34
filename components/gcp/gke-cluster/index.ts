/**
 * A GKE Standard cluster hardened by default: private nodes, a control plane reachable only from
 * authorized networks (private endpoint by default), Workload Identity, Dataplane V2 (network
 * policies enforced by eBPF), shielded nodes with secure boot, Secrets encrypted with a customer
 * KMS key, a release channel, and autoscaled node pools running as a dedicated service account.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";
import { serviceAgentMember } from "../../common/service-agents";
import { kubernetesProvider } from "./provider";

export { kubernetesProvider, kubernetesProviderFromConfig } from "./provider";

export const GKE_CLUSTER_TYPE = "platform:gcp:GkeCluster";

export interface GkeNodePoolArgs {
  /** @default "e2-standard-4" */
  machineType?: string;
  /** Autoscaling lower bound, per zone; a GPU pool scales from zero so an idle GPU costs nothing. @default 1, 0 with an `accelerator` */
  minNodesPerZone?: number;
  /** Autoscaling upper bound, per zone. @default 3 */
  maxNodesPerZone?: number;
  /** @default 100 */
  diskSizeGb?: number;
  /** @default "pd-balanced" */
  diskType?: string;
  /** Spot VMs: cheaper, preemptible; never for the only pool of a stateful platform. @default false */
  spot?: boolean;
  /** Kubernetes node labels. @default {} */
  nodeLabels?: Record<string, string>;
  /** Taints (effect NO_SCHEDULE, PREFER_NO_SCHEDULE or NO_EXECUTE). @default [] */
  taints?: { key: string; value: string; effect: "NO_SCHEDULE" | "PREFER_NO_SCHEDULE" | "NO_EXECUTE" }[];
  /**
   * GPUs on every node of the pool (a GPU pool). Its machine type must be of the family the GPU
   * attaches to (`g2-standard-*` for `nvidia-l4`). GKE installs the driver, and taints the nodes
   * `nvidia.com/gpu=present:NoSchedule` itself because the pool is created after the cluster's
   * non-GPU pools: only pods requesting `nvidia.com/gpu` land there.
   * @default undefined (no GPU)
   */
  accelerator?: GkeAcceleratorArgs;
  /**
   * Zones of this pool, in the cluster's region: a GPU type is offered in some zones only.
   * @default the cluster's `zones`
   */
  zones?: string[];
}

export interface GkeAcceleratorArgs {
  /** Compute Engine accelerator type: `nvidia-l4`, `nvidia-tesla-t4`, `nvidia-tesla-a100`, `nvidia-a100-80gb`, `nvidia-h100-80gb`. */
  type: string;
  /** GPUs per node; for the accelerator-optimized families (g2, a2, a3) the machine type fixes it. */
  count: number;
  /** Driver GKE installs on the nodes: the version tied to the node's GKE version, or the newest. @default "DEFAULT" */
  gpuDriverVersion?: "DEFAULT" | "LATEST";
}

export interface GkeClusterArgs extends CommonArgs {
  /** GCP project id. */
  project: string;
  /** GCP project number: the GKE service agent that must use the KMS key is named after it. */
  projectNumber: string;
  /** Region of the (regional) cluster. */
  region: string;
  /** Zones of the nodes, in `region`. @default GKE's choice of three zones of the region */
  zones?: string[];
  /** VPC network (self link or id). */
  network: pulumi.Input<string>;
  /** Subnetwork (self link or id) holding the secondary ranges below. */
  subnetwork: pulumi.Input<string>;
  /** Name of the subnetwork's secondary range for Pods (VPC-native). */
  podsRangeName: string;
  /** Name of the subnetwork's secondary range for Services. */
  servicesRangeName: string;
  /** /28 for the control plane's private endpoint, unused elsewhere in the VPC. @default "172.16.0.0/28" */
  masterIpv4CidrBlock?: string;
  /**
   * Only a private endpoint for the control plane (reach it through the VPC: a bastion, a VPN,
   * Cloud Build private pools). When false, the public endpoint is limited to
   * `masterAuthorizedNetworks`, which must be given and must not contain 0.0.0.0/0.
   * @default true
   */
  privateEndpoint?: boolean;
  /** CIDRs allowed to reach the control plane. @default [] */
  masterAuthorizedNetworks?: { cidr: string; name: string }[];
  /**
   * Also serve the control plane on its DNS-based endpoint, where every request is authorised by
   * IAM (container.clusters.connect) rather than by source IP. This is how a deployer outside the
   * VPC (CI through Workload Identity Federation, an engineer's laptop) reaches a cluster whose IP
   * endpoint stays private; the kubeconfig then points at it. Off: only the private IP endpoint,
   * reachable from inside the VPC.
   * @default true
   */
  dnsEndpoint?: boolean;
  /** Cloud KMS key (`projects/.../cryptoKeys/...`, same region) encrypting Kubernetes Secrets in etcd. */
  databaseEncryptionKeyId: pulumi.Input<string>;
  /** @default "REGULAR" */
  releaseChannel?: "RAPID" | "REGULAR" | "STABLE";
  /** Node pools, keyed by role (`${name}-pool-<role>`). @default { general: {} } */
  nodePools?: Record<string, GkeNodePoolArgs>;
  /**
   * Node service account email. When not given, a dedicated one is created with the minimum roles
   * nodes need (never the Compute Engine default account, which is Editor).
   * @default a new `${name}-nodes` service account
   */
  nodeServiceAccountEmail?: pulumi.Input<string>;
  /** Start of the daily maintenance window (UTC, HH:MM). @default "03:00" */
  maintenanceStartTime?: string;
  /** Cluster name in GCP. @default the component name */
  clusterName?: string;
  /**
   * GKE's Vertical Pod Autoscaling: lets VerticalPodAutoscaler objects compute request
   * recommendations from observed usage (right-sizing requests, quotas and node pools); the HPA
   * keeps owning replica scaling on CPU, so VPA objects should run in recommendation mode
   * (`updateMode: "Off"`) for workloads an HPA scales.
   * @default true
   */
  verticalPodAutoscaling?: boolean;
}

export interface ResolvedGkeNodePool {
  machineType: string;
  minNodesPerZone: number;
  maxNodesPerZone: number;
  diskSizeGb: number;
  diskType: string;
  spot: boolean;
  nodeLabels: Record<string, string>;
  taints: { key: string; value: string; effect: string }[];
  accelerator?: { type: string; count: number; gpuDriverVersion: "DEFAULT" | "LATEST" };
  zones?: string[];
}

export interface ResolvedGkeClusterArgs {
  clusterName: string;
  project: string;
  projectNumber: string;
  region: string;
  zones?: string[];
  podsRangeName: string;
  servicesRangeName: string;
  masterIpv4CidrBlock: string;
  privateEndpoint: boolean;
  dnsEndpoint: boolean;
  masterAuthorizedNetworks: { cidr: string; name: string }[];
  releaseChannel: string;
  nodePools: Record<string, ResolvedGkeNodePool>;
  createNodeServiceAccount: boolean;
  maintenanceStartTime: string;
  verticalPodAutoscaling: boolean;
  deletionProtection: boolean;
  labels: Labels;
}

/** Roles a node needs to ship logs and metrics and pull images; what Google recommends instead of Editor. */
export const NODE_SERVICE_ACCOUNT_ROLES = [
  "roles/container.defaultNodeServiceAccount",
  "roles/artifactregistry.reader",
] as const;

/**
 * The machine types each GPU type attaches to, and how many GPUs each shape carries (Compute
 * Engine's GPU platforms): the accelerator-optimized families fix the count per shape, N1 takes 1,
 * 2 or 4 (8 for V100).
 */
export const GPU_MACHINE_TYPES: Record<string, { family: string; pattern: RegExp; counts: (machineType: string) => number[] }> = {
  "nvidia-l4": { family: "g2-standard-*", pattern: /^g2-standard-\d+$/, counts: (m) => [({ 24: 2, 48: 4, 96: 8 } as Record<string, number>)[m.split("-")[2]] ?? 1] },
  "nvidia-tesla-t4": { family: "n1-*", pattern: /^n1-(standard|highmem|highcpu)-\d+$/, counts: () => [1, 2, 4] },
  "nvidia-tesla-v100": { family: "n1-*", pattern: /^n1-(standard|highmem|highcpu)-\d+$/, counts: () => [1, 2, 4, 8] },
  "nvidia-tesla-a100": { family: "a2-highgpu-*g, a2-megagpu-16g", pattern: /^a2-(highgpu|megagpu)-\d+g$/, counts: (m) => [Number(/(\d+)g$/.exec(m)![1])] },
  "nvidia-a100-80gb": { family: "a2-ultragpu-*g", pattern: /^a2-ultragpu-\d+g$/, counts: (m) => [Number(/(\d+)g$/.exec(m)![1])] },
  "nvidia-h100-80gb": { family: "a3-highgpu-*g", pattern: /^a3-highgpu-\d+g$/, counts: (m) => [Number(/(\d+)g$/.exec(m)![1])] },
};

/** Machine families that always carry GPUs: without `accelerator` GKE would install no driver on them. */
const GPU_ONLY_FAMILIES = /^(g2|a2|a3|a4|g4)-/;

/** The taint GKE puts on GPU nodes (and the toleration it adds to pods requesting `nvidia.com/gpu`). */
export const GKE_GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" } as const;

export function resolveGkeClusterArgs(name: string, args: GkeClusterArgs): ResolvedGkeClusterArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(GKE_CLUSTER_TYPE, name, detail);
  };
  const privateEndpoint = args.privateEndpoint ?? true;
  const networks = args.masterAuthorizedNetworks ?? [];
  for (const n of networks) {
    if (/^0\.0\.0\.0\/0$|^::\/0$/.test(n.cidr)) fail(`masterAuthorizedNetworks "${n.name}" opens the control plane to the whole internet (${n.cidr})`);
  }
  if (!privateEndpoint && networks.length === 0) {
    fail("privateEndpoint is false but masterAuthorizedNetworks is empty: the public control-plane endpoint would be reachable from any address");
  }
  const masterIpv4CidrBlock = args.masterIpv4CidrBlock ?? "172.16.0.0/28";
  if (!/\/28$/.test(masterIpv4CidrBlock)) fail(`masterIpv4CidrBlock ${masterIpv4CidrBlock} must be a /28`);
  if (args.zones) {
    for (const z of args.zones) if (!z.startsWith(`${args.region}-`)) fail(`zone ${z} is not in region ${args.region}`);
  }
  if (!/^\d+$/.test(args.projectNumber)) fail(`projectNumber "${args.projectNumber}" must be the numeric project number`);
  const poolArgs = args.nodePools ?? { general: {} };
  if (Object.keys(poolArgs).length === 0) fail("nodePools is empty: the default node pool is removed, the cluster would have no nodes");
  const nodePools: Record<string, ResolvedGkeNodePool> = {};
  for (const [role, p] of Object.entries(poolArgs)) {
    const pool: ResolvedGkeNodePool = {
      machineType: p.machineType ?? "e2-standard-4",
      minNodesPerZone: p.minNodesPerZone ?? (p.accelerator ? 0 : 1),
      maxNodesPerZone: p.maxNodesPerZone ?? 3,
      diskSizeGb: p.diskSizeGb ?? 100,
      diskType: p.diskType ?? "pd-balanced",
      spot: p.spot ?? false,
      nodeLabels: p.nodeLabels ?? {},
      taints: p.taints ?? [],
      ...(p.accelerator ? { accelerator: { type: p.accelerator.type, count: p.accelerator.count, gpuDriverVersion: p.accelerator.gpuDriverVersion ?? "DEFAULT" } } : {}),
      ...(p.zones ? { zones: p.zones } : {}),
    };
    for (const z of pool.zones ?? []) if (!z.startsWith(`${args.region}-`)) fail(`nodePools.${role}: zone ${z} is not in region ${args.region}`);
    if (pool.zones?.length === 0) fail(`nodePools.${role}: zones is empty; omit it to use the cluster's zones`);
    if (pool.taints.some((t) => t.key === GKE_GPU_TAINT.key)) {
      fail(`nodePools.${role}: taint ${GKE_GPU_TAINT.key} is GKE's own on GPU nodes (it adds it, and the matching toleration to pods requesting GPUs); expected no such taint in args`);
    }
    const acc = pool.accelerator;
    if (acc) {
      const gpu = GPU_MACHINE_TYPES[acc.type];
      if (!gpu) fail(`nodePools.${role}: accelerator type "${acc.type}" is not one of ${Object.keys(GPU_MACHINE_TYPES).join(", ")}`);
      if (!gpu.pattern.test(pool.machineType)) {
        fail(`nodePools.${role}: accelerator ${acc.type} attaches to ${gpu.family} machine types, got machineType ${pool.machineType}`);
      }
      const counts = gpu.counts(pool.machineType);
      if (!Number.isInteger(acc.count) || !counts.includes(acc.count)) {
        fail(`nodePools.${role}: ${pool.machineType} carries ${counts.join(" or ")} ${acc.type} per node, got accelerator.count ${acc.count}`);
      }
    } else if (GPU_ONLY_FAMILIES.test(pool.machineType)) {
      fail(`nodePools.${role}: machineType ${pool.machineType} carries GPUs, expected an accelerator (type, count) so that GKE installs their driver; got none`);
    }
    if (pool.minNodesPerZone < 0 || pool.maxNodesPerZone < Math.max(1, pool.minNodesPerZone)) {
      fail(`nodePools.${role}: maxNodesPerZone (${pool.maxNodesPerZone}) must be ≥ minNodesPerZone (${pool.minNodesPerZone}) and ≥ 1`);
    }
    nodePools[role] = pool;
  }
  const cpuPools = Object.values(nodePools).filter((p) => !p.accelerator);
  // System pods need a node without GPUs, and GKE taints GPU nodes only in a cluster that also has non-GPU pools.
  if (cpuPools.length === 0) fail("every node pool has an accelerator: expected at least one pool without GPUs for system and application pods");
  if (cpuPools.every((p) => p.spot)) fail("every node pool without GPUs is spot: at least one pool must be on-demand");
  return {
    clusterName: args.clusterName ?? name,
    project: args.project,
    projectNumber: args.projectNumber,
    region: args.region,
    zones: args.zones,
    podsRangeName: args.podsRangeName,
    servicesRangeName: args.servicesRangeName,
    masterIpv4CidrBlock,
    privateEndpoint,
    dnsEndpoint: args.dnsEndpoint ?? true,
    masterAuthorizedNetworks: networks,
    releaseChannel: args.releaseChannel ?? "REGULAR",
    nodePools,
    createNodeServiceAccount: args.nodeServiceAccountEmail === undefined,
    maintenanceStartTime: args.maintenanceStartTime ?? "03:00",
    verticalPodAutoscaling: args.verticalPodAutoscaling ?? true,
    deletionProtection: args.deletionProtection ?? true,
    labels: args.labels ?? {},
  };
}

/** A kubeconfig that authenticates with the gke-gcloud-auth-plugin (short-lived tokens, no static credentials). */
export function gkeKubeconfig(contextName: string, endpoint: string, caCertificate?: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    // The DNS endpoint presents a publicly trusted certificate: no cluster CA is given for it.
    clusters: [{ name: contextName, cluster: { server: `https://${endpoint}`, ...(caCertificate ? { "certificate-authority-data": caCertificate } : {}) } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    "current-context": contextName,
    users: [
      {
        name: contextName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "gke-gcloud-auth-plugin",
            installHint: "Install gke-gcloud-auth-plugin: https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin",
            provideClusterInfo: true,
          },
        },
      },
    ],
  });
}

export class GkeCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** Kubeconfig (exec auth through gke-gcloud-auth-plugin); a secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly nodeServiceAccountEmail: pulumi.Output<string>;
  /** `<project>.svc.id.goog`: bind Kubernetes service accounts to Google ones in it. */
  public readonly workloadPool: pulumi.Output<string>;
  /** The control plane's /28; NetworkPolicies that let operators reach the API server egress to it. */
  public readonly masterIpv4CidrBlock: pulumi.Output<string>;
  /** The explicit Kubernetes provider of this cluster (`${name}-k8s`); use it for every Kubernetes resource. */
  public readonly k8sProvider: k8s.Provider;

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(GKE_CLUSTER_TYPE, name, {}, opts);
    const r = resolveGkeClusterArgs(name, args);

    let nodeSaEmail: pulumi.Input<string>;
    const iamDeps: pulumi.Resource[] = [];
    if (r.createNodeServiceAccount) {
      const sa = new gcp.serviceaccount.Account(
        `${name}-nodes`,
        { project: r.project, accountId: `${r.clusterName}-nodes`.slice(0, 30).replace(/-+$/, ""), displayName: `GKE nodes of ${r.clusterName}` },
        { parent: this },
      );
      for (const role of NODE_SERVICE_ACCOUNT_ROLES) {
        iamDeps.push(
          new gcp.projects.IAMMember(
            `${name}-nodes-${role.split("/")[1].replace(/\./g, "-").toLowerCase()}`,
            { project: r.project, role, member: pulumi.interpolate`serviceAccount:${sa.email}` },
            { parent: this },
          ),
        );
      }
      nodeSaEmail = sa.email;
    } else {
      nodeSaEmail = args.nodeServiceAccountEmail!;
    }

    // The GKE service agent encrypts and decrypts Secrets with the key; without this grant the
    // cluster creation fails.
    const kmsGrant = new gcp.kms.CryptoKeyIAMMember(
      `${name}-secrets-key-agent`,
      {
        cryptoKeyId: args.databaseEncryptionKeyId,
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: serviceAgentMember(r.projectNumber, "container-engine-robot"),
      },
      { parent: this },
    );

    const cluster = new gcp.container.Cluster(
      `${name}-cluster`,
      {
        project: r.project,
        name: r.clusterName,
        location: r.region,
        ...(r.zones ? { nodeLocations: r.zones } : {}),
        // Node pools are separate resources: the default pool is created (the API requires one) and removed.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        network: args.network,
        subnetwork: args.subnetwork,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: { clusterSecondaryRangeName: r.podsRangeName, servicesSecondaryRangeName: r.servicesRangeName },
        datapathProvider: "ADVANCED_DATAPATH",
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: r.privateEndpoint,
          masterIpv4CidrBlock: r.masterIpv4CidrBlock,
          masterGlobalAccessConfig: { enabled: false },
        },
        ...(r.dnsEndpoint ? { controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } } } : {}),
        masterAuthorizedNetworksConfig: {
          cidrBlocks: r.masterAuthorizedNetworks.map((n) => ({ cidrBlock: n.cidr, displayName: n.name })),
          gcpPublicCidrsAccessEnabled: false,
        },
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        enableLegacyAbac: false,
        enableShieldedNodes: true,
        workloadIdentityConfig: { workloadPool: `${r.project}.svc.id.goog` },
        databaseEncryption: { state: "ENCRYPTED", keyName: args.databaseEncryptionKeyId },
        releaseChannel: { channel: r.releaseChannel },
        maintenancePolicy: { dailyMaintenanceWindow: { startTime: r.maintenanceStartTime } },
        verticalPodAutoscaling: { enabled: r.verticalPodAutoscaling },
        deletionProtection: r.deletionProtection,
        resourceLabels: r.labels,
      },
      statefulChildOptions(this, r.deletionProtection, { dependsOn: [kmsGrant] }),
    );

    const pools: gcp.container.NodePool[] = [];
    // GPU pools after every other one: GKE taints GPU nodes (nvidia.com/gpu NoSchedule) only when
    // the cluster already runs a non-GPU pool, and that taint keeps other pods off them.
    const cpuPools: gcp.container.NodePool[] = [];
    const ordered = [...Object.entries(r.nodePools).filter(([, p]) => !p.accelerator), ...Object.entries(r.nodePools).filter(([, p]) => p.accelerator)];
    for (const [role, pool] of ordered) {
      const zones = pool.zones ?? r.zones;
      const nodePool = new gcp.container.NodePool(
        `${name}-pool-${role}`,
        {
          project: r.project,
          cluster: cluster.name,
          location: r.region,
          ...(zones ? { nodeLocations: zones } : {}),
          initialNodeCount: pool.minNodesPerZone,
          autoscaling: { minNodeCount: pool.minNodesPerZone, maxNodeCount: pool.maxNodesPerZone },
          management: { autoRepair: true, autoUpgrade: true },
          upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
          nodeConfig: {
            machineType: pool.machineType,
            diskSizeGb: pool.diskSizeGb,
            diskType: pool.diskType,
            imageType: "COS_CONTAINERD",
            spot: pool.spot,
            serviceAccount: nodeSaEmail,
            // Access is governed by the service account's IAM roles, not by legacy scopes.
            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            workloadMetadataConfig: { mode: "GKE_METADATA" },
            metadata: { "disable-legacy-endpoints": "true" },
            labels: pool.nodeLabels,
            resourceLabels: r.labels,
            taints: pool.taints,
            ...(pool.accelerator
              ? {
                  guestAccelerators: [
                    {
                      type: pool.accelerator.type,
                      count: pool.accelerator.count,
                      // GKE installs the driver: no installer DaemonSet to run (and trust) in the cluster.
                      gpuDriverInstallationConfig: { gpuDriverVersion: pool.accelerator.gpuDriverVersion },
                    },
                  ],
                }
              : {}),
          },
        },
        { parent: this, dependsOn: pool.accelerator ? [...iamDeps, ...cpuPools] : iamDeps, ignoreChanges: ["initialNodeCount"] },
      );
      if (!pool.accelerator) cpuPools.push(nodePool);
      pools.push(nodePool);
    }

    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.kubeconfig = pulumi.secret(
      // Waits for the node pools too: what is deployed through the provider needs nodes to run on.
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.masterAuth, cluster.controlPlaneEndpointsConfig, pulumi.all(pools.map((p) => p.id))])
        .apply(([clusterName, endpoint, auth, endpoints]) => {
          const context = `gke_${r.project}_${r.region}_${clusterName}`;
          const dns = endpoints?.dnsEndpointConfig?.endpoint;
          return r.dnsEndpoint && dns ? gkeKubeconfig(context, dns) : gkeKubeconfig(context, endpoint, auth.clusterCaCertificate ?? "");
        }),
    );
    this.nodeServiceAccountEmail = pulumi.output(nodeSaEmail);
    this.workloadPool = pulumi.output(`${r.project}.svc.id.goog`);
    this.masterIpv4CidrBlock = pulumi.output(r.masterIpv4CidrBlock);
    this.k8sProvider = kubernetesProvider(`${name}-k8s`, this.kubeconfig, { parent: this });
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      nodeServiceAccountEmail: this.nodeServiceAccountEmail,
      workloadPool: this.workloadPool,
      masterIpv4CidrBlock: this.masterIpv4CidrBlock,
    });
  }

}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, UNKNOWN } from "../../../engine/evaluate";
import { prepareStack, previewPrepared } from "../../../engine/preview";
import { runProgram, stackFileWith } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { GkeCluster, gkeKubeconfig, kubernetesProviderFromConfig, resolveGkeClusterArgs, type GkeClusterArgs } from "./index";

const base: GkeClusterArgs = {
  project: "diaspomoney-prod",
  projectNumber: "123456789012",
  region: "europe-west1",
  network: "projects/diaspomoney-prod/global/networks/main",
  subnetwork: "projects/diaspomoney-prod/regions/europe-west1/subnetworks/gke",
  podsRangeName: "pods",
  servicesRangeName: "services",
  databaseEncryptionKeyId: "projects/diaspomoney-prod/locations/europe-west1/keyRings/gke/cryptoKeys/secrets",
};

describe("resolveGkeClusterArgs", () => {
  it("defaults: private endpoint, REGULAR channel, one on-demand pool, a dedicated node SA, protection on", () => {
    const r = resolveGkeClusterArgs("gke", base);
    expect(r.privateEndpoint).toBe(true);
    expect(r.releaseChannel).toBe("REGULAR");
    expect(Object.keys(r.nodePools)).toEqual(["general"]);
    expect(r.nodePools.general).toMatchObject({ minNodesPerZone: 1, maxNodesPerZone: 3, spot: false });
    expect(r.createNodeServiceAccount).toBe(true);
    expect(r.deletionProtection).toBe(true);
    expect(r.masterIpv4CidrBlock).toBe("172.16.0.0/28");
    // VPA on by default (diaspomoney.md asks for it); it can be turned off.
    expect(r.verticalPodAutoscaling).toBe(true);
    expect(resolveGkeClusterArgs("gke", { ...base, verticalPodAutoscaling: false }).verticalPodAutoscaling).toBe(false);
  });

  it("refuses a control plane open to the internet", () => {
    expect(() => resolveGkeClusterArgs("gke", { ...base, privateEndpoint: false, masterAuthorizedNetworks: [{ cidr: "0.0.0.0/0", name: "all" }] })).toThrow(ComponentArgsError);
    expect(() => resolveGkeClusterArgs("gke", { ...base, privateEndpoint: false })).toThrow(/masterAuthorizedNetworks is empty/);
    expect(resolveGkeClusterArgs("gke", { ...base, privateEndpoint: false, masterAuthorizedNetworks: [{ cidr: "203.0.113.0/24", name: "office" }] }).privateEndpoint).toBe(false);
  });

  it("refuses contradictions: zones outside the region, no pools, only spot pools, bad autoscaling bounds", () => {
    expect(() => resolveGkeClusterArgs("gke", { ...base, zones: ["europe-west4-a"] })).toThrow(/not in region europe-west1/);
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: {} })).toThrow(/no nodes/);
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: { a: { spot: true } } })).toThrow(/on-demand/);
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: { a: { minNodesPerZone: 3, maxNodesPerZone: 2 } } })).toThrow(/maxNodesPerZone/);
    expect(() => resolveGkeClusterArgs("gke", { ...base, masterIpv4CidrBlock: "172.16.0.0/24" })).toThrow(/\/28/);
  });
});

describe("gkeKubeconfig", () => {
  it("authenticates through gke-gcloud-auth-plugin, with no static credential", () => {
    const cfg = JSON.parse(gkeKubeconfig("ctx", "10.0.0.2", "Q0E="));
    expect(cfg.clusters[0].cluster).toEqual({ server: "https://10.0.0.2", "certificate-authority-data": "Q0E=" });
    expect(cfg.users[0].user.exec).toMatchObject({ command: "gke-gcloud-auth-plugin", apiVersion: "client.authentication.k8s.io/v1beta1" });
    expect(JSON.stringify(cfg)).not.toMatch(/token|password|client-key/);
  });
});

describe("GkeCluster", () => {
  it("builds a hardened private cluster with autoscaled pools on a dedicated SA", async () => {
    const { plan, evaluation } = await runProgram(() => {
      const gke = new GkeCluster("gke", { ...base, zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], labels: { platform: "diaspomoney" } });
      return { kubeconfig: gke.kubeconfig };
    });
    const cluster = plan.one("gcp:container/cluster:Cluster", "gke-cluster");
    expect(cluster.inputs).toMatchObject({
      removeDefaultNodePool: true,
      datapathProvider: "ADVANCED_DATAPATH",
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
      masterAuthorizedNetworksConfig: { cidrBlocks: [], gcpPublicCidrsAccessEnabled: false },
      enableShieldedNodes: true,
      workloadIdentityConfig: { workloadPool: "diaspomoney-prod.svc.id.goog" },
      databaseEncryption: { state: "ENCRYPTED", keyName: base.databaseEncryptionKeyId },
      releaseChannel: { channel: "REGULAR" },
      deletionProtection: true,
      resourceLabels: { platform: "diaspomoney" },
      nodeLocations: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
    });
    expect(cluster.options.protect).toBe(true);
    expect(cluster.dependencies).toContain(plan.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").urn);
    expect(plan.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").inputs.member).toBe("serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com");

    const pool = plan.one("gcp:container/nodePool:NodePool", "gke-pool-general");
    expect(pool.inputs).toMatchObject({
      autoscaling: { minNodeCount: 1, maxNodeCount: 3 },
      management: { autoRepair: true, autoUpgrade: true },
      nodeConfig: {
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        workloadMetadataConfig: { mode: "GKE_METADATA" },
      },
    });
    // The node SA is the dedicated one (unknown email in a preview), never the Compute default.
    const sa = plan.one("gcp:serviceaccount/account:Account");
    expect(pool.dependencies).toContain(sa.urn);
    expect(JSON.stringify(pool.inputs)).not.toMatch(/compute@developer/);
    expect(plan.ofType("gcp:projects/iAMMember:IAMMember").map((m) => m.inputs.role).sort()).toEqual([
      "roles/artifactregistry.reader",
      "roles/container.defaultNodeServiceAccount",
    ]);
    // The provider is explicit and parented; the kubeconfig waits for the cluster (unknown in a
    // preview) and is a secret output.
    const provider = plan.one("pulumi:providers:kubernetes", "gke-k8s");
    expect(provider.parent).toBe(plan.one("platform:gcp:GkeCluster").urn);
    expect(provider.inputs.kubeconfig).toBe(UNKNOWN);
    expect(evaluation.outputs.kubeconfig).toEqual(BLINDED_SECRET);
  });

  it("uses a given node SA without creating one, and drops protection when asked", async () => {
    const { plan } = await runProgram(() => {
      new GkeCluster("dev", { ...base, deletionProtection: false, nodeServiceAccountEmail: "nodes@p.iam.gserviceaccount.com" });
    });
    expect(plan.ofType("gcp:serviceaccount/account:Account")).toEqual([]);
    expect(plan.one("gcp:container/nodePool:NodePool").inputs).toMatchObject({ nodeConfig: { serviceAccount: "nodes@p.iam.gserviceaccount.com" } });
    const cluster = plan.one("gcp:container/cluster:Cluster");
    expect(cluster.inputs.deletionProtection).toBe(false);
    expect(cluster.options.protect).toBe(false);
  });

  it("serves the control plane on its IAM-authorised DNS endpoint by default, and not when turned off", async () => {
    const { plan } = await runProgram(() => {
      new GkeCluster("on", base);
    });
    expect(plan.one("gcp:container/cluster:Cluster").inputs.controlPlaneEndpointsConfig).toEqual({ dnsEndpointConfig: { allowExternalTraffic: true } });
    // The IP endpoint stays private either way.
    expect(plan.one("gcp:container/cluster:Cluster").inputs).toMatchObject({ privateClusterConfig: { enablePrivateEndpoint: true } });
    const off = await runProgram(() => {
      new GkeCluster("off", { ...base, dnsEndpoint: false });
    });
    expect(off.plan.one("gcp:container/cluster:Cluster").inputs.controlPlaneEndpointsConfig).toBeUndefined();
  });
});

describe("gkeKubeconfig for the DNS endpoint", () => {
  it("gives no cluster CA (the DNS endpoint's certificate is publicly trusted)", () => {
    const cfg = JSON.parse(gkeKubeconfig("ctx", "gke-abc.europe-west1.gke.goog")) as { clusters: { cluster: Record<string, string> }[] };
    expect(cfg.clusters[0].cluster).toEqual({ server: "https://gke-abc.europe-west1.gke.goog" });
  });
});

describe("kubernetesProviderFromConfig (existing cluster)", () => {
  it("builds a provider from a secret kubeconfig in config", async () => {
    const { plan } = await runProgram(
      () => {
        const provider = kubernetesProviderFromConfig("existing");
        new k8s.core.v1.Namespace("ns", { metadata: { name: "x" } }, { provider });
      },
      { config: { "platform-infra:kubeconfig": "apiVersion: v1\nkind: Config" }, secretKeys: ["platform-infra:kubeconfig"] },
    );
    expect(plan.one("pulumi:providers:kubernetes").inputs.kubeconfig).toEqual(BLINDED_SECRET);
    expect(plan.one("kubernetes:core/v1:Namespace").provider).toMatch(/::existing::/);
  });

  it("refuses a kubeconfig stored in clear", async () => {
    const run = runProgram(() => void kubernetesProviderFromConfig("existing"), { config: { "platform-infra:kubeconfig": "apiVersion: v1" } });
    await expect(run).rejects.toThrow(/kubeconfig in clear/);
    void pulumi;
  });
});

describe("GPU node pools", () => {
  const gpu = { machineType: "g2-standard-4", accelerator: { type: "nvidia-l4", count: 1 } } as const;

  it("resolves an accelerator pool: scales from zero, driver DEFAULT, own zones", () => {
    const r = resolveGkeClusterArgs("gke", { ...base, nodePools: { general: {}, gpu: { ...gpu, zones: ["europe-west1-b", "europe-west1-c"] } } });
    expect(r.nodePools.gpu).toMatchObject({
      machineType: "g2-standard-4",
      minNodesPerZone: 0,
      accelerator: { type: "nvidia-l4", count: 1, gpuDriverVersion: "DEFAULT" },
      zones: ["europe-west1-b", "europe-west1-c"],
    });
    // A pool without an accelerator keeps its one idle node per zone, and no GPU field.
    expect(r.nodePools.general.minNodesPerZone).toBe(1);
    expect(r.nodePools.general.accelerator).toBeUndefined();
    expect(resolveGkeClusterArgs("gke", { ...base, nodePools: { general: {}, gpu: { ...gpu, accelerator: { ...gpu.accelerator, gpuDriverVersion: "LATEST" } } } }).nodePools.gpu.accelerator?.gpuDriverVersion).toBe("LATEST");
    // Accelerator-optimized shapes fix the count: g2-standard-24 carries two L4.
    expect(resolveGkeClusterArgs("gke", { ...base, nodePools: { general: {}, gpu: { machineType: "g2-standard-24", accelerator: { type: "nvidia-l4", count: 2 } } } }).nodePools.gpu.accelerator?.count).toBe(2);
  });

  it("refuses a GPU on the wrong machine family, a wrong count, an unknown type, a GPU machine without accelerator", () => {
    const pools = (gpuPool: object) => ({ ...base, nodePools: { general: {}, gpu: gpuPool } });
    expect(() => resolveGkeClusterArgs("gke", pools({ ...gpu, machineType: "e2-standard-4" }))).toThrow(ComponentArgsError);
    expect(() => resolveGkeClusterArgs("gke", pools({ ...gpu, machineType: "e2-standard-4" }))).toThrow(/nvidia-l4 attaches to g2-standard-\* machine types, got machineType e2-standard-4/);
    expect(() => resolveGkeClusterArgs("gke", pools({ ...gpu, machineType: "n1-standard-8" }))).toThrow(/g2-standard/);
    expect(() => resolveGkeClusterArgs("gke", pools({ ...gpu, accelerator: { type: "nvidia-l4", count: 2 } }))).toThrow(/g2-standard-4 carries 1 nvidia-l4 per node, got accelerator.count 2/);
    expect(() => resolveGkeClusterArgs("gke", pools({ machineType: "g2-standard-48", accelerator: { type: "nvidia-l4", count: 1 } }))).toThrow(/carries 4/);
    expect(() => resolveGkeClusterArgs("gke", pools({ ...gpu, accelerator: { type: "nvidia-l40", count: 1 } }))).toThrow(/"nvidia-l40" is not one of nvidia-l4, /);
    expect(() => resolveGkeClusterArgs("gke", pools({ machineType: "g2-standard-8" }))).toThrow(/g2-standard-8 carries GPUs, expected an accelerator/);
    expect(resolveGkeClusterArgs("gke", pools({ machineType: "n1-standard-8", accelerator: { type: "nvidia-tesla-t4", count: 2 } })).nodePools.gpu.accelerator?.count).toBe(2);
    expect(resolveGkeClusterArgs("gke", pools({ machineType: "a2-highgpu-2g", accelerator: { type: "nvidia-tesla-a100", count: 2 } })).nodePools.gpu.machineType).toBe("a2-highgpu-2g");
  });

  it("refuses a cluster of GPU pools only, spot-only CPU pools, GKE's GPU taint in args, zones outside the region", () => {
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: { gpu } })).toThrow(/every node pool has an accelerator/);
    // An on-demand GPU pool does not make up for spot-only CPU pools: system pods cannot run on it.
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: { general: { spot: true }, gpu } })).toThrow(/without GPUs is spot/);
    expect(resolveGkeClusterArgs("gke", { ...base, nodePools: { general: {}, gpu: { ...gpu, spot: true } } }).nodePools.gpu.spot).toBe(true);
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: { general: {}, gpu: { ...gpu, taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }] } } })).toThrow(/GKE's own on GPU nodes/);
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: { general: {}, gpu: { ...gpu, zones: ["europe-west4-a"] } } })).toThrow(/nodePools.gpu: zone europe-west4-a is not in region europe-west1/);
    expect(() => resolveGkeClusterArgs("gke", { ...base, nodePools: { general: {}, gpu: { ...gpu, zones: [] } } })).toThrow(/zones is empty/);
  });

  it("creates the GPU pool after the CPU pools, with guest accelerators, GKE's driver, no taint of its own, from zero nodes", async () => {
    const { plan } = await runProgram(() => {
      // The GPU pool listed first: the order of creation must not depend on it.
      new GkeCluster("gke", { ...base, zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], nodePools: { gpu: { ...gpu, maxNodesPerZone: 1, zones: ["europe-west1-b", "europe-west1-c"] }, general: {} } });
    });
    const pool = plan.one("gcp:container/nodePool:NodePool", "gke-pool-gpu");
    expect(pool.inputs).toMatchObject({
      initialNodeCount: 0,
      autoscaling: { minNodeCount: 0, maxNodeCount: 1 },
      nodeLocations: ["europe-west1-b", "europe-west1-c"],
      nodeConfig: {
        machineType: "g2-standard-4",
        guestAccelerators: [{ type: "nvidia-l4", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }],
        shieldedInstanceConfig: { enableSecureBoot: true },
        taints: [],
      },
    });
    // GKE taints GPU nodes only when a non-GPU pool already exists: the GPU pool waits for it.
    const general = plan.one("gcp:container/nodePool:NodePool", "gke-pool-general");
    expect(pool.dependencies).toContain(general.urn);
    expect(general.dependencies).not.toContain(pool.urn);
    expect(general.inputs.nodeLocations).toEqual(["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
    expect((general.inputs.nodeConfig as Record<string, unknown>).guestAccelerators).toBeUndefined();
  });
});

describe("the foundation's gpuPool switch (stacks/gke-cluster-foundation.ts)", () => {
  const pools = async (extra?: string) => {
    const root = extra ? stackFileWith("diaspomoney-shared", extra) : undefined;
    const { evaluation } = await previewPrepared(root ? prepareStack("diaspomoney-shared", root) : prepareStack("diaspomoney-shared"));
    return evaluation.resources.filter((r) => r.type === "gcp:container/nodePool:NodePool");
  };

  it("adds nothing when absent or disabled", async () => {
    const absent = await pools();
    expect(absent.map((p) => p.name)).toEqual(["diaspomoney-pool-general"]);
    const disabled = await pools("  diaspomoney:cluster:\n    gpuPool:\n      enabled: false");
    expect(disabled.map((p) => p.name)).toEqual(["diaspomoney-pool-general"]);
    expect(disabled[0].inputs).toEqual(absent[0].inputs);
  });

  it("adds a `gpu` pool of one L4 per g2-standard-4 node, from zero, when enabled", async () => {
    const on = await pools("  diaspomoney:cluster:\n    gpuPool:\n      enabled: true\n      zones: [europe-west1-b, europe-west1-c]");
    expect(on.map((p) => p.name)).toEqual(["diaspomoney-pool-general", "diaspomoney-pool-gpu"]);
    expect(on[1].inputs).toMatchObject({
      initialNodeCount: 0,
      autoscaling: { minNodeCount: 0, maxNodeCount: 1 },
      nodeLocations: ["europe-west1-b", "europe-west1-c"],
      nodeConfig: { machineType: "g2-standard-4", spot: false, guestAccelerators: [{ type: "nvidia-l4", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }] },
    });
    const spot = await pools("  diaspomoney:cluster:\n    gpuPool:\n      enabled: true\n      spot: true\n      maxNodesPerZone: 2\n      accelerator: { type: nvidia-l4, count: 2 }\n      machineType: g2-standard-24");
    expect(spot[1].inputs).toMatchObject({
      autoscaling: { minNodeCount: 0, maxNodeCount: 2 },
      nodeConfig: { machineType: "g2-standard-24", spot: true, guestAccelerators: [{ type: "nvidia-l4", count: 2, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }] },
    });
    // The general pool stays on-demand and unchanged.
    expect(spot[0].inputs).toEqual(on[0].inputs);
  });

  it("stops the preview on an inconsistent GPU pool", async () => {
    await expect(pools("  diaspomoney:cluster:\n    gpuPool:\n      enabled: true\n      machineType: e2-standard-4")).rejects.toThrow(/nvidia-l4 attaches to g2-standard-\*/);
  });
});

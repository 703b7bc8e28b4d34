import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, UNKNOWN } from "../../../engine/evaluate";
import { runProgram } from "../../../tests/harness";
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

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { CRD_INSTALLERS } from "../../../engine/deployability/create-order";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { CERT_MANAGER_CHART } from "../cert-manager";
import { KUBE_PROMETHEUS_STACK_CHART } from "../monitoring-stack";
import { ALLOY_CHART, LOKI_CHART, TEMPO_CHART } from "../logs-traces";
import { BARMAN_CLOUD_PLUGIN_CHART, MARIADB_CRDS_CHART, OPERATOR_CHARTS } from "../operators";
import { TRAEFIK_CHART } from "../traefik";
import { apiGroupOf, crdDependencies, helmAddon, helmChartSource, resolvePinnedHelmRelease, type CrdInstaller, type PinnedChart } from "./helm-addon";

const CHART: PinnedChart = { chart: "demo", version: "1.2.3", repo: "https://charts.example.com", crdGroups: ["demo.example.com"] };
const RELEASE = "kubernetes:helm.sh/v3:Release";

class Owner extends pulumi.ComponentResource {
  constructor(name: string, build: (self: Owner) => void, opts?: pulumi.ComponentResourceOptions) {
    super("test:k8s:Owner", name, {}, opts);
    build(this);
    this.registerOutputs({});
  }
}

describe("resolvePinnedHelmRelease", () => {
  it("defaults: a 600 s timeout, the HTTP repository in repositoryOpts, no CRD groups", () => {
    expect(resolvePinnedHelmRelease("t:T", "x", { releaseName: "demo", chart: { chart: "demo", version: "v1.0.0", repo: "https://r.example.com" } })).toEqual({
      releaseName: "demo",
      version: "v1.0.0",
      source: { chart: "demo", repositoryOpts: { repo: "https://r.example.com" } },
      timeoutSeconds: 600,
      crdGroups: [],
    });
  });

  it("addresses an OCI chart as <registry>/<chart>, without repositoryOpts", () => {
    expect(helmChartSource({ chart: "strimzi-kafka-operator", repo: "oci://quay.io/strimzi-helm" })).toEqual({ chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator" });
  });

  it.each([
    ["a version range", { chart: { ...CHART, version: "^1.2.0" } }, /version "\^1.2.0" is not pinned: expected an exact version/],
    ["a partial version", { chart: { ...CHART, version: "1.2" } }, /version "1.2" is not pinned/],
    ["a plain-HTTP repository", { chart: { ...CHART, repo: "http://charts.example.com" } }, /must be an https:\/\/ repository or an oci:\/\/ registry/],
    ["a release name Helm refuses", { releaseName: "a".repeat(54) }, /releaseName .* at most 53 characters/],
    ["an upper-case release name", { releaseName: "Demo" }, /releaseName "Demo"/],
    ["a CRD group that is not an API group", { chart: { ...CHART, crdGroups: ["Demo"] } }, /crdGroups has "Demo"/],
    ["a timeout too short for pods to start", { timeoutSeconds: 10 }, /timeoutSeconds must be an integer of at least 60 .*got 10/],
  ])("refuses %s, naming the component", (_, override, message) => {
    const call = () => resolvePinnedHelmRelease("platform:k8s:Demo", "edge", { releaseName: "demo", chart: CHART, ...override });
    expect(call).toThrow(ComponentArgsError);
    expect(call).toThrow(/platform:k8s:Demo "edge"/);
    expect(call).toThrow(message);
  });
});

describe("helmAddon", () => {
  it("creates <name>-ns and <name>-release as direct children of the caller (no wrapper in the URN chain)", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new Owner(
        "edge",
        (self) => helmAddon(self, "test:k8s:Owner", "edge", { namespace: { namespace: "demo", env: "shared", platform: "p" }, releaseName: "demo", chart: CHART, values: { replicas: 2 } }),
        { provider },
      );
    });
    const owner = plan.one("test:k8s:Owner", "edge");
    const release = plan.one(RELEASE, "edge-release");
    expect(release.parent).toBe(owner.urn);
    expect(release.urn).toMatch(/::test:k8s:Owner\$kubernetes:helm\.sh\/v3:Release::edge-release$/);
    expect(plan.one("platform:k8s:IsolatedNamespace", "edge-ns").parent).toBe(owner.urn);
    expect(release.inputs).toMatchObject({
      name: "demo",
      namespace: "demo",
      chart: "demo",
      version: "1.2.3",
      repositoryOpts: { repo: "https://charts.example.com" },
      values: { replicas: 2 },
      atomic: true,
      cleanupOnFail: true,
      timeout: 600,
      maxHistory: 10,
    });
    // The release goes into the namespace the helper made, so it waits for it.
    expect(release.dependencies).toEqual(expect.arrayContaining([plan.one("kubernetes:core/v1:Namespace", "edge-ns-namespace").urn]));
  });
});

describe("crdDependencies", () => {
  const fakeRelease = (n: string) => ({ n }) as unknown as k8s.helm.v3.Release;
  const traefik: CrdInstaller = { release: fakeRelease("traefik"), crdGroups: ["traefik.io"] };
  const certManager: CrdInstaller = { release: fakeRelease("cert-manager"), crdGroups: ["cert-manager.io", "acme.cert-manager.io"] };

  it("waits only for the release that installs the kind's group", () => {
    expect(crdDependencies("traefik.io/v1alpha1", [traefik, certManager])).toEqual([traefik.release]);
    expect(crdDependencies("cert-manager.io/v1", [traefik, certManager])).toEqual([certManager.release]);
  });

  it("waits for a plain resource whatever the group, as a bare dependsOn did", () => {
    const plain = fakeRelease("unknown") as unknown as pulumi.Resource;
    expect(crdDependencies("cert-manager.io/v1", [traefik, plain])).toEqual([plain]);
  });

  it("refuses a kind whose CRDs no given installer installs, naming what they do install", () => {
    expect(() => crdDependencies("monitoring.coreos.com/v1", [traefik, certManager])).toThrow(
      /no release given installs the CRDs of monitoring.coreos.com\/v1 .*install traefik.io, cert-manager.io, acme.cert-manager.io/,
    );
  });

  it("asks nothing when no installer is given (the CRDs already exist)", () => {
    expect(crdDependencies("traefik.io/v1alpha1", [])).toEqual([]);
    expect(apiGroupOf("v1")).toBe("");
  });
});

describe("the repository's pinned charts", () => {
  const { mariadb: mariadbOperator, ...crdOperators } = OPERATOR_CHARTS;
  const charts: PinnedChart[] = [TRAEFIK_CHART, CERT_MANAGER_CHART, KUBE_PROMETHEUS_STACK_CHART, ...Object.values(crdOperators), BARMAN_CLOUD_PLUGIN_CHART, MARIADB_CRDS_CHART];
  /** Pinned charts that install no CRD (mariadb-operator: its CRDs are MARIADB_CRDS_CHART's release). */
  const plain: PinnedChart[] = [LOKI_CHART, TEMPO_CHART, ALLOY_CHART, mariadbOperator];

  it("are exact versions from https or oci sources", () => {
    for (const c of [...charts, ...plain]) expect(() => resolvePinnedHelmRelease("t:T", c.chart, { releaseName: "r", chart: c }), c.chart).not.toThrow();
  });

  it("attribute no CRD group of the create-order check to a chart that installs none (Loki, Tempo, Alloy, mariadb-operator)", () => {
    for (const c of plain) {
      expect(c.crdGroups ?? [], c.chart).toEqual([]);
      for (const [group, rule] of Object.entries(CRD_INSTALLERS)) expect(rule.charts, `${group} → ${c.chart}`).not.toContain(c.chart);
    }
  });

  it("claim only CRD groups the create-order check also attributes to them", () => {
    for (const c of charts) {
      expect(c.crdGroups?.length, `${c.chart} installs CRDs this repository uses`).toBeGreaterThan(0);
      for (const group of c.crdGroups ?? []) expect(CRD_INSTALLERS[group]?.charts, `${c.chart} → ${group}`).toContain(c.chart);
    }
  });
});

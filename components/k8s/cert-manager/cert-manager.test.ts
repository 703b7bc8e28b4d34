import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { chartValuesCheck } from "../../../engine/deployability/chart-values";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { allowPolicySpec } from "../namespace";
import { acmeHttp01SolverAllowRule, CertManager, certManagerValues, resolveCertManagerArgs, type CertManagerArgs } from "./index";

const base: CertManagerArgs = { platform: "diaspomoney", apiServerCidrs: ["172.16.0.0/28"], acmeEmail: "ops@diaspomoney.fr" };
const CI = "kubernetes:cert-manager.io/v1:ClusterIssuer";

describe("resolveCertManagerArgs / certManagerValues", () => {
  it("defaults: 2 replicas with PDBs, CRDs installed and kept, traefik solver class", () => {
    const r = resolveCertManagerArgs("certs", base);
    expect(r).toMatchObject({ replicas: 2, ingressClassName: "traefik", namespace: "cert-manager" });
    const v = certManagerValues(r);
    expect(v.crds).toEqual({ enabled: true, keep: true });
    expect(v.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(valueAt(v, "webhook.replicaCount")).toBe(2);
    expect(valueAt(v, "cainjector.podDisruptionBudget")).toEqual({ enabled: true, minAvailable: 1 });
    expect(valueAt(v, "securityContext.seccompProfile.type")).toBe("RuntimeDefault");
  });

  it("drops the PDB for a single replica (it would block drains)", () => {
    const v = certManagerValues(resolveCertManagerArgs("certs", { ...base, replicas: 1 }));
    expect(v.podDisruptionBudget).toEqual({ enabled: false });
  });

  it("refuses a missing email", () => {
    expect(() => resolveCertManagerArgs("certs", { ...base, acmeEmail: "ops" })).toThrow(ComponentArgsError);
  });
});

describe("acmeHttp01SolverAllowRule", () => {
  it("lets Traefik reach the solver pods on 8089", () => {
    expect(allowPolicySpec(acmeHttp01SolverAllowRule())).toMatchObject({
      podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
      ingress: [{ ports: [{ port: 8089, protocol: "TCP" }] }],
    });
  });
});

describe("CertManager", () => {
  it("installs the pinned chart and both Let's Encrypt ClusterIssuers with HTTP-01 via traefik", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new CertManager("certs", base, { provider });
    });
    const release = plan.one("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({ chart: "cert-manager", version: "v1.21.1", repositoryOpts: { repo: "https://charts.jetstack.io" }, namespace: "cert-manager" });
    const prod = plan.one(CI, "certs-letsencrypt-production");
    expect(prod.inputs).toMatchObject({
      metadata: { name: "letsencrypt-production" },
      spec: { acme: { email: "ops@diaspomoney.fr", server: "https://acme-v02.api.letsencrypt.org/directory", solvers: [{ http01: { ingress: { ingressClassName: "traefik" } } }] } },
    });
    // The solver Ingress lives on Traefik's `web` entry point only, where it outranks the HTTPS redirect.
    expect(valueAt(prod.inputs, "spec.acme.solvers[0].http01.ingress.ingressTemplate.metadata.annotations")).toEqual({ "traefik.ingress.kubernetes.io/router.entrypoints": "web" });
    expect(valueAt(plan.one(CI, "certs-letsencrypt-staging").inputs, "spec.acme.server")).toMatch(/acme-staging-v02/);
    expect(prod.dependencies).toContain(release.urn);
    for (const r of plan.resources) {
      const v = validateRecordedResource(r);
      if (v) expect(v.errors, r.name).toEqual([]);
      if (r.type.startsWith("kubernetes:")) expect(r.provider, r.name).toMatch(/::k8s::/);
    }
    // The values pass chart v1.21.1's closed values.schema.json and key tree.
    expect(chartValuesCheck.run({ stack: "test", resources: plan.resources, upstream: [] })).toEqual([]);
  });
});

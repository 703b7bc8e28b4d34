import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { chartValuesCheck } from "../../../engine/deployability/chart-values";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { allowPolicySpec } from "../namespace";
import { acmeHttp01SolverAllowRule, CertManager, certManagerValues, dns01IssuerName, resolveCertManagerArgs, type CertManagerArgs, type CloudDns01Args } from "./index";

const base: CertManagerArgs = { platform: "diaspomoney", apiServerCidrs: ["172.16.0.0/28"], acmeEmail: "ops@diaspomoney.fr" };
const CI = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const dns: CloudDns01Args = { project: "crm-courtier-platform", dnsZones: ["crm-courtier.fr"], googleServiceAccountEmail: "cert-manager-dns01@crm-courtier-platform.iam.gserviceaccount.com" };

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

describe("CertManager with cloudDns01 (DNS-01 on Google Cloud DNS)", () => {
  const dnsPlan = async (args: Partial<CertManagerArgs> = {}) =>
    (
      await runProgram(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        new CertManager("certs", { ...base, platform: "crm-courtier", acmeEmail: "ops@crm-courtier.fr", cloudDns01: dns, ...args }, { provider });
      })
    ).plan;

  it("adds DNS-01 twins of both Let's Encrypt issuers: Cloud DNS only, for the listed zones only, with their own account keys", async () => {
    const plan = await dnsPlan();
    expect(plan.ofType(CI).map((r) => valueAt(r.inputs, "metadata.name")).sort()).toEqual(["letsencrypt-production", "letsencrypt-production-dns01", "letsencrypt-staging", "letsencrypt-staging-dns01"]);
    const prod = plan.one(CI, "certs-letsencrypt-production-dns01");
    expect(valueAt(prod.inputs, "metadata.name")).toBe(dns01IssuerName("letsencrypt-production"));
    expect(valueAt(prod.inputs, "spec.acme")).toEqual({
      email: "ops@crm-courtier.fr",
      server: "https://acme-v02.api.letsencrypt.org/directory",
      privateKeySecretRef: { name: "letsencrypt-production-dns01-account-key" },
      // No serviceAccountSecretRef: ambient credentials (Workload Identity) of a ClusterIssuer. No http01: no solver pod.
      solvers: [{ selector: { dnsZones: ["crm-courtier.fr"] }, dns01: { cloudDNS: { project: "crm-courtier-platform" } } }],
    });
    expect(valueAt(plan.one(CI, "certs-letsencrypt-staging-dns01").inputs, "spec.acme.server")).toMatch(/acme-staging-v02/);
    expect(prod.dependencies).toContain(plan.one("kubernetes:helm.sh/v3:Release").urn);
    // The HTTP-01 issuers are as they were.
    expect(valueAt(plan.one(CI, "certs-letsencrypt-production").inputs, "spec.acme.solvers")).toHaveLength(1);
    for (const r of plan.resources) {
      const v = validateRecordedResource(r);
      if (v) expect(v.errors, r.name).toEqual([]);
    }
    // A field the CRD does not have (the solver's key is cloudDNS, not clouddns) fails validation.
    const wrong = { ...prod, inputs: { ...prod.inputs, spec: { acme: { ...(valueAt(prod.inputs, "spec.acme") as object), solvers: [{ dns01: { clouddns: { project: "p" } } }] } } } };
    expect(validateRecordedResource(wrong)?.valid).toBe(false);
  });

  it("names the controller's service account and annotates it for Workload Identity, within the chart's values schema", async () => {
    const plan = await dnsPlan();
    const release = plan.one("kubernetes:helm.sh/v3:Release");
    expect(valueAt(release.inputs, "values.serviceAccount")).toEqual({ name: "cert-manager", annotations: { "iam.gke.io/gcp-service-account": "cert-manager-dns01@crm-courtier-platform.iam.gserviceaccount.com" } });
    expect(chartValuesCheck.run({ stack: "test", resources: plan.resources, upstream: [] })).toEqual([]);
    // Without cloudDns01 the values carry no serviceAccount at all (the other platforms' releases unchanged).
    expect(certManagerValues(resolveCertManagerArgs("certs", base)).serviceAccount).toBeUndefined();
  });

  it("lets the controller reach the metadata server and the zones' nameservers, and nothing more", async () => {
    const plan = await dnsPlan();
    const metadata = plan.one(NP, "certs-ns-allow-metadata-server");
    expect(valueAt(metadata.inputs, "spec.podSelector")).toEqual({ matchLabels: { "app.kubernetes.io/component": "controller" } });
    expect(valueAt(metadata.inputs, "spec.egress[0].to")).toEqual([{ ipBlock: { cidr: "169.254.169.254/32" } }, { ipBlock: { cidr: "169.254.169.252/32" } }]);
    expect(valueAt(metadata.inputs, "spec.egress[0].ports")).toEqual([{ port: 80, protocol: "TCP" }, { port: 988, protocol: "TCP" }]);
    const nameservers = plan.one(NP, "certs-ns-allow-dns01-self-check");
    expect(valueAt(nameservers.inputs, "spec.egress[0].ports")).toEqual([{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }]);
    // Without cloudDns01, neither policy.
    const { plan: plain } = await runProgram(() => new CertManager("certs", base, { provider: new k8s.Provider("k8s", { kubeconfig: "{}" }) }));
    expect(plain.ofType(NP).map((r) => r.name).filter((n) => /metadata-server|dns01/.test(n))).toEqual([]);
    expect(plain.ofType(CI)).toHaveLength(2);
  });

  it.each([
    [{ ...dns, project: "Crm Courtier" }, /cloudDns01.project "Crm Courtier" is not a Google Cloud project id/],
    [{ ...dns, dnsZones: [] }, /cloudDns01.dnsZones is empty: expected the domains the DNS-01 issuers solve for/],
    [{ ...dns, dnsZones: ["*.crm-courtier.fr"] }, /cloudDns01.dnsZones has "\*.crm-courtier.fr": expected a lowercase domain/],
    [{ ...dns, dnsZones: ["crm-courtier.fr."] }, /no trailing dot/],
    [{ ...dns, dnsZones: ["crm-courtier.fr", "crm-courtier.fr"] }, /lists a domain twice/],
    [{ ...dns, googleServiceAccountEmail: "cert-manager@gmail.com" }, /googleServiceAccountEmail "cert-manager@gmail.com" is not a Google service account email/],
  ])("refuses %j, naming what was expected", (cloudDns01, message) => {
    expect(() => resolveCertManagerArgs("certs", { ...base, cloudDns01 })).toThrow(ComponentArgsError);
    expect(() => resolveCertManagerArgs("certs", { ...base, cloudDns01 })).toThrow(message);
  });
});

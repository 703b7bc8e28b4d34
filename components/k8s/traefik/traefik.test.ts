import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { chartValuesCheck } from "../../../engine/deployability/chart-values";
import { resolveTraefikArgs, Traefik, TRAEFIK_CHART, TRAEFIK_REDIRECT_PRIORITY, traefikValues, type TraefikArgs } from "./index";

const base: TraefikArgs = { platform: "diaspomoney", apiServerCidrs: ["172.16.0.0/28"], backendNamespaces: ["diaspomoney-dev", "diaspomoney-prod"] };
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("resolveTraefikArgs", () => {
  it("defaults: 3 replicas, TLS 1.2 minimum, one-year HSTS, namespace traefik", () => {
    const r = resolveTraefikArgs("edge", base);
    expect(r).toMatchObject({ replicas: 3, minTlsVersion: "VersionTLS12", hstsMaxAgeSeconds: 31536000, namespace: "traefik" });
  });

  it("labels its namespace with the env the stack gives, the foundation's `shared` by default", () => {
    expect(resolveTraefikArgs("edge", base).env).toBe("shared");
    expect(resolveTraefikArgs("edge", { ...base, env: "platform" }).env).toBe("platform");
  });

  it("refuses fewer than 2 replicas, a short HSTS and no API server", () => {
    expect(() => resolveTraefikArgs("edge", { ...base, replicas: 1 })).toThrow(ComponentArgsError);
    expect(() => resolveTraefikArgs("edge", { ...base, hstsMaxAgeSeconds: 3600 })).toThrow(/six months/);
    expect(() => resolveTraefikArgs("edge", { ...base, apiServerCidrs: [] })).toThrow(/apiServerCidrs/);
  });
});

describe("traefikValues", () => {
  const values = traefikValues(resolveTraefikArgs("edge", base));
  const v = (path: string) => valueAt(values, path);
  it("redirects HTTP to HTTPS at the entry point, permanently, below every other router on web (ACME HTTP-01)", () => {
    expect(v("ports.web.http.redirections.entryPoint")).toEqual({ to: "websecure", scheme: "https", permanent: true, priority: 1 });
    expect(TRAEFIK_REDIRECT_PRIORITY).toBe(1);
    // Chart 39+ reads the entry point's options only under `http`.
    expect(v("ports.web.redirections")).toBeUndefined();
  });
  it("writes the keys where chart 41 reads them: accessLog, service.spec", () => {
    expect(v("accessLog")).toEqual({ enabled: true });
    expect(v("logs")).toBeUndefined();
    expect(v("service")).toEqual({ spec: { type: "LoadBalancer", externalTrafficPolicy: "Local" } });
  });
  it("keeps the load balancer's source ranges and static IP under service.spec", () => {
    const s = traefikValues(resolveTraefikArgs("edge", { ...base, loadBalancerSourceRanges: ["203.0.113.0/24"], loadBalancerIp: "198.51.100.7" }));
    expect(valueAt(s, "service.spec")).toMatchObject({ type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"], loadBalancerIP: "198.51.100.7" });
    expect(valueAt(s, "service.loadBalancerSourceRanges")).toBeUndefined();
  });
  it("keeps a PDB, pinned image, LoadBalancer Service and the restricted seccomp profile", () => {
    expect(v("podDisruptionBudget")).toEqual({ enabled: true, minAvailable: 1 });
    expect(v("image.tag")).toMatch(/^v3\.\d+\.\d+$/);
    expect(v("service.spec.type")).toBe("LoadBalancer");
    expect(v("podSecurityContext.seccompProfile")).toEqual({ type: "RuntimeDefault" });
    expect(v("securityContext.capabilities.drop")).toEqual(["ALL"]);
    expect(v("ports.websecure.http.middlewares")).toEqual(["traefik-security-headers@kubernetescrd"]);
    expect(v("ports.websecure.http.tls")).toEqual({ enabled: true });
  });
});

describe("Traefik", () => {
  const program = (extra: Partial<TraefikArgs> = {}) => () => {
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    new Traefik("edge", { ...base, monitoringNamespace: "monitoring", ...extra }, { provider });
  };

  it("installs the pinned chart in its own restricted namespace, the only one allowed a LoadBalancer", async () => {
    const { plan } = await runProgram(program());
    const release = plan.one("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({ chart: "traefik", version: TRAEFIK_CHART.version, repositoryOpts: { repo: TRAEFIK_CHART.repo }, namespace: "traefik", name: "traefik" });
    expect(release.inputs.values).toMatchObject({ deployment: { replicas: 3 }, service: { spec: { type: "LoadBalancer" } } });
    expect(release.provider).toMatch(/::k8s::/);
    expect(plan.one("kubernetes:core/v1:Namespace").inputs.metadata).toMatchObject({ name: "traefik", labels: { env: "shared", "pod-security.kubernetes.io/enforce": "restricted" } });
    expect(plan.one("kubernetes:core/v1:ResourceQuota").inputs).toMatchObject({ spec: { hard: { "services.loadbalancers": "1" } } });
    // Every Kubernetes resource goes through the explicit provider.
    for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:"))) expect(r.provider, r.name).toMatch(/::k8s::/);
  });

  it("passes the chart-values check: every key exists in chart 41.3.0 and its schema accepts the values", async () => {
    const { plan } = await runProgram(program({ loadBalancerSourceRanges: ["203.0.113.0/24"], minTlsVersion: "VersionTLS13" }));
    expect(chartValuesCheck.run({ stack: "test", resources: plan.resources, upstream: [] })).toEqual([]);
  });

  it("declares a default TLSOption (sniStrict) and the security-headers Middleware, valid against the vendored CRDs", async () => {
    const { plan } = await runProgram(program());
    const tls = plan.one("kubernetes:traefik.io/v1alpha1:TLSOption");
    expect(tls.inputs).toMatchObject({ metadata: { name: "default", namespace: "traefik" }, spec: { minVersion: "VersionTLS12", sniStrict: true } });
    const headers = plan.one("kubernetes:traefik.io/v1alpha1:Middleware");
    expect(headers.inputs).toMatchObject({ metadata: { name: "security-headers" }, spec: { headers: { stsSeconds: 31536000, frameDeny: true } } });
    for (const r of plan.resources) {
      const v = validateRecordedResource(r);
      if (v) expect(v.errors, r.name).toEqual([]);
    }
    expect(tls.dependencies).toContain(plan.one("kubernetes:helm.sh/v3:Release").urn);
  });

  it("raises the TLS minimum to 1.3 per env, without TLS 1.2 cipher suites", async () => {
    const { plan } = await runProgram(program({ minTlsVersion: "VersionTLS13" }));
    const spec = plan.one("kubernetes:traefik.io/v1alpha1:TLSOption").inputs.spec as Record<string, unknown>;
    expect(spec.minVersion).toBe("VersionTLS13");
    expect(spec.cipherSuites).toBeUndefined();
  });

  it("opens only the entry ports from the internet, the API server, the backends and metrics scraping", async () => {
    const { plan } = await runProgram(program());
    const names = plan.ofType(NP).map((p) => p.name).sort();
    expect(names).toEqual(["edge-ns-allow-apiserver", "edge-ns-allow-dns", "edge-ns-allow-metrics-from-monitoring", "edge-ns-allow-to-backends", "edge-ns-allow-web-from-internet", "edge-ns-default-deny"]);
    expect(plan.one(NP, "edge-ns-allow-web-from-internet").inputs.spec).toMatchObject({
      ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { namespaceSelector: {} }], ports: [{ port: 8000 }, { port: 8443 }] }],
    });
    expect(plan.one(NP, "edge-ns-allow-to-backends").inputs.spec).toMatchObject({ policyTypes: ["Egress"] });
  });
});

import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../model/k8s-schema";
import { valueAt, type Plan } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { ApiGateway, GENERAL_RATE_LIMIT, rateLimitSpec, resolveApiGatewayArgs, UPLOAD_MAX_BODY_BYTES, type ApiGatewayArgs } from "./index";

const base: ApiGatewayArgs = {
  namespace: "shareyoursales-prod",
  host: "app.shareyoursales.ma",
  issuer: { name: "letsencrypt-production" },
  routes: [
    { pathPrefix: "/api/auth", service: "auth", port: 80 },
    { pathPrefix: "/api/products", service: "product", port: 80 },
    { pathPrefix: "/api/products/upload", service: "product", port: 80, maxBodyBytes: UPLOAD_MAX_BODY_BYTES },
    { pathPrefix: "/api/tracking", service: "tracking", port: 80 },
    { pathPrefix: "/api/payments", service: "payment", port: 80, rateLimit: { average: 10, period: "1s", burst: 20 } },
    { pathPrefix: "/api/analytics", service: "analytics", port: 80 },
  ],
  frontend: { service: "frontend", port: "http" },
};
const MW = "kubernetes:traefik.io/v1alpha1:Middleware";
const IR = "kubernetes:traefik.io/v1alpha1:IngressRoute";

async function plan(args: Partial<ApiGatewayArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    new ApiGateway("gw", { ...base, ...args }, { provider });
  });
  return plan;
}

const schemaErrors = (p: Plan) =>
  p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });

interface Route { match: string; middlewares: { name: string }[]; services: { name: string; port: number | string }[] }

describe("resolveApiGatewayArgs", () => {
  it("puts the login router first, with 5 per minute and a burst of 5 (shareyoursales.md § Sécurité), and the frontend last", () => {
    const r = resolveApiGatewayArgs("gw", base);
    expect(r.routers[0]).toMatchObject({ role: "login", pathPrefix: "/api/auth/login", service: "auth", port: 80, rateLimit: { average: 5, period: "1m", burst: 5 } });
    expect(r.routers.at(-1)).toMatchObject({ role: "frontend", service: "frontend", rateLimit: GENERAL_RATE_LIMIT });
    expect(r.routers.find((x) => x.pathPrefix === "/api/products/upload")).toMatchObject({ role: "api-products-upload", maxBodyBytes: 5 * 1024 * 1024 });
    expect(r.trustedProxyDepth).toBe(0);
  });

  it("refuses a login path no route covers, a root or duplicate prefix, and a zero rate", () => {
    const noAuth = base.routes.filter((x) => x.service !== "auth");
    expect(() => resolveApiGatewayArgs("gw", { ...base, routes: noAuth })).toThrow(ComponentArgsError);
    expect(() => resolveApiGatewayArgs("gw", { ...base, routes: noAuth })).toThrow(/loginPath "\/api\/auth\/login" lies under no route .*expected the auth service's prefix/);
    expect(() => resolveApiGatewayArgs("gw", { ...base, routes: [...base.routes, { pathPrefix: "/", service: "x", port: 80 }] })).toThrow(/below the root/);
    expect(() => resolveApiGatewayArgs("gw", { ...base, routes: [...base.routes, { pathPrefix: "/api/auth", service: "auth2", port: 80 }] })).toThrow(/routed twice/);
    expect(() => resolveApiGatewayArgs("gw", { ...base, generalRateLimit: { average: 0 } })).toThrow(/generalRateLimit.average must be a positive integer, got 0/);
    expect(() => resolveApiGatewayArgs("gw", { ...base, routes: [{ pathPrefix: "/api/auth`) || Host(`x", service: "auth", port: 80 }] })).toThrow(/pathPrefix/);
  });

  it("refuses an HTTP entry point, a proxy depth out of range and a Redis without endpoints", () => {
    expect(() => resolveApiGatewayArgs("gw", { ...base, entryPoints: ["web", "websecure"] })).toThrow(/HTTPS only/);
    expect(() => resolveApiGatewayArgs("gw", { ...base, trustedProxyDepth: -1 })).toThrow(/trustedProxyDepth must be an integer from 0 to 5, got -1/);
    expect(() => resolveApiGatewayArgs("gw", { ...base, rateLimitRedis: { endpoints: [] } })).toThrow(/rateLimitRedis.endpoints is empty/);
  });
});

describe("rateLimitSpec", () => {
  it("keys on the connection's source address at depth 0 and on X-Forwarded-For behind a Google L7 load balancer", () => {
    expect(valueAt(rateLimitSpec({ average: 5, period: "1m", burst: 5 }, 0), "rateLimit.sourceCriterion")).toEqual({ ipStrategy: { ipv6Subnet: 64 } });
    expect(valueAt(rateLimitSpec({ average: 5, period: "1m", burst: 5 }, 2), "rateLimit.sourceCriterion.ipStrategy.depth")).toBe(2);
  });
});

describe("ApiGateway", () => {
  it("creates one Certificate, one IngressRoute and its Middlewares, every one valid against the vendored CRDs", async () => {
    const p = await plan();
    expect(p.counts()).toMatchObject({ "kubernetes:cert-manager.io/v1:Certificate": 1, [IR]: 1, [MW]: 5 });
    expect(schemaErrors(p)).toEqual([]);
    // The kinds are known to the validator (an unknown kind would validate as nothing).
    for (const r of [p.one(IR), ...p.ofType(MW), p.one("kubernetes:cert-manager.io/v1:Certificate")]) expect(validateRecordedResource(r)?.valid, r.name).toBe(true);
    const bad = { ...p.one(MW, "gw-rate-limit"), inputs: { ...p.one(MW, "gw-rate-limit").inputs, spec: { rateLimit: { average: -1 } } } };
    expect(validateRecordedResource(bad)?.valid).toBe(false);
    const component = p.one("platform:k8s:ApiGateway");
    for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(r.parent, r.name).toBe(component.urn);
      expect(r.name.startsWith("gw-"), r.name).toBe(true);
    }
    expect(p.ofType(MW).map((m) => valueAt(m.inputs, "metadata.name")).sort()).toEqual([
      "gw-api-products-upload-body-limit",
      "gw-login-rate-limit",
      "gw-payment-rate-limit",
      "gw-rate-limit",
      "gw-security-headers",
    ]);
  });

  it("routes the login path through the 5/minute limit and the upload path through a 5 MB body limit", async () => {
    const p = await plan();
    const routes = valueAt(p.one(IR).inputs, "spec.routes") as Route[];
    const byMatch = (m: string) => routes.find((x) => x.match === m)!;
    const login = byMatch("Host(`app.shareyoursales.ma`) && PathPrefix(`/api/auth/login`)");
    expect(login.middlewares.map((m) => m.name)).toEqual(["gw-security-headers", "gw-login-rate-limit"]);
    expect(login.services).toEqual([{ kind: "Service", name: "auth", port: 80 }]);
    expect(valueAt(p.one(MW, "gw-login-rate-limit").inputs, "spec.rateLimit")).toMatchObject({ average: 5, period: "1m", burst: 5 });
    const upload = byMatch("Host(`app.shareyoursales.ma`) && PathPrefix(`/api/products/upload`)");
    expect(upload.middlewares.map((m) => m.name)).toEqual(["gw-security-headers", "gw-rate-limit", "gw-api-products-upload-body-limit"]);
    expect(valueAt(p.one(MW, "gw-api-products-upload-body-limit").inputs, "spec.buffering.maxRequestBodyBytes")).toBe(5242880);
    expect(byMatch("Host(`app.shareyoursales.ma`)").services).toEqual([{ kind: "Service", name: "frontend", port: "http" }]);
    expect(byMatch("Host(`app.shareyoursales.ma`) && PathPrefix(`/api/payments`)").middlewares.map((m) => m.name)).toContain("gw-payment-rate-limit");
    expect(routes).toHaveLength(8);
  });

  it("serves TLS from the issuer's certificate and waits for the CRDs and the certificate", async () => {
    const p = await plan();
    const cert = p.one("kubernetes:cert-manager.io/v1:Certificate");
    expect(valueAt(cert.inputs, "spec")).toMatchObject({ secretName: "gw-tls", dnsNames: ["app.shareyoursales.ma"], issuerRef: { name: "letsencrypt-production", kind: "ClusterIssuer" } });
    const ir = p.one(IR);
    expect(valueAt(ir.inputs, "spec.tls")).toEqual({ secretName: "gw-tls" });
    expect(valueAt(ir.inputs, "spec.entryPoints")).toEqual(["websecure"]);
    expect(ir.dependencies).toContain(cert.urn);
  });

  it("shares the rate-limit buckets through Redis when given one", async () => {
    const p = await plan({ rateLimitRedis: { endpoints: ["redis.shareyoursales-prod.svc:6379"], secret: "gateway-redis" } });
    expect(valueAt(p.one(MW, "gw-rate-limit").inputs, "spec.rateLimit.redis")).toEqual({ endpoints: ["redis.shareyoursales-prod.svc:6379"], secret: "gateway-redis" });
    expect(schemaErrors(p)).toEqual([]);
  });

  it("outputs the host, the Middleware names and what Traefik must reach", async () => {
    const { evaluation } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const gw = new ApiGateway("gw", base, { provider });
      return { host: gw.host, middlewares: gw.middlewareNames, namespaces: gw.backendNamespaces, backends: gw.backends };
    });
    expect(evaluation.outputs.host).toBe("app.shareyoursales.ma");
    expect(evaluation.outputs.middlewares).toMatchObject({ "security-headers": "gw-security-headers", "login-rate-limit": "gw-login-rate-limit", "rate-limit": "gw-rate-limit" });
    expect(evaluation.outputs.namespaces).toEqual(["shareyoursales-prod"]);
    expect(evaluation.outputs.backends).toContainEqual({ service: "frontend", port: "http" });
    expect((evaluation.outputs.backends as unknown[]).length).toBe(6);
  });
});

import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../model/k8s-schema";
import { valueAt, type Plan } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { ApiGateway, GENERAL_RATE_LIMIT, rateLimitSpec, resolveApiGatewayArgs, type ApiGatewayArgs } from "./index";

/** The documents' figures the stacks pass (shareyoursales.md "MAX_FILE_SIZE = 5MB", crm-courtier.md "Upload 200MB"). */
const UPLOAD_MAX_BODY_BYTES = 5 * 1024 * 1024;
const LARGE_UPLOAD_MAX_BODY_BYTES = 200 * 1024 * 1024;
const LOGIN = { path: "/api/auth/login", rateLimit: { average: 5, period: "1m", burst: 5 } };

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
  login: LOGIN,
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
    expect(() => resolveApiGatewayArgs("gw", { ...base, routes: noAuth })).toThrow(/loginPath "\/api\/auth\/login" lies under no route .*expected the prefix of the service that logs users in/);
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

describe("ApiGateway for a multi-tenant CRM (crm-courtier.md)", () => {
  const CERT = "kubernetes:cert-manager.io/v1:Certificate";
  const crm: ApiGatewayArgs = {
    namespace: "crm-prod",
    host: "app.crm-courtier.fr",
    issuer: { name: "letsencrypt-production" },
    routes: [
      { pathPrefix: "/api/auth", service: "api", port: 80 },
      { pathPrefix: "/api/calls/audio", service: "api", port: 80, maxBodyBytes: LARGE_UPLOAD_MAX_BODY_BYTES, rateLimit: { average: 10, period: "1m", burst: 5 } },
      { pathPrefix: "/api/ai", service: "api", port: 80, rateLimit: { average: 30, period: "1m", burst: 10 } },
      { pathPrefix: "/api", service: "api", port: 80 },
    ],
    frontend: { service: "frontend", port: 80 },
    login: LOGIN,
  };
  const crmPlan = async (args: Partial<ApiGatewayArgs> = {}) =>
    (
      await runProgram(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        new ApiGateway("crm", { ...crm, ...args }, { provider });
      })
    ).plan;

  it("serves each firm's host with its own Certificate and IngressRoute, the same routes and the shared Middlewares", async () => {
    const p = await crmPlan({ tenantHosts: { "cabinet-dupont": "dupont.crm-courtier.fr", "assur-martin": "martin-assurances.fr" } });
    expect(p.counts()).toMatchObject({ [CERT]: 3, [IR]: 3 });
    // Middlewares are made once, whatever the number of hosts.
    expect(p.ofType(MW)).toHaveLength((await crmPlan()).ofType(MW).length);
    expect(schemaErrors(p)).toEqual([]);
    const cert = p.one(CERT, "crm-tenant-cabinet-dupont-certificate");
    expect(valueAt(cert.inputs, "spec")).toMatchObject({ secretName: "crm-tenant-cabinet-dupont-tls", dnsNames: ["dupont.crm-courtier.fr"], issuerRef: { name: "letsencrypt-production" } });
    const ir = p.one(IR, "crm-tenant-cabinet-dupont");
    expect(valueAt(ir.inputs, "metadata.name")).toBe("crm-tenant-cabinet-dupont");
    expect(valueAt(ir.inputs, "spec.tls")).toEqual({ secretName: "crm-tenant-cabinet-dupont-tls" });
    expect(ir.dependencies).toContain(cert.urn);
    // The same routes as the main host, with the host swapped.
    const main = valueAt(p.one(IR, "crm-ingressroute").inputs, "spec.routes") as Route[];
    const tenant = valueAt(ir.inputs, "spec.routes") as Route[];
    expect(tenant).toEqual(main.map((x) => ({ ...x, match: x.match.replace("Host(`app.crm-courtier.fr`)", "Host(`dupont.crm-courtier.fr`)") })));
    expect(tenant.every((x) => x.match.startsWith("Host(`dupont.crm-courtier.fr`)"))).toBe(true);
    for (const m of p.ofType(MW)) expect(m.name.includes("tenant"), m.name).toBe(false);
  });

  it("names a firm's resources after its id alone: adding a firm leaves the others' names and inputs as they were", async () => {
    const one = await crmPlan({ tenantHosts: { "cabinet-dupont": "dupont.crm-courtier.fr" } });
    const two = await crmPlan({ tenantHosts: { "assur-martin": "martin-assurances.fr", "cabinet-dupont": "dupont.crm-courtier.fr" } });
    for (const r of one.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      const same = two.resources.find((x) => x.urn === r.urn);
      expect(same, r.urn).toBeDefined();
      expect(same!.inputs, r.urn).toEqual(r.inputs);
    }
    expect(two.resources.filter((x) => x.name.startsWith("crm-tenant-assur-martin")).map((x) => x.name).sort()).toEqual(["crm-tenant-assur-martin", "crm-tenant-assur-martin-certificate"]);
  });

  it("serves the firms directly under the tenant domain from one DNS-01 wildcard, and a firm on its own domain from its own HTTP-01 certificate", async () => {
    const tenantWildcard = { domain: "crm-courtier.fr", issuer: { name: "letsencrypt-production-dns01" } };
    const p = await crmPlan({
      tenantHosts: { "cabinet-dupont": "dupont.crm-courtier.fr", "cabinet-durand": "durand.crm-courtier.fr", "assur-martin": "martin-assurances.fr", deep: "x.deep.crm-courtier.fr" },
      tenantWildcard,
    });
    // The host's certificate, the wildcard, and one each for the firm on its own domain and the one a label too deep.
    expect(p.counts()).toMatchObject({ [CERT]: 4, [IR]: 5 });
    expect(schemaErrors(p)).toEqual([]);
    const wildcard = p.one(CERT, "crm-wildcard-certificate");
    expect(valueAt(wildcard.inputs, "metadata")).toMatchObject({ name: "crm-wildcard-tls", namespace: "crm-prod" });
    expect(valueAt(wildcard.inputs, "spec")).toMatchObject({ secretName: "crm-wildcard-tls", dnsNames: ["*.crm-courtier.fr"], issuerRef: { name: "letsencrypt-production-dns01", kind: "ClusterIssuer", group: "cert-manager.io" } });
    for (const id of ["cabinet-dupont", "cabinet-durand"]) {
      const ir = p.one(IR, `crm-tenant-${id}`);
      expect(valueAt(ir.inputs, "spec.tls"), id).toEqual({ secretName: "crm-wildcard-tls" });
      expect(ir.dependencies, id).toContain(wildcard.urn);
      expect(p.resources.some((r) => r.name === `crm-tenant-${id}-certificate`), id).toBe(false);
    }
    for (const [id, host] of [["assur-martin", "martin-assurances.fr"], ["deep", "x.deep.crm-courtier.fr"]]) {
      expect(valueAt(p.one(CERT, `crm-tenant-${id}-certificate`).inputs, "spec"), id).toMatchObject({ dnsNames: [host], issuerRef: { name: "letsencrypt-production" } });
      expect(valueAt(p.one(IR, `crm-tenant-${id}`).inputs, "spec.tls"), id).toEqual({ secretName: `crm-tenant-${id}-tls` });
    }
    // The platform's own host keeps its certificate from `issuer`, even under the tenant domain.
    expect(valueAt(p.one(IR, "crm-ingressroute").inputs, "spec.tls")).toEqual({ secretName: "crm-tls" });
    expect(valueAt(p.one(CERT, "crm-certificate").inputs, "spec.issuerRef.name")).toBe("letsencrypt-production");
    // Adding a firm under the wildcard adds its route only; the wildcard and the others stay as they were.
    const more = await crmPlan({
      tenantHosts: { "cabinet-dupont": "dupont.crm-courtier.fr", "cabinet-durand": "durand.crm-courtier.fr", "assur-martin": "martin-assurances.fr", deep: "x.deep.crm-courtier.fr", "cabinet-petit": "petit.crm-courtier.fr" },
      tenantWildcard,
    });
    for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:"))) expect(more.resources.find((x) => x.urn === r.urn)?.inputs, r.urn).toEqual(r.inputs);
    expect(more.resources.filter((x) => !p.resources.some((y) => y.urn === x.urn)).map((x) => x.name)).toEqual(["crm-tenant-cabinet-petit"]);
    // Without tenantWildcard, no wildcard at all.
    expect((await crmPlan({ tenantHosts: { "cabinet-dupont": "dupont.crm-courtier.fr" } })).resources.some((r) => r.name === "crm-wildcard-certificate")).toBe(false);
  });

  it("outputs each tenant's TLS Secret", async () => {
    const { evaluation } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const gw = new ApiGateway("crm", { ...crm, tenantHosts: { "cabinet-dupont": "dupont.crm-courtier.fr", "assur-martin": "martin-assurances.fr" }, tenantWildcard: { domain: "crm-courtier.fr", issuer: { name: "letsencrypt-production-dns01" } } }, { provider });
      return { tenantTlsSecrets: gw.tenantTlsSecrets };
    });
    expect(evaluation.outputs.tenantTlsSecrets).toEqual({ "cabinet-dupont": "crm-wildcard-tls", "assur-martin": "crm-tenant-assur-martin-tls" });
  });

  it("outputs the tenants' URLs", async () => {
    const { evaluation } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const gw = new ApiGateway("crm", { ...crm, tenantHosts: { "cabinet-dupont": "dupont.crm-courtier.fr" } }, { provider });
      return { tenantUrls: gw.tenantUrls };
    });
    expect(evaluation.outputs.tenantUrls).toEqual({ "cabinet-dupont": "https://dupont.crm-courtier.fr" });
  });

  it("throttles the critical routes with their own limits and lets the audio upload carry 200 MB", async () => {
    const p = await crmPlan();
    const routes = valueAt(p.one(IR).inputs, "spec.routes") as Route[];
    const audio = routes.find((x) => x.match.endsWith("PathPrefix(`/api/calls/audio`)"))!;
    expect(audio.middlewares.map((m) => m.name)).toEqual(["crm-security-headers", "crm-api-calls-audio-rate-limit", "crm-api-calls-audio-body-limit"]);
    expect(valueAt(p.one(MW, "crm-api-calls-audio-body-limit").inputs, "spec.buffering.maxRequestBodyBytes")).toBe(209715200);
    expect(valueAt(p.one(MW, "crm-api-calls-audio-rate-limit").inputs, "spec.rateLimit")).toMatchObject({ average: 10, period: "1m", burst: 5 });
    expect(valueAt(p.one(MW, "crm-api-ai-rate-limit").inputs, "spec.rateLimit")).toMatchObject({ average: 30, period: "1m", burst: 10 });
    // The other routes keep the general limit and no body limit.
    const api = routes.find((x) => x.match.endsWith("PathPrefix(`/api`)"))!;
    expect(api.middlewares.map((m) => m.name)).toEqual(["crm-security-headers", "crm-rate-limit"]);
    expect(schemaErrors(p)).toEqual([]);
  });

  it("adds strict CORS headers on every route of every host, valid against Traefik's Middleware CRD", async () => {
    const p = await crmPlan({ cors: { allowedOrigins: ["https://app.crm-courtier.fr", "https://admin.crm-courtier.fr"], allowCredentials: true }, tenantHosts: { dupont: "dupont.crm-courtier.fr" } });
    const mw = p.one(MW, "crm-cors");
    expect(valueAt(mw.inputs, "metadata.name")).toBe("crm-cors");
    expect(valueAt(mw.inputs, "spec.headers")).toEqual({
      accessControlAllowOriginList: ["https://app.crm-courtier.fr", "https://admin.crm-courtier.fr"],
      accessControlAllowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      accessControlAllowHeaders: ["Authorization", "Content-Type", "Accept", "X-Requested-With", "X-CSRF-TOKEN", "X-XSRF-TOKEN"],
      accessControlAllowCredentials: true,
      accessControlMaxAge: 600,
      addVaryHeader: true,
    });
    expect(validateRecordedResource(mw)?.valid).toBe(true);
    const badField = { ...mw, inputs: { ...mw.inputs, spec: { headers: { accessControlAllowOrigins: ["x"] } } } };
    expect(validateRecordedResource(badField)?.valid).toBe(false);
    for (const ir of p.ofType(IR)) {
      for (const route of valueAt(ir.inputs, "spec.routes") as Route[]) expect(route.middlewares[1], route.match).toEqual({ name: "crm-cors" });
    }
    expect(schemaErrors(p)).toEqual([]);
    // Without cors, no CORS Middleware at all.
    expect((await crmPlan()).ofType(MW).some((m) => m.name === "crm-cors")).toBe(false);
  });

  it("refuses bad tenants and loose CORS, naming what was expected and what was given", () => {
    const bad: [Partial<ApiGatewayArgs>, RegExp][] = [
      [{ tenantHosts: { "Cabinet Dupont": "dupont.crm-courtier.fr" } }, /tenantHosts key "Cabinet Dupont" must be a firm id that is a DNS-1123 label/],
      [{ tenantHosts: { ["x".repeat(41)]: "dupont.crm-courtier.fr" } }, /at most 40 characters/],
      [{ tenantHosts: { dupont: "Dupont.fr" } }, /tenantHosts.dupont "Dupont.fr" is not a lowercase DNS name/],
      [{ tenantHosts: { dupont: "app.crm-courtier.fr" } }, /tenantHosts.dupont "app.crm-courtier.fr" is already served by host/],
      [{ tenantHosts: { a: "x.crm-courtier.fr", b: "x.crm-courtier.fr" } }, /tenantHosts.b "x.crm-courtier.fr" is already served by tenantHosts.a/],
      [{ tenantWildcard: { domain: "*.crm-courtier.fr", issuer: { name: "letsencrypt-production-dns01" } } }, /tenantWildcard.domain "\*.crm-courtier.fr" is not a lowercase DNS name \(expected the parent of the tenant hosts, e.g. crm-courtier.fr, without "\*."\)/],
      [{ tenantWildcard: { domain: "crm-courtier.fr", issuer: { name: "" } } }, /tenantWildcard.issuer.name is empty: the wildcard Certificate needs a cert-manager issuer that solves DNS-01/],
      [{ cors: { allowedOrigins: [] } }, /cors.allowedOrigins is empty/],
      [{ cors: { allowedOrigins: ["*"] } }, /cors.allowedOrigins has "\*": expected an exact origin/],
      [{ cors: { allowedOrigins: ["https://*.crm-courtier.fr"] } }, /has "https:\/\/\*.crm-courtier.fr"/],
      [{ cors: { allowedOrigins: ["https://app.crm-courtier.fr/"] } }, /no trailing slash/],
      [{ cors: { allowedOrigins: ["http://app.crm-courtier.fr"] } }, /expected an exact origin/],
      [{ cors: { allowedOrigins: ["https://a.fr", "https://a.fr"] } }, /lists an origin twice/],
      [{ cors: { allowedOrigins: ["https://a.fr"], allowedHeaders: ["*"] } }, /cors.allowedHeaders must name headers \(no "\*"/],
      [{ cors: { allowedOrigins: ["https://a.fr"], allowedMethods: ["get"] } }, /cors.allowedMethods must be upper-case HTTP methods, got \[get\]/],
      [{ cors: { allowedOrigins: ["https://a.fr"], maxAgeSeconds: -1 } }, /cors.maxAgeSeconds must be an integer from 0 to 86400, got -1/],
    ];
    for (const [args, message] of bad) {
      expect(() => resolveApiGatewayArgs("crm", { ...crm, ...args }), JSON.stringify(args)).toThrow(ComponentArgsError);
      expect(() => resolveApiGatewayArgs("crm", { ...crm, ...args }), JSON.stringify(args)).toThrow(message);
    }
    expect(() => resolveApiGatewayArgs("crm", { ...crm, cors: { allowedOrigins: ["http://localhost:3000"] } })).not.toThrow();
  });
});

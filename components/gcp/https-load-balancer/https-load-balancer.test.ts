import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import {
  DEFAULT_WAF_RULES,
  HTTPS_LOAD_BALANCER_TYPE,
  HttpsLoadBalancer,
  HttpsLoadBalancerArgs,
  PRIORITY,
  armorRules,
  resolveHttpsLoadBalancerArgs,
} from "./index";

const BACKEND = "gcp:compute/backendService:BackendService";
const URL_MAP = "gcp:compute/uRLMap:URLMap";
const RULE = "gcp:compute/globalForwardingRule:GlobalForwardingRule";

function args(overrides: Partial<HttpsLoadBalancerArgs> = {}): HttpsLoadBalancerArgs {
  return {
    domains: ["quickfund.fr", "www.quickfund.fr"],
    backends: {
      api: { serviceName: "qf-api", region: "europe-west1", paths: ["/api", "/api/*"] },
      frontend: { serviceName: "qf-web", region: "europe-west1", cdn: true },
    },
    defaultBackend: "frontend",
    ...overrides,
  };
}

type Rule = { priority: number; action: string; match: unknown; rateLimitOptions?: unknown; preview?: boolean };

describe("HttpsLoadBalancer", () => {
  it("builds the full global external ALB with a redirect, NEGs, CDN on the frontend and Cloud Armor everywhere", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer("qf", args({ labels: { app: "quickfund" } }));
    });
    expect(plan.counts()).toEqual({
      "gcp:compute/backendService:BackendService": 2,
      "gcp:compute/globalAddress:GlobalAddress": 1,
      "gcp:compute/globalForwardingRule:GlobalForwardingRule": 2,
      "gcp:compute/managedSslCertificate:ManagedSslCertificate": 1,
      "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": 2,
      "gcp:compute/sSLPolicy:SSLPolicy": 1,
      "gcp:compute/securityPolicy:SecurityPolicy": 1,
      "gcp:compute/targetHttpProxy:TargetHttpProxy": 1,
      "gcp:compute/targetHttpsProxy:TargetHttpsProxy": 1,
      "gcp:compute/uRLMap:URLMap": 2,
      "platform:gcp:HttpsLoadBalancer": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one(HTTPS_LOAD_BALANCER_TYPE);
    for (const child of plan.resources.filter((r) => r.custom)) expect(child.parent, child.name).toBe(component.urn);

    expect(plan.one("gcp:compute/managedSslCertificate:ManagedSslCertificate").inputs).toMatchObject({ type: "MANAGED", managed: { domains: ["quickfund.fr", "www.quickfund.fr"] } });
    expect(plan.one("gcp:compute/sSLPolicy:SSLPolicy").inputs).toMatchObject({ profile: "MODERN", minTlsVersion: "TLS_1_2" });
    const address = plan.one("gcp:compute/globalAddress:GlobalAddress");
    expect(address.inputs).toMatchObject({ ipVersion: "IPV4", addressType: "EXTERNAL", labels: { app: "quickfund" } });
    expect(address.options.protect).toBe(true);

    for (const key of ["api", "frontend"]) {
      const neg = plan.one("gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup", `qf-${key}-neg`);
      expect(neg.inputs).toMatchObject({ region: "europe-west1", networkEndpointType: "SERVERLESS", cloudRun: { service: key === "api" ? "qf-api" : "qf-web" } });
      const backend = plan.one(BACKEND, `qf-${key}-backend`);
      expect(backend.inputs).toMatchObject({ loadBalancingScheme: "EXTERNAL_MANAGED", logConfig: { enable: true, sampleRate: 1 } });
      expect(backend.inputs.healthChecks).toBeUndefined();
      expect(backend.dependencies).toContain(plan.one("gcp:compute/securityPolicy:SecurityPolicy").urn);
      expect(backend.dependencies).toContain(neg.urn);
    }
    expect(plan.one(BACKEND, "qf-frontend-backend").inputs).toMatchObject({ enableCdn: true, cdnPolicy: { cacheMode: "CACHE_ALL_STATIC", defaultTtl: 3600, maxTtl: 86400, clientTtl: 3600 } });
    expect(plan.one(BACKEND, "qf-api-backend").inputs).toMatchObject({ enableCdn: false });
    expect(plan.one(BACKEND, "qf-api-backend").inputs.cdnPolicy).toBeUndefined();

    const urlMap = plan.one(URL_MAP, "qf-url-map");
    expect(valueAt(urlMap.inputs, "hostRules")).toEqual([{ hosts: ["quickfund.fr", "www.quickfund.fr"], pathMatcher: "main" }]);
    expect(valueAt(urlMap.inputs, "pathMatchers[0].pathRules[0].paths")).toEqual(["/api", "/api/*"]);
    expect(valueAt(urlMap.inputs, "pathMatchers[0].pathRules")).toHaveLength(1);
    expect(urlMap.dependencies).toEqual(expect.arrayContaining([plan.one(BACKEND, "qf-api-backend").urn, plan.one(BACKEND, "qf-frontend-backend").urn]));

    const httpsProxy = plan.one("gcp:compute/targetHttpsProxy:TargetHttpsProxy");
    expect(httpsProxy.dependencies).toEqual(
      expect.arrayContaining([urlMap.urn, plan.one("gcp:compute/sSLPolicy:SSLPolicy").urn, plan.one("gcp:compute/managedSslCertificate:ManagedSslCertificate").urn]),
    );
    expect(plan.one(RULE, "qf-https").inputs).toMatchObject({ portRange: "443", ipProtocol: "TCP", loadBalancingScheme: "EXTERNAL_MANAGED", ipAddress: UNKNOWN, labels: { app: "quickfund" } });
    expect(plan.one(RULE, "qf-https").dependencies).toContain(httpsProxy.urn);

    expect(plan.one(URL_MAP, "qf-redirect-map").inputs.defaultUrlRedirect).toEqual({ httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false });
    expect(plan.one(RULE, "qf-http").inputs).toMatchObject({ portRange: "80", loadBalancingScheme: "EXTERNAL_MANAGED" });
    expect(plan.one(RULE, "qf-http").dependencies).toContain(plan.one("gcp:compute/targetHttpProxy:TargetHttpProxy").urn);
  });

  it("Cloud Armor: OWASP WAF deny rules first, then the auth rate-based ban, then default allow", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer("qf", args());
    });
    const policy = plan.one("gcp:compute/securityPolicy:SecurityPolicy");
    expect(policy.inputs).toMatchObject({ type: "CLOUD_ARMOR", advancedOptionsConfig: { jsonParsing: "STANDARD" } });
    expect(policy.inputs.adaptiveProtectionConfig).toBeUndefined();
    const rules = policy.inputs.rules as Rule[];
    expect(rules).toHaveLength(DEFAULT_WAF_RULES.length + 2);
    const waf = rules.filter((r) => r.action === "deny(403)");
    expect(waf.map((r) => valueAt(r, "match.expr.expression"))).toContain("evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})");
    expect(waf.map((r) => valueAt(r, "match.expr.expression"))).toContain("evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})");
    expect(waf.every((r) => r.preview === false)).toBe(true);
    const ban = rules.find((r) => r.action === "rate_based_ban")!;
    expect(ban.priority).toBeGreaterThan(Math.max(...waf.map((r) => r.priority)));
    expect(valueAt(ban, "match.expr.expression")).toBe("request.path.startsWith('/api/auth/')");
    expect(ban.rateLimitOptions).toEqual({
      conformAction: "allow",
      exceedAction: "deny(429)",
      enforceOnKey: "IP",
      rateLimitThreshold: { count: 20, intervalSec: 60 },
      banDurationSec: 600,
    });
    expect(rules[rules.length - 1]).toMatchObject({ priority: 2147483647, action: "allow", match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } } });
  });

  it("options: throttle on custom prefixes, adaptive protection, TLS 1.3, no redirect", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer(
        "qf",
        args({
          minTlsVersion: "TLS_1_3",
          httpRedirect: false,
          armor: { adaptiveProtection: true, wafSensitivity: 2, authRateLimit: { action: "throttle", pathPrefixes: ["/api/auth/", "/api/otp/"], count: 100, intervalSec: 300 } },
        }),
      );
    });
    expect(plan.ofType("gcp:compute/targetHttpProxy:TargetHttpProxy")).toHaveLength(0);
    expect(plan.ofType(RULE)).toHaveLength(1);
    expect(plan.ofType(URL_MAP)).toHaveLength(1);
    expect(plan.one("gcp:compute/sSLPolicy:SSLPolicy").inputs.minTlsVersion).toBe("TLS_1_3");
    const policy = plan.one("gcp:compute/securityPolicy:SecurityPolicy");
    expect(policy.inputs.adaptiveProtectionConfig).toEqual({ layer7DdosDefenseConfig: { enable: true } });
    const throttle = (policy.inputs.rules as Rule[]).find((r) => r.action === "throttle")!;
    expect(valueAt(throttle, "match.expr.expression")).toBe("request.path.startsWith('/api/auth/') || request.path.startsWith('/api/otp/')");
    expect(valueAt(throttle, "rateLimitOptions.banDurationSec")).toBeUndefined();
    expect(valueAt(throttle, "rateLimitOptions.rateLimitThreshold")).toEqual({ count: 100, intervalSec: 300 });
  });

  it("resolves each default in one place", () => {
    const r = resolveHttpsLoadBalancerArgs("qf", args());
    expect(r).toMatchObject({ minTlsVersion: "TLS_1_2", httpRedirect: true, logSampleRate: 1, cdnTtls: { defaultTtl: 3600, maxTtl: 86400, clientTtl: 3600 }, deletionProtection: true, labels: {} });
    expect(r.backends.frontend).toMatchObject({ paths: [], cdn: true });
    expect(r.backends.api.cdn).toBe(false);
    expect(r.armor).toEqual({
      wafRules: DEFAULT_WAF_RULES,
      wafSensitivity: 1,
      preview: false,
      adaptiveProtection: false,
      authRateLimit: { pathPrefixes: ["/api/auth/"], count: 20, intervalSec: 60, action: "rate_based_ban", banDurationSec: 600 },
      rateLimits: [],
    });
    expect(DEFAULT_WAF_RULES).toEqual(expect.arrayContaining(["sqli-v33-stable", "xss-v33-stable", "lfi-v33-stable", "rce-v33-stable", "rfi-v33-stable"]));
    // CRS's default method list would block the API's PUT/PATCH/DELETE.
    expect(DEFAULT_WAF_RULES).not.toContain("methodenforcement-v33-stable");
    // authRateLimit: false removes the rule; the WAF rules and the default rule stay.
    const none = resolveHttpsLoadBalancerArgs("qf", args({ armor: { authRateLimit: false } }));
    expect(none.armor.authRateLimit).toBeUndefined();
    expect(armorRules(none.armor).map((x) => x.priority)).not.toContain(PRIORITY.authRateLimit);
    expect(armorRules(none.armor)).toHaveLength(DEFAULT_WAF_RULES.length + 1);
  });

  describe("refuses loudly", () => {
    const cases: [string, Partial<HttpsLoadBalancerArgs>, RegExp][] = [
      ["no domain", { domains: [] }, /domains is empty/],
      ["a wildcard domain", { domains: ["*.quickfund.fr"] }, /wildcards are not allowed/],
      ["an unknown default backend", { defaultBackend: "web" }, /defaultBackend "web" is not one of the backends/],
      ["a backend nothing routes to", { backends: { api: { serviceName: "a", region: "europe-west1" }, frontend: { serviceName: "f", region: "europe-west1" } } }, /backend "api" has no paths/],
      ["one path on two backends", { backends: { api: { serviceName: "a", region: "r", paths: ["/api/*"] }, frontend: { serviceName: "f", region: "r", paths: ["/api/*"] } } }, /routed to both "api" and "frontend"/],
      ["a path with an inner wildcard", { backends: { api: { serviceName: "a", region: "r", paths: ["/api/*/x"] }, frontend: { serviceName: "f", region: "r" } } }, /may end with "\/\*" only/],
      ["a WAF sensitivity of 0", { armor: { wafSensitivity: 0 } }, /wafSensitivity 0 must be 1, 2, 3 or 4/],
      ["a malformed WAF rule", { armor: { wafRules: ["sqli"] } }, /not a preconfigured rule name/],
      ["a rate-limit interval Cloud Armor rejects", { armor: { authRateLimit: { intervalSec: 45 } } }, /intervalSec 45 must be one of/],
      ["a ban threshold above 10,000", { armor: { authRateLimit: { count: 20000 } } }, /count 20000 must be between 1 and 10000 for rate_based_ban/],
      ["a path prefix that could break the CEL expression", { armor: { authRateLimit: { pathPrefixes: ["/api/auth') || true || ('"] } } }, /use only URL path characters/],
      ["CDN TTLs above maxTtl", { cdnTtls: { defaultTtl: 100000 } }, /must not exceed maxTtl/],
      ["a log sample rate above 1", { logSampleRate: 2 }, /logSampleRate 2 must be between 0 and 1/],
    ];
    for (const [what, override, message] of cases) {
      it(what, () => {
        const call = () => resolveHttpsLoadBalancerArgs("qf", args(override));
        expect(call).toThrow(ComponentArgsError);
        expect(call).toThrow(message);
        expect(call).toThrow(/^platform:gcp:HttpsLoadBalancer "qf"/);
      });
    }
  });
});

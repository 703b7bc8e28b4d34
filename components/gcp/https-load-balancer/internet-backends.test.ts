import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { HTTPS_LOAD_BALANCER_TYPE, HttpsLoadBalancer, HttpsLoadBalancerArgs, PRIORITY, armorRules, domainSlug, resolveHttpsLoadBalancerArgs, wildcardCovers } from "./index";

const BACKEND = "gcp:compute/backendService:BackendService";
const NEG = "gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup";
const ENDPOINT = "gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint";
const URL_MAP = "gcp:compute/uRLMap:URLMap";
const POLICY = "gcp:compute/securityPolicy:SecurityPolicy";
const PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy";
const AUTH = "gcp:certificatemanager/dnsAuthorization:DnsAuthorization";
const CERT = "gcp:certificatemanager/certificate:Certificate";
const MAP = "gcp:certificatemanager/certificateMap:CertificateMap";
const ENTRY = "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry";
const RECORD = "gcp:dns/recordSet:RecordSet";

type Rule = { priority: number; action: string; description?: string; rateLimitOptions?: Record<string, unknown> };

/** The CRM Courtier shape: a cluster ingress anywhere, its API and its static frontend, firms under a wildcard. */
function edge(overrides: Partial<HttpsLoadBalancerArgs> = {}): HttpsLoadBalancerArgs {
  return {
    domains: ["app.crm.fr"],
    certificateMap: { wildcardDomains: ["crm.fr"] },
    internetBackends: {
      api: { fqdn: "origin.crm.fr", paths: ["/api", "/api/*"], timeoutSec: 300 },
      web: { fqdn: "origin.crm.fr", cdn: true },
    },
    defaultBackend: "web",
    armor: {
      authRateLimit: { pathPrefixes: ["/api/login"], count: 5, action: "throttle" },
      rateLimits: [
        { pathPrefixes: ["/api/recordings"], count: 10 },
        { pathPrefixes: ["/api/ai"], count: 20, action: "rate_based_ban", banDurationSec: 300 },
      ],
    },
    ...overrides,
  };
}

describe("HttpsLoadBalancer internet backends (an origin outside Google Cloud)", () => {
  it("reaches the origin's FQDN on 443 over HTTPS through an internet NEG, Cloud Armor on every backend, CDN on the static frontend only", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer("edge", edge());
    });
    const component = plan.one(HTTPS_LOAD_BALANCER_TYPE);
    for (const child of plan.resources.filter((r) => r.custom)) expect(child.parent, child.name).toBe(component.urn);
    const policy = plan.one(POLICY);
    for (const key of ["api", "web"]) {
      const neg = plan.one(NEG, `edge-${key}-neg`);
      expect(neg.inputs).toEqual({ networkEndpointType: "INTERNET_FQDN_PORT", defaultPort: 443 });
      const endpoint = plan.one(ENDPOINT, `edge-${key}-endpoint`);
      expect(endpoint.inputs).toMatchObject({ fqdn: "origin.crm.fr", port: 443 });
      expect(endpoint.dependencies).toContain(neg.urn);
      const backend = plan.one(BACKEND, `edge-${key}-backend`);
      expect(backend.inputs).toMatchObject({ loadBalancingScheme: "EXTERNAL_MANAGED", protocol: "HTTPS", logConfig: { enable: true, sampleRate: 1 } });
      // Internet NEGs take no health check; the client's Host reaches the origin unchanged.
      expect(backend.inputs.healthChecks).toBeUndefined();
      expect(backend.inputs.customRequestHeaders).toBeUndefined();
      expect(backend.dependencies).toEqual(expect.arrayContaining([neg.urn, endpoint.urn, policy.urn]));
    }
    expect(plan.one(BACKEND, "edge-api-backend").inputs).toMatchObject({ enableCdn: false, timeoutSec: 300 });
    expect(plan.one(BACKEND, "edge-api-backend").inputs.cdnPolicy).toBeUndefined();
    expect(plan.one(BACKEND, "edge-web-backend").inputs).toMatchObject({ enableCdn: true, timeoutSec: 30, cdnPolicy: { cacheMode: "CACHE_ALL_STATIC" } });
    expect(plan.resources.filter((r) => r.type === "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup")).toEqual([]);

    const urlMap = plan.one(URL_MAP, "edge-url-map");
    expect(valueAt(urlMap.inputs, "hostRules")).toEqual([{ hosts: ["app.crm.fr", "*.crm.fr"], pathMatcher: "main" }]);
    expect(valueAt(urlMap.inputs, "pathMatchers[0].pathRules[0].paths")).toEqual(["/api", "/api/*"]);
    expect(plan.one(URL_MAP, "edge-redirect-map").inputs.defaultUrlRedirect).toMatchObject({ httpsRedirect: true });
    expect(plan.one("gcp:compute/sSLPolicy:SSLPolicy").inputs).toMatchObject({ profile: "MODERN", minTlsVersion: "TLS_1_2" });
  });

  it("forwards a fixed Host header when hostHeader is set", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer("edge", edge({ internetBackends: { web: { fqdn: "origin.crm.fr", port: 8443, hostHeader: "app.crm.fr" } } }));
    });
    expect(plan.one(BACKEND, "edge-web-backend").inputs.customRequestHeaders).toEqual(["Host: app.crm.fr"]);
    expect(plan.one(NEG, "edge-web-neg").inputs.defaultPort).toBe(8443);
    expect(plan.one(ENDPOINT, "edge-web-endpoint").inputs.port).toBe(8443);
  });

  it("rate limits: the auth rule, then each rate rule in order, throttle by default, per client IP", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer("edge", edge());
    });
    const rules = plan.one(POLICY).inputs.rules as Rule[];
    const login = rules.find((r) => r.priority === PRIORITY.authRateLimit)!;
    expect(login.action).toBe("throttle");
    expect(valueAt(login, "match.expr.expression")).toBe("request.path.startsWith('/api/login')");
    expect(login.rateLimitOptions).toEqual({ conformAction: "allow", exceedAction: "deny(429)", enforceOnKey: "IP", rateLimitThreshold: { count: 5, intervalSec: 60 } });
    const recordings = rules.find((r) => r.priority === PRIORITY.rateLimitsFirst)!;
    expect(recordings.action).toBe("throttle");
    expect(valueAt(recordings, "match.expr.expression")).toBe("request.path.startsWith('/api/recordings')");
    expect(recordings.rateLimitOptions).toEqual({ conformAction: "allow", exceedAction: "deny(429)", enforceOnKey: "IP", rateLimitThreshold: { count: 10, intervalSec: 60 } });
    const ai = rules.find((r) => r.priority === PRIORITY.rateLimitsFirst + 1)!;
    expect(ai.action).toBe("rate_based_ban");
    expect(ai.rateLimitOptions).toMatchObject({ rateLimitThreshold: { count: 20, intervalSec: 60 }, banDurationSec: 300 });
    // WAF first, rate rules after, default allow last.
    const priorities = rules.map((r) => r.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    expect(rules[rules.length - 1]).toMatchObject({ priority: PRIORITY.default, action: "allow" });
    // Without rateLimits the rules are the same as before they existed.
    const plain = resolveHttpsLoadBalancerArgs("qf", edge({ armor: {} }));
    expect(armorRules(plain.armor).some((r) => (r.priority as number) >= PRIORITY.rateLimitsFirst && r.priority !== PRIORITY.default)).toBe(false);
  });

  it("certificate map: a PER_PROJECT_RECORD DNS authorization and a wildcard certificate, one map entry per hostname, the proxy on the map", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer("edge", edge());
    });
    expect(plan.resources.filter((r) => r.type === "gcp:compute/managedSslCertificate:ManagedSslCertificate")).toEqual([]);
    const auth = plan.one(AUTH, "edge-dns-auth-crm-fr");
    expect(auth.inputs).toMatchObject({ domain: "crm.fr", type: "PER_PROJECT_RECORD", location: "global" });
    const cert = plan.one(CERT, "edge-cert-crm-fr");
    // app.crm.fr is under the wildcard: the certificate holds *.crm.fr only.
    expect(cert.inputs).toMatchObject({ scope: "DEFAULT", managed: { domains: ["*.crm.fr"] } });
    expect(cert.dependencies).toContain(auth.urn);
    const map = plan.one(MAP, "edge-cert-map");
    const entries = plan.resources.filter((r) => r.type === ENTRY);
    expect(entries.map((e) => [e.name, e.inputs.hostname])).toEqual([["edge-entry-app-crm-fr", "app.crm.fr"], ["edge-entry-star-crm-fr", "*.crm.fr"]]);
    for (const e of entries) expect(e.dependencies).toEqual(expect.arrayContaining([map.urn, cert.urn]));
    const proxy = plan.one(PROXY);
    expect(proxy.inputs.certificateMap).toBe(UNKNOWN);
    expect(proxy.inputs.sslCertificates).toBeUndefined();
    expect(proxy.dependencies).toContain(map.urn);
    // Without a zone, no record: the operator gets them from dnsAuthorizationRecords.
    expect(plan.resources.filter((r) => r.type === RECORD)).toEqual([]);
  });

  it("certificate map: a host outside the wildcard gets its own authorization and certificate; a zone gets the CNAMEs", async () => {
    const { plan } = await runProgram(() => {
      new HttpsLoadBalancer("edge", edge({ domains: ["crm.fr", "crm.martin-assurances.fr"], certificateMap: { wildcardDomains: ["crm.fr"], dnsZone: { managedZone: "crm-fr", project: "crm-platform" } } }));
    });
    // crm.fr itself is not under *.crm.fr but its authorization covers it: same certificate.
    expect(plan.one(CERT, "edge-cert-crm-fr").inputs).toMatchObject({ managed: { domains: ["*.crm.fr", "crm.fr"] } });
    const own = plan.one(CERT, "edge-cert-crm-martin-assurances-fr");
    expect(own.inputs).toMatchObject({ managed: { domains: ["crm.martin-assurances.fr"] } });
    expect(own.dependencies).toContain(plan.one(AUTH, "edge-dns-auth-crm-martin-assurances-fr").urn);
    expect(plan.one(ENTRY, "edge-entry-crm-martin-assurances-fr").dependencies).toContain(own.urn);
    expect(plan.one(ENTRY, "edge-entry-crm-martin-assurances-fr").dependencies).not.toContain(plan.one(CERT, "edge-cert-crm-fr").urn);
    const records = plan.resources.filter((r) => r.type === RECORD);
    expect(records.map((r) => r.name)).toEqual(["edge-dns-auth-crm-fr-cname", "edge-dns-auth-crm-martin-assurances-fr-cname"]);
    expect(records[0].inputs).toMatchObject({ managedZone: "crm-fr", project: "crm-platform", ttl: 300 });
    expect(records[0].dependencies).toContain(plan.one(AUTH, "edge-dns-auth-crm-fr").urn);
  });

  it("names certificate children from the hostname, short and stable", () => {
    expect(domainSlug("*.crm.fr")).toBe("star-crm-fr");
    const long = domainSlug("portail-clients.cabinet-martin-et-associes.fr");
    expect(long.length).toBeLessThanOrEqual(30);
    expect(long).toBe(domainSlug("portail-clients.cabinet-martin-et-associes.fr"));
    expect(long).not.toBe(domainSlug("portail-clients.cabinet-martin-et-associes.com"));
    expect(wildcardCovers("crm.fr", "a.crm.fr")).toBe(true);
    expect(wildcardCovers("crm.fr", "a.b.crm.fr")).toBe(false);
    expect(wildcardCovers("crm.fr", "crm.fr")).toBe(false);
    expect(wildcardCovers("crm.fr", "xcrm.fr")).toBe(false);
  });

  it("resolves the defaults", () => {
    const r = resolveHttpsLoadBalancerArgs("edge", edge({ internetBackends: { web: { fqdn: "origin.crm.fr" } } }));
    expect(r.internetBackends.web).toEqual({ fqdn: "origin.crm.fr", port: 443, paths: [], cdn: false, timeoutSec: 30 });
    expect(r.cloudArmor).toBe(true);
    expect(r.armor.rateLimits[0]).toEqual({ pathPrefixes: ["/api/recordings"], count: 10, intervalSec: 60, action: "throttle", banDurationSec: 600, description: "Rate limit on /api/recordings" });
    expect(r.certificateMap).toMatchObject({ wildcardDomains: ["crm.fr"], authorizationDomains: ["crm.fr"], certificateDomains: [["*.crm.fr"]], entryCertificate: [0, 0] });
    // More than 100 hostnames is fine under a map: the managed-certificate limit no longer applies.
    const many = Array.from({ length: 150 }, (_, i) => `f${i}.crm.fr`);
    expect(resolveHttpsLoadBalancerArgs("edge", edge({ domains: many })).certificateMap?.certificateDomains).toEqual([["*.crm.fr"]]);
  });

  describe("refuses loudly", () => {
    const cases: [string, Partial<HttpsLoadBalancerArgs>, RegExp][] = [
      ["an origin that is the load balancer's own host", { internetBackends: { web: { fqdn: "app.crm.fr" } } }, /fqdn "app.crm.fr" is one of the load balancer's own domains/],
      ["an origin that is not a hostname", { internetBackends: { web: { fqdn: "https://origin.crm.fr" } } }, /fqdn "https:\/\/origin.crm.fr" is not a lowercase DNS hostname/],
      ["a port out of range", { internetBackends: { web: { fqdn: "origin.crm.fr", port: 0 } } }, /port 0 must be between 1 and 65535/],
      ["a key in two maps", { backends: { web: { serviceName: "s", region: "europe-west1", paths: ["/x"] } } }, /key "web" is used in more than one/],
      ["a wildcard given with its star", { certificateMap: { wildcardDomains: ["*.crm.fr"] } }, /wildcardDomains "\*.crm.fr" must be a lowercase domain without "\*."/],
      ["an empty wildcard list", { certificateMap: { wildcardDomains: [] } }, /certificateMap.wildcardDomains is empty/],
      ["a zone given by its DNS name", { certificateMap: { wildcardDomains: ["crm.fr"], dnsZone: { managedZone: "crm.fr." } } }, /managedZone "crm.fr." must be a Cloud DNS zone name/],
      ["a rate rule without paths", { armor: { rateLimits: [{ pathPrefixes: [], count: 10 }] } }, /armor.rateLimits\[0\].pathPrefixes is empty/],
      ["a rate rule with an interval Cloud Armor refuses", { armor: { rateLimits: [{ pathPrefixes: ["/api/ai"], count: 10, intervalSec: 45 }] } }, /armor.rateLimits\[0\].intervalSec 45 must be one of/],
      ["a rate rule count of zero", { armor: { rateLimits: [{ pathPrefixes: ["/api/ai"], count: 0 }] } }, /armor.rateLimits\[0\].count 0 must be between 1 and 1000000 for throttle/],
      ["a rate rule path that could break the expression", { armor: { rateLimits: [{ pathPrefixes: ["/api') || true || ('"], count: 10 }] } }, /path prefix .* must start with "\/" and use only URL path characters/],
      [
        "overlapping rate rules (the first one's allow would hide the second)",
        { armor: { rateLimits: [{ pathPrefixes: ["/uploads"], count: 100 }, { pathPrefixes: ["/uploads/audio"], count: 20 }] } },
        /armor.rateLimits\[1\] path prefix "\/uploads\/audio" overlaps armor.rateLimits\[0\]'s "\/uploads"/,
      ],
      ["a rate rule overlapping the auth rule", { armor: { rateLimits: [{ pathPrefixes: ["/api/auth/"], count: 10 }] } }, /overlaps armor.authRateLimit's "\/api\/auth\/"/],
      ["a component name too long for Certificate Manager", {}, /has \d+ characters; Certificate Manager names take 63/],
    ];
    for (const [what, overrides, message] of cases) {
      it(what, () => {
        const name = what.startsWith("a component name too long") ? "a-very-long-component-name-for-an-edge" : "edge";
        const call = () => resolveHttpsLoadBalancerArgs(name, { ...edge(), ...overrides });
        expect(call).toThrow(ComponentArgsError);
        expect(call).toThrow(message);
      });
    }
  });
});

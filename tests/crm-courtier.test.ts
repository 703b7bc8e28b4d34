/**
 * crm-courtier.md's figures and the tenant invariants, read back from the offline plans: 3 backend
 * instances, 2 MariaDB shards of a primary and a replica, a 3-shard Redis cluster, priority
 * workers scaled on their Redis lists, binlogs archived within the 15-minute RPO, weekly physical
 * backups kept 4 weeks, files on an EUR4 dual-region with versioning, the edge's upload and AI
 * limits; every firm placed once on a stable shard with its database, credentials, host and files
 * prefix; the firms under the env's tenant domain on one DNS-01 wildcard certificate (no solver pod
 * per firm), a firm on its own domain on its own HTTP-01 certificate; adding a firm renames nothing;
 * no GKE-only resource when the cluster is given by kubeconfig; every object valid; CDN + WAF on
 * Google Cloud in front of the cluster's ingress in every env (internet NEG, Cloud Armor with the
 * upload and AI rate limits, Cloud CDN on static assets only, HTTPS only, a Certificate Manager
 * wildcard), adding nothing per firm under the tenant domain.
 */
import { describe, expect, it } from "vitest";
import { resourcesFromDigest, type PreviewDigest } from "../engine/digest";
import { capacityFigures } from "../engine/deployability/capacity";
import { validateRecordedResource } from "../engine/k8s-schema";
import { valueAt } from "../engine/plan";
import { prepareStack, previewPrepared, previewStack } from "../engine/preview";
import { rendezvousShard } from "../model/tenants";
import { PRIORITY } from "../components/gcp/https-load-balancer";
import { CRM_DNS_ZONES, EDGE_API_TIMEOUT_SEC, EDGE_RATE_LIMITS, QUEUES, SHARDS, UPLOAD_MAX_BYTES, WILDCARD_ISSUER, crmCourtierNamespaces, queueKey } from "../stacks/crm-courtier";
import { CERT_MANAGER_DNS01_PERMISSIONS } from "../stacks/gke-cluster-foundation";
import { stackFileWith } from "./harness";

const FIRMS = { dev: 2, rct: 3, prod: 20 } as const;
const firmIds = (n: number) => Array.from({ length: n }, (_, i) => `cabinet-${String(i + 1).padStart(2, "0")}`);

async function planOf(stack: string) {
  const digest = JSON.parse(JSON.stringify((await previewStack(stack)).digest)) as PreviewDigest;
  const resources = resourcesFromDigest(digest);
  const all = (type: string) => resources.filter((r) => r.type === type);
  const one = (type: string, name: string) => {
    const found = all(type).filter((r) => valueAt(r.inputs, "metadata.name") === name);
    expect(found, `${stack}: ${type} ${name}`).toHaveLength(1);
    return found[0].inputs;
  };
  return { resources, all, one };
}

describe("crm-courtier-prod: the document's figures", () => {
  it("runs 3 Laravel Octane instances, the built frontend, Gotenberg, and high/default/low workers on their Redis lists", async () => {
    const { one } = await planOf("crm-courtier-prod");
    const ns = crmCourtierNamespaces("prod");
    // § 04 Scaling: "3 Backend Instances (Laravel Octane)".
    expect(valueAt(one("kubernetes:apps/v1:Deployment", "backend"), "spec.replicas")).toBe(3);
    expect(valueAt(one("kubernetes:apps/v1:Deployment", "frontend"), "metadata.namespace")).toBe(ns.app);
    expect(valueAt(one("kubernetes:apps/v1:Deployment", "gotenberg"), "metadata.namespace")).toBe(ns.app);
    for (const q of QUEUES) {
      const scaled = one("kubernetes:keda.sh/v1alpha1:ScaledObject", `worker-${q}`);
      expect(valueAt(scaled, "spec.triggers[0]"), q).toMatchObject({ type: "redis-cluster", metadata: { listName: `queues:{${q}}`, listLength: "20" } });
    }
  });

  it("runs 2 MariaDB shards of a primary and a replica, archiving binlogs within the 15-minute RPO, and a 3-shard Redis cluster", async () => {
    const { one } = await planOf("crm-courtier-prod");
    for (const shard of SHARDS) {
      const db = one("kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", shard);
      // § 04 Scaling: "2 Shards MariaDB (master-slave chacun)".
      expect(valueAt(db, "spec.replicas"), shard).toBe(2);
      expect(valueAt(db, "spec.replication.enabled"), shard).toBe(true);
      // § Backup Strategy: "RTO/RPO : <1h / <15min": rotated every 3 min, archived every 10.
      expect(valueAt(one("kubernetes:k8s.mariadb.com/v1alpha1:SqlJob", `${shard}-binlog-rotation`), "spec.schedule.cron"), shard).toBe("*/3 * * * *");
      // § Backup Strategy: "Dump quotidien"; "Snapshots : Hebdomadaire (rétention 4 semaines)".
      expect(valueAt(one("kubernetes:k8s.mariadb.com/v1alpha1:Backup", `${shard}-daily`), "spec.schedule.cron"), shard).toBe("0 2 * * *");
      const weekly = one("kubernetes:k8s.mariadb.com/v1alpha1:PhysicalBackup", `${shard}-weekly`);
      expect(valueAt(weekly, "spec.schedule.cron"), shard).toBe("0 3 * * 0");
      expect(valueAt(weekly, "spec.maxRetention"), shard).toBe("672h");
    }
    const redis = one("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis");
    // § 04 Scaling: "Redis Cluster (3 nodes)".
    expect(valueAt(redis, "spec.clusterSize")).toBe(3);
  });

  it("keeps files on the EUR4 dual-region with versioning, and limits uploads and AI routes at the edge", async () => {
    const { all, one } = await planOf("crm-courtier-prod");
    const files = all("gcp:storage/bucket:Bucket").find((b) => String(b.inputs.name).includes("-files-"));
    // § Backup Strategy: "Fichiers : S3 versioning + cross-region replication".
    expect(files?.inputs).toMatchObject({ location: "EUR4", versioning: { enabled: true } });
    expect(valueAt(one("kubernetes:traefik.io/v1alpha1:Middleware", "gateway-api-recordings-body-limit"), "spec.buffering.maxRequestBodyBytes")).toBe(UPLOAD_MAX_BYTES);
    expect(valueAt(one("kubernetes:traefik.io/v1alpha1:Middleware", "gateway-api-recordings-rate-limit"), "spec.rateLimit")).toMatchObject({ average: 10, period: "1m" });
    expect(valueAt(one("kubernetes:traefik.io/v1alpha1:Middleware", "gateway-api-ai-rate-limit"), "spec.rateLimit")).toMatchObject({ average: 20, period: "1m" });
  });
});

describe("crm-courtier-prod: the document's alerts", () => {
  it("alerts when the month's spend passes the env's share of the €1,084 budget, and again 20 % over it, to the probe's channels", async () => {
    const { resources } = await planOf("crm-courtier-prod");
    const budgets = resources.filter((r) => r.type === "gcp:billing/budget:Budget");
    expect(budgets).toHaveLength(1);
    const b = budgets[0].inputs;
    // § Modèle de tarification SaaS: "Coûts : €1084/mois"; prod's share is 25 of 100 (stacks/budgets.ts): €271.
    expect(valueAt(b, "amount.specifiedAmount")).toEqual({ currencyCode: "EUR", units: "271" });
    // § Alertes Critiques: "dépassement > 20%".
    expect(b.thresholdRules).toEqual(expect.arrayContaining([
      expect.objectContaining({ thresholdPercent: 1.2, spendBasis: "CURRENT_SPEND" }),
      expect.objectContaining({ thresholdPercent: 1.2, spendBasis: "FORECASTED_SPEND" }),
    ]));
    expect(valueAt(b, "budgetFilter.projects")).toEqual(["projects/610394827714"]);
    expect(valueAt(b, "allUpdatesRule.monitoringNotificationChannels")).toBeDefined();
  });

  it("alerts at a queue depth over 100 jobs and on queries slower than 1 s, with the metrics they need", async () => {
    const { one } = await planOf("crm-courtier-prod");
    const groups = valueAt(one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "crm-courtier-prod-alerts"), "spec.groups") as { rules: { alert: string; expr: string }[] }[];
    const rules = Object.fromEntries(groups.flatMap((g) => g.rules).map((r) => [r.alert, r.expr]));
    // § Alertes Critiques: "Queue depth > 100 jobs", "Database slow queries > 1s", "CPU/RAM/Disk > 80%", "API error rate > 0.1%".
    expect(rules.QueueDepthHigh).toMatch(/redis_key_size\{.*key=~"queues:\[\{\]high\[\}\]\|queues:\[\{\]default\[\}\]\|queues:\[\{\]low\[\}\]"\}\) > 100$/);
    expect(rules.MariadbSlowQueries).toMatch(/mysql_global_status_slow_queries/);
    expect(rules.ContainerCpuHigh).toMatch(/> 0\.8$/);
    expect(rules.AppErrorRateHigh).toMatch(/> 0\.001$/);
    // The metrics behind them: the exporter reports the queues' lengths; every shard counts queries over 1 s.
    const exporterEnv = valueAt(one("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis"), "spec.redisExporter.env");
    expect(exporterEnv).toEqual([{ name: "REDIS_EXPORTER_CHECK_SINGLE_KEYS", value: QUEUES.map(queueKey).join(",") }]);
    for (const shard of SHARDS) expect(valueAt(one("kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", shard), "spec.myCnf"), shard).toContain("long_query_time=1\n");
  });
});

describe.each(Object.entries(FIRMS))("crm-courtier-%s: firms are data", (env, n) => {
  it("gives every firm its database, user and grant on its stable shard, its credentials, host and files prefix", async () => {
    const { all, one } = await planOf(`crm-courtier-${env}`);
    const ns = crmCourtierNamespaces(env as keyof typeof FIRMS);
    const databases = all("kubernetes:k8s.mariadb.com/v1alpha1:Database");
    expect(databases).toHaveLength(n);
    for (const id of firmIds(n)) {
      const shard = rendezvousShard(id, SHARDS);
      expect(valueAt(one("kubernetes:k8s.mariadb.com/v1alpha1:Database", `${shard}-firm-${id}`), "spec.mariaDbRef.name"), id).toBe(shard);
      expect(valueAt(one("kubernetes:core/v1:Secret", `${shard}-firm-${id}`), "metadata.namespace"), id).toBe(ns.app);
      expect(valueAt(one("kubernetes:core/v1:Secret", `firm-${id}-storage`), "metadata.namespace"), id).toBe(ns.app);
      const grant = all("gcp:storage/bucketIAMMember:BucketIAMMember").find((g) => g.name.endsWith(`-firm-${id}-files`));
      expect(valueAt(grant?.inputs, "condition.expression"), id).toMatch(new RegExp(`/objects/firms/${id}/"\\)$`));
      expect(all("kubernetes:traefik.io/v1alpha1:IngressRoute").filter((r) => JSON.stringify(r.inputs).includes(`${id}.`)), id).toHaveLength(1);
    }
  });

  it("has every Kubernetes object and custom resource valid against upstream schemas", async () => {
    const { resources } = await planOf(`crm-courtier-${env}`);
    const k8sObjects = resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh") && !r.type.endsWith("Patch"));
    expect(k8sObjects.map((r) => ({ urn: r.urn, ...validateRecordedResource(r) })).filter((v) => !v.valid)).toEqual([]);
  });
});

const CERT = "kubernetes:cert-manager.io/v1:Certificate";
/** Each env's firm domain: prod's is the parent of app.crm-courtier.fr; dev's and rct's are set in their stack files. */
const TENANT_DOMAINS = { dev: "dev.crm-courtier.fr", rct: "rct.crm-courtier.fr", prod: "crm-courtier.fr" } as const;

describe.each(Object.entries(FIRMS))("crm-courtier-%s: the firms' certificates", (env, n) => {
  it("serves every firm under the tenant domain from one DNS-01 wildcard in the gateway's namespace, and no certificate per firm", async () => {
    const { all, one } = await planOf(`crm-courtier-${env}`);
    const ns = crmCourtierNamespaces(env as keyof typeof FIRMS);
    const domain = TENANT_DOMAINS[env as keyof typeof FIRMS];
    const wildcard = one(CERT, "gateway-wildcard-tls");
    expect(valueAt(wildcard, "metadata.namespace")).toBe(ns.app);
    expect(valueAt(wildcard, "spec")).toMatchObject({ secretName: "gateway-wildcard-tls", dnsNames: [`*.${domain}`], issuerRef: { kind: "ClusterIssuer", name: WILDCARD_ISSUER } });
    // Let's Encrypt certificates: the platform's host and the wildcard, nothing per firm.
    const publicCerts = all(CERT).filter((c) => String(valueAt(c.inputs, "spec.issuerRef.name")).startsWith("letsencrypt-"));
    expect(publicCerts.map((c) => valueAt(c.inputs, "metadata.name")).sort()).toEqual(["gateway-tls", "gateway-wildcard-tls"]);
    for (const id of firmIds(n)) {
      const route = all("kubernetes:traefik.io/v1alpha1:IngressRoute").find((r) => valueAt(r.inputs, "metadata.name") === `gateway-tenant-${id}`);
      expect(valueAt(route?.inputs, "spec.tls"), id).toEqual({ secretName: "gateway-wildcard-tls" });
      expect(String(valueAt(route?.inputs, "spec.routes[0].match")), id).toContain(`Host(\`${id}.${domain}\`)`);
    }
  });
});

describe("crm-courtier-shared: the DNS-01 issuer the env stacks name", () => {
  it("solves DNS-01 on Cloud DNS for crm-courtier.fr, as a Google account that may only write records, bound to cert-manager's service account", async () => {
    const { all, one, resources } = await planOf("crm-courtier-shared");
    const issuer = one("kubernetes:cert-manager.io/v1:ClusterIssuer", WILDCARD_ISSUER);
    expect(valueAt(issuer, "spec.acme.solvers")).toEqual([{ selector: { dnsZones: [...CRM_DNS_ZONES] }, dns01: { cloudDNS: { project: "crm-courtier-platform" } } }]);
    // Every env's tenant domain lies in the issuer's zones (else its wildcard would get no solver).
    for (const domain of Object.values(TENANT_DOMAINS)) expect(CRM_DNS_ZONES.some((z) => domain === z || domain.endsWith(`.${z}`)), domain).toBe(true);
    const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "cert-manager-release");
    expect(valueAt(release?.inputs, "values.serviceAccount")).toEqual({ name: "cert-manager", annotations: { "iam.gke.io/gcp-service-account": "cert-manager-dns01@crm-courtier-platform.iam.gserviceaccount.com" } });
    const account = all("gcp:serviceaccount/account:Account").find((a) => a.inputs.accountId === "cert-manager-dns01");
    expect(account?.inputs.project).toBe("crm-courtier-platform");
    const binding = all("gcp:serviceaccount/iAMMember:IAMMember").find((b) => b.name === "crm-courtier-cert-manager-dns01-workload-identity");
    expect(binding?.inputs).toMatchObject({ role: "roles/iam.workloadIdentityUser", member: "serviceAccount:crm-courtier-platform.svc.id.goog[cert-manager/cert-manager]" });
    // A custom role with the solver's calls only: no *Admin role on the project (CIS GCP 1.5).
    const role = all("gcp:projects/iAMCustomRole:IAMCustomRole")[0];
    expect(role?.inputs).toMatchObject({ project: "crm-courtier-platform", roleId: "certManagerDns01Solver", permissions: [...CERT_MANAGER_DNS01_PERMISSIONS] });
    const grants = all("gcp:projects/iAMMember:IAMMember").filter((g) => String(g.inputs.member).includes("cert-manager-dns01@"));
    expect(grants.map((g) => g.inputs.role)).toEqual(["projects/crm-courtier-platform/roles/certManagerDns01Solver"]);
    expect(all("gcp:projects/service:Service").map((s) => s.inputs.service)).toContain("dns.googleapis.com");
  });
});

describe("tenant invariants", () => {
  it("adding a firm creates its resources and changes no other firm's", async () => {
    const before = (await previewStack("crm-courtier-prod")).evaluation.resources;
    const root = stackFileWith("crm-courtier-prod", "    - id: cabinet-21\n      plan: starter\n      host: cabinet-21.crm-courtier.fr");
    const after = (await previewPrepared(prepareStack("crm-courtier-prod", root))).evaluation.resources;
    const byUrn = new Map(after.map((r) => [r.urn, r]));
    // Every resource that names a firm keeps its URN and its inputs.
    const perFirm = before.filter((r) => /cabinet-\d\d/.test(r.urn));
    expect(perFirm.length).toBeGreaterThan(20 * 8);
    for (const r of perFirm) {
      expect(byUrn.has(r.urn), r.urn).toBe(true);
      expect(byUrn.get(r.urn)?.inputs, r.urn).toEqual(r.inputs);
    }
    const added = after.filter((r) => r.urn.includes("cabinet-21"));
    expect(added.map((r) => r.type)).toEqual(expect.arrayContaining(["kubernetes:k8s.mariadb.com/v1alpha1:Database", "kubernetes:k8s.mariadb.com/v1alpha1:User", "kubernetes:k8s.mariadb.com/v1alpha1:Grant", "gcp:serviceaccount/account:Account", "kubernetes:traefik.io/v1alpha1:IngressRoute"]));
    expect(after.length - before.length).toBe(added.length);
    // Under the wildcard: no certificate of its own, and the wildcard itself unchanged.
    expect(added.filter((r) => r.type === CERT)).toEqual([]);
    const wildcard = (rs: typeof before) => rs.find((r) => r.type === CERT && r.name === "gateway-wildcard-certificate");
    expect(wildcard(after)?.inputs).toEqual(wildcard(before)!.inputs);
    // So the firm adds no ACME solver pod: the app namespace's needs at their maximum are the same.
    const shared = (await previewStack("crm-courtier-shared")).evaluation.resources;
    const ns = crmCourtierNamespaces("prod").app;
    expect(capacityFigures([...shared, ...after]).get(ns)).toEqual(capacityFigures([...shared, ...before]).get(ns));
  });

  it("gives a firm on its own domain its own HTTP-01 certificate, and counts its solver pod", async () => {
    const before = (await previewStack("crm-courtier-prod")).evaluation.resources;
    const root = stackFileWith("crm-courtier-prod", "    - id: assur-martin\n      plan: pro\n      host: crm.martin-assurances.fr");
    const after = (await previewPrepared(prepareStack("crm-courtier-prod", root))).evaluation.resources;
    const cert = after.find((r) => r.type === CERT && r.name === "gateway-tenant-assur-martin-certificate");
    expect(valueAt(cert?.inputs, "spec")).toMatchObject({ secretName: "gateway-tenant-assur-martin-tls", dnsNames: ["crm.martin-assurances.fr"], issuerRef: { name: "letsencrypt-production" } });
    const route = after.find((r) => r.name === "gateway-tenant-assur-martin");
    expect(valueAt(route?.inputs, "spec.tls")).toEqual({ secretName: "gateway-tenant-assur-martin-tls" });
    const shared = (await previewStack("crm-courtier-shared")).evaluation.resources;
    const ns = crmCourtierNamespaces("prod").app;
    expect(capacityFigures([...shared, ...after]).get(ns)?.pods.max).toBe(capacityFigures([...shared, ...before]).get(ns)!.pods.max + 1);
  });

  it("refuses a tenant domain outside the zones the foundation's DNS-01 issuer solves for", () => {
    const outside = stackFileWith("crm-courtier-prod", "  crm-courtier:tenantDomain: courtiers.example.com");
    expect(() => prepareStack("crm-courtier-prod", outside)).toThrow(/tenantDomain.*a tenant domain in the DNS zones the foundation's letsencrypt-production-dns01 solves for \(crm-courtier.fr\).*"courtiers.example.com"/s);
  });

  it("refuses a firm listed twice or pinned to a shard that does not exist, naming the entry", () => {
    const twice = stackFileWith("crm-courtier-prod", "    - id: cabinet-01\n      plan: pro\n      host: other.crm-courtier.fr");
    expect(() => prepareStack("crm-courtier-prod", twice)).toThrow(/firms\[20\]\.id.*an id no other firm has.*"cabinet-01"/s);
    const pinned = stackFileWith("crm-courtier-prod", "    - id: cabinet-99\n      plan: pro\n      host: cabinet-99.crm-courtier.fr\n      shard: shard-7");
    expect(() => prepareStack("crm-courtier-prod", pinned)).toThrow(/firms\.20\.shard|firms\[20\]\.shard/);
  });
});

const LB = "platform:gcp:HttpsLoadBalancer";
const ORIGINS = { dev: "origin.dev.crm-courtier.fr", rct: "origin.rct.crm-courtier.fr", prod: "origin.crm-courtier.fr" } as const;
type ArmorRule = { priority: number; action: string; match?: unknown; rateLimitOptions?: Record<string, unknown> };

describe.each(Object.keys(FIRMS))("crm-courtier-%s: CDN + WAF in front of the cluster", (env) => {
  it("reaches the ingress through an internet NEG over HTTPS, Cloud Armor on every backend with the document's rate limits, CDN on static assets only, HTTPS only", async () => {
    const { resources } = (await previewStack(`crm-courtier-${env}`)).evaluation;
    const all = (type: string) => resources.filter((r) => r.type === type);
    const byName = (type: string, name: string) => {
      const found = all(type).filter((r) => r.name === name);
      expect(found, `${type} ${name}`).toHaveLength(1);
      return found[0];
    };
    const domain = TENANT_DOMAINS[env as keyof typeof FIRMS];
    expect(all(LB).map((r) => r.name)).toEqual([`edge-${env}`]);
    for (const key of ["api", "web"]) {
      expect(byName("gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup", `edge-${env}-${key}-neg`).inputs).toMatchObject({ networkEndpointType: "INTERNET_FQDN_PORT", defaultPort: 443 });
      expect(byName("gcp:compute/globalNetworkEndpoint:GlobalNetworkEndpoint", `edge-${env}-${key}-endpoint`).inputs).toMatchObject({ fqdn: ORIGINS[env as keyof typeof ORIGINS], port: 443 });
      const backend = byName("gcp:compute/backendService:BackendService", `edge-${env}-${key}-backend`);
      expect(backend.inputs).toMatchObject({ protocol: "HTTPS", loadBalancingScheme: "EXTERNAL_MANAGED" });
      // The client's Host reaches Traefik: its per-firm routes and CORS keep working.
      expect(backend.inputs.customRequestHeaders).toBeUndefined();
      expect(backend.dependencies).toContain(byName("gcp:compute/securityPolicy:SecurityPolicy", `edge-${env}-armor`).urn);
    }
    // § 03 Infrastructure "CDN": static assets only (CACHE_ALL_STATIC), never the API.
    expect(byName("gcp:compute/backendService:BackendService", `edge-${env}-web-backend`).inputs).toMatchObject({ enableCdn: true, cdnPolicy: { cacheMode: "CACHE_ALL_STATIC" } });
    expect(byName("gcp:compute/backendService:BackendService", `edge-${env}-api-backend`).inputs).toMatchObject({ enableCdn: false, timeoutSec: EDGE_API_TIMEOUT_SEC });
    const urlMap = byName("gcp:compute/uRLMap:URLMap", `edge-${env}-url-map`);
    expect(valueAt(urlMap.inputs, "pathMatchers[0].pathRules")).toEqual([{ paths: ["/api", "/api/*"], service: expect.anything() }]);
    expect(valueAt(urlMap.inputs, "hostRules[0].hosts")).toContain(`*.${domain}`);

    // § Sécurité API: "Throttle sur routes critiques (audio upload, IA)", per client IP, at the edge.
    const rules = byName("gcp:compute/securityPolicy:SecurityPolicy", `edge-${env}-armor`).inputs.rules as ArmorRule[];
    const limitOn = (prefix: string) => rules.find((r) => valueAt(r, "match.expr.expression") === `request.path.startsWith('${prefix}')`);
    expect(limitOn("/api/recordings")).toMatchObject({ action: "throttle", rateLimitOptions: { enforceOnKey: "IP", exceedAction: "deny(429)", rateLimitThreshold: { count: 10, intervalSec: 60 } } });
    expect(limitOn("/api/ai")).toMatchObject({ action: "throttle", rateLimitOptions: { enforceOnKey: "IP", rateLimitThreshold: { count: 20, intervalSec: 60 } } });
    expect(limitOn("/api/login")).toMatchObject({ priority: PRIORITY.authRateLimit, rateLimitOptions: { rateLimitThreshold: { count: EDGE_RATE_LIMITS.login.count } } });
    expect(rules.filter((r) => r.action === "deny(403)").map((r) => String(valueAt(r, "match.expr.expression")))).toEqual(expect.arrayContaining([expect.stringContaining("sqli-v33-stable"), expect.stringContaining("xss-v33-stable")]));

    // § Sécurité API "HTTPS : Obligatoire": TLS ≥ 1.2 and port 80 only redirects.
    expect(byName("gcp:compute/sSLPolicy:SSLPolicy", `edge-${env}-ssl-policy`).inputs).toMatchObject({ profile: "MODERN", minTlsVersion: "TLS_1_2" });
    expect(byName("gcp:compute/uRLMap:URLMap", `edge-${env}-redirect-map`).inputs.defaultUrlRedirect).toMatchObject({ httpsRedirect: true });
    // One Certificate Manager wildcard for the firms, authorized by DNS (no Google-managed certificate: no wildcard, 100 names at most).
    expect(all("gcp:compute/managedSslCertificate:ManagedSslCertificate")).toEqual([]);
    expect(all("gcp:certificatemanager/dnsAuthorization:DnsAuthorization").map((a) => a.inputs)).toEqual([expect.objectContaining({ domain, type: "PER_PROJECT_RECORD" })]);
    expect(valueAt(all("gcp:certificatemanager/certificate:Certificate")[0]?.inputs, "managed.domains")).toContain(`*.${domain}`);
    expect(all("gcp:projects/service:Service").map((x) => x.inputs.service)).toEqual(expect.arrayContaining(["certificatemanager.googleapis.com", "compute.googleapis.com", "dns.googleapis.com"]));
  });
});

describe("crm-courtier edge: firms and DNS", () => {
  const edgeResources = <R extends { type: string; urn: string }>(rs: R[]): R[] => rs.filter((r) => r.urn.includes(`${LB}$`) || r.type === LB);
  it("adds nothing at the edge for a firm under the tenant domain, and its own certificate for a firm on its own domain", async () => {
    const before = (await previewStack("crm-courtier-prod")).evaluation.resources;
    const under = (await previewPrepared(prepareStack("crm-courtier-prod", stackFileWith("crm-courtier-prod", "    - id: cabinet-21\n      plan: starter\n      host: cabinet-21.crm-courtier.fr")))).evaluation.resources;
    const byUrn = new Map(edgeResources(under).map((r) => [r.urn, r]));
    expect(edgeResources(under).map((r) => r.urn).sort()).toEqual(edgeResources(before).map((r) => r.urn).sort());
    for (const r of edgeResources(before)) expect(byUrn.get(r.urn)?.inputs, r.urn).toEqual(r.inputs);

    const own = (await previewPrepared(prepareStack("crm-courtier-prod", stackFileWith("crm-courtier-prod", "    - id: assur-martin\n      plan: pro\n      host: crm.martin-assurances.fr")))).evaluation.resources;
    const added = edgeResources(own).filter((r) => !edgeResources(before).some((b) => b.urn === r.urn));
    expect(added.map((r) => r.type).sort()).toEqual(["gcp:certificatemanager/certificate:Certificate", "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry", "gcp:certificatemanager/dnsAuthorization:DnsAuthorization"]);
    expect(added.find((r) => r.type === "gcp:certificatemanager/certificate:Certificate")?.inputs).toMatchObject({ managed: { domains: ["crm.martin-assurances.fr"] } });
    // The wildcard certificate the other firms use is untouched.
    const wildcard = (rs: typeof before) => rs.find((r) => r.type === "gcp:certificatemanager/certificate:Certificate" && r.name === "edge-prod-cert-crm-courtier-fr");
    expect(wildcard(own)?.inputs).toEqual(wildcard(before)!.inputs);
  });

  it("creates the DNS authorization's CNAME in the zone when told it, and refuses an origin host a firm uses", async () => {
    const { readFileSync, writeFileSync } = await import("node:fs");
    const root = stackFileWith("crm-courtier-prod", "");
    const file = `${root}/stacks/Pulumi.crm-courtier-prod.yaml`;
    writeFileSync(file, readFileSync(file, "utf8").replace("    originHost: origin.crm-courtier.fr\n", "    originHost: origin.crm-courtier.fr\n    dnsZone:\n      managedZone: crm-courtier-fr\n      project: crm-courtier-platform\n"));
    const { resources } = (await previewPrepared(prepareStack("crm-courtier-prod", root))).evaluation;
    const records = resources.filter((r) => r.type === "gcp:dns/recordSet:RecordSet");
    expect(records.map((r) => [r.name, r.inputs.managedZone, r.inputs.project])).toEqual([["edge-prod-dns-auth-crm-courtier-fr-cname", "crm-courtier-fr", "crm-courtier-platform"]]);
    const clash = stackFileWith("crm-courtier-prod", "    - id: origin\n      plan: pro\n      host: origin.crm-courtier.fr");
    expect(() => prepareStack("crm-courtier-prod", clash)).toThrow(/edge.originHost.*distinct from the platform's and every firm's host.*"origin.crm-courtier.fr"/s);
  });
});

describe("any conformant cluster", () => {
  it("creates nothing GKE-only when the cluster is given by kubeconfig", async () => {
    const root = stackFileWith("crm-courtier-prod", "");
    const file = `${root}/stacks/Pulumi.crm-courtier-prod.yaml`;
    const { readFileSync, writeFileSync } = await import("node:fs");
    writeFileSync(file, readFileSync(file, "utf8").replace("  crm-courtier:access:\n", "  crm-courtier:access:\n    source: kubeconfig\n    kubeconfig:\n      secure: v1:a3ViZWNvbmZpZw==\n").replace("crm-courtier:host:", "crm-courtier:storageClass: csi-cinder-high-speed\n  crm-courtier:host:"));
    const { resources } = (await previewPrepared(prepareStack("crm-courtier-prod", root))).evaluation;
    const gkeOnly = resources.filter((r) => r.type.startsWith("gcp:container/") || r.type === "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler" || JSON.stringify(r.inputs).includes("iam.gke.io") || JSON.stringify(r.inputs).includes("premium-rwo"));
    expect(gkeOnly.map((r) => r.urn)).toEqual([]);
    expect(resources.some((r) => r.type === "pulumi:pulumi:StackReference")).toBe(false);
    // The edge is on Google Cloud whatever the cluster: the same load balancer in front of it.
    expect(resources.filter((r) => r.type === LB).map((r) => r.name)).toEqual(["edge-prod"]);
  });
});

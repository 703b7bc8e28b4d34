/**
 * A global external Application Load Balancer (EXTERNAL_MANAGED) in front of Cloud Run services,
 * private Cloud Storage buckets and/or origins outside Google Cloud (internet NEGs: a Kubernetes
 * ingress on GKE, OVH or Hetzner alike): static IP, a Google-managed certificate or a Certificate
 * Manager map (wildcards through DNS authorization), MODERN/TLS 1.2 SSL policy, backend buckets
 * behind Cloud CDN, host/path routing, a Cloud Armor policy (OWASP WAF rules, rate-based rules on
 * auth and other paths) on every backend service, and an HTTP → HTTPS redirect.
 * docs/platforms/quickfund.md § Sécurité: "HTTPS partout — Obligatoire"; issue 13 (ShareYourSales):
 * "Product images are served through the CDN".
 */
import { createHash } from "node:crypto";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CommonArgs, ComponentArgsError, Labels, mergeLabels, statefulChildOptions } from "../../common/conventions";
import { wildcardCovers } from "../../common/hosts";
import { serviceAgentMember } from "../../common/service-agents";

export const HTTPS_LOAD_BALANCER_TYPE = "platform:gcp:HttpsLoadBalancer";

/** One Cloud Run service behind the load balancer. */
export interface LoadBalancerBackend {
  /** Cloud Run service name (e.g. `CloudRunService.serviceName`). */
  serviceName: pulumi.Input<string>;
  /** Region of the Cloud Run service (the serverless NEG is regional). */
  region: string;
  /**
   * Path patterns routed to this backend, e.g. `["/api", "/api/*"]`. Not needed on the default backend.
   * @default []
   */
  paths?: string[];
  /**
   * Cache responses at Google's edge (Cloud CDN). For static frontends, not for APIs.
   * @default false
   */
  cdn?: boolean;
}

/**
 * A private Cloud Storage bucket behind the load balancer, served through Cloud CDN (backend
 * bucket). The bucket stays private: Cloud CDN's fill service account reads it (see README).
 */
export interface LoadBalancerBucketBackend {
  /** Name of the bucket (e.g. `Bucket.bucketName`); the bucket keeps public access prevention enforced. */
  bucketName: pulumi.Input<string>;
  /**
   * Path patterns routed to this bucket, e.g. `["/images/*"]`. The request path is the object name:
   * `/images/p/42.webp` reads object `images/p/42.webp`. Not needed on the default backend.
   * @default []
   */
  paths?: string[];
  /**
   * Cloud CDN on the backend bucket. Must stay true: the bucket is private and only Cloud CDN's fill
   * service account can read it, so a backend bucket without CDN would answer 403; `false` is refused.
   * @default true
   */
  cdn?: boolean;
}

/**
 * An origin outside Google Cloud reached over the internet (internet NEG, `INTERNET_FQDN_PORT`):
 * e.g. a Kubernetes cluster's ingress on any provider. The load balancer speaks HTTPS to it and
 * forwards the client's Host header unless `hostHeader` is set, so an ingress routing by host
 * (one route per tenant) keeps working.
 */
export interface LoadBalancerInternetBackend {
  /**
   * Publicly resolvable hostname of the origin (resolved by Google Public DNS). Must not be one of
   * the load balancer's own hostnames: the load balancer would call itself.
   */
  fqdn: string;
  /**
   * Origin port (HTTPS).
   * @default 443
   */
  port?: number;
  /**
   * Path patterns routed to this backend, e.g. `["/api", "/api/*"]`. Not needed on the default backend.
   * @default []
   */
  paths?: string[];
  /**
   * Cloud CDN with `CACHE_ALL_STATIC` (static content types only, and never a response marked
   * private or no-store). For static frontends, never for APIs.
   * @default false
   */
  cdn?: boolean;
  /**
   * Host header sent to the origin instead of the client's (a custom request header).
   * @default none: the client's Host header is forwarded
   */
  hostHeader?: string;
  /**
   * Backend response timeout in seconds (the load balancer's default is 30).
   * @default 30
   */
  timeoutSec?: number;
}

/**
 * Certificate Manager instead of a Google-managed SSL certificate: one managed certificate holding
 * the wildcards (`*.<domain>`) and the hosts they do not cover, authorized by DNS (no HTTP
 * challenge, and issued before the DNS records point at the load balancer), served through a
 * certificate map with one entry per hostname and per wildcard.
 */
export interface CertificateMapArgs {
  /**
   * Domains whose direct subdomains are served under one wildcard, e.g. `["crm-courtier.fr"]` for
   * `*.crm-courtier.fr`. Each gets a DNS authorization (which covers the domain and its wildcard).
   */
  wildcardDomains: string[];
  /**
   * The Cloud DNS managed zone holding the domains: the DNS authorizations' CNAME records are
   * created in it. Without it they are only exported (`dnsAuthorizationRecords`) for the operator.
   * @default none
   */
  dnsZone?: { managedZone: string; project?: string };
}

/** A rate-based rule on request paths (generalises AuthRateLimit to any path set). */
export interface RateLimitRule {
  /** Request path prefixes the rule matches (no prefix may start another rule's). */
  pathPrefixes: string[];
  /** Requests allowed per client IP and interval before the action applies. */
  count: number;
  /**
   * Interval of the threshold, in seconds (one of Cloud Armor's allowed values).
   * @default 60
   */
  intervalSec?: number;
  /**
   * `throttle` rejects only the excess requests (429); `rate_based_ban` bans the IP for `banDurationSec`.
   * @default "throttle"
   */
  action?: "rate_based_ban" | "throttle";
  /**
   * Ban length in seconds (rate_based_ban only).
   * @default 600
   */
  banDurationSec?: number;
  /**
   * Rule description (shown in Cloud Armor logs).
   * @default "Rate limit on <prefixes>"
   */
  description?: string;
}

/** Rate-based protection of authentication endpoints (credential stuffing, OTP/SMS pumping). */
export interface AuthRateLimit {
  /**
   * Request path prefixes the rule matches.
   * @default ["/api/auth/"]
   */
  pathPrefixes?: string[];
  /**
   * Requests allowed per client IP and interval before the action applies (team default).
   * @default 20
   */
  count?: number;
  /**
   * Interval of the threshold, in seconds (one of Cloud Armor's allowed values).
   * @default 60
   */
  intervalSec?: number;
  /**
   * `rate_based_ban` bans the IP for `banDurationSec` once over the threshold; `throttle` only
   * rejects the excess requests.
   * @default "rate_based_ban"
   */
  action?: "rate_based_ban" | "throttle";
  /**
   * Ban length in seconds (rate_based_ban only; team default).
   * @default 600
   */
  banDurationSec?: number;
}

/** The Cloud Armor security policy attached to every backend service. */
export interface ArmorArgs {
  /**
   * Preconfigured WAF rule sets (OWASP CRS 3.3), one deny rule each.
   * @default sqli, xss, lfi, rfi, rce, scannerdetection, protocolattack, sessionfixation (all -v33-stable)
   */
  wafRules?: string[];
  /**
   * WAF sensitivity (OWASP paranoia level, 1–4). 1 keeps only high-confidence signatures (few false positives).
   * @default 1
   */
  wafSensitivity?: number;
  /**
   * Log matches without blocking (to tune the WAF on real traffic first).
   * @default false
   */
  preview?: boolean;
  /**
   * Rate limit on auth paths, or `false` for none.
   * @default see AuthRateLimit
   */
  authRateLimit?: AuthRateLimit | false;
  /**
   * Further rate-based rules (upload or AI routes…), evaluated after the auth rule in list order.
   * @default []
   */
  rateLimits?: RateLimitRule[];
  /**
   * Cloud Armor Adaptive Protection (layer-7 DDoS detection).
   * @default false
   */
  adaptiveProtection?: boolean;
}

export interface HttpsLoadBalancerArgs extends CommonArgs {
  /**
   * Hostnames served (and in the managed certificate), e.g. `["quickfund.fr", "www.quickfund.fr"]`.
   * With `certificateMap`, the exact hostnames beside its wildcards (may be empty then).
   */
  domains: string[];
  /**
   * Cloud Run backends by key (used in child names: lowercase letters, digits, hyphens).
   * @default {} — at least one of `backends` and `bucketBackends` is required
   */
  backends?: Record<string, LoadBalancerBackend>;
  /**
   * Private bucket backends by key (backend buckets with Cloud CDN, a signed URL key each, and the
   * Cloud CDN fill service account granted `roles/storage.objectViewer` on the bucket). A key may
   * not also be used in `backends`.
   * @default {}
   */
  bucketBackends?: Record<string, LoadBalancerBucketBackend>;
  /**
   * Origins outside Google Cloud by key (internet NEGs, HTTPS). A key may not also be used in
   * `backends` or `bucketBackends`.
   * @default {}
   */
  internetBackends?: Record<string, LoadBalancerInternetBackend>;
  /**
   * Serve the hostnames through a Certificate Manager map (wildcards, DNS authorization) instead
   * of a Google-managed SSL certificate (no wildcard, at most 100 names).
   * @default none: a Google-managed SSL certificate for `domains`
   */
  certificateMap?: CertificateMapArgs;
  /**
   * Project number (digits, not the project id) of the project holding the load balancer: the Cloud
   * CDN fill service account is `service-<projectNumber>@cloud-cdn-fill.iam.gserviceaccount.com`.
   * Required when `bucketBackends` is not empty.
   * @default none
   */
  projectNumber?: string;
  /** Key, in `backends`, `bucketBackends` or `internetBackends`, of the backend serving everything no path rule matches. */
  defaultBackend: string;
  /**
   * Minimum TLS version of the SSL policy (profile MODERN).
   * @default "TLS_1_2"
   */
  minTlsVersion?: "TLS_1_2" | "TLS_1_3";
  /**
   * Answer port 80 with a 301 to HTTPS (separate URL map, target HTTP proxy, forwarding rule).
   * @default true
   */
  httpRedirect?: boolean;
  /**
   * Cloud CDN TTLs (seconds) of backends with `cdn: true`; `CACHE_ALL_STATIC` caches static content
   * types only. Bucket backends (`FORCE_CACHE_ALL`) use `defaultTtl` and `clientTtl`; `maxTtl`
   * applies to Cloud Run backends only.
   * @default { defaultTtl: 3600, maxTtl: 86400, clientTtl: 3600 }
   */
  cdnTtls?: { defaultTtl?: number; maxTtl?: number; clientTtl?: number };
  /**
   * Share of requests logged by the backend services (0–1).
   * @default 1
   */
  logSampleRate?: number;
  /**
   * Cloud Armor backend security policy, attached to every backend service (Cloud Run and internet
   * backends). Backend buckets only take edge security policies, so bucket backends get none, and
   * `armor` is refused on a load balancer without backend services.
   * @default see ArmorArgs (created only when `backends` or `internetBackends` is not empty)
   */
  armor?: ArmorArgs;
}

export interface ResolvedAuthRateLimit {
  pathPrefixes: string[];
  count: number;
  intervalSec: number;
  action: "rate_based_ban" | "throttle";
  banDurationSec: number;
}

export interface ResolvedRateLimitRule {
  pathPrefixes: string[];
  count: number;
  intervalSec: number;
  action: "rate_based_ban" | "throttle";
  banDurationSec: number;
  description: string;
}

export interface ResolvedCertificateMap {
  wildcardDomains: string[];
  /** Domains with a DNS authorization: the wildcard domains, then hosts no wildcard covers. */
  authorizationDomains: string[];
  /** Per authorization domain, its managed certificate's names (`*.<domain>` and the domain if served, or the host). */
  certificateDomains: string[][];
  /** Per map entry (`domains`, then the wildcards), the index of its certificate in `authorizationDomains`. */
  entryCertificate: number[];
  dnsZone?: { managedZone: string; project?: string };
}

export interface ResolvedHttpsLoadBalancerArgs {
  domains: string[];
  backends: Record<string, { serviceName: pulumi.Input<string>; region: string; paths: string[]; cdn: boolean }>;
  bucketBackends: Record<string, { bucketName: pulumi.Input<string>; paths: string[]; cdn: true }>;
  internetBackends: Record<string, { fqdn: string; port: number; paths: string[]; cdn: boolean; hostHeader?: string; timeoutSec: number }>;
  /** Set in certificate map mode. */
  certificateMap?: ResolvedCertificateMap;
  /** Hostnames of the URL map's host rule: `domains`, then the `*.<domain>` wildcards. */
  hosts: string[];
  /** Set when `bucketBackends` is not empty. */
  projectNumber?: string;
  /** Whether the Cloud Armor backend policy is created (there is a Cloud Run backend to attach it to). */
  cloudArmor: boolean;
  defaultBackend: string;
  minTlsVersion: "TLS_1_2" | "TLS_1_3";
  httpRedirect: boolean;
  cdnTtls: { defaultTtl: number; maxTtl: number; clientTtl: number };
  logSampleRate: number;
  armor: { wafRules: string[]; wafSensitivity: number; preview: boolean; authRateLimit?: ResolvedAuthRateLimit; rateLimits: ResolvedRateLimitRule[]; adaptiveProtection: boolean };
  labels: Labels;
  deletionProtection: boolean;
}

/**
 * OWASP Top 10 coverage with Cloud Armor's CRS 3.3 rule sets. `methodenforcement-v33-stable` is
 * left out on purpose: CRS's default allowed-method list (GET, HEAD, POST, OPTIONS) would block a
 * REST API's PUT/PATCH/DELETE; add it once the API's methods are checked against it.
 */
export const DEFAULT_WAF_RULES = [
  "sqli-v33-stable",
  "xss-v33-stable",
  "lfi-v33-stable",
  "rfi-v33-stable",
  "rce-v33-stable",
  "scannerdetection-v33-stable",
  "protocolattack-v33-stable",
  "sessionfixation-v33-stable",
];
/** Cloud Armor's accepted rate-limit intervals. */
export const RATE_LIMIT_INTERVALS = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600];
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const KEY = /^[a-z][a-z0-9-]{0,30}$/;
const WAF_RULE = /^[a-z0-9]+-v[0-9]+-(stable|canary)$/;
// Only characters that cannot break out of the CEL string literal.
const PATH_PREFIX = /^\/[A-Za-z0-9._~\/-]*$/;
/** Path patterns: start with "/", "*" only as the last character after "/". */
const PATH_PATTERN = /^\/([A-Za-z0-9._~\-]+\/)*([A-Za-z0-9._~\-]+|\*)?$/;

/**
 * Fails unless a rate rule (authRateLimit or a rateLimits entry, named `where` in the messages) has
 * paths, safe prefixes, an interval Cloud Armor accepts and a count within its action's bounds.
 */
function checkRateRule(rule: ResolvedAuthRateLimit, where: string, emptyHint: string, fail: (detail: string) => never): void {
  if (rule.pathPrefixes.length === 0) fail(`${where}.pathPrefixes is empty; ${emptyHint}`);
  for (const p of rule.pathPrefixes) if (!PATH_PREFIX.test(p)) fail(`${where} path prefix "${p}" must start with "/" and use only URL path characters`);
  if (!RATE_LIMIT_INTERVALS.includes(rule.intervalSec)) fail(`${where}.intervalSec ${rule.intervalSec} must be one of ${RATE_LIMIT_INTERVALS.join(", ")}`);
  const max = rule.action === "rate_based_ban" ? 10000 : 1000000;
  if (!Number.isInteger(rule.count) || rule.count < 1 || rule.count > max) fail(`${where}.count ${rule.count} must be between 1 and ${max} for ${rule.action}`);
  if (rule.banDurationSec < 1) fail(`${where}.banDurationSec must be positive`);
}

export function resolveHttpsLoadBalancerArgs(name: string, args: HttpsLoadBalancerArgs): ResolvedHttpsLoadBalancerArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(HTTPS_LOAD_BALANCER_TYPE, name, detail);
  };

  const domains = [...new Set(args.domains)];
  for (const d of domains) if (!DOMAIN.test(d)) fail(`domain "${d}" is not a lowercase DNS hostname (wildcards are not allowed in Google-managed certificates; use certificateMap.wildcardDomains)`);
  let certificateMap: ResolvedCertificateMap | undefined;
  if (args.certificateMap === undefined) {
    if (domains.length === 0) fail("domains is empty; the managed certificate needs at least one hostname");
    if (domains.length > 100) fail(`domains has ${domains.length} hostnames; a managed certificate holds at most 100 (use certificateMap with wildcardDomains)`);
  } else {
    certificateMap = resolveCertificateMap(name, args.certificateMap, domains, fail);
  }
  const hosts = [...domains, ...(certificateMap?.wildcardDomains.map((d) => `*.${d}`) ?? [])];

  const serviceIn = args.backends ?? {};
  const bucketIn = args.bucketBackends ?? {};
  const internetIn = args.internetBackends ?? {};
  const keys = [...Object.keys(serviceIn), ...Object.keys(bucketIn), ...Object.keys(internetIn)];
  if (keys.length === 0) fail("backends, bucketBackends and internetBackends are all empty: the load balancer needs at least one backend");
  const seenKeys = new Set<string>();
  for (const key of keys) {
    if (seenKeys.has(key)) fail(`key "${key}" is used in more than one of backends, bucketBackends and internetBackends; each key names one backend (and its child resources)`);
    seenKeys.add(key);
  }
  if (!keys.includes(args.defaultBackend)) fail(`defaultBackend "${args.defaultBackend}" is not one of the backends, bucketBackends or internetBackends (${keys.join(", ")})`);
  const pathOwner = new Map<string, string>();
  const checkRouting = (key: string, paths: string[]): void => {
    if (!KEY.test(key)) fail(`backend key "${key}" must be lowercase letters, digits and hyphens (it names child resources)`);
    if (key !== args.defaultBackend && paths.length === 0) fail(`backend "${key}" has no paths and is not the default backend: no request would reach it`);
    for (const p of paths) {
      if (!PATH_PATTERN.test(p)) fail(`backend "${key}" path "${p}" must start with "/" and may end with "/*" only`);
      const other = pathOwner.get(p);
      if (other) fail(`path "${p}" is routed to both "${other}" and "${key}"`);
      pathOwner.set(p, key);
    }
  };
  const backends: ResolvedHttpsLoadBalancerArgs["backends"] = {};
  for (const [key, b] of Object.entries(serviceIn)) {
    const paths = b.paths ?? [];
    checkRouting(key, paths);
    backends[key] = { serviceName: b.serviceName, region: b.region, paths, cdn: b.cdn ?? false };
  }
  const bucketBackends: ResolvedHttpsLoadBalancerArgs["bucketBackends"] = {};
  const bucketOwner = new Map<string, string>();
  for (const [key, b] of Object.entries(bucketIn)) {
    const paths = b.paths ?? [];
    checkRouting(key, paths);
    if (b.cdn === false) {
      fail(`bucket backend "${key}" has cdn: false, expected true: the bucket is private and only Cloud CDN's fill service account may read it, so without CDN every request would get a 403`);
    }
    if (typeof b.bucketName === "string") {
      if (b.bucketName === "") fail(`bucket backend "${key}" has an empty bucketName`);
      // Two grants of one member on one bucket from two resources: deleting either revokes both.
      const other = bucketOwner.get(b.bucketName);
      if (other) fail(`bucket "${b.bucketName}" is behind both "${other}" and "${key}"; route both path sets to one bucket backend`);
      bucketOwner.set(b.bucketName, key);
    }
    bucketBackends[key] = { bucketName: b.bucketName, paths, cdn: true };
  }
  const internetBackends: ResolvedHttpsLoadBalancerArgs["internetBackends"] = {};
  for (const [key, b] of Object.entries(internetIn)) {
    const paths = b.paths ?? [];
    checkRouting(key, paths);
    if (!DOMAIN.test(b.fqdn)) fail(`internet backend "${key}" fqdn "${b.fqdn}" is not a lowercase DNS hostname`);
    // The origin resolves to the load balancer itself: every request would loop until it times out.
    if (domains.includes(b.fqdn)) fail(`internet backend "${key}" fqdn "${b.fqdn}" is one of the load balancer's own domains; expected the origin's own hostname (its DNS record pointing at the origin, not at this load balancer)`);
    const port = b.port ?? 443;
    if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`internet backend "${key}" port ${port} must be between 1 and 65535`);
    if (b.hostHeader !== undefined && !DOMAIN.test(b.hostHeader)) fail(`internet backend "${key}" hostHeader "${b.hostHeader}" is not a lowercase DNS hostname`);
    const timeoutSec = b.timeoutSec ?? 30;
    if (!Number.isInteger(timeoutSec) || timeoutSec < 1 || timeoutSec > 86400) fail(`internet backend "${key}" timeoutSec ${timeoutSec} must be between 1 and 86400`);
    internetBackends[key] = { fqdn: b.fqdn, port, paths, cdn: b.cdn ?? false, ...(b.hostHeader !== undefined ? { hostHeader: b.hostHeader } : {}), timeoutSec };
  }
  const hasBuckets = Object.keys(bucketBackends).length > 0;
  if (args.projectNumber !== undefined && !/^\d+$/.test(args.projectNumber)) {
    fail(`projectNumber "${args.projectNumber}" must be the numeric project number, not the project id`);
  }
  if (hasBuckets && args.projectNumber === undefined) {
    fail(`bucketBackends (${Object.keys(bucketBackends).join(", ")}) need projectNumber: the Cloud CDN fill service account granted read access is service-<projectNumber>@cloud-cdn-fill.iam.gserviceaccount.com`);
  }
  const cloudArmor = Object.keys(backends).length + Object.keys(internetBackends).length > 0;
  if (!cloudArmor && args.armor !== undefined) {
    fail("armor is set but there is no backend service (Cloud Run or internet backend) to attach it to: backend buckets take only edge security policies (edgeSecurityPolicy), not this backend policy; remove armor");
  }

  const cdnTtls = { defaultTtl: args.cdnTtls?.defaultTtl ?? 3600, maxTtl: args.cdnTtls?.maxTtl ?? 86400, clientTtl: args.cdnTtls?.clientTtl ?? 3600 };
  if (cdnTtls.defaultTtl > cdnTtls.maxTtl || cdnTtls.clientTtl > cdnTtls.maxTtl) fail(`cdnTtls: defaultTtl (${cdnTtls.defaultTtl}) and clientTtl (${cdnTtls.clientTtl}) must not exceed maxTtl (${cdnTtls.maxTtl})`);

  const logSampleRate = args.logSampleRate ?? 1;
  if (logSampleRate < 0 || logSampleRate > 1) fail(`logSampleRate ${logSampleRate} must be between 0 and 1`);

  const armorIn = args.armor ?? {};
  const wafRules = [...new Set(armorIn.wafRules ?? DEFAULT_WAF_RULES)];
  for (const rule of wafRules) if (!WAF_RULE.test(rule)) fail(`armor.wafRules "${rule}" is not a preconfigured rule name like "sqli-v33-stable"`);
  const wafSensitivity = armorIn.wafSensitivity ?? 1;
  if (!Number.isInteger(wafSensitivity) || wafSensitivity < 1 || wafSensitivity > 4) fail(`armor.wafSensitivity ${wafSensitivity} must be 1, 2, 3 or 4 (0 would disable every signature)`);

  let authRateLimit: ResolvedAuthRateLimit | undefined;
  if (armorIn.authRateLimit !== false) {
    const a = armorIn.authRateLimit ?? {};
    authRateLimit = {
      pathPrefixes: a.pathPrefixes ?? ["/api/auth/"],
      count: a.count ?? 20,
      intervalSec: a.intervalSec ?? 60,
      action: a.action ?? "rate_based_ban",
      banDurationSec: a.banDurationSec ?? 600,
    };
    checkRateRule(authRateLimit, "armor.authRateLimit", "pass authRateLimit: false to turn the rule off", fail);
  }

  const rateLimits: ResolvedRateLimitRule[] = (armorIn.rateLimits ?? []).map((l, i) => {
    const where = `armor.rateLimits[${i}]`;
    const rule: ResolvedRateLimitRule = {
      pathPrefixes: [...new Set(l.pathPrefixes)],
      count: l.count,
      intervalSec: l.intervalSec ?? 60,
      action: l.action ?? "throttle",
      banDurationSec: l.banDurationSec ?? 600,
      description: l.description ?? `Rate limit on ${l.pathPrefixes.join(", ")}`,
    };
    checkRateRule(rule, where, "a rate limit needs the paths it applies to", fail);
    return rule;
  });
  // A rate rule's conform action ("allow") ends evaluation: a request matching two rules would be
  // counted by the first only, so the second's limit would never apply to it.
  const prefixOwner: { prefix: string; rule: string }[] = [];
  const ruleSets = [...(authRateLimit ? [{ rule: "armor.authRateLimit", prefixes: authRateLimit.pathPrefixes }] : []), ...rateLimits.map((l, i) => ({ rule: `armor.rateLimits[${i}]`, prefixes: l.pathPrefixes }))];
  for (const { rule, prefixes } of ruleSets) {
    for (const p of prefixes) {
      const clash = prefixOwner.find((o) => o.rule !== rule && (p.startsWith(o.prefix) || o.prefix.startsWith(p)));
      if (clash) fail(`${rule} path prefix "${p}" overlaps ${clash.rule}'s "${clash.prefix}": a request matching both is counted by the first rule only (its conform action allows it), so the other limit would not apply; give each rule disjoint prefixes`);
    }
    for (const p of prefixes) prefixOwner.push({ prefix: p, rule });
  }

  return {
    domains,
    backends,
    bucketBackends,
    internetBackends,
    ...(certificateMap ? { certificateMap } : {}),
    hosts,
    ...(hasBuckets ? { projectNumber: args.projectNumber } : {}),
    cloudArmor,
    defaultBackend: args.defaultBackend,
    minTlsVersion: args.minTlsVersion ?? "TLS_1_2",
    httpRedirect: args.httpRedirect ?? true,
    cdnTtls,
    logSampleRate,
    armor: { wafRules, wafSensitivity, preview: armorIn.preview ?? false, ...(authRateLimit ? { authRateLimit } : {}), rateLimits, adaptiveProtection: armorIn.adaptiveProtection ?? false },
    labels: mergeLabels(args.labels),
    deletionProtection: args.deletionProtection ?? true,
  };
}

/** Longest logical name a Certificate Manager child may have: Pulumi appends 8 characters and the API takes 63. */
const MAX_CERT_CHILD_NAME = 55;
const MAX_SLUG = 30;

/**
 * A hostname as a name segment: `*.a.b` → `star-a-b`; past 30 characters, its first 21 and 8 hex
 * digits of its SHA-256 (stable, and short enough for Certificate Manager's 63-character names).
 */
export function domainSlug(domain: string): string {
  const slug = domain.replace(/^\*\./, "star.").replace(/\./g, "-");
  if (slug.length <= MAX_SLUG) return slug;
  return `${slug.slice(0, MAX_SLUG - 9).replace(/-+$/, "")}-${createHash("sha256").update(domain).digest("hex").slice(0, 8)}`;
}

/** Logical names of the certificate map's children (exported for tests and the README). */
export const certificateMapChildNames = (name: string, m: Pick<ResolvedCertificateMap, "authorizationDomains">, hosts: string[]) => ({
  map: `${name}-cert-map`,
  authorizations: m.authorizationDomains.map((d) => `${name}-dns-auth-${domainSlug(d)}`),
  records: m.authorizationDomains.map((d) => `${name}-dns-auth-${domainSlug(d)}-cname`),
  certificates: m.authorizationDomains.map((d) => `${name}-cert-${domainSlug(d)}`),
  entries: hosts.map((h) => `${name}-entry-${domainSlug(h)}`),
});

// Re-exported: stacks decide which tenant hosts the certificate map's wildcard already covers.
export { wildcardCovers };

function resolveCertificateMap(name: string, m: CertificateMapArgs, domains: string[], fail: (detail: string) => never): ResolvedCertificateMap {
  const wildcardDomains = [...new Set(m.wildcardDomains)];
  if (wildcardDomains.length === 0) fail("certificateMap.wildcardDomains is empty; without a wildcard, leave certificateMap out and use the Google-managed certificate");
  for (const d of wildcardDomains) if (!DOMAIN.test(d)) fail(`certificateMap.wildcardDomains "${d}" must be a lowercase domain without "*." (the wildcard is added)`);
  // A wildcard covers one label: a.<domain>, not a.b.<domain>, nor <domain> itself.
  const wildcardOf = (h: string) => wildcardDomains.find((d) => wildcardCovers(d, h));
  // A DNS authorization covers its domain and the domain's wildcard; each host no wildcard covers
  // gets its own authorization and certificate, so that a host whose DNS is not ready (a tenant's
  // own domain) never holds back the certificate of the others.
  const uncovered = domains.filter((h) => !wildcardOf(h) && !wildcardDomains.includes(h));
  const authorizationDomains = [...wildcardDomains, ...uncovered];
  const certificateDomains = authorizationDomains.map((d) => (wildcardDomains.includes(d) ? [`*.${d}`, ...(domains.includes(d) ? [d] : [])] : [d]));
  if (m.dnsZone !== undefined && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(m.dnsZone.managedZone)) fail(`certificateMap.dnsZone.managedZone "${m.dnsZone.managedZone}" must be a Cloud DNS zone name (not its DNS name)`);
  const entryHosts = [...domains, ...wildcardDomains.map((d) => `*.${d}`)];
  const entryCertificate = entryHosts.map((h) => {
    const bare = h.startsWith("*.") ? h.slice(2) : h;
    const owner = wildcardDomains.includes(bare) ? bare : (wildcardOf(h) ?? h);
    return authorizationDomains.indexOf(owner);
  });
  const resolved: ResolvedCertificateMap = { wildcardDomains, authorizationDomains, certificateDomains, entryCertificate, ...(m.dnsZone ? { dnsZone: m.dnsZone } : {}) };
  const names = certificateMapChildNames(name, resolved, entryHosts);
  for (const n of [names.map, ...names.authorizations, ...names.certificates, ...names.entries]) {
    if (n.length > MAX_CERT_CHILD_NAME) fail(`child name "${n}" has ${n.length} characters; Certificate Manager names take 63, of which Pulumi's auto-naming uses 8: shorten the component name "${name}"`);
  }
  return resolved;
}

/** Standard base64 to RFC 4648 § 5 base64url; the padding stays. */
export function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, "-").replace(/\//g, "_");
}

/** Cloud CDN's fill service account, which reads private buckets behind backend buckets. */
export function cdnFillMember(projectNumber: string): string {
  return serviceAgentMember(projectNumber, "cloud-cdn-fill");
}

/** Rule priorities: WAF first, then the rate limit (its conform action "allow" ends evaluation). */
export const PRIORITY = { wafFirst: 1000, authRateLimit: 2000, rateLimitsFirst: 2100, default: 2147483647 } as const;

/** A per-IP rate rule: requests under `rule`'s prefixes beyond its count get 429 (and a ban for rate_based_ban). */
function rateRule(priority: number, description: string, rule: ResolvedAuthRateLimit, preview: boolean): gcp.types.input.compute.SecurityPolicyRule {
  return {
    priority,
    action: rule.action,
    preview,
    description,
    match: { expr: { expression: rule.pathPrefixes.map((p) => `request.path.startsWith('${p}')`).join(" || ") } },
    rateLimitOptions: {
      conformAction: "allow",
      exceedAction: "deny(429)",
      enforceOnKey: "IP",
      rateLimitThreshold: { count: rule.count, intervalSec: rule.intervalSec },
      ...(rule.action === "rate_based_ban" ? { banDurationSec: rule.banDurationSec } : {}),
    },
  };
}

/** The Cloud Armor rules, in priority order (exported for tests and policy checks). */
export function armorRules(armor: ResolvedHttpsLoadBalancerArgs["armor"]): gcp.types.input.compute.SecurityPolicyRule[] {
  const rules: gcp.types.input.compute.SecurityPolicyRule[] = armor.wafRules.map((rule, i) => ({
    priority: PRIORITY.wafFirst + i,
    action: "deny(403)",
    preview: armor.preview,
    description: `OWASP CRS: ${rule}`,
    match: { expr: { expression: `evaluatePreconfiguredWaf('${rule}', {'sensitivity': ${armor.wafSensitivity}})` } },
  }));
  if (armor.authRateLimit) rules.push(rateRule(PRIORITY.authRateLimit, "Rate limit on authentication paths", armor.authRateLimit, armor.preview));
  for (const [i, l] of armor.rateLimits.entries()) rules.push(rateRule(PRIORITY.rateLimitsFirst + i, l.description, l, armor.preview));
  // The provider requires the default rule to be declared when rules are.
  rules.push({
    priority: PRIORITY.default,
    action: "allow",
    description: "Default: allow",
    match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
  });
  return rules;
}

export class HttpsLoadBalancer extends pulumi.ComponentResource {
  /** The public IPv4 address: point the domains' A records at it. */
  public readonly ipAddress: pulumi.Output<string>;
  /** The Google-managed SSL certificate, or in certificate map mode the Certificate Manager certificate. */
  public readonly certificateId: pulumi.Output<string>;
  /** The certificate map (certificate map mode), else undefined. */
  public readonly certificateMapId: pulumi.Output<string | undefined>;
  /**
   * The DNS authorizations' records (certificate map mode): the CNAMEs that must exist in the
   * zone for the certificate to be issued (created when `certificateMap.dnsZone` is set).
   */
  public readonly dnsAuthorizationRecords: pulumi.Output<{ domain: string; name: string; type: string; data: string }[]>;
  /** The Cloud Armor backend policy; undefined on a load balancer without Cloud Run backends. */
  public readonly securityPolicyId: pulumi.Output<string | undefined>;
  public readonly urlMapId: pulumi.Output<string>;
  /** Backend key → backend service id. */
  public readonly backendServiceIds: pulumi.Output<Record<string, string>>;
  /** Bucket backend key → backend bucket id. */
  public readonly backendBucketIds: pulumi.Output<Record<string, string>>;
  /**
   * Bucket backend key → the Cloud CDN signed URL key (`keyName`, and `keyValue` in base64url) the
   * application signs URLs with. A secret: deliver it to the app as a secret, never as plain config.
   */
  public readonly signedUrlKeys: pulumi.Output<Record<string, { keyName: string; keyValue: string }>>;

  constructor(name: string, args: HttpsLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(HTTPS_LOAD_BALANCER_TYPE, name, {}, opts);
    const r = resolveHttpsLoadBalancerArgs(name, args);

    // DNS points at this address: losing it is an outage, so it follows deletion protection.
    const address = new gcp.compute.GlobalAddress(`${name}-address`, { ipVersion: "IPV4", addressType: "EXTERNAL", labels: r.labels }, statefulChildOptions(this, r.deletionProtection));

    // Auto-named so that a change of domains creates the new certificate before deleting the old one.
    const certificate = r.certificateMap ? undefined : new gcp.compute.ManagedSslCertificate(`${name}-cert`, { type: "MANAGED", managed: { domains: r.domains } }, { parent: this });
    const certMap = r.certificateMap ? this.certificateMap(name, r.certificateMap, r.hosts, r.labels) : undefined;

    const sslPolicy = new gcp.compute.SSLPolicy(`${name}-ssl-policy`, { profile: "MODERN", minTlsVersion: r.minTlsVersion }, { parent: this });

    // Only Cloud Run backends can carry this (backend) policy; a bucket-only load balancer gets none.
    const policy = !r.cloudArmor ? undefined : new gcp.compute.SecurityPolicy(
      `${name}-armor`,
      {
        type: "CLOUD_ARMOR",
        description: r.armor.rateLimits.length > 0 ? "OWASP WAF rules and rate limits on auth and critical paths" : "OWASP WAF rules and rate limits on auth paths",
        labels: r.labels,
        // The API speaks JSON: parse bodies so that the WAF inspects their fields, not one opaque string.
        advancedOptionsConfig: { jsonParsing: "STANDARD", logLevel: "NORMAL" },
        ...(r.armor.adaptiveProtection ? { adaptiveProtectionConfig: { layer7DdosDefenseConfig: { enable: true } } } : {}),
        rules: armorRules(r.armor),
      },
      { parent: this },
    );

    const backendServices: Record<string, gcp.compute.BackendService> = {};
    for (const [key, b] of Object.entries(r.backends)) {
      const neg = new gcp.compute.RegionNetworkEndpointGroup(
        `${name}-${key}-neg`,
        { region: b.region, networkEndpointType: "SERVERLESS", cloudRun: { service: b.serviceName } },
        { parent: this },
      );
      // Only `group` on the backend, and no health check, port name or timeout: serverless NEGs
      // reject balancing-mode capacity settings and health checks. `protocol` stays at the API
      // default, as in Google's serverless-NEG setup guide.
      backendServices[key] = new gcp.compute.BackendService(
        `${name}-${key}-backend`,
        {
          loadBalancingScheme: "EXTERNAL_MANAGED",
          backends: [{ group: neg.id }],
          securityPolicy: policy!.selfLink,
          enableCdn: b.cdn,
          ...(b.cdn ? { cdnPolicy: { cacheMode: "CACHE_ALL_STATIC", ...r.cdnTtls } } : {}),
          logConfig: { enable: true, sampleRate: r.logSampleRate },
        },
        { parent: this },
      );
    }

    for (const [key, b] of Object.entries(r.internetBackends)) {
      const neg = new gcp.compute.GlobalNetworkEndpointGroup(
        `${name}-${key}-neg`,
        { networkEndpointType: "INTERNET_FQDN_PORT", defaultPort: b.port },
        { parent: this },
      );
      // The FQDN is resolved by Google Public DNS at request time: the origin's IP may change
      // (a new ingress load balancer) without touching this stack.
      const endpoint = new gcp.compute.GlobalNetworkEndpoint(
        `${name}-${key}-endpoint`,
        { globalNetworkEndpointGroup: neg.name, fqdn: b.fqdn, port: b.port },
        { parent: this },
      );
      // No health check: internet NEGs on the global external ALB take none. HTTPS to the origin,
      // whose certificate the load balancer does not validate (the origin keeps its own, e.g. cert-manager's).
      backendServices[key] = new gcp.compute.BackendService(
        `${name}-${key}-backend`,
        {
          loadBalancingScheme: "EXTERNAL_MANAGED",
          protocol: "HTTPS",
          backends: [{ group: neg.id }],
          securityPolicy: policy!.selfLink,
          timeoutSec: b.timeoutSec,
          enableCdn: b.cdn,
          ...(b.cdn ? { cdnPolicy: { cacheMode: "CACHE_ALL_STATIC", ...r.cdnTtls } } : {}),
          ...(b.hostHeader !== undefined ? { customRequestHeaders: [`Host: ${b.hostHeader}`] } : {}),
          logConfig: { enable: true, sampleRate: r.logSampleRate },
        },
        { parent: this, dependsOn: [endpoint] },
      );
    }

    const backendBuckets: Record<string, gcp.compute.BackendBucket> = {};
    const signedUrlKeys: Record<string, pulumi.Output<{ keyName: string; keyValue: string }>> = {};
    for (const [key, b] of Object.entries(r.bucketBackends)) {
      // FORCE_CACHE_ALL: Cloud Storage answers a non-public object with `Cache-Control: private`
      // unless the uploader set other metadata, which CACHE_ALL_STATIC would obey by never caching.
      // Safe here because everything in a bucket behind this load balancer is public content. The
      // API takes maxTtl with CACHE_ALL_STATIC only; in this mode defaultTtl applies to every response.
      backendBuckets[key] = new gcp.compute.BackendBucket(
        `${name}-${key}-backend-bucket`,
        { bucketName: b.bucketName, enableCdn: b.cdn, cdnPolicy: { cacheMode: "FORCE_CACHE_ALL", defaultTtl: r.cdnTtls.defaultTtl, clientTtl: r.cdnTtls.clientTtl } },
        { parent: this },
      );
      // 16 random bytes (Cloud CDN keys are 128-bit). Losing them invalidates every URL already
      // signed, so the bytes follow deletion protection.
      const bytes = new random.RandomBytes(`${name}-${key}-url-key-bytes`, { length: 16 }, statefulChildOptions(this, r.deletionProtection));
      // RFC 4648 § 5 (base64url) with its padding, the form gcloud's own recipe produces and the
      // signing samples' base64url decoders expect.
      const keyValue = pulumi.secret(bytes.base64.apply(toBase64Url));
      // Adding the first signed URL key is what creates the project's Cloud CDN fill service account.
      const urlKey = new gcp.compute.BackendBucketSignedUrlKey(
        `${name}-${key}-url-key`,
        { backendBucket: backendBuckets[key].name, keyValue },
        { parent: this },
      );
      // Granting a member that does not exist yet fails, hence the explicit wait on the key.
      new gcp.storage.BucketIAMMember(
        `${name}-${key}-cdn-fill-reader`,
        { bucket: b.bucketName, role: "roles/storage.objectViewer", member: cdnFillMember(r.projectNumber!) },
        { parent: this, dependsOn: [urlKey] },
      );
      signedUrlKeys[key] = pulumi.secret(pulumi.all([urlKey.name, keyValue]).apply(([keyName, value]) => ({ keyName, keyValue: value })));
    }

    const backendIds: Record<string, pulumi.Output<string>> = {
      ...Object.fromEntries(Object.entries(backendServices).map(([k, b]) => [k, b.id])),
      ...Object.fromEntries(Object.entries(backendBuckets).map(([k, b]) => [k, b.id])),
    };
    const defaultService = backendIds[r.defaultBackend];
    const pathRules = [...Object.entries(r.backends), ...Object.entries(r.bucketBackends), ...Object.entries(r.internetBackends)]
      .filter(([, b]) => b.paths.length > 0)
      .map(([key, b]) => ({ paths: b.paths, service: backendIds[key] }));
    const urlMap = new gcp.compute.URLMap(
      `${name}-url-map`,
      {
        defaultService,
        hostRules: [{ hosts: r.hosts, pathMatcher: "main" }],
        pathMatchers: [{ name: "main", defaultService, pathRules }],
      },
      { parent: this },
    );

    const httpsProxy = new gcp.compute.TargetHttpsProxy(
      `${name}-https-proxy`,
      {
        urlMap: urlMap.id,
        ...(certMap ? { certificateMap: pulumi.interpolate`//certificatemanager.googleapis.com/${certMap.map.id}` } : { sslCertificates: [certificate!.id] }),
        sslPolicy: sslPolicy.id,
      },
      { parent: this },
    );
    new gcp.compute.GlobalForwardingRule(
      `${name}-https`,
      { target: httpsProxy.id, ipAddress: address.address, ipProtocol: "TCP", portRange: "443", loadBalancingScheme: "EXTERNAL_MANAGED", labels: r.labels },
      { parent: this },
    );

    if (r.httpRedirect) {
      const redirectMap = new gcp.compute.URLMap(
        `${name}-redirect-map`,
        { defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT", stripQuery: false } },
        { parent: this },
      );
      const httpProxy = new gcp.compute.TargetHttpProxy(`${name}-http-proxy`, { urlMap: redirectMap.id }, { parent: this });
      new gcp.compute.GlobalForwardingRule(
        `${name}-http`,
        { target: httpProxy.id, ipAddress: address.address, ipProtocol: "TCP", portRange: "80", loadBalancingScheme: "EXTERNAL_MANAGED", labels: r.labels },
        { parent: this },
      );
    }

    this.ipAddress = address.address;
    this.certificateId = certificate ? certificate.id : certMap!.certificate.id;
    this.certificateMapId = certMap ? certMap.map.id : pulumi.output(undefined);
    this.dnsAuthorizationRecords = certMap ? certMap.records : pulumi.output([]);
    this.securityPolicyId = policy ? policy.id : pulumi.output(undefined);
    this.urlMapId = urlMap.id;
    this.backendServiceIds = pulumi.output(Object.fromEntries(Object.entries(backendServices).map(([k, b]) => [k, b.id])));
    this.backendBucketIds = pulumi.output(Object.fromEntries(Object.entries(backendBuckets).map(([k, b]) => [k, b.id])));
    this.signedUrlKeys = pulumi.secret(pulumi.output(signedUrlKeys));
    this.registerOutputs({
      ipAddress: this.ipAddress,
      certificateId: this.certificateId,
      certificateMapId: this.certificateMapId,
      dnsAuthorizationRecords: this.dnsAuthorizationRecords,
      securityPolicyId: this.securityPolicyId,
      urlMapId: this.urlMapId,
      backendServiceIds: this.backendServiceIds,
      backendBucketIds: this.backendBucketIds,
      signedUrlKeys: this.signedUrlKeys,
    });
  }
  /**
   * Certificate Manager: a DNS authorization per domain, one managed certificate for the wildcards
   * and the hosts they do not cover, a map with one entry per hostname and wildcard.
   */
  private certificateMap(name: string, m: ResolvedCertificateMap, hosts: string[], labels: Labels) {
    const names = certificateMapChildNames(name, m, hosts);
    // PER_PROJECT_RECORD: the CNAME is _acme-challenge_<id>.<domain>, not _acme-challenge.<domain>,
    // so it coexists with an ACME DNS-01 solver's TXT record there (cert-manager's, for the origin's
    // own wildcard) and with another project's authorization of the same domain.
    const authorizations = m.authorizationDomains.map((domain, i) => new gcp.certificatemanager.DnsAuthorization(
      names.authorizations[i],
      { domain, type: "PER_PROJECT_RECORD", location: "global", labels },
      { parent: this },
    ));
    if (m.dnsZone) {
      const zone = m.dnsZone;
      authorizations.forEach((auth, i) => new gcp.dns.RecordSet(
        names.records[i],
        {
          managedZone: zone.managedZone,
          ...(zone.project ? { project: zone.project } : {}),
          name: auth.dnsResourceRecords.apply((rr) => rr[0].name),
          type: auth.dnsResourceRecords.apply((rr) => rr[0].type),
          rrdatas: [auth.dnsResourceRecords.apply((rr) => rr[0].data)],
          ttl: 300,
        },
        { parent: this },
      ));
    }
    // Auto-named: a change of names creates the new certificate before the old one goes.
    const certificates = m.authorizationDomains.map((_, i) => new gcp.certificatemanager.Certificate(
      names.certificates[i],
      { scope: "DEFAULT", labels, managed: { domains: m.certificateDomains[i], dnsAuthorizations: [authorizations[i].id] } },
      { parent: this },
    ));
    const map = new gcp.certificatemanager.CertificateMap(names.map, { labels }, { parent: this });
    hosts.forEach((hostname, i) => new gcp.certificatemanager.CertificateMapEntry(
      names.entries[i],
      { map: map.name, hostname, certificates: [certificates[m.entryCertificate[i]].id], labels },
      { parent: this },
    ));
    const records = pulumi.all(authorizations.map((a, i) => a.dnsResourceRecords.apply((rr) => ({ domain: m.authorizationDomains[i], name: rr[0].name, type: rr[0].type, data: rr[0].data }))));
    return { certificate: certificates[0], map, records };
  }
}

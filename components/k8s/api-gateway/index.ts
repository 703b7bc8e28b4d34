/**
 * ApiGateway: the platform's API gateway (shareyoursales.md § Architecture Microservices: "API
 * GATEWAY (Kong/Traefik) — Load Balancer + Rate Limiting") on the cluster's one Traefik: a single
 * IngressRoute for the platform's host, TLS from a cert-manager Certificate, path-prefix routes to
 * the services and `/` to the frontend, and the Middlewares the document asks for: the login rate
 * limit and the upload size limit of § Sécurité, a general rate limit, and the security headers.
 *
 * For a multi-tenant product (crm-courtier.md: one host per firm) `tenantHosts` adds, per firm, a
 * Certificate and an IngressRoute with the same routes and the same (shared) Middlewares, or with
 * `tenantWildcard` one wildcard Certificate (DNS-01) for every firm host under the tenant domain;
 * `cors` adds the strict CORS headers of crm-courtier.md § Sécurité API.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { wildcardCovers } from "../../common/hosts";
import { crdDependencies, type CrdInstaller } from "../common/helm-addon";
import { hostCertificate } from "../common/host-certificate";
import { securityHeadersSpec } from "../traefik";

export const API_GATEWAY_TYPE = "platform:k8s:ApiGateway";


/**
 * Ours: the document gives no general figure. 100 requests/s per client IP with bursts of 200 is
 * far above what one person's browser or app sends (a page load of the Next.js frontend is a few
 * dozen requests), and leaves room for the many users a Moroccan mobile carrier puts behind one
 * carrier-grade NAT address, while still cutting a single-source flood.
 */
export const GENERAL_RATE_LIMIT = { average: 100, period: "1s", burst: 200 } as const;

/** Methods a strict CORS policy allows by default: a REST API's, and the preflight. */
export const CORS_DEFAULT_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** Request headers a Laravel API reads (bearer token, JSON, Laravel's XHR and CSRF headers). */
export const CORS_DEFAULT_HEADERS = ["Authorization", "Content-Type", "Accept", "X-Requested-With", "X-CSRF-TOKEN", "X-XSRF-TOKEN"] as const;

/** Strict CORS: only the listed origins, answered by Traefik's headers Middleware (preflights included). */
export interface GatewayCorsArgs {
  /** Exact origins (`https://app.crm-courtier.fr`): scheme and host, optional port, no path, no wildcard. */
  allowedOrigins: string[];
  /** @default CORS_DEFAULT_METHODS (GET, POST, PUT, PATCH, DELETE, OPTIONS) */
  allowedMethods?: string[];
  /** @default CORS_DEFAULT_HEADERS (Authorization, Content-Type, Accept, X-Requested-With, X-CSRF-TOKEN, X-XSRF-TOKEN) */
  allowedHeaders?: string[];
  /** Whether the browser may send cookies (Laravel Sanctum's SPA sessions need it). @default false */
  allowCredentials?: boolean;
  /** Seconds a browser caches a preflight answer. @default 600 */
  maxAgeSeconds?: number;
}

/** A Traefik RateLimit: `average` requests per `period`, with `burst` at once, per client. */
export interface RateLimitSpec {
  /** Requests allowed per `period` (Traefik `average`). */
  average: number;
  /** Traefik duration (`1s`, `1m`). @default "1s" */
  period?: string;
  /** Requests allowed at once. @default average */
  burst?: number;
}

/** One path prefix routed to one Service of the gateway's namespace. */
export interface GatewayRoute {
  /** Path prefix, starting with `/` (`/api/auth`). */
  pathPrefix: string;
  /** Service name in the gateway's namespace. */
  service: string;
  /** Service port (number or port name). */
  port: number | string;
  /**
   * This route's own rate limit, instead of the general one (crm-courtier.md § Sécurité API:
   * "Throttle sur routes critiques (audio upload, IA)").
   * @default the general rate limit
   */
  rateLimit?: RateLimitSpec;
  /**
   * Largest request body in bytes: a Buffering middleware answers 413 beyond it (upload routes take
   * their document's figure, which the stack passes). Beyond 1 MiB, Traefik buffers the body to its
   * /tmp, so each upload in flight holds up to this much of Traefik's disk.
   * @default no limit
   */
  maxBodyBytes?: number;
}

export interface ApiGatewayArgs extends CommonArgs {
  /** Namespace of the IngressRoute, its Middlewares and the Services it routes to (Traefik runs with allowCrossNamespace false). */
  namespace: string;
  /** Public host name (`app.shareyoursales.ma`). */
  host: string;
  /** cert-manager issuer of the certificate. */
  issuer: { name: string; /** @default "ClusterIssuer" */ kind?: "ClusterIssuer" | "Issuer" };
  /** Path-prefix routes to the services (auth, product, tracking, payment, analytics). */
  routes: GatewayRoute[];
  /** Where `/` goes: the frontend Service. */
  frontend: { service: string; port: number | string };
  /**
   * Prefix of the Kubernetes names (`<resourceName>`, `<resourceName>-rate-limit`, ...).
   * @default the component name
   */
  resourceName?: string;
  /** Namespace of Traefik, for the flows the gateway needs. @default "traefik" */
  traefikNamespace?: string;
  /**
   * The login endpoint and its own rate limit per client IP (the platform's document states it:
   * the stack passes its figure). The path must lie under one of `routes`.
   */
  login: { path: string; rateLimit: RateLimitSpec };
  /** Rate limit of every other route, per client IP. Our figure: the document gives none. @default { average: 100, period: "1s", burst: 200 } */
  generalRateLimit?: RateLimitSpec;
  /**
   * How many proxies in front of Traefik append to X-Forwarded-For (Traefik `ipStrategy.depth`).
   * 0: the client is the connection's source address, as behind GKE's passthrough Network Load
   * Balancer with externalTrafficPolicy Local (the Traefik component's Service). Behind a Google
   * external Application Load Balancer, which appends `<client>,<lb>`, it is 2.
   * @default 0
   */
  trustedProxyDepth?: number;
  /**
   * Redis shared by the Traefik replicas for the rate-limit buckets (shareyoursales.md § Sécurité:
   * "Rate Limiting avec Redis"); without it each Traefik replica counts on its own.
   * @default undefined (in-memory buckets per replica)
   */
  rateLimitRedis?: { endpoints: string[]; /** Secret (in `namespace`) with `username`/`password`. @default none */ secret?: string };
  /** HSTS max-age of the security-headers Middleware. @default 31536000 (one year) */
  hstsMaxAgeSeconds?: number;
  /** @default ["websecure"] */
  entryPoints?: string[];
  /**
   * More hosts, one per tenant (firm id → host, e.g. `{ "cabinet-dupont": "cabinet-dupont.crm-courtier.fr" }`):
   * each gets its own Certificate (`${name}-tenant-<id>-certificate`, Secret
   * `<resourceName>-tenant-<id>-tls`; none for a host `tenantWildcard` covers) and IngressRoute (`${name}-tenant-<id>`) with the same routes
   * and the same Middlewares as `host`. Names depend on the firm id alone, so adding or removing a
   * firm never replaces another's. A firm id is a DNS label of at most 40 characters.
   * @default {}
   */
  tenantHosts?: Record<string, string>;
  /**
   * One wildcard certificate `*.<domain>` shared by every tenant host directly under `domain`
   * (`cabinet-01.crm-courtier.fr` under `crm-courtier.fr`): Certificate `${name}-wildcard-certificate`,
   * Secret `<resourceName>-wildcard-tls`, which those tenants' IngressRoutes name. Its issuer must
   * solve DNS-01 (Let's Encrypt issues wildcards through DNS-01 only), which starts no solver pod,
   * and it counts once against Let's Encrypt's 50 certificates per registered domain per week,
   * however many firms there are. A tenant host outside `domain` (a firm's own domain, or one more
   * label deep) keeps its own certificate from `issuer`.
   * @default undefined (every tenant host its own certificate from `issuer`)
   */
  tenantWildcard?: { domain: string; issuer: { name: string; /** @default "ClusterIssuer" */ kind?: "ClusterIssuer" | "Issuer" } };
  /**
   * Strict CORS (crm-courtier.md § Sécurité API: "CORS : Configuration stricte (domaines
   * autorisés)"): a headers Middleware `<resourceName>-cors` on every route of every host.
   * @default undefined (no CORS headers: browsers then refuse cross-origin calls)
   */
  cors?: GatewayCorsArgs;
  /** Releases installing the traefik.io and cert-manager.io CRDs (`Traefik.crds`, `CertManager.crds`). @default [] */
  crdInstallers?: (CrdInstaller | pulumi.Resource)[];
}

/** A route as the IngressRoute gets it: its match, the Middlewares it names, and where it goes. */
export interface ResolvedGatewayRouter {
  /** DNS-label role (`auth`, `login`, `frontend`), used in Middleware names. */
  role: string;
  pathPrefix?: string;
  service: string;
  port: number | string;
  rateLimit: Required<RateLimitSpec>;
  /** Name of its rate-limit Middleware. */
  rateLimitMiddleware: string;
  maxBodyBytes?: number;
  /** Name of its Buffering Middleware, when it has a body limit. */
  bodyLimitMiddleware?: string;
}

export interface ResolvedApiGatewayArgs {
  namespace: string;
  host: string;
  resourceName: string;
  issuer: { name: string; kind: "ClusterIssuer" | "Issuer" };
  traefikNamespace: string;
  loginPath: string;
  /** The login router first, then the routes, the frontend last. */
  routers: ResolvedGatewayRouter[];
  trustedProxyDepth: number;
  rateLimitRedis?: { endpoints: string[]; secret?: string };
  hstsMaxAgeSeconds: number;
  entryPoints: string[];
  /** Firm id → host, in the caller's order. */
  tenantHosts: Record<string, string>;
  /** The shared wildcard certificate, and which tenants it serves (the others get their own). */
  tenantWildcard?: { domain: string; issuer: { name: string; kind: "ClusterIssuer" | "Issuer" }; tenantIds: string[] };
  cors?: Required<GatewayCorsArgs>;
  labels: Record<string, string>;
  deletionProtection: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** A path prefix Traefik can put between backquotes: no backquote, quote, space or parenthesis. */
const PATH_PREFIX = /^\/[A-Za-z0-9._~\-/]*$/;
const DURATION = /^\d+(ms|s|m|h)$/;
/** An exact web origin: https (or http for local development hosts only), a host, an optional port. */
const ORIGIN = /^(https:\/\/([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/;
const HTTP_METHOD = /^[A-Z]+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** The role a route's Middlewares are named after: its service, or the path when a service has several routes. */
function roleOf(route: GatewayRoute, services: Map<string, number>): string {
  if ((services.get(route.service) ?? 0) <= 1 && DNS_LABEL.test(route.service)) return route.service;
  const slug = route.pathPrefix.replace(/^\/+|\/+$/g, "").replace(/[^a-z0-9]+/gi, "-").toLowerCase().replace(/^-+|-+$/g, "");
  return slug || "root";
}

export function resolveApiGatewayArgs(name: string, args: ApiGatewayArgs): ResolvedApiGatewayArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(API_GATEWAY_TYPE, name, detail);
  };
  const resourceName = args.resourceName ?? name;
  if (!DNS_LABEL.test(resourceName) || resourceName.length > 40) fail(`resourceName "${resourceName}" must be a DNS-1123 label of at most 40 characters (Middleware names add suffixes)`);
  if (!DNS_LABEL.test(args.namespace)) fail(`namespace "${args.namespace}" is not a DNS-1123 label`);
  if (!HOST.test(args.host)) fail(`host "${args.host}" is not a lowercase DNS name (expected e.g. app.shareyoursales.ma)`);
  if (!args.issuer?.name) fail("issuer.name is empty: the Certificate needs a cert-manager issuer");
  if (args.routes.length === 0) fail("routes is empty: expected the services' path prefixes (auth, product, tracking, payment, analytics)");

  const rate = (field: string, r: RateLimitSpec): Required<RateLimitSpec> => {
    const period = r.period ?? "1s";
    const burst = r.burst ?? r.average;
    if (!Number.isInteger(r.average) || r.average < 1) fail(`${field}.average must be a positive integer, got ${r.average} (Traefik reads 0 as "no limit")`);
    if (!DURATION.test(period)) fail(`${field}.period "${period}" is not a Traefik duration such as 1s or 1m`);
    if (!Number.isInteger(burst) || burst < 1) fail(`${field}.burst must be a positive integer, got ${burst}`);
    return { average: r.average, period, burst };
  };
  const general = rate("generalRateLimit", args.generalRateLimit ?? GENERAL_RATE_LIMIT);
  const login = rate("login.rateLimit", args.login.rateLimit);

  const seen = new Set<string>();
  const services = new Map<string, number>();
  for (const route of args.routes) services.set(route.service, (services.get(route.service) ?? 0) + 1);
  const routers: ResolvedGatewayRouter[] = [];
  const roles = new Set<string>(["login", "frontend"]);
  for (const [i, route] of args.routes.entries()) {
    const field = `routes[${i}]`;
    if (!PATH_PREFIX.test(route.pathPrefix) || route.pathPrefix === "/") {
      fail(`${field}.pathPrefix "${route.pathPrefix}" must start with / and name a path below the root (the root goes to frontend), with no quote, space or parenthesis`);
    }
    if (seen.has(route.pathPrefix)) fail(`${field}.pathPrefix "${route.pathPrefix}" is routed twice`);
    seen.add(route.pathPrefix);
    if (!DNS_LABEL.test(route.service)) fail(`${field}.service "${route.service}" is not a Service name`);
    if (route.maxBodyBytes !== undefined && (!Number.isInteger(route.maxBodyBytes) || route.maxBodyBytes < 1)) {
      fail(`${field}.maxBodyBytes must be a positive integer of bytes, got ${route.maxBodyBytes}`);
    }
    const role = roleOf(route, services);
    if (roles.has(role)) fail(`${field} (${route.pathPrefix}) would name its Middlewares "${role}", which another route uses: give each route a distinct service or path`);
    roles.add(role);
    const ownRate = route.rateLimit ? rate(`${field}.rateLimit`, route.rateLimit) : undefined;
    routers.push({
      role,
      pathPrefix: route.pathPrefix,
      service: route.service,
      port: route.port,
      rateLimit: ownRate ?? general,
      rateLimitMiddleware: ownRate ? `${resourceName}-${role}-rate-limit` : `${resourceName}-rate-limit`,
      ...(route.maxBodyBytes !== undefined ? { maxBodyBytes: route.maxBodyBytes, bodyLimitMiddleware: `${resourceName}-${role}-body-limit` } : {}),
    });
  }

  const loginPath = args.login.path;
  if (!PATH_PREFIX.test(loginPath) || loginPath === "/") fail(`loginPath "${loginPath}" must be a path below the root`);
  if (seen.has(loginPath)) fail(`loginPath "${loginPath}" is also a route's pathPrefix: the login router is made from the route that covers it`);
  // The longest prefix wins, as Traefik's default priority (the rule's length) does.
  const owner = [...routers].sort((a, b) => b.pathPrefix!.length - a.pathPrefix!.length).find((r) => loginPath.startsWith(r.pathPrefix!));
  if (!owner) {
    fail(`loginPath "${loginPath}" lies under no route (routes: ${args.routes.map((r) => r.pathPrefix).join(", ")}): expected the prefix of the service that logs users in, so that the login rate limit applies`);
  }
  const loginRouter: ResolvedGatewayRouter = {
    role: "login",
    pathPrefix: loginPath,
    service: owner!.service,
    port: owner!.port,
    rateLimit: login,
    rateLimitMiddleware: `${resourceName}-login-rate-limit`,
    ...(owner!.maxBodyBytes !== undefined ? { maxBodyBytes: owner!.maxBodyBytes, bodyLimitMiddleware: owner!.bodyLimitMiddleware } : {}),
  };
  const frontendRouter: ResolvedGatewayRouter = {
    role: "frontend",
    service: args.frontend.service,
    port: args.frontend.port,
    rateLimit: general,
    rateLimitMiddleware: `${resourceName}-rate-limit`,
  };
  if (!DNS_LABEL.test(args.frontend.service)) fail(`frontend.service "${args.frontend.service}" is not a Service name`);

  const trustedProxyDepth = args.trustedProxyDepth ?? 0;
  if (!Number.isInteger(trustedProxyDepth) || trustedProxyDepth < 0 || trustedProxyDepth > 5) {
    fail(`trustedProxyDepth must be an integer from 0 to 5, got ${trustedProxyDepth}: 0 behind GKE's passthrough load balancer, 2 behind a Google Application Load Balancer`);
  }
  if (args.rateLimitRedis && args.rateLimitRedis.endpoints.length === 0) fail("rateLimitRedis.endpoints is empty: expected host:port addresses of the Redis the Traefik replicas share");
  for (const e of args.rateLimitRedis?.endpoints ?? []) if (!/^[a-z0-9.-]+:\d+$/.test(e)) fail(`rateLimitRedis.endpoints has "${e}", expected host:port`);
  const hsts = args.hstsMaxAgeSeconds ?? 31536000;
  if (hsts < 15768000) fail(`hstsMaxAgeSeconds ${hsts} is below six months`);
  const entryPoints = args.entryPoints ?? ["websecure"];
  if (entryPoints.length === 0) fail("entryPoints is empty");
  if (entryPoints.includes("web")) fail(`entryPoints includes "web": the gateway serves HTTPS only (Traefik redirects web to websecure)`);

  const tenantHosts = args.tenantHosts ?? {};
  const hostOwner = new Map<string, string>([[args.host, "host"]]);
  for (const [id, tenantHost] of Object.entries(tenantHosts)) {
    if (!DNS_LABEL.test(id) || id.length > 40) fail(`tenantHosts key "${id}" must be a firm id that is a DNS-1123 label of at most 40 characters (it names the tenant's Certificate and IngressRoute)`);
    if (!HOST.test(tenantHost)) fail(`tenantHosts.${id} "${tenantHost}" is not a lowercase DNS name (expected e.g. ${id}.crm-courtier.fr)`);
    const other = hostOwner.get(tenantHost);
    if (other !== undefined) fail(`tenantHosts.${id} "${tenantHost}" is already served by ${other === "host" ? "host" : `tenantHosts.${other}`}: Traefik would pick one router at random`);
    hostOwner.set(tenantHost, id);
  }

  let tenantWildcard: ResolvedApiGatewayArgs["tenantWildcard"];
  if (args.tenantWildcard) {
    const { domain, issuer } = args.tenantWildcard;
    if (!HOST.test(domain)) fail(`tenantWildcard.domain "${domain}" is not a lowercase DNS name (expected the parent of the tenant hosts, e.g. crm-courtier.fr, without "*.")`);
    if (!issuer?.name) fail("tenantWildcard.issuer.name is empty: the wildcard Certificate needs a cert-manager issuer that solves DNS-01");
    tenantWildcard = { domain, issuer: { name: issuer.name, kind: issuer.kind ?? "ClusterIssuer" }, tenantIds: Object.keys(tenantHosts).filter((id) => wildcardCovers(domain, tenantHosts[id])) };
  }

  let cors: Required<GatewayCorsArgs> | undefined;
  if (args.cors) {
    const c = args.cors;
    if (c.allowedOrigins.length === 0) fail("cors.allowedOrigins is empty: expected the exact origins allowed, e.g. https://app.crm-courtier.fr (omit cors to allow none)");
    for (const o of c.allowedOrigins) {
      if (!ORIGIN.test(o)) fail(`cors.allowedOrigins has "${o}": expected an exact origin such as https://app.crm-courtier.fr (https, no path, no trailing slash, no wildcard)`);
    }
    if (new Set(c.allowedOrigins).size !== c.allowedOrigins.length) fail(`cors.allowedOrigins lists an origin twice: ${c.allowedOrigins.join(", ")}`);
    const methods = c.allowedMethods ?? [...CORS_DEFAULT_METHODS];
    if (methods.length === 0 || methods.some((m) => !HTTP_METHOD.test(m))) fail(`cors.allowedMethods must be upper-case HTTP methods, got [${methods.join(", ")}]`);
    const headers = c.allowedHeaders ?? [...CORS_DEFAULT_HEADERS];
    if (headers.some((h) => h === "*" || !HEADER_NAME.test(h))) fail(`cors.allowedHeaders must name headers (no "*", which is not strict), got [${headers.join(", ")}]`);
    const maxAge = c.maxAgeSeconds ?? 600;
    if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 86400) fail(`cors.maxAgeSeconds must be an integer from 0 to 86400, got ${maxAge}`);
    cors = { allowedOrigins: c.allowedOrigins, allowedMethods: methods, allowedHeaders: headers, allowCredentials: c.allowCredentials ?? false, maxAgeSeconds: maxAge };
  }
  return {
    namespace: args.namespace,
    host: args.host,
    resourceName,
    issuer: { name: args.issuer.name, kind: args.issuer.kind ?? "ClusterIssuer" },
    traefikNamespace: args.traefikNamespace ?? "traefik",
    loginPath,
    routers: [loginRouter, ...routers, frontendRouter],
    trustedProxyDepth,
    ...(args.rateLimitRedis ? { rateLimitRedis: args.rateLimitRedis } : {}),
    hstsMaxAgeSeconds: hsts,
    entryPoints,
    tenantHosts,
    ...(tenantWildcard ? { tenantWildcard } : {}),
    ...(cors ? { cors } : {}),
    labels: args.labels ?? {},
    deletionProtection: args.deletionProtection ?? true,
  };
}

/**
 * The spec of the strict CORS headers Middleware. Traefik answers preflights itself and echoes the
 * request's Origin only when it is listed; `Vary: Origin` keeps caches from serving one origin's
 * answer to another.
 */
export function corsSpec(c: Required<GatewayCorsArgs>): Record<string, unknown> {
  return {
    headers: {
      accessControlAllowOriginList: c.allowedOrigins,
      accessControlAllowMethods: c.allowedMethods,
      accessControlAllowHeaders: c.allowedHeaders,
      accessControlAllowCredentials: c.allowCredentials,
      accessControlMaxAge: c.maxAgeSeconds,
      addVaryHeader: true,
    },
  };
}

/**
 * The spec of a RateLimit Middleware, keyed by client IP. Depth 0 keys on the connection's source
 * address: behind GKE's passthrough load balancer with externalTrafficPolicy Local that is the
 * client's own address, and a client cannot forge it the way it can write X-Forwarded-For. IPv6
 * clients are grouped by /64, the block one subscriber gets.
 */
export function rateLimitSpec(r: Required<RateLimitSpec>, depth: number, redis?: ResolvedApiGatewayArgs["rateLimitRedis"]): Record<string, unknown> {
  return {
    rateLimit: {
      average: r.average,
      period: r.period,
      burst: r.burst,
      sourceCriterion: { ipStrategy: { ...(depth > 0 ? { depth } : {}), ipv6Subnet: 64 } },
      ...(redis ? { redis: { endpoints: redis.endpoints, ...(redis.secret ? { secret: redis.secret } : {}) } } : {}),
    },
  };
}

export class ApiGateway extends pulumi.ComponentResource {
  /** The public host. */
  public readonly host: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;
  /** Names of the Middlewares, by role (`security-headers`, `rate-limit`, `login-rate-limit`, `<role>-body-limit`, ...). */
  public readonly middlewareNames: pulumi.Output<Record<string, string>>;
  /** Namespaces Traefik must reach (its `backendNamespaces`): the gateway's. */
  public readonly backendNamespaces: pulumi.Output<string[]>;
  /** The Services and ports Traefik sends to, for the namespace's ingress flows (Service ports: map them to container ports). */
  public readonly backends: pulumi.Output<{ service: string; port: number | string }[]>;
  /** Firm id → `https://<host>` of each tenant host (empty without `tenantHosts`). */
  public readonly tenantUrls: pulumi.Output<Record<string, string>>;
  /** Firm id → the TLS Secret its route names (`<resourceName>-wildcard-tls` or `<resourceName>-tenant-<id>-tls`). */
  public readonly tenantTlsSecrets: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ApiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super(API_GATEWAY_TYPE, name, {}, opts);
    const r = resolveApiGatewayArgs(name, args);
    const installers = args.crdInstallers ?? [];
    const traefikOpts = { parent: this, dependsOn: crdDependencies("traefik.io/v1alpha1", installers) };
    const meta = (suffix = "") => ({ name: `${r.resourceName}${suffix}`, namespace: r.namespace, labels: r.labels });

    const { certificate, secretName: tlsSecretName } = hostCertificate(
      this,
      name,
      { resourceName: r.resourceName, namespace: r.namespace, labels: r.labels, host: r.host, issuer: r.issuer },
      crdDependencies("cert-manager.io/v1", installers),
    );

    const middlewares: pulumi.Resource[] = [];
    const names: Record<string, string> = {};
    const middleware = (role: string, k8sName: string, spec: Record<string, unknown>) => {
      if (names[role] !== undefined) return;
      names[role] = k8sName;
      middlewares.push(
        new k8s.apiextensions.CustomResource(
          `${name}-${role}`,
          { apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: { ...meta(), name: k8sName }, spec },
          traefikOpts,
        ),
      );
    };
    // Routes name Middlewares of their own namespace only: Traefik runs with allowCrossNamespace false.
    middleware("security-headers", `${r.resourceName}-security-headers`, securityHeadersSpec(r.hstsMaxAgeSeconds));
    if (r.cors) middleware("cors", `${r.resourceName}-cors`, corsSpec(r.cors));
    for (const router of r.routers) {
      const role = router.rateLimitMiddleware.slice(r.resourceName.length + 1);
      middleware(role, router.rateLimitMiddleware, rateLimitSpec(router.rateLimit, r.trustedProxyDepth, r.rateLimitRedis));
      if (router.bodyLimitMiddleware) {
        // Bodies above memRequestBodyBytes (1 MiB by default) are buffered to Traefik's /tmp emptyDir.
        middleware(router.bodyLimitMiddleware.slice(r.resourceName.length + 1), router.bodyLimitMiddleware, { buffering: { maxRequestBodyBytes: router.maxBodyBytes } });
      }
    }

    // Every host gets the same routers and names the same Middlewares: one rate-limit bucket per
    // client IP whichever firm's host it calls.
    const routesFor = (host: string) => {
      const hostMatch = `Host(\`${host}\`)`;
      return r.routers.map((router) => ({
        kind: "Rule",
        match: router.pathPrefix ? `${hostMatch} && PathPrefix(\`${router.pathPrefix}\`)` : hostMatch,
        middlewares: [
          names["security-headers"],
          ...(r.cors ? [names["cors"]] : []),
          router.rateLimitMiddleware,
          ...(router.bodyLimitMiddleware ? [router.bodyLimitMiddleware] : []),
        ].map((n) => ({ name: n })),
        services: [{ kind: "Service", name: router.service, port: router.port }],
      }));
    };
    new k8s.apiextensions.CustomResource(
      `${name}-ingressroute`,
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "IngressRoute",
        metadata: meta(),
        spec: {
          entryPoints: r.entryPoints,
          // Traefik's default priority is the rule's length: the login path outranks its service's
          // prefix, every prefix outranks the frontend's bare Host rule.
          routes: routesFor(r.host),
          // No TLS option named: Traefik's `default` TLSOption applies.
          tls: { secretName: tlsSecretName },
        },
      },
      { parent: this, dependsOn: [...traefikOpts.dependsOn, certificate, ...middlewares] },
    );

    // One certificate for every tenant under the tenant domain, in the routes' namespace (Traefik
    // reads a route's TLS Secret there). "wildcard" is no firm's Pulumi name: theirs are `tenant-<id>`.
    const wildcard = r.tenantWildcard
      ? hostCertificate(
          this,
          `${name}-wildcard`,
          { resourceName: `${r.resourceName}-wildcard`, namespace: r.namespace, labels: r.labels, host: `*.${r.tenantWildcard.domain}`, issuer: r.tenantWildcard.issuer },
          crdDependencies("cert-manager.io/v1", installers),
        )
      : undefined;
    const wildcardTenants = new Set(r.tenantWildcard?.tenantIds ?? []);

    // Named after the firm id alone: adding a firm never renames another's resources.
    const tenantUrls: Record<string, string> = {};
    const tenantTlsSecrets: Record<string, string> = {};
    for (const [id, tenantHost] of Object.entries(r.tenantHosts)) {
      const tls =
        wildcard && wildcardTenants.has(id)
          ? wildcard
          : hostCertificate(
              this,
              `${name}-tenant-${id}`,
              { resourceName: `${r.resourceName}-tenant-${id}`, namespace: r.namespace, labels: r.labels, host: tenantHost, issuer: r.issuer },
              crdDependencies("cert-manager.io/v1", installers),
            );
      new k8s.apiextensions.CustomResource(
        `${name}-tenant-${id}`,
        {
          apiVersion: "traefik.io/v1alpha1",
          kind: "IngressRoute",
          metadata: meta(`-tenant-${id}`),
          spec: { entryPoints: r.entryPoints, routes: routesFor(tenantHost), tls: { secretName: tls.secretName } },
        },
        { parent: this, dependsOn: [...traefikOpts.dependsOn, tls.certificate, ...middlewares] },
      );
      tenantUrls[id] = `https://${tenantHost}`;
      tenantTlsSecrets[id] = tls.secretName;
    }

    this.host = pulumi.output(r.host);
    this.url = pulumi.output(`https://${r.host}`);
    this.middlewareNames = pulumi.output(names);
    this.backendNamespaces = pulumi.output([r.namespace]);
    const backends = new Map<string, { service: string; port: number | string }>();
    for (const router of r.routers) backends.set(`${router.service}:${router.port}`, { service: router.service, port: router.port });
    this.backends = pulumi.output([...backends.values()]);
    this.tenantUrls = pulumi.output(tenantUrls);
    this.tenantTlsSecrets = pulumi.output(tenantTlsSecrets);
    this.registerOutputs({
      host: this.host,
      url: this.url,
      middlewareNames: this.middlewareNames,
      backendNamespaces: this.backendNamespaces,
      backends: this.backends,
      // Only with tenants, so that a single-host gateway's outputs stay as they were.
      ...(Object.keys(tenantUrls).length > 0 ? { tenantUrls: this.tenantUrls, tenantTlsSecrets: this.tenantTlsSecrets } : {}),
    });
  }
}

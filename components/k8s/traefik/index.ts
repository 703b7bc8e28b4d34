/**
 * Traefik v3, the platform's single public entry point (docs/platforms/diaspomoney.md § Architecture
 * Multi-Environnement: one Traefik in front of dev, rct and prod). Installed from its pinned Helm
 * chart; what must hold is explicit: replicas and a PodDisruptionBudget in the chart values, the
 * only LoadBalancer Service of the cluster, HTTP→HTTPS at the entry point, and the default
 * TLSOption and security-headers Middleware as typed custom resources.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { DEFAULT_ADDON_ENV, crdDependencies, helmAddon, type CrdInstaller, type PinnedChart } from "../common/helm-addon";
import { apiServerEgress, type IsolatedNamespace, type AllowRule } from "../namespace";

export const TRAEFIK_TYPE = "platform:k8s:Traefik";

/**
 * Chart 41.3.0 is the release whose CRDs are vendored (vendor/SOURCES.md § CRDs,
 * traefik/traefik-helm-chart v41.3.0); its appVersion is v3.7.11.
 */
export const TRAEFIK_CHART = { chart: "traefik", version: "41.3.0", repo: "https://traefik.github.io/charts", crdGroups: ["traefik.io"] } as const satisfies PinnedChart;
export const TRAEFIK_IMAGE = { registry: "docker.io", repository: "traefik", tag: "v3.7.11" } as const;

/** Container ports of the chart's entry points (the Service maps 80/443 to them). */
export const TRAEFIK_PORTS = { web: 8000, websecure: 8443, metrics: 9100 } as const;
/** The IngressClass the chart creates; cert-manager's HTTP-01 solver Ingresses name it. */
export const TRAEFIK_INGRESS_CLASS = "traefik";
/** Label selecting Traefik's pods, for NetworkPolicies of the backends' namespaces. */
export const TRAEFIK_POD_LABELS = { "app.kubernetes.io/name": "traefik" } as const;

/**
 * Priority of the HTTP → HTTPS redirect router on `web`: the lowest, so that cert-manager's HTTP-01
 * solver routes (priority = rule length) win on `/.well-known/acme-challenge/<token>`.
 */
export const TRAEFIK_REDIRECT_PRIORITY = 1;

export type TlsMinVersion = "VersionTLS12" | "VersionTLS13";

export interface TraefikArgs extends CommonArgs {
  /** Platform label (`diaspomoney`). */
  platform: string;
  /**
   * `env` label of the add-on's namespaces: the stack's foundation env, which the stack passes
   * (the component knows no env names).
   * @default DEFAULT_ADDON_ENV ("shared")
   */
  env?: string;
  /** CIDRs of the Kubernetes API server (GKE: `GkeCluster.masterIpv4CidrBlock`); Traefik watches the API. */
  apiServerCidrs: string[];
  /** Namespaces whose Services Traefik routes to (egress is allowed only to them). */
  backendNamespaces: string[];
  /** @default "traefik" */
  namespace?: string;
  /** Traefik pods; at least 2 so that a node drain or a zone loss keeps the platform reachable. @default 3 */
  replicas?: number;
  /**
   * Minimum TLS version of the default TLSOption. The document asks for TLS 1.3
   * (docs/platforms/diaspomoney.md § Chiffrement: "TLS 1.3 - Transport"); 1.2 with AEAD ciphers
   * only stays the default for older payment clients, and an env can raise it.
   * @default "VersionTLS12"
   */
  minTlsVersion?: TlsMinVersion;
  /** A reserved regional static IP for the LoadBalancer Service. @default an ephemeral IP */
  loadBalancerIp?: string;
  /** Client CIDRs allowed by the load balancer. @default [] (everyone: it is the public entry point) */
  loadBalancerSourceRanges?: string[];
  /** Namespace of Prometheus, allowed to scrape Traefik's metrics port. @default no scraping allowed */
  monitoringNamespace?: string;
  /** HSTS max-age in seconds. @default 31536000 (one year) */
  hstsMaxAgeSeconds?: number;
  /** Resources of each Traefik container. @default requests 100m/128Mi, limits 1 CPU/512Mi */
  resources?: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
}

export interface ResolvedTraefikArgs {
  namespace: string;
  platform: string;
  replicas: number;
  minTlsVersion: TlsMinVersion;
  loadBalancerIp?: string;
  loadBalancerSourceRanges: string[];
  apiServerCidrs: string[];
  backendNamespaces: string[];
  monitoringNamespace?: string;
  hstsMaxAgeSeconds: number;
  resources: NonNullable<TraefikArgs["resources"]>;
  labels: Record<string, string>;
  env: string;
  deletionProtection: boolean;
}

/**
 * The spec of a `headers` Middleware: HSTS, no sniffing, no framing, a strict referrer and
 * permissions policy, and no server banner. Shared by the Traefik namespace's Middleware and the
 * one each app creates in its own namespace (routes cannot name a Middleware across namespaces).
 */
export function securityHeadersSpec(hstsMaxAgeSeconds: number): Record<string, unknown> {
  return {
    headers: {
      stsSeconds: hstsMaxAgeSeconds,
      stsIncludeSubdomains: true,
      forceSTSHeader: true,
      contentTypeNosniff: true,
      frameDeny: true,
      referrerPolicy: "strict-origin-when-cross-origin",
      permissionsPolicy: "camera=(), microphone=(), geolocation=(), payment=(self)",
      customResponseHeaders: { Server: "", "X-Powered-By": "" },
    },
  };
}

export function resolveTraefikArgs(name: string, args: TraefikArgs): ResolvedTraefikArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(TRAEFIK_TYPE, name, detail);
  };
  const replicas = args.replicas ?? 3;
  if (!Number.isInteger(replicas) || replicas < 2) fail(`replicas ${replicas}: at least 2 replicas are required (PodDisruptionBudget minAvailable 1)`);
  if (args.apiServerCidrs.length === 0) fail("apiServerCidrs is empty: Traefik could not reach the Kubernetes API");
  const minTlsVersion = args.minTlsVersion ?? "VersionTLS12";
  if (!["VersionTLS12", "VersionTLS13"].includes(minTlsVersion)) fail(`minTlsVersion ${minTlsVersion}: only VersionTLS12 or VersionTLS13`);
  const hsts = args.hstsMaxAgeSeconds ?? 31536000;
  if (hsts < 15768000) fail(`hstsMaxAgeSeconds ${hsts} is below six months`);
  return {
    namespace: args.namespace ?? "traefik",
    platform: args.platform,
    replicas,
    minTlsVersion,
    loadBalancerIp: args.loadBalancerIp,
    loadBalancerSourceRanges: args.loadBalancerSourceRanges ?? [],
    apiServerCidrs: args.apiServerCidrs,
    backendNamespaces: args.backendNamespaces,
    monitoringNamespace: args.monitoringNamespace,
    hstsMaxAgeSeconds: hsts,
    resources: args.resources ?? { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    labels: args.labels ?? {},
    env: args.env ?? DEFAULT_ADDON_ENV,
    deletionProtection: args.deletionProtection ?? true,
  };
}

/** AEAD, forward-secret suites only (used when TLS 1.2 is allowed; TLS 1.3 suites are not configurable). */
export const TLS12_CIPHER_SUITES = [
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
];

/** The chart values (exported for tests and review: every setting that matters is here). */
export function traefikValues(r: ResolvedTraefikArgs): Record<string, unknown> {
  return {
    image: { ...TRAEFIK_IMAGE },
    deployment: { replicas: r.replicas },
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    // Spread over zones so that the loss of one keeps the entry point up.
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...TRAEFIK_POD_LABELS } } },
    ],
    ingressClass: { enabled: true, isDefaultClass: true, name: TRAEFIK_INGRESS_CLASS },
    providers: {
      kubernetesCRD: { enabled: true, allowCrossNamespace: false },
      // Serves cert-manager's HTTP-01 solver Ingresses: with no `ingressClass` filter, Traefik takes
      // every Ingress whose IngressClass has its controller (traefik.io/ingress-controller), i.e. the
      // IngressClass `traefik` above, which the ClusterIssuers name (CertManagerArgs.ingressClassName).
      // No namespace filter: the solvers run in the namespace of each Certificate.
      kubernetesIngress: { enabled: true },
    },
    api: { dashboard: false },
    ports: {
      web: {
        http: {
          // HTTP → HTTPS at the entry point. Traefik gives the generated redirect router the highest
          // priority (MaxInt-1) by default, above cert-manager's HTTP-01 solver Ingress: Let's Encrypt
          // would be redirected to 443 and the challenge never served on 80. At priority 1 every
          // router on `web` outranks it; the only routers there are the solvers' (IngressRoutes use
          // `websecure`, and the issuers pin their solver Ingresses to `web`), so everything else
          // still redirects.
          redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true, priority: TRAEFIK_REDIRECT_PRIORITY } },
        },
      },
      // Chart v39 moved the entry point's TLS and middlewares under `http` (traefik-helm-chart 266ff0e4).
      websecure: { http: { tls: { enabled: true }, middlewares: [`${r.namespace}-security-headers@kubernetescrd`] } },
    },
    // Chart v40 moved the Service fields under `service.spec` (traefik-helm-chart b9f3ed34): at the
    // old place they were dropped, and the source ranges with them.
    service: {
      spec: {
        type: "LoadBalancer",
        // Local keeps the client's source IP (audit logs, rate limits) and avoids a second hop.
        externalTrafficPolicy: "Local",
        ...(r.loadBalancerIp ? { loadBalancerIP: r.loadBalancerIp } : {}),
        ...(r.loadBalancerSourceRanges.length ? { loadBalancerSourceRanges: r.loadBalancerSourceRanges } : {}),
      },
    },
    // The chart's defaults plus the seccomp profile that Pod Security "restricted" requires.
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
    resources: r.resources,
    // Chart v41 renamed `logs.access` to `accessLog` (traefik-helm-chart 16e26ce8).
    accessLog: { enabled: true },
    global: { checkNewVersion: false, sendAnonymousUsage: false },
  };
}

export class Traefik extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;
  /** IngressClass for Ingresses (cert-manager's HTTP-01 solver uses it). */
  public readonly ingressClassName: pulumi.Output<string>;
  /** Provider-qualified name of the security-headers Middleware, applied to every websecure route. */
  public readonly securityHeadersMiddleware: pulumi.Output<string>;
  public readonly namespace: IsolatedNamespace;
  /** The Helm release, which installs the chart's CRDs: custom resources of those kinds depend on it. */
  public readonly release: k8s.helm.v3.Release;
  /** The release with the CRD groups it installs (`traefik.io`), for `crdDependencies` of IngressRoutes and Middlewares elsewhere. */
  public readonly crds: CrdInstaller;

  constructor(name: string, args: TraefikArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TRAEFIK_TYPE, name, {}, opts);
    const r = resolveTraefikArgs(name, args);

    const allow: Record<string, AllowRule> = {
      "web-from-internet": {
        podLabels: { ...TRAEFIK_POD_LABELS },
        // In-cluster clients of public hostnames (cert-manager's HTTP-01 self-check, apps calling
        // each other by URL) hairpin to the pods directly: an ipBlock does not match pods.
        ingressFrom: [{ cidr: "0.0.0.0/0" }, { namespace: "*" }],
        ports: [{ port: TRAEFIK_PORTS.web }, { port: TRAEFIK_PORTS.websecure }],
      },
      apiserver: apiServerEgress(r.apiServerCidrs, { ...TRAEFIK_POD_LABELS }),
    };
    if (r.backendNamespaces.length > 0) {
      allow["to-backends"] = { podLabels: { ...TRAEFIK_POD_LABELS }, egressTo: r.backendNamespaces.map((namespace) => ({ namespace })) };
    }
    if (r.monitoringNamespace) {
      allow["metrics-from-monitoring"] = { podLabels: { ...TRAEFIK_POD_LABELS }, ingressFrom: [{ namespace: r.monitoringNamespace }], ports: [{ port: TRAEFIK_PORTS.metrics }] };
    }
    const addon = helmAddon(this, TRAEFIK_TYPE, name, {
      namespace: {
        namespace: r.namespace,
        env: r.env,
        platform: r.platform,
        labels: r.labels,
        deletionProtection: r.deletionProtection,
        // The one namespace allowed a LoadBalancer Service.
        quota: { loadBalancers: "1", requestsCpu: "4", limitsCpu: "8" },
        allow,
      },
      releaseName: "traefik",
      chart: TRAEFIK_CHART,
      values: traefikValues(r),
    });
    this.namespace = addon.namespace;
    this.release = addon.release;
    this.crds = { release: addon.release, crdGroups: addon.crdGroups };
    const ns = this.namespace.namespaceName;

    const crOpts = { parent: this, dependsOn: crdDependencies("traefik.io/v1alpha1", [this.crds]) };
    new k8s.apiextensions.CustomResource(
      `${name}-tls-default`,
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "TLSOption",
        // Traefik applies a TLSOption named "default" (in any namespace) to every router without its
        // own, and registers it as `default`, not `<namespace>-default`: routes in the app namespaces
        // get it without referencing it, which allowCrossNamespace false would forbid anyway.
        metadata: { name: "default", namespace: ns, labels: r.labels },
        spec: {
          minVersion: r.minTlsVersion,
          // No handshake for a hostname without a certificate: Traefik never falls back to its
          // self-signed default certificate (no host enumeration, no browser warning to click
          // through). HTTP-01 is not affected: the solver routes are served on `web` (port 80)
          // before the redirect, so Let's Encrypt never reaches TLS for an unissued host.
          sniStrict: true,
          ...(r.minTlsVersion === "VersionTLS12" ? { cipherSuites: TLS12_CIPHER_SUITES } : {}),
          curvePreferences: ["X25519", "CurveP256"],
        },
      },
      crOpts,
    );
    new k8s.apiextensions.CustomResource(
      `${name}-security-headers`,
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "Middleware",
        metadata: { name: "security-headers", namespace: ns, labels: r.labels },
        spec: securityHeadersSpec(r.hstsMaxAgeSeconds),
      },
      crOpts,
    );

    this.namespaceName = ns;
    this.ingressClassName = pulumi.output(TRAEFIK_INGRESS_CLASS);
    this.securityHeadersMiddleware = pulumi.output(`${r.namespace}-security-headers@kubernetescrd`);
    this.registerOutputs({ namespaceName: this.namespaceName, ingressClassName: this.ingressClassName, securityHeadersMiddleware: this.securityHeadersMiddleware });
  }
}

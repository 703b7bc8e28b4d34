/**
 * WebApp: a stateless HTTP application on Kubernetes (the DiaspoMoney Next.js app is the first
 * user): Deployment, ClusterIP Service, HPA, PodDisruptionBudget, ServiceMonitor, and optionally a
 * Traefik IngressRoute with its cert-manager Certificate and security-headers Middleware, a canary
 * Deployment the route weighs against the stable one, a Secret for values the stack holds, and a
 * CA bundle the app trusts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { assertResources, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, zoneSpread, type ResourceSpec } from "../common/pod-security";
import { hostCertificate } from "../common/host-certificate";
import { securityHeadersSpec } from "../traefik";

export const WEB_APP_TYPE = "platform:k8s:WebApp";

/** A value read from a Kubernetes Secret (`secretKeyRef`). */
export interface SecretRef {
  /** Name of the Secret in the app's namespace. */
  secretName: pulumi.Input<string>;
  /** Key inside the Secret. */
  key: string;
}

/** Reference to a Traefik object (Middleware, TLSOption) possibly in another namespace. */
export interface TraefikRef {
  name: string;
  /** Namespace of the object; cross-namespace references need Traefik's `allowCrossNamespace`. @default the app's namespace */
  namespace?: string;
}

export interface WebAppIngressArgs {
  /** Public host name, e.g. `app.diaspomoney.fr`. */
  host: string;
  /** cert-manager issuer of the public certificate (Let's Encrypt per the documents). */
  issuer: { name: string; /** @default "ClusterIssuer" */ kind?: "ClusterIssuer" | "Issuer" };
  /**
   * A TLSOption the router names. Unset, the router gets Traefik's TLSOption named `default`
   * (which applies to every router naming none, and cannot be named: Traefik registers it as
   * `default`, not `<namespace>-default`). A named one must be in the app's namespace unless
   * Traefik allows cross-namespace references.
   * @default undefined
   */
  tlsOption?: TraefikRef;
  /**
   * The security-headers Middleware. Unset, the component creates `<resourceName>-security-headers`
   * in the app's namespace (Traefik resolves a route's middlewares in the route's namespace when
   * allowCrossNamespace is false).
   * @default undefined (the component's own Middleware)
   */
  securityHeadersMiddleware?: TraefikRef;
  /**
   * HSTS max-age of the component's own security-headers Middleware.
   * @default 31536000 (one year)
   */
  hstsMaxAgeSeconds?: number;
  /**
   * Additional middlewares, applied after the security headers.
   * @default []
   */
  extraMiddlewares?: TraefikRef[];
  /**
   * Traefik entry points the route binds to.
   * @default ["websecure"]
   */
  entryPoints?: string[];
  /**
   * Path prefixes never routed from the Internet (the metrics endpoint is for Prometheus only).
   * @default [metrics.path]
   */
  blockedPathPrefixes?: string[];
}

export interface WebAppArgs extends CommonArgs {
  /** Namespace the app runs in (created elsewhere, e.g. by IsolatedNamespace). */
  namespace: string;
  /** Container image; must be pinned (tag other than latest, or digest). */
  image: string;
  /** Replica count at rest; also the HPA minimum. */
  replicas: number;
  /**
   * Port the container listens on (HTTP).
   * @default 3000 (Next.js)
   */
  containerPort?: number;
  /**
   * Horizontal autoscaling on CPU.
   * @default { maxReplicas: 2 × replicas, targetCpuUtilizationPercent: 70 }
   */
  autoscaling?: {
    /** Upper bound of the HPA; must be ≥ replicas. */
    maxReplicas: number;
    /** Average CPU utilisation (of requests) the HPA aims at. @default 70 (diaspomoney.md "CPU Usage < 70%") */
    targetCpuUtilizationPercent?: number;
  };
  /**
   * HTTP probe paths.
   * @default { readinessPath: "/api/health", livenessPath: "/api/health" }
   */
  probes?: { readinessPath?: string; livenessPath?: string };
  /**
   * Prometheus scraping through a ServiceMonitor.
   * @default { enabled: true, path: "/api/monitoring/metrics", interval: "30s", labels: {} }
   */
  metrics?: {
    enabled?: boolean;
    path?: string;
    interval?: string;
    /** Labels Prometheus' serviceMonitorSelector matches (e.g. `release: kube-prometheus-stack`). */
    labels?: Labels;
  };
  /**
   * Container resources; CPU requests are required by the HPA.
   * @default { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } }
   */
  resources?: ResourceSpec;
  /**
   * Plain environment variables. Names that look sensitive (PASSWORD, SECRET, TOKEN, API_KEY,
   * PRIVATE_KEY, CREDENTIAL, CONNECTION_STRING, DATABASE_URL) are refused: use `secretEnv`.
   * @default {}
   */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Environment variables read from Secrets (secretKeyRef); the only way to pass sensitive values.
   * @default {}
   */
  secretEnv?: Record<string, SecretRef>;
  /**
   * Writable directories (emptyDir) under the read-only root filesystem.
   * @default ["/tmp", "/app/.next/cache"]
   */
  writablePaths?: string[];
  /**
   * Reason for running with a writable root filesystem. Unset (the default) keeps
   * `readOnlyRootFilesystem: true`; when set, the reason is recorded as a pod annotation.
   * @default undefined
   */
  writableRootFilesystemReason?: string;
  /**
   * Numeric user/group the container runs as (the Next.js Dockerfile's `nextjs` user is 1001).
   * @default 1001
   */
  runAsUser?: number;
  /**
   * Zone spread policy: DoNotSchedule keeps replicas balanced across zones even at the cost of
   * pending pods; ScheduleAnyway prefers availability of capacity.
   * @default "DoNotSchedule"
   */
  zoneSpreadPolicy?: "DoNotSchedule" | "ScheduleAnyway";
  /**
   * Annotations on the app's ServiceAccount (e.g. `iam.gke.io/gcp-service-account`).
   * @default {}
   */
  serviceAccountAnnotations?: Record<string, string>;
  /**
   * Public exposure through Traefik. Unset: the app is reachable only inside the cluster.
   * @default undefined
   */
  ingress?: WebAppIngressArgs;
  /**
   * Values the stack holds as secrets (e.g. a Sentry DSN from the stack's config), passed as
   * environment variables: written to a Secret `<resourceName>-env` in the app's namespace and read
   * through secretKeyRef, never as plain pod values.
   * @default {}
   */
  secretValues?: Record<string, pulumi.Input<string>>;
  /**
   * A CA certificate the app trusts on top of the public ones (the private CA of the data
   * services): the Secret's key is mounted read-only at `/etc/platform-ca/ca.crt` and named by
   * NODE_EXTRA_CA_CERTS (Node.js adds it to its trust store for every TLS client).
   * @default undefined
   */
  trustedCa?: { secretName: pulumi.Input<string>; /** @default "ca.crt" */ key?: string };
  /**
   * A canary release (diaspomoney.md § Déploiement "Canary - Déploiement progressif"): a second
   * Deployment and Service running `image`, to which the IngressRoute sends `weightPercent` % of
   * requests (Traefik's weighted round robin over the route's services). weightPercent 100 is a
   * blue-green switch: all traffic on the new version, the stable one still running for an
   * instant rollback; promote by setting `image` and removing the canary.
   * @default undefined (no canary)
   */
  canary?: {
    image: string;
    /** Share of requests, 0 to 100. */
    weightPercent: number;
    /** @default 1 */
    replicas?: number;
  };
  /**
   * A VerticalPodAutoscaler in recommendation mode (`updateMode: "Off"`) over the stable
   * Deployment: it never evicts pods, because the HPA already scales them on CPU and the two would
   * fight over the same signal; its recommendations say how to size `resources`. Needs the
   * `autoscaling.k8s.io` CRDs, which GKE installs when the cluster's vertical pod autoscaling is on.
   * @default false
   */
  verticalPodAutoscaler?: boolean;
  /**
   * Name of the Kubernetes objects.
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedWebAppArgs {
  namespace: string;
  resourceName: string;
  image: string;
  replicas: number;
  containerPort: number;
  autoscaling: { minReplicas: number; maxReplicas: number; targetCpuUtilizationPercent: number };
  probes: { readinessPath: string; livenessPath: string };
  metrics: { enabled: boolean; path: string; interval: string; labels: Labels };
  resources: ResourceSpec;
  env: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, SecretRef>;
  writablePaths: string[];
  readOnlyRootFilesystem: boolean;
  writableRootFilesystemReason?: string;
  runAsUser: number;
  zoneSpreadPolicy: "DoNotSchedule" | "ScheduleAnyway";
  serviceAccountAnnotations: Record<string, string>;
  ingress?: Required<Omit<WebAppIngressArgs, "issuer" | "tlsOption" | "securityHeadersMiddleware">> & {
    issuer: { name: string; kind: "ClusterIssuer" | "Issuer" };
    tlsOption?: TraefikRef;
    securityHeadersMiddleware?: TraefikRef;
  };
  secretValues: Record<string, pulumi.Input<string>>;
  trustedCa?: { secretName: pulumi.Input<string>; key: string };
  canary?: { image: string; weightPercent: number; replicas: number };
  verticalPodAutoscaler: boolean;
  labels: Labels;
}

/** Where the trusted CA is mounted, and the variable naming it. */
export const TRUSTED_CA_MOUNT = "/etc/platform-ca";

/** Environment variable names that must come from a Secret. */
export const SENSITIVE_ENV_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|CONNECTION_?STRING|DATABASE_URL|MONGODB_URI|_DSN$/i;

/** Applies WebApp defaults and rejects contradictory or unsafe arguments. */
export function resolveWebAppArgs(name: string, args: WebAppArgs): ResolvedWebAppArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(WEB_APP_TYPE, name, detail);
  };
  assertPinnedImage(WEB_APP_TYPE, name, "image", args.image);
  if (!Number.isInteger(args.replicas) || args.replicas < 1) fail(`replicas must be a positive integer, got ${args.replicas}`);
  const maxReplicas = args.autoscaling?.maxReplicas ?? args.replicas * 2;
  if (maxReplicas < args.replicas) fail(`autoscaling.maxReplicas (${maxReplicas}) is below replicas (${args.replicas}), the HPA minimum`);
  // docs/platforms/diaspomoney.md § Métriques Infrastructure: "CPU Usage < 70%"
  const target = args.autoscaling?.targetCpuUtilizationPercent ?? 70;
  if (target <= 0 || target > 100) fail(`autoscaling.targetCpuUtilizationPercent must be in (0, 100], got ${target}`);

  const resources = args.resources ?? { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } };
  assertResources(WEB_APP_TYPE, name, "resources", resources);

  const env = args.env ?? {};
  const secretEnv = args.secretEnv ?? {};
  for (const key of Object.keys(env)) {
    if (SENSITIVE_ENV_NAME.test(key)) fail(`env.${key} looks sensitive: pass it through secretEnv (secretKeyRef), never as a plain value`);
    if (key in secretEnv) fail(`${key} is set in both env and secretEnv`);
  }
  const secretValues = args.secretValues ?? {};
  for (const key of Object.keys(secretValues)) {
    if (key in env || key in secretEnv) fail(`${key} is set in secretValues and in env or secretEnv`);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) fail(`secretValues key "${key}" is not an environment variable name`);
  }
  if (args.trustedCa && ("NODE_EXTRA_CA_CERTS" in env || "NODE_EXTRA_CA_CERTS" in secretEnv)) fail("NODE_EXTRA_CA_CERTS is set by trustedCa: do not set it in env");
  let canary: ResolvedWebAppArgs["canary"];
  if (args.canary) {
    assertPinnedImage(WEB_APP_TYPE, name, "canary.image", args.canary.image);
    const w = args.canary.weightPercent;
    if (!Number.isInteger(w) || w < 0 || w > 100) fail(`canary.weightPercent must be an integer in [0, 100], got ${w}`);
    const replicas = args.canary.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1) fail(`canary.replicas must be a positive integer, got ${replicas}`);
    if (!args.ingress) fail("canary needs ingress: the IngressRoute is what splits traffic between the stable and canary Services");
    canary = { image: args.canary.image, weightPercent: w, replicas };
  }

  if (args.writableRootFilesystemReason !== undefined && args.writableRootFilesystemReason.trim().length < 10) {
    fail("writableRootFilesystemReason must explain why the image cannot run with a read-only root filesystem");
  }

  // docs/platforms/diaspomoney.md § APIs: "Health Check : /api/health", "Metrics : /api/monitoring/metrics"
  const metrics = {
    enabled: args.metrics?.enabled ?? true,
    path: args.metrics?.path ?? "/api/monitoring/metrics",
    interval: args.metrics?.interval ?? "30s",
    labels: args.metrics?.labels ?? {},
  };
  let ingress: ResolvedWebAppArgs["ingress"];
  if (args.ingress) {
    const i = args.ingress;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(i.host)) fail(`ingress.host "${i.host}" is not a fully qualified DNS name`);
    ingress = {
      host: i.host,
      issuer: { name: i.issuer.name, kind: i.issuer.kind ?? "ClusterIssuer" },
      tlsOption: i.tlsOption,
      securityHeadersMiddleware: i.securityHeadersMiddleware,
      hstsMaxAgeSeconds: i.hstsMaxAgeSeconds ?? 31536000,
      extraMiddlewares: i.extraMiddlewares ?? [],
      entryPoints: i.entryPoints ?? ["websecure"],
      blockedPathPrefixes: i.blockedPathPrefixes ?? (metrics.enabled ? [metrics.path] : []),
    };
    if (ingress.entryPoints.length === 0) fail("ingress.entryPoints is empty");
  }

  return {
    namespace: args.namespace,
    resourceName: args.resourceName ?? name,
    image: args.image,
    replicas: args.replicas,
    containerPort: args.containerPort ?? 3000,
    autoscaling: { minReplicas: args.replicas, maxReplicas, targetCpuUtilizationPercent: target },
    probes: { readinessPath: args.probes?.readinessPath ?? "/api/health", livenessPath: args.probes?.livenessPath ?? "/api/health" },
    metrics,
    resources,
    env,
    secretEnv,
    writablePaths: args.writablePaths ?? ["/tmp", "/app/.next/cache"],
    readOnlyRootFilesystem: args.writableRootFilesystemReason === undefined,
    writableRootFilesystemReason: args.writableRootFilesystemReason,
    runAsUser: args.runAsUser ?? 1001,
    zoneSpreadPolicy: args.zoneSpreadPolicy ?? "DoNotSchedule",
    serviceAccountAnnotations: args.serviceAccountAnnotations ?? {},
    ingress,
    secretValues,
    trustedCa: args.trustedCa ? { secretName: args.trustedCa.secretName, key: args.trustedCa.key ?? "ca.crt" } : undefined,
    canary,
    verticalPodAutoscaler: args.verticalPodAutoscaler ?? false,
    labels: args.labels ?? {},
  };
}

/** The label selector of a WebApp's pods, stable and canary (for NetworkPolicies and PodMonitors). */
export function webAppPodSelector(resourceName: string): Labels {
  return { "app.kubernetes.io/name": resourceName, "app.kubernetes.io/component": "web" };
}

/** The label telling the stable pods from the canary ones (each Service selects one track). */
export const TRACK_LABEL = "app.platform/track";

export class WebApp extends pulumi.ComponentResource {
  /** Name of the ClusterIP Service (port 80 → the container port). */
  public readonly serviceName: pulumi.Output<string>;
  public readonly deploymentName: pulumi.Output<string>;
  /** In-cluster URL of the Service. */
  public readonly internalUrl: pulumi.Output<string>;
  /** Public URL when an ingress is configured. */
  public readonly url: pulumi.Output<string | undefined>;

  constructor(name: string, args: WebAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(WEB_APP_TYPE, name, {}, opts);
    const r = resolveWebAppArgs(name, args);
    const selector = webAppPodSelector(r.resourceName);
    const labels = standardLabels(r.resourceName, r.resourceName, "web", r.labels);
    const meta = (suffix = "") => ({ name: `${r.resourceName}${suffix}`, namespace: r.namespace, labels });

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { ...meta(), annotations: r.serviceAccountAnnotations }, automountServiceAccountToken: false },
      { parent: this },
    );

    const volumeName = (path: string) => `writable${path.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.replace(/-+$/, "");
    // Values the stack holds as secrets: one Secret, read through secretKeyRef like any other.
    const envSecretName = `${r.resourceName}-env`;
    const secretValueKeys = Object.keys(r.secretValues);
    if (secretValueKeys.length > 0) {
      new k8s.core.v1.Secret(
        `${name}-env`,
        { metadata: meta("-env"), type: "Opaque", stringData: pulumi.secret(r.secretValues) },
        { parent: this },
      );
    }
    const env = [
      ...Object.entries(r.env).map(([envName, value]) => ({ name: envName, value })),
      ...Object.entries(r.secretEnv).map(([envName, ref]) => ({ name: envName, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } })),
      ...secretValueKeys.map((envName) => ({ name: envName, valueFrom: { secretKeyRef: { name: envSecretName, key: envName } } })),
      ...(r.trustedCa ? [{ name: "NODE_EXTRA_CA_CERTS", value: `${TRUSTED_CA_MOUNT}/ca.crt` }] : []),
    ];
    const podAnnotations: Record<string, string> = r.writableRootFilesystemReason
      ? { "platform.diaspomoney.fr/waiver-writable-root-filesystem": r.writableRootFilesystemReason }
      : {};
    const volumes = [
      ...r.writablePaths.map((path) => ({ name: volumeName(path), emptyDir: { sizeLimit: "1Gi" } })),
      // Only the public certificate is projected, whatever else the Secret holds.
      ...(r.trustedCa ? [{ name: "trusted-ca", secret: { secretName: r.trustedCa.secretName, items: [{ key: r.trustedCa.key, path: "ca.crt" }] } }] : []),
    ];
    const volumeMounts = [
      ...r.writablePaths.map((path) => ({ name: volumeName(path), mountPath: path })),
      ...(r.trustedCa ? [{ name: "trusted-ca", mountPath: TRUSTED_CA_MOUNT, readOnly: true }] : []),
    ];

    // Stable and canary pods share the app's labels (network policies, PDB, monitoring); the track
    // label lets each Service select one of them.
    const trackSelector = (track: "stable" | "canary") => ({ ...selector, [TRACK_LABEL]: track });
    const podTemplate = (image: string, track: "stable" | "canary") => ({
      metadata: { labels: mergeLabels(labels, trackSelector(track)), annotations: podAnnotations },
      spec: {
        serviceAccountName: serviceAccount.metadata.name,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurityContext(r.runAsUser),
        topologySpreadConstraints: zoneSpread(trackSelector(track), r.zoneSpreadPolicy),
        containers: [
          {
            name: "app",
            image,
            imagePullPolicy: "IfNotPresent",
            ports: [{ name: "http", containerPort: r.containerPort, protocol: "TCP" }],
            env,
            resources: r.resources,
            securityContext: restrictedContainerSecurityContext(r.readOnlyRootFilesystem),
            readinessProbe: { httpGet: { path: r.probes.readinessPath, port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: r.probes.livenessPath, port: "http" }, initialDelaySeconds: 20, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
            startupProbe: { httpGet: { path: r.probes.readinessPath, port: "http" }, periodSeconds: 5, failureThreshold: 30 },
            volumeMounts,
          },
        ],
        volumes,
        terminationGracePeriodSeconds: 30,
      },
    });

    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta(),
        spec: {
          replicas: r.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: trackSelector("stable") },
          // Zero-downtime rollouts: a new pod must be ready before an old one goes
          // (diaspomoney.md § Updates: "Rolling Updates - Mise à jour sans interruption").
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: podTemplate(r.image, "stable"),
        },
      },
      // The HPA owns the replica count once running: a redeploy must not reset it.
      { parent: this, ignoreChanges: ["spec.replicas"] },
    );

    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: meta(),
        spec: { type: "ClusterIP", selector: trackSelector("stable"), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
      },
      { parent: this },
    );

    // The canary: same pod spec, another image, its own Service for the route to weigh.
    let canaryService: k8s.core.v1.Service | undefined;
    if (r.canary) {
      new k8s.apps.v1.Deployment(
        `${name}-canary-deployment`,
        {
          metadata: meta("-canary"),
          spec: {
            replicas: r.canary.replicas,
            revisionHistoryLimit: 2,
            selector: { matchLabels: trackSelector("canary") },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: podTemplate(r.canary.image, "canary"),
          },
        },
        { parent: this },
      );
      canaryService = new k8s.core.v1.Service(
        `${name}-canary-service`,
        {
          metadata: meta("-canary"),
          spec: { type: "ClusterIP", selector: trackSelector("canary"), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
        },
        { parent: this },
      );
    }

    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      {
        metadata: meta(),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
          minReplicas: r.autoscaling.minReplicas,
          maxReplicas: r.autoscaling.maxReplicas,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: r.autoscaling.targetCpuUtilizationPercent } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
      },
      { parent: this },
    );

    if (r.verticalPodAutoscaler) {
      new k8s.apiextensions.CustomResource(
        `${name}-vpa`,
        {
          apiVersion: "autoscaling.k8s.io/v1",
          kind: "VerticalPodAutoscaler",
          metadata: meta(),
          spec: {
            targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
            updatePolicy: { updateMode: "Off" },
          },
        },
        { parent: this },
      );
    }

    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: meta(), spec: { maxUnavailable: 1, selector: { matchLabels: trackSelector("stable") } } },
      { parent: this },
    );

    if (r.metrics.enabled) {
      // Selects the stable and the canary Service alike (same labels).
      new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { ...meta(), labels: mergeLabels(labels, r.metrics.labels) },
          spec: {
            selector: { matchLabels: labels },
            namespaceSelector: { matchNames: [r.namespace] },
            endpoints: [{ port: "http", path: r.metrics.path, interval: r.metrics.interval, scheme: "http" }],
          },
        },
        { parent: this },
      );
    }

    let url: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (r.ingress) {
      const i = r.ingress;
      const { certificate, secretName: tlsSecretName } = hostCertificate(this, name, { resourceName: r.resourceName, namespace: r.namespace, labels, host: i.host, issuer: i.issuer });
      // The security headers, in the route's own namespace unless another Middleware is named.
      const routeDeps: pulumi.Resource[] = [certificate];
      let securityHeaders: TraefikRef;
      if (i.securityHeadersMiddleware) {
        securityHeaders = i.securityHeadersMiddleware;
      } else {
        securityHeaders = { name: `${r.resourceName}-security-headers` };
        routeDeps.push(
          new k8s.apiextensions.CustomResource(
            `${name}-security-headers`,
            {
              apiVersion: "traefik.io/v1alpha1",
              kind: "Middleware",
              metadata: meta("-security-headers"),
              spec: securityHeadersSpec(i.hstsMaxAgeSeconds),
            },
            { parent: this },
          ),
        );
      }
      const ref = (m: TraefikRef) => (m.namespace ? { name: m.name, namespace: m.namespace } : { name: m.name });
      const blocked = i.blockedPathPrefixes.map((p) => ` && !PathPrefix(\`${p}\`)`).join("");
      // With a canary, Traefik balances the route's services by weight (weighted round robin).
      const services = canaryService
        ? [
            { kind: "Service", name: service.metadata.name, port: "http", weight: 100 - r.canary!.weightPercent },
            { kind: "Service", name: canaryService.metadata.name, port: "http", weight: r.canary!.weightPercent },
          ]
        : [{ kind: "Service", name: service.metadata.name, port: "http" }];
      new k8s.apiextensions.CustomResource(
        `${name}-ingressroute`,
        {
          apiVersion: "traefik.io/v1alpha1",
          kind: "IngressRoute",
          metadata: meta(),
          spec: {
            entryPoints: i.entryPoints,
            routes: [
              {
                kind: "Rule",
                match: `Host(\`${i.host}\`)${blocked}`,
                middlewares: [ref(securityHeaders), ...i.extraMiddlewares.map(ref)],
                services,
              },
            ],
            // No TLS option named: Traefik's `default` TLSOption applies.
            tls: { secretName: tlsSecretName, ...(i.tlsOption ? { options: ref(i.tlsOption) } : {}) },
          },
        },
        { parent: this, dependsOn: routeDeps },
      );
      url = pulumi.output(`https://${i.host}`);
    }
    this.serviceName = service.metadata.name;
    this.deploymentName = deployment.metadata.name;
    this.internalUrl = pulumi.interpolate`http://${service.metadata.name}.${r.namespace}.svc.cluster.local`;
    this.url = url;
    this.registerOutputs({ serviceName: this.serviceName, deploymentName: this.deploymentName, internalUrl: this.internalUrl, url: this.url });
  }
}

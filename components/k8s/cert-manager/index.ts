/**
 * cert-manager with the Let's Encrypt ClusterIssuers of the platform
 * (docs/platforms/diaspomoney.md § Security Layer: "Let's Encrypt - Certificats SSL"). Certificates
 * are solved by HTTP-01 through Traefik's IngressClass.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { DEFAULT_ADDON_ENV, crdDependencies, helmAddon, type CrdInstaller, type PinnedChart } from "../common/helm-addon";
import { apiServerEgress, type IsolatedNamespace, type AllowRule } from "../namespace";
import { TRAEFIK_INGRESS_CLASS, TRAEFIK_POD_LABELS } from "../traefik";

export const CERT_MANAGER_TYPE = "platform:k8s:CertManager";

/** cert-manager v1.21.1: the release whose CRDs are vendored (vendor/SOURCES.md § CRDs). */
export const CERT_MANAGER_CHART = {
  chart: "cert-manager",
  version: "v1.21.1",
  repo: "https://charts.jetstack.io",
  // Rendered by templates/crds.yaml because the values set `crds.enabled` (certManagerValues).
  crdGroups: ["cert-manager.io", "acme.cert-manager.io"],
} as const satisfies PinnedChart;

export const LETSENCRYPT_SERVERS = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export type ClusterIssuerName = keyof typeof LETSENCRYPT_SERVERS;

/** Traefik's Ingress annotation choosing the entry points of the router it builds from an Ingress. */
export const TRAEFIK_ENTRYPOINTS_ANNOTATION = "traefik.ingress.kubernetes.io/router.entrypoints";

/** Port of the HTTP-01 solver pods cert-manager starts next to a Certificate. */
export const ACME_SOLVER_PORT = 8089;

/**
 * The allow rule a namespace holding Certificates needs: Traefik reaches the HTTP-01 solver pods.
 * Add it with `ns.allow("acme-solver", acmeHttp01SolverAllowRule())`.
 */
export function acmeHttp01SolverAllowRule(traefikNamespace = "traefik"): AllowRule {
  return {
    podLabels: { "acme.cert-manager.io/http01-solver": "true" },
    ingressFrom: [{ namespace: traefikNamespace, podLabels: { ...TRAEFIK_POD_LABELS } }],
    ports: [{ port: ACME_SOLVER_PORT }],
  };
}

export interface CertManagerArgs extends CommonArgs {
  /** Platform label (`diaspomoney`). */
  platform: string;
  /**
   * `env` label of the add-on's namespaces: the stack's foundation env, which the stack passes
   * (the component knows no env names).
   * @default DEFAULT_ADDON_ENV ("shared")
   */
  env?: string;
  /** CIDRs of the Kubernetes API server (GKE: `GkeCluster.masterIpv4CidrBlock`). */
  apiServerCidrs: string[];
  /** Email Let's Encrypt writes to about expiring certificates and account issues. */
  acmeEmail: string;
  /** @default "cert-manager" */
  namespace?: string;
  /** IngressClass the HTTP-01 solver uses. @default "traefik" */
  ingressClassName?: string;
  /** Namespace of Traefik, which the HTTP-01 self-check goes through. @default "traefik" */
  traefikNamespace?: string;
  /** Replicas of the controller, webhook and cainjector (each with a PDB). @default 2 */
  replicas?: number;
  /** Namespace of Prometheus, allowed to scrape cert-manager's metrics. @default no scraping allowed */
  monitoringNamespace?: string;
}

export interface ResolvedCertManagerArgs {
  namespace: string;
  platform: string;
  apiServerCidrs: string[];
  acmeEmail: string;
  ingressClassName: string;
  traefikNamespace: string;
  replicas: number;
  monitoringNamespace?: string;
  labels: Record<string, string>;
  env: string;
  deletionProtection: boolean;
}

export function resolveCertManagerArgs(name: string, args: CertManagerArgs): ResolvedCertManagerArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(CERT_MANAGER_TYPE, name, detail);
  };
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.acmeEmail ?? "")) fail(`acmeEmail "${args.acmeEmail}" is not an email address`);
  if (args.apiServerCidrs.length === 0) fail("apiServerCidrs is empty: cert-manager could not reach the Kubernetes API");
  const replicas = args.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1) fail(`replicas ${replicas} must be a positive integer`);
  return {
    namespace: args.namespace ?? "cert-manager",
    platform: args.platform,
    apiServerCidrs: args.apiServerCidrs,
    acmeEmail: args.acmeEmail,
    ingressClassName: args.ingressClassName ?? TRAEFIK_INGRESS_CLASS,
    traefikNamespace: args.traefikNamespace ?? "traefik",
    replicas,
    monitoringNamespace: args.monitoringNamespace,
    labels: args.labels ?? {},
    env: args.env ?? DEFAULT_ADDON_ENV,
    deletionProtection: args.deletionProtection ?? true,
  };
}

export function certManagerValues(r: ResolvedCertManagerArgs): Record<string, unknown> {
  // A PDB with minAvailable 1 on a single replica would block every node drain.
  const pdb = r.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };
  const podSecurity = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
  const containerSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true };
  return {
    // The chart installs and upgrades the CRDs; `keep` leaves them (and every Certificate) in
    // place if the release is ever uninstalled.
    crds: { enabled: true, keep: true },
    replicaCount: r.replicas,
    podDisruptionBudget: pdb,
    // Leader election in its own namespace instead of kube-system.
    global: { leaderElection: { namespace: r.namespace } },
    securityContext: podSecurity,
    containerSecurityContext: containerSecurity,
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    webhook: {
      replicaCount: r.replicas,
      podDisruptionBudget: pdb,
      securityContext: podSecurity,
      containerSecurityContext: containerSecurity,
      resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
    },
    cainjector: {
      replicaCount: r.replicas,
      podDisruptionBudget: pdb,
      securityContext: podSecurity,
      containerSecurityContext: containerSecurity,
      resources: { requests: { cpu: "20m", memory: "128Mi" }, limits: { cpu: "200m", memory: "512Mi" } },
    },
    startupapicheck: { securityContext: podSecurity, containerSecurityContext: containerSecurity },
    prometheus: { enabled: true, servicemonitor: { enabled: false } },
  };
}

export class CertManager extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;
  /** ClusterIssuer names, for `cert-manager.io/cluster-issuer` annotations and Certificate issuerRefs. */
  public readonly stagingIssuer: pulumi.Output<string>;
  public readonly productionIssuer: pulumi.Output<string>;
  public readonly namespace: IsolatedNamespace;
  /** The Helm release, which installs the chart's CRDs: custom resources of those kinds depend on it. */
  public readonly release: k8s.helm.v3.Release;
  /** The release with the CRD groups it installs (`cert-manager.io`, `acme.cert-manager.io`), for `crdDependencies` of Certificates elsewhere. */
  public readonly crds: CrdInstaller;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CERT_MANAGER_TYPE, name, {}, opts);
    const r = resolveCertManagerArgs(name, args);

    const allow: Record<string, AllowRule> = {
      apiserver: apiServerEgress(r.apiServerCidrs),
      // ACME API and the HTTP-01 self-check against the public hostname (80, then 443 after the redirect).
      "acme-egress": {
        podLabels: { "app.kubernetes.io/component": "controller" },
        egressTo: [{ cidr: "0.0.0.0/0" }, { namespace: r.traefikNamespace, podLabels: { ...TRAEFIK_POD_LABELS } }],
        ports: [{ port: 80 }, { port: 443 }, { port: 8000 }, { port: 8443 }],
      },
      // Admission requests from the control plane (GKE allows the master to reach nodes on 10250).
      "webhook-from-apiserver": {
        podLabels: { "app.kubernetes.io/component": "webhook" },
        ingressFrom: r.apiServerCidrs.map((cidr) => ({ cidr })),
        ports: [{ port: 10250 }],
      },
    };
    if (r.monitoringNamespace) {
      allow["metrics-from-monitoring"] = { ingressFrom: [{ namespace: r.monitoringNamespace }], ports: [{ port: 9402 }] };
    }
    const addon = helmAddon(this, CERT_MANAGER_TYPE, name, {
      namespace: { namespace: r.namespace, env: r.env, platform: r.platform, labels: r.labels, deletionProtection: r.deletionProtection, allow },
      releaseName: "cert-manager",
      chart: CERT_MANAGER_CHART,
      values: certManagerValues(r),
    });
    this.namespace = addon.namespace;
    this.release = addon.release;
    this.crds = { release: addon.release, crdGroups: addon.crdGroups };
    const ns = this.namespace.namespaceName;
    // The CRDs come with the release: the issuers wait for it.
    const issuerDependencies = crdDependencies("cert-manager.io/v1", [this.crds]);

    for (const [issuer, server] of Object.entries(LETSENCRYPT_SERVERS)) {
      new k8s.apiextensions.CustomResource(
        `${name}-${issuer}`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "ClusterIssuer",
          metadata: { name: issuer, labels: r.labels },
          spec: {
            acme: {
              email: r.acmeEmail,
              server,
              // The ACME account key, kept in cert-manager's namespace.
              privateKeySecretRef: { name: `${issuer}-account-key` },
              solvers: [
                {
                  http01: {
                    ingress: {
                      ingressClassName: r.ingressClassName,
                      // The solver Ingress is served on Traefik's `web` entry point only (port 80,
                      // where Let's Encrypt asks), where it outranks the HTTP → HTTPS redirect.
                      ingressTemplate: { metadata: { annotations: { [TRAEFIK_ENTRYPOINTS_ANNOTATION]: "web" } } },
                    },
                  },
                },
              ],
            },
          },
        },
        { parent: this, dependsOn: issuerDependencies },
      );
    }

    this.namespaceName = ns;
    this.stagingIssuer = pulumi.output("letsencrypt-staging");
    this.productionIssuer = pulumi.output("letsencrypt-production");
    this.registerOutputs({ namespaceName: this.namespaceName, stagingIssuer: this.stagingIssuer, productionIssuer: this.productionIssuer });
  }
}

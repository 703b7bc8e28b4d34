/**
 * cert-manager with the Let's Encrypt ClusterIssuers of the platform
 * (docs/platforms/diaspomoney.md § Security Layer: "Let's Encrypt - Certificats SSL"). Certificates
 * are solved by HTTP-01 through Traefik's IngressClass; with `cloudDns01`, twin issuers solve
 * DNS-01 on Google Cloud DNS (wildcards, and no solver pod per host).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { DEFAULT_ADDON_ENV, crdDependencies, helmAddon, type CrdInstaller, type PinnedChart } from "../common/helm-addon";
import { apiServerEgress, type IsolatedNamespace, type AllowRule } from "../namespace";
import { GKE_METADATA_SERVER } from "../network-flows";
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

/** The DNS-01 twin of a Let's Encrypt ClusterIssuer (`letsencrypt-production-dns01`), made with `cloudDns01`. */
export const dns01IssuerName = (issuer: ClusterIssuerName) => `${issuer}-dns01` as const;

/**
 * The controller's Kubernetes service account, which Workload Identity binds: the chart's default
 * (its fullname for release `cert-manager`), set explicitly with `cloudDns01` so that the binding
 * `<pool>[<namespace>/cert-manager]` cannot drift from a release rename.
 */
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";

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
  /**
   * ACME DNS-01 through Google Cloud DNS, for wildcard certificates (which HTTP-01 cannot issue) and
   * for many hosts at once: a DNS-01 challenge is a TXT record written by the controller, with no
   * solver pod. Adds the ClusterIssuers `letsencrypt-staging-dns01` and
   * `letsencrypt-production-dns01` (`dns01IssuerName`), whose only solver is `cloudDNS` restricted
   * to `dnsZones`, and names the controller's Kubernetes service account `cert-manager`, annotated
   * for GKE Workload Identity as `googleServiceAccountEmail` (which the caller grants
   * the Cloud DNS record permissions on `project` — a custom role: the policy pack refuses
   * roles/dns.admin to a service account — and binds with `roles/iam.workloadIdentityUser` to
   * `<cluster project>.svc.id.goog[<namespace>/cert-manager]`).
   * @default undefined (HTTP-01 issuers only; the chart's service account unannotated)
   */
  cloudDns01?: CloudDns01Args;
}

/** cert-manager's `cloudDNS` DNS-01 solver, authenticated by GKE Workload Identity (no key Secret). */
export interface CloudDns01Args {
  /** Project of the Cloud DNS managed zones (`spec.acme.solvers[].dns01.cloudDNS.project`). */
  project: string;
  /**
   * Domains the DNS-01 issuers solve for (`selector.dnsZones`: each domain and its subdomains); a
   * Certificate for a name outside them gets no solver. Each lies in a managed zone of `project`.
   */
  dnsZones: string[];
  /** Google service account the controller acts as (`<id>@<project>.iam.gserviceaccount.com`). */
  googleServiceAccountEmail: string;
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
  cloudDns01?: CloudDns01Args;
  labels: Record<string, string>;
  env: string;
  deletionProtection: boolean;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** A Google Cloud project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter. */
const GCP_PROJECT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const GOOGLE_SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

export function resolveCertManagerArgs(name: string, args: CertManagerArgs): ResolvedCertManagerArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(CERT_MANAGER_TYPE, name, detail);
  };
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.acmeEmail ?? "")) fail(`acmeEmail "${args.acmeEmail}" is not an email address`);
  if (args.apiServerCidrs.length === 0) fail("apiServerCidrs is empty: cert-manager could not reach the Kubernetes API");
  const replicas = args.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1) fail(`replicas ${replicas} must be a positive integer`);
  const dns = args.cloudDns01;
  if (dns) {
    if (!GCP_PROJECT.test(dns.project ?? "")) fail(`cloudDns01.project "${dns.project}" is not a Google Cloud project id (expected the project of the Cloud DNS managed zone, e.g. crm-courtier-platform)`);
    if (dns.dnsZones.length === 0) fail("cloudDns01.dnsZones is empty: expected the domains the DNS-01 issuers solve for, e.g. crm-courtier.fr (an empty selector would send every Certificate to Cloud DNS)");
    for (const zone of dns.dnsZones) {
      if (!DNS_NAME.test(zone)) fail(`cloudDns01.dnsZones has "${zone}": expected a lowercase domain such as crm-courtier.fr (no wildcard, no trailing dot)`);
    }
    if (new Set(dns.dnsZones).size !== dns.dnsZones.length) fail(`cloudDns01.dnsZones lists a domain twice: ${dns.dnsZones.join(", ")}`);
    if (!GOOGLE_SERVICE_ACCOUNT.test(dns.googleServiceAccountEmail ?? "")) {
      fail(`cloudDns01.googleServiceAccountEmail "${dns.googleServiceAccountEmail}" is not a Google service account email (<id>@<project>.iam.gserviceaccount.com), which Workload Identity needs`);
    }
  }
  return {
    namespace: args.namespace ?? "cert-manager",
    platform: args.platform,
    apiServerCidrs: args.apiServerCidrs,
    acmeEmail: args.acmeEmail,
    ingressClassName: args.ingressClassName ?? TRAEFIK_INGRESS_CLASS,
    traefikNamespace: args.traefikNamespace ?? "traefik",
    replicas,
    monitoringNamespace: args.monitoringNamespace,
    ...(dns ? { cloudDns01: { project: dns.project, dnsZones: [...dns.dnsZones], googleServiceAccountEmail: dns.googleServiceAccountEmail } } : {}),
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
    // The Cloud DNS solver authenticates as the controller's service account through Workload
    // Identity (no key Secret): the annotation names the Google account it becomes.
    ...(r.cloudDns01
      ? { serviceAccount: { name: CERT_MANAGER_SERVICE_ACCOUNT, annotations: { "iam.gke.io/gcp-service-account": r.cloudDns01.googleServiceAccountEmail } } }
      : {}),
  };
}

/** The ACME solvers of the DNS-01 ClusterIssuers: Cloud DNS only, for the listed zones only. */
export function cloudDns01Solvers(dns: CloudDns01Args): Record<string, unknown>[] {
  return [{ selector: { dnsZones: [...dns.dnsZones] }, dns01: { cloudDNS: { project: dns.project } } }];
}

export class CertManager extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;
  /** ClusterIssuer names, for `cert-manager.io/cluster-issuer` annotations and Certificate issuerRefs. */
  public readonly stagingIssuer: pulumi.Output<string>;
  public readonly productionIssuer: pulumi.Output<string>;
  /** `letsencrypt-production-dns01` with `cloudDns01`; undefined without. */
  public readonly productionDns01Issuer?: pulumi.Output<string>;
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
    if (r.cloudDns01) {
      // The Cloud DNS API is on 443 (acme-egress); Workload Identity's token comes from the node's
      // metadata server; the DNS-01 self-check asks the zone's authoritative servers for the TXT record.
      allow["metadata-server"] = {
        podLabels: { "app.kubernetes.io/component": "controller" },
        egressTo: GKE_METADATA_SERVER.to.cidrs.map((cidr) => ({ cidr })),
        ports: GKE_METADATA_SERVER.ports.map((p) => ({ ...p })),
      };
      allow["dns01-self-check"] = {
        podLabels: { "app.kubernetes.io/component": "controller" },
        egressTo: [{ cidr: "0.0.0.0/0" }],
        ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
      };
    }
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

    if (r.cloudDns01) {
      for (const [issuer, server] of Object.entries(LETSENCRYPT_SERVERS) as [ClusterIssuerName, string][]) {
        const dnsIssuer = dns01IssuerName(issuer);
        new k8s.apiextensions.CustomResource(
          `${name}-${dnsIssuer}`,
          {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: dnsIssuer, labels: r.labels },
            spec: {
              acme: {
                email: r.acmeEmail,
                server,
                // Its own ACME account key: two issuers never share one account Secret.
                privateKeySecretRef: { name: `${dnsIssuer}-account-key` },
                // No HTTP-01 fallback: a Certificate of this issuer never starts a solver pod.
                solvers: cloudDns01Solvers(r.cloudDns01),
              },
            },
          },
          { parent: this, dependsOn: issuerDependencies },
        );
      }
    }

    this.namespaceName = ns;
    this.stagingIssuer = pulumi.output("letsencrypt-staging");
    this.productionIssuer = pulumi.output("letsencrypt-production");
    this.productionDns01Issuer = r.cloudDns01 ? pulumi.output(dns01IssuerName("letsencrypt-production")) : undefined;
    this.registerOutputs({
      namespaceName: this.namespaceName,
      stagingIssuer: this.stagingIssuer,
      productionIssuer: this.productionIssuer,
      // Only with DNS-01, so that an HTTP-01-only install's outputs stay as they were.
      ...(this.productionDns01Issuer ? { productionDns01Issuer: this.productionDns01Issuer } : {}),
    });
  }
}

/**
 * A Kubernetes namespace that is isolated by default: Pod Security Standards enforced, a quota and
 * default container limits so that one tenant cannot starve the cluster, and default-deny network
 * policies in both directions with DNS as the only egress. Callers open what a workload needs with
 * explicit allow policies (`allow` in the args, or `IsolatedNamespace.allow()` afterwards).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";

export const ISOLATED_NAMESPACE_TYPE = "platform:k8s:IsolatedNamespace";

/** Pod Security Standards level (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Namespace-wide totals (Kubernetes quantities). */
export interface NamespaceQuota {
  /** @default "4" */
  requestsCpu?: string;
  /** @default "8Gi" */
  requestsMemory?: string;
  /** @default "8" */
  limitsCpu?: string;
  /** @default "16Gi" */
  limitsMemory?: string;
  /** @default "50" */
  pods?: string;
  /** @default "10" */
  persistentVolumeClaims?: string;
  /** Total storage requested by PVCs. @default "100Gi" */
  requestsStorage?: string;
  /**
   * Services of type LoadBalancer. Zero by default: the platform has one public entry point
   * (Traefik), and only its namespace raises this.
   * @default "0"
   */
  loadBalancers?: string;
  /** Services of type NodePort. @default "0" */
  nodePorts?: string;
}

/** Per-container defaults applied by the LimitRange to containers that do not set their own. */
export interface ContainerLimits {
  /** @default { cpu: "100m", memory: "128Mi" } */
  defaultRequest?: { cpu?: string; memory?: string };
  /** @default { cpu: "500m", memory: "512Mi" } */
  defaultLimit?: { cpu?: string; memory?: string };
  /** Largest limits a single container may set. @default no maximum */
  max?: { cpu?: string; memory?: string };
}

/** A peer of an allow rule: pods selected by namespace and/or labels, or an IP block. */
export interface NetworkPeer {
  /**
   * Namespace name (matched on the immutable `kubernetes.io/metadata.name` label); `"*"` means any
   * namespace of the cluster. @default this namespace when `podLabels` is set
   */
  namespace?: string;
  /** Pod labels within that namespace. @default all pods of the namespace */
  podLabels?: Labels;
  /** IP block in CIDR form (exclusive with namespace/podLabels). */
  cidr?: string;
  /** CIDRs excluded from `cidr`. @default [] */
  except?: string[];
}

/** One extra allow policy, added next to the default-deny ones. */
export interface AllowRule {
  /** Pods of this namespace the rule applies to. @default all pods */
  podLabels?: Labels;
  /** Peers allowed to connect to the selected pods. */
  ingressFrom?: NetworkPeer[];
  /** Peers the selected pods may connect to. */
  egressTo?: NetworkPeer[];
  /** Ports the rule opens; numbers or named ports. @default all ports */
  ports?: { port: number | string; protocol?: "TCP" | "UDP" }[];
}

export interface IsolatedNamespaceArgs extends CommonArgs {
  /** Namespace name. @default the component name */
  namespace?: string;
  /** Environment label value (`dev`, `rct`, `prod`, `shared`). */
  env: string;
  /** Platform label value (`diaspomoney`). */
  platform: string;
  /**
   * Pod Security Standards level enforced. `audit` and `warn` stay `restricted` whatever is
   * enforced, so that relaxations remain visible.
   * @default "restricted"
   */
  podSecurity?: PodSecurityLevel;
  /** Why a level below `restricted` is needed; required for `baseline`/`privileged`, recorded as an annotation. */
  podSecurityReason?: string;
  /** ResourceQuota figures. @default see NamespaceQuota */
  quota?: NamespaceQuota;
  /** LimitRange defaults for containers. @default see ContainerLimits */
  containerLimits?: ContainerLimits;
  /** Extra allow policies, keyed by role (`${name}-allow-<role>`). @default {} */
  allow?: Record<string, AllowRule>;
  /** Annotations added to the Namespace. @default {} */
  annotations?: Record<string, string>;
}

export interface ResolvedIsolatedNamespaceArgs {
  namespace: string;
  labels: Labels;
  annotations: Record<string, string>;
  podSecurity: PodSecurityLevel;
  deletionProtection: boolean;
  quotaHard: Record<string, string>;
  limitRange: { default: Record<string, string>; defaultRequest: Record<string, string>; max?: Record<string, string> };
  allow: Record<string, AllowRule>;
}

export const POD_SECURITY_REASON_ANNOTATION = "platform.diaspomoney.fr/pod-security-reason";

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Applies defaults and rejects contradictions; the constructor builds only from its result. */
export function resolveIsolatedNamespaceArgs(name: string, args: IsolatedNamespaceArgs): ResolvedIsolatedNamespaceArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(ISOLATED_NAMESPACE_TYPE, name, detail);
  };
  const namespace = args.namespace ?? name;
  if (namespace.length > 63 || !DNS_NAME.test(namespace)) fail(`namespace "${namespace}" is not a valid DNS-1123 label`);
  if (!args.env) fail("env is required");
  if (!args.platform) fail("platform is required");
  const podSecurity = args.podSecurity ?? "restricted";
  const reason = args.podSecurityReason?.trim();
  if (podSecurity !== "restricted" && !reason) {
    fail(`podSecurity "${podSecurity}" relaxes the restricted Pod Security Standard: podSecurityReason must say why`);
  }
  if (podSecurity === "restricted" && reason) {
    fail(`podSecurityReason is set but podSecurity is "restricted": remove the reason or relax the level`);
  }
  const q = args.quota ?? {};
  const quotaHard: Record<string, string> = {
    "requests.cpu": q.requestsCpu ?? "4",
    "requests.memory": q.requestsMemory ?? "8Gi",
    "limits.cpu": q.limitsCpu ?? "8",
    "limits.memory": q.limitsMemory ?? "16Gi",
    pods: q.pods ?? "50",
    persistentvolumeclaims: q.persistentVolumeClaims ?? "10",
    "requests.storage": q.requestsStorage ?? "100Gi",
    "services.loadbalancers": q.loadBalancers ?? "0",
    "services.nodeports": q.nodePorts ?? "0",
  };
  const l = args.containerLimits ?? {};
  const limitRange: ResolvedIsolatedNamespaceArgs["limitRange"] = {
    defaultRequest: { cpu: l.defaultRequest?.cpu ?? "100m", memory: l.defaultRequest?.memory ?? "128Mi" },
    default: { cpu: l.defaultLimit?.cpu ?? "500m", memory: l.defaultLimit?.memory ?? "512Mi" },
  };
  if (l.max) limitRange.max = Object.fromEntries(Object.entries(l.max).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const allow = args.allow ?? {};
  for (const [role, rule] of Object.entries(allow)) checkRule(role, rule, fail);
  const annotations: Record<string, string> = { ...(args.annotations ?? {}) };
  if (reason) annotations[POD_SECURITY_REASON_ANNOTATION] = reason;
  return {
    namespace,
    // env/platform last: a caller's labels cannot overwrite what policies and selectors rely on.
    labels: mergeLabels(args.labels, { env: args.env, platform: args.platform }),
    annotations,
    podSecurity,
    deletionProtection: args.deletionProtection ?? true,
    quotaHard,
    limitRange,
    allow,
  };
}

function checkRule(role: string, rule: AllowRule, fail: (d: string) => never): void {
  if (!DNS_NAME.test(role)) fail(`allow rule "${role}": the role must be a DNS-1123 label`);
  if (role === "dns") fail(`allow rule "dns" is reserved for the built-in DNS egress policy`);
  if (!rule.ingressFrom?.length && !rule.egressTo?.length) fail(`allow rule "${role}" has neither ingressFrom nor egressTo`);
  for (const peer of [...(rule.ingressFrom ?? []), ...(rule.egressTo ?? [])]) {
    if (peer.cidr && (peer.namespace || peer.podLabels)) fail(`allow rule "${role}": a peer is either a cidr or a namespace/pod selector, not both`);
    if (!peer.cidr && !peer.namespace && !peer.podLabels) fail(`allow rule "${role}": a peer needs a namespace, podLabels or a cidr`);
    if (peer.except?.length && !peer.cidr) fail(`allow rule "${role}": except needs a cidr`);
  }
}

/**
 * Egress to the Kubernetes API server, for controllers and operators. On GKE the API server is the
 * control plane's private endpoint in `masterIpv4CidrBlock` (Dataplane V2 evaluates egress after the
 * `kubernetes.default` Service is translated to it), on port 443.
 */
export function apiServerEgress(cidrs: string[], podLabels?: Labels): AllowRule {
  return { ...(podLabels ? { podLabels } : {}), egressTo: cidrs.map((cidr) => ({ cidr })), ports: [{ port: 443 }] };
}

/** Pod Security Standards labels: `enforce` at the chosen level, `audit`/`warn` always restricted. */
export function podSecurityLabels(level: PodSecurityLevel): Labels {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  };
}

function peerSpec(peer: NetworkPeer): k8s.types.input.networking.v1.NetworkPolicyPeer {
  if (peer.cidr) return { ipBlock: { cidr: peer.cidr, ...(peer.except?.length ? { except: peer.except } : {}) } };
  return {
    ...(peer.namespace === "*" ? { namespaceSelector: {} } : peer.namespace ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } } } : {}),
    ...(peer.podLabels ? { podSelector: { matchLabels: peer.podLabels } } : {}),
  };
}

/** The NetworkPolicy spec of an allow rule (pure, so that it can be tested and reused). */
export function allowPolicySpec(rule: AllowRule): k8s.types.input.networking.v1.NetworkPolicySpec {
  const ports = rule.ports?.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
  const policyTypes: string[] = [];
  const spec: k8s.types.input.networking.v1.NetworkPolicySpec = { podSelector: rule.podLabels ? { matchLabels: rule.podLabels } : {} };
  if (rule.ingressFrom?.length) {
    policyTypes.push("Ingress");
    spec.ingress = [{ from: rule.ingressFrom.map(peerSpec), ...(ports ? { ports } : {}) }];
  }
  if (rule.egressTo?.length) {
    policyTypes.push("Egress");
    spec.egress = [{ to: rule.egressTo.map(peerSpec), ...(ports ? { ports } : {}) }];
  }
  spec.policyTypes = policyTypes;
  return spec;
}

export class IsolatedNamespace extends pulumi.ComponentResource {
  /** The namespace name, known at preview (it is set explicitly, not auto-named). */
  public readonly namespaceName: pulumi.Output<string>;
  /** The labels every child of a namespace-scoped component should carry. */
  public readonly labels: Labels;
  private readonly componentName: string;
  private readonly resolved: ResolvedIsolatedNamespaceArgs;
  private readonly namespaceResource: k8s.core.v1.Namespace;

  constructor(name: string, args: IsolatedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ISOLATED_NAMESPACE_TYPE, name, {}, opts);
    const r = resolveIsolatedNamespaceArgs(name, args);
    this.resolved = r;
    this.componentName = name;
    this.labels = r.labels;
    // The explicit Kubernetes provider comes through `opts` (never the ambient kubeconfig): children
    // inherit it from this parent.
    const child = { parent: this };

    // Deleting a namespace deletes everything inside it (databases included): protected like a stateful child.
    this.namespaceResource = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: r.namespace, labels: { ...r.labels, ...podSecurityLabels(r.podSecurity) }, annotations: r.annotations } },
      statefulChildOptions(this, r.deletionProtection),
    );
    const ns = this.namespaceResource.metadata.name;
    const meta = (n: string) => ({ name: n, namespace: ns, labels: r.labels });

    new k8s.core.v1.ResourceQuota(`${name}-quota`, { metadata: meta("quota"), spec: { hard: r.quotaHard } }, child);
    new k8s.core.v1.LimitRange(
      `${name}-limits`,
      {
        metadata: meta("container-defaults"),
        spec: { limits: [{ type: "Container", default: r.limitRange.default, defaultRequest: r.limitRange.defaultRequest, ...(r.limitRange.max ? { max: r.limitRange.max } : {}) }] },
      },
      child,
    );
    // Policies are additive: an empty rule list with both policy types denies everything that no
    // other policy allows, in both directions.
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      { metadata: meta("default-deny"), spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
      child,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-allow-dns`,
      {
        metadata: meta("allow-dns"),
        spec: allowPolicySpec({
          egressTo: [{ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        }),
      },
      child,
    );
    for (const [role, rule] of Object.entries(r.allow)) this.allow(role, rule);

    this.namespaceName = ns;
    this.registerOutputs({ namespaceName: this.namespaceName });
  }

  /** Adds an allow policy `${name}-allow-<role>` (Kubernetes name `allow-<role>`) to this namespace. */
  allow(role: string, rule: AllowRule): k8s.networking.v1.NetworkPolicy {
    checkRule(role, rule, (detail) => {
      throw new ComponentArgsError(ISOLATED_NAMESPACE_TYPE, this.componentName, detail);
    });
    return new k8s.networking.v1.NetworkPolicy(
      `${this.componentName}-allow-${role}`,
      { metadata: { name: `allow-${role}`, namespace: this.namespaceResource.metadata.name, labels: this.resolved.labels }, spec: allowPolicySpec(rule) },
      { parent: this },
    );
  }

}

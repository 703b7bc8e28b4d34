/**
 * A small NetworkPolicy evaluator over recorded plans: given the NetworkPolicies a program
 * registers and a set of pods (namespace, labels, IP), answers whether a connection from one pod
 * to another pod (or an address) on a port is allowed, with Kubernetes semantics:
 * - a pod selected by no policy of a direction is open in that direction;
 * - a selected pod accepts only what some selecting policy's rule allows (rules are OR-ed);
 * - in a peer, namespaceSelector and podSelector are AND-ed; a missing `from`/`to` or `ports`
 *   means "all"; ipBlock matches by address, `except` excluded;
 * - a connection needs both the source's egress and the destination's ingress.
 * Namespace labels are the automatic `kubernetes.io/metadata.name` plus any given.
 *
 * It lives in model/ because two layers read it: the engine's reachability check
 * (engine/deployability/reachability.ts) and the network-flows component's tests
 * (components/k8s/network-flows/graph.ts re-exports it), and components may not import the engine.
 */
import type { RecordedResource } from "./plan-values";

/** A Kubernetes label selector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface PodRef {
  namespace: string;
  labels: Record<string, string>;
  /** Pod IP, for ipBlock rules. */
  ip: string;
  /** A name for messages. */
  name: string;
}

export interface AddressRef {
  ip: string;
  name: string;
}

interface Peer {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number | string; protocol?: string; endPort?: number }[];
}
export interface PolicyView {
  name: string;
  namespace: string;
  podSelector: LabelSelector;
  policyTypes: string[];
  ingress: Rule[];
  egress: Rule[];
}

export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipToInt(ip) & mask) === (ipToInt(base) & mask);
}

/** The NetworkPolicies of a plan, in the shape the evaluator reads. */
export function policiesFromPlan(resources: readonly RecordedResource[]): PolicyView[] {
  return resources
    .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    .map((r) => {
      const metadata = r.inputs.metadata as { name: string; namespace: string };
      const spec = r.inputs.spec as { podSelector?: LabelSelector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
      const policyTypes = spec.policyTypes ?? (spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
      return { name: metadata.name, namespace: metadata.namespace, podSelector: spec.podSelector ?? {}, policyTypes, ingress: spec.ingress ?? [], egress: spec.egress ?? [] };
    });
}

export class NetworkGraph {
  constructor(
    readonly policies: PolicyView[],
    readonly namespaceLabels: Record<string, Record<string, string>> = {},
  ) {}

  private nsLabels(namespace: string): Record<string, string> {
    return { ...this.namespaceLabels[namespace], "kubernetes.io/metadata.name": namespace };
  }

  private peerMatches(peer: Peer, policyNamespace: string, target: PodRef | AddressRef): boolean {
    if (peer.ipBlock) {
      return inCidr(target.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(target.ip, c));
    }
    if (!("namespace" in target)) return false; // a selector peer matches pods only
    const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, this.nsLabels(target.namespace)) : target.namespace === policyNamespace;
    return nsOk && matchesSelector(peer.podSelector ?? {}, target.labels);
  }

  private portMatches(rule: Rule, port: number, protocol: string, portName?: string): boolean {
    if (!rule.ports || rule.ports.length === 0) return true;
    return rule.ports.some((p) => {
      if ((p.protocol ?? "TCP") !== protocol) return false;
      if (p.port === undefined) return true;
      // A named port means the destination pod's container port of that name (both directions);
      // it matches only when the caller knows the destination port's name.
      if (typeof p.port === "string") return portName !== undefined && p.port === portName;
      return p.endPort ? port >= p.port && port <= p.endPort : p.port === port;
    });
  }

  private allowedOneSide(direction: "Ingress" | "Egress", subject: PodRef, peer: PodRef | AddressRef, port: number, protocol: string, portName?: string): { allowed: boolean; by: string[] } {
    const selecting = this.policies.filter((p) => p.namespace === subject.namespace && p.policyTypes.includes(direction) && matchesSelector(p.podSelector, subject.labels));
    if (selecting.length === 0) return { allowed: true, by: ["(not isolated)"] };
    const by: string[] = [];
    for (const p of selecting) {
      const rules = direction === "Ingress" ? p.ingress : p.egress;
      for (const rule of rules) {
        const peers = direction === "Ingress" ? rule.from : rule.to;
        const peerOk = !peers || peers.length === 0 || peers.some((x) => this.peerMatches(x, p.namespace, peer));
        if (peerOk && this.portMatches(rule, port, protocol, portName)) by.push(`${p.namespace}/${p.name}`);
      }
    }
    return { allowed: by.length > 0, by };
  }

  /** Whether `from` may open a connection to `to` on `port`. */
  allows(from: PodRef, to: PodRef | AddressRef, port: number, protocol = "TCP"): boolean {
    return this.explain(from, to, port, protocol).allowed;
  }

  /** Which policies allow each side; `portName` is the destination container port's name, if any. */
  explain(from: PodRef, to: PodRef | AddressRef, port: number, protocol = "TCP", portName?: string): { allowed: boolean; egress: string[]; ingress: string[] } {
    const egress = this.allowedOneSide("Egress", from, to, port, protocol, portName);
    const ingress = "namespace" in to ? this.allowedOneSide("Ingress", to, from, port, protocol, portName) : { allowed: true, by: ["(outside the cluster)"] };
    return { allowed: egress.allowed && ingress.allowed, egress: egress.by, ingress: ingress.by };
  }
}

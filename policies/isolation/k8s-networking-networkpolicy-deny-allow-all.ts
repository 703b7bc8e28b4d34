import type { PolicyResource } from "@pulumi/policy";
import { chartName, coversAllIpv4, HELM_RELEASE, INGRESS_CONTROLLER_CHARTS, ipv4Range, isAllIpv6, namespaceOf } from "../lib/k8s";
import { defineStackRule } from "../lib/rule";
import { isUnknown, keys, list, prop, str } from "../lib/values";

const NETWORK_POLICY_TYPES = ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "kubernetes:extensions/v1beta1:NetworkPolicy"];

/** What a rule's peers admit: everything, the whole Internet, or a parse error. */
function judgePeers(peers: unknown, field: "from" | "to"): { all?: string; internet?: string; error?: string } {
  if (isUnknown(peers)) return {};
  const ps = list(peers);
  if (peers === undefined || ps.length === 0) return { all: `no \`${field}\`: every source and destination` };
  const ranges: { from: number; to: number }[] = [];
  let v6 = false;
  for (const p of ps) {
    if (isUnknown(p)) continue;
    if (keys(p).length === 0) return { all: `an empty peer {} in \`${field}\`` };
    const block = prop(p, "ipBlock");
    if (block === undefined || isUnknown(block)) continue;
    const cidr = prop(block, "cidr");
    if (isUnknown(cidr)) continue;
    const s = str(cidr);
    const r = s === undefined ? undefined : ipv4Range(s);
    if (r === undefined) return { error: `ipBlock.cidr ${JSON.stringify(cidr)} is not a CIDR` };
    if (r === "v6") v6 ||= isAllIpv6(s!);
    else ranges.push(r);
  }
  if (coversAllIpv4(ranges) || v6) return { internet: `ipBlocks in \`${field}\` cover every address (${v6 ? "::/0" : "0.0.0.0/0"})` };
  return {};
}

export default defineStackRule({
  name: "k8s-networking-networkpolicy-deny-allow-all",
  description:
    "No NetworkPolicy lets every source in (an empty rule `{}`, no `from`, or ipBlocks covering 0.0.0.0/0, however split), nor every destination out on every port; only the ingress controller's pods (its chart, in its Helm release's namespace, held in code) take traffic from the Internet.",
  severity: "high",
  remediationSteps: "List the namespaces/pods allowed (namespaceSelector + podSelector) and the ports; never `{}` or 0.0.0.0/0 (nor 0.0.0.0/1 + 128.0.0.0/1) on ingress. Egress to the Internet names its ports.",
  source: "NSA/CISA Kubernetes Hardening Guide § Network separation and hardening (network policies); diaspomoney.md § Architecture Multi-Environnement (INTERNET → TRAEFIK → envs)",
  domain: "isolation",
  resources: NETWORK_POLICY_TYPES,
  validate(s, report) {
    // Namespaces where an ingress controller chart is released: its own pods may face the Internet.
    const controllers = new Map<string, string>();
    for (const rel of s.ofType(HELM_RELEASE)) {
      const chart = chartName(prop(rel.props, "chart"));
      const ns = str(prop(rel.props, "namespace"));
      if (chart && ns && INGRESS_CONTROLLER_CHARTS[chart]) controllers.set(ns, INGRESS_CONTROLLER_CHARTS[chart]);
    }
    const isControllerPolicy = (np: PolicyResource) => {
      const ns = namespaceOf(np.props);
      if (typeof ns !== "string" || !controllers.has(ns)) return false;
      const sel = prop(np.props, "spec");
      return str(prop(prop(prop(sel, "podSelector"), "matchLabels"), "app.kubernetes.io/name")) === controllers.get(ns);
    };
    for (const np of s.ofType(...NETWORK_POLICY_TYPES)) {
      const spec = prop(np.props, "spec");
      if (isUnknown(spec)) continue;
      const name = str(prop(prop(np.props, "metadata"), "name")) ?? np.name;
      list(prop(spec, "ingress")).forEach((rule, i) => {
        if (isUnknown(rule)) return;
        const j = judgePeers(prop(rule, "from"), "from");
        if (j.error) report(`NetworkPolicy ${name}: ingress[${i}]: ${j.error}.`, np.urn);
        const open = j.all ?? j.internet;
        if (open && !isControllerPolicy(np)) report(`NetworkPolicy ${name}: ingress[${i}] admits ${open}.`, np.urn);
      });
      list(prop(spec, "egress")).forEach((rule, i) => {
        if (isUnknown(rule)) return;
        const j = judgePeers(prop(rule, "to"), "to");
        if (j.error) report(`NetworkPolicy ${name}: egress[${i}]: ${j.error}.`, np.urn);
        const ports = prop(rule, "ports");
        const anyPort = !isUnknown(ports) && list(ports).length === 0;
        if ((j.all ?? j.internet) && anyPort) report(`NetworkPolicy ${name}: egress[${i}] lets the pods reach ${j.all ?? j.internet} on every port.`, np.urn);
      });
    }
  },
});

import { SERVICE } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop } from "../lib/values";

export default defineResourceRule({
  name: "k8s-core-service-deny-external-ips",
  description: "No Service sets spec.externalIPs: any address listed there is captured cluster-wide (CVE-2020-8554), and it bypasses the ingress controller.",
  severity: "high",
  remediationSteps: "Remove spec.externalIPs; expose the service through the ingress controller (IngressRoute/Ingress).",
  source: "Kubernetes security advisory CVE-2020-8554 (Service externalIPs man-in-the-middle); diaspomoney.md § Architecture Multi-Environnement (INTERNET → TRAEFIK → envs)",
  domain: "isolation",
  resources: [SERVICE],
  types: [SERVICE],
  validate(r, report) {
    const ips = prop(prop(r.props, "spec"), "externalIPs");
    if (ips === undefined || ips === null) return;
    if (isUnknown(ips)) return;
    const known = list(ips);
    if (known.length > 0) report(`spec.externalIPs lists ${known.map((x) => (isUnknown(x) ? "(unknown)" : String(x))).join(", ")}: the cluster answers for those addresses.`);
  },
});

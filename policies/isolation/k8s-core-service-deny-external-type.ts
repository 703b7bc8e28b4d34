import { SERVICE } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, str } from "../lib/values";

/**
 * The ingress controller's LoadBalancer Service is rendered by its Helm release (components/k8s/traefik),
 * never declared as a Service object: so no Service object is exempt, whatever its name. (An exemption
 * by name let any Service named `traefik-…` expose itself.)
 */
export default defineResourceRule({
  name: "k8s-core-service-deny-external-type",
  description: "No Service object is of type LoadBalancer or NodePort: traffic enters through the ingress controller only, whose Service its Helm release renders.",
  severity: "high",
  remediationSteps: "Use type ClusterIP and expose the service through an Ingress/IngressRoute. Only the ingress controller's Helm release (its chart's own Service) exposes a LoadBalancer; no name exempts a Service object.",
  source: "diaspomoney.md § Architecture Multi-Environnement (INTERNET → TRAEFIK → envs)",
  domain: "isolation",
  resources: [SERVICE],
  types: [SERVICE],
  validate(r, report) {
    const type = r.get("spec.type");
    if (isUnknown(type) || (type !== "LoadBalancer" && type !== "NodePort")) return;
    const name = str(r.get("metadata.name")) ?? r.name;
    report(`spec.type ${String(type)} exposes ${name} outside the cluster, bypassing the ingress controller.`);
  },
});

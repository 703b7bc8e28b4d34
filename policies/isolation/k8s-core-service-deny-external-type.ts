import { SERVICE } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, str } from "../lib/values";

/** The ingress controller's Service is the single entry point (diaspomoney.md: Traefik). */
const INGRESS_CONTROLLER = /^(traefik|ingress-nginx-controller)(-|$)/;

export default defineResourceRule({
  name: "k8s-core-service-deny-external-type",
  description: "No Service of type LoadBalancer or NodePort, except the ingress controller's: traffic enters through the ingress controller only.",
  severity: "high",
  remediationSteps: "Use type ClusterIP and expose the service through an Ingress/IngressRoute. Only the ingress controller's Service (traefik*, ingress-nginx-controller*) may be a LoadBalancer.",
  source: 'diaspomoney.md § Architecture Multi-Environnement (INTERNET → TRAEFIK → envs); CKV_K8S Service type checks',
  domain: "isolation",
  resources: [SERVICE],
  types: [SERVICE],
  validate(r, report) {
    const type = r.get("spec.type");
    if (isUnknown(type) || (type !== "LoadBalancer" && type !== "NodePort")) return;
    const name = str(r.get("metadata.name")) ?? r.name;
    if (INGRESS_CONTROLLER.test(name)) r.notApplicable("the ingress controller's Service");
    report(`spec.type ${String(type)} exposes ${name} outside the cluster, bypassing the ingress controller.`);
  },
});

import type { PolicyResource } from "@pulumi/policy";
import { namespaceOf } from "../lib/k8s";
import { POD_KIND_VERSIONS } from "../lib/pod-templates";
import { defineStackRule } from "../lib/rule";
import { isUnknown, num, prop, str } from "../lib/values";

const DEPLOYMENTS = POD_KIND_VERSIONS.Deployment.map((v) => `kubernetes:${v}:Deployment`);
const HPA = /^kubernetes:autoscaling\/[^:]+:HorizontalPodAutoscaler$/;
/** Floor when the stack's facts name no minimum: one pod is no availability. */
const DEFAULT_MIN_REPLICAS = 2;

function key(r: PolicyResource, kind: string, name: unknown): string | undefined {
  const ns = namespaceOf(r.props);
  return typeof ns === "string" && typeof name === "string" ? `${ns}/${kind}/${name}` : undefined;
}

export default defineStackRule({
  name: "k8s-apps-deployment-require-replicas",
  description:
    "In prod, every Deployment runs at least 2 replicas (or the stack's minAppReplicas fact, when its config carries one), and an HPA never lets it scale below that or below the replicas the Deployment declares.",
  severity: "high",
  remediationSteps: "Set spec.replicas to the document's replica count (diaspomoney prod: 5) and the HPA's minReplicas to the same value; never 1 in prod.",
  source: 'diaspomoney.md § Architecture par Environnement ("Next.js App (5 replicas)" in prod), § Auto-scaling ("HPA - Scaling horizontal automatique"); cryptocare.md § 1.3 ("Disponibilité: 99.9%")',
  domain: "protection",
  resources: ["kubernetes:apps/v1:Deployment (every API version)", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler (every version)"],
  scope: "prod",
  validate(s, report) {
    // Proposed fact (stacks ComplianceFacts.minAppReplicas); a safe floor until the config carries it.
    const fact = (s.facts as unknown as Record<string, unknown>).minAppReplicas;
    const floor = typeof fact === "number" && fact >= 1 ? fact : DEFAULT_MIN_REPLICAS;
    const hpas = new Map<string, PolicyResource>();
    for (const h of s.resources.filter((r) => HPA.test(r.type))) {
      const ref = prop(prop(h.props, "spec"), "scaleTargetRef");
      const k = key(h, String(str(prop(ref, "kind"))), str(prop(ref, "name")));
      if (k) hpas.set(k, h);
    }
    for (const d of s.ofType(...DEPLOYMENTS)) {
      const name = str(prop(prop(d.props, "metadata"), "name"));
      const r = prop(prop(d.props, "spec"), "replicas");
      const declared = isUnknown(r) ? undefined : r === undefined ? 1 : num(r);
      if (!isUnknown(r) && declared === undefined) report(`Deployment ${d.name}: spec.replicas ${JSON.stringify(r)} is not a number.`, d.urn);
      const k = key(d, "Deployment", name);
      const hpa = k ? hpas.get(k) : undefined;
      if (hpa) {
        const m = prop(prop(hpa.props, "spec"), "minReplicas");
        if (isUnknown(m)) continue;
        const min = m === undefined ? 1 : num(m);
        if (min === undefined) report(`HorizontalPodAutoscaler ${hpa.name}: minReplicas ${JSON.stringify(m)} is not a number.`, hpa.urn);
        else if (min < floor) report(`HorizontalPodAutoscaler ${hpa.name}: minReplicas ${min} lets Deployment ${name} scale down to ${min} pod(s); prod needs at least ${floor}.`, hpa.urn);
        else if (declared !== undefined && min < declared) report(`HorizontalPodAutoscaler ${hpa.name}: minReplicas ${min} is below the ${declared} replicas Deployment ${name} declares: the HPA scales it down to ${min}.`, hpa.urn);
        continue;
      }
      if (declared !== undefined && declared < floor) report(`Deployment ${d.name}: ${declared} replica(s)${r === undefined ? " (spec.replicas unset)" : ""}; prod needs at least ${floor}.`, d.urn);
    }
  },
});

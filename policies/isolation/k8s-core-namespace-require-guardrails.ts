import type { PolicyResource } from "@pulumi/policy";
import { NAMESPACE, NETWORK_POLICY, RESOURCE_QUOTA } from "../lib/k8s";
import { defineStackRule } from "../lib/rule";
import { at, isUnknown, keys, list, prop, str } from "../lib/values";

/** Is `r` in namespace `ns`: by name when known, else by depending on the Namespace resource. */
function inNamespace(r: PolicyResource, nsName: string | undefined, ns: PolicyResource): boolean {
  const v = at(r.props, "metadata.namespace");
  if (typeof v === "string" && !isUnknown(v)) return v === nsName;
  return r.dependencies.some((d) => d.urn === ns.urn) || Object.values(r.propertyDependencies).some((ds) => ds.some((d) => d.urn === ns.urn));
}

/** A default-deny policy selects every pod (empty podSelector) and allows nothing for Ingress. */
export function isDefaultDeny(np: PolicyResource): boolean {
  const spec = at(np.props, "spec");
  const selector = prop(spec, "podSelector");
  const emptySelector = keys(prop(selector, "matchLabels")).length === 0 && list(prop(selector, "matchExpressions")).length === 0;
  const types = list(prop(spec, "policyTypes")).map((t) => str(t));
  const ingress = list(prop(spec, "ingress"));
  return emptySelector && types.includes("Ingress") && ingress.length === 0;
}

export default defineStackRule({
  name: "k8s-core-namespace-require-guardrails",
  description: "Every namespace the stack creates has a ResourceQuota and a default-deny NetworkPolicy (empty podSelector, Ingress with no rule).",
  severity: "high",
  remediationSteps: "Create namespaces with the IsolatedNamespace component (quota, LimitRange, default-deny and DNS policies); add explicit allow policies per role.",
  source: "diaspomoney.md § Architecture par Environnement (isolated app/infra namespaces); CIS GKE v1.8 4.3.2 (all namespaces have Network Policies defined); NSA/CISA Kubernetes Hardening Guide § Network separation and hardening (default deny, resource policies)",
  domain: "isolation",
  resources: [`${NAMESPACE} + ${RESOURCE_QUOTA} + ${NETWORK_POLICY}`],
  validate(s, report) {
    const namespaces = s.ofType(NAMESPACE);
    if (namespaces.length === 0) s.notApplicable("the stack creates no namespace");
    const quotas = s.ofType(RESOURCE_QUOTA);
    const policies = s.ofType(NETWORK_POLICY);
    for (const ns of namespaces) {
      const n = at(ns.props, "metadata.name");
      const name = typeof n === "string" && !isUnknown(n) ? n : undefined;
      const label = name ?? ns.name;
      if (!quotas.some((q) => inNamespace(q, name, ns))) report(`namespace ${label} has no ResourceQuota.`, ns.urn);
      if (!policies.some((p) => inNamespace(p, name, ns) && isDefaultDeny(p))) report(`namespace ${label} has no default-deny NetworkPolicy.`, ns.urn);
    }
  },
});

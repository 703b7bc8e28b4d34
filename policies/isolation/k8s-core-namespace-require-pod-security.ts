import { NAMESPACE } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { at, isUnknown, keys, prop, str } from "../lib/values";

const ENFORCE = "pod-security.kubernetes.io/enforce";

export default defineResourceRule({
  name: "k8s-core-namespace-require-pod-security",
  description:
    "Every namespace enforces a Pod Security Standard: restricted for application namespaces; baseline only for infra namespaces (`*-infra`), and privileged only for the namespaces the platform's document facts list (node-exporter), each with the reason recorded in a `*/pod-security-reason` annotation.",
  severity: "high",
  remediationSteps:
    "Label the namespace pod-security.kubernetes.io/enforce=restricted. For an infra namespace (name ending in -infra) that runs operators needing more, use baseline and give podSecurityReason (IsolatedNamespace records it as an annotation).",
  source: "diaspomoney.md § Architecture par Environnement (app vs -infra namespaces); CIS GKE v1.8 4.2.1 (Pod Security Standard Baseline profile or stricter for all namespaces)",
  domain: "isolation",
  resources: [NAMESPACE],
  types: [NAMESPACE],
  facts: ["privilegedNamespaces"],
  validate(r, report) {
    const level = at(r.props, "metadata.labels") === undefined ? undefined : prop(at(r.props, "metadata.labels"), ENFORCE);
    if (isUnknown(level)) return;
    if (level === "restricted") return;
    if (level === undefined) {
      report(`label ${ENFORCE} is missing: the cluster default (privileged) applies.`);
      return;
    }
    const name = str(r.get("metadata.name")) ?? r.name;
    const annotations = r.get("metadata.annotations");
    const reasonKey = keys(annotations).find((k) => k.endsWith("/pod-security-reason"));
    const reason = reasonKey ? str(prop(annotations, reasonKey)) : undefined;
    if (level === "privileged" && r.facts.privilegedNamespaces.includes(name)) {
      if (!reason?.trim()) report(`privileged without a */pod-security-reason annotation saying why.`);
      return;
    }
    if (level !== "baseline") {
      report(`${ENFORCE}=${String(level)}: only restricted (or baseline for infra namespaces) is allowed.`);
      return;
    }
    if (!name.endsWith("-infra")) report(`${ENFORCE}=baseline on an application namespace (${name}): only *-infra namespaces may relax to baseline.`);
    if (!reason?.trim()) report("baseline without a */pod-security-reason annotation saying why.");
  },
});

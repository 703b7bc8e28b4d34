import { NAMESPACE } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { at, isUnknown, prop, str } from "../lib/values";

export default defineResourceRule({
  name: "k8s-core-namespace-require-labels",
  description: "Every namespace carries `env` and `platform` labels matching its stack (selectors, quotas and cost reports rely on them).",
  severity: "medium",
  remediationSteps: "Create namespaces with the IsolatedNamespace component, which sets env and platform labels from the stack.",
  source: "diaspomoney.md § Architecture Multi-Environnement (one namespace set per env)",
  domain: "isolation",
  resources: [NAMESPACE],
  types: [NAMESPACE],
  validate(r, report) {
    const labels = at(r.props, "metadata.labels");
    if (isUnknown(labels)) return;
    for (const key of ["env", "platform"] as const) {
      const v = prop(labels, key);
      if (isUnknown(v)) continue;
      if (!str(v)) report(`label ${key} is missing.`);
      else if (r.facts[key] && v !== r.facts[key] && !(key === "env" && r.facts.env === "shared")) report(`label ${key}=${String(v)} does not match the stack (${r.facts[key]}).`);
    }
  },
});

import { CLUSTER_SCOPED_KINDS, HELM_RELEASE, k8sKind, namespaceOf } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, str } from "../lib/values";

export default defineResourceRule({
  name: "k8s-core-workload-deny-default-namespace",
  description: "Nothing is deployed to the `default` namespace: every object lives in a labelled, isolated namespace.",
  severity: "medium",
  remediationSteps: "Set metadata.namespace (Helm: namespace) to the platform namespace created by the IsolatedNamespace component.",
  source: "diaspomoney.md § Architecture par Environnement (namespaces diaspomoney-<env> / -infra); CKV_K8S_21; CIS GKE v1.8 4.6.4 (the default namespace is not used)",
  domain: "isolation",
  resources: ["every namespaced kubernetes:* object", HELM_RELEASE],
  types: (t) => t === HELM_RELEASE || (k8sKind(t) !== undefined && !CLUSTER_SCOPED_KINDS.has(k8sKind(t)!.kind)),
  validate(r, report) {
    if (r.type === HELM_RELEASE) {
      const ns = r.get("namespace");
      if (isUnknown(ns)) return;
      const name = str(ns) ?? str(r.provider ? (r.provider.props as Record<string, unknown>).namespace : undefined) ?? "default";
      if (name === "default") report("the Helm release installs into the default namespace.");
      return;
    }
    const ns = namespaceOf(r.props, r.provider);
    if (ns === "default") report("metadata.namespace is default (or unset, with no namespace on the provider).");
  },
});

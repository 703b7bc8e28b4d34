import { HELM_RELEASE, k8sKind, objectKind, removedApi } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";

export default defineResourceRule({
  name: "k8s-core-object-deny-removed-api",
  description: "No Kubernetes object uses an API version current GKE no longer serves (extensions/v1beta1, apps/v1beta1-2, batch/v1beta1, policy/v1beta1…): the apply would fail, or the object would escape the rules written for the current version.",
  severity: "high",
  remediationSteps: "Move the object to the API version the message names (e.g. batch/v1beta1 CronJob → batch/v1, extensions/v1beta1 Deployment → apps/v1) and adapt the fields that changed.",
  source: "Kubernetes docs § Deprecated API Migration Guide (kubernetes.io/docs/reference/using-api/deprecation-guide); GKE docs § Kubernetes API deprecations",
  domain: "schema",
  resources: ["every kubernetes:<group>/<version>:<Kind> object (not Helm releases)"],
  types: (t) => t !== HELM_RELEASE && k8sKind(t) !== undefined,
  validate(r, report) {
    const { apiVersion, kind } = objectKind(r.type, r.props)!;
    const typeKind = k8sKind(r.type)!;
    for (const av of new Set([typeKind.apiVersion, apiVersion])) {
      const removed = removedApi(av, kind);
      if (removed) report(`${kind} ${av} is no longer served (removed in Kubernetes ${removed.removedIn}): use ${removed.replacement}.`);
    }
  },
});

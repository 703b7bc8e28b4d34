import { namespaceOf } from "../lib/k8s";
import { isBuiltInPodType, podTemplates } from "../lib/pod-templates";
import { defineStackRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const BINDINGS = /^kubernetes:rbac\.authorization\.k8s\.io\/[^:]+:(Cluster)?RoleBinding$/;

export default defineStackRule({
  name: "k8s-core-pod-deny-service-account-token",
  description:
    "Pods that do not talk to the Kubernetes API get no service account token: automountServiceAccountToken is false on the pod, or on its ServiceAccount. A pod needs the API only when its ServiceAccount is bound to a Role in the stack.",
  severity: "medium",
  remediationSteps: "Set automountServiceAccountToken: false on the pod template (or on its dedicated ServiceAccount). A workload that needs the API gets its own ServiceAccount and a RoleBinding in the same stack.",
  source: "CIS Kubernetes v1.10 5.1.6 (service account tokens only mounted where necessary); CKV_K8S_38",
  domain: "isolation",
  resources: ["Pod, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob (every API version)", SERVICE_ACCOUNT, "RoleBinding, ClusterRoleBinding"],
  validate(s, report) {
    const accounts = new Map<string, unknown>();
    for (const sa of s.ofType(SERVICE_ACCOUNT)) {
      const ns = namespaceOf(sa.props);
      const name = str(prop(prop(sa.props, "metadata"), "name"));
      if (typeof ns === "string" && name) accounts.set(`${ns}/${name}`, prop(sa.props, "automountServiceAccountToken"));
    }
    const bound = new Set<string>();
    let unknownBinding = false;
    for (const b of s.resources.filter((r) => BINDINGS.test(r.type))) {
      for (const subj of list(prop(b.props, "subjects"))) {
        if (isUnknown(subj)) {
          unknownBinding = true;
          continue;
        }
        if (str(prop(subj, "kind")) !== "ServiceAccount") continue;
        const ns = str(prop(subj, "namespace")) ?? namespaceOf(b.props);
        const name = str(prop(subj, "name"));
        if (typeof ns === "string" && name) bound.add(`${ns}/${name}`);
        else unknownBinding = true;
      }
    }
    for (const r of s.resources.filter((x) => isBuiltInPodType(x.type))) {
      for (const v of podTemplates(r.type, r.props)) {
        if (isUnknown(v.pod)) continue;
        const own = prop(v.pod, "automountServiceAccountToken");
        if (own === false || isUnknown(own)) continue;
        const ns = namespaceOf(r.props);
        const saName = prop(v.pod, "serviceAccountName") ?? prop(v.pod, "serviceAccount") ?? "default";
        if (isUnknown(saName) || typeof ns !== "string") continue;
        const key = `${ns}/${String(saName)}`;
        if (bound.has(key) || unknownBinding) continue;
        const saSetting = accounts.get(key);
        if (own === undefined && (saSetting === false || isUnknown(saSetting))) continue;
        const why = own === true ? "sets automountServiceAccountToken: true" : accounts.has(key) ? `inherits a token from ServiceAccount ${key}, which does not disable automounting` : `mounts the token of ServiceAccount ${key} (not declared in the stack, so it automounts)`;
        report(`${r.name}: ${v.where} ${why}, though no RoleBinding in the stack gives that account any API access.`, r.urn);
      }
    }
  },
});

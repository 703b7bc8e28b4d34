import { defineResourceRule } from "../lib/rule";
import { isUnknown, prop } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-require-seccomp",
  description: "Containers run under the RuntimeDefault (or a Localhost) seccomp profile.",
  severity: "medium",
  remediationSteps: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or on each container).",
  source: "CKV_K8S_31; PSS restricted Seccomp; CIS GKE v1.8 4.6.2 (seccomp profile RuntimeDefault)",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    eachContainer(r, ({ container, sc }) => {
      const profile = sc("seccompProfile", true);
      if (isUnknown(profile)) return;
      const type = prop(profile, "type");
      if (isUnknown(type)) return;
      if (type !== "RuntimeDefault" && type !== "Localhost") report(`${container.where}: seccompProfile.type is ${type === undefined ? "unset (Unconfined)" : String(type)}.`);
    });
  },
});

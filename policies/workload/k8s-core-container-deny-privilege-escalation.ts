import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-deny-privilege-escalation",
  description: "Containers cannot gain privileges: allowPrivilegeEscalation false, never privileged.",
  severity: "high",
  remediationSteps: "Set securityContext.allowPrivilegeEscalation: false on every container and never privileged: true.",
  source: "CKV_K8S_20, CKV_K8S_16; Pod Security Standards (restricted)",
  domain: "workload",
  resources: WORKLOAD_TYPES,
  types: WORKLOAD_TYPES,
  validate(r, report) {
    eachContainer(r, ({ container, sc }) => {
      if (sc("privileged") === true) report(`${container.where}: privileged is true.`);
      const ape = sc("allowPrivilegeEscalation");
      if (!isUnknown(ape) && ape !== false) report(`${container.where}: allowPrivilegeEscalation is not false.`);
    });
  },
});

import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-deny-privilege-escalation",
  description: "Containers cannot gain privileges: allowPrivilegeEscalation false, never privileged.",
  severity: "high",
  remediationSteps: "Set securityContext.allowPrivilegeEscalation: false on every container and never privileged: true.",
  source: "CKV_K8S_20, CKV_K8S_16; PSS restricted Privilege Escalation; PSS baseline Privileged Containers",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    eachContainer(r, ({ container, sc }) => {
      if (sc("privileged") === true) report(`${container.where}: privileged is true.`);
      const ape = sc("allowPrivilegeEscalation");
      if (!isUnknown(ape) && ape !== false) report(`${container.where}: allowPrivilegeEscalation is not false.`);
    });
  },
});

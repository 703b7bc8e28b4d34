import { defineResourceRule } from "../lib/rule";
import { isUnknown, num } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-require-non-root",
  description: "Containers run as a non-root user (runAsNonRoot, never runAsUser 0).",
  severity: "high",
  remediationSteps: "Set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser; build images with a non-root USER.",
  source: "CKV_K8S_23; PSS restricted Running as Non-root, Running as Non-root user",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    eachContainer(r, ({ container, sc }) => {
      const nonRoot = sc("runAsNonRoot", true);
      const user = sc("runAsUser", true);
      if (num(user) === 0) report(`${container.where}: runAsUser is 0 (root).`);
      else if (!isUnknown(nonRoot) && nonRoot !== true) report(`${container.where}: runAsNonRoot is not true.`);
    });
  },
});

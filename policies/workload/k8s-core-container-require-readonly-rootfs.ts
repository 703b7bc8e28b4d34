import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-require-readonly-rootfs",
  description: "Containers have a read-only root filesystem (writable paths are explicit emptyDir volumes). Waivable per workload with a reason in the stack's policy config.",
  severity: "medium",
  remediationSteps:
    "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the process writes (/tmp, caches). If the image cannot run read-only, add a waiver for this workload in policies/config/<stack>.json (never prod).",
  source: "CKV_K8S_22",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    eachContainer(r, ({ container, sc, view }) => {
      const v = sc("readOnlyRootFilesystem");
      // Operator images known to write their root filesystem (held in code: lib/pod-templates.ts), never a label.
      if (view.writableRootfs[container.name] && v === false) return;
      if (!isUnknown(v) && v !== true) report(`${container.where}: readOnlyRootFilesystem is not true.`);
    });
  },
});

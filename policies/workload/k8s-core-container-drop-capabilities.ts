import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

/** The only capability the restricted Pod Security Standard lets a container add back. */
const ALLOWED_ADD = new Set(["NET_BIND_SERVICE"]);

export default defineResourceRule({
  name: "k8s-core-container-drop-capabilities",
  description: "Containers drop ALL Linux capabilities (adding back only NET_BIND_SERVICE).",
  severity: "high",
  remediationSteps: 'Set securityContext.capabilities.drop: ["ALL"]; add back nothing but NET_BIND_SERVICE.',
  source: "CKV_K8S_28, CKV_K8S_37; PSS restricted Capabilities",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    eachContainer(r, ({ container, sc }) => {
      const caps = sc("capabilities");
      if (isUnknown(caps)) return;
      const drop = list(prop(caps, "drop")).map((d) => str(d));
      if (!drop.includes("ALL")) report(`${container.where}: capabilities.drop does not include ALL.`);
      for (const a of list(prop(caps, "add"))) {
        const cap = str(a);
        if (cap && !ALLOWED_ADD.has(cap)) report(`${container.where}: adds capability ${cap}.`);
      }
    });
  },
});

import { GKE_CLUSTER, GKE_NODE_POOL } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-require-shielded-nodes",
  description: "GKE nodes are Shielded VMs with Secure Boot.",
  severity: "medium",
  remediationSteps: "Keep enableShieldedNodes (default true) and set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true on every node pool (and on the cluster's default pool unless removed).",
  source: "CIS GKE 5.5.5, 5.5.7; CKV_GCP_71, CKV_GCP_68",
  domain: "isolation",
  resources: [GKE_CLUSTER, GKE_NODE_POOL],
  types: [GKE_CLUSTER, GKE_NODE_POOL],
  validate(r, report) {
    if (r.type === GKE_CLUSTER) {
      if (r.get("enableAutopilot") === true) r.notApplicable("Autopilot nodes are shielded with secure boot");
      if (r.get("enableShieldedNodes") === false) report("enableShieldedNodes is false.");
      if (r.get("removeDefaultNodePool") === true) return;
    }
    const v = r.get("nodeConfig.shieldedInstanceConfig.enableSecureBoot");
    if (!isUnknown(v) && v !== true) report("nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true.");
  },
});

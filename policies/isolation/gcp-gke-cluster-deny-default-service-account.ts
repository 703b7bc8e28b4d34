import { GKE_CLUSTER, GKE_NODE_POOL, isDefaultComputeServiceAccount } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";

export default defineResourceRule({
  name: "gcp-gke-cluster-deny-default-service-account",
  description: "GKE nodes run as a dedicated least-privilege service account, never the Compute Engine default (Editor).",
  severity: "high",
  remediationSteps:
    "Set nodeConfig.serviceAccount on every node pool (and on the cluster unless removeDefaultNodePool is true; Autopilot: clusterAutoscaling.autoProvisioningDefaults.serviceAccount) to a dedicated account with roles/container.defaultNodeServiceAccount.",
  source: "CIS GKE v1.8 5.2.1 (GKE clusters are not running using the Compute Engine default service account); CKV2_GCP_1",
  domain: "isolation",
  resources: [GKE_CLUSTER, GKE_NODE_POOL],
  types: [GKE_CLUSTER, GKE_NODE_POOL],
  validate(r, report) {
    if (r.type === GKE_NODE_POOL) {
      if (isDefaultComputeServiceAccount(r.get("nodeConfig.serviceAccount"))) report("nodeConfig.serviceAccount is unset or the Compute Engine default service account.");
      return;
    }
    if (r.get("enableAutopilot") === true) {
      const sa = r.get("clusterAutoscaling.autoProvisioningDefaults.serviceAccount");
      if (isDefaultComputeServiceAccount(sa)) report("clusterAutoscaling.autoProvisioningDefaults.serviceAccount is unset or the default service account.");
      return;
    }
    if (r.get("removeDefaultNodePool") === true) return;
    if (isDefaultComputeServiceAccount(r.get("nodeConfig.serviceAccount"))) report("the default node pool runs as the Compute Engine default service account (set nodeConfig.serviceAccount or removeDefaultNodePool).");
  },
});

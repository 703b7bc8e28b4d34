import { GKE_CLUSTER, GKE_NODE_POOL } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isSet, isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-require-workload-identity",
  description: "GKE uses Workload Identity: pods get their own identity, never the node's, and node pools serve the GKE metadata server.",
  severity: "high",
  remediationSteps: 'Cluster: workloadIdentityConfig.workloadPool "<project>.svc.id.goog". Node pools: nodeConfig.workloadMetadataConfig.mode GKE_METADATA (never GCE_METADATA).',
  source: "CIS GKE v1.8 5.2.2 (dedicated GCP service accounts and Workload Identity), 5.4.1 (GKE Metadata Server enabled); CKV_GCP_69",
  domain: "isolation",
  resources: [GKE_CLUSTER, GKE_NODE_POOL],
  types: [GKE_CLUSTER, GKE_NODE_POOL],
  validate(r, report) {
    if (r.type === GKE_CLUSTER) {
      if (r.get("enableAutopilot") === true) return;
      if (!isSet(r.get("workloadIdentityConfig.workloadPool"))) report("workloadIdentityConfig.workloadPool is not set.");
      const mode = r.get("nodeConfig.workloadMetadataConfig.mode");
      if (mode === "GCE_METADATA") report("nodeConfig.workloadMetadataConfig.mode GCE_METADATA exposes the node's credentials to pods.");
      return;
    }
    const mode = r.get("nodeConfig.workloadMetadataConfig.mode");
    if (!isUnknown(mode) && mode !== "GKE_METADATA") report(`nodeConfig.workloadMetadataConfig.mode is ${mode === undefined ? "unset" : String(mode)}, not GKE_METADATA.`);
  },
});

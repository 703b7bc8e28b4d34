import { GKE_CLUSTER, GKE_NODE_POOL } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, plain } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-require-shielded-nodes",
  description: "GKE nodes are Shielded VMs with Secure Boot and integrity monitoring (on by default, never turned off).",
  severity: "medium",
  remediationSteps: "Keep enableShieldedNodes (default true) and set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true on every node pool (and on the cluster's default pool unless removed); never set enableIntegrityMonitoring: false.",
  source: "CIS GKE v1.8 5.5.5 (Shielded GKE Nodes), 5.5.7 (Secure Boot for Shielded GKE Nodes); CKV_GCP_71, CKV_GCP_68; GKE docs § Shielded GKE Nodes (integrity monitoring)",
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
    const integrity = r.get("nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring");
    if (integrity !== undefined && integrity !== true && !isUnknown(integrity)) report(`nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is ${JSON.stringify(plain(integrity))}: node boot integrity is not monitored.`);
  },
});

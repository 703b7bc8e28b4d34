import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-require-network-policy",
  description: "GKE enforces NetworkPolicies: Dataplane V2 (ADVANCED_DATAPATH) or the Calico networkPolicy add-on; both count.",
  severity: "high",
  remediationSteps: 'Set datapathProvider: "ADVANCED_DATAPATH" (preferred) or networkPolicy: { enabled: true, provider: "CALICO" }.',
  source: "CIS GKE v1.8 4.3.1 (the CNI in use supports Network Policies); CKV_GCP_12",
  domain: "isolation",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const dp = r.get("datapathProvider");
    const np = r.get("networkPolicy.enabled");
    if (r.get("enableAutopilot") === true || dp === "ADVANCED_DATAPATH" || np === true || isUnknown(dp) || isUnknown(np)) return;
    report("neither Dataplane V2 (datapathProvider ADVANCED_DATAPATH) nor networkPolicy.enabled: NetworkPolicies are not enforced.");
  },
});

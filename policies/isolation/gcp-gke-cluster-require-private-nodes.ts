import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-require-private-nodes",
  description: "GKE nodes have only private IP addresses.",
  severity: "high",
  remediationSteps: "Set privateClusterConfig.enablePrivateNodes: true (egress through Cloud NAT).",
  source: "CIS GKE v1.8 5.6.5; CKV_GCP_64",
  domain: "isolation",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const v = r.get("privateClusterConfig.enablePrivateNodes");
    if (!isUnknown(v) && v !== true) report("privateClusterConfig.enablePrivateNodes is not true: nodes get public IPs.");
  },
});

import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, plain } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-deny-legacy-abac",
  description: "GKE legacy authorization (ABAC) is off: with it, every service account and node gets static permissions beyond RBAC.",
  severity: "critical",
  remediationSteps: "Remove enableLegacyAbac or set it to false (the provider default); grant access with RBAC.",
  source: "CIS GKE v1.8 5.8.3 (Legacy Authorization (ABAC) is disabled); CKV_GCP_7",
  domain: "isolation",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const v = r.get("enableLegacyAbac");
    if (v === true) report("enableLegacyAbac is true: ABAC grants permissions around RBAC.");
    else if (v !== undefined && v !== false && !isUnknown(v)) report(`enableLegacyAbac ${JSON.stringify(plain(v))} is not a boolean.`);
  },
});

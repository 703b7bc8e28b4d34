import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, plain } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-deny-client-certificate",
  description: "GKE issues no legacy client certificate: a cluster-admin credential that cannot be revoked short of rotating the cluster's CA.",
  severity: "high",
  remediationSteps: "Remove masterAuth.clientCertificateConfig or set issueClientCertificate: false (the default); authenticate with Google identities (gcloud / Workload Identity).",
  source: "CIS GKE v1.8 5.8.1 (authentication using client certificates is disabled); CKV_GCP_13",
  domain: "isolation",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const v = r.get("masterAuth.clientCertificateConfig.issueClientCertificate");
    if (v === true) report("masterAuth.clientCertificateConfig.issueClientCertificate is true: a non-revocable admin certificate is issued.");
    else if (v !== undefined && v !== false && !isUnknown(v)) report(`issueClientCertificate ${JSON.stringify(plain(v))} is not a boolean.`);
  },
});

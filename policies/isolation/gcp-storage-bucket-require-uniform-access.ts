import { BUCKET } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-storage-bucket-require-uniform-access",
  description: "Buckets use uniform bucket-level access: IAM only, no per-object ACLs.",
  severity: "high",
  remediationSteps: "Set uniformBucketLevelAccess: true.",
  source: "CIS GCP v3.0 5.2; CKV_GCP_29",
  domain: "isolation",
  resources: [BUCKET],
  types: [BUCKET],
  validate(r, report) {
    const v = r.get("uniformBucketLevelAccess");
    if (!isUnknown(v) && v !== true) report("uniformBucketLevelAccess is not true: object ACLs can grant access around IAM.");
  },
});

import { BUCKET } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isSet, isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-storage-bucket-require-versioning",
  description: "Buckets keep object versions, so that an overwrite or a deletion can be undone.",
  severity: "medium",
  remediationSteps: "Set versioning: { enabled: true } (the Bucket component does by default) and a lifecycle rule to expire noncurrent versions. Buckets with a retention policy are exempt (GCS forbids both).",
  source: 'crm-courtier.md § Backup Strategy ("Fichiers: S3 versioning + cross-region replication"); quickfund.md § Backups ("Backup documents")',
  domain: "backup",
  resources: [BUCKET],
  types: [BUCKET],
  validate(r, report) {
    // GCS refuses versioning together with a retention policy; the retention lock protects objects instead.
    if (isSet(r.get("retentionPolicy.retentionPeriod"))) r.notApplicable("retention policy set: GCS does not allow versioning with it, and the lock already protects objects");
    const v = r.get("versioning.enabled");
    if (!isUnknown(v) && v !== true) report("versioning.enabled is not true.");
  },
});

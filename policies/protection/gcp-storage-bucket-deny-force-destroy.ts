import { BUCKET } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";

export default defineResourceRule({
  name: "gcp-storage-bucket-deny-force-destroy",
  description: "Production buckets cannot be destroyed with their objects (no forceDestroy).",
  severity: "high",
  remediationSteps: "Remove forceDestroy (or set it to false) on prod buckets.",
  source: 'quickfund.md § Backups ("Backup documents"); crm-courtier.md § Backup Strategy',
  domain: "protection",
  resources: [BUCKET],
  scope: "prod",
  types: [BUCKET],
  validate(r, report) {
    if (r.get("forceDestroy") === true) report("forceDestroy is true: deleting the bucket deletes every object in it.");
  },
});

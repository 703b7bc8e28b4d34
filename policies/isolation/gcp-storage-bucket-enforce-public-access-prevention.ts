import { BUCKET } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-storage-bucket-enforce-public-access-prevention",
  description: "Buckets enforce public access prevention: no object can be made public.",
  severity: "critical",
  remediationSteps: 'Set publicAccessPrevention: "enforced" (public assets go through the CDN/load balancer, not public ACLs).',
  source: 'quickfund.md § Sécurité ("Données stockées en interne"); CIS GCP v3.0 5.1; CKV_GCP_114',
  domain: "isolation",
  resources: [BUCKET],
  types: [BUCKET],
  validate(r, report) {
    const v = r.get("publicAccessPrevention");
    if (!isUnknown(v) && v !== "enforced") report(`publicAccessPrevention is ${v === undefined ? "unset (inherited)" : String(v)}, not enforced.`);
  },
});

import { SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isSet } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-require-cmek",
  description: "Cloud SQL data at rest is encrypted with a customer-managed KMS key.",
  severity: "medium",
  remediationSteps: "Set encryptionKeyName to a KMS key in the instance's region (the Postgres component creates one when kmsKeyId is not given).",
  source: 'quickfund.md § Sécurité données ("Chiffrement au repos"); diaspomoney.md § Sécurité ("AES-256-GCM - Données au repos")',
  domain: "encryption",
  resources: [SQL_INSTANCE],
  types: [SQL_INSTANCE],
  validate(r, report) {
    if (!isSet(r.get("encryptionKeyName"))) report("encryptionKeyName is not set: data is encrypted with a Google-managed key only.");
  },
});

import { BUCKET } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isSet } from "../lib/values";

export default defineResourceRule({
  name: "gcp-storage-bucket-require-cmek",
  description: "Buckets encrypt objects with a customer-managed KMS key by default (advisory).",
  severity: "low",
  remediationSteps: "Set encryption.defaultKmsKeyName to a KMS key in the bucket's location, and grant the GCS service agent encrypter/decrypter on it.",
  source: 'quickfund.md § Sécurité données ("Chiffrement au repos"); diaspomoney.md § Sécurité ("AES-256-GCM - Données au repos")',
  domain: "encryption",
  resources: [BUCKET],
  advisory: true,
  types: [BUCKET],
  validate(r, report) {
    if (!isSet(r.get("encryption.defaultKmsKeyName"))) report("encryption.defaultKmsKeyName is not set.");
  },
});

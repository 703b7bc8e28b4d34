import { KMS_KEY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";

export default defineResourceRule({
  name: "gcp-kms-crypto-key-require-protection",
  description: "KMS keys are protected from deletion (Pulumi `protect`): destroying a key makes every backup and disk it encrypts unreadable.",
  severity: "high",
  remediationSteps: "Create keys with the EncryptionKeys component, which sets protect; never turn it off for a key that encrypts data.",
  source: 'quickfund.md § Sécurité données ("Chiffrement au repos"); CONTRIBUTING.md § Components (deletion protection on by default); CKV_GCP_82 (KMS keys are protected from deletion)',
  domain: "protection",
  resources: [KMS_KEY],
  types: [KMS_KEY],
  validate(r, report) {
    if (r.opts.protect !== true) report("the Pulumi protect option is off: a destroy would schedule the key's versions for destruction.");
  },
});

import { SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

const ENCRYPTED = new Set(["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"]);

export default defineResourceRule({
  name: "gcp-sql-instance-require-ssl",
  description: "Cloud SQL accepts only encrypted connections (sslMode ENCRYPTED_ONLY or stricter; client certificates are not demanded).",
  severity: "high",
  remediationSteps: "Set settings.ipConfiguration.sslMode: ENCRYPTED_ONLY (the default, ALLOW_UNENCRYPTED_AND_ENCRYPTED, accepts plaintext).",
  source: 'quickfund.md § Sécurité données ("Chiffrement en transit (HTTPS/TLS)"); CIS GCP v3.0 6.4 (sslMode ENCRYPTED_ONLY)',
  domain: "encryption",
  resources: [SQL_INSTANCE],
  types: [SQL_INSTANCE],
  validate(r, report) {
    const mode = r.get("settings.ipConfiguration.sslMode");
    if (isUnknown(mode)) return;
    if (!ENCRYPTED.has(mode as string)) report(`settings.ipConfiguration.sslMode is ${mode === undefined ? "unset (ALLOW_UNENCRYPTED_AND_ENCRYPTED)" : String(mode)}.`);
  },
});

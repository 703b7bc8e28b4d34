import { REGION_SSL_POLICY, SSL_POLICY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-compute-ssl-policy-require-tls12",
  description: "SSL policies require TLS 1.2 or later.",
  severity: "high",
  remediationSteps: "Set minTlsVersion: TLS_1_2 (or TLS_1_3); the default is TLS_1_0.",
  source: 'diaspomoney.md § Sécurité ("TLS 1.3 - Transport"); CIS GCP 3.9',
  domain: "encryption",
  resources: [SSL_POLICY, REGION_SSL_POLICY],
  types: [SSL_POLICY, REGION_SSL_POLICY],
  validate(r, report) {
    const v = r.get("minTlsVersion");
    if (!isUnknown(v) && v !== "TLS_1_2" && v !== "TLS_1_3") report(`minTlsVersion is ${v === undefined ? "unset (TLS_1_0)" : String(v)}.`);
  },
});

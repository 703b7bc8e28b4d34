import { REGION_SSL_POLICY, SSL_POLICY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, plain, str } from "../lib/values";

/** The cipher suites CIS GCP 3.9 names as weak (RSA key exchange, CBC, 3DES). */
const WEAK_FEATURES = new Set([
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_RSA_WITH_AES_128_CBC_SHA",
  "TLS_RSA_WITH_AES_256_CBC_SHA",
  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
]);

export default defineResourceRule({
  name: "gcp-compute-ssl-policy-require-tls12",
  description: "SSL policies require TLS 1.2 or later and no weak cipher suites: profile MODERN or RESTRICTED, or CUSTOM without RSA key exchange / CBC / 3DES suites (COMPATIBLE, the default profile, allows them).",
  severity: "high",
  remediationSteps: "Set minTlsVersion: TLS_1_2 (or TLS_1_3) and profile: MODERN or RESTRICTED (CUSTOM: list only ECDHE AEAD suites in customFeatures).",
  source: 'diaspomoney.md § Sécurité ("TLS 1.3 - Transport"); CIS GCP v3.0 3.9; CKV_GCP_4',
  domain: "encryption",
  resources: [SSL_POLICY, REGION_SSL_POLICY],
  types: [SSL_POLICY, REGION_SSL_POLICY],
  validate(r, report) {
    const v = r.get("minTlsVersion");
    if (!isUnknown(v) && v !== "TLS_1_2" && v !== "TLS_1_3") report(`minTlsVersion is ${v === undefined ? "unset (TLS_1_0)" : String(v)}.`);
    const profile = r.get("profile");
    if (isUnknown(profile)) return;
    const p = profile === undefined ? "COMPATIBLE" : str(profile);
    if (p === "MODERN" || p === "RESTRICTED") return;
    if (p === "CUSTOM") {
      const features = list(r.get("customFeatures"));
      const weak = features.filter((f) => WEAK_FEATURES.has(str(f) ?? ""));
      if (weak.length) report(`profile CUSTOM enables weak cipher suites: ${weak.join(", ")}.`);
      if (features.length === 0) report("profile CUSTOM with no customFeatures.");
      return;
    }
    report(`profile is ${profile === undefined ? "unset (COMPATIBLE)" : JSON.stringify(plain(profile))}: it allows weak cipher suites; use MODERN or RESTRICTED.`);
  },
});

import { HTTPS_PROXY, REGION_HTTPS_PROXY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isSet } from "../lib/values";

export default defineResourceRule({
  name: "gcp-compute-https-proxy-require-ssl-policy",
  description: "Every HTTPS proxy has an SSL policy (whose minimum TLS version gcp-compute-ssl-policy-require-tls12 checks); without one, GCP accepts TLS 1.0.",
  severity: "high",
  remediationSteps: "Set sslPolicy to an SSLPolicy with minTlsVersion TLS_1_2 (profile MODERN or RESTRICTED).",
  source: "CIS GCP v3.0 3.9 (no HTTPS or SSL proxy load balancer permits weak cipher suites: a proxy without an SSL policy gets the COMPATIBLE default)",
  domain: "encryption",
  resources: [HTTPS_PROXY, REGION_HTTPS_PROXY],
  types: [HTTPS_PROXY, REGION_HTTPS_PROXY],
  validate(r, report) {
    if (!isSet(r.get("sslPolicy"))) report("sslPolicy is not set: the load balancer's default policy accepts TLS 1.0.");
  },
});

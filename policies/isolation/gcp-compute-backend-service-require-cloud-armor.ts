import { BACKEND_SERVICE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isSet, isUnknown, str } from "../lib/values";

export default defineResourceRule({
  name: "gcp-compute-backend-service-require-cloud-armor",
  description: "Public backend services are protected by a Cloud Armor security policy (WAF, rate limiting); mandatory in prod.",
  severity: "medium",
  remediationSteps: "Attach a Cloud Armor policy (securityPolicy) with the preconfigured OWASP rules and a rate-limit rule on login routes.",
  source: 'cryptocare.md § 2.2 ("CDN / WAF"); crm-courtier.md § Architecture cible ("Cloudflare CDN + WAF"); shareyoursales.md § Sécurité (rate limiting)',
  domain: "isolation",
  resources: [`${BACKEND_SERVICE} (EXTERNAL, EXTERNAL_MANAGED)`],
  types: [BACKEND_SERVICE],
  validate(r, report) {
    const scheme = r.get("loadBalancingScheme");
    if (isUnknown(scheme)) return;
    const s = str(scheme) ?? "EXTERNAL";
    if (s !== "EXTERNAL" && s !== "EXTERNAL_MANAGED") r.notApplicable(`internal backend service (${s})`);
    if (!isSet(r.get("securityPolicy"))) report("securityPolicy is not set: no WAF or rate limiting in front of this public backend.");
  },
});

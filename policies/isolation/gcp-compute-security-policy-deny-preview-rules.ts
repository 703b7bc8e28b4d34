import { REGION_SECURITY_POLICY, SECURITY_POLICY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, num, plain, prop, str } from "../lib/values";

export default defineResourceRule({
  name: "gcp-compute-security-policy-deny-preview-rules",
  description: "Cloud Armor rules are enforced, not in preview mode (a preview rule only logs what it would have blocked).",
  severity: "high",
  remediationSteps: "Set preview: false (or remove it) on every rule of the security policy once its false positives are tuned; tune in dev/rct, not in prod.",
  source: 'cryptocare.md § 2.2 ("CDN / WAF"); crm-courtier.md § Architecture cible ("Cloudflare CDN + WAF"); Cloud Armor docs § Preview mode',
  domain: "isolation",
  resources: [SECURITY_POLICY, REGION_SECURITY_POLICY],
  types: [SECURITY_POLICY, REGION_SECURITY_POLICY],
  validate(r, report) {
    for (const rule of list(r.get("rules"))) {
      if (isUnknown(rule)) continue;
      const preview = prop(rule, "preview");
      if (preview === true) report(`rule ${num(prop(rule, "priority")) ?? "?"} (${str(prop(rule, "description")) ?? str(prop(rule, "action")) ?? "no description"}) is in preview mode: it logs but does not block.`);
      else if (preview !== undefined && preview !== false && !isUnknown(preview)) report(`rule ${num(prop(rule, "priority")) ?? "?"} has preview ${JSON.stringify(plain(preview))}, not a boolean.`);
    }
  },
});

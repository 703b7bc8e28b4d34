import { CLOUD_RUN, CLOUD_RUN_V2 } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, plain, prop, str } from "../lib/values";

/** v1 annotations (`metadata.annotations`), keys written with their dots. */
const V1_INGRESS = "run.googleapis.com/ingress";
const V1_INVOKER_IAM_DISABLED = "run.googleapis.com/invoker-iam-disabled";

export default defineResourceRule({
  name: "gcp-cloudrun-service-restrict-ingress",
  description:
    "A Cloud Run service that accepts traffic from the whole Internet (ingress all, the default) keeps the invoker IAM check: otherwise anyone can call it directly, around the load balancer and Cloud Armor.",
  severity: "critical",
  remediationSteps:
    "Set ingress: INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER (or INTERNAL_ONLY) when invokerIamDisabled is true, so that only the load balancer reaches the service; or keep the invoker IAM check on (invokerIamDisabled unset/false) and grant roles/run.invoker to named callers.",
  source: 'Cloud Run docs § Restrict network ingress, § Disable the invoker IAM check; cryptocare.md § 2.2 ("CDN / WAF")',
  domain: "isolation",
  resources: [CLOUD_RUN_V2, CLOUD_RUN],
  types: [CLOUD_RUN_V2, CLOUD_RUN],
  validate(r, report) {
    let ingress: unknown;
    let disabled: unknown;
    if (r.type === CLOUD_RUN_V2) {
      ingress = r.get("ingress");
      disabled = r.get("invokerIamDisabled");
    } else {
      const annotations = r.get("metadata.annotations");
      ingress = isUnknown(annotations) ? annotations : prop(annotations, V1_INGRESS);
      const raw = isUnknown(annotations) ? annotations : prop(annotations, V1_INVOKER_IAM_DISABLED);
      disabled = raw === "true" ? true : raw === undefined || raw === "false" ? false : raw;
    }
    if (isUnknown(ingress) || isUnknown(disabled)) return;
    const all = r.type === CLOUD_RUN_V2 ? ["INGRESS_TRAFFIC_ALL", undefined] : ["all", undefined];
    const ing = str(ingress);
    if (ingress !== undefined && ing === undefined) {
      report(`ingress ${JSON.stringify(plain(ingress))} is not an ingress setting.`);
      return;
    }
    if (!all.includes(ing)) return;
    if (disabled === true) report(`ingress is ${ing ?? "unset (all traffic, the default)"} and the invoker IAM check is disabled: anyone on the Internet can call the service directly.`);
    else if (disabled !== false && disabled !== undefined) report(`the invoker IAM check setting ${JSON.stringify(plain(disabled))} is not a boolean.`);
  },
});

import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";

export default defineResourceRule({
  name: "gcp-gke-cluster-require-deletion-protection",
  description: "Production GKE clusters are protected from deletion (Pulumi `protect` and the provider's deletionProtection).",
  severity: "high",
  remediationSteps: "Keep deletionProtection (provider default true) and set the protect option on prod clusters.",
  source: "CONTRIBUTING.md § Components (deletion protection on by default)",
  domain: "protection",
  resources: [GKE_CLUSTER],
  scope: "prod",
  types: [GKE_CLUSTER],
  validate(r, report) {
    if (r.opts.protect !== true) report("the Pulumi protect option is off.");
    if (r.get("deletionProtection") === false) report("deletionProtection is false.");
  },
});

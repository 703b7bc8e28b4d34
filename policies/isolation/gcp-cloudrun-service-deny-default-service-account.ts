import { CLOUD_RUN, CLOUD_RUN_V2, isDefaultComputeServiceAccount } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { plain } from "../lib/values";

export default defineResourceRule({
  name: "gcp-cloudrun-service-deny-default-service-account",
  description: "Cloud Run revisions run as a dedicated service account, never the Compute Engine default service account (Editor on the project), which they get when none is set.",
  severity: "high",
  remediationSteps: "Set template.serviceAccount (v1: template.spec.serviceAccountName) to a dedicated least-privilege service account (the CloudRunService component creates one).",
  source: 'quickfund.md § Sécurité données ("Accès restreint (IAM)"); Cloud Run docs § Introduction to service identity (the default Compute Engine service account has the Editor role)',
  domain: "isolation",
  resources: [CLOUD_RUN_V2, CLOUD_RUN],
  types: [CLOUD_RUN_V2, CLOUD_RUN],
  validate(r, report) {
    const path = r.type === CLOUD_RUN_V2 ? "template.serviceAccount" : "template.spec.serviceAccountName";
    const sa = r.get(path);
    if (isDefaultComputeServiceAccount(sa)) report(`${path} is ${sa === undefined || sa === "" ? "unset: the revision runs as" : `${String(sa)},`} the Compute Engine default service account.`);
    else if (typeof sa !== "string" && typeof sa !== "symbol") report(`${path} ${JSON.stringify(plain(sa))} is not a service account email.`);
  },
});

import { isIamGrantType, STORAGE_ACL_TYPES } from "../lib/gcp";
import { grantsOf } from "../lib/iam";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, plain, str } from "../lib/values";

const applies = (type: string) => isIamGrantType(type) || STORAGE_ACL_TYPES.includes(type);

export default defineResourceRule({
  name: "gcp-iam-binding-deny-public-principal",
  description:
    "No IAM grant (any Google Cloud *IamMember / *IamBinding / *IamPolicy resource) or Cloud Storage ACL names allUsers or allAuthenticatedUsers: buckets, secrets, KMS keys and key rings, service accounts, Cloud Run services (v1 and v2), registries, projects… are never opened to anyone on the Internet.",
  severity: "critical",
  remediationSteps:
    "Grant the role to the service account or group that needs it. Public web content goes through the load balancer (Cloud Run: ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER behind Cloud Armor), never through an allUsers binding.",
  source: 'CIS GCP v3.0 5.1 (buckets not publicly accessible), 1.9 (KMS keys not publicly accessible); CKV_GCP_28, CKV_GCP_102, CKV_GCP_112, CKV2_GCP_6, CKV2_GCP_8; quickfund.md § Sécurité données ("Accès restreint (IAM)")',
  domain: "isolation",
  resources: ["gcp:<service>/<x>IamMember|IamBinding|IamPolicy (every service, any spelling of Iam/IAM)", ...STORAGE_ACL_TYPES],
  types: applies,
  validate(r, report) {
    if (STORAGE_ACL_TYPES.includes(r.type)) {
      const entity = r.get("entity");
      if (isUnknown(entity)) return;
      const e = str(entity);
      if (e === undefined) report(`entity ${JSON.stringify(plain(entity))} is not an ACL entity.`);
      else if (e === "allUsers" || e === "allAuthenticatedUsers") report(`the ACL grants ${str(r.get("role")) ?? "a role"} to ${e}.`);
      return;
    }
    const { grants, policyError } = grantsOf(r.props);
    if (policyError) report(`${policyError}: the grants cannot be checked.`);
    for (const g of grants) {
      if (g.member.kind === "public") report(`${g.role} is granted to ${g.member.raw}: anyone${g.member.raw === "allAuthenticatedUsers" ? " with a Google account" : ""} can use it.`);
      else if (g.member.kind === "invalid") report(`member ${g.member.raw} is not an IAM principal (user:, serviceAccount:, group:, domain:, principal://…).`);
    }
  },
});

import { HIERARCHY_IAM_TYPES } from "../lib/gcp";
import { grantsOf, isAdminRole } from "../lib/iam";
import { defineResourceRule } from "../lib/rule";

const SCOPE: Record<string, string> = { "gcp:projects": "project", "gcp:folder": "folder", "gcp:organizations": "organization" };

export default defineResourceRule({
  name: "gcp-iam-project-deny-admin-service-account",
  description:
    "Workload identities (service accounts, federated principals, and members only known at deploy time, which this code creates as service accounts) never get roles/owner, roles/editor or an *Admin role on a project, folder or organization.",
  severity: "critical",
  remediationSteps:
    "Grant the narrow predefined roles the workload uses (roles/cloudsql.client, roles/storage.objectCreator on one bucket, …). Human administrators get admin roles through groups, outside this code.",
  source: "CIS GCP v3.0 1.5 (service accounts have no admin privileges: roles/owner, roles/editor, *Admin)",
  domain: "isolation",
  resources: HIERARCHY_IAM_TYPES,
  types: HIERARCHY_IAM_TYPES,
  validate(r, report) {
    const { grants, policyError } = grantsOf(r.props);
    if (policyError) report(`${policyError}: the grants cannot be checked.`);
    for (const g of grants) {
      if (g.role === "(unknown)" || !isAdminRole(g.role)) continue;
      const k = g.member.kind;
      if (k === "serviceAccount" || k === "principal") report(`${g.role} is granted to ${g.member.raw}: a workload identity with admin privileges on the whole ${SCOPE[r.type.split("/")[0]] ?? "project"}.`);
      else if (k === "unknown") report(`${g.role} is granted to a member computed at deploy time (a service account this code creates): workload identities never get admin roles.`);
      else if (k === "invalid") report(`member ${g.member.raw} is not an IAM principal.`);
    }
  },
});

import { namespaceOf } from "../lib/k8s";
import { defineStackRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

const BINDING = /^kubernetes:rbac\.authorization\.k8s\.io\/[^:]+:(Cluster)?RoleBinding$/;
const ROLE = /^kubernetes:rbac\.authorization\.k8s\.io\/[^:]+:(Cluster)?Role$/;
/** Built-in roles that grant (nearly) everything. */
const ADMIN_ROLES = new Set(["cluster-admin", "admin", "edit"]);
/** Subjects that stand for every pod or every caller. */
const BROAD_GROUPS = /^system:(serviceaccounts(:.*)?|authenticated|unauthenticated)$/;

export default defineStackRule({
  name: "k8s-rbac-binding-deny-admin-to-service-account",
  description:
    "No RoleBinding or ClusterRoleBinding gives cluster-admin/admin/edit, or a role with wildcard verbs or resources, to a service account (default or a workload's), to all service accounts, or to every authenticated or anonymous caller.",
  severity: "critical",
  remediationSteps: "Bind a Role that lists the exact apiGroups, resources and verbs the workload needs, to its own ServiceAccount; never cluster-admin, never `*`, never the default account or a system: group.",
  source: "CIS Kubernetes v1.10 5.1.1 (cluster-admin only where required), 5.1.3 (minimize wildcard use in Roles and ClusterRoles), 5.1.5 (default service accounts not actively used)",
  domain: "isolation",
  resources: ["RoleBinding, ClusterRoleBinding, Role, ClusterRole (rbac.authorization.k8s.io, every version)"],
  validate(s, report) {
    const wildcard = new Map<string, string>();
    for (const role of s.resources.filter((r) => ROLE.test(r.type))) {
      const cluster = role.type.endsWith(":ClusterRole");
      const name = str(prop(prop(role.props, "metadata"), "name"));
      const ns = cluster ? "" : namespaceOf(role.props);
      if (!name || typeof ns !== "string") continue;
      for (const rule of list(prop(role.props, "rules"))) {
        const star = ["verbs", "resources"].filter((f) => list(prop(rule, f)).some((x) => x === "*"));
        if (star.length) wildcard.set(`${cluster ? "ClusterRole" : "Role"}/${ns}/${name}`, `\`*\` in ${star.join(" and ")}`);
      }
      if (prop(role.props, "aggregationRule") !== undefined && cluster) wildcard.set(`ClusterRole//${name}`, "an aggregation rule (grants whatever matching roles grant)");
    }
    for (const b of s.resources.filter((r) => BINDING.test(r.type))) {
      const ref = prop(b.props, "roleRef");
      if (isUnknown(ref)) continue;
      const kind = str(prop(ref, "kind"));
      const roleName = str(prop(ref, "name"));
      const ns = b.type.endsWith(":ClusterRoleBinding") ? "" : namespaceOf(b.props);
      let grant: string | undefined;
      if (kind === "ClusterRole" && roleName && ADMIN_ROLES.has(roleName)) grant = `the built-in ${roleName} role`;
      else if (kind && roleName) {
        const w = wildcard.get(`${kind}/${kind === "ClusterRole" ? "" : String(ns)}/${roleName}`);
        if (w) grant = `${kind} ${roleName}, whose rules have ${w}`;
      }
      if (!grant) continue;
      const bname = str(prop(prop(b.props, "metadata"), "name")) ?? b.name;
      for (const subj of list(prop(b.props, "subjects"))) {
        const sk = str(prop(subj, "kind"));
        const sn = str(prop(subj, "name"));
        if (sk === "ServiceAccount") report(`${bname}: grants ${grant} to ServiceAccount ${String(str(prop(subj, "namespace")) ?? ns)}/${sn ?? "?"}${sn === "default" ? " (the namespace's default account: every pod without its own)" : ""}.`, b.urn);
        else if ((sk === "Group" && sn && BROAD_GROUPS.test(sn)) || (sk === "User" && sn === "system:anonymous")) report(`${bname}: grants ${grant} to ${sk} ${sn}.`, b.urn);
      }
    }
  },
});

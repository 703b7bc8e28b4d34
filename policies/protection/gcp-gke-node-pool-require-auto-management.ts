import { GKE_CLUSTER, GKE_NODE_POOL } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, plain, prop } from "../lib/values";

/** Reports a management block whose autoRepair or autoUpgrade is off (both default to true). */
function checkManagement(where: string, management: unknown, report: (m: string) => void) {
  if (management === undefined || isUnknown(management)) return;
  for (const field of ["autoRepair", "autoUpgrade"] as const) {
    const v = prop(management, field);
    if (v === false) report(`${where}.${field} is false: ${field === "autoRepair" ? "failing nodes are not recreated" : "nodes miss security patches"}.`);
    else if (v !== undefined && v !== true && !isUnknown(v)) report(`${where}.${field} ${JSON.stringify(plain(v))} is not a boolean.`);
  }
}

export default defineResourceRule({
  name: "gcp-gke-node-pool-require-auto-management",
  description: "GKE node pools keep node auto-repair and auto-upgrade on (the defaults), so that broken nodes are replaced and nodes receive security patches.",
  severity: "medium",
  remediationSteps: "Remove management.autoRepair / management.autoUpgrade, or set both to true, on every node pool (and on the cluster's nodePools list).",
  source: "CIS GKE v1.8 5.5.2 (node auto-repair), 5.5.3 (node auto-upgrade); CKV_GCP_9, CKV_GCP_10",
  domain: "protection",
  resources: [GKE_NODE_POOL, `${GKE_CLUSTER} (nodePools)`],
  types: [GKE_NODE_POOL, GKE_CLUSTER],
  validate(r, report) {
    if (r.type === GKE_NODE_POOL) {
      checkManagement("management", r.get("management"), report);
      return;
    }
    for (const [i, pool] of list(r.get("nodePools")).entries()) checkManagement(`nodePools[${i}].management`, prop(pool, "management"), report);
  },
});

import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, plain, str } from "../lib/values";

/** Field → the component list that turns it off when empty. */
const SERVICES = [
  { field: "loggingService", config: "loggingConfig.enableComponents", what: "logging" },
  { field: "monitoringService", config: "monitoringConfig.enableComponents", what: "monitoring" },
] as const;

export default defineResourceRule({
  name: "gcp-gke-cluster-require-logging",
  description: "GKE sends its logs and metrics to Cloud Logging and Cloud Monitoring (loggingService / monitoringService not `none`, component lists not emptied).",
  severity: "high",
  remediationSteps:
    "Leave loggingService and monitoringService unset (the defaults logging.googleapis.com/kubernetes and monitoring.googleapis.com/kubernetes), and if loggingConfig / monitoringConfig are set, keep SYSTEM_COMPONENTS in enableComponents.",
  source: 'CIS GKE v1.8 5.7.1 (Logging and Cloud Monitoring is enabled); CKV_GCP_1, CKV_GCP_8; diaspomoney.md § Audit ("Audit Logging - Traçabilité complète")',
  domain: "protection",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    for (const s of SERVICES) {
      const v = r.get(s.field);
      if (!isUnknown(v) && v !== undefined) {
        const t = str(v);
        if (t === undefined) report(`${s.field} ${JSON.stringify(plain(v))} is not a service name.`);
        else if (t === "none" || t === "") report(`${s.field} is "none": the cluster's ${s.what} is off.`);
      }
      const components = r.get(s.config);
      if (components === undefined || isUnknown(components)) continue;
      if (!Array.isArray(components)) report(`${s.config} ${JSON.stringify(plain(components))} is not a list.`);
      else if (!list(components).some((c) => c === "SYSTEM_COMPONENTS" || isUnknown(c))) report(`${s.config} does not include SYSTEM_COMPONENTS: the cluster's ${s.what} is off.`);
    }
  },
});

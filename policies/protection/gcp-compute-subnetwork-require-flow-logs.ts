import { defineResourceRule } from "../lib/rule";
import { isUnknown, str } from "../lib/values";

const SUBNETWORK = "gcp:compute/subnetwork:Subnetwork";
/** Subnets that carry no VM traffic of their own, where Google does not offer flow logs. */
const NO_FLOW_LOGS = new Set(["REGIONAL_MANAGED_PROXY", "GLOBAL_MANAGED_PROXY", "INTERNAL_HTTPS_LOAD_BALANCER", "PRIVATE_SERVICE_CONNECT", "PRIVATE_NAT"]);

export default defineResourceRule({
  name: "gcp-compute-subnetwork-require-flow-logs",
  description: "Subnets that carry workload traffic record VPC Flow Logs (logConfig set), so that a connection can be traced after an incident.",
  severity: "medium",
  remediationSteps: "Set logConfig { aggregationInterval: INTERVAL_5_SEC, flowSampling: 0.5 or more, metadata: INCLUDE_ALL_METADATA } on the subnetwork (the Network component does).",
  source: 'VPC docs § VPC Flow Logs; diaspomoney.md § Audit ("Audit Logging - Traçabilité complète")',
  domain: "protection",
  resources: [`${SUBNETWORK} (purpose PRIVATE)`],
  types: [SUBNETWORK],
  validate(r, report) {
    const purpose = r.get("purpose");
    if (isUnknown(purpose)) return;
    const p = str(purpose) ?? "PRIVATE";
    if (NO_FLOW_LOGS.has(p)) r.notApplicable(`purpose ${p}: flow logs are not available on this subnet`);
    const log = r.get("logConfig");
    if (log === undefined || log === null) report("logConfig is not set: VPC Flow Logs are off.");
  },
});

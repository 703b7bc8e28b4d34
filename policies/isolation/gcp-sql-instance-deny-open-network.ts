import { describeExposure, exposure } from "../lib/cidr";
import { SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-deny-open-network",
  description: "Cloud SQL authorized networks never open the instance to the Internet, whatever the spelling (0.0.0.0/0, 0.0.0.0/1 + 128.0.0.0/1, more than a /8 of public addresses).",
  severity: "critical",
  remediationSteps: "Remove the wide ranges from settings.ipConfiguration.authorizedNetworks; connect through the private network or the Cloud SQL Auth Proxy.",
  source: "CIS GCP v3.0 6.5 (Cloud SQL instances do not implicitly whitelist all public IP addresses); CKV_GCP_11",
  domain: "isolation",
  resources: [SQL_INSTANCE],
  types: [SQL_INSTANCE],
  validate(r, report) {
    const networks = r.get("settings.ipConfiguration.authorizedNetworks");
    if (isUnknown(networks)) return;
    const values = list(networks).map((n) => (isUnknown(n) ? n : prop(n, "value")));
    const e = exposure(values);
    for (const bad of e.invalid) report(`authorized network ${bad} is not a CIDR range.`);
    const open = describeExposure(e);
    if (open) report(`authorized networks open the instance to ${open}.`);
  },
});

import { SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-deny-public-ip",
  description: "Cloud SQL has no public IPv4 address; clients reach it over the private network.",
  severity: "critical",
  remediationSteps: "Set settings.ipConfiguration.ipv4Enabled: false and privateNetwork to the VPC (an unset ipv4Enabled is public: that is the provider default).",
  source: "CIS GCP v3.0 6.6; CKV_GCP_60",
  domain: "isolation",
  resources: [SQL_INSTANCE],
  types: [SQL_INSTANCE],
  validate(r, report) {
    const v = r.get("settings.ipConfiguration.ipv4Enabled");
    if (!isUnknown(v) && v !== false) report(`settings.ipConfiguration.ipv4Enabled is ${v === undefined ? "unset (public IP, the provider default)" : String(v)}.`);
  },
});

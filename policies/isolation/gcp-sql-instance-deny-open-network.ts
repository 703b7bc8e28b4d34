import { OPEN_CIDRS, SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { list, prop, str } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-deny-open-network",
  description: "Cloud SQL authorized networks never include 0.0.0.0/0.",
  severity: "critical",
  remediationSteps: "Remove 0.0.0.0/0 (and ::/0) from settings.ipConfiguration.authorizedNetworks; connect through the private network or the Cloud SQL Auth Proxy.",
  source: "CIS GCP 6.5; CKV_GCP_11",
  domain: "isolation",
  resources: [SQL_INSTANCE],
  types: [SQL_INSTANCE],
  validate(r, report) {
    for (const n of list(r.get("settings.ipConfiguration.authorizedNetworks"))) {
      const v = str(prop(n, "value"));
      if (v && OPEN_CIDRS.has(v)) report(`authorized network ${str(prop(n, "name")) ?? ""} ${v} opens the instance to the whole Internet.`.replace("  ", " "));
    }
  },
});

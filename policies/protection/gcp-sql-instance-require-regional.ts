import { isReadReplica, SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-sql-instance-require-regional",
  description: "Production Cloud SQL primaries are highly available (REGIONAL: a standby in another zone).",
  severity: "high",
  remediationSteps: "Set settings.availabilityType: REGIONAL on prod primaries.",
  source: 'cryptocare.md § 1.3 ("Disponibilité: 99.9%"); crm-courtier.md § Backup Strategy ("RTO <1h")',
  domain: "protection",
  resources: [SQL_INSTANCE],
  scope: "prod",
  types: [SQL_INSTANCE],
  validate(r, report) {
    if (isReadReplica(r)) r.notApplicable("read replica: availability belongs to the primary");
    const v = r.get("settings.availabilityType");
    if (!isUnknown(v) && v !== "REGIONAL") report(`settings.availabilityType is ${v === undefined ? "unset (ZONAL)" : String(v)}, not REGIONAL.`);
  },
});

import { isReadReplica, SQL_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";

export default defineResourceRule({
  name: "gcp-sql-instance-require-deletion-protection",
  description: "Production Cloud SQL primaries are protected from deletion three ways: Pulumi `protect`, the provider's deletionProtection and the API's deletionProtectionEnabled.",
  severity: "critical",
  remediationSteps:
    "Keep deletionProtection on in the Postgres component (it sets protect via statefulChildOptions, deletionProtection: true and settings.deletionProtectionEnabled: true).",
  source: 'CONTRIBUTING.md § Components (deletion protection on by default); quickfund.md § Données stockées ("Contrats signés: Critique")',
  domain: "protection",
  resources: [SQL_INSTANCE],
  scope: "prod",
  types: [SQL_INSTANCE],
  validate(r, report) {
    if (isReadReplica(r)) r.notApplicable("read replica: it holds no data of its own");
    if (r.opts.protect !== true) report("the Pulumi protect option is off: `pulumi destroy` or a replace would delete the database.");
    if (r.get("deletionProtection") === false) report("deletionProtection is false.");
    const api = r.get("settings.deletionProtectionEnabled");
    if (api !== true && typeof api !== "symbol") report("settings.deletionProtectionEnabled is not true: the instance can be deleted from the console or API.");
  },
});

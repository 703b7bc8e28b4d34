import { SQL_INSTANCE, sqlEngine } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, plain, prop, str } from "../lib/values";

const LEVELS = ["debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error", "log", "fatal", "panic"];
const atMost = (max: string) => new Set(LEVELS.slice(0, LEVELS.indexOf(max) + 1));

/**
 * The PostgreSQL flags of CIS GCP v3.0 § 6.2 (6.2.1–6.2.8), with the value each accepts and the
 * PostgreSQL default when the flag is not set (undefined: the default fails).
 */
const FLAGS: { name: string; cis: string; ok: Set<string>; dflt?: string; want: string }[] = [
  { name: "log_error_verbosity", cis: "6.2.1", ok: new Set(["default", "verbose"]), dflt: "default", want: "DEFAULT or VERBOSE" },
  { name: "log_connections", cis: "6.2.2", ok: new Set(["on"]), want: "on" },
  { name: "log_disconnections", cis: "6.2.3", ok: new Set(["on"]), want: "on" },
  { name: "log_statement", cis: "6.2.4", ok: new Set(["ddl", "mod", "all"]), want: "ddl (or mod, all)" },
  { name: "log_min_messages", cis: "6.2.5", ok: atMost("warning"), dflt: "warning", want: "WARNING or more verbose" },
  { name: "log_min_error_statement", cis: "6.2.6", ok: atMost("error"), dflt: "error", want: "ERROR or more verbose" },
  { name: "log_min_duration_statement", cis: "6.2.7", ok: new Set(["-1"]), dflt: "-1", want: "-1 (statement text is not logged)" },
  { name: "cloudsql.enable_pgaudit", cis: "6.2.8", ok: new Set(["on"]), want: "on" },
];

export default defineResourceRule({
  name: "gcp-sql-instance-require-audit-flags",
  description:
    "Cloud SQL for PostgreSQL logs what an audit needs (CIS GCP v3.0 § 6.2): connections and disconnections, DDL statements, warnings and error statements, no statement text by duration, and pgaudit enabled.",
  severity: "medium",
  remediationSteps:
    "In settings.databaseFlags set log_connections=on, log_disconnections=on, log_statement=ddl, cloudsql.enable_pgaudit=on, and keep log_error_verbosity (default), log_min_messages (warning), log_min_error_statement (error) and log_min_duration_statement (-1) at their defaults or stricter.",
  source: 'CIS GCP v3.0 6.2.1–6.2.8; CKV_GCP_52, CKV_GCP_53, CKV_GCP_55, CKV_GCP_57, CKV_GCP_109, CKV_GCP_110, CKV_GCP_111; diaspomoney.md § Audit ("Audit Logging - Traçabilité complète")',
  domain: "protection",
  resources: [`${SQL_INSTANCE} (PostgreSQL)`],
  types: [SQL_INSTANCE],
  validate(r, report) {
    const engine = sqlEngine(r);
    if (engine !== "postgres" && engine !== "unknown") r.notApplicable(`${engine} instance: the flags are PostgreSQL's`);
    if (engine === "unknown") return;
    const flags = r.get("settings.databaseFlags");
    if (isUnknown(flags)) return;
    if (flags !== undefined && !Array.isArray(flags)) {
      report("settings.databaseFlags is not a list.");
      return;
    }
    const set = new Map<string, unknown>();
    // A flag computed at deploy time may be any flag: it cannot prove one missing, but known wrong values still fail.
    let someUnknown = false;
    for (const f of list(flags)) {
      const name = isUnknown(f) ? f : prop(f, "name");
      if (isUnknown(name)) {
        someUnknown = true;
        continue;
      }
      if (str(name) === undefined) {
        report(`a database flag has no name (${JSON.stringify(plain(f))}).`);
        continue;
      }
      set.set(str(name)!, prop(f, "value"));
    }
    for (const spec of FLAGS) {
      const raw = set.get(spec.name);
      if (isUnknown(raw) || (raw === undefined && someUnknown)) continue;
      const v = raw === undefined ? spec.dflt : str(raw)?.trim().toLowerCase();
      if (v !== undefined && spec.ok.has(v)) continue;
      const shown = raw === undefined ? "unset" : JSON.stringify(plain(raw));
      report(`database flag ${spec.name} is ${shown}, not ${spec.want} (CIS GCP v3.0 ${spec.cis}).`);
    }
  },
});

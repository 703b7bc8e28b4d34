import type { PolicyResource } from "@pulumi/policy";
import { maxGapHours } from "../lib/cron";
import { BARMAN_CLOUD_PLUGIN, BARMAN_OBJECT_STORE_KIND, CNPG_CLUSTER_KIND, CNPG_SCHEDULED_BACKUP_KIND, namespaceOf } from "../lib/k8s";
import { groupKind } from "../lib/pod-templates";
import { defineStackRule } from "../lib/rule";
import { at, isUnknown, list, num, prop, str, UNKNOWN } from "../lib/values";

/**
 * Barman's recovery window units (`retentionPolicy: "<n><d|w|m>"`, the ObjectStore CRD's pattern):
 * barman reads a month as 31 days (barman/retention_policies.py, RecoveryWindowRetentionPolicy).
 */
const RETENTION_UNIT_DAYS: Record<string, number> = { d: 1, w: 7, m: 31 };

/** `"30d"` → 30, `"4w"` → 28, `"1m"` → 31; undefined for anything barman would refuse. */
export function barmanRetentionDays(policy: string): number | undefined {
  const m = /^([1-9][0-9]*)([dwm])$/.exec(policy.trim());
  return m ? Number(m[1]) * RETENTION_UNIT_DAYS[m[2]] : undefined;
}

/**
 * CloudNativePG parses a ScheduledBackup's schedule with robfig/cron v1's `cron.Parse`: seconds
 * first, day of week optional. Five fields are therefore `s m h dom month` (not a CronJob's
 * `m h dom month dow`): make that explicit before reading the 6-field form.
 */
export function cnpgSchedule(schedule: string): string {
  const t = schedule.trim();
  return !t.startsWith("@") && t.split(/\s+/).length === 5 ? `${t} *` : t;
}

/** Unknown-tolerant equality: a value a preview cannot know never proves a mismatch. */
function mayEqual(a: unknown, b: unknown): boolean {
  return isUnknown(a) || isUnknown(b) || a === b;
}

const BUCKET = "gcp:storage/bucket:Bucket";

/**
 * The Delete lifecycle rules of a bucket that remove live objects under `path` younger than
 * `days`: barman's files (`<path>/<server>/base`, `/wals`) go with them, whatever its window says.
 */
function earlyDeletes(bucket: PolicyResource, path: string, days: number): { index: number; age: unknown }[] {
  const rules = prop(bucket.props, "lifecycleRules");
  if (isUnknown(rules)) return [];
  const out: { index: number; age: unknown }[] = [];
  list(rules).forEach((rule, index) => {
    if (isUnknown(rule) || str(prop(prop(rule, "action"), "type")) !== "Delete") return;
    const cond = prop(rule, "condition");
    const age = prop(cond, "age");
    if (age === undefined || age === null || isUnknown(age)) return;
    // Noncurrent versions only, or another prefix: barman's live files are spared.
    const state = str(prop(cond, "withState"))?.toUpperCase();
    if (state && state !== "LIVE" && state !== "ANY") return;
    const prefixes = list(prop(cond, "matchesPrefixes")).map(str).filter((x): x is string => !!x);
    const dir = path === "" ? "" : `${path.replace(/\/+$/, "")}/`;
    if (prefixes.length > 0 && !prefixes.some((p) => dir.startsWith(p) || p.startsWith(dir))) return;
    const n = num(age);
    if (n === undefined || n < days) out.push({ index, age });
  });
  return out;
}

function ofKind(resources: PolicyResource[], gk: string): PolicyResource[] {
  return resources.filter((r) => groupKind(r.type) === gk);
}

export default defineStackRule({
  name: "k8s-cnpg-cluster-require-backups",
  description:
    "In prod, every CloudNativePG Cluster archives its WAL continuously and takes base backups through the Barman Cloud plugin: a WAL-archiver plugin naming an ObjectStore of its namespace in the stack, whose retentionPolicy keeps at least minBackupRetentionDays (and whose bucket, when in the stack, deletes nothing sooner), and a non-suspended plugin ScheduledBackup at least every maxBackupIntervalHours. WAL archiving is the point-in-time recovery pointInTimeRecoveryRequired asks for; the in-tree spec.backup.barmanObjectStore is refused (its removal is announced for CloudNativePG 1.31).",
  severity: "critical",
  remediationSteps:
    `On the Cluster: spec.plugins [{ name: "${BARMAN_CLOUD_PLUGIN}", isWALArchiver: true, parameters: { barmanObjectName: <ObjectStore> } }] and no spec.backup.barmanObjectStore. An ObjectStore (barmancloud.cnpg.io/v1) of that name in the Cluster's namespace with retentionPolicy "<n>d" of at least minBackupRetentionDays (or no retentionPolicy: nothing is deleted), on a bucket whose Delete lifecycle rules spare its destinationPath for at least that long. A ScheduledBackup with spec.cluster.name = the Cluster, method: plugin, pluginConfiguration.name "${BARMAN_CLOUD_PLUGIN}", not suspended, whose 6-field schedule never leaves more than maxBackupIntervalHours between runs. components/k8s/postgres-cluster does all of it.`,
  source:
    'shareyoursales.md § Architecture Base de Données ("Primary PostgreSQL (Write)"); model/compliance.ts § ComplianceFacts (maxBackupIntervalHours, minBackupRetentionDays, pointInTimeRecoveryRequired); CloudNativePG docs § Release notes 1.30 (#11083: in-tree Barman Cloud support removed in 1.31.0); CloudNativePG docs § WAL archiving (the Barman Cloud plugin, spec.plugins isWALArchiver)',
  domain: "backup",
  resources: ["kubernetes:postgresql.cnpg.io/v1:Cluster", "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", "kubernetes:barmancloud.cnpg.io/v1:ObjectStore", "gcp:storage/bucket:Bucket (an ObjectStore's gs:// destination)"],
  scope: "prod",
  facts: ["maxBackupIntervalHours", "minBackupRetentionDays", "pointInTimeRecoveryRequired"],
  validate(s, report) {
    const { maxBackupIntervalHours: maxHours, minBackupRetentionDays: minDays, pointInTimeRecoveryRequired: pitr } = s.facts;
    const stores = ofKind(s.resources, BARMAN_OBJECT_STORE_KIND);
    const schedules = ofKind(s.resources, CNPG_SCHEDULED_BACKUP_KIND);
    const buckets = new Map<string, PolicyResource>();
    for (const b of s.ofType(BUCKET)) {
      const n = str(prop(b.props, "name"));
      if (n) buckets.set(n, b);
    }
    const why = pitr ? "continuous WAL archiving is the point-in-time recovery the stack requires (pointInTimeRecoveryRequired), and base backups need it to be restorable" : "base backups need the archived WAL to be restorable";
    for (const cluster of ofKind(s.resources, CNPG_CLUSTER_KIND)) {
      const name = at(cluster.props, "metadata.name");
      const ns = namespaceOf(cluster.props, cluster.provider);
      const label = `Cluster ${str(name) ?? cluster.name}`;
      const spec = prop(cluster.props, "spec");
      if (isUnknown(spec)) continue;

      // Deprecated since 1.26; #11083 (1.30.0 release notes) moves its removal to 1.31.0.
      const inTree = at(spec, "backup.barmanObjectStore");
      if (inTree !== undefined && inTree !== null && !isUnknown(inTree)) {
        report(`${label}: spec.backup.barmanObjectStore is the in-tree Barman Cloud support CloudNativePG removes in 1.31.0 (release notes 1.30.0, #11083); archive and back up through the ${BARMAN_CLOUD_PLUGIN} plugin and an ObjectStore instead.`, cluster.urn);
      }

      // Archiving and base backups are judged apart: an unknown or a fault in one never hides the other.
      const checkArchive = (): void => {
        // The WAL archiver: an enabled plugin marked isWALArchiver (at most one, the CRD says).
        const plugins = list(prop(spec, "plugins"));
        if (plugins.some(isUnknown)) return;
        const archivers = plugins.filter((p) => prop(p, "isWALArchiver") === true || isUnknown(prop(p, "isWALArchiver")));
        const archiver = archivers.find((p) => prop(p, "enabled") !== false);
        if (!archiver) {
          const off = archivers.length ? ` (plugin ${String(str(prop(archivers[0], "name")))} is disabled)` : "";
          report(`${label}: no plugin archives its WAL (spec.plugins[].isWALArchiver)${off}: ${why}.`, cluster.urn);
          return;
        }
        const pluginName = prop(archiver, "name");
        if (!isUnknown(pluginName) && pluginName !== BARMAN_CLOUD_PLUGIN) {
          report(`${label}: its WAL archiver is plugin ${JSON.stringify(pluginName)}; the stack's backups are checked through the ${BARMAN_CLOUD_PLUGIN} plugin and its ObjectStore only.`, cluster.urn);
          return;
        }
        const storeName = at(archiver, "parameters.barmanObjectName");
        let store: PolicyResource | undefined | typeof UNKNOWN;
        if (isUnknown(storeName) || isUnknown(pluginName)) store = UNKNOWN;
        else if (typeof storeName !== "string" || storeName === "") {
          report(`${label}: the ${BARMAN_CLOUD_PLUGIN} plugin names no ObjectStore (parameters.barmanObjectName): nothing receives the WAL.`, cluster.urn);
        } else {
          // The plugin reads the ObjectStore in the Cluster's own namespace only.
          const inNs = stores.filter((o) => mayEqual(namespaceOf(o.props, o.provider), ns));
          store = inNs.find((o) => at(o.props, "metadata.name") === storeName) ?? (inNs.some((o) => isUnknown(at(o.props, "metadata.name"))) ? UNKNOWN : undefined);
          if (!store) report(`${label}: its WAL archiver names ObjectStore ${storeName}, which is not in the stack in namespace ${String(isUnknown(ns) ? "(unknown)" : ns)}: nothing receives the WAL.`, cluster.urn);
        }
        if (store && store !== UNKNOWN) {
          const storeLabel = `ObjectStore ${String(at(store.props, "metadata.name"))}`;
          const policy = at(store.props, "spec.retentionPolicy");
          let window = 0;
          // No retentionPolicy: barman deletes nothing, which keeps more than any minimum.
          if (!isUnknown(policy) && policy !== undefined && policy !== null) {
            const days = typeof policy === "string" ? barmanRetentionDays(policy) : undefined;
            if (days === undefined) report(`${storeLabel}: spec.retentionPolicy ${JSON.stringify(policy)} is not barman's <n><d|w|m>.`, store.urn);
            else if (days < minDays) report(`${storeLabel}: spec.retentionPolicy ${policy} keeps ${days} day(s) of base backups and WAL for ${label}; the stack keeps backups at least ${minDays} days (minBackupRetentionDays).`, store.urn);
            window = days ?? 0;
          }
          // Retention is also where files are deleted: the bucket's lifecycle, when the bucket is in this stack.
          const dest = str(at(store.props, "spec.configuration.destinationPath"));
          const gs = dest ? /^gs:\/\/([^/]+)\/?(.*)$/.exec(dest) : null;
          const bucket = gs ? buckets.get(gs[1]) : undefined;
          if (gs && bucket) {
            const keep = Math.max(minDays, window);
            for (const d of earlyDeletes(bucket, gs[2], keep)) {
              const n = num(d.age);
              report(
                n === undefined
                  ? `Bucket ${gs[1]}: lifecycleRules[${d.index}].condition.age ${JSON.stringify(d.age)} is not a number of days.`
                  : `Bucket ${gs[1]}: lifecycleRules[${d.index}] deletes the base backups and WAL of ${label} (${dest}) after ${n} day(s); they must stay ${keep} days (minBackupRetentionDays ${minDays}${window ? `, ${storeLabel}'s recovery window ${window}` : ""}).`,
                bucket.urn,
              );
            }
          }
        }
      };
      checkArchive();

      // Base backups: a ScheduledBackup of this Cluster, through the plugin, often enough.
      const mine = schedules.filter((b) => mayEqual(namespaceOf(b.props, b.provider), ns) && mayEqual(at(b.props, "spec.cluster.name"), name));
      if (mine.length === 0) {
        report(`${label}: no ScheduledBackup (spec.cluster.name ${String(str(name) ?? "?")}) takes its base backups.`, cluster.urn);
        continue;
      }
      const problems: string[] = [];
      const ok = mine.some((b) => {
        const bad: string[] = [];
        const method = at(b.props, "spec.method");
        const plugin = at(b.props, "spec.pluginConfiguration.name");
        const suspend = at(b.props, "spec.suspend");
        const schedule = at(b.props, "spec.schedule");
        if (suspend === true) bad.push("suspended");
        // The CRD's default method is barmanObjectStore, the in-tree support.
        if (!isUnknown(method) && method !== "plugin") bad.push(`method ${method === undefined ? "barmanObjectStore (the default)" : JSON.stringify(method)}, not plugin`);
        else if (!isUnknown(plugin) && plugin !== BARMAN_CLOUD_PLUGIN) bad.push(`pluginConfiguration.name ${JSON.stringify(plugin)}, not ${BARMAN_CLOUD_PLUGIN}`);
        if (!isUnknown(schedule)) {
          const gap = typeof schedule === "string" ? maxGapHours(cnpgSchedule(schedule)) : undefined;
          if (gap === undefined) bad.push(`schedule ${JSON.stringify(schedule)} cannot be read`);
          else if (gap > maxHours) bad.push(`schedule ${schedule} leaves ${gap} h between base backups (max ${maxHours} h)`);
        }
        if (bad.length) problems.push(`ScheduledBackup ${String(str(at(b.props, "metadata.name")) ?? b.name)}: ${bad.join(", ")}`);
        return bad.length === 0;
      });
      if (!ok) report(`${label}: ${problems.join("; ")}.`, cluster.urn);
    }
  },
});

import { BACKUP_TARGET_LABEL, GCS_URL } from "../../model/backup";
import { namespaceOf } from "../lib/k8s";
import { podTemplates, POD_KIND_VERSIONS } from "../lib/pod-templates";
import { defineStackRule } from "../lib/rule";
import { isUnknown, list, num, prop, str } from "../lib/values";

const CRONJOBS = POD_KIND_VERSIONS.CronJob.map((v) => `kubernetes:${v}:CronJob`);
const BUCKET = "gcp:storage/bucket:Bucket";

/** Every string a pod's containers are started with (command, args, env values). */
function podStrings(pod: unknown): string[] {
  const out: string[] = [];
  for (const field of ["containers", "initContainers"]) {
    for (const c of list(prop(pod, field))) {
      for (const f of ["command", "args"]) for (const a of list(prop(c, f))) if (str(a)) out.push(str(a)!);
      for (const e of list(prop(c, "env"))) if (str(prop(e, "value"))) out.push(str(prop(e, "value"))!);
    }
  }
  return out;
}

export default defineStackRule({
  name: "k8s-backup-cronjob-require-bucket-retention",
  description: `A backup CronJob's bucket keeps its dumps at least the stack's minBackupRetentionDays: no Delete lifecycle rule of the bucket it uploads to (gs://<bucket>/…) deletes live dumps younger than that. Retention is checked where the dumps are deleted, not on an annotation of the CronJob.`,
  severity: "high",
  remediationSteps: "Make the bucket's Delete lifecycle rule age (days) at least the stack's minBackupRetentionDays (policies/config/<stack>.json, from the platform's ComplianceFacts), or scope the shorter rule to another prefix than the dumps'.",
  source: 'crm-courtier.md § Backup Strategy ("Dump quotidien", "rétention 4 semaines"); diaspomoney.md § Backup ("MongoDB - Backup quotidien"); model/compliance.ts § ComplianceFacts (minBackupRetentionDays)',
  domain: "backup",
  resources: [`kubernetes:batch/v1:CronJob (labelled ${BACKUP_TARGET_LABEL}, every version)`, BUCKET],
  facts: ["minBackupRetentionDays"],
  validate(s, report) {
    const minDays = s.facts.minBackupRetentionDays;
    const buckets = new Map<string, (typeof s.resources)[number]>();
    for (const b of s.ofType(BUCKET)) {
      const name = str(prop(b.props, "name"));
      if (name) buckets.set(name, b);
    }
    for (const cj of s.ofType(...CRONJOBS)) {
      if (prop(prop(prop(cj.props, "metadata"), "labels"), BACKUP_TARGET_LABEL) === undefined) continue;
      const targets = new Map<string, string>();
      for (const v of podTemplates(cj.type, cj.props))
        for (const text of podStrings(v.pod)) for (const m of text.matchAll(GCS_URL)) targets.set(m[1], (m[2] ?? "/").replace(/^\//, ""));
      for (const [bucketName, path] of targets) {
        // A bucket of another stack is checked by that stack's run.
        const bucket = buckets.get(bucketName);
        if (!bucket) continue;
        const rules = prop(bucket.props, "lifecycleRules");
        if (isUnknown(rules)) continue;
        list(rules).forEach((rule, i) => {
          if (isUnknown(rule)) return;
          const type = str(prop(prop(rule, "action"), "type"));
          if (type !== "Delete") return;
          const cond = prop(rule, "condition");
          const age = prop(cond, "age");
          if (age === undefined || isUnknown(age)) return;
          // Conditions that spare live objects (noncurrent versions only), or another prefix.
          const state = str(prop(cond, "withState"));
          if (state && state.toUpperCase() !== "LIVE" && state.toUpperCase() !== "ANY") return;
          const prefixes = list(prop(cond, "matchesPrefixes")).map(str).filter((x): x is string => !!x);
          if (prefixes.length > 0 && !prefixes.some((p) => path.startsWith(p) || p.startsWith(path.split("$")[0]))) return;
          const n = num(age);
          if (n === undefined) report(`Bucket ${bucketName}: lifecycleRules[${i}].condition.age ${JSON.stringify(age)} is not a number of days.`, bucket.urn);
          else if (n < minDays)
            report(
              `Bucket ${bucketName}: lifecycleRules[${i}] deletes the dumps of CronJob ${cj.name} (namespace ${String(namespaceOf(cj.props))}) after ${n} day(s); the stack keeps backups at least ${minDays} days (minBackupRetentionDays).`,
              bucket.urn,
            );
        });
      }
    }
  },
});

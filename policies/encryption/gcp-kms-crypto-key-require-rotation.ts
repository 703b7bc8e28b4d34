import { describeSeconds, readProtoDuration, DAY_SECONDS } from "../lib/duration";
import { KMS_KEY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { str } from "../lib/values";

const MAX_DAYS = 90;

export default defineResourceRule({
  name: "gcp-kms-crypto-key-require-rotation",
  description: "Symmetric KMS keys rotate automatically at least every 90 days; rotationPeriod is read as the API's duration syntax (\"7776000s\"), and anything else is reported, never guessed.",
  severity: "medium",
  remediationSteps: 'Set rotationPeriod to at most "7776000s" (90 days) on ENCRYPT_DECRYPT keys: a number of seconds with the "s" suffix.',
  source: "CIS GCP v3.0 1.10 (KMS encryption keys are rotated within 90 days); CKV_GCP_43",
  domain: "encryption",
  resources: [KMS_KEY],
  types: [KMS_KEY],
  validate(r, report) {
    const purpose = str(r.get("purpose")) ?? "ENCRYPT_DECRYPT";
    if (purpose !== "ENCRYPT_DECRYPT") r.notApplicable(`purpose ${purpose}: Cloud KMS rotates only symmetric keys automatically`);
    const d = readProtoDuration(r.get("rotationPeriod"));
    if (d.kind === "absent") report("rotationPeriod is not set: the key never rotates.");
    else if (d.kind === "invalid") report(`rotationPeriod ${d.raw} is not a duration the API accepts (seconds with an "s" suffix, e.g. "7776000s").`);
    else if (d.kind === "ok" && d.seconds > MAX_DAYS * DAY_SECONDS) report(`rotationPeriod ${d.raw} (${describeSeconds(d.seconds)}) is longer than ${MAX_DAYS} days.`);
  },
});

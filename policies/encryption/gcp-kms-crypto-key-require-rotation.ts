import { KMS_KEY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { durationSeconds, isUnknown, str } from "../lib/values";

const MAX_DAYS = 90;

export default defineResourceRule({
  name: "gcp-kms-crypto-key-require-rotation",
  description: "Symmetric KMS keys rotate automatically at least every 90 days.",
  severity: "medium",
  remediationSteps: 'Set rotationPeriod to at most "7776000s" (90 days) on ENCRYPT_DECRYPT keys.',
  source: "CIS GCP 1.10; CKV_GCP_43",
  domain: "encryption",
  resources: [KMS_KEY],
  types: [KMS_KEY],
  validate(r, report) {
    const purpose = str(r.get("purpose")) ?? "ENCRYPT_DECRYPT";
    if (purpose !== "ENCRYPT_DECRYPT") r.notApplicable(`purpose ${purpose}: Cloud KMS rotates only symmetric keys automatically`);
    const raw = r.get("rotationPeriod");
    if (isUnknown(raw)) return;
    const seconds = durationSeconds(raw);
    if (seconds === undefined) report("rotationPeriod is not set: the key never rotates.");
    else if (seconds > MAX_DAYS * 86_400) report(`rotationPeriod ${String(raw)} is longer than ${MAX_DAYS} days.`);
  },
});

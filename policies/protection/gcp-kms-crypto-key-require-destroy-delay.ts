import { describeSeconds, readProtoDuration, DAY_SECONDS } from "../lib/duration";
import { KMS_KEY } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";

/** Cloud KMS's own default when destroyScheduledDuration is not set. */
const MIN_DAYS = 30;

export default defineResourceRule({
  name: "gcp-kms-crypto-key-require-destroy-delay",
  description: "KMS key versions wait at least 30 days (the Cloud KMS default) between a destroy request and destruction, so that a mistaken or malicious destroy can be cancelled before the data it encrypts is lost.",
  severity: "high",
  remediationSteps: 'Leave destroyScheduledDuration unset (30 days) or set it to at least "2592000s".',
  source: 'quickfund.md § Sécurité données ("Chiffrement au repos"); Cloud KMS docs § Destroy and restore key versions (scheduled-for-destruction duration, default 30 days)',
  domain: "protection",
  resources: [KMS_KEY],
  types: [KMS_KEY],
  validate(r, report) {
    const d = readProtoDuration(r.get("destroyScheduledDuration"));
    if (d.kind === "invalid") report(`destroyScheduledDuration ${d.raw} is not a duration the API accepts (seconds with an "s" suffix, e.g. "2592000s").`);
    else if (d.kind === "ok" && d.seconds < MIN_DAYS * DAY_SECONDS) report(`destroyScheduledDuration ${d.raw} (${describeSeconds(d.seconds)}) is shorter than ${MIN_DAYS} days: a destroyed key version cannot be restored after it.`);
  },
});

import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

const CHANNELS = new Set(["RAPID", "REGULAR", "STABLE", "EXTENDED"]);

export default defineResourceRule({
  name: "gcp-gke-cluster-require-release-channel",
  description: "GKE clusters are enrolled in a release channel, so that control plane and nodes receive security patches.",
  severity: "medium",
  remediationSteps: 'Set releaseChannel: { channel: "REGULAR" } (or STABLE for prod).',
  source: "CIS GKE v1.8 5.5.4 (a release channel is used); CKV_GCP_70",
  domain: "protection",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const v = r.get("releaseChannel.channel");
    if (!isUnknown(v) && !CHANNELS.has(v as string)) report(`releaseChannel.channel is ${v === undefined ? "unset" : String(v)}.`);
  },
});

import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isSet, isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-require-secrets-encryption",
  description: "GKE encrypts Kubernetes Secrets in etcd with a KMS key (application-layer secrets encryption).",
  severity: "high",
  remediationSteps: "Set databaseEncryption: { state: ENCRYPTED, keyName: <KMS key in the cluster's region> } and grant the GKE service agent encrypter/decrypter on the key.",
  source: "CIS GKE v1.8 5.3.1 (Kubernetes Secrets are encrypted using keys managed in Cloud KMS)",
  domain: "encryption",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const state = r.get("databaseEncryption.state");
    if (isUnknown(state)) return;
    if (state !== "ENCRYPTED") report(`databaseEncryption.state is ${state === undefined ? "unset (DECRYPTED)" : String(state)}, not ENCRYPTED.`);
    else if (!isSet(r.get("databaseEncryption.keyName"))) report("databaseEncryption.keyName is not set.");
  },
});

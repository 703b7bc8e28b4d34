import { MEMORYSTORE_INSTANCE, REDIS_CLUSTER_GCP, REDIS_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

const REQUIRED: Record<string, string> = {
  [REDIS_INSTANCE]: "SERVER_AUTHENTICATION",
  [REDIS_CLUSTER_GCP]: "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
  [MEMORYSTORE_INSTANCE]: "SERVER_AUTHENTICATION",
};

export default defineResourceRule({
  name: "gcp-redis-instance-require-transit-encryption",
  description: "Memorystore encrypts client connections in transit (TLS).",
  severity: "high",
  remediationSteps: "Set transitEncryptionMode: SERVER_AUTHENTICATION (Redis Cluster: TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION) and distribute the server CA to clients.",
  source: 'diaspomoney.md § Sécurité ("TLS 1.3 - Transport"); CKV_GCP_97',
  domain: "encryption",
  resources: Object.keys(REQUIRED),
  types: Object.keys(REQUIRED),
  validate(r, report) {
    const mode = r.get("transitEncryptionMode");
    if (!isUnknown(mode) && mode !== REQUIRED[r.type]) report(`transitEncryptionMode is ${mode === undefined ? "unset (DISABLED)" : String(mode)}, not ${REQUIRED[r.type]}.`);
  },
});

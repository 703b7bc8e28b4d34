import { MEMORYSTORE_INSTANCE, REDIS_CLUSTER_GCP, REDIS_INSTANCE } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "gcp-redis-instance-require-auth",
  description: "Memorystore requires clients to authenticate (AUTH string or IAM).",
  severity: "high",
  remediationSteps: "Memorystore for Redis: authEnabled: true. Redis Cluster: authorizationMode: AUTH_MODE_IAM_AUTH. Memorystore instance: authorizationMode: IAM_AUTH.",
  source: "CKV_GCP_95; diaspomoney.md § Security Layer",
  domain: "isolation",
  resources: [REDIS_INSTANCE, REDIS_CLUSTER_GCP, MEMORYSTORE_INSTANCE],
  types: [REDIS_INSTANCE, REDIS_CLUSTER_GCP, MEMORYSTORE_INSTANCE],
  validate(r, report) {
    if (r.type === REDIS_INSTANCE) {
      const v = r.get("authEnabled");
      if (!isUnknown(v) && v !== true) report("authEnabled is not true: any client on the network can use the instance.");
      return;
    }
    const want = r.type === REDIS_CLUSTER_GCP ? "AUTH_MODE_IAM_AUTH" : "IAM_AUTH";
    const v = r.get("authorizationMode");
    if (!isUnknown(v) && v !== want) report(`authorizationMode is ${v === undefined ? "unset (disabled)" : String(v)}, not ${want}.`);
  },
});

/**
 * DiaspoMoney's usage profile per env. diaspomoney.md states performance targets (§ Métriques Application:
 * "Throughput > 1000 req/s", "Response Time < 200ms (95th percentile)"), which size capacity, not
 * monthly traffic: they are not used as usage. Its workloads run in the shared GKE cluster (priced by
 * node pool in diaspomoney-shared and by pod requests in the env stacks), so the usage-driven items
 * left are backup storage, NAT, egress and logs.
 */
import { assumed, type UsageProfile } from "../../model/cost/usage";
import type { StackEnv } from "../../model/envs";

const DEV_LIKE = "dev and rct hold test data only";

export function diaspomoneyUsage(env: StackEnv): UsageProfile {
  const prod = env === "prod";
  const shared = env === "shared";
  return {
    platform: "diaspomoney",
    env,
    storedGb: {
      // Bucket label `purpose: backup`: nightly MongoDB dumps kept backupRetentionDays (7 in dev/rct, 30 in prod, stacks/diaspomoney.ts).
      backup: prod
        ? assumed(150, "30 nightly dumps × ~5 GB compressed (a 100 Gi data volume about a fifth full, dumps ~25% of data size)")
        : assumed(7, `${DEV_LIKE}: 7 nightly dumps × ~1 GB`),
      "*": assumed(1, "any other bucket: a small working set"),
    },
    cloudRunRequests: assumed(0, "no Cloud Run service: the apps run in the shared GKE cluster"),
    cloudRunRequestSeconds: assumed(0, "no Cloud Run service"),
    internetEgressGb: prod ? assumed(100, "transfer app API and web traffic through Traefik; diaspomoney.md gives no volume") : assumed(5, DEV_LIKE),
    cdnHitRatio: assumed(0, "no Cloud CDN"),
    natDataGb: shared ? assumed(50, "the cluster's nodes pull images and call payment partners through NAT for all three envs") : assumed(0, "NAT is in diaspomoney-shared"),
    logIngestGib: shared ? assumed(60, "GKE system and workload logs of the three envs (Kafka, MongoDB, Redis, apps) land in the cluster's project") : assumed(2, "the env project logs only its bucket and KMS audit entries"),
    secretAccesses: assumed(0, "no Secret Manager secret: credentials are Kubernetes Secrets"),
  };
}

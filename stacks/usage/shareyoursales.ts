/**
 * ShareYourSales' usage profile per env. shareyoursales.md states no traffic or data volumes (its
 * figures are code-level: "MAX_FILE_SIZE = 5MB", "@limiter.limit("5/minute")", cache TTLs), so every
 * figure here is an assumption, sized for a marketplace at launch. Its workloads run in the shared
 * GKE cluster (priced by node pool in shareyoursales-shared and by pod requests in the env stacks).
 */
import { assumed, type UsageProfile } from "../../model/cost/usage";
import type { StackEnv } from "../../model/envs";

const TEST = "dev and rct hold test data only";

export function shareyoursalesUsage(env: StackEnv): UsageProfile {
  const prod = env === "prod";
  const shared = env === "shared";
  return {
    platform: "shareyoursales",
    env,
    storedGb: {
      // Bucket label `purpose: backup`: PostgreSQL base backups and WAL kept backupRetentionDays (stacks/shareyoursales.ts).
      backup: prod
        ? assumed(120, "a 50 Gi database about a fifth full: 30 daily compressed base backups (~2 GB) plus WAL (~2 GB a day)")
        : assumed(10, `${TEST}: 7 days of small base backups and WAL`),
      // Bucket label `purpose: media`: "Images, Videos, Documents, Exports" (§ Architecture Base de Données).
      media: prod ? assumed(200, "product images (≤ 5 MB each, § Sécurité), videos, documents and exports after a first year") : assumed(5, TEST),
      "*": assumed(1, "any other bucket: a small working set"),
    },
    cloudRunRequests: assumed(0, "no Cloud Run service: the services run in the shared GKE cluster"),
    cloudRunRequestSeconds: assumed(0, "no Cloud Run service"),
    internetEgressGb: prod ? assumed(150, "API and frontend traffic through Traefik; product images leave through the CDN") : assumed(5, TEST),
    cdnHitRatio: assumed(0.9, "product images are immutable once uploaded: most requests are cache hits"),
    natDataGb: shared ? assumed(50, "image pulls, ClamAV signature updates and payment/social APIs through NAT for the three envs") : assumed(0, "NAT is in shareyoursales-shared"),
    logIngestGib: shared ? assumed(60, "GKE system and workload logs of the three envs land in the cluster's project") : assumed(2, "the env project logs only its buckets' and keys' audit entries"),
    secretAccesses: assumed(0, "no Secret Manager secret: credentials are Kubernetes Secrets"),
    // The product images' CDN (stacks/shareyoursales.ts media.cdnHost).
    cdnBucketEgressGb: prod ? assumed(300, "1.5 million product image views a month × ~200 KB (resized images, the 5 MB upload limit is for originals)") : assumed(2, TEST),
    cdnBucketRequests: prod ? assumed(1_500_000, "1.5 million product image views a month") : assumed(10_000, TEST),
  };
}

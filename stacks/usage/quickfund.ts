/**
 * Quickfund's usage profile per env. quickfund.md gives no traffic or volume figures (its figures are
 * the ~€1,500/month GCP bill and backups "tous les 2 jours"), so every figure here is an assumption,
 * sized for a small lending platform run by its founder (quickfund.md § Vue d'ensemble: "Équipe dev:
 * Fondateur uniquement"): a few thousand active users in prod, the team alone in dev and rct.
 */
import { assumed, type UsageProfile } from "../../model/cost/usage";
import type { StackEnv } from "../../model/envs";

const QUIET = "dev and rct are used by the founder and testers only: a tenth of prod or less";

export function quickfundUsage(env: StackEnv): UsageProfile {
  const prod = env === "prod";
  return {
    platform: "quickfund",
    env,
    storedGb: {
      // Bucket label `data: kyc-contracts` (stacks/quickfund.ts): KYC documents and signed contracts.
      "kyc-contracts": prod
        ? assumed(50, "~5,000 borrowers × ~10 MB of KYC scans and contracts each; quickfund.md § Base de données / Données stockées rates the volume of uploaded documents \"Élevé\" and of signed contracts \"Moyen\" but gives no figure")
        : assumed(2, `${QUIET}; test documents only`),
      "*": assumed(1, "any other bucket: a small working set"),
    },
    cloudRunRequests: prod ? assumed(3_000_000, "~1.2 requests/s on average over the month (API + frontend), a small consumer-credit site") : assumed(100_000, QUIET),
    cloudRunRequestSeconds: assumed(0.2, "200 ms, the p95 response-time target diaspomoney.md § Métriques Application sets (quickfund.md sets none), used as a mean to stay on the high side"),
    internetEgressGb: prod ? assumed(60, "3M requests × ~20 KB mean response (API JSON and cached frontend assets)") : assumed(2, QUIET),
    cdnHitRatio: assumed(0.5, "half the bytes are static frontend assets the CDN serves from cache"),
    natDataGb: prod ? assumed(5, "outbound calls to Stripe and Twilio (quickfund.md § Services tiers), small JSON payloads") : assumed(1, QUIET),
    logIngestGib: prod ? assumed(20, "Cloud Run request logs + Cloud SQL pgaudit DDL logs + LB logs at sample rate 1") : assumed(3, QUIET),
    secretAccesses: prod ? assumed(20_000, "secrets read at each instance start: ~300 starts/day × 2 services × 3 secrets, rounded up") : assumed(2_000, QUIET),
  };
}

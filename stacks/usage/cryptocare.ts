/**
 * CryptoCare's usage profile per env and phase. The document states users and consultations per
 * phase (§ 1.2: 1,000 / 5,000 / 20,000 / 50,000 active users; 4,000 / 20,000 / 80,000 / 200,000
 * consultations a month) and ~5 GB of new data a month at MVP (§ 1.1); the request volumes derived
 * from them are assumptions, each saying how.
 */
import { assumed, sourced, type UsageProfile } from "../../model/cost/usage";
import { ENV_TRAITS, type StackEnv } from "../../model/envs";
import { CRYPTOCARE_PHASES, type CryptocarePhase } from "../cryptocare";

const CONSULTATIONS: Readonly<Record<CryptocarePhase, number>> = { mvp: 4000, p1: 20000, p2: 80000, p3: 200000 };
const TEST = "dev and rct hold test data and the team's traffic only";

export function cryptocareUsage(env: StackEnv, phase: CryptocarePhase, platform = "cryptocare"): UsageProfile {
  const prod = ENV_TRAITS[env].prodLike;
  const users = CRYPTOCARE_PHASES[phase].users;
  const consultations = CONSULTATIONS[phase];
  const usersSource = `cryptocare.md § 1.2 (${phase}: ${users.toLocaleString("en")} active users, ${consultations.toLocaleString("en")} consultations a month)`;
  // ~100 API calls per active user a month (searches, availabilities, bookings), plus ~20 per consultation (payment, Zoom link, webhooks).
  const requests = users * 100 + consultations * 20;
  return {
    platform,
    env,
    storedGb: { frontend: assumed(1, "the React build and its previous versions (30 days of noncurrent versions)"), "*": assumed(1, "any other bucket: a small working set") },
    cloudRunRequests: prod ? assumed(requests, `${usersSource}: ~100 API calls per user and ~20 per consultation a month`) : assumed(50_000, TEST),
    cloudRunRequestSeconds: assumed(0.25, 'mean billed time of a request, half the "Temps de réponse de l\'API: < 500ms (95ème percentile)" target (cryptocare.md § 1.3)'),
    internetEgressGb: prod ? assumed(Math.ceil(requests * 0.02 / 1000), "~20 KB per API response") : assumed(1, TEST),
    cdnHitRatio: assumed(0.9, "the frontend is a static build served by Cloud CDN; only the first request of each asset version reaches the bucket"),
    cdnBucketEgressGb: prod ? assumed(Math.ceil(users * 0.005), "~5 MB of frontend assets per active user a month (versioned assets cached in the browser for a week, § 5.1)") : assumed(1, TEST),
    cdnBucketRequests: prod ? assumed(users * 200, "~200 asset requests per active user a month (a versioned build cached in the browser for a week, § 5.1)") : assumed(10_000, TEST),
    natDataGb: prod ? assumed(Math.ceil(consultations / 1000), "calls to Zoom and Swiss Bitcoin Pay: a few KB per consultation, rounded up") : assumed(1, TEST),
    logIngestGib: prod ? sourced(Math.max(5, Math.ceil(users / 1000)), 'cryptocare.md § 1.1 "Volume de données: ~5 GB/mois" at MVP, growing with users') : assumed(2, TEST),
    secretAccesses: prod ? assumed(10_000, "secrets read at each instance start of the API and the three workers") : assumed(1_000, TEST),
  };
}

/**
 * CRM Courtier's usage profile, ready for its stacks (not built yet): the one platform document that
 * states volumes. Figures are for the 20 firms the document sizes the platform for; dev and rct hold
 * test data. Its buckets are expected to carry `purpose: audio` and `purpose: documents` labels.
 */
import { assumed, sourced, type UsageProfile } from "../../model/cost/usage";
import type { StackEnv } from "../../model/envs";

const FILES = 'crm-courtier.md § Métriques Clés du Projet / Base de Données (20 cabinets): "Fichiers : 80 GB audio + 60 GB documents par an"';
const SCALE = 'crm-courtier.md § Cas d\'Usage / Pour un Expert Infrastructure: "10-20 cabinets (400 users, 4000 enregistrements audio/mois)"';
const TEST = "dev and rct hold test data only";

export function crmCourtierUsage(env: StackEnv): UsageProfile {
  const prod = env === "prod";
  return {
    platform: "crm-courtier",
    env,
    storedGb: prod
      ? { audio: sourced(80, `one year of recordings: ${FILES}`), documents: sourced(60, `one year of documents: ${FILES}`), "*": assumed(1, "any other bucket: a small working set") }
      : { audio: assumed(2, TEST), documents: assumed(2, TEST), "*": assumed(1, TEST) },
    cloudRunRequests: prod ? assumed(2_000_000, `400 users (${SCALE}) × ~250 API calls a working day × 20 days`) : assumed(50_000, TEST),
    cloudRunRequestSeconds: assumed(0.3, 'mean billed time of a request, under the "Latence API : p95 < 500ms" target (crm-courtier.md § Métriques Clés du Projet / Performance)'),
    internetEgressGb: prod ? assumed(40, "CRM pages and API responses for 400 users, plus documents downloaded: ~10% of the 60 GB a year each month") : assumed(1, TEST),
    cdnHitRatio: assumed(0, "no CDN in the document's design (a documents CDN is a Phase 4 to-do: § Roadmap Scaling)"),
    natDataGb: prod ? assumed(27, `audio sent to the transcription API: 80 GB a year / 12 = 6.7 GB a month (${FILES}), ×4 for request overhead and retries`) : assumed(1, TEST),
    logIngestGib: prod ? assumed(15, "API request logs and the audit_logs trail the document requires (§ Conformité RGPD)") : assumed(2, TEST),
    secretAccesses: prod ? assumed(20_000, "secrets read at each instance start and per transcription job (4,000 a month)") : assumed(1_000, TEST),
  };
}

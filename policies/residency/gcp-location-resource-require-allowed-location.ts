import {
  BUCKET,
  CLOUD_RUN,
  CLOUD_RUN_V2,
  GKE_CLUSTER,
  GKE_NODE_POOL,
  KMS_KEY_RING,
  MEMORYSTORE_INSTANCE,
  REDIS_CLUSTER_GCP,
  REDIS_INSTANCE,
  SQL_INSTANCE,
} from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

/** Where each located type keeps its location, and whether the provider's region is the default. */
const LOCATION: Record<string, { paths: string[]; providerDefault: "region" | "zone" | "none" }> = {
  [SQL_INSTANCE]: { paths: ["region"], providerDefault: "region" },
  [BUCKET]: { paths: ["location"], providerDefault: "none" },
  [REDIS_INSTANCE]: { paths: ["region", "locationId"], providerDefault: "region" },
  [REDIS_CLUSTER_GCP]: { paths: ["region"], providerDefault: "region" },
  [MEMORYSTORE_INSTANCE]: { paths: ["location"], providerDefault: "none" },
  [GKE_CLUSTER]: { paths: ["location"], providerDefault: "zone" },
  [GKE_NODE_POOL]: { paths: ["location"], providerDefault: "zone" },
  [KMS_KEY_RING]: { paths: ["location"], providerDefault: "none" },
  [CLOUD_RUN_V2]: { paths: ["location"], providerDefault: "region" },
  [CLOUD_RUN]: { paths: ["location"], providerDefault: "region" },
  "gcp:artifactregistry/repository:Repository": { paths: ["location"], providerDefault: "region" },
  "gcp:compute/instance:Instance": { paths: ["zone"], providerDefault: "zone" },
  "gcp:compute/disk:Disk": { paths: ["zone"], providerDefault: "zone" },
};

/** Multi-region spellings that mean "the EU multi-region" (KMS `europe`, GCS dual-region EUR4 = Finland + Netherlands). */
const EU_ALIASES = new Set(["europe", "eur4"]);

/** `europe-west6-a` is in `europe-west6`; `EU` (or KMS `europe`) matches only an allowed `EU`. */
export function locationAllowed(location: string, allowed: string[]): boolean {
  const raw = location.toLowerCase();
  const l = EU_ALIASES.has(raw) ? "eu" : raw;
  return allowed.some((a) => {
    const x = a.toLowerCase();
    return l === x || l.startsWith(`${x}-`);
  });
}

export default defineResourceRule({
  name: "gcp-location-resource-require-allowed-location",
  description: "Every located resource (Cloud SQL, buckets, Redis, GKE, KMS key rings, Cloud Run, Artifact Registry, VMs) lives in the stack's allowed locations.",
  severity: "critical",
  remediationSteps: "Set the resource's region/location explicitly to one of the stack's allowedLocations (policies/config/<stack>.json, generated from the platform's ComplianceFacts).",
  source:
    'cryptocare.md § 4.1.1 ("Région: Zurich, Suisse") and § 7.2 ("Suisse: LPD, Hébergement en Suisse"; "Allemagne: Instance dédiée (Phase 2)"); quickfund.md § Hébergement ("Région: Europe"; "Conformité RGPD: Données en Europe")',
  domain: "residency",
  resources: Object.keys(LOCATION),
  facts: ["allowedLocations"],
  types: Object.keys(LOCATION),
  validate(r, report) {
    const spec = LOCATION[r.type];
    const allowed = r.facts.allowedLocations;
    let any = false;
    for (const path of spec.paths) {
      const v = r.get(path);
      if (isUnknown(v)) return;
      const loc = str(v);
      if (!loc) continue;
      any = true;
      if (!locationAllowed(loc, allowed)) report(`${path} ${loc} is outside the allowed locations (${allowed.join(", ")}).`);
    }
    if (r.type === BUCKET) {
      for (const d of list(r.get("customPlacementConfig.dataLocations"))) {
        const loc = str(d);
        if (loc && !locationAllowed(loc, allowed)) report(`customPlacementConfig.dataLocations ${loc} is outside the allowed locations.`);
      }
    }
    if (any) return;
    if (spec.providerDefault !== "none" && r.provider) {
      const pv = prop(r.provider.props, spec.providerDefault);
      const fallback = prop(r.provider.props, "region");
      const loc = str(pv) ?? str(fallback);
      if (isUnknown(pv) || isUnknown(fallback)) return;
      if (loc) {
        if (!locationAllowed(loc, allowed)) report(`no location set: the provider's ${loc} is outside the allowed locations (${allowed.join(", ")}).`);
        return;
      }
    }
    report(`no ${spec.paths[0]} set and no provider region: the location is Google's default, not one of ${allowed.join(", ")}.`);
  },
});

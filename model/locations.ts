/**
 * Where data may live. docs/platforms/quickfund.md § Sécurité: "Conformité RGPD | Données en
 * Europe"; § Hébergement: "Région | Europe". Components default their allowed locations to these
 * lists; policies and stacks read the same ones.
 *
 * London (europe-west2) and Zurich (europe-west6) are in Europe but not in the EU: a platform that
 * needs them (CryptoCare, docs/platforms/cryptocare.md § 7.2: "Suisse | LPD | Hébergement en Suisse")
 * passes them explicitly through a component's `allowedLocations` / `allowedRegions`.
 */

/** Google Cloud regions whose data stays inside the European Union. */
export const EU_REGIONS: readonly string[] = Object.freeze([
  "europe-central2", // Warsaw
  "europe-north1", // Hamina, Finland
  "europe-north2", // Stockholm
  "europe-southwest1", // Madrid
  "europe-west1", // St. Ghislain, Belgium
  "europe-west3", // Frankfurt
  "europe-west4", // Eemshaven, Netherlands
  "europe-west8", // Milan
  "europe-west9", // Paris
  "europe-west10", // Berlin
  "europe-west12", // Turin
]);

/** Cloud Storage locations inside the EU: the EU multi-region, the EUR4 dual-region (Finland + Netherlands) and the EU regions, upper-case as Cloud Storage reports them. */
export const EU_BUCKET_LOCATIONS: readonly string[] = Object.freeze(["EU", "EUR4", ...EU_REGIONS.map((r) => r.toUpperCase())]);

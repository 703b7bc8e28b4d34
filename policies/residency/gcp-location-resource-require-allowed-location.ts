import {
  ARTIFACT_REPOSITORY,
  BUCKET,
  CLOUD_RUN,
  CLOUD_RUN_V2,
  CLOUD_RUN_V2_JOB,
  CLOUD_RUN_V2_WORKER_POOL,
  GKE_CLUSTER,
  GKE_NODE_POOL,
  HIERARCHY_LOG_BUCKET_TYPES,
  KMS_KEY_RING,
  LOG_BUCKET,
  LOG_SINK,
  MEMORYSTORE_INSTANCE,
  PUBSUB_TOPIC,
  REDIS_CLUSTER_GCP,
  REDIS_INSTANCE,
  REGION_NEG,
  REGIONAL_SECRET,
  SECRET,
  SQL_INSTANCE,
} from "../lib/gcp";
import { defineResourceRule, type ResourceContext } from "../lib/rule";
import { isSet, isUnknown, list, plain, prop, str } from "../lib/values";

/** Where each located type keeps its location, and whether the provider's region is the default. */
/**
 * Where each located type keeps its data: the paths naming its location and the provider default
 * that applies when they are unset, or, for a type whose location is a policy rather than a field
 * (a secret's replication, a topic's message storage, a sink's destination), its own check.
 */
const LOCATION: Record<string, { paths: string[]; providerDefault: "region" | "zone" | "none"; check?: LocationCheck }> = {
  [SQL_INSTANCE]: { paths: ["region"], providerDefault: "region" },
  [BUCKET]: { paths: ["location"], providerDefault: "none" },
  // A STANDARD_HA instance keeps its replica in alternativeLocationId: both zones hold the data.
  [REDIS_INSTANCE]: { paths: ["region", "locationId", "alternativeLocationId"], providerDefault: "region" },
  [REDIS_CLUSTER_GCP]: { paths: ["region"], providerDefault: "region" },
  [MEMORYSTORE_INSTANCE]: { paths: ["location"], providerDefault: "none" },
  [GKE_CLUSTER]: { paths: ["location"], providerDefault: "zone" },
  [GKE_NODE_POOL]: { paths: ["location"], providerDefault: "zone" },
  [KMS_KEY_RING]: { paths: ["location"], providerDefault: "none" },
  [CLOUD_RUN_V2]: { paths: ["location"], providerDefault: "region" },
  [CLOUD_RUN]: { paths: ["location"], providerDefault: "region" },
  [CLOUD_RUN_V2_JOB]: { paths: ["location"], providerDefault: "region" },
  [CLOUD_RUN_V2_WORKER_POOL]: { paths: ["location"], providerDefault: "region" },
  "gcp:cloudfunctionsv2/function:Function": { paths: ["location"], providerDefault: "region" },
  [ARTIFACT_REPOSITORY]: { paths: ["location"], providerDefault: "region" },
  // Requests reach a serverless backend in the NEG's region, whatever the global load balancer in front.
  [REGION_NEG]: { paths: ["region"], providerDefault: "region" },
  // Where the stack's logs (request logs, audit logs, application logs) are stored.
  [LOG_BUCKET]: { paths: ["location"], providerDefault: "none" },
  ...Object.fromEntries(HIERARCHY_LOG_BUCKET_TYPES.map((t) => [t, { paths: ["location"], providerDefault: "none" as const }])),
  "gcp:bigquery/dataset:Dataset": { paths: ["location"], providerDefault: "none" },
  "gcp:cloudtasks/queue:Queue": { paths: ["location"], providerDefault: "none" },
  "gcp:cloudscheduler/job:Job": { paths: ["region"], providerDefault: "region" },
  "gcp:memcache/instance:Instance": { paths: ["region"], providerDefault: "region" },
  "gcp:compute/regionDisk:RegionDisk": { paths: ["region"], providerDefault: "region" },
  // The network path: traffic (and the data in it) crosses the region of the subnet, NAT and connector.
  "gcp:compute/subnetwork:Subnetwork": { paths: ["region"], providerDefault: "region" },
  "gcp:compute/router:Router": { paths: ["region"], providerDefault: "region" },
  "gcp:compute/routerNat:RouterNat": { paths: ["region"], providerDefault: "region" },
  "gcp:vpcaccess/connector:Connector": { paths: ["region"], providerDefault: "region" },
  "gcp:compute/instance:Instance": { paths: ["zone"], providerDefault: "zone" },
  "gcp:compute/disk:Disk": { paths: ["zone"], providerDefault: "zone" },
  [REGIONAL_SECRET]: { paths: ["location"], providerDefault: "none" },
  // Where a secret's payload lives is its replication policy.
  [SECRET]: { paths: [], providerDefault: "none", check: checkSecretReplication },
  // A topic is global; where its messages persist is its messageStoragePolicy.
  [PUBSUB_TOPIC]: { paths: [], providerDefault: "none", check: checkTopicStorage },
  // A sink has no location; a log bucket it routes to names one in its destination.
  [LOG_SINK]: { paths: [], providerDefault: "none", check: checkSinkDestination },
};

type LocationCheck = (r: ResourceContext, allowed: string[], report: (m: string) => void) => void;

/** Cloud SQL keeps backups in the multi-region nearest the instance when backupConfiguration.location is unset. */
function defaultBackupMultiRegion(region: string): string | undefined {
  const r = region.toLowerCase();
  if (r.startsWith("europe-")) return "eu";
  if (r.startsWith("us-") || r.startsWith("northamerica-")) return "us";
  if (r.startsWith("asia-") || r.startsWith("australia-")) return "asia";
  return undefined;
}

/** Secret Manager: automatic replication is global; user-managed replicas each have a location. */
function checkSecretReplication(r: ResourceContext, allowed: string[], report: (m: string) => void) {
  const replication = r.get("replication");
  if (isUnknown(replication)) return;
  const auto = prop(replication, "auto") ?? prop(replication, "automatic");
  if (auto !== undefined && auto !== false && auto !== null) {
    report(`replication is automatic: Secret Manager replicates the payload to any Google region, not only ${allowed.join(", ")}.`);
    return;
  }
  const replicas = prop(prop(replication, "userManaged"), "replicas");
  if (isUnknown(replicas)) return;
  const list_ = list(replicas);
  if (list_.length === 0) {
    report("replication has no user-managed replicas: the payload location is not pinned to the allowed locations.");
    return;
  }
  for (const rep of list_) {
    const loc = prop(rep, "location");
    if (isUnknown(rep) || isUnknown(loc)) continue;
    const l = str(loc);
    if (!l) report("a user-managed replica has no location.");
    else if (!locationAllowed(l, allowed)) report(`replica location ${l} is outside the allowed locations (${allowed.join(", ")}).`);
  }
}

/**
 * Pub/Sub: without messageStoragePolicy, a message is stored in the Google Cloud region nearest the
 * publisher, anywhere in the world (only an organization's resource-location constraint narrows it);
 * with one, it is stored only in allowedPersistenceRegions. Only a stack that allows `global` can
 * leave it unset.
 */
function checkTopicStorage(r: ResourceContext, allowed: string[], report: (m: string) => void) {
  const regions = r.get("messageStoragePolicy.allowedPersistenceRegions");
  if (isUnknown(regions)) return;
  const given = list(regions);
  if (given.length === 0) {
    if (locationAllowed("global", allowed)) return;
    report(`no messageStoragePolicy.allowedPersistenceRegions: Pub/Sub stores messages in the region nearest each publisher, not only ${allowed.join(", ")}; list allowed regions there.`);
    return;
  }
  for (const v of given) {
    if (isUnknown(v)) continue;
    const l = str(v);
    if (!l) report(`messageStoragePolicy.allowedPersistenceRegions holds ${JSON.stringify(plain(v))}, not a region.`);
    else if (!locationAllowed(l, allowed)) report(`messageStoragePolicy.allowedPersistenceRegions ${l} is outside the allowed locations (${allowed.join(", ")}).`);
  }
}

/** `logging.googleapis.com/projects/<p>/locations/<l>/buckets/<b>`: the log bucket's location, or undefined for another destination. */
export function logBucketLocationOf(destination: string): string | undefined {
  return /^(?:https:\/\/)?logging\.googleapis\.com\/(?:projects|folders|organizations|billingAccounts)\/[^/]+\/locations\/([^/]+)\/buckets\//.exec(destination)?.[1];
}

/** A log sink into a log bucket stores the logs in that bucket's location (other destinations are judged as their own resources). */
function checkSinkDestination(r: ResourceContext, allowed: string[], report: (m: string) => void) {
  const d = str(r.get("destination"));
  const loc = d ? logBucketLocationOf(d) : undefined;
  if (loc && !locationAllowed(loc, allowed)) report(`destination ${d} stores the logs in ${loc}, outside the allowed locations (${allowed.join(", ")}).`);
}

/** Cloud SQL: backups (settings.backupConfiguration.location) stay in the allowed locations too. */
function checkSqlBackupLocation(r: ResourceContext, allowed: string[], report: (m: string) => void) {
  if (r.get("settings.backupConfiguration.enabled") === false && !isSet(r.get("settings.backupConfiguration.location"))) return;
  const loc = r.get("settings.backupConfiguration.location");
  if (isUnknown(loc)) return;
  const l = str(loc);
  if (l) {
    if (!locationAllowed(l, allowed)) report(`settings.backupConfiguration.location ${l} is outside the allowed locations (${allowed.join(", ")}).`);
    return;
  }
  if (loc !== undefined) {
    report(`settings.backupConfiguration.location ${JSON.stringify(plain(loc))} is not a location.`);
    return;
  }
  const own = r.get("region");
  const region = own === undefined && r.provider ? prop(r.provider.props, "region") : own;
  if (isUnknown(region)) return;
  const multi = str(region) ? defaultBackupMultiRegion(str(region)!) : undefined;
  if (!multi || !locationAllowed(multi, allowed)) {
    report(`settings.backupConfiguration.location is unset: Cloud SQL stores backups in the multi-region nearest the instance (${multi?.toUpperCase() ?? "unknown"}), outside the allowed locations (${allowed.join(", ")}); set it to an allowed region.`);
  }
}

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
  description:
    "Every located resource (Cloud SQL and its backups, buckets, Redis and its replica zone, GKE, KMS key rings, Cloud Run services, jobs and worker pools, serverless NEGs, Artifact Registry, log buckets and the log buckets sinks route to, Pub/Sub message storage, BigQuery, Cloud Tasks, subnets, NAT, VMs, Secret Manager replicas) lives in the stack's allowed locations; automatic (global) secret replication and a topic without a message storage policy do not.",
  severity: "critical",
  remediationSteps:
    "Set the resource's region/location explicitly to one of the stack's allowedLocations (policies/config/<stack>.json, generated from the platform's ComplianceFacts); Cloud SQL: also settings.backupConfiguration.location; Secret Manager: replication.userManaged.replicas in allowed locations (never automatic); Pub/Sub topics: messageStoragePolicy.allowedPersistenceRegions; log sinks: a log bucket in an allowed location.",
  source:
    'cryptocare.md § 4.1.1 ("Région: Zurich, Suisse") and § 7.2 ("Suisse: LPD, Hébergement en Suisse"; "Allemagne: Instance dédiée (Phase 2)"); quickfund.md § Hébergement ("Région: Europe"; "Conformité RGPD: Données en Europe"); Pub/Sub docs § Restrict Pub/Sub resource locations (without a message storage policy, a message is stored in the region nearest its publisher); Cloud Logging docs § Regionalize your project\'s logs using log buckets',
  domain: "residency",
  resources: Object.keys(LOCATION),
  facts: ["allowedLocations"],
  types: Object.keys(LOCATION),
  validate(r, report) {
    const spec = LOCATION[r.type];
    const allowed = r.facts.allowedLocations;
    if (spec.check) {
      spec.check(r, allowed, report);
      return;
    }
    if (r.type === SQL_INSTANCE) checkSqlBackupLocation(r, allowed, report);
    let any = false;
    // An unknown path (computed at deploy time) says nothing, but hides no violation a known one shows.
    let unknown = false;
    for (const path of spec.paths) {
      const v = r.get(path);
      if (isUnknown(v)) {
        unknown = true;
        continue;
      }
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
    if (any || unknown) return;
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

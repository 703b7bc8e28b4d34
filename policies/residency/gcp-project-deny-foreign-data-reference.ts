/**
 * A stack whose platform separates its instances' data (ComplianceFacts.dataIsolation) keeps that
 * data in its own GCP project(s): no resource of the stack names another project, so that nothing
 * the stack deploys can read, write, replicate, route or decrypt another instance's data.
 *
 * The stack's own projects are those its resources are created in: the `project` input of every
 * resource that is not an IAM grant (a grant's `project` is the project it grants on, which is a
 * reference like any other), the GCP providers' `project`, and the projects the stack creates.
 * Everything else a resource says is read as a reference: `projects/<p>/…` paths anywhere (topics,
 * subscriptions, secrets, KMS keys, log sink destinations, networks, backend services),
 * service-account emails (`x@<p>.iam.gserviceaccount.com`, `<p>@appspot…`, Workload Identity
 * `<p>.svc.id.goog`), Cloud SQL instance references (`<p>:<instance>` masters, failover replicas,
 * clone sources; `<p>:<region>:<instance>` connection names), BigQuery tables, nested `project`
 * fields, and push endpoints (a `run.app` host whose service the stack does not deploy, an
 * `appspot.com` or `cloudfunctions.net` host of another project).
 *
 * Google-managed service agents (`service-<number>@gcp-sa-…`, `@cloud-redis…`,
 * `@gs-project-accounts…`, `<number>@cloudservices…`) and other project numbers are judged only when
 * the stack states its own number (a resource created `project: "<number>"`); otherwise a number
 * cannot be told from the stack's id, and they pass. A bucket name carries no project: a bucket a
 * resource names (an IAM binding, a Pub/Sub export, a CDN backend, a sink's Cloud Storage
 * destination) must be one the stack creates. Unknown values (computed at deploy time) are not
 * references.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { SwitchKey } from "../../model/compliance";
import { BUCKET, CLOUD_RUN, CLOUD_RUN_V2, GCP_PROJECT, GCP_PROVIDER, isIamGrantType } from "../lib/gcp";
import { defineStackRule, type StackFacts } from "../lib/rule";
import { isUnknown, plain, prop, str, UNKNOWN } from "../lib/values";

export const DATA_ISOLATION_RULE = "gcp-project-deny-foreign-data-reference";
/** Where the switch sits in this rule's config entry (policies/config/generate.ts writes it). */
export const DATA_ISOLATION_KEY: SwitchKey = "dataIsolation";

export const NO_ISOLATION_REASON = "the platform does not ask for per-stack data isolation (ComplianceFacts.dataIsolation): its stacks may reach a shared project";

/** A project a resource names: by id, or by number (which only a stated own number can judge). */
export interface ProjectReference {
  /** Dotted path of the property (`pushConfig.pushEndpoint`, `members.1`). */
  field: string;
  /** The value that names it, as written. */
  value: string;
  project: string;
  by: "id" | "number";
}

const PROJECT_ID = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PROJECT_NUMBER = /^\d{6,20}$/;
/** Service-agent domains that are Google's, not a project id (`service-<n>@<domain>.iam.gserviceaccount.com`). */
const AGENT_DOMAINS = /^(gcp-sa-[a-z0-9-]+|cloud-redis|gs-project-accounts|compute-system|container-engine-robot|serverless-robot-prod|cloud-ml|cloud-filer|dataflow-service-producer-prod|cloudcomposer-accounts|gcf-admin-robot|firebase-rules|cloudbuild|containerregistry|dataproc-accounts|genomics-api|cloud-tpu|endpoints-portal|gcp-gae-service|appspot)$/;
/** Free text, and filters that only narrow what the own project's logs or metrics show: they move no data. */
const SKIPPED_KEYS = new Set(["description", "displayName", "documentation", "labels", "userLabels", "filter", "secretData", "payload"]);
/** Cloud SQL fields naming another instance, `<project>:<instance>` when it is in another project. */
const SQL_INSTANCE_REFERENCES = new Set(["masterInstanceName", "failoverDrReplicaName", "sourceInstanceName"]);

function projectRef(field: string, value: string, candidate: string): ProjectReference | undefined {
  if (PROJECT_NUMBER.test(candidate)) return { field, value, project: candidate, by: "number" };
  if (PROJECT_ID.test(candidate)) return { field, value, project: candidate, by: "id" };
  return undefined;
}

/** The Cloud Run service a `run.app` host serves, and the project number when the host carries it. */
export function runAppService(host: string): { service: string; number?: string } | undefined {
  // Deterministic URL: <service>-<project number>.<region>.run.app
  const det = /^([a-z][a-z0-9-]*)-(\d{6,20})\.[a-z]+-[a-z]+\d+\.run\.app$/.exec(host);
  if (det) return { service: det[1], number: det[2] };
  // Legacy URL: <service>-<hash>-<region code>.a.run.app
  const legacy = /^([a-z][a-z0-9-]*)-[a-z0-9]{4,12}-[a-z]{2}\.a\.run\.app$/.exec(host);
  return legacy ? { service: legacy[1] } : undefined;
}

/** The projects one string names (field: where it was read; key: its last path segment). */
export function referencesIn(field: string, key: string, value: string): { refs: ProjectReference[]; runApp: { service: string; number?: string; host: string }[] } {
  const refs: ProjectReference[] = [];
  const runApp: { service: string; number?: string; host: string }[] = [];
  const add = (candidate: string) => {
    const r = projectRef(field, value, candidate);
    if (r) refs.push(r);
  };
  // `_` and `-` are the API's "any project" wildcards in resource names, not a project.
  for (const m of value.matchAll(/(?:^|[^A-Za-z0-9_-])projects\/([A-Za-z0-9.:_-]+)/g)) if (m[1] !== "_" && m[1] !== "-") add(m[1]);
  for (const m of value.matchAll(/([a-z0-9][a-z0-9._-]*)@([a-z0-9-]+)\.iam\.gserviceaccount\.com/g)) {
    const [, local, domain] = m;
    if (AGENT_DOMAINS.test(domain) || /^service-\d+$/.test(local)) {
      const n = /^(?:service-|p)(\d{6,20})(?:-|$)/.exec(local);
      if (n) add(n[1]);
    } else add(domain);
  }
  for (const m of value.matchAll(/(\d{6,20})(?:-compute@developer|@cloudservices|@cloudbuild)\.gserviceaccount\.com/g)) add(m[1]);
  for (const m of value.matchAll(/([a-z][a-z0-9-]{4,28}[a-z0-9])@appspot\.gserviceaccount\.com/g)) add(m[1]);
  for (const m of value.matchAll(/([a-z][a-z0-9-]{4,28}[a-z0-9])\.svc\.id\.goog/g)) add(m[1]);
  for (const m of value.matchAll(/https?:\/\/([a-z0-9.-]+)/g)) {
    const host = m[1];
    if (host.endsWith(".run.app")) {
      const s = runAppService(host);
      if (s) runApp.push({ ...s, host });
    } else if (host.endsWith(".appspot.com")) add(host.split(".")[0].split("-dot-").pop()!);
    else {
      const fn = /^[a-z]+-[a-z]+\d+-([a-z][a-z0-9-]{4,28}[a-z0-9])\.cloudfunctions\.net$/.exec(host);
      if (fn) add(fn[1]);
    }
  }
  if (SQL_INSTANCE_REFERENCES.has(key) && value.includes(":")) add(value.slice(0, value.lastIndexOf(":")));
  // A Cloud SQL connection name, as Cloud Run's cloudSqlInstance.instances and the Auth Proxy take it.
  const conn = /^((?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]):[a-z]+-[a-z]+\d+:[a-z][a-z0-9-]*$/.exec(value);
  if (conn) add(conn[1]);
  // KMS ids in the provider's short form: `<project>/<location>/<keyRing>[/<cryptoKey>]`.
  if ((key === "cryptoKeyId" || key === "keyRingId") && !value.startsWith("projects/")) {
    const k = /^([^/]+)\/[a-z0-9-]+\/[^/]+(?:\/[^/]+)?$/.exec(value);
    if (k) add(k[1]);
  }
  // BigQuery table ids: `<project>.<dataset>.<table>` or `<project>:<dataset>.<table>`.
  if (key === "table") {
    const t = /^([^.:]+(?::[^.:]+)?)[.:][A-Za-z0-9_]+\.[A-Za-z0-9_$-]+$/.exec(value);
    if (t) add(t[1]);
  }
  return { refs, runApp };
}

/** Fields that hold a bucket's name (an IAM binding's target, a Pub/Sub export, a CDN backend, a Cloud Run volume, access logs). */
const BUCKET_KEYS = new Set(["bucket", "bucketName", "logBucket"]);
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** The buckets one string names: a bucket field, a log sink's Cloud Storage destination, a `projects/_/buckets/<b>` path. */
export function bucketsIn(key: string, value: string): string[] {
  const out: string[] = [];
  const name = BUCKET_KEYS.has(key) ? value.replace(/^b\//, "") : undefined;
  if (name && BUCKET_NAME.test(name)) out.push(name);
  const dest = /^storage\.googleapis\.com\/([^/]+)$/.exec(value);
  if (dest && BUCKET_NAME.test(dest[1])) out.push(dest[1]);
  for (const m of value.matchAll(/projects\/_\/buckets\/([a-z0-9][a-z0-9._-]*[a-z0-9])/g)) out.push(m[1]);
  return out;
}

/** Every string leaf of a property tree with its dotted path; unknown values are skipped. */
function* leaves(v: unknown, path: string, key: string): Generator<{ path: string; key: string; value: string }> {
  if (v === UNKNOWN || isUnknown(v)) return;
  if (typeof v === "string") {
    yield { path, key, value: v };
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* leaves(v[i], path ? `${path}.${i}` : String(i), key);
    return;
  }
  if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) if (!SKIPPED_KEYS.has(k)) yield* leaves(x, path ? `${path}.${k}` : k, k);
  }
}

/** A project-level grant or audit config: its `project` is the project it acts on, not where it lives. */
function actsOnProject(type: string): boolean {
  return isIamGrantType(type) || type === "gcp:projects/iAMAuditConfig:IAMAuditConfig";
}

interface Own {
  ids: Set<string>;
  numbers: Set<string>;
  runServices: Set<string>;
  /** Names of the buckets the stack creates: a bucket name carries no project, so only these are known to be its own. */
  buckets: Set<string>;
}

function addProject(own: Own, v: unknown) {
  const p = str(v);
  if (!p) return;
  if (PROJECT_NUMBER.test(p)) own.numbers.add(p);
  else own.ids.add(p);
}

/** The projects the stack's resources are created in, and the Cloud Run services it deploys. */
export function ownProjects(resources: PolicyResource[]): Own {
  const own: Own = { ids: new Set(), numbers: new Set(), runServices: new Set(), buckets: new Set() };
  for (const r of resources) {
    if (r.type === GCP_PROVIDER) addProject(own, prop(r.props, "project"));
    else if (r.type === GCP_PROJECT) addProject(own, prop(r.props, "projectId"));
    else if (r.type.startsWith("gcp:")) {
      if (!actsOnProject(r.type)) addProject(own, prop(r.props, "project"));
      if (r.provider?.type === GCP_PROVIDER) addProject(own, prop(r.provider.props, "project"));
      if (r.type === BUCKET) {
        const n = str(prop(r.props, "name"));
        if (n) own.buckets.add(n);
      }
      if (r.type === CLOUD_RUN_V2 || r.type === CLOUD_RUN) {
        const n = str(prop(r.props, "name"));
        if (n) own.runServices.add(n);
      }
    }
  }
  return own;
}

/** What a resource names that the stack does not own, one message per field and project. */
export interface ForeignReference {
  field: string;
  value: string;
  /** What it names: `project de-prod`, `project number 123…`, `the Cloud Run service x (host)`. */
  names: string;
  /** A project, or a Cloud Run service the stack does not deploy (whose project a URL does not tell). */
  kind: "project" | "service" | "bucket";
}

export function foreignReferences(r: PolicyResource, own: Own): ForeignReference[] {
  const out: ForeignReference[] = [];
  const seen = new Set<string>();
  const push = (field: string, value: string, names: string, kind: ForeignReference["kind"] = "project") => {
    const k = `${field}\u0000${names}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ field, value, names, kind });
  };
  let root: unknown;
  if (r.type.startsWith("gcp:")) root = plain(r.props);
  // A Kubernetes object names a Google project only through Workload Identity's annotation.
  else if (r.type.startsWith("kubernetes:")) root = { metadata: { annotations: plain(prop(prop(r.props, "metadata"), "annotations")) } };
  else return out;
  if (!root || typeof root !== "object") return out;
  const props = { ...(root as Record<string, unknown>) };
  // Where the resource is created defines the stack's projects (except a grant's target project).
  if (!actsOnProject(r.type)) delete props.project;
  if (r.type === GCP_PROJECT) delete props.projectId;
  for (const leaf of leaves(props, "", "")) {
    const { refs, runApp } = referencesIn(leaf.path, leaf.key, leaf.value);
    if (leaf.key === "project" && leaf.path !== "") {
      const direct = projectRef(leaf.path, leaf.value, leaf.value);
      if (direct) refs.push(direct);
    }
    for (const ref of refs) {
      if (ref.by === "id" && !own.ids.has(ref.project)) push(ref.field, ref.value, `project ${ref.project}`);
      if (ref.by === "number" && own.numbers.size > 0 && !own.numbers.has(ref.project)) push(ref.field, ref.value, `project number ${ref.project}`);
    }
    for (const b of bucketsIn(leaf.key, leaf.value)) if (!own.buckets.has(b)) push(leaf.path, leaf.value, `the bucket ${b}`, "bucket");
    for (const s of runApp) {
      if (!own.runServices.has(s.service)) push(leaf.path, leaf.value, `the Cloud Run service ${s.service} (${s.host})`, "service");
      else if (s.number && own.numbers.size > 0 && !own.numbers.has(s.number)) push(leaf.path, leaf.value, `project number ${s.number} (the Cloud Run service ${s.service} at ${s.host})`);
    }
  }
  return out;
}

function citation(facts: StackFacts): string {
  const s = facts.sources?.[DATA_ISOLATION_KEY];
  return typeof s === "string" ? ` [${DATA_ISOLATION_KEY} true: ${s}]` : "";
}

const policy: StackValidationPolicy = defineStackRule({
  name: DATA_ISOLATION_RULE,
  description:
    "Where the platform separates its instances' data, no resource of the stack names a GCP project other than the stack's own: IAM members, resource paths, Cloud SQL masters and replicas, topics, subscriptions, secrets, KMS keys, push endpoints and log sink destinations stay within the projects the stack's resources are created in.",
  severity: "critical",
  remediationSteps:
    "Give the other instance its own copy (its own topic, bucket, key, service account, database) in its own project and stack; never grant another project's service account, replicate from or route to another project's resource. A Google service agent of the own project is fine.",
  source: 'cryptocare.md § 7.2 ("Suisse: LPD, Hébergement en Suisse"; "UE: RGPD, Séparation régionale données"; "Allemagne: Exigences spécifiques, Instance dédiée (Phase 2)"); model/compliance.ts § ComplianceFacts (dataIsolation)',
  domain: "residency",
  resources: ["every GCP resource of the stack (and Kubernetes Workload Identity annotations)"],
  validate(s, report) {
    const facts = s.facts as StackFacts;
    if (facts[DATA_ISOLATION_KEY] !== true) s.notApplicable(NO_ISOLATION_REASON);
    const own = ownProjects(s.resources);
    if (own.ids.size === 0 && own.numbers.size === 0) s.notApplicable("no resource of the stack names the project it is created in (no known `project` input or provider project): nothing to compare with");
    const projects = [...own.ids, ...own.numbers].sort().join(", ");
    const cite = citation(facts);
    for (const r of s.resources) {
      if (r.type === GCP_PROVIDER) continue;
      for (const f of foreignReferences(r, own)) {
        const not =
          f.kind === "service"
            ? `, which this stack does not deploy in its projects (${projects})`
            : f.kind === "bucket"
              ? `, which this stack does not create: a bucket name carries no project, so only the stack's own buckets are known to be in its projects (${projects})`
              : `, not one of this stack's projects (${projects})`;
        report(`${r.type} ${r.name}: ${f.field} ${JSON.stringify(f.value)} names ${f.names}${not}; the stack's data stays in its own project${cite}`, r.urn);
      }
    }
  },
});

// The switch and its citation are this rule's own config (the pack's config schema refuses unknown keys).
policy.configSchema = {
  ...policy.configSchema,
  properties: { ...(policy.configSchema?.properties ?? {}), [DATA_ISOLATION_KEY]: { type: "boolean" }, sources: { type: "object", additionalProperties: { type: "string" } } },
} as StackValidationPolicy["configSchema"];
export default policy;

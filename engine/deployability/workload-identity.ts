/**
 * Deployability check `workload-identity`: would a pod that runs as a Kubernetes service account
 * annotated `iam.gke.io/gcp-service-account` really get that Google service account's token?
 *
 * GKE Workload Identity (cloud.google.com/kubernetes-engine/docs/how-to/workload-identity): the
 * metadata server exchanges the pod's Kubernetes token, issued in the cluster's pool
 * `<cluster project>.svc.id.goog`, for the Google service account named by the annotation. Google
 * allows it only if that account grants `roles/iam.workloadIdentityUser` to exactly
 * `serviceAccount:<pool>[<namespace>/<ksa>]`. A binding in the wrong pool (the env's project
 * instead of the cluster's), namespace or name is accepted by IAM at create time and fails only
 * when the pod first calls Google (403 on iam.serviceAccounts.getAccessToken).
 */
import type { RecordedResource } from "../evaluate";
import type { DeployCheck, DeployContext, DeployFinding } from "./types";
import { asArray, asObject, gcpProjectResolver, known } from "./values";

const CHECK = "workload-identity" as const;
const ROLE = "roles/iam.workloadIdentityUser";
const ANNOTATION = "iam.gke.io/gcp-service-account";
/** `serviceAccount:<pool>[<namespace>/<name>]`, the member form Workload Identity documents. */
const MEMBER = /^serviceAccount:([a-z0-9.-]+\.svc\.id\.goog)\[([^/\]]+)\/([^\]]+)\]$/;

const label = (r: RecordedResource): string => `${r.type.split(":").pop()} "${r.name}"`;

interface Grant {
  resource: RecordedResource;
  pool: string;
  namespace: string;
  ksa: string;
  /** URNs of the Google service accounts the grant is on (from its serviceAccountId's dependencies). */
  accountUrns: string[];
  /** The account's email, when the serviceAccountId is a known `projects/<p>/serviceAccounts/<email>`. */
  accountEmail?: string;
}

function grantsOf(resources: readonly RecordedResource[]): Grant[] {
  const out: Grant[] = [];
  for (const r of resources) {
    if (r.type !== "gcp:serviceaccount/iAMMember:IAMMember" && r.type !== "gcp:serviceaccount/iAMBinding:IAMBinding") continue;
    if (r.inputs.role !== ROLE) continue;
    const members = r.type.endsWith("IAMMember") ? [r.inputs.member] : asArray(r.inputs.members);
    const id = r.inputs.serviceAccountId;
    const accountEmail = known(id) ? /serviceAccounts\/([^/]+)$/.exec(id)?.[1] : undefined;
    for (const m of members) {
      const match = known(m) ? MEMBER.exec(m) : null;
      if (!match) continue;
      out.push({ resource: r, pool: match[1]!, namespace: match[2]!, ksa: match[3]!, accountUrns: r.propertyDependencies.serviceAccountId ?? [], ...(accountEmail ? { accountEmail } : {}) });
    }
  }
  return out;
}

/** Google service accounts the plan creates, by email (`<accountId>@<project>.iam.gserviceaccount.com`). */
function accountsByEmail(resources: readonly RecordedResource[], projectOf: (r: RecordedResource) => string | undefined): Map<string, RecordedResource> {
  const out = new Map<string, RecordedResource>();
  for (const r of resources) {
    if (r.type !== "gcp:serviceaccount/account:Account" || !known(r.inputs.accountId)) continue;
    const project = projectOf(r);
    if (project) out.set(`${r.inputs.accountId}@${project}.iam.gserviceaccount.com`, r);
  }
  return out;
}

/** The pools of the GKE clusters in the plan (this stack's and the upstream's). */
function poolsOf(resources: readonly RecordedResource[]): { known: Set<string>; anyUnknown: boolean } {
  const pools = new Set<string>();
  let anyUnknown = false;
  for (const r of resources) {
    if (r.type !== "gcp:container/cluster:Cluster") continue;
    const pool = asObject(r.inputs.workloadIdentityConfig)?.workloadPool;
    if (known(pool)) pools.add(pool);
    else anyUnknown = true;
  }
  return { known: pools, anyUnknown };
}

/**
 * Kubernetes service accounts the plan annotates for Workload Identity: ServiceAccount objects, and
 * those an operator creates from a template. CloudNativePG 1.30.0 creates one per Cluster, named
 * after the Cluster in its namespace, with `spec.serviceAccountTemplate.metadata` merged in
 * (internal/controller/cluster_create.go createOrPatchServiceAccount, MergeMetadata); its instance
 * pods, and the Barman Cloud sidecar that writes the backups, run as it.
 */
function annotatedServiceAccounts(resources: readonly RecordedResource[]): { r: RecordedResource; email: string; name: string; namespace: string; via: string }[] {
  const out: { r: RecordedResource; email: string; name: string; namespace: string; via: string }[] = [];
  for (const r of resources) {
    let meta: Record<string, unknown> | undefined;
    let name: unknown;
    let via = "";
    if (r.type === "kubernetes:core/v1:ServiceAccount") {
      meta = asObject(r.inputs.metadata);
      name = meta?.name;
    } else if (/^kubernetes:postgresql\.cnpg\.io\/v\w+:Cluster$/.test(r.type)) {
      meta = asObject(asObject(asObject(r.inputs.spec)?.serviceAccountTemplate)?.metadata);
      name = asObject(r.inputs.metadata)?.name;
      via = ` (created by CloudNativePG for ${label(r)} from spec.serviceAccountTemplate)`;
    } else continue;
    const email = asObject(meta?.annotations)?.[ANNOTATION];
    const namespace = asObject(r.inputs.metadata)?.namespace;
    if (!known(email) || !known(name) || !known(namespace)) continue;
    out.push({ r, email, name, namespace, via });
  }
  return out;
}

function run(ctx: DeployContext): DeployFinding[] {
  const findings: DeployFinding[] = [];
  const all = [...ctx.upstream, ...ctx.resources];
  const projectOf = gcpProjectResolver(all);
  const pools = poolsOf(all);
  const grants = grantsOf(all);
  const accounts = accountsByEmail(all, projectOf);
  const poolList = [...pools.known].join(", ");

  // 1. A binding names a pool no cluster of the plan issues tokens in (only when every cluster's pool is known).
  if (pools.known.size && !pools.anyUnknown) {
    for (const g of grantsOf(ctx.resources)) {
      if (pools.known.has(g.pool)) continue;
      findings.push({
        check: CHECK,
        urn: g.resource.urn,
        message: `${label(g.resource)} lets ${g.pool}[${g.namespace}/${g.ksa}] act as its Google service account, but the cluster issues its pods' tokens in ${poolList}: no pod can use this binding, and one running as ${g.namespace}/${g.ksa} gets 403 from iam.serviceAccounts.getAccessToken.`,
        remediation: `Name the cluster's pool in the member: serviceAccount:${[...pools.known][0]}[${g.namespace}/${g.ksa}] (the pool is the cluster project's, not the project of the Google service account).`,
      });
    }
  }

  // 2. An annotated Kubernetes service account of this stack whose Google account (created in the plan) grants it nothing.
  for (const { r, email, name, namespace, via } of annotatedServiceAccounts(ctx.resources)) {
    const account = accounts.get(email);
    if (!account) continue; // an account outside the plan: its bindings are not ours to see
    const bound = grants.some(
      (g) =>
        (g.accountUrns.includes(account.urn) || g.accountEmail === email) &&
        g.namespace === namespace &&
        g.ksa === name &&
        (pools.anyUnknown || !pools.known.size || pools.known.has(g.pool)),
    );
    if (bound) continue;
    findings.push({
      check: CHECK,
      urn: r.urn,
      message: `ServiceAccount "${namespace}/${name}"${via} asks to act as ${email} (${ANNOTATION}), but that account grants ${ROLE} to no member serviceAccount:<pool>[${namespace}/${name}]${pools.known.size ? ` in the cluster's pool ${poolList}` : ""}: its pods get 403 from iam.serviceAccounts.getAccessToken on their first Google call.`,
      remediation: `Grant ${ROLE} on ${label(account)} to serviceAccount:${pools.known.size ? [...pools.known][0] : "<cluster project>.svc.id.goog"}[${namespace}/${name}].`,
    });
  }
  return findings;
}

export const workloadIdentityCheck: DeployCheck = {
  name: CHECK,
  description:
    "every Kubernetes service account annotated with a Google service account the plan creates (ServiceAccounts, and those CloudNativePG creates from a Cluster's serviceAccountTemplate) is granted roles/iam.workloadIdentityUser on it, for its own namespace and name, in the pool of the cluster that runs it (the cluster project's, whatever project the Google account lives in)",
  run,
};

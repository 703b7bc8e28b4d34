/**
 * What every Kubernetes platform's env stack does in its own GCP project, written once: enable the
 * project's APIs, keep its logs in the region with Data Access audit logs, and give an in-cluster
 * backup job a CMEK bucket it writes through Workload Identity. DiaspoMoney (MongoDB dumps) and
 * ShareYourSales (PostgreSQL base backups and WAL) call these with their own names.
 *
 * These are functions, not a component: the resources stay where the compositions have always
 * declared them, so that no URN changes (a URN is `<parent type chain>::<name>`).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "../components/gcp/bucket";
import { EncryptionKeys } from "../components/gcp/encryption-keys";
import { ProjectLogging } from "../components/gcp/project-logging";
import { ProjectServices } from "../components/gcp/project-services";
import type { AppEnv } from "../model/envs";
import { platformGcpProvider } from "./gcp-provider";
import type { StackContext } from "./platform";

/** An env's own project, as its stack file gives it (`<platform>:gcp`). */
export interface EnvProject {
  projectId: string;
  projectNumber: string;
  region: string;
}

/** The provider and the options every GCP resource of a project's stack takes (after its APIs are on). */
export interface EnvProjectHandles {
  provider: gcp.Provider;
  /** `{ providers, dependsOn: [the project's services] }`, for components. */
  opts: pulumi.ComponentResourceOptions;
  /** `{ provider, dependsOn: [the project's services] }`, for plain resources. */
  resourceOpts: pulumi.CustomResourceOptions;
}

/**
 * What a stack does first in its GCP project: the provider, the APIs it calls (enabled first, so a
 * fresh project does not fail half-way; every resource taking the returned options waits on them),
 * and the project's logs kept in the region with Data Access audit logs for `dataAccessAuditServices`.
 *
 * @param name Names the ProjectServices and ProjectLogging components (their URNs).
 */
export function projectBase(
  ctx: StackContext,
  name: string,
  project: { projectId: string; region: string },
  apis: readonly string[],
  dataAccessAuditServices: string[],
  deletionProtection: boolean,
): EnvProjectHandles {
  const provider = platformGcpProvider(ctx, project);
  const services = new ProjectServices(name, { project: project.projectId, services: [...apis] }, { providers: [provider] });
  const opts = { providers: [provider], dependsOn: [services] };
  new ProjectLogging(name, { project: project.projectId, location: project.region, dataAccessAuditServices, deletionProtection }, opts);
  return { provider, opts, resourceOpts: { provider, dependsOn: [services] } };
}

/**
 * The env's own project: prod never shares a project or a secrets key with dev or rct
 * (docs/pull-requests.md § Identities and keys); the cluster stays in the shared stack's project.
 * Its logs (bucket and key access) stay in the region (GDPR), with Data Access audit logs for the
 * services holding data.
 */
export function envProject(ctx: StackContext<AppEnv>, project: EnvProject, apis: readonly string[], deletionProtection: boolean): EnvProjectHandles {
  return projectBase(ctx, `${ctx.platform}-${ctx.env}`, project, apis, ["cloudkms.googleapis.com", "storage.googleapis.com"], deletionProtection);
}

export interface WorkloadBackupBucketArgs {
  ctx: StackContext<AppEnv>;
  project: EnvProject;
  handles: EnvProjectHandles;
  /** The data service backed up (`mongodb`, `postgres`): names the bucket, its service account and resources. */
  service: string;
  /** What the job does, for the service account's display name (`MongoDB daily dump`). */
  purpose: string;
  /** What the job may do on the bucket: create objects only (dumps), or manage them (a tool that prunes its own backups). */
  role: "roles/storage.objectCreator" | "roles/storage.objectAdmin";
  /** The bucket's lifecycle: the component that writes the backups owns the rule, so that one value drives both. */
  lifecycleRules: gcp.types.input.storage.BucketLifecycleRule[];
  /** The backup job's Kubernetes service account, `<namespace>/<name>`, in the cluster's project. */
  kubernetesServiceAccount: { clusterProject: string; namespace: string; name: string };
  labels: Record<string, string>;
  deletionProtection: boolean;
}

export interface WorkloadBackupBucket {
  bucketName: string;
  bucket: Bucket;
  /** The Google service account the job impersonates through Workload Identity. */
  serviceAccountEmail: string;
}

/**
 * A backup job's destination: a CMEK bucket in the env's project, written by a Google service
 * account that only the job's Kubernetes service account may impersonate (Workload Identity, from
 * the cluster's project). Soft delete keeps a deleted backup 30 days more.
 */
export function workloadBackupBucket(a: WorkloadBackupBucketArgs): WorkloadBackupBucket {
  const { ctx, project, handles, service, labels, deletionProtection } = a;
  const { env } = ctx;
  const prefix = `${ctx.platform}-${env}`;
  const keys = new EncryptionKeys(`${prefix}-backups`, {
    location: project.region,
    project: project.projectId,
    projectNumber: project.projectNumber,
    keys: { backups: { serviceAgents: ["cloud-storage"] } },
    labels,
    deletionProtection,
  }, handles.opts);
  const bucketName = `${project.projectId}-${service}-backups-${env}`;
  const bucket = new Bucket(`${prefix}-${service}-backups`, {
    bucketName,
    location: project.region,
    project: project.projectId,
    encryptionKeyName: keys.grantedKeyIds.apply((k) => k.backups),
    lifecycleRules: a.lifecycleRules,
    softDeleteRetentionDays: 30,
    labels: { ...labels, purpose: "backup" },
    deletionProtection,
  }, handles.opts);
  const accountId = `${service}-backup-${env}`;
  const account = workloadIdentityAccount(handles, {
    name: `${prefix}-${service}-backup`,
    project: project.projectId,
    accountId,
    displayName: `${a.purpose} (${env})`,
    kubernetesServiceAccount: a.kubernetesServiceAccount,
  });
  new gcp.storage.BucketIAMMember(`${prefix}-${service}-backup-writer`, {
    bucket: bucketName,
    role: a.role,
    member: pulumi.interpolate`serviceAccount:${account.email}`,
  }, { provider: handles.provider, parent: bucket });
  return { bucketName, bucket, serviceAccountEmail: `${accountId}@${project.projectId}.iam.gserviceaccount.com` };
}

export interface WorkloadIdentityAccountArgs {
  /** Pulumi name of the account; its Workload Identity grant is `<name>-workload-identity`. */
  name: string;
  project: string;
  accountId: string;
  displayName: string;
  /** The only Kubernetes service account that may act as it, `<namespace>/<name>` in the cluster's project's pool. */
  kubernetesServiceAccount: { clusterProject: string; namespace: string; name: string };
  /** The cluster's Workload Identity pool, as the cluster gives it. @default `<clusterProject>.svc.id.goog` */
  workloadPool?: pulumi.Input<string>;
  /** The account waits on the project's APIs (`handles.resourceOpts`), where the same stack enables them. @default false */
  waitForApis?: boolean;
  /** What the grant waits for: IAM refuses a member of a pool the cluster has not created yet. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * A Google service account in the env's project that exactly one Kubernetes service account of the
 * cluster (in another project) impersonates through Workload Identity: how a pod reaches a bucket
 * without a key file.
 */
export function workloadIdentityAccount(handles: EnvProjectHandles, a: WorkloadIdentityAccountArgs): gcp.serviceaccount.Account {
  const account = new gcp.serviceaccount.Account(
    a.name,
    { project: a.project, accountId: a.accountId, displayName: a.displayName },
    a.waitForApis ? handles.resourceOpts : { provider: handles.provider },
  );
  const ksa = a.kubernetesServiceAccount;
  const pool = a.workloadPool ?? `${ksa.clusterProject}.svc.id.goog`;
  new gcp.serviceaccount.IAMMember(`${a.name}-workload-identity`, {
    serviceAccountId: account.name,
    role: "roles/iam.workloadIdentityUser",
    // The pod's Kubernetes service account, as the cluster's pool names it (another project).
    member: pulumi.interpolate`serviceAccount:${pool}[${ksa.namespace}/${ksa.name}]`,
  }, { provider: handles.provider, parent: account, ...(a.dependsOn ? { dependsOn: a.dependsOn } : {}) });
  return account;
}

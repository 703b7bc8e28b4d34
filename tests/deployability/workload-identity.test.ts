/**
 * workload-identity: a pod's Kubernetes service account gets its Google account's token only if
 * that account grants roles/iam.workloadIdentityUser to `<cluster pool>[<ns>/<ksa>]`. Starts from a
 * compliant plan (cluster in one project, Google account in another) and breaks one thing per case.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../engine/evaluate";
import { workloadIdentityCheck } from "../../engine/deployability/workload-identity";
import { findings, res } from "./helpers";

const cluster = (pool: unknown = "cluster-proj.svc.id.goog") => res("gcp:container/cluster:Cluster", "gke", { project: "cluster-proj", workloadIdentityConfig: { workloadPool: pool } });
const account = res("gcp:serviceaccount/account:Account", "backup", { project: "env-proj", accountId: "backup" });
const EMAIL = "backup@env-proj.iam.gserviceaccount.com";
const grant = (member = "serviceAccount:cluster-proj.svc.id.goog[infra/backup]", o: { onAccount?: boolean } = {}) =>
  res("gcp:serviceaccount/iAMMember:IAMMember", "backup-wi", { serviceAccountId: UNKNOWN, role: "roles/iam.workloadIdentityUser", member }, o.onAccount === false ? {} : { propertyDependencies: { serviceAccountId: [account] } });
const ksa = (annotations: Record<string, string> = { "iam.gke.io/gcp-service-account": EMAIL }, name = "backup", namespace = "infra") =>
  res("kubernetes:core/v1:ServiceAccount", "backup-sa", { metadata: { name, namespace, annotations } });

describe("workload-identity", () => {
  it("accepts the compliant plan, with the cluster in the upstream stack", () => {
    expect(findings(workloadIdentityCheck, [cluster(), account, grant(), ksa()])).toEqual([]);
    expect(findings(workloadIdentityCheck, [account, grant(), ksa()], [cluster()])).toEqual([]);
  });

  it("flags a binding in the Google account's project pool instead of the cluster's", () => {
    const f = findings(workloadIdentityCheck, [account, grant("serviceAccount:env-proj.svc.id.goog[infra/backup]"), ksa()], [cluster()]);
    expect(f.map((x) => x.message)).toEqual([
      expect.stringMatching(/IAMMember "backup-wi" lets env-proj.svc.id.goog\[infra\/backup\] act .* tokens in cluster-proj.svc.id.goog/),
      expect.stringMatching(/ServiceAccount "infra\/backup" asks to act as backup@env-proj.* in the cluster's pool cluster-proj.svc.id.goog/),
    ]);
    expect(f[0]!.remediation).toMatch(/serviceAccount:cluster-proj.svc.id.goog\[infra\/backup\]/);
  });

  it("flags a binding for another namespace or another service account name", () => {
    expect(findings(workloadIdentityCheck, [account, grant("serviceAccount:cluster-proj.svc.id.goog[app/backup]"), ksa()], [cluster()])).toHaveLength(1);
    expect(findings(workloadIdentityCheck, [account, grant("serviceAccount:cluster-proj.svc.id.goog[infra/dump]"), ksa()], [cluster()])).toHaveLength(1);
  });

  it("flags an annotated service account whose Google account grants nothing, or grants another account", () => {
    expect(findings(workloadIdentityCheck, [account, ksa()], [cluster()])[0]!.remediation).toMatch(/Grant roles\/iam.workloadIdentityUser on Account "backup" to serviceAccount:cluster-proj.svc.id.goog\[infra\/backup\]/);
    expect(findings(workloadIdentityCheck, [account, grant(undefined, { onAccount: false }), ksa()], [cluster()])).toHaveLength(1);
  });

  it("reads the grant's account from a known serviceAccountId as well as from its dependency", () => {
    const byId = res("gcp:serviceaccount/iAMMember:IAMMember", "wi", { serviceAccountId: `projects/env-proj/serviceAccounts/${EMAIL}`, role: "roles/iam.workloadIdentityUser", member: "serviceAccount:cluster-proj.svc.id.goog[infra/backup]" });
    expect(findings(workloadIdentityCheck, [account, byId, ksa()], [cluster()])).toEqual([]);
  });

  it("cannot tell when a cluster's pool is unknown, and leaves accounts outside the plan alone", () => {
    expect(findings(workloadIdentityCheck, [account, grant("serviceAccount:env-proj.svc.id.goog[infra/backup]"), ksa()], [cluster(UNKNOWN)])).toEqual([]);
    expect(findings(workloadIdentityCheck, [ksa({ "iam.gke.io/gcp-service-account": "other@elsewhere.iam.gserviceaccount.com" })], [cluster()])).toEqual([]);
  });

  it("reads the KSA CloudNativePG creates from a Cluster's serviceAccountTemplate (named after the Cluster)", () => {
    const pg = (annotations: Record<string, string>) =>
      res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg-cluster", { metadata: { name: "backup", namespace: "infra" }, spec: { instances: 1, serviceAccountTemplate: { metadata: { annotations } } } });
    const annotated = pg({ "iam.gke.io/gcp-service-account": EMAIL });
    expect(findings(workloadIdentityCheck, [account, grant(), annotated], [cluster()])).toEqual([]);
    const f = findings(workloadIdentityCheck, [account, grant("serviceAccount:cluster-proj.svc.id.goog[infra/pg]"), annotated], [cluster()]);
    expect(f).toHaveLength(1);
    expect(f[0]!.urn).toBe(annotated.urn);
    expect(f[0]!.message).toMatch(/ServiceAccount "infra\/backup" \(created by CloudNativePG for Cluster "pg-cluster" from spec.serviceAccountTemplate\) asks to act as backup@env-proj/);
    expect(findings(workloadIdentityCheck, [account, pg({})], [cluster()])).toEqual([]);
  });

  it("ignores other roles and members that are not Workload Identity principals", () => {
    const other = res("gcp:serviceaccount/iAMMember:IAMMember", "token-creator", { role: "roles/iam.serviceAccountTokenCreator", member: "serviceAccount:env-proj.svc.id.goog[infra/backup]" });
    const user = res("gcp:serviceaccount/iAMMember:IAMMember", "user", { role: "roles/iam.workloadIdentityUser", member: "user:ops@example.com" });
    expect(findings(workloadIdentityCheck, [other, user], [cluster()])).toEqual([]);
  });
});

describe("workload-identity on the real stacks", () => {
  it("diaspomoney-prod: the backup job's binding is in the shared cluster's pool, its account in the env's own project", async () => {
    const { previewStack } = await import("../../engine/preview");
    const { upstreamResources } = await import("../../engine/deployability/upstream");
    const resources = (await previewStack("diaspomoney-prod")).evaluation.resources;
    const upstream = (await upstreamResources("diaspomoney-prod")).resources;
    const binding = resources.find((r) => r.name === "diaspomoney-prod-mongodb-backup-workload-identity")!;
    expect(binding.inputs.member).toBe("serviceAccount:diaspomoney-platform.svc.id.goog[diaspomoney-prod-infra/mongodb-backup]");
    expect(resources.find((r) => r.name === "diaspomoney-prod-mongodb-backup")!.inputs.project).toBe("diaspomoney-prod-5173");
    expect(workloadIdentityCheck.run({ stack: "diaspomoney-prod", resources, upstream })).toEqual([]);
  }, 60_000);
});

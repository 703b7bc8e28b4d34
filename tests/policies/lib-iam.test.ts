/** IAM members and grants (policies/lib/iam.ts), and the IAM rules over every IAM resource type. */
import { describe, expect, it } from "vitest";
import { grantsOf, isAdminRole, parseMember } from "../../policies/lib/iam";
import { HIERARCHY_IAM_TYPES, RESOURCE_IAM_TYPES } from "../../policies/lib/gcp";
import { UNKNOWN } from "../../policies/lib/values";
import { res, runRule, UNKNOWN as PLAN_UNKNOWN } from "./helpers";

describe("parseMember", () => {
  it("reads every principal kind", () => {
    expect(parseMember("allUsers").kind).toBe("public");
    expect(parseMember("allAuthenticatedUsers").kind).toBe("public");
    expect(parseMember("serviceAccount:api@p.iam.gserviceaccount.com").kind).toBe("serviceAccount");
    expect(parseMember("user:a@example.com").kind).toBe("user");
    expect(parseMember("group:g@example.com").kind).toBe("group");
    expect(parseMember("domain:example.com").kind).toBe("domain");
    expect(parseMember("principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*").kind).toBe("principal");
    expect(parseMember("projectOwner:p").kind).toBe("projectRole");
    expect(parseMember(UNKNOWN).kind).toBe("unknown");
  });
  it("refuses what the API would refuse", () => {
    for (const bad of ["everyone", "AllUsers", "api@p.iam.gserviceaccount.com", "robot:x", "principal:x", 3]) expect(parseMember(bad).kind, String(bad)).toBe("invalid");
  });
});

describe("roles and grants", () => {
  it("knows basic and admin roles", () => {
    for (const r of ["roles/owner", "roles/editor", "roles/iam.serviceAccountAdmin", "roles/storage.admin", "roles/cloudsql.admin"]) expect(isAdminRole(r), r).toBe(true);
    for (const r of ["roles/viewer", "roles/cloudsql.client", "roles/storage.objectViewer", "roles/container.defaultNodeServiceAccount"]) expect(isAdminRole(r), r).toBe(false);
  });
  it("reads members, bindings and policies", () => {
    expect(grantsOf({ role: "roles/viewer", members: ["allUsers", "user:a@example.com"] }).grants.map((g) => g.member.kind)).toEqual(["public", "user"]);
    const policy = { policyData: JSON.stringify({ bindings: [{ role: "roles/run.invoker", members: ["allUsers"] }] }) };
    expect(grantsOf(policy).grants).toEqual([{ role: "roles/run.invoker", member: { kind: "public", raw: "allUsers" } }]);
    expect(grantsOf({ policyData: "{not json" }).policyError).toMatch(/not valid JSON/);
    expect(grantsOf({ policyData: UNKNOWN }).unknownPolicy).toBe(true);
  });
});

describe("gcp-iam-binding-deny-public-principal on every IAM resource type", () => {
  const shapes = (type: string) =>
    type.endsWith("Policy")
      ? { policyData: JSON.stringify({ bindings: [{ role: "roles/viewer", members: ["allUsers"] }] }) }
      : type.endsWith("Binding")
        ? { role: "roles/viewer", members: ["group:g@example.com", "allAuthenticatedUsers"] }
        : { role: "roles/viewer", member: "allUsers" };
  for (const type of [...RESOURCE_IAM_TYPES, ...HIERARCHY_IAM_TYPES]) {
    it(`fails a public grant: ${type}`, async () => {
      const run = await runRule("gcp-iam-binding-deny-public-principal", [res(type, "grant", shapes(type))]);
      expect(run.results.length).toBeGreaterThan(0);
    });
  }
  it("fails a public bucket ACL", async () => {
    const run = await runRule("gcp-iam-binding-deny-public-principal", [res("gcp:storage/bucketAccessControl:BucketAccessControl", "acl", { bucket: "b", entity: "allUsers", role: "READER" })]);
    expect(run.results.length).toBe(1);
  });
  it("fails a policy it cannot read, passes one not known yet", async () => {
    const type = "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy";
    expect((await runRule("gcp-iam-binding-deny-public-principal", [res(type, "p", { policyData: "[]" })])).results.length).toBeGreaterThan(0);
    expect((await runRule("gcp-iam-binding-deny-public-principal", [res(type, "p", { policyData: PLAN_UNKNOWN })])).results).toEqual([]);
  });
});

describe("Cloud Run v1 (annotations) and the cluster's node pools", () => {
  const v1 = (annotations: Record<string, string>) =>
    res("gcp:cloudrun/service:Service", "worker", { location: "europe-west6", metadata: { annotations }, template: { spec: { serviceAccountName: "w@p.iam.gserviceaccount.com" } } });
  it("v1: ingress all with the invoker check disabled fails; internal passes", async () => {
    const rule = "gcp-cloudrun-service-restrict-ingress";
    expect((await runRule(rule, [v1({ "run.googleapis.com/invoker-iam-disabled": "true" })])).results.length).toBe(1);
    expect((await runRule(rule, [v1({ "run.googleapis.com/ingress": "all", "run.googleapis.com/invoker-iam-disabled": "true" })])).results.length).toBe(1);
    expect((await runRule(rule, [v1({ "run.googleapis.com/ingress": "internal-and-cloud-load-balancing", "run.googleapis.com/invoker-iam-disabled": "true" })])).results).toEqual([]);
    expect((await runRule(rule, [v1({ "run.googleapis.com/ingress": "all" })])).results).toEqual([]);
  });
  it("a cluster's inline node pool with auto-repair off fails", async () => {
    const cluster = res("gcp:container/cluster:Cluster", "c", { location: "europe-west6", nodePools: [{ name: "p", management: { autoRepair: false, autoUpgrade: true } }] });
    expect((await runRule("gcp-gke-node-pool-require-auto-management", [cluster])).results.length).toBe(1);
  });
});

describe("isIamGrantType", () => {
  it("matches every service's IAM member/binding/policy, not audit configs or custom roles", async () => {
    const { isIamGrantType, HIERARCHY_IAM_TYPES: H, RESOURCE_IAM_TYPES: R } = await import("../../policies/lib/gcp");
    for (const t of [...H, ...R, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "gcp:bigquery/datasetIamBinding:DatasetIamBinding", "gcp:pubsub/topicIAMPolicy:TopicIAMPolicy"]) expect(isIamGrantType(t), t).toBe(true);
    for (const t of ["gcp:projects/iAMAuditConfig:IAMAuditConfig", "gcp:organizations/iAMCustomRole:IAMCustomRole", "gcp:storage/bucket:Bucket", "gcp:projects/iamMemberRemove:IamMemberRemove"]) expect(isIamGrantType(t), t).toBe(false);
  });
  it("an Artifact Registry repository opened to allUsers fails", async () => {
    const run = await runRule("gcp-iam-binding-deny-public-principal", [res("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "r", { repository: "apps", role: "roles/artifactregistry.reader", member: "allUsers" })]);
    expect(run.results.length).toBe(1);
  });
});

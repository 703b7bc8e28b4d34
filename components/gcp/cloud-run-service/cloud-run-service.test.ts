import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { CLOUD_RUN_SERVICE_TYPE, CloudRunService, CloudRunServiceArgs, resolveCloudRunServiceArgs } from "./index";

const SERVICE = "gcp:cloudrunv2/service:Service";
const base: CloudRunServiceArgs = {
  project: "qf-prod",
  region: "europe-west1",
  image: "europe-west1-docker.pkg.dev/qf-prod/apps/api:1.4.2",
};

describe("CloudRunService", () => {
  it("builds the service, its own service account, role grants and per-secret accessor grants", async () => {
    const { plan } = await runProgram(() => {
      new CloudRunService("api", {
        ...base,
        port: 8000,
        healthPath: "/api/health",
        roles: ["roles/cloudsql.client"],
        vpc: { network: "vpc", subnetwork: "run-subnet" },
        env: { DB_NAME: "quickfund" },
        secretEnv: { STRIPE_SECRET_KEY: { secret: "stripe", version: "3" }, JWT_SIGNING_KEY: { secret: "jwt" } },
        labels: { app: "quickfund" },
      });
    });
    expect(plan.counts()).toEqual({
      "gcp:cloudrunv2/service:Service": 1,
      "gcp:projects/iAMMember:IAMMember": 1,
      "gcp:secretmanager/secretIamMember:SecretIamMember": 2,
      "gcp:serviceaccount/account:Account": 1,
      "platform:gcp:CloudRunService": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one(CLOUD_RUN_SERVICE_TYPE);
    for (const child of plan.resources.filter((r) => r.custom)) expect(child.parent, child.name).toBe(component.urn);

    const svc = plan.one(SERVICE, "api-service");
    const container = "template.containers[0]";
    expect(valueAt(svc.inputs, `${container}.image`)).toBe(base.image);
    expect(valueAt(svc.inputs, `${container}.ports.containerPort`)).toBe(8000);
    expect(valueAt(svc.inputs, `${container}.startupProbe.httpGet`)).toEqual({ path: "/api/health", port: 8000 });
    expect(valueAt(svc.inputs, `${container}.livenessProbe.httpGet`)).toEqual({ path: "/api/health", port: 8000 });
    expect(valueAt(svc.inputs, `${container}.envs`)).toEqual([
      { name: "DB_NAME", value: "quickfund" },
      { name: "STRIPE_SECRET_KEY", valueSource: { secretKeyRef: { secret: "stripe", version: "3" } } },
      { name: "JWT_SIGNING_KEY", valueSource: { secretKeyRef: { secret: "jwt", version: "latest" } } },
    ]);
    expect(valueAt(svc.inputs, "template.vpcAccess")).toEqual({ egress: "PRIVATE_RANGES_ONLY", networkInterfaces: [{ network: "vpc", subnetwork: "run-subnet" }] });
    expect(valueAt(svc.inputs, "template.serviceAccount")).toBe(UNKNOWN);
    expect(svc.inputs.labels).toEqual({ app: "quickfund" });
    expect(valueAt(svc.inputs, "template.labels")).toEqual({ app: "quickfund" });

    const sa = plan.one("gcp:serviceaccount/account:Account", "api-sa");
    expect(sa.inputs).toMatchObject({ project: "qf-prod", accountId: "api-run" });
    expect(plan.one("gcp:projects/iAMMember:IAMMember", "api-role-cloudsql-client").inputs).toMatchObject({ project: "qf-prod", role: "roles/cloudsql.client" });
    const accessors = plan.ofType("gcp:secretmanager/secretIamMember:SecretIamMember");
    expect(accessors.map((a) => [a.name, a.inputs.secretId, a.inputs.role])).toEqual([
      ["api-secret-stripe-secret-key", "stripe", "roles/secretmanager.secretAccessor"],
      ["api-secret-jwt-signing-key", "jwt", "roles/secretmanager.secretAccessor"],
    ]);
    // The revision must not start before its identity can read its secrets.
    for (const grant of [...accessors, plan.one("gcp:projects/iAMMember:IAMMember")]) expect(svc.dependencies).toContain(grant.urn);
  });

  it("defaults: LB-only ingress, public invocation without allUsers, deletion protection, scale-to-zero bounds, probes", async () => {
    const { plan } = await runProgram(() => {
      new CloudRunService("web", base);
    });
    const svc = plan.one(SERVICE);
    expect(svc.inputs).toMatchObject({
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      invokerIamDisabled: true,
      deletionProtection: true,
      location: "europe-west1",
      project: "qf-prod",
    });
    expect(valueAt(svc.inputs, "template.scaling")).toEqual({ minInstanceCount: 0, maxInstanceCount: 10 });
    expect(valueAt(svc.inputs, "template.maxInstanceRequestConcurrency")).toBe(80);
    expect(valueAt(svc.inputs, "template.containers[0].resources")).toEqual({ limits: { cpu: "1", memory: "512Mi" }, cpuIdle: true, startupCpuBoost: true });
    expect(valueAt(svc.inputs, "template.containers[0].startupProbe")).toEqual({ initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 12, httpGet: { path: "/", port: 8080 } });
    expect(valueAt(svc.inputs, "template.containers[0].livenessProbe")).toEqual({ initialDelaySeconds: 0, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, httpGet: { path: "/", port: 8080 } });
    expect(valueAt(svc.inputs, "template.vpcAccess")).toBeUndefined();
    // Least privilege: no project role and no secret grant unless asked for.
    expect(plan.ofType("gcp:projects/iAMMember:IAMMember")).toHaveLength(0);
    expect(plan.ofType("gcp:secretmanager/secretIamMember:SecretIamMember")).toHaveLength(0);
    expect(plan.ofType("gcp:cloudrunv2/serviceIamMember:ServiceIamMember")).toHaveLength(0);
  });

  it("resolves each default in one place", () => {
    const r = resolveCloudRunServiceArgs("web", base);
    expect(r).toMatchObject({
      port: 8080,
      healthPath: "/",
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      allowUnauthenticated: true,
      minInstances: 0,
      maxInstances: 10,
      cpu: "1",
      memory: "512Mi",
      cpuIdle: true,
      concurrency: 80,
      env: {},
      secretEnv: {},
      roles: [],
      iam: {},
      accountId: "web-run",
      labels: {},
      deletionProtection: true,
    });
    expect(r.vpc).toBeUndefined();
    expect(resolveCloudRunServiceArgs("web", { ...base, vpc: { network: "n", subnetwork: "s" } }).vpc).toEqual({ network: "n", subnetwork: "s", egress: "PRIVATE_RANGES_ONLY", tags: [] });
    expect(resolveCloudRunServiceArgs("web", { ...base, secretEnv: { A: { secret: "a" } } }).secretEnv.A.version).toBe("latest");
  });

  it("accepts digests, registry ports and version tags", () => {
    for (const image of [
      "europe-docker.pkg.dev/p/r/api@sha256:" + "a".repeat(64),
      "registry.internal:5000/team/api:2024.12.1",
      "europe-docker.pkg.dev/p/r/api:1.4.2@sha256:" + "b".repeat(64),
    ]) {
      expect(() => resolveCloudRunServiceArgs("api", { ...base, image })).not.toThrow();
    }
  });

  it("binds invoker IAM on the service when public invocation is off", async () => {
    const { plan } = await runProgram(() => {
      new CloudRunService("worker", { ...base, allowUnauthenticated: false, iam: { "roles/run.invoker": ["serviceAccount:caller@qf-prod.iam.gserviceaccount.com"] } });
    });
    expect(plan.one(SERVICE).inputs.invokerIamDisabled).toBe(false);
    const member = plan.one("gcp:cloudrunv2/serviceIamMember:ServiceIamMember");
    expect(member.inputs).toMatchObject({ role: "roles/run.invoker", member: "serviceAccount:caller@qf-prod.iam.gserviceaccount.com", location: "europe-west1" });
  });

  describe("refuses loudly", () => {
    const cases: [string, Partial<CloudRunServiceArgs>, RegExp][] = [
      ["a :latest image", { image: "europe-docker.pkg.dev/p/r/api:latest" }, /mutable :latest tag/],
      ["an untagged image", { image: "europe-docker.pkg.dev/p/r/api" }, /has no tag/],
      ["an untagged image behind a registry port", { image: "registry.internal:5000/team/api" }, /has no tag/],
      ["public invocation with ingress ALL", { ingress: "INGRESS_TRAFFIC_ALL" }, /bypassing the load balancer/],
      ["min above max instances", { minInstances: 5, maxInstances: 2 }, /minInstances \(5\) exceeds maxInstances \(2\)/],
      ["an unsupported CPU", { cpu: "3" }, /cpu "3" must be one of/],
      ["too little memory for 4 CPU", { cpu: "4", memory: "1Gi" }, /needs at least 2048Mi/],
      ["a malformed memory", { memory: "1GB" }, /must look like/],
      ["an env var in env and secretEnv", { env: { A: "x" }, secretEnv: { A: { secret: "a" } } }, /both define A/],
      ["a reserved env var", { env: { PORT: "80" } }, /reserved by Cloud Run/],
      ["two env vars on one secret", { secretEnv: { A: { secret: "s" }, B: { secret: "s" } } }, /read the same secret/],
      ["a bad secret version", { secretEnv: { A: { secret: "s", version: "v2" } } }, /must be "latest" or a version number/],
      ["a basic role", { roles: ["roles/editor"] }, /basic role/],
      ["allUsers in iam", { allowUnauthenticated: false, iam: { "roles/run.invoker": ["allUsers"] } }, /grants allUsers/],
      ["a short derived account id", {}, /service account id "a-run"/],
      ["a probe timeout above its period", { probes: { liveness: { periodSeconds: 5, timeoutSeconds: 10 } } }, /must not exceed periodSeconds/],
      ["a health path without a slash", { healthPath: "health" }, /must start with "\/"/],
    ];
    for (const [what, override, message] of cases) {
      it(what, () => {
        const name = what === "a short derived account id" ? "a" : "api";
        const call = () => resolveCloudRunServiceArgs(name, { ...base, ...override });
        expect(call).toThrow(ComponentArgsError);
        expect(call).toThrow(message);
        expect(call).toThrow(new RegExp(`^${CLOUD_RUN_SERVICE_TYPE} "${name}"`));
      });
    }
  });
});

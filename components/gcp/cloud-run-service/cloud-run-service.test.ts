import * as gcp from "@pulumi/gcp";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runPolicyPack } from "../../../engine/policy/run";
import restrictIngress from "../../../policies/isolation/gcp-cloudrun-service-restrict-ingress";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { CLOUD_RUN_SERVICE_TYPE, CloudRunService, CloudRunServiceArgs, resolveCloudRunServiceArgs, revisionSuffixFromImage } from "./index";

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

  it("leaves scaling, traffic, name and revision to today's defaults when scaling and release are not given", async () => {
    const { plan } = await runProgram(() => {
      new CloudRunService("web", base);
    });
    const svc = plan.one(SERVICE);
    for (const field of ["name", "scaling", "traffics", "template.revision"]) expect(valueAt(svc.inputs, field), field).toBeUndefined();
  });

  describe("scaling", () => {
    it("manual: a fixed service-level instance count, no revision-level floor", async () => {
      const { plan } = await runProgram(() => {
        new CloudRunService("api", { ...base, scaling: { mode: "manual", instances: 2 } });
      });
      const svc = plan.one(SERVICE);
      expect(svc.inputs.scaling).toEqual({ scalingMode: "MANUAL", manualInstanceCount: 2 });
      expect(valueAt(svc.inputs, "template.scaling")).toEqual({ minInstanceCount: 0 });
    });

    it("automatic: service-level bounds shared by the revisions, both given (Cloud Run wants both when leaving manual)", async () => {
      const { plan } = await runProgram(() => {
        new CloudRunService("api", { ...base, scaling: { mode: "automatic", min: 2, max: 8 } });
      });
      const svc = plan.one(SERVICE);
      expect(svc.inputs.scaling).toEqual({ scalingMode: "AUTOMATIC", minInstanceCount: 2, maxInstanceCount: 8 });
      expect(valueAt(svc.inputs, "template.scaling")).toEqual({ minInstanceCount: 0, maxInstanceCount: 8 });
    });

    it("automatic defaults to 0-10 and the resolved min/max follow scaling", () => {
      const r = resolveCloudRunServiceArgs("api", { ...base, scaling: { mode: "automatic" } });
      expect(r.scaling).toEqual({ mode: "automatic", min: 0, max: 10 });
      expect([r.minInstances, r.maxInstances]).toEqual([0, 10]);
      expect(resolveCloudRunServiceArgs("api", { ...base, scaling: { mode: "manual", instances: 4 } })).toMatchObject({ minInstances: 4, maxInstances: 4 });
    });
  });

  describe("release", () => {
    const named: CloudRunServiceArgs = { ...base, serviceName: "cc-api" };
    const trafficOf = async (args: CloudRunServiceArgs) => {
      const { plan } = await runProgram(() => {
        new CloudRunService("api", args);
      });
      const svc = plan.one(SERVICE);
      return { svc, traffics: svc.inputs.traffics, revision: valueAt(svc.inputs, "template.revision") };
    };

    it("all-at-once writes 100% to the latest revision, so that leaving blue-green resets the split", async () => {
      const { svc, traffics, revision } = await trafficOf({ ...named, release: { strategy: "all-at-once", revisionSuffix: "1-4-2" } });
      expect(svc.inputs.name).toBe("cc-api");
      expect(revision).toBe("cc-api-1-4-2");
      expect(traffics).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]);
    });

    it("blue-green, first deploy: the named revision is the latest and takes 100%", async () => {
      const { traffics, revision } = await trafficOf({ ...named, release: { strategy: "blue-green", revisionSuffix: "1-4-2" } });
      expect(revision).toBe("cc-api-1-4-2");
      expect(traffics).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 }]);
    });

    it("blue-green: stable keeps 100%, the candidate gets 0% and its tag URL", async () => {
      const { traffics, revision } = await trafficOf({ ...named, release: { strategy: "blue-green", revisionSuffix: "1-5-0", stableRevision: "cc-api-1-4-2" } });
      expect(revision).toBe("cc-api-1-5-0");
      expect(traffics).toEqual([
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "cc-api-1-4-2", percent: 100, tag: "stable" },
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "cc-api-1-5-0", percent: 0, tag: "candidate" },
      ]);
    });

    it("promotion is one change: stableRevision set to the candidate sends it 100% under the stable tag", async () => {
      const { traffics } = await trafficOf({ ...named, release: { strategy: "blue-green", revisionSuffix: "1-5-0", stableRevision: "cc-api-1-5-0" } });
      expect(traffics).toEqual([{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "cc-api-1-5-0", percent: 100, tag: "stable" }]);
    });

    it("canary: the candidate gets canaryPercent, stable the rest, custom tags", async () => {
      const { traffics } = await trafficOf({
        ...named,
        scaling: { mode: "manual", instances: 4 },
        release: { strategy: "canary", revisionSuffix: "1-5-0", stableRevision: "cc-api-1-4-2", canaryPercent: 20, candidateTag: "canary", stableTag: "prod" },
      });
      expect(traffics).toEqual([
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "cc-api-1-4-2", percent: 80, tag: "prod" },
        { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "cc-api-1-5-0", percent: 20, tag: "canary" },
      ]);
    });

    it("canary defaults to 10%", () => {
      const r = resolveCloudRunServiceArgs("api", { ...named, release: { strategy: "canary", revisionSuffix: "b", stableRevision: "cc-api-a" } });
      expect(r.release?.canaryPercent).toBe(10);
      expect(r.release?.traffics.map((t) => t.percent)).toEqual([90, 10]);
    });

    it("derives revision suffixes from image tags and digests", () => {
      expect(revisionSuffixFromImage("europe-west6-docker.pkg.dev/cc/apps/api:1.4.2")).toBe("1-4-2");
      expect(revisionSuffixFromImage("registry.internal:5000/api:V2_0.RC1", "c3")).toBe("v2-0-rc1-c3");
      expect(revisionSuffixFromImage("europe-west6-docker.pkg.dev/cc/apps/api@sha256:" + "ab12".repeat(16))).toBe("ab12ab12ab12");
      const suffix = revisionSuffixFromImage("europe-west6-docker.pkg.dev/cc/apps/api:2024.12.1");
      expect(() => resolveCloudRunServiceArgs("api", { ...named, release: { strategy: "blue-green", revisionSuffix: suffix } })).not.toThrow();
    });
  });

  describe("private push worker", () => {
    it("internal ingress, invoker check on, roles/run.invoker for the push identity", async () => {
      const { plan } = await runProgram(() => {
        new CloudRunService("payments-worker", {
          ...base,
          ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
          allowUnauthenticated: false,
          invokers: { "payments-push": "payments-push@qf-prod.iam.gserviceaccount.com" },
        });
      });
      const svc = plan.one(SERVICE);
      expect(svc.inputs).toMatchObject({ ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY", invokerIamDisabled: false });
      const invoker = plan.one("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "payments-worker-invoker-payments-push");
      expect(invoker.inputs).toMatchObject({ role: "roles/run.invoker", member: "serviceAccount:payments-push@qf-prod.iam.gserviceaccount.com", location: "europe-west1", project: "qf-prod" });
      expect(invoker.parent).toBe(plan.one(CLOUD_RUN_SERVICE_TYPE).urn);
    });

    it("passes gcp-cloudrun-service-restrict-ingress (which still catches a public service)", async () => {
      const rule = { ...(restrictIngress as ResourceValidationPolicy), enforcementLevel: "mandatory" as const };
      const violations = async (args: CloudRunServiceArgs) => {
        const { plan } = await runProgram(() => {
          new CloudRunService("worker", args);
        });
        const out = await runPolicyPack({ stack: "test", resources: [...plan.resources], config: {}, policies: [rule] });
        return out.results.filter((r) => r.policy === rule.name);
      };
      expect(await violations({ ...base, ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY", allowUnauthenticated: false, invokers: { push: "push@qf-prod.iam.gserviceaccount.com" } })).toEqual([]);
      // Control: the same rule on a service the component would refuse (args bypassed through the provider).
      const { plan } = await runProgram(() => {
        new gcp.cloudrunv2.Service("public", { location: "europe-west1", ingress: "INGRESS_TRAFFIC_ALL", invokerIamDisabled: true, template: { containers: [{ image: base.image }] } });
      });
      const out = await runPolicyPack({ stack: "test", resources: [...plan.resources], config: {}, policies: [rule] });
      expect(out.results.filter((r) => r.policy === rule.name)).toHaveLength(1);
    });
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
      ["scaling with minInstances", { scaling: { mode: "manual", instances: 2 }, minInstances: 1 }, /scaling \(mode manual\) and minInstances\/maxInstances both set/],
      ["scaling with maxInstances", { scaling: { mode: "automatic" }, maxInstances: 4 }, /expected only scaling, got minInstances undefined and maxInstances 4/],
      ["manual scaling with zero instances", { scaling: { mode: "manual", instances: 0 } }, /scaling.instances 0 must be a positive integer/],
      ["automatic min above max", { scaling: { mode: "automatic", min: 5, max: 2 } }, /scaling.min \(5\) exceeds scaling.max \(2\)/],
      ["an unknown scaling mode", { scaling: { mode: "predictive" } as never }, /scaling.mode "predictive" must be/],
      ["an invalid service name", { serviceName: "CC_api" }, /serviceName "CC_api" must be/],
      ["a revision suffix without serviceName", { release: { strategy: "blue-green", revisionSuffix: "1-4-2" } }, /needs serviceName/],
      ["blue-green without a revision suffix", { serviceName: "cc-api", release: { strategy: "blue-green" } }, /expected release.revisionSuffix/],
      ["a revision suffix with dots", { serviceName: "cc-api", release: { strategy: "blue-green", revisionSuffix: "1.4.2" } }, /revisionSuffix "1.4.2" must be lowercase letters/],
      ["a revision name over 63 characters", { serviceName: "cc-api", release: { revisionSuffix: "x".repeat(60) } }, /is 67 characters, Cloud Run allows at most 63/],
      ["canaryPercent without canary", { serviceName: "cc-api", release: { strategy: "blue-green", revisionSuffix: "b", canaryPercent: 10 } }, /canaryPercent \(10\) only applies to the canary strategy, got strategy "blue-green"/],
      ["a canary above 50%", { serviceName: "cc-api", release: { strategy: "canary", revisionSuffix: "b", stableRevision: "cc-api-a", canaryPercent: 60 } }, /integer from 1 to 50.*got 60/],
      ["a canary of 0%", { serviceName: "cc-api", release: { strategy: "canary", revisionSuffix: "b", stableRevision: "cc-api-a", canaryPercent: 0 } }, /got 0/],
      ["stableRevision with all-at-once", { serviceName: "cc-api", release: { revisionSuffix: "b", stableRevision: "cc-api-a" } }, /only applies to blue-green and canary/],
      ["a stableRevision of another service", { serviceName: "cc-api", release: { strategy: "blue-green", revisionSuffix: "b", stableRevision: "other-a" } }, /not a revision of service "cc-api"/],
      ["the same tag for candidate and stable", { serviceName: "cc-api", release: { strategy: "blue-green", revisionSuffix: "b", candidateTag: "live", stableTag: "live" } }, /both "live"/],
      ["a tag shorter than 3 characters", { serviceName: "cc-api", release: { strategy: "blue-green", revisionSuffix: "b", candidateTag: "c1" } }, /candidateTag "c1" must be at least 3/],
      ["a tag and service name over 46 characters", { serviceName: "c".repeat(40), release: { strategy: "blue-green", revisionSuffix: "b" } }, /49 characters together; Cloud Run allows at most 46/],
      ["a canary on one manual instance", { serviceName: "cc-api", scaling: { mode: "manual", instances: 1 }, release: { strategy: "canary", revisionSuffix: "b", stableRevision: "cc-api-a" } }, /needs at least 2 instances/],
      ["invokers with the invoker check disabled", { invokers: { push: "push@p.iam.gserviceaccount.com" } }, /expected allowUnauthenticated: false/],
      ["an invoker given as a member", { allowUnauthenticated: false, invokers: { push: "serviceAccount:push@p.iam.gserviceaccount.com" } }, /must be a service account email/],
      ["an invoker key that cannot name a resource", { allowUnauthenticated: false, invokers: { Push_SA: "push@p.iam.gserviceaccount.com" } }, /invokers key "Push_SA"/],
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

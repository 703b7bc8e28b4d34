import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, UNKNOWN } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { CLOUD_RUN_SERVICE_TYPE } from "../cloud-run-service";
import { DEFAULT_API_SECRETS, MONOLITH_TYPE, Monolith, MonolithArgs, resolveMonolithArgs } from "./index";

const SERVICE = "gcp:cloudrunv2/service:Service";
const SECRET = "gcp:secretmanager/secret:Secret";
const VERSION = "gcp:secretmanager/secretVersion:SecretVersion";

function args(overrides: Partial<MonolithArgs> = {}): MonolithArgs {
  return {
    target: "cloud-run",
    minWarmInstances: 1,
    project: "qf-prod",
    region: "europe-west1",
    network: "qf-vpc",
    subnetwork: "qf-run",
    api: { image: "europe-west1-docker.pkg.dev/qf-prod/apps/api:1.4.2" },
    frontend: { image: "europe-west1-docker.pkg.dev/qf-prod/apps/web:1.4.2" },
    database: { host: "10.20.0.3", name: "quickfund", user: "api" },
    ...overrides,
  };
}

describe("Monolith (cloud-run target)", () => {
  it("builds two Cloud Run services, three EU-replicated secrets, and versions only for values it has", async () => {
    const { plan, evaluation } = await runProgram(() => {
      new Monolith("qf", args({ secretValues: { "stripe-api-key": pulumi.secret("sk_live_not_in_plan") }, labels: { app: "quickfund" } }));
    });
    expect(plan.counts()).toEqual({
      "gcp:cloudrunv2/service:Service": 2,
      "gcp:projects/iAMMember:IAMMember": 1,
      "gcp:secretmanager/secret:Secret": 3,
      "gcp:secretmanager/secretIamMember:SecretIamMember": 2,
      "gcp:secretmanager/secretVersion:SecretVersion": 2,
      "gcp:serviceaccount/account:Account": 2,
      "platform:gcp:CloudRunService": 2,
      "platform:gcp:Monolith": 1,
      "pulumi:pulumi:Stack": 1,
      "random:index/randomPassword:RandomPassword": 1,
    });
    expect(JSON.stringify(plan.resources)).not.toContain("sk_live_not_in_plan");

    const monolith = plan.one(MONOLITH_TYPE);
    for (const c of plan.ofType(CLOUD_RUN_SERVICE_TYPE)) expect(c.parent).toBe(monolith.urn);
    for (const s of plan.ofType(SECRET)) expect(s.parent).toBe(monolith.urn);

    // Secrets: user-managed replicas in the region, named after the component, protected.
    for (const logical of ["stripe-api-key", "twilio-auth-token", "jwt-signing-key"]) {
      const s = plan.one(SECRET, `qf-secret-${logical}`);
      expect(s.inputs).toMatchObject({ secretId: `qf-${logical}`, deletionProtection: true, labels: { app: "quickfund" } });
      expect(valueAt(s.inputs, "replication")).toEqual({ userManaged: { replicas: [{ location: "europe-west1" }] } });
      expect(s.options.protect).toBe(true);
    }
    // Versions: Stripe (supplied) and JWT (generated); Twilio stays an empty container.
    expect(plan.ofType(VERSION).map((v) => v.name).sort()).toEqual(["qf-secret-jwt-signing-key-version", "qf-secret-stripe-api-key-version"]);
    expect(plan.one(VERSION, "qf-secret-stripe-api-key-version").inputs.secretData).toEqual(BLINDED_SECRET);
    // The generated key is unknown until the provider creates it (and a secret output of random).
    expect(plan.one(VERSION, "qf-secret-jwt-signing-key-version").inputs.secretData).toBe(UNKNOWN);
    const jwt = plan.one("random:index/randomPassword:RandomPassword", "qf-jwt-signing-key-random");
    expect(jwt.inputs).toMatchObject({ length: 64, special: false });
    expect(evaluation.diagnostics.some((d) => d.severity === "warning" && d.message.includes('"qf-twilio-auth-token" has no value: the API runs without it'))).toBe(true);

    // API: DB env from args, secrets from Secret Manager, Direct VPC egress, Cloud SQL client role.
    const api = plan.one(SERVICE, "qf-api-service");
    const envs = valueAt(api.inputs, "template.containers[0].envs") as { name: string; value?: unknown; valueSource?: unknown }[];
    expect(envs.filter((e) => e.value !== undefined)).toEqual([
      { name: "DB_HOST", value: "10.20.0.3" },
      { name: "DB_NAME", value: "quickfund" },
      { name: "DB_USER", value: "api" },
    ]);
    const secretEnv = Object.fromEntries(envs.filter((e) => e.valueSource).map((e) => [e.name, valueAt(e.valueSource, "secretKeyRef.version")]));
    // Pinned to the created version; the empty Twilio container is not wired (a revision reading a
    // secret with no version cannot start), and the API gets no accessor grant on it.
    expect(secretEnv).toEqual({ STRIPE_API_KEY: UNKNOWN, JWT_SIGNING_KEY: UNKNOWN });
    expect(plan.ofType("gcp:secretmanager/secretIamMember:SecretIamMember").map((g) => g.name).sort()).toEqual(["qf-api-secret-jwt-signing-key", "qf-api-secret-stripe-api-key"]);
    expect(valueAt(api.inputs, "template.vpcAccess.egress")).toBe("PRIVATE_RANGES_ONLY");
    expect(valueAt(api.inputs, "template.vpcAccess.networkInterfaces")).toEqual([{ network: "qf-vpc", subnetwork: "qf-run" }]);
    expect(valueAt(api.inputs, "template.containers[0].startupProbe.httpGet.path")).toBe("/api/health");
    expect(plan.one("gcp:projects/iAMMember:IAMMember").inputs).toMatchObject({ role: "roles/cloudsql.client", project: "qf-prod" });
    expect(plan.ofType("gcp:secretmanager/secretIamMember:SecretIamMember").map((m) => m.name).sort()).toEqual([
      "qf-api-secret-jwt-signing-key",
      "qf-api-secret-stripe-api-key",
    ]);

    // Frontend: no VPC, no secret, warm in prod.
    const web = plan.one(SERVICE, "qf-frontend-service");
    expect(valueAt(web.inputs, "template.vpcAccess")).toBeUndefined();
    expect(valueAt(web.inputs, "template.containers[0].envs")).toEqual([]);
    expect(valueAt(web.inputs, "template.scaling.minInstanceCount")).toBe(1);
    expect(valueAt(api.inputs, "template.scaling.minInstanceCount")).toBe(1);
  });

  it("uses a supplied JWT key instead of generating one, and mounts a database password secret", async () => {
    const { plan } = await runProgram(() => {
      new Monolith(
        "qf",
        args({
          secretValues: { "jwt-signing-key": pulumi.secret("k"), "twilio-auth-token": pulumi.secret("t"), "stripe-api-key": pulumi.secret("s") },
          database: { host: "10.20.0.3", name: "quickfund", user: "api", passwordSecretId: "qf-db-password" },
        }),
      );
    });
    expect(plan.ofType("random:index/randomPassword:RandomPassword")).toHaveLength(0);
    expect(plan.ofType(VERSION)).toHaveLength(3);
    const envs = valueAt(plan.one(SERVICE, "qf-api-service").inputs, "template.containers[0].envs") as { name: string; valueSource?: unknown }[];
    expect(envs.find((e) => e.name === "DB_PASSWORD")?.valueSource).toEqual({ secretKeyRef: { secret: "qf-db-password", version: "latest" } });
    expect(plan.ofType("gcp:secretmanager/secretIamMember:SecretIamMember").map((m) => m.inputs.secretId)).toContain("qf-db-password");
  });

  it("resolves each default in one place", () => {
    const r = resolveMonolithArgs("qf", args({ minWarmInstances: undefined }));
    expect(r.target).toBe("cloud-run");
    expect(r.spec.api).toMatchObject({ port: 8080, healthPath: "/api/health", minInstances: 0, maxInstances: 10, cpu: "1", memory: "512Mi", secretEnv: DEFAULT_API_SECRETS });
    expect(r.spec.frontend).toMatchObject({ port: 8080, healthPath: "/", minInstances: 0, maxInstances: 10, cpu: "1", memory: "512Mi", secretEnv: {}, env: {} });
    expect(r.spec.secrets).toEqual([
      { name: "stripe-api-key", generate: false },
      { name: "twilio-auth-token", generate: false },
      { name: "jwt-signing-key", generate: true },
    ]);
    expect(r.cloudRun).toMatchObject({ secretLocations: ["europe-west1"], apiRoles: ["roles/cloudsql.client"] });
    expect(r.cloudRun.databasePasswordSecretId).toBeUndefined();
    expect(r.deletionProtection).toBe(true);
    expect(r.labels).toEqual({});
    expect(r.spec.minWarmInstances).toBe(0);
    // A floor of warm instances becomes each workload's default.
    const warm = resolveMonolithArgs("qf", args());
    expect([warm.spec.api.minInstances, warm.spec.frontend.minInstances]).toEqual([1, 1]);
  });

  it("does not require warm instances without a floor (the component knows no env names)", () => {
    expect(() => resolveMonolithArgs("qf", args({ minWarmInstances: 0, api: { image: "r/api:1.0.0", minInstances: 0 } }))).not.toThrow();
  });

  describe("refuses loudly", () => {
    const cases: [string, Partial<MonolithArgs>, RegExp][] = [
      ["zero API instances below a floor of 1", { api: { image: "r/api:1.0.0", minInstances: 0 } }, /api.minInstances is 0, below minWarmInstances 1/],
      ["zero frontend instances below a floor of 1", { frontend: { image: "r/web:1.0.0", minInstances: 0 } }, /frontend.minInstances is 0, below minWarmInstances 1/],
      ["a negative floor", { minWarmInstances: -1 }, /minWarmInstances must be a non-negative integer, got -1/],
      ["an unknown target", { target: "kubernetes" as never }, /target "kubernetes" is not built yet/],
      ["a :latest API image", { api: { image: "r/api:latest" } }, /api.image "r\/api:latest" is not pinned: it uses the mutable :latest tag/],
      ["an untagged frontend image", { frontend: { image: "r/web" } }, /frontend.image "r\/web" is not pinned: it has no tag/],
      ["a plain-text secret value", { secretValues: { "stripe-api-key": "sk_live_plain" } }, /secretValues.stripe-api-key is a plain string/],
      ["a value for an unknown secret", { secretValues: { "stripe-key": pulumi.secret("x") } }, /secretValues.stripe-key is not a secret of api.secrets/],
      ["a generated secret the API does not read", { generatedSecrets: ["session-key"] }, /generatedSecrets lists "session-key"/],
      ["an env var the database sets", { api: { image: "r/api:1.0.0", env: { DB_HOST: "x" } } }, /api.env sets DB_HOST/],
      ["an env var a secret sets", { api: { image: "r/api:1.0.0", env: { STRIPE_API_KEY: "x" } } }, /api.env sets STRIPE_API_KEY/],
      ["two env vars on one secret", { api: { image: "r/api:1.0.0", secrets: { A: "shared", B: "shared" } } }, /same secret/],
      ["no secret location", { secretLocations: [] }, /secretLocations is empty/],
    ];
    for (const [what, override, message] of cases) {
      it(what, () => {
        const call = () => resolveMonolithArgs("qf", args(override));
        expect(call).toThrow(ComponentArgsError);
        expect(call).toThrow(message);
        expect(call).toThrow(/^platform:gcp:Monolith "qf"/);
      });
    }
  });
});

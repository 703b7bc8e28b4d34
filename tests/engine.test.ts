import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, EvaluationError, UNKNOWN } from "../engine/evaluate";
import { runProgram } from "./harness";

describe("offline engine", () => {
  it("records parent, provider, dependencies, options and inputs of every registration", async () => {
    const { plan } = await runProgram(() => {
      const provider = new gcp.Provider("gcp", { project: "p", region: "europe-west1" });
      const parent = new pulumi.ComponentResource("test:index:Thing", "thing");
      const password = new random.RandomPassword("pw", { length: 24 }, { parent });
      const instance = new gcp.sql.DatabaseInstance(
        "db",
        { databaseVersion: "POSTGRES_16", settings: { tier: "db-custom-1-3840" }, deletionProtection: true },
        { parent, provider, protect: true, ignoreChanges: ["settings.tier"], aliases: [{ name: "old-db" }] },
      );
      new gcp.sql.User("user", { instance: instance.name, password: password.result }, { parent, provider, retainOnDelete: true });
      new gcp.secretmanager.SecretVersion("literal", { secret: "s", secretData: pulumi.secret("not-for-eyes") }, { parent, provider });
    });
    const db = plan.one("gcp:sql/databaseInstance:DatabaseInstance");
    expect(db.parent).toBe(plan.one("test:index:Thing").urn);
    expect(db.provider).toMatch(/pulumi:providers:gcp::gcp::/);
    expect(db.options).toMatchObject({ protect: true, ignoreChanges: ["settings.tier"], aliases: [{ name: "old-db" }] });
    expect(db.inputs).toMatchObject({ databaseVersion: "POSTGRES_16", deletionProtection: true });
    const user = plan.one("gcp:sql/user:User");
    expect(user.options.retainOnDelete).toBe(true);
    expect(user.dependencies).toContain(db.urn);
    // Provider-computed values are unknown in a preview of a fresh stack.
    expect(user.inputs.instance).toBe(UNKNOWN);
    expect(user.inputs.password).toBe(UNKNOWN);
    // Secrets never reach the plan in clear.
    expect(plan.one("gcp:secretmanager/secretVersion:SecretVersion").inputs.secretData).toEqual(BLINDED_SECRET);
    expect(JSON.stringify(plan.resources)).not.toContain("not-for-eyes");
  });

  it("surfaces an unmocked invoke as an evaluation error with its message", async () => {
    const run = runProgram(() => ({ number: gcp.organizations.getProjectOutput({}).number }));
    await expect(run).rejects.toBeInstanceOf(EvaluationError);
    await expect(run).rejects.toThrow(/invoke gcp:organizations\/getProject:getProject has no offline answer/);
  });

  it("surfaces an exception thrown by the program", async () => {
    await expect(runProgram(() => { throw new Error("boom"); })).rejects.toThrow(/boom/);
  });
});

describe("offline engine: reads", () => {
  it("records a StackReference as a read step with its stack name, and its outputs as unknown", async () => {
    const { evaluation, plan } = await runProgram(() => {
      const ref = new pulumi.StackReference("shared", { name: "org/proj/shared" });
      return { kubeconfig: ref.getOutput("kubeconfig") };
    });
    const ref = plan.one("pulumi:pulumi:StackReference");
    expect(ref.readId).toBe("org/proj/shared");
    expect(ref.inputs.name).toBe("org/proj/shared");
    expect(evaluation.outputs.kubeconfig).toBe(UNKNOWN);
  });
});

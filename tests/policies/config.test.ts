/** The per-stack policy config files: generated from ComplianceFacts, current, strict in prod. */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ComplianceFacts } from "../../model/compliance";
import { isProdLike, type StackEnv } from "../../model/envs";
import { checkPolicyConfig, checkStackConfig, loadPolicyConfig, normalizePolicyConfig, PolicyConfigError } from "../../engine/policy/config";
import { buildPolicyConfig, configFile, readExisting, render, type PlatformFacts } from "../../policies/config/generate";
import { policies } from "../../policies/pack";
import { stackCostFacts } from "../../stacks/budgets";
import { PLATFORMS } from "../../stacks/registry";

const fake: PlatformFacts = {
  name: "cryptocare",
  compliance: (env: StackEnv): ComplianceFacts => ({
    allowedLocations: env === "prod" ? ["europe-west6", "europe-west3"] : ["europe-west6"],
    minBackupRetentionDays: 28,
    maxBackupIntervalHours: 24,
    pointInTimeRecoveryRequired: env === "prod",
    sources: {
      allowedLocations: "cryptocare.md § Hébergement",
      minBackupRetentionDays: "cryptocare.md § Sauvegardes (\"28 jours\")",
      maxBackupIntervalHours: "cryptocare.md § Sauvegardes (\"quotidien\")",
      pointInTimeRecoveryRequired: "cryptocare.md § RPO",
    },
  }),
};

describe("policy config generator", () => {
  it("makes every rule mandatory in prod (advisory rules stay advisory) and advisory elsewhere", () => {
    const prod = buildPolicyConfig(fake, "prod");
    const dev = buildPolicyConfig(fake, "dev");
    expect(Object.keys(prod).sort()).toEqual(policies.map((p) => p.name).sort());
    expect(prod["gcp-sql-instance-require-cmek"].enforcementLevel).toBe("mandatory");
    expect(prod["gcp-storage-bucket-require-cmek"].enforcementLevel).toBe("advisory");
    expect(dev["gcp-sql-instance-require-cmek"].enforcementLevel).toBe("advisory");
    expect(dev["platform-policy-config-require-stack-facts"].enforcementLevel).toBe("mandatory");
  });

  it("passes each rule the facts it declares, from ComplianceFacts", () => {
    const prod = buildPolicyConfig(fake, "prod");
    expect(prod["gcp-location-resource-require-allowed-location"]).toMatchObject({ env: "prod", platform: "cryptocare", stack: "cryptocare-prod", allowedLocations: ["europe-west6", "europe-west3"] });
    expect(prod["gcp-sql-instance-require-pitr"]).toMatchObject({ pointInTimeRecoveryRequired: true });
    expect(prod["gcp-sql-instance-require-cmek"]).not.toHaveProperty("allowedLocations");
  });

  it("passes each rule the document section behind each fact it declares, and no other", () => {
    const prod = buildPolicyConfig(fake, "prod");
    expect(prod["gcp-sql-instance-require-backup-retention"].sources).toEqual({ minBackupRetentionDays: 'cryptocare.md § Sauvegardes ("28 jours")' });
    expect(prod["platform-data-service-require-backup-schedule"].sources).toEqual({
      maxBackupIntervalHours: 'cryptocare.md § Sauvegardes ("quotidien")',
      minBackupRetentionDays: 'cryptocare.md § Sauvegardes ("28 jours")',
    });
    expect(prod["gcp-sql-instance-require-cmek"]).not.toHaveProperty("sources");
  });

  it("keeps non-prod overrides and waivers, drops them in prod", () => {
    const existing = { "gcp-sql-instance-require-cmek": { enforcementLevel: "disabled" as const, waivers: [{ target: "x", reason: "r", expires: "2999-01-01" }] } };
    expect(buildPolicyConfig(fake, "dev", existing)["gcp-sql-instance-require-cmek"]).toMatchObject(existing["gcp-sql-instance-require-cmek"]);
    expect(buildPolicyConfig(fake, "prod", existing)["gcp-sql-instance-require-cmek"]).toMatchObject({ enforcementLevel: "mandatory", waivers: [] });
  });

  it("produces files the pack's config check accepts", () => {
    expect(() => checkPolicyConfig(normalizePolicyConfig(JSON.parse(render(buildPolicyConfig(fake, "prod"))), "x"), policies, "x")).not.toThrow();
  });
});

describe("policies/config/<stack>.json", () => {
  for (const platform of PLATFORMS) {
    for (const env of platform.envs) {
      const stack = `${platform.name}-${env}`;
      it(`${stack} exists and is current (npm run generate)`, () => {
        expect(existsSync(configFile(stack))).toBe(true);
        expect(readFileSync(configFile(stack), "utf8")).toBe(render(buildPolicyConfig(platform, env, readExisting(stack), stackCostFacts(stack))));
        const { config, file } = loadPolicyConfig(stack);
        expect(() => checkPolicyConfig(config, policies, file)).not.toThrow();
        expect(() => checkStackConfig(config, policies, stack, file)).not.toThrow();
        if (isProdLike(env)) {
          expect(Object.values(config).flatMap((c) => (c.waivers as unknown[]) ?? [])).toEqual([]);
          expect(Object.values(config).filter((c) => c.enforcementLevel === "disabled")).toEqual([]);
        }
      });
    }
  }

  it("a name that is not a stack is a config error, before any path is built", () => {
    expect(() => loadPolicyConfig("nope-prod")).toThrow(/is not a stack of this repository/);
    expect(() => loadPolicyConfig("../../package")).toThrow(PolicyConfigError);
  });

  it("a dev config may carry waivers; a prod or shared one may not", () => {
    const fakeWithStack = (env: StackEnv) => {
      const c = normalizePolicyConfig(JSON.parse(render(buildPolicyConfig({ ...fake, name: "quickfund" }, env))), "x");
      c["gcp-sql-instance-require-cmek"].waivers = [{ target: "*", reason: "r", expires: "2999-01-01" }];
      return c;
    };
    expect(() => checkStackConfig(fakeWithStack("dev"), policies, "quickfund-dev", "f")).not.toThrow();
    expect(() => checkStackConfig(fakeWithStack("prod"), policies, "quickfund-prod", "f")).toThrow(/waivers are refused in prod stacks \(gcp-sql-instance-require-cmek waives "\*"\)/);
    expect(() => checkStackConfig(fakeWithStack("shared"), policies, "quickfund-shared", "f")).toThrow(/waivers are refused in shared stacks/);
  });

  it("rejects unknown policies and unknown properties", () => {
    expect(() => checkPolicyConfig({ "no-such-policy": { enforcementLevel: "mandatory" } }, policies, "f")).toThrow(/not a policy/);
    expect(() => checkPolicyConfig({ "gcp-sql-instance-require-cmek": { enforcementLevel: "mandatory", allowedLocations: ["x"] } }, policies, "f")).toThrow(/allowedLocations/);
    expect(() => normalizePolicyConfig({ "gcp-sql-instance-require-cmek": "sometimes" }, "f")).toThrow(/enforcementLevel/);
  });
});

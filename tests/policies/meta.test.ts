/** Every rule carries what the README, the CLI and reviewers need, and has a spec. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/pack";
import { DOMAINS, metaOf } from "../../policies/lib/rule";
import { SPECS } from "./specs";

const NAME = /^(gcp|k8s|platform)-[a-z0-9]+(-[a-z0-9]+)*-(require|deny|enforce|restrict|drop)-[a-z0-9-]+$/;

describe("policy pack metadata", () => {
  for (const p of policies) {
    it(`${p.name} has metadata, a source and a spec`, () => {
      const m = metaOf(p.name);
      expect(p.name).toMatch(NAME);
      expect(p.description.length).toBeGreaterThan(20);
      expect(["low", "medium", "high", "critical"]).toContain(p.severity);
      expect(p.remediationSteps?.length ?? 0).toBeGreaterThan(20);
      expect(m.source).toMatch(/(\.md|CIS |CKV_|Pod Security|Kubernetes)/);
      expect(DOMAINS).toContain(m.domain);
      expect(m.resources.length).toBeGreaterThan(0);
      const spec = SPECS[p.name];
      expect(spec, `no spec for ${p.name} in tests/policies/specs`).toBeDefined();
      expect(spec.kind).toBe(m.kind);
      const failing = Object.keys(spec.failing).length + (spec.kind === "stack" && spec.failsWithoutConfig ? 1 : 0);
      expect(failing).toBeGreaterThan(0);
    });
  }

  it("has one file per rule, in its domain's folder, named after the rule", () => {
    const root = join(__dirname, "..", "..", "policies");
    const files = DOMAINS.flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".ts")).map((f) => `${d}/${f.replace(/\.ts$/, "")}`));
    expect(files.sort()).toEqual(policies.map((p) => `${metaOf(p.name).domain}/${p.name}`).sort());
  });

  it("has no spec for a rule that does not exist", () => {
    const names = new Set(policies.map((p) => p.name));
    expect(Object.keys(SPECS).filter((n) => !names.has(n))).toEqual([]);
  });

  it("constructs the PolicyPack only in policies/index.ts", () => {
    const root = join(__dirname, "..", "..", "policies");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory() && e.name !== "node_modules") walk(join(dir, e.name));
        else if (e.name.endsWith(".ts") && join(dir, e.name) !== join(root, "index.ts")) {
          const text = readFileSync(join(dir, e.name), "utf8");
          if (/new PolicyPack\(/.test(text)) offenders.push(join(dir, e.name));
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});

describe("policies/README.md", () => {
  it("has the current rule table (npx tsx policies/rule-table.ts --write)", async () => {
    const { README, readmeWithTable } = await import("../../policies/rule-table");
    const text = readFileSync(README, "utf8");
    expect(text).toBe(readmeWithTable(text));
  });
});

describe("how the Pulumi CLI loads the pack", () => {
  it("PulumiPolicy.yaml runs entry.js on nodejs without ts-node; entry.js registers tsx then loads index.ts", async () => {
    const { parse } = await import("yaml");
    const root = join(__dirname, "..", "..", "policies");
    const project = parse(readFileSync(join(root, "PulumiPolicy.yaml"), "utf8")) as { runtime: { name: string; options: { typescript: boolean } }; main: string };
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: false } });
    expect(project.main).toBe("entry.js");
    const entry = readFileSync(join(root, project.main), "utf8");
    expect(entry.indexOf('require("tsx/cjs")')).toBeGreaterThan(-1);
    expect(entry.indexOf('require("tsx/cjs")')).toBeLessThan(entry.indexOf('require("./index.ts")'));
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string; main: string };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.main).toBe("entry.js");
  });
});

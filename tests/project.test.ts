/** The real-CLI path: Pulumi.yaml is valid, its entry runs the same program, config keys are namespaced. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../engine/project";
import { previewStack } from "../engine/preview";
import { renderSchema, schemaPath } from "../engine/cli/generate-schemas";
import { PLATFORMS, allStacks } from "../stacks/registry";

/**
 * The real CLI entry in a fresh process, as the Pulumi CLI loads it (the entry registers tsx
 * itself); tsx's loader preloaded rather than its CLI, which would start a second node process.
 * Started as this file loads, so that its seconds of loading run while the in-process tests do.
 */
function runEntry(stack: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", join(PROJECT_ROOT, "tests/fixtures/run-entry.ts"), stack], { cwd: PROJECT_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (err) => resolve({ status: null, stdout, stderr: String(err) }));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
const ENTRY_STACK = "quickfund-dev";
const entryRun = runEntry(ENTRY_STACK);

const project = parse(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;

describe("Pulumi.yaml", () => {
  it("validates against Pulumi's project schema (vendored from pulumi/pulumi)", () => {
    const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, "vendor/schemas/pulumi-project.json"), "utf8"));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(project), JSON.stringify(validate.errors)).toBe(true);
    // The schema cannot tell a bad project from a good one on its own: prove it rejects one.
    expect(validate({ ...project, runtime: { name: "nodejs", option: { typescript: false } } })).toBe(false);
    expect(validate({ ...project, stackConfigDir: 42 })).toBe(false);
  });

  it("has what the CLI requires beyond the schema: a runtime, and a main that exists", () => {
    expect((project.runtime as { name: string }).name).toBe("nodejs");
    expect(project.stackConfigDir).toBe("stacks");
    expect(existsSync(join(PROJECT_ROOT, project.main as string))).toBe(true);
  });

  it("every stack file has a namespaced key for each config entry and a gcpkms secrets provider", () => {
    const files = readdirSync(join(PROJECT_ROOT, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    expect(files.map((f) => f.slice("Pulumi.".length, -".yaml".length)).sort()).toEqual([...allStacks()].sort());
    for (const f of files) {
      const doc = parse(readFileSync(join(PROJECT_ROOT, "stacks", f), "utf8")) as { config?: Record<string, unknown>; secretsprovider?: string };
      for (const key of Object.keys(doc.config ?? {})) expect(key, f).toMatch(/^[a-z-]+:[A-Za-z]+$/);
      expect(doc.secretsprovider, f).toMatch(/^gcpkms:\/\//);
    }
  });
});

describe("stack file JSON Schemas", () => {
  const definitions = PLATFORMS.map((p) => [p.schemaId, p] as const);

  it.each(definitions)("%s: the checked-in schema is current (npm run generate)", (_id, platform) => {
    expect(readFileSync(schemaPath(platform.schemaId), "utf8")).toBe(renderSchema(platform));
  });

  it("one schema per kind of stack: no two definitions share one, and no schema file is left over", () => {
    const ids = PLATFORMS.map((p) => p.schemaId);
    expect(new Set(ids).size).toBe(ids.length);
    const files = readdirSync(join(PROJECT_ROOT, "stacks", "schemas")).filter((f) => f.endsWith(".schema.json"));
    expect(files.sort()).toEqual(ids.map((id) => `${id}.schema.json`).sort());
  });

  it.each(definitions)("%s: every stack file of its envs points its editor at it", (_id, platform) => {
    for (const env of platform.envs) {
      const first = readFileSync(join(PROJECT_ROOT, "stacks", `Pulumi.${platform.name}-${env}.yaml`), "utf8").split("\n")[0];
      expect(first, `${platform.name}-${env}`).toBe(`# yaml-language-server: $schema=./schemas/${platform.schemaId}.schema.json`);
    }
  });

  it.each(definitions)("%s: accepts its stack files and rejects a typo", (_id, platform) => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath(platform.schemaId), "utf8")));
    for (const env of platform.envs) {
      const doc = parse(readFileSync(join(PROJECT_ROOT, "stacks", `Pulumi.${platform.name}-${env}.yaml`), "utf8"));
      expect(validate(doc), `${platform.name}-${env}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ config: { [`${platform.name}:noSuchKey`]: 1 } })).toBe(false);
  });

  it("tells editors which keys a stack file must give: what no env's defaults supply", () => {
    const schemaOf = (id: string) => JSON.parse(readFileSync(schemaPath(id), "utf8")) as { properties: { config: { required?: string[]; properties: Record<string, { required?: string[] }> } } };
    const app = schemaOf("diaspomoney").properties.config;
    // The env stacks' own keys are required (before the split, every key was optional to editors).
    expect(app.required).toEqual(expect.arrayContaining(["diaspomoney:gcp", "diaspomoney:access", "diaspomoney:app", "diaspomoney:probe"]));
    expect(app.properties["diaspomoney:app"].required).toEqual(["image"]);
    // Keys every profile row fills are not (the file may still override them).
    expect(app.required).not.toContain("diaspomoney:mongodb");
    expect(app.required).not.toContain("diaspomoney:deletionProtection");
    // The foundation's keys do not exist in an env stack, nor the env stacks' in the foundation.
    expect(Object.keys(app.properties)).not.toContain("diaspomoney:cluster");
    const foundation = schemaOf("diaspomoney-shared").properties.config;
    expect(foundation.required).toEqual(expect.arrayContaining(["diaspomoney:gcp", "diaspomoney:edge", "diaspomoney:alerting"]));
    expect(Object.keys(foundation.properties)).not.toContain("diaspomoney:app");
  });
});

describe("the CLI entry", () => {
  it("pulumi-program.js registers exactly what the offline preview records", async () => {
    const run = await entryRun;
    expect(run.status, run.stderr).toBe(0);
    const viaEntry = JSON.parse(run.stdout.trim().split("\n").pop()!) as string[];
    const viaPreview = (await previewStack(ENTRY_STACK)).evaluation.resources.map((r) => r.urn);
    expect(viaEntry.length).toBeGreaterThan(1);
    expect(viaEntry).toEqual(viaPreview);
  });
});

/**
 * engine/fast-load.ts: the SDK's unused heavy modules are deferred, and loaded (the real ones) the
 * first time the SDK really uses them, so a program that serialises closures behaves as before.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { types } from "node:util";
import { describe, expect, it } from "vitest";
import { ARBORIST_MEMBERS_USED, DEFERRALS, LOADER_PROBES } from "../engine/fast-load";
import { PROJECT_ROOT } from "../engine/project";

const SDK = join(PROJECT_ROOT, "node_modules/@pulumi/pulumi");
/** A file that requires each deferred module, where it is not the SDK's index. */
const REQUIRED_FROM: Record<string, string> = {
  glob: join(PROJECT_ROOT, "node_modules/@pulumi/kubernetes/yaml/yaml.js"),
  "@opentelemetry/api": join(SDK, "runtime/settings.js"),
};
/** `require` as our own modules do it (from the project root, outside the SDK). */
const requireHere = createRequire(join(PROJECT_ROOT, "package.json"));

/** Runs a script in a fresh node process (with tsx, as our CLIs run) and returns what it printed as JSON. */
function inFreshProcess(body: string): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "fast-load-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "fast-load-probe", version: "1.0.0" }));
  const script = join(dir, "probe.cjs");
  writeFileSync(
    script,
    `require(${JSON.stringify(join(PROJECT_ROOT, "node_modules/tsx/dist/cjs/index.cjs"))});
require(${JSON.stringify(join(PROJECT_ROOT, "engine/fast-load.ts"))});
const pulumi = require(${JSON.stringify(SDK)});
const loaded = () => [...new Set(Object.keys(require.cache).map((f) => f.match(/node_modules\\/(typescript|@npmcli\\/arborist|normalize-package-data|fdir|glob|@opentelemetry\\/api|@pulumi\\/pulumi\\/automation)\\//)?.[1]).filter(Boolean))].sort();
(async () => { ${body} })().catch((e) => { console.log(JSON.stringify({ error: String(e) })); });
`,
  );
  const res = spawnSync(process.execPath, [script], { cwd: dir, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

describe("fast load of the Pulumi SDK", () => {
  it("loads none of the deferred modules with the SDK and @pulumi/kubernetes, then each on its first real use", () => {
    const out = inFreshProcess(`
      const k8s = require(${JSON.stringify(join(PROJECT_ROOT, "node_modules/@pulumi/kubernetes"))});
      void k8s.yaml;
      const atImport = loaded();
      const codePaths = await pulumi.runtime.computeCodePaths();
      const afterCodePaths = loaded();
      const closure = await pulumi.runtime.serializeFunction(() => 6 * 7);
      const afterClosure = loaded();
      const workspaceIsClass = typeof pulumi.automation.LocalWorkspace === "function";
      const afterAutomation = loaded();
      const globbed = k8s.yaml.ConfigFile !== undefined && require(${JSON.stringify(join(PROJECT_ROOT, "node_modules/@pulumi/kubernetes/yaml/yaml.js"))}) !== undefined;
      console.log(JSON.stringify({ atImport, codePathsIsMap: codePaths instanceof Map, afterCodePaths, closure: closure.text, afterClosure, workspaceIsClass, afterAutomation, globbed }));
    `);
    expect(out.error).toBeUndefined();
    expect(out.atImport).toEqual([]);
    expect(out.codePathsIsMap).toBe(true);
    // Finding a closure's packages reads package.json files through arborist, fdir and normalize-package-data.
    expect(out.afterCodePaths).toEqual(expect.arrayContaining(["@npmcli/arborist"]));
    expect(out.afterCodePaths).not.toContain("typescript");
    expect(out.closure).toContain("6 * 7");
    expect(out.afterClosure).toEqual(expect.arrayContaining(["@npmcli/arborist", "typescript"]));
    expect(out.afterClosure).not.toContain("@pulumi/pulumi/automation");
    expect(out.workspaceIsClass).toBe(true);
    expect(out.afterAutomation).toContain("@pulumi/pulumi/automation");
  });

  it("declares each deferred module's __esModule as the real module has it, and none has module.exports", () => {
    for (const d of DEFERRALS) {
      // Resolved from a file that defers it, as the SDK's own require would.
      const from = REQUIRED_FROM[d.request] ?? join(SDK, "index.js");
      const real = createRequire(from)(d.request) as Record<string, unknown>;
      expect(real.__esModule === true, d.request).toBe(d.esModule);
      expect(Object.getOwnPropertyDescriptor(real, "module.exports"), d.request).toBeUndefined();
      expect(d.requiredFrom(from), d.request).toBe(true);
      expect(typeof real === "function", d.request).toBe(d.standIn === "function");
    }
  });

  it("a deferred glob still globs when @pulumi/kubernetes's yaml module uses it", async () => {
    const out = inFreshProcess(`
      const yaml = require(${JSON.stringify(join(PROJECT_ROOT, "node_modules/@pulumi/kubernetes/yaml/yaml.js"))});
      void yaml;
      const before = loaded();
      const glob = require("module").createRequire(${JSON.stringify(join(PROJECT_ROOT, "node_modules/@pulumi/kubernetes/yaml/yaml.js"))})("glob");
      console.log(JSON.stringify({ before, found: glob.sync("*.json", { cwd: ${JSON.stringify(SDK)} }).sort() }));
    `);
    expect(out.error).toBeUndefined();
    expect(out.before).not.toContain("glob");
    expect(out.found).toContain("package.json");
  });

  it("leaves every other require of typescript alone", () => {
    const ts = requireHere("typescript") as { version: string };
    expect(types.isProxy(ts)).toBe(false);
    expect(ts.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("stands in for every member of @npmcli/arborist the SDK reads", () => {
    const source = readFileSync(join(SDK, "runtime/closure/codePaths.js"), "utf8");
    const read = [...new Set([...source.matchAll(/\barborist\.(\w+)/g)].map((m) => m[1]))].sort();
    expect(read.length).toBeGreaterThan(0);
    expect([...ARBORIST_MEMBERS_USED].sort()).toEqual(read);
  });

  it("answers the loaders' probes as absent only because typescript has no such keys", () => {
    const ts = requireHere("typescript") as object;
    for (const key of LOADER_PROBES) expect(Object.getOwnPropertyDescriptor(ts, key), String(key)).toBeUndefined();
  });
});

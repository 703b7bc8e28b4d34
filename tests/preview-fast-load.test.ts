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
import { ARBORIST_MEMBERS_USED, LOADER_PROBES } from "../engine/fast-load";
import { PROJECT_ROOT } from "../engine/project";

const SDK = join(PROJECT_ROOT, "node_modules/@pulumi/pulumi");
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
const loaded = () => [...new Set(Object.keys(require.cache).map((f) => f.match(/node_modules\\/(typescript|@npmcli\\/arborist)\\//)?.[1]).filter(Boolean))].sort();
(async () => { ${body} })().catch((e) => { console.log(JSON.stringify({ error: String(e) })); });
`,
  );
  const res = spawnSync(process.execPath, [script], { cwd: dir, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

describe("fast load of the Pulumi SDK", () => {
  it("loads neither typescript nor @npmcli/arborist with the SDK, then each on its first real use", () => {
    const out = inFreshProcess(`
      const atImport = loaded();
      const codePaths = await pulumi.runtime.computeCodePaths();
      const afterCodePaths = loaded();
      const closure = await pulumi.runtime.serializeFunction(() => 6 * 7);
      console.log(JSON.stringify({ atImport, codePathsIsMap: codePaths instanceof Map, afterCodePaths, closure: closure.text, afterClosure: loaded() }));
    `);
    expect(out.error).toBeUndefined();
    expect(out.atImport).toEqual([]);
    expect(out.codePathsIsMap).toBe(true);
    expect(out.afterCodePaths).toEqual(["@npmcli/arborist"]);
    expect(out.closure).toContain("6 * 7");
    expect(out.afterClosure).toEqual(["@npmcli/arborist", "typescript"]);
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

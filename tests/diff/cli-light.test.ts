/**
 * The plan readers stay light: `npm run diff` (and preview:pr reading plans) must not load the
 * Pulumi SDK or the stack programs. A plan's cost field once imported the budgets, which import
 * every stack program: `diff` went from ~0.3 s to ~1.5 s without any test noticing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/project";

/** Preloaded into the CLI's process: at exit, lists the loaded files of the packages named. */
const PROBE = `process.on("exit", () => {
  const heavy = Object.keys(require.cache).filter((f) => /node_modules[\\\\/]@pulumi[\\\\/](pulumi|gcp|kubernetes)[\\\\/]/.test(f));
  require("node:fs").writeFileSync(process.env.LOADED_FILE, JSON.stringify(heavy.length));
});
`;

describe("npm run diff", () => {
  it("diffs two plans without loading the Pulumi SDK or a provider package", () => {
    const dir = mkdtempSync(join(tmpdir(), "diff-light-"));
    const probe = join(dir, "probe.cjs");
    const loaded = join(dir, "loaded.json");
    writeFileSync(probe, PROBE);
    const fixtures = join(PROJECT_ROOT, "tests/diff/fixtures");
    const res = spawnSync(process.execPath, ["--require", probe, join(PROJECT_ROOT, "engine/build/launch.js"), "diff", join(fixtures, "base.json"), join(fixtures, "head-changes.json"), "--format", "markdown"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: { ...process.env, LOADED_FILE: loaded },
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/\S/);
    expect(JSON.parse(readFileSync(loaded, "utf8"))).toBe(0);
  });
});

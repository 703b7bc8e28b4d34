/**
 * The preview runs the policy pack: a prod stack edited to switch its database backups off fails
 * with exit 1, naming the rule and the resource; the stacks as committed pass.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../engine/cli/preview";
import { PROJECT_ROOT } from "../engine/project";
import { runCliInProcess, stackFileWith } from "./harness";

/**
 * `npm run preview -- ...args`, as the CLI's `main` in this process: these tests are about what it
 * finds, prints and returns (the committed stack's plan is this worker's memoised one), not about
 * the process, which tests/cli-hostile.test.ts spawns for exit 2 and the first test below for exit 1.
 */
const preview = (args: string[]) => runCliInProcess(main, args);

const prodWith = (extra: string) => stackFileWith("quickfund-prod", extra);

describe("preview + policy pack", () => {
  it("a prod stack with its database backups switched off exits 1 naming the rule and the resource (the process)", () => {
    // As `npm run preview` runs it, from its bundle through the launcher: the process's exit code
    // is what CI acts on, not only main's return value. The same run proves what main finds and
    // prints, so that this stack is evaluated once, not once more in process.
    const root = prodWith("  quickfund:database:\n    availability: ZONAL\n    backupsEnabled: false\n    pointInTimeRecovery: false");
    const json = join(mkdtempSync(join(tmpdir(), "plan-")), "plan.json");
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, "engine/build/launch.js"), "preview", "quickfund-prod", "--no-tree", "--root", root, "--json", json], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/\[mandatory\] gcp-sql-instance-require-backups: quickfund-instance \(gcp:sql\/databaseInstance:DatabaseInstance\)/);
    expect(r.stderr).toMatch(/mandatory policy violations in quickfund-prod/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The plan is still written, with its policy section.
    const plan = JSON.parse(readFileSync(json, "utf8")) as { policies: { policy: string; enforcementLevel: string; urn?: string }[] };
    expect(plan.policies).toContainEqual(expect.objectContaining({ policy: "gcp-sql-instance-require-backups", enforcementLevel: "mandatory", urn: expect.stringContaining("quickfund-instance") }));
  }, 60_000);

  it("backups off alone is refused earlier, by the component, because a REGIONAL instance needs them (exit 2)", async () => {
    const root = prodWith("  quickfund:database:\n    backupsEnabled: false");
    const res = await preview(["quickfund-prod", "--no-tree", "--root", root]);
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toMatch(/^quickfund-prod: platform:gcp:Postgres "quickfund": .*needs backup\.enabled/);
  });

  it("the committed prod stack passes with no mandatory violation", async () => {
    const res = await preview(["quickfund-prod", "--no-tree"]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/policies: 0 mandatory violation\(s\)/);
  });
});

/**
 * The preview runs the policy pack: a prod stack edited to switch its database backups off fails
 * with exit 1, naming the rule and the resource; the stacks as committed pass.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../engine/project";

/** `npm run preview -- ...args`: the preview CLI from its bundle (engine/build/launch.js). */
function preview(args: string[]) {
  return spawnSync(process.execPath, [join(PROJECT_ROOT, "engine/build/launch.js"), "preview", ...args], {
    encoding: "utf8",
    cwd: PROJECT_ROOT,
  });
}

function prodWith(extra: string): string {
  const root = mkdtempSync(join(tmpdir(), "preview-policy-"));
  mkdirSync(join(root, "stacks"));
  const prod = readFileSync(join(PROJECT_ROOT, "stacks/Pulumi.quickfund-prod.yaml"), "utf8");
  writeFileSync(join(root, "stacks/Pulumi.quickfund-prod.yaml"), `${prod.trimEnd()}\n${extra}\n`);
  return root;
}

describe("preview + policy pack", () => {
  it("a prod stack with its database backups switched off exits 1 naming the rule and the resource", () => {
    const root = prodWith("  quickfund:database:\n    availability: ZONAL\n    backupsEnabled: false\n    pointInTimeRecovery: false");
    const dir = mkdtempSync(join(tmpdir(), "plan-"));
    const res = preview(["quickfund-prod", "--no-tree", "--root", root, "--json", join(dir, "plan.json")]);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/\[mandatory\] gcp-sql-instance-require-backups: quickfund-instance \(gcp:sql\/databaseInstance:DatabaseInstance\)/);
    expect(res.stderr).toMatch(/mandatory policy violations in quickfund-prod/);
    // The plan is still written, with its policy section.
    const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { policies: { policy: string; enforcementLevel: string; urn?: string }[] };
    expect(plan.policies).toContainEqual(expect.objectContaining({ policy: "gcp-sql-instance-require-backups", enforcementLevel: "mandatory", urn: expect.stringContaining("quickfund-instance") }));
  });

  it("backups off alone is refused earlier, by the component, because a REGIONAL instance needs them (exit 2)", () => {
    const root = prodWith("  quickfund:database:\n    backupsEnabled: false");
    const res = preview(["quickfund-prod", "--no-tree", "--root", root]);
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toMatch(/^quickfund-prod: platform:gcp:Postgres "quickfund": .*needs backup\.enabled/);
  });

  it("the committed prod stack passes with no mandatory violation", () => {
    const res = preview(["quickfund-prod", "--no-tree"]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/policies: 0 mandatory violation\(s\)/);
  });
});

/**
 * The analysis where users meet it: `npm run preview` exits 1 on a finding and writes it into the
 * JSON plan, and `npm run policy -- --plan` finds the same class of defect in a saved plan, with
 * the upstream stack taken from a saved plan or evaluated offline.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main as policyMain } from "../../engine/cli/policy";
import { main as previewMain } from "../../engine/cli/preview";
import { DEPLOY_CHECKS } from "../../engine/deployability";
import type { PreviewDigest } from "../../engine/digest";
import { PROJECT_ROOT } from "../../engine/project";
import { runCliInProcess } from "../harness";

// The CLIs' `main(argv)` in this process: these tests are about what the CLIs find, print and
// return, and in-process they share this worker's memoised plans of the two stacks instead of
// evaluating them again in a fresh process each (tests/cli-hostile.test.ts covers the processes).
const CLIS = { preview: previewMain, policy: policyMain };
const cli = (name: keyof typeof CLIS, args: string[]) => runCliInProcess((argv) => CLIS[name](argv), args);

const dir = mkdtempSync(join(tmpdir(), "deployability-cli-"));
const devPlan = join(dir, "diaspomoney-dev.json");
const sharedPlan = join(dir, "diaspomoney-shared.json");

describe("deployability in the CLIs", () => {
  beforeAll(async () => {
    const res = await cli("preview", ["diaspomoney-shared", "--no-tree", "--json", sharedPlan]);
    expect(res.status, res.stderr).toBe(0);
    const dev = await cli("preview", ["diaspomoney-dev", "--no-tree", "--json", devPlan]);
    expect(dev.status, dev.stderr).toBe(0);
    expect(dev.stdout).toMatch(new RegExp(`deployability: 0 error\\(s\\) over ${DEPLOY_CHECKS.length} checks .*knowing what diaspomoney-shared creates first`));
  }, 120_000);

  it("the committed plan carries an empty deployability section naming its upstream", () => {
    const plan = JSON.parse(readFileSync(devPlan, "utf8")) as PreviewDigest;
    expect(plan.deployability).toMatchObject({ stack: "diaspomoney-dev", upstreamStacks: ["diaspomoney-shared"], findings: [] });
    expect(plan.deployability!.checks).toHaveLength(DEPLOY_CHECKS.length);
  });

  it("preview exits 1 when the HPA's maximum outgrows the app namespace's quota, and the plan says why", async () => {
    const root = mkdtempSync(join(tmpdir(), "deployability-root-"));
    mkdirSync(join(root, "stacks"));
    const file = readFileSync(join(PROJECT_ROOT, "stacks/Pulumi.diaspomoney-dev.yaml"), "utf8");
    expect(file).toContain("  diaspomoney:app:\n");
    writeFileSync(join(root, "stacks/Pulumi.diaspomoney-dev.yaml"), file.replace("  diaspomoney:app:\n", "  diaspomoney:app:\n    maxReplicas: 40\n"));
    const json = join(root, "plan.json");
    const res = await cli("preview", ["diaspomoney-dev", "--no-tree", "--root", root, "--json", json]);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/DEPLOYABILITY capacity/);
    expect(res.stdout).toMatch(/diaspomoney-dev\b/);
    expect(res.stderr).toMatch(/diaspomoney-dev would not deploy in one pass/);
    const plan = JSON.parse(readFileSync(json, "utf8")) as PreviewDigest;
    expect(plan.deployability!.findings).toContainEqual(expect.objectContaining({ check: "capacity", message: expect.stringMatching(/maxReplicas|HPA/) }));
  }, 60_000);

  it("policy --plan finds a secret the app can no longer read, with the upstream from a saved plan", async () => {
    const plan = JSON.parse(readFileSync(devPlan, "utf8")) as PreviewDigest;
    // The app's reference only; the Secret itself and the RedisCluster's reference stay as they are.
    const text = JSON.stringify(plan).replace('"secretKeyRef":{"key":"password","name":"redis-auth"}', '"secretKeyRef":{"key":"password","name":"redis-auth-typo"}');
    expect(text).not.toEqual(JSON.stringify(plan));
    const broken = join(dir, "broken.json");
    writeFileSync(broken, text);
    const res = await cli("policy", ["--plan", broken, "--stack", "diaspomoney-dev", "--upstream-plan", sharedPlan]);
    expect(res.status, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/DEPLOYABILITY references \(1\)/);
    expect(res.stdout).toMatch(/\[error\] web-deployment .*\n.*"redis-auth-typo"/);
    expect(res.stdout).toMatch(/knowing what diaspomoney-shared creates first/);
  }, 60_000);

  it("policy --plan over the committed plan exits 0, evaluating the shared stack offline", async () => {
    const res = await cli("policy", ["--plan", devPlan, "--stack", "diaspomoney-dev"]);
    expect(res.status, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/deployability: 0 error\(s\)/);
  }, 60_000);

  it("--upstream-plan on a stack deployed after no other is a usage error", async () => {
    // The plan itself plays no part, so an empty one: the pack runs over its resources before the
    // options are checked against the stack, and over the shared stack's it costs a quarter second.
    const empty = join(dir, "empty.json");
    writeFileSync(empty, JSON.stringify({ steps: [] }));
    const res = await cli("policy", ["--plan", empty, "--stack", "diaspomoney-shared", "--upstream-plan", sharedPlan]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/diaspomoney-shared is deployed after no other stack/);
  }, 60_000);
});

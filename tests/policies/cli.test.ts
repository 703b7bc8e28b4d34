/** `npm run policy -- --plan FILE --stack NAME`: exit codes and one-line errors. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toPreviewDigest } from "../../engine/digest";
import type { Evaluation } from "../../engine/evaluate";
import { main } from "../../engine/cli/policy";
import { mutate } from "./helpers";
import { sqlInstance } from "./specs/gcp";

const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
function planFile(name: string, resources: Evaluation["resources"]): string {
  const ev: Evaluation = { project: "platform-infra", stack: "quickfund-prod", resources, diagnostics: [], outputs: {}, durationMs: 1 };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(toPreviewDigest(ev)));
  return file;
}

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const inEu = mutate(sqlInstance, { region: "europe-west1" });

describe("npm run policy", () => {
  it("exits 0 on a clean plan", async () => {
    const r = await run(["--plan", planFile("clean.json", [inEu]), "--stack", "quickfund-prod"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 mandatory/);
  });

  it("exits 1 on mandatory violations, printing them by severity with rule, resource and fix", async () => {
    const r = await run(["--plan", planFile("bad.json", [mutate(inEu, { "settings.ipConfiguration.ipv4Enabled": true })]), "--stack", "quickfund-prod"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/CRITICAL \(1\)\n {2}\[mandatory\] gcp-sql-instance-deny-public-ip: orders-instance/);
    expect(r.out).toMatch(/fix: Set settings\.ipConfiguration\.ipv4Enabled: false/);
  });

  it("is advisory (exit 0) for the same plan in dev", async () => {
    const r = await run(["--plan", join(dir, "bad.json"), "--stack", "quickfund-dev", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { advisoryViolations: number; policies: { enforcementLevel: string }[] };
    expect(json.advisoryViolations).toBeGreaterThan(0);
    expect(json.policies.every((p) => p.enforcementLevel === "advisory")).toBe(true);
  });

  it("reads a real `pulumi preview --json` digest (no engine/outputs/policies sections)", async () => {
    const file = join(dir, "real.json");
    const digest = JSON.parse(JSON.stringify(toPreviewDigest({ project: "platform-infra", stack: "quickfund-prod", resources: [inEu], diagnostics: [], outputs: {}, durationMs: 1 })));
    delete digest.engine;
    delete digest.outputs;
    delete digest.policies;
    digest.steps.push({ op: "delete", urn: "urn:pulumi:quickfund-prod::platform-infra::gcp:storage/bucket:Bucket::old", oldState: { urn: "x", custom: true, type: "gcp:storage/bucket:Bucket", inputs: {} }, detailedDiff: null });
    writeFileSync(file, JSON.stringify(digest));
    expect((await run(["--plan", file, "--stack", "quickfund-prod"])).code).toBe(0);
  });

  it.each([
    [[], /--plan and --stack are required/],
    [["--plan"], /--plan needs a value/],
    [["--plan", "/nope.json", "--stack", "quickfund-prod"], /does not exist/],
    [["--plan", __filename, "--stack", "quickfund-prod"], /not JSON/],
    [["--bogus"], /unknown argument/],
  ])("exits 2 with one line for usage errors %j", async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.split("\n")).toHaveLength(1);
  });

  it("exits 2 for a stack without a policy config", async () => {
    const r = await run(["--plan", join(dir, "clean.json"), "--stack", "atlantis-prod"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no policy config for stack atlantis-prod/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

/** `npm run policy -- --plan FILE --stack NAME`: exit codes and one-line errors. */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toPreviewDigest } from "../../engine/digest";
import type { Evaluation } from "../../engine/evaluate";
import { main } from "../../engine/cli/policy";
import { POLICY_CONFIG_DIR } from "../../engine/policy/config";
import { mutate, TEST_STACK } from "./helpers";
import { sqlInstance } from "./specs/gcp";

const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
/** The fixtures, moved into `stack` (their URNs name it). */
function inStack(resources: Evaluation["resources"], stack: string): Evaluation["resources"] {
  return resources.map((r) => ({ ...r, urn: r.urn.replace(`urn:pulumi:${TEST_STACK}::`, `urn:pulumi:${stack}::`) }));
}
function planFile(name: string, resources: Evaluation["resources"], stack = "quickfund-prod"): string {
  const ev: Evaluation = { project: "platform-infra", stack, resources: inStack(resources, stack), diagnostics: [], outputs: {}, durationMs: 1 };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(toPreviewDigest(ev)));
  return file;
}

async function run(args: string[], configDir?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (s) => out.push(s), (s) => err.push(s), configDir ? { configDir } : {});
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A copy of the real config files, with `stack`'s edited by `edit` (what a careless or hostile edit does). */
function editedConfigs(stack: string, edit: (config: Record<string, Record<string, unknown>>) => void): string {
  const d = mkdtempSync(join(tmpdir(), "policy-config-"));
  for (const f of readdirSync(POLICY_CONFIG_DIR).filter((f) => f.endsWith(".json"))) copyFileSync(join(POLICY_CONFIG_DIR, f), join(d, f));
  const config = JSON.parse(readFileSync(join(d, `${stack}.json`), "utf8")) as Record<string, Record<string, unknown>>;
  edit(config);
  writeFileSync(join(d, `${stack}.json`), JSON.stringify(config, null, 2));
  return d;
}

const inEu = mutate(sqlInstance, { region: "europe-west1" });
const PUBLIC_IP = "gcp-sql-instance-deny-public-ip";
const publicIp = mutate(inEu, { "settings.ipConfiguration.ipv4Enabled": true });

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

  it("is advisory (exit 0) for the same change in dev", async () => {
    const r = await run(["--plan", planFile("bad-dev.json", [publicIp], "quickfund-dev"), "--stack", "quickfund-dev", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { advisoryViolations: number; policies: { enforcementLevel: string }[] };
    expect(json.advisoryViolations).toBeGreaterThan(0);
    expect(json.policies.every((p) => p.enforcementLevel === "advisory")).toBe(true);
  });

  it("reads a real `pulumi preview --json` digest (no engine/outputs/policies sections)", async () => {
    const file = join(dir, "real.json");
    const digest = JSON.parse(JSON.stringify(toPreviewDigest({ project: "platform-infra", stack: "quickfund-prod", resources: inStack([inEu], "quickfund-prod"), diagnostics: [], outputs: {}, durationMs: 1 })));
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

  it.each([["atlantis-prod"], ["../../package"], ["../config/quickfund-prod"], ["quickfund-prod/../../x"], [""]])("exits 2 for --stack %j, which is not a stack of this repository (never joined into a path)", async (stack) => {
    const r = await run(["--plan", join(dir, "clean.json"), `--stack=${stack}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(stack ? /is not a stack of this repository/ : /required/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("exits 2 when the plan is another stack's (its URNs name quickfund-prod, --stack says quickfund-dev)", async () => {
    const r = await run(["--plan", join(dir, "bad.json"), "--stack", "quickfund-dev"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: plan file ${join(dir, "bad.json")} is a plan of stack quickfund-prod, not --stack quickfund-dev`);
  });
});

describe("npm run policy: what a config file cannot relax", () => {
  const bad = () => planFile("bad.json", [publicIp]);

  it.each([
    ["a waiver on the resource", { target: "orders-instance", reason: "temporary", expires: "2999-12-31" }],
    ["a '*' waiver", { target: "*", reason: "everything", expires: "2999-12-31" }],
  ])("refuses %s in a prod config: exit 2, one clear line", async (_label, waiver) => {
    const configs = editedConfigs("quickfund-prod", (c) => c[PUBLIC_IP].waivers = [waiver]);
    const r = await run(["--plan", bad(), "--stack", "quickfund-prod"], configs);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`waivers are refused in prod stacks \\(${PUBLIC_IP} waives "${waiver.target.replace("*", "\\*")}"\\)`));
    expect(r.err.split("\n")).toHaveLength(1);
  });

  it("refuses a waiver in a shared config too", async () => {
    const configs = editedConfigs("diaspomoney-shared", (c) => c[PUBLIC_IP].waivers = [{ target: "*", reason: "r", expires: "2999-12-31" }]);
    const r = await run(["--plan", planFile("shared.json", [publicIp], "diaspomoney-shared"), "--stack", "diaspomoney-shared"], configs);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/waivers are refused in shared stacks/);
  });

  it("applies a waiver in a dev config (exit 0, recorded)", async () => {
    const configs = editedConfigs("quickfund-dev", (c) => c[PUBLIC_IP].waivers = [{ target: "orders-instance", reason: "demo", expires: "2999-12-31" }]);
    const r = await run(["--plan", planFile("bad-dev.json", [publicIp], "quickfund-dev"), "--stack", "quickfund-dev", "--json"], configs);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { waived: number }).waived).toBe(1);
  });

  it("refuses a prod config edited to env: dev (prod-ness comes from the stack name)", async () => {
    const configs = editedConfigs("quickfund-prod", (c) => {
      for (const e of Object.values(c)) e.env = "dev";
    });
    const r = await run(["--plan", bad(), "--stack", "quickfund-prod"], configs);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/claims env "dev", but stack quickfund-prod is prod/);
  });

  it("refuses a prod config that lowers a rule to advisory or disables it, or drops its entry", async () => {
    for (const edit of [(c: Record<string, Record<string, unknown>>) => (c[PUBLIC_IP].enforcementLevel = "advisory"), (c: Record<string, Record<string, unknown>>) => (c[PUBLIC_IP].enforcementLevel = "disabled"), (c: Record<string, Record<string, unknown>>) => delete c[PUBLIC_IP]]) {
      const r = await run(["--plan", bad(), "--stack", "quickfund-prod"], editedConfigs("quickfund-prod", edit));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`${PUBLIC_IP} (is (advisory|disabled) but must be at least mandatory|has no entry)`));
    }
  });

  it("refuses another stack's config under this stack's name", async () => {
    const configs = editedConfigs("quickfund-prod", (c) => {
      for (const e of Object.values(c)) e.stack = "quickfund-dev";
    });
    const r = await run(["--plan", bad(), "--stack", "quickfund-prod"], configs);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is configured for stack "quickfund-dev", not quickfund-prod/);
  });
});

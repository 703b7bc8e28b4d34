/**
 * `npm run cost`: on real stacks, as the CLI's `main` in this process (what it estimates and
 * prints), and once as a real process from its bundle, as `npm run cost` runs it, for the exit
 * code and the one stderr line of a usage error thrown through runMain (a process costs 1–2 s of
 * module loading, and main's return value is the exit code of every other path).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { formatStackCost, main, parseArgs, platformTotals } from "../../engine/cli/cost";
import { CliError } from "../../engine/cli/args";
import type { CostEstimate } from "../../model/cost/types";
import { ECB_REFERENCE } from "../../model/cost/currency";

const ROOT = path.join(__dirname, "..", "..");
const LAUNCHER = path.join(ROOT, "engine", "build", "launch.js");
const run = promisify(execFile);

describe("npm run cost", () => {
  it("estimates quickfund-dev: total, budget, rate line, and the JSON file", async () => {
    const out: string[] = [];
    const json = path.join(mkdtempSync(path.join(tmpdir(), "cost-")), "cost.json");
    const code = await main(["quickfund-dev", "--json", json], (s) => out.push(s));
    const text = out.join("\n");
    expect(code).toBe(0);
    expect(text).toMatch(/^quickfund-dev: \$\d+(\.\d\d)?\/month = €\d+(\.\d\d)?\/month/m);
    expect(text).toContain("budget: €375/month (advisory");
    expect(text).toContain("DatabaseInstance quickfund-instance instance: db-custom-1-3840 zonal");
    expect(text).toContain(`at 1 USD = 0.8503 EUR, ECB ${ECB_REFERENCE.date}`);
    const body = JSON.parse(readFileSync(json, "utf8"));
    expect(body.currency).toMatchObject({ code: "EUR", date: ECB_REFERENCE.date });
    expect(body.stacks[0].estimate.stack).toBe("quickfund-dev");
    expect(body.stacks[0].estimate.monthlyUsd).toBeGreaterThan(50);
  });

  it("exits 0 and prints the CHF rate with its date", async () => {
    const out: string[] = [];
    expect(await main(["quickfund-dev", "--currency", "CHF"], (s) => out.push(s))).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/quickfund-dev: \$\d+(\.\d\d)?\/month = CHF \d+/);
    expect(text).toContain(`at 1 USD = 0.7785 CHF, ECB ${ECB_REFERENCE.date}`);
  });

  it("judges CryptoCare's prod against its phase's figure, shows the cost per user, and reports dev beside it", async () => {
    const out: string[] = [];
    expect(await main(["cryptocare-dev", "cryptocare-prod", "--currency", "CHF"], (s) => out.push(s))).toBe(0);
    const text = out.join("\n");
    // cryptocare-prod is at phase p2: cryptocare.md § 8.1 "Phase 2 | 20 000 | 4 000 CHF".
    expect(text).toMatch(/cryptocare-prod: .*\n  budget: CHF 4,000\/month \(advisory\)/);
    expect(text).toMatch(/CHF 0\.\d+ per user a month \(20,000 users in the figure\)/);
    expect(text).toContain("budget: cryptocare's document states a budget for prod only: dev is reported beside it");
    expect(text).toMatch(/cryptocare \(cryptocare-dev, cryptocare-prod\): .*; budget CHF 4,000\/month for cryptocare-prod \(advisory\)/);
  });

  it("exits 2 naming the expected values on a bad currency (the process)", async () => {
    const err = await run(process.execPath, [LAUNCHER, "cost", "quickfund-dev", "--currency", "GBP"], { cwd: ROOT, timeout: 120_000 }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr.trim().split("\n")).toEqual(["cost: --currency GBP: expected EUR, CHF or USD"]);
  }, 120_000);

  it("rejects an unknown stack and a missing one before any work", () => {
    expect(() => parseArgs(["nope-dev"])).toThrow(CliError);
    expect(() => parseArgs([])).toThrow(/no stack given/);
    expect(parseArgs(["--all"]).stacks).toContain("diaspomoney-shared");
  });

  it("prints a shortfall as an error line", () => {
    const e: CostEstimate = { stack: "quickfund-dev", monthlyUsd: 0, lines: [], shortfalls: [{ urn: "u", message: "pods request 60 CPU" }], assumptions: [] };
    expect(formatStackCost(e, "USD")).toContain("error: shortfall: pods request 60 CPU");
  });

  it("counts a shared node pool once per platform, at the larger of its min price and the shares on it", () => {
    const pool = "urn:pulumi:diaspomoney-shared::p::gcp:container/nodePool:NodePool::pool";
    const nodes = { urn: pool, type: "gcp:container/nodePool:NodePool", name: "pool", item: "nodes", detail: "", monthlyUsd: 100 };
    const share = (stack: string, usd: number) => ({ urn: `urn:pulumi:${stack}::p::kubernetes:apps/v1:Deployment::web`, type: "kubernetes:apps/v1:Deployment", name: "web", item: "requests", detail: "", monthlyUsd: usd, shareOf: pool });
    const shared: CostEstimate = { stack: "diaspomoney-shared", monthlyUsd: 100, lines: [nodes], shortfalls: [], assumptions: [] };
    const dev: CostEstimate = { stack: "diaspomoney-dev", monthlyUsd: 70, lines: [share("diaspomoney-dev", 60), { ...nodes, urn: "b", type: "gcp:storage/bucket:Bucket", item: "storage", monthlyUsd: 10 }], shortfalls: [], assumptions: [], upstreamShareUsd: 60 };
    const prod: CostEstimate = { stack: "diaspomoney-prod", monthlyUsd: 80, lines: [share("diaspomoney-prod", 80)], shortfalls: [], assumptions: [], upstreamShareUsd: 80 };
    // pool: max(100, 60 + 80) = 140 (40 of scale-up), plus the bucket 10 = 150
    expect(platformTotals([shared, dev, prod])).toEqual([{ platform: "diaspomoney", stacks: ["diaspomoney-shared", "diaspomoney-dev", "diaspomoney-prod"], monthlyUsd: 150, scaleUpUsd: 40 }]);
  });
});

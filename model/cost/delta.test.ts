import { describe, expect, it } from "vitest";
import { costDelta, isNoCostChange, topMoves } from "./delta";
import type { CostEstimate, CostLine } from "./types";

const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const urn = (name: string, type = SQL) => `urn:pulumi:quickfund-prod::platform-infra::${type}::${name}`;
const line = (name: string, item: string, monthlyUsd: number | undefined, detail: string, extra: Partial<CostLine> = {}): CostLine => ({
  urn: urn(name),
  type: SQL,
  name,
  item,
  detail,
  ...(monthlyUsd !== undefined ? { monthlyUsd } : {}),
  ...extra,
});
const estimate = (lines: CostLine[]): CostEstimate => ({
  stack: "quickfund-prod",
  monthlyUsd: lines.reduce((n, l) => n + (l.monthlyUsd ?? 0), 0),
  lines,
  shortfalls: [],
  assumptions: [],
});

const BASE = estimate([
  line("db", "instance", 200, "db-custom-2-7680 regional"),
  line("db", "disk", 17, "50 GB SSD regional"),
  line("bucket", "storage", 2, "100 GB STANDARD EU"),
  line("nat", "gateway", 32.85, "1 NAT gateway"),
]);

describe("costDelta", () => {
  it("matches lines by (urn, item), sums the delta and orders the moves largest first", () => {
    const head = estimate([
      line("db", "instance", 400, "db-custom-4-16384 regional"),
      line("db", "disk", 34, "100 GB SSD regional"),
      line("bucket", "storage", 2, "100 GB STANDARD EU"),
      line("nat", "gateway", 32.85, "1 NAT gateway"),
    ]);
    const d = costDelta("quickfund-prod", BASE, head);
    // 400 - 200 + 34 - 17 = 217; the bucket and NAT did not move.
    expect(d.deltaUsd).toBeCloseTo(217, 6);
    expect(d.beforeUsd).toBeCloseTo(251.85, 6);
    expect(d.afterUsd).toBeCloseTo(468.85, 6);
    expect(d.lines.map((l) => [l.item, l.deltaUsd, l.beforeDetail, l.afterDetail])).toEqual([
      ["instance", 200, "db-custom-2-7680 regional", "db-custom-4-16384 regional"],
      ["disk", 17, "50 GB SSD regional", "100 GB SSD regional"],
    ]);
  });

  it("reports added and removed lines with their side's detail", () => {
    const head = estimate([...BASE.lines.filter((l) => l.name !== "nat"), line("replica", "instance", 100, "db-custom-1-3840 zonal")]);
    const d = costDelta("quickfund-prod", BASE, head);
    expect(d.deltaUsd).toBeCloseTo(100 - 32.85, 6);
    expect(d.lines.map((l) => [l.name, l.kind, l.deltaUsd])).toEqual([
      ["replica", "added", 100],
      ["nat", "removed", -32.85],
    ]);
    expect(d.lines[1]).toMatchObject({ beforeDetail: "1 NAT gateway", beforeUsd: 32.85 });
    expect(d.lines[1].afterDetail).toBeUndefined();
  });

  it("keeps the three largest moves, whatever their sign", () => {
    const head = estimate([
      line("db", "instance", 150, "db-custom-1-3840 regional"), // -50
      line("db", "disk", 27, "80 GB SSD regional"), // +10
      line("bucket", "storage", 1, "50 GB STANDARD EU"), // -1
      line("nat", "gateway", 0, "no NAT"), // -32.85
    ]);
    expect(topMoves(costDelta("quickfund-prod", BASE, head)).map((l) => l.name + "/" + l.item)).toEqual(["db/instance", "nat/gateway", "db/disk"]);
  });

  it("says no cost change when nothing moved by a cent, even if a detail's wording changed", () => {
    const head = estimate(BASE.lines.map((l) => (l.name === "bucket" ? { ...l, detail: "100 GB STANDARD (EU)" } : l)));
    const d = costDelta("quickfund-prod", BASE, head);
    expect(isNoCostChange(d)).toBe(true);
    expect(isNoCostChange(costDelta("quickfund-prod", BASE, estimate([...BASE.lines, line("x", "instance", 0.01, "tiny")])))).toBe(false);
  });

  it("reports a line that stopped being priced, not a silent drop to zero", () => {
    const head = estimate(BASE.lines.map((l) => (l.name === "nat" ? { ...l, monthlyUsd: undefined, notPriced: "no price for this region" } : l)));
    const moved = costDelta("quickfund-prod", BASE, head).lines;
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ name: "nat", kind: "changed", beforeUsd: 32.85, notPriced: "no price for this region" });
    expect(moved[0].afterUsd).toBeUndefined();
  });

  it("takes a missing side as no estimate (a new stack, a base from before estimates)", () => {
    const d = costDelta("quickfund-prod", undefined, BASE);
    expect(d.beforeUsd).toBeUndefined();
    expect(d.deltaUsd).toBeCloseTo(251.85, 6);
    expect(d.lines.every((l) => l.kind === "added")).toBe(true);
  });

  it("lists shortfalls that appear with the change", () => {
    const head = { ...BASE, shortfalls: [{ urn: urn("kafka"), message: "kafka requests 6 vCPU; the pool holds 4 at max size" }] };
    expect(costDelta("quickfund-prod", BASE, head).newShortfalls).toEqual(["kafka requests 6 vCPU; the pool holds 4 at max size"]);
    expect(costDelta("quickfund-prod", head, head).newShortfalls).toEqual([]);
  });
});

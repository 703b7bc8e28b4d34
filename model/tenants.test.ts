import { describe, expect, it } from "vitest";
import { FIRM_PLANS, placeFirms, rendezvousShard } from "./tenants";

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `cabinet-${from + i}`);
const SHARDS = ["shard-0", "shard-1"];

describe("firm placement on shards", () => {
  it("is deterministic and independent of the shard list's order", () => {
    for (const id of ids(50)) expect(rendezvousShard(id, SHARDS)).toBe(rendezvousShard(id, [...SHARDS].reverse()));
  });

  it("never moves a firm when others are added or removed", () => {
    const before = placeFirms(ids(20).map((id) => ({ id })), SHARDS);
    const after = placeFirms(ids(200).map((id) => ({ id })), SHARDS);
    if (!("placement" in before) || !("placement" in after)) throw new Error("unexpected problem");
    for (const [id, shard] of before.placement) expect(after.placement.get(id), id).toBe(shard);
  });

  it("moves only the firms a new shard wins, never one between the old shards", () => {
    const two = ids(200).map((id) => [id, rendezvousShard(id, SHARDS)] as const);
    const three = new Map(ids(200).map((id) => [id, rendezvousShard(id, [...SHARDS, "shard-2"])]));
    const moved = two.filter(([id, shard]) => three.get(id) !== shard);
    for (const [id] of moved) expect(three.get(id)).toBe("shard-2");
    // About a third of the firms go to the third shard.
    expect(moved.length).toBeGreaterThan(40);
    expect(moved.length).toBeLessThan(95);
  });

  it("balances firms across shards", () => {
    const counts = new Map<string, number>();
    for (const id of ids(200)) counts.set(rendezvousShard(id, SHARDS), (counts.get(rendezvousShard(id, SHARDS)) ?? 0) + 1);
    for (const shard of SHARDS) expect(counts.get(shard)).toBeGreaterThan(80);
  });

  it("keeps a shard an entry pins, and names the entry when it is wrong", () => {
    const pinned = placeFirms([{ id: "a", shard: "shard-1" }, { id: "b" }], SHARDS);
    expect("placement" in pinned && pinned.placement.get("a")).toBe("shard-1");
    expect(placeFirms([{ id: "a" }, { id: "a" }], SHARDS)).toEqual({ problem: { key: "firms[1].id", expected: "an id no other firm has", got: '"a"' } });
    expect(placeFirms([{ id: "a", shard: "shard-9" }], SHARDS)).toEqual({ problem: { key: "firms[0].shard", expected: "one of shard-0, shard-1", got: '"shard-9"' } });
    expect(() => rendezvousShard("a", [])).toThrow(/no shard/);
  });

  it("states the document's plans", () => {
    expect(FIRM_PLANS.pro).toEqual({ users: 20, monthlyPriceEur: 249 });
    expect(FIRM_PLANS.starter.users).toBe(5);
    expect(FIRM_PLANS.enterprise.users).toBeUndefined();
  });
});

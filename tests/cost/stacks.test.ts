/** The estimator on the real stacks: every resource priced or free, and env pods priced on the shared pool. */
import { describe, expect, it } from "vitest";
import { estimateStacks } from "../../engine/cost";

describe("estimates of the real stacks", () => {
  it("prices DiaspoMoney dev's pods as its share of the shared cluster's node pool, with no shortfall", async () => {
    const [e] = await estimateStacks(["diaspomoney-dev"]);
    expect(e!.shortfalls).toEqual([]);
    const shares = e!.lines.filter((l) => l.shareOf?.includes("diaspomoney-shared") && l.monthlyUsd !== undefined);
    expect(shares.map((l) => l.item)).toContain("requests:KafkaNodePool broker (Strimzi)");
    expect(e!.upstreamShareUsd).toBeCloseTo(shares.reduce((s, l) => s + l.monthlyUsd!, 0), 2);
  });

  it("leaves no GCP type of quickfund-prod without a pricer or a free reason", async () => {
    const [e] = await estimateStacks(["quickfund-prod"]);
    expect(e!.lines.filter((l) => l.notPriced?.startsWith("no pricer"))).toEqual([]);
    expect(e!.lines.find((l) => l.type === "gcp:sql/databaseInstance:DatabaseInstance" && l.item === "instance")?.detail).toBe("db-custom-2-7680 regional (HA)");
    expect(e!.monthlyUsd).toBeGreaterThan(0);
  });
});

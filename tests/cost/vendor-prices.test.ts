/** The price extract: what `npm run vendor:prices` keeps from the cyclenerd file, and its refusals. */
import { describe, expect, it } from "vitest";
import { extract, main } from "../../engine/cli/vendor-prices";
import { PRICED_REGIONS } from "../../model/cost/prices";

const perRegion = (unit: string, v: number) => ({ cost: Object.fromEntries([...PRICED_REGIONS, "us-central1"].map((r) => [r, { [unit]: v }])) });

/** A cyclenerd file cut down to one machine of a priced family, one of another, and every section the extract reads. */
function doc(): Record<string, unknown> {
  const bucket = (v: number) => ({ ...perRegion("month", v) });
  const multi = (v: number) => ({ cost: { "europe-multi": { month: v } } });
  return {
    about: { generated: "Thu Jul 30 06:13:17 2026", url: "https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator" },
    compute: {
      instance: { "e2-standard-4": { cpu: 4, ram: 16, ...perRegion("hour", 0.15) }, "m3-ultramem-32": { cpu: 32, ram: 976, ...perRegion("hour", 9) } },
      storage: Object.fromEntries(["balanced", "balanced-replicated", "ssd", "ssd-replicated", "hdd", "snapshot"].map((d) => [d, perRegion("month", 0.1)])),
      network: { ip: { unused: perRegion("hour", 0.01), vm: perRegion("hour", 0.005) }, nat: { gateway: perRegion("hour", 0.0448), data: perRegion("month", 0.045) } },
    },
    storage: { bucket: Object.fromEntries(["standard", "nearline", "coldline", "archiv"].flatMap((c) => [[c, bucket(0.02)], [`${c}-multi`, multi(0.026)]])) },
  };
}

describe("vendor:prices", () => {
  it("keeps the priced families and regions only, keyed by their cyclenerd path", () => {
    const ex = extract(doc());
    expect(ex.prices["compute.instance.e2-standard-4.cost.europe-west1.hour"]).toBe(0.15);
    expect(ex.prices["compute.instance.e2-standard-4.ram"]).toBe(16);
    expect(ex.prices["storage.bucket.standard-multi.cost.europe-multi.month"]).toBe(0.026);
    expect(Object.keys(ex.prices).some((k) => k.includes("m3-ultramem"))).toBe(false);
    expect(Object.keys(ex.prices).some((k) => k.includes("us-central1"))).toBe(false);
  });

  it("fails naming the path when a section is missing", () => {
    const d = doc();
    delete (d.compute as Record<string, unknown>).network;
    expect(() => extract(d)).toThrow(/expected an object at compute\.network/);
  });

  it("has no default source folder", () => {
    expect(() => main([])).toThrow(/--from DIR is required/);
  });
});

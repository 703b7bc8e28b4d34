/** The loader's refusal rule and the currency formatter. */
import { describe, expect, it } from "vitest";
import { ECB_REFERENCE, formatMonthly, groupThousands, perUsd } from "../../model/cost/currency";
import { PriceError, PriceLookup, VENDORED_PRICES } from "../../model/cost/prices";

describe("vendored prices", () => {
  it("refuses an unconfirmed price with an error naming its key", () => {
    const p = new PriceLookup();
    expect(VENDORED_PRICES.gcp["cloudsql.ssd_gb_month.zonal.europe-west1"]?.status).toBe("unconfirmed");
    expect(() => p.usd("cloudsql.ssd_gb_month.zonal.europe-west1")).toThrow(PriceError);
    expect(() => p.usd("cloudsql.ssd_gb_month.zonal.europe-west1")).toThrow(/cloudsql\.ssd_gb_month\.zonal\.europe-west1: status unconfirmed.*refused/);
    expect(p.keys).toEqual([]);
  });

  it("refuses an entry with usd null even when its status is confirmed", () => {
    expect(VENDORED_PRICES.gcp["cloudrun.free_tier.request_based.month"]?.status).toBe("confirmed");
    expect(() => new PriceLookup().usd("cloudrun.free_tier.request_based.month")).toThrow(/usd null/);
  });

  it("refuses an unknown key, and a catalogue path the extract lacks", () => {
    expect(() => new PriceLookup().usd("no.such.key")).toThrow(/no\.such\.key: no such key/);
    expect(() => new PriceLookup().catalog("compute.instance.m3-ultramem-32.cost.europe-west1.hour")).toThrow(/not in vendor\/pricing\/cyclenerd-extract\.json/);
  });

  it("records every key it read", () => {
    const p = new PriceLookup();
    p.usd("gke.cluster_management_fee.hour.global");
    p.catalog("compute.instance.e2-standard-4.cost.europe-west1.hour");
    expect(p.keys).toEqual(["gke.cluster_management_fee.hour.global", "cyclenerd:compute.instance.e2-standard-4.cost.europe-west1.hour"]);
  });
});

describe("currency", () => {
  it("converts at the ECB reference rate and prints the rate and its date", () => {
    // 1 EUR = 1.1761 USD → 1 USD = 0.8503 EUR; $100 = €85.03
    expect(perUsd("EUR")).toBeCloseTo(0.850268, 6);
    expect(formatMonthly(100, "EUR")).toBe(`€85.03/month (at 1 USD = 0.8503 EUR, ECB ${ECB_REFERENCE.date})`);
    // 1 USD = 0.9156 / 1.1761 CHF = 0.7785; $1,000 = CHF 779
    expect(formatMonthly(1000, "CHF")).toBe(`CHF 779/month (at 1 USD = 0.7785 CHF, ECB ${ECB_REFERENCE.date})`);
    expect(formatMonthly(123.456, "USD")).toBe("$123/month");
  });
});

describe("groupThousands", () => {
  it("writes what toLocaleString('en-US') writes, without initialising ICU", () => {
    const values = [0, 5, 999, 1000, 12_345, 999_999.5, 1_000_000, 2_628_000, 1234567.891, -1234.5, 0.5, 1e9];
    for (const v of values) {
      for (const digits of [0, 2]) {
        expect(groupThousands(v, digits), `${v} with ${digits} digits`).toBe(v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits, roundingMode: "halfExpand" } as Intl.NumberFormatOptions));
      }
    }
  });

  it("never writes a minus zero (toLocaleString writes -0 for -0.004)", () => {
    expect(groupThousands(-0.004)).toBe("0");
    expect(groupThousands(-0.004, 2)).toBe("0.00");
  });
});

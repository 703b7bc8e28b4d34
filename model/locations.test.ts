import { describe, expect, it } from "vitest";
import { EU_BUCKET_LOCATIONS, EU_REGIONS } from "./locations";

describe("EU locations", () => {
  it("keep London and Zurich out: in Europe, not in the EU", () => {
    expect(EU_REGIONS).toContain("europe-west1");
    expect(EU_REGIONS).not.toContain("europe-west2");
    expect(EU_REGIONS).not.toContain("europe-west6");
  });

  it("derive the bucket locations from the regions, plus the EU multi- and dual-region", () => {
    expect(EU_BUCKET_LOCATIONS).toEqual(["EU", "EUR4", ...EU_REGIONS.map((r) => r.toUpperCase())]);
    expect(EU_BUCKET_LOCATIONS).not.toContain("EUROPE-WEST6");
  });

  it("cannot be changed by an importer", () => {
    expect(Object.isFrozen(EU_REGIONS)).toBe(true);
    expect(Object.isFrozen(EU_BUCKET_LOCATIONS)).toBe(true);
  });
});

/** CIDRs as address ranges (policies/lib/cidr.ts). */
import { describe, expect, it } from "vitest";
import { exposure, parseCidr } from "../../policies/lib/cidr";
import { UNKNOWN } from "../../policies/lib/values";

describe("parseCidr", () => {
  it("reads IPv4 and IPv6 ranges and bare addresses", () => {
    expect(parseCidr("10.0.0.0/8")).toMatchObject({ family: 4, start: 0x0a000000n, end: 0x0affffffn });
    expect(parseCidr("192.168.1.7")).toMatchObject({ family: 4, start: 0xc0a80107n, end: 0xc0a80107n });
    expect(parseCidr("2001:db8::/32")).toMatchObject({ family: 6, start: 0x20010db8n << 96n });
    expect(parseCidr("::/0")).toMatchObject({ family: 6, start: 0n, end: (1n << 128n) - 1n });
    expect(parseCidr("::ffff:10.0.0.1")).toMatchObject({ family: 6, start: (0xffffn << 32n) | 0x0a000001n });
  });
  it("masks host bits", () => {
    expect(parseCidr("10.1.2.3/8")).toMatchObject({ start: 0x0a000000n, end: 0x0affffffn });
  });
  it("refuses what is not a range", () => {
    for (const bad of ["10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "office", "", "1:2:3", "1::2::3/64", "::/129", "10.0.0.0/-1", "0x0a.0.0.0/8"]) expect(parseCidr(bad), bad).toBeUndefined();
  });
});

describe("exposure", () => {
  it("sees the whole Internet however it is spelled", () => {
    for (const ranges of [["0.0.0.0/0"], ["0.0.0.0/1", "128.0.0.0/1"], ["::/0"], ["2000::/3"], ["0.0.0.0"], ["*"], ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]]) {
      expect(exposure(ranges).wholeInternet, ranges.join(",")).toBe(true);
    }
  });
  it("counts more than a /8 of public addresses as broad, and private ranges as not public", () => {
    expect(exposure(["64.0.0.0/2"])).toMatchObject({ wholeInternet: false, broad: true });
    expect(exposure(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"])).toMatchObject({ wholeInternet: false, broad: false, publicRanges: [] });
    expect(exposure(["35.191.0.0/16", "130.211.0.0/22", "35.235.240.0/20"])).toMatchObject({ broad: false, wholeInternet: false });
    expect(exposure(["1.0.0.0/8"]).broad).toBe(false);
    expect(exposure(["1.0.0.0/8", "2.0.0.0/8"]).broad).toBe(true);
  });
  it("reports what it cannot parse and what it cannot know", () => {
    expect(exposure(["10.0.0.0/8", "everywhere", 42])).toMatchObject({ invalid: ["everywhere", "42"] });
    expect(exposure([UNKNOWN, "10.0.0.0/8"])).toMatchObject({ unknown: true, wholeInternet: false });
  });
});

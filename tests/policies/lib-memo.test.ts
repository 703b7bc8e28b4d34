/** memoByString: one call per distinct input, bounded memory. */
import { describe, expect, it } from "vitest";
import { memoByString } from "../../policies/lib/memo";

describe("memoByString", () => {
  it("calls the function once per distinct input, undefined results included", () => {
    const calls: string[] = [];
    const f = memoByString((s) => {
      calls.push(s);
      return s === "none" ? undefined : s.length;
    }, 10);
    expect([f("abc"), f("abc"), f("none"), f("none"), f("de")]).toEqual([3, 3, undefined, undefined, 2]);
    expect(calls).toEqual(["abc", "none", "de"]);
  });

  it("empties its cache when it reaches the limit, and still answers right", () => {
    const calls: string[] = [];
    const f = memoByString((s) => {
      calls.push(s);
      return s.toUpperCase();
    }, 2);
    f("a");
    f("b");
    f("c"); // the cache held 2: emptied, then c kept
    expect(f("a")).toBe("A");
    expect(calls).toEqual(["a", "b", "c", "a"]);
  });
});

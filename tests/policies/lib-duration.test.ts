/** Durations in the provider's syntax (policies/lib/duration.ts). */
import { describe, expect, it } from "vitest";
import { describeSeconds, readProtoDuration } from "../../policies/lib/duration";
import { UNKNOWN } from "../../policies/lib/values";

describe("readProtoDuration", () => {
  it("reads protobuf JSON durations", () => {
    expect(readProtoDuration("7776000s")).toEqual({ kind: "ok", seconds: 7_776_000, raw: "7776000s" });
    expect(readProtoDuration("1.5s")).toMatchObject({ kind: "ok", seconds: 1.5 });
  });
  it("never guesses a unit: bare numbers and other syntaxes are invalid", () => {
    for (const bad of [90, "90", "90d", "2160h", "7776000 s", "-1s", "s", true, {}]) expect(readProtoDuration(bad).kind, JSON.stringify(bad)).toBe("invalid");
  });
  it("tells absent from unknown", () => {
    expect(readProtoDuration(undefined).kind).toBe("absent");
    expect(readProtoDuration(UNKNOWN).kind).toBe("unknown");
    expect(readProtoDuration("04da6b54-80e4-46f7-96ec-b56ff0331ba9").kind).toBe("unknown");
  });
  it("describes seconds in days", () => {
    expect(describeSeconds(86_400)).toBe("1 day");
    expect(describeSeconds(7_776_000)).toBe("90 days");
  });
});

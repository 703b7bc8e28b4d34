/**
 * Durations in the syntax the provider really accepts. Google APIs take protobuf JSON durations:
 * a decimal number of seconds with an `s` suffix (`"7776000s"`, `"86400.5s"`). A bare `90` or
 * `"90"` is not a duration there: the API refuses it, so a rule reports it as unparseable instead
 * of guessing a unit.
 */
import { isUnknown, plain } from "./values";

export type DurationReading =
  | { kind: "absent" }
  | { kind: "unknown" }
  | { kind: "invalid"; raw: string }
  | { kind: "ok"; seconds: number; raw: string };

const PROTO_DURATION = /^(\d+)(\.\d{1,9})?s$/;

/** Reads a protobuf JSON duration (`"7776000s"`). */
export function readProtoDuration(v: unknown): DurationReading {
  if (v === undefined || v === null || v === "") return { kind: "absent" };
  if (isUnknown(v)) return { kind: "unknown" };
  if (typeof v !== "string") return { kind: "invalid", raw: JSON.stringify(plain(v)) };
  const m = PROTO_DURATION.exec(v);
  if (!m) return { kind: "invalid", raw: JSON.stringify(plain(v)) };
  return { kind: "ok", seconds: Number(m[1]) + (m[2] ? Number(`0${m[2]}`) : 0), raw: v };
}

export const DAY_SECONDS = 86_400;

/** `7776000s` → `90 days`, for messages. */
export function describeSeconds(seconds: number): string {
  const days = seconds / DAY_SECONDS;
  return Number.isInteger(days) ? `${days} day${days === 1 ? "" : "s"}` : `${seconds} s`;
}

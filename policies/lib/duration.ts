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

/** PostgreSQL's time units (a GUC such as archive_timeout: `5min`, `300`, `1h`), in seconds. */
const PG_TIME_UNITS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600, d: DAY_SECONDS };

/**
 * Reads a PostgreSQL time parameter the way postgresql.conf does: an integer with one of
 * PostgreSQL's units (`us ms s min h d`, case-sensitive; `m` is not minutes there), or a bare
 * number in the parameter's base unit (`baseUnitSeconds`: 1 for archive_timeout).
 */
export function readPgDuration(v: unknown, baseUnitSeconds = 1): DurationReading {
  if (v === undefined || v === null || v === "") return { kind: "absent" };
  if (isUnknown(v)) return { kind: "unknown" };
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? { kind: "ok", seconds: v * baseUnitSeconds, raw: String(v) } : { kind: "invalid", raw: String(v) };
  if (typeof v !== "string") return { kind: "invalid", raw: JSON.stringify(plain(v)) };
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(v);
  if (!m) return { kind: "invalid", raw: JSON.stringify(v) };
  return { kind: "ok", seconds: Number(m[1]) * (m[2] ? PG_TIME_UNITS[m[2]] : baseUnitSeconds), raw: v };
}

/** `300` seconds → `5 min`, `5400` → `90 min`, `86400` → `1440 min`: RPOs are stated in minutes. */
export function describeMinutes(minutes: number): string {
  const rounded = Math.round(minutes * 10) / 10;
  return `${rounded} min`;
}

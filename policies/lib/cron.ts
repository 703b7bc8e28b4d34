/**
 * The longest gap between two runs of a cron schedule, in hours: "at least every 48 h" means the
 * worst gap, not the average (`0 3 * * 1,3` runs twice a week but leaves a 5-day gap).
 */
import { memoByString } from "./memo";

function field(spec: string, min: number, max: number, names: Record<string, number> = {}): Set<number> | undefined {
  const out = new Set<number>();
  // robfig/cron (CloudNativePG's parser) reads `?` as `*` in the day fields.
  if (spec === "?") spec = "*";
  for (const part of spec.toLowerCase().split(",")) {
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const val = (s: string) => (s in names ? names[s] : /^\d+$/.test(s) ? Number(s) : NaN);
    let lo = min;
    let hi = max;
    if (m[1] !== "*") {
      const [a, b] = m[1].split("-");
      lo = val(a);
      hi = b !== undefined ? val(b) : m[2] ? max : lo;
    }
    const step = m[2] ? Number(m[2]) : 1;
    if ([lo, hi, step].some((n) => Number.isNaN(n)) || lo < min || hi > max || step < 1) return undefined;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const DOW = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MON = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/**
 * Max hours between consecutive runs over a simulated year (5-field cron, or 6-field with seconds
 * as CloudNativePG uses). Undefined when the schedule cannot be parsed or never runs. Kept per
 * schedule: a year is simulated per call, and a plan repeats a few schedules on hundreds of
 * resources (every firm's backups on a multi-tenant stack).
 */
export const maxGapHours: (schedule: string) => number | undefined = memoByString(computeMaxGapHours, 1000);

function computeMaxGapHours(schedule: string): number | undefined {
  let s = schedule.trim();
  if (s.startsWith("CRON_TZ=") || s.startsWith("TZ=")) s = s.slice(s.indexOf(" ") + 1).trim();
  s = MACROS[s] ?? s;
  // robfig/cron's `@every <Go duration>` (CloudNativePG ScheduledBackup): the gap is the interval.
  const every = /^@every\s+((?:\d+(?:\.\d+)?(?:h|m|s|ms))+)$/.exec(s);
  if (every) {
    let hours = 0;
    for (const m of every[1].matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) hours += Number(m[1]) / (m[2] === "h" ? 1 : m[2] === "m" ? 60 : m[2] === "s" ? 3600 : 3_600_000);
    return hours > 0 ? hours : undefined;
  }
  let parts = s.split(/\s+/);
  if (parts.length === 6) parts = parts.slice(1);
  if (parts.length !== 5) return undefined;
  const [mi, h, dom, mon, dow] = [
    field(parts[0], 0, 59),
    field(parts[1], 0, 23),
    field(parts[2], 1, 31),
    field(parts[3], 1, 12, MON),
    field(parts[4].replace(/\b7\b/g, "0"), 0, 6, DOW),
  ];
  if (!mi || !h || !dom || !mon || !dow) return undefined;
  const domAny = parts[2] === "*" || parts[2] === "?";
  const dowAny = parts[4] === "*" || parts[4] === "?";
  const runs: number[] = [];
  // Simulate a non-leap year starting on a Monday plus a little; hour granularity suffices for a gap in hours.
  const start = Date.UTC(2029, 0, 1);
  for (let day = 0; day < 366 + 7; day++) {
    const d = new Date(start + day * 86_400_000);
    const domOk = dom.has(d.getUTCDate());
    const dowOk = dow.has(d.getUTCDay());
    // Vixie cron: when both day fields are restricted, either matches.
    const dayOk = domAny && dowAny ? true : domAny ? dowOk : dowAny ? domOk : domOk || dowOk;
    if (!dayOk || !mon.has(d.getUTCMonth() + 1)) continue;
    for (const hour of [...h].sort((a, b) => a - b)) {
      for (const minute of [...mi].sort((a, b) => a - b)) runs.push(day * 24 + hour + minute / 60);
    }
  }
  if (runs.length < 2) return undefined;
  let gap = 0;
  for (let i = 1; i < runs.length; i++) gap = Math.max(gap, runs[i] - runs[i - 1]);
  return gap;
}

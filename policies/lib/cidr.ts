/**
 * CIDRs as address ranges, not strings: `0.0.0.0/1` + `128.0.0.0/1` cover the whole IPv4 Internet
 * just like `0.0.0.0/0`, and `::/0` is not the only way to say "every IPv6 address". Rules ask
 * `exposure(values)` how much of the public Internet a list of ranges lets in; anything that is not
 * a CIDR (or a bare address) is reported as unparseable, never skipped.
 */
import { isUnknown, plain, str } from "./values";

export interface AddressRange {
  family: 4 | 6;
  /** First and last address, inclusive. */
  start: bigint;
  end: bigint;
  text: string;
}

const V4_BITS = 32;
const V6_BITS = 128;

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let t = text;
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) is two 16-bit groups.
  if (t.includes(".")) {
    const cut = t.lastIndexOf(":");
    const v4 = parseV4(t.slice(cut + 1));
    if (v4 === undefined) return undefined;
    t = `${t.slice(0, cut + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = t.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let out = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out = (out << 16n) | BigInt(parseInt(g, 16));
  }
  return out;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Undefined when it is neither. */
export function parseCidr(text: string): AddressRange | undefined {
  const t = text.trim();
  const slash = t.indexOf("/");
  const addr = slash < 0 ? t : t.slice(0, slash);
  const prefixText = slash < 0 ? undefined : t.slice(slash + 1);
  const family: 4 | 6 | undefined = addr.includes(":") ? 6 : /^\d+\.\d+\.\d+\.\d+$/.test(addr) ? 4 : undefined;
  if (family === undefined) return undefined;
  const bits = family === 4 ? V4_BITS : V6_BITS;
  const value = family === 4 ? parseV4(addr) : parseV6(addr);
  if (value === undefined) return undefined;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const start = (value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  return { family, start, end, text: t };
}

type Interval = [bigint, bigint];

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

function subtract(from: Interval[], remove: Interval[]): Interval[] {
  let cur = from;
  for (const [rs, re] of remove) {
    const next: Interval[] = [];
    for (const [s, e] of cur) {
      if (re < s || rs > e) {
        next.push([s, e]);
        continue;
      }
      if (rs > s) next.push([s, rs - 1n]);
      if (re < e) next.push([re + 1n, e]);
    }
    cur = next;
  }
  return cur;
}

function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [as, ae] of a) for (const [bs, be] of b) {
    const s = as > bs ? as : bs;
    const e = ae < be ? ae : be;
    if (s <= e) out.push([s, e]);
  }
  return out;
}

const size = (xs: Interval[]) => xs.reduce((n, [s, e]) => n + (e - s + 1n), 0n);
const rangesOf = (cidrs: string[]): Interval[] => cidrs.map((c) => parseCidr(c)!).map((r) => [r.start, r.end]);

/** Addresses that are not on the public Internet (RFC 1918, CGNAT, loopback, link-local, multicast, reserved). */
const V4_NOT_PUBLIC = rangesOf(["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"]);
/** The IPv4 Internet: everything but the ranges above. */
const V4_PUBLIC = subtract([[0n, (1n << 32n) - 1n]], V4_NOT_PUBLIC);
/** The IPv6 Internet: global unicast, 2000::/3. */
const V6_PUBLIC = rangesOf(["2000::/3"]);
/** More public addresses than a /8 holds is "a large part of the Internet". */
const BROAD = { 4: 1n << 24n, 6: 1n << 120n } as const;

export interface Exposure {
  /** The values that are not a CIDR or an address. */
  invalid: string[];
  /** Some value is not known yet. */
  unknown: boolean;
  /** Every public IPv4 (or IPv6) address is inside the ranges, whatever their spelling. */
  wholeInternet: boolean;
  /** The ranges hold more public addresses than a /8 (half the Internet with `0.0.0.0/1`, all of it with `0.0.0.0/0`). */
  broad: boolean;
  /** The ranges, as given, that hold public addresses. */
  publicRanges: string[];
}

/**
 * How much of the Internet a list of source ranges lets in. `0.0.0.0` and `*` spell "anywhere" in
 * some APIs and are read that way.
 */
export function exposure(values: unknown[]): Exposure {
  const out: Exposure = { invalid: [], unknown: false, wholeInternet: false, broad: false, publicRanges: [] };
  const byFamily: Record<4 | 6, Interval[]> = { 4: [], 6: [] };
  for (const v of values) {
    if (isUnknown(v)) {
      out.unknown = true;
      continue;
    }
    const text = str(v);
    const range = text === "*" || text === "0.0.0.0" ? parseCidr("0.0.0.0/0") : text === undefined ? undefined : parseCidr(text);
    if (!range) {
      out.invalid.push(text ?? JSON.stringify(plain(v)));
      continue;
    }
    byFamily[range.family].push([range.start, range.end]);
    if (size(intersect([[range.start, range.end]], range.family === 4 ? V4_PUBLIC : V6_PUBLIC)) > 0n) out.publicRanges.push(text!);
  }
  for (const family of [4, 6] as const) {
    const pub = family === 4 ? V4_PUBLIC : V6_PUBLIC;
    const covered = size(intersect(merge(byFamily[family]), pub));
    if (covered === size(pub)) out.wholeInternet = true;
    if (covered > BROAD[family]) out.broad = true;
  }
  return out;
}

/** A one-line account of an exposure for a violation message ("" when it is not open). */
export function describeExposure(e: Exposure): string {
  if (e.wholeInternet) return `the whole Internet (${e.publicRanges.join(", ")})`;
  if (e.broad) return `more than a /8 of public addresses (${e.publicRanges.join(", ")})`;
  return "";
}

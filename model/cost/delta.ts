/**
 * What a change does to a stack's monthly cost: before → after, the delta, and the lines that moved,
 * largest first. Lines are matched by (urn, item), which the estimator keeps stable across runs
 * (model/cost/types.ts); a line's `detail` on each side says what changed (`db-custom-2-7680 →
 * db-custom-4-16384`). Pure: the PR comment (engine/diff/cost.ts) renders it.
 */
import { countsInTotal } from "./estimate";
import type { CostEstimate, CostLine } from "./types";

/** A change smaller than this (USD/month) is rounding noise, not a cost change. */
export const COST_EPSILON_USD = 0.005;

export interface CostLineDelta {
  urn: string;
  type: string;
  name: string;
  item: string;
  kind: "added" | "removed" | "changed";
  /** Absent on an added line, or when the line was not priced. */
  beforeUsd?: number;
  afterUsd?: number;
  deltaUsd: number;
  beforeDetail?: string;
  afterDetail?: string;
  /** Why a side is not priced (a line that became unpriced moves by an unknown amount). */
  notPriced?: string;
}

export interface CostDelta {
  stack: string;
  /** Undefined when the plan on that side carries no estimate (a new stack, a base from before estimates). */
  beforeUsd?: number;
  afterUsd?: number;
  deltaUsd: number;
  /** Every line whose price changed or that became (un)priced, largest move first. */
  lines: CostLineDelta[];
  /** Shortfalls present after and not before (requests that stopped fitting): errors, not prices. */
  newShortfalls: string[];
}

const key = (l: CostLine) => `${l.urn}\u0000${l.item}`;

/**
 * The lines that make up the total, by key. A pod group's share of a node pool the same stack
 * prices only says where the pool's money goes (CostLine.shareOf): counting its move too would
 * count the pool twice.
 */
function byKey(e: CostEstimate | undefined): Map<string, CostLine> {
  if (!e) return new Map();
  return new Map(e.lines.filter((l) => l.notPriced !== undefined || countsInTotal(l, e)).map((l) => [key(l), l]));
}

/** The delta between two estimates of one stack (either may be absent). */
export function costDelta(stack: string, before: CostEstimate | undefined, after: CostEstimate | undefined): CostDelta {
  const b = byKey(before);
  const a = byKey(after);
  const lines: CostLineDelta[] = [];
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const old = b.get(k);
    const now = a.get(k);
    const ref = (now ?? old)!;
    const beforeUsd = old?.monthlyUsd;
    const afterUsd = now?.monthlyUsd;
    const deltaUsd = (afterUsd ?? 0) - (beforeUsd ?? 0);
    const pricingChanged = (old?.notPriced === undefined) !== (now?.notPriced === undefined) && old !== undefined && now !== undefined;
    if (Math.abs(deltaUsd) < COST_EPSILON_USD && !pricingChanged) continue;
    const notPriced = now?.notPriced ?? old?.notPriced;
    lines.push({
      urn: ref.urn,
      type: ref.type,
      name: ref.name,
      item: ref.item,
      kind: old && now ? "changed" : now ? "added" : "removed",
      ...(beforeUsd !== undefined ? { beforeUsd } : {}),
      ...(afterUsd !== undefined ? { afterUsd } : {}),
      deltaUsd,
      ...(old ? { beforeDetail: old.detail } : {}),
      ...(now ? { afterDetail: now.detail } : {}),
      ...(notPriced !== undefined ? { notPriced } : {}),
    });
  }
  // Largest move first; ties by URN and item so the comment is the same on every run.
  lines.sort((x, y) => Math.abs(y.deltaUsd) - Math.abs(x.deltaUsd) || x.urn.localeCompare(y.urn) || x.item.localeCompare(y.item));
  const had = new Set((before?.shortfalls ?? []).map((s) => `${s.urn}\u0000${s.message}`));
  const newShortfalls = (after?.shortfalls ?? []).filter((s) => !had.has(`${s.urn}\u0000${s.message}`)).map((s) => s.message);
  return {
    stack,
    ...(before ? { beforeUsd: before.monthlyUsd } : {}),
    ...(after ? { afterUsd: after.monthlyUsd } : {}),
    deltaUsd: (after?.monthlyUsd ?? 0) - (before?.monthlyUsd ?? 0),
    lines,
    newShortfalls,
  };
}

/** True when the change moves no line and the total by less than a cent. */
export function isNoCostChange(d: CostDelta): boolean {
  return d.lines.length === 0 && d.newShortfalls.length === 0 && Math.abs(d.deltaUsd) < COST_EPSILON_USD;
}

/** The `n` lines that moved most (the comment shows three). */
export function topMoves(d: CostDelta, n = 3): CostLineDelta[] {
  return d.lines.slice(0, n);
}

/**
 * Tenants as data (crm-courtier.md § 04 Scaling Multi-Cabinets): a multi-tenant platform's stack
 * config lists its firms, and everything a firm gets follows from its entry. Two contracts live
 * here, on the ground floor, so that the stacks, the tests and the bench read them the same way:
 *
 * - **Placement on shards is stable.** A firm's shard is the one its entry names, or else the one
 *   rendezvous hashing (highest random weight) picks from its id and the shard list alone: adding
 *   or removing another firm never moves it, and adding a shard moves only the firms the new shard
 *   wins (about 1/n of them), never one between two old shards.
 * - **A plan sets a firm's quotas** (crm-courtier.md § Modèle de tarification SaaS).
 */
import { createHash } from "node:crypto";

const DOC = "docs/platforms/crm-courtier.md";

/** The SaaS plans: seats and monthly price (§ Modèle de tarification SaaS). `users: undefined` is unlimited. */
export const FIRM_PLANS = {
  starter: { users: 5, monthlyPriceEur: 99 },
  pro: { users: 20, monthlyPriceEur: 249 },
  enterprise: { users: undefined, monthlyPriceEur: 499 },
} as const satisfies Record<string, { users: number | undefined; monthlyPriceEur: number }>;
export type FirmPlan = keyof typeof FIRM_PLANS;
export const FIRM_PLAN_SOURCE = `${DOC} § Modèle de tarification SaaS ("Starter : €99/mois (5 users)", "Pro : €249/mois (20 users)", "Enterprise : €499/mois (illimité)")`;

/** A firm id: a DNS label, since it names the firm's database, user, Secret and host prefix. */
export const FIRM_ID = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** The weight of a (firm, shard) pair: the first 8 bytes of SHA-256 over both names. */
function weight(firmId: string, shard: string): bigint {
  return createHash("sha256").update(`${firmId}\u0000${shard}`).digest().readBigUInt64BE(0);
}

/**
 * The shard rendezvous hashing places a firm on: the shard with the highest weight for this firm.
 * Depends on the firm's id and the shard list only (not on the order of the list, nor on the other
 * firms). Throws on an empty shard list.
 */
export function rendezvousShard(firmId: string, shards: readonly string[]): string {
  if (shards.length === 0) throw new Error(`firm ${JSON.stringify(firmId)}: no shard to place it on`);
  let best = shards[0];
  let bestWeight = weight(firmId, best);
  for (const shard of shards.slice(1)) {
    const w = weight(firmId, shard);
    // Ties (2^-64) break on the name, so the result never depends on the list's order.
    if (w > bestWeight || (w === bestWeight && shard < best)) [best, bestWeight] = [shard, w];
  }
  return best;
}

export interface FirmEntry {
  id: string;
  /** The shard the entry pins, if any (a firm moved by hand, or placed before a shard was added). */
  shard?: string;
}

/** Where a problem is in the firms list, what was expected and what was given. */
export interface TenantProblem {
  key: string;
  expected: string;
  got: string;
}

/**
 * Each firm's shard: its entry's, else rendezvous hashing's. Returns the first problem instead when
 * two entries share an id or an entry names a shard that does not exist.
 */
export function placeFirms(firms: readonly FirmEntry[], shards: readonly string[]): { placement: Map<string, string> } | { problem: TenantProblem } {
  const placement = new Map<string, string>();
  for (const [i, f] of firms.entries()) {
    if (placement.has(f.id)) return { problem: { key: `firms[${i}].id`, expected: "an id no other firm has", got: JSON.stringify(f.id) } };
    if (f.shard !== undefined && !shards.includes(f.shard)) return { problem: { key: `firms[${i}].shard`, expected: `one of ${shards.join(", ")}`, got: JSON.stringify(f.shard) } };
    placement.set(f.id, f.shard ?? rendezvousShard(f.id, shards));
  }
  return { placement };
}

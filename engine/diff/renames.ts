/**
 * Rename detection without aliases: which deleted resource and which created one are the same
 * resource under a new name. A pair qualifies when both have one type (and are both custom or both
 * components) and at least RENAME_SIMILARITY of their input leaves are equal (`similarity`); pairs
 * are taken greedily, best score first, ties by base URN then head URN.
 *
 * Comparing every deleted resource with every created one is quadratic (10.7 s for 2,480 renames),
 * so the same answer is reached in two near-linear passes:
 * 1. Pairs with equal inputs (score 1, the common case: a resource moved or renamed as it is) are
 *    found by hashing each resource's flattened inputs: within one hash, deleted and created
 *    resources pair up in URN order, which is exactly what the greedy order does with score-1 ties.
 * 2. For the rest, only pairs that can reach the threshold are scored, found by prefix filtering:
 *    a score of at least 1/2 needs at least half of each side's leaves to be equal, and then the
 *    two resources share a leaf among the rarest ⌊n/2⌋+1 leaves of each (rarity counted within the
 *    type, ties broken by the leaf itself, so both sides rank leaves in one order).
 * tests/diff/renames.test.ts checks both passes against the all-pairs definition.
 */
import type { ResourceV3 } from "../digest";
import { flatten } from "./values";

/** Minimum share of equal input leaves for a delete + create of one type to read as a rename. */
export const RENAME_SIMILARITY = 0.5;

export interface RenamePair {
  /** Base URN (the deleted resource). */
  before: string;
  /** Head URN (the created resource). */
  after: string;
  score: number;
}

interface Leaves {
  urn: string;
  /** `path\0canonical JSON` of every input leaf (as `similarity` compares them). */
  tokens: string[];
  paths: Set<string>;
}

/** The pairs, in the order the greedy matching takes them; each URN appears at most once. */
export function matchRenames(deleted: ReadonlyMap<string, ResourceV3>, created: ReadonlyMap<string, ResourceV3>): RenamePair[] {
  const groups = new Map<string, { deleted: Leaves[]; created: Leaves[] }>();
  const add = (side: "deleted" | "created", urn: string, r: ResourceV3) => {
    const key = `${r.type}\0${r.custom === true}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { deleted: [], created: [] }));
    const flat = flatten(r.inputs ?? {});
    g[side].push({ urn, tokens: [...flat].map(([path, value]) => `${path}\0${value}`), paths: new Set(flat.keys()) });
  };
  for (const [urn, r] of deleted) add("deleted", urn, r);
  for (const [urn, r] of created) add("created", urn, r);

  const exact: RenamePair[] = [];
  const partial: RenamePair[] = [];
  for (const g of groups.values()) {
    if (g.deleted.length === 0 || g.created.length === 0) continue;
    const rest = pairEqualInputs(g.deleted, g.created, exact);
    partial.push(...scoreSimilar(rest.deleted, rest.created));
  }
  exact.sort((x, y) => compare(x.before, y.before) || compare(x.after, y.after));
  partial.sort((x, y) => y.score - x.score || compare(x.before, y.before) || compare(x.after, y.after));

  // Greedy over the partial pairs (the exact ones never conflict: each URN is in one of them at most).
  const taken = new Set<string>();
  const pairs = [...exact];
  for (const p of partial) {
    if (taken.has(p.before) || taken.has(p.after)) continue;
    taken.add(p.before);
    taken.add(p.after);
    pairs.push(p);
  }
  return pairs;
}

/** Pass 1: pairs deleted and created resources with equal inputs; returns the ones left over. */
function pairEqualInputs(deleted: Leaves[], created: Leaves[], out: RenamePair[]): { deleted: Leaves[]; created: Leaves[] } {
  const signature = (l: Leaves) => [...l.tokens].sort().join("\u0001");
  const createdBySignature = new Map<string, Leaves[]>();
  for (const c of [...created].sort((a, b) => compare(a.urn, b.urn))) pushTo(createdBySignature, signature(c), c);
  // Taken from the front below, so reversed: pop() takes the first in URN order.
  for (const list of createdBySignature.values()) list.reverse();
  const paired = new Set<string>();
  const restDeleted: Leaves[] = [];
  for (const d of [...deleted].sort((a, b) => compare(a.urn, b.urn))) {
    const c = createdBySignature.get(signature(d))?.pop();
    if (!c) {
      restDeleted.push(d);
      continue;
    }
    out.push({ before: d.urn, after: c.urn, score: 1 });
    paired.add(c.urn);
  }
  return { deleted: restDeleted, created: created.filter((c) => !paired.has(c.urn)) };
}

/** Pass 2: every pair (of one group, after pass 1) whose score reaches RENAME_SIMILARITY. */
function scoreSimilar(deleted: Leaves[], created: Leaves[]): RenamePair[] {
  if (deleted.length === 0 || created.length === 0) return [];
  const frequency = new Map<string, number>();
  for (const l of [...deleted, ...created]) for (const t of l.tokens) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  const prefix = (l: Leaves): string[] => {
    const ranked = [...l.tokens].sort((a, b) => frequency.get(a)! - frequency.get(b)! || compare(a, b));
    return ranked.slice(0, Math.floor(ranked.length / 2) + 1);
  };
  const createdByToken = new Map<string, Leaves[]>();
  for (const c of created) for (const t of prefix(c)) pushTo(createdByToken, t, c);

  const out: RenamePair[] = [];
  for (const d of deleted) {
    const seen = new Set<Leaves>();
    const dTokens = new Set(d.tokens);
    for (const t of prefix(d)) {
      for (const c of createdByToken.get(t) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        const score = leafSimilarity(d, dTokens, c);
        if (score >= RENAME_SIMILARITY) out.push({ before: d.urn, after: c.urn, score });
      }
    }
  }
  return out;
}

/** `similarity` (engine/diff/values.ts) over flattened leaves: equal leaves over all leaf paths. */
function leafSimilarity(d: Leaves, dTokens: Set<string>, c: Leaves): number {
  let same = 0;
  for (const t of c.tokens) if (dTokens.has(t)) same++;
  let sharedPaths = 0;
  for (const p of c.paths) if (d.paths.has(p)) sharedPaths++;
  const allPaths = d.paths.size + c.paths.size - sharedPaths;
  return allPaths === 0 ? 1 : same / allPaths;
}

function pushTo<T>(m: Map<string, T[]>, key: string, value: T): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

/** URN order: `localeCompare`'s (which the plan diff has always used), without its per-call cost. */
const compare = new Intl.Collator().compare;

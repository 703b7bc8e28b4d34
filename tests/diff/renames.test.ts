/** Rename detection (engine/diff/renames.ts): near-linear, and the same answer as comparing every pair. */
import { describe, expect, it } from "vitest";
import { diffDigests } from "../../engine/diff";
import type { ResourceV3 } from "../../engine/digest";
import { matchRenames, RENAME_SIMILARITY, type RenamePair } from "../../engine/diff/renames";
import { similarity } from "../../engine/diff/values";
import { plan } from "./helpers";

/** The definition: score every same-type pair, then take them greedily, best first, ties by URN. */
function allPairs(deleted: Map<string, ResourceV3>, created: Map<string, ResourceV3>): RenamePair[] {
  const candidates: RenamePair[] = [];
  for (const [before, d] of deleted) {
    for (const [after, c] of created) {
      if (d.type !== c.type || d.custom !== c.custom) continue;
      const score = similarity(d.inputs ?? {}, c.inputs ?? {});
      if (score >= RENAME_SIMILARITY) candidates.push({ before, after, score });
    }
  }
  candidates.sort((x, y) => y.score - x.score || x.before.localeCompare(y.before) || x.after.localeCompare(y.after));
  const taken = new Set<string>();
  return candidates.filter((p) => (taken.has(p.before) || taken.has(p.after) ? false : (taken.add(p.before), taken.add(p.after), true)));
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const resource = (urn: string, type: string, inputs: Record<string, unknown>, custom = true): ResourceV3 => ({ urn, type, custom, inputs }) as ResourceV3;

describe("rename detection", () => {
  it("gives the all-pairs answer on random plans full of ties, shared leaves, empty inputs and components", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const next = random(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
      const inputs = (): Record<string, unknown> => {
        const out: Record<string, unknown> = {};
        // Few keys and few values: many pairs reach the threshold, many tie, some are equal.
        for (const key of ["location", "tier", "size", "labels.team", "labels.firm", "flags"]) {
          if (next() < 0.25) continue;
          out[key] = key === "flags" ? [pick(["a", "b"]), pick(["a", "c"])] : pick(["x", "y", "z"]);
        }
        return out;
      };
      const deleted = new Map<string, ResourceV3>();
      const created = new Map<string, ResourceV3>();
      for (let i = 0; i < 150; i++) {
        const type = pick(["gcp:storage/bucket:Bucket", "gcp:sql/user:User", "platform:app:Component"]);
        const custom = !type.startsWith("platform:");
        deleted.set(`urn:pulumi:s::p::${type}::old-${i}`, resource(`urn:pulumi:s::p::${type}::old-${i}`, type, custom ? inputs() : {}, custom));
        const type2 = pick(["gcp:storage/bucket:Bucket", "gcp:sql/user:User", "platform:app:Component"]);
        const custom2 = !type2.startsWith("platform:");
        created.set(`urn:pulumi:s::p::${type2}::new-${i}`, resource(`urn:pulumi:s::p::${type2}::new-${i}`, type2, custom2 ? inputs() : {}, custom2));
      }
      const expected = allPairs(deleted, created);
      expect(expected.length, `seed ${seed}: the random plan has renames to find`).toBeGreaterThan(50);
      expect(matchRenames(deleted, created), `seed ${seed}`).toEqual(expected);
    }
  });

  it("pairs 2,500 renamed resources of 250 firms on a large plan, each with its own firm", () => {
    const types = ["gcp:storage/bucket:Bucket", "gcp:sql/databaseInstance:DatabaseInstance", "gcp:serviceaccount/account:Account", "kubernetes:core/v1:Namespace", "kubernetes:apps/v1:Deployment"];
    const firms = Array.from({ length: 250 }, (_, i) => `firm-${String(i).padStart(3, "0")}`);
    const baseResources: (Partial<ResourceV3> & { type: string; name: string })[] = [];
    const headResources: (Partial<ResourceV3> & { type: string; name: string })[] = [];
    for (const firm of firms) {
      for (const [t, type] of types.entries()) {
        for (const copy of [0, 1]) {
          // Leaves every firm shares (most of them) plus the firm's own; the second copy of each type
          // also changes one shared leaf in the head, so it is a partial match (4 of 5 leaves equal).
          const inputs = { location: "europe-west1", project: "crm-prod", tier: `t${t}`, labels: { firm, copy: String(copy) } };
          const headInputs = copy === 1 ? { ...inputs, tier: `t${t}-larger` } : inputs;
          baseResources.push({ type, name: `${firm}-${t}-${copy}`, inputs });
          headResources.push({ type, name: `crm-${firm}-${t}-${copy}`, inputs: headInputs });
        }
      }
    }
    // Unchanged resources and a genuine delete and create, which must stay what they are.
    baseResources.push({ type: types[0], name: "shared-logs", inputs: { location: "europe-west1" } }, { type: types[0], name: "retired", inputs: { location: "us-east1", labels: { old: "yes" } } });
    headResources.push({ type: types[0], name: "shared-logs", inputs: { location: "europe-west1" } }, { type: types[0], name: "brand-new", inputs: { location: "asia-east1", labels: { fresh: "yes" } } });

    const d = diffDigests(plan("crm-prod", baseResources), plan("crm-prod", headResources));

    expect(d.counts).toEqual({ create: 1, update: 0, delete: 1, rename: 2500 });
    const renames = d.resources.filter((r) => r.kind === "rename");
    for (const r of renames) expect(r.name, `renamed from ${r.oldName}`).toBe(`crm-${r.oldName}`);
    const partial = renames.filter((r) => r.properties.length > 0);
    expect(partial).toHaveLength(1250);
    expect(partial.every((r) => r.properties.length === 1 && r.properties[0].path === "tier")).toBe(true);
    expect(d.resources.find((r) => r.kind === "delete")?.name).toBe("retired");
    expect(d.resources.find((r) => r.kind === "create")?.name).toBe("brand-new");
  });
});

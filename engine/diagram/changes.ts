/**
 * What changed between two architectures of one stack, for the pull-request comment: the head's
 * diagram with the base's removed blocks and edges put back, and every added, removed or changed
 * block and edge marked. A block is changed when the resources it draws differ (any input, any
 * resource added or removed inside it, protection), even if its label does not.
 */
import type { Architecture, Block, Edge, Group } from "./model";
import { edgeKey, type Marks } from "./mermaid";

export interface MarkedArchitecture {
  architecture: Architecture;
  marks: Marks;
  counts: { added: number; removed: number; changed: number };
}

export function compareArchitectures(base: Architecture | undefined, head: Architecture): MarkedArchitecture {
  const marks: Marks = { blocks: {}, edges: {} };
  const baseBlocks = new Map((base?.blocks ?? []).map((b) => [b.id, b]));
  const headBlocks = new Map(head.blocks.map((b) => [b.id, b]));
  const blocks: Block[] = [...head.blocks];
  const groups = new Map<string, Group>(head.groups.map((g) => [g.id, g]));
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const b of head.blocks) {
    if (b.external) continue;
    const was = baseBlocks.get(b.id);
    if (!was) {
      marks.blocks[b.id] = "added";
      counts.added++;
    } else if (was.fingerprint !== b.fingerprint || was.details.join("\n") !== b.details.join("\n")) {
      marks.blocks[b.id] = "changed";
      counts.changed++;
    }
  }
  for (const b of base?.blocks ?? []) {
    if (headBlocks.has(b.id)) continue;
    blocks.push(b);
    if (!b.external) {
      marks.blocks[b.id] = "removed";
      counts.removed++;
    }
    // Its groups come with it.
    for (let g = b.group; g && !groups.has(g); ) {
      const bg = base!.groups.find((x) => x.id === g);
      if (!bg) break;
      groups.set(g, bg);
      g = bg.parent;
    }
  }
  const headEdges = new Set(head.edges.map(edgeKey));
  const baseEdges = new Set((base?.edges ?? []).map(edgeKey));
  const edges: Edge[] = [...head.edges];
  for (const e of head.edges) if (!baseEdges.has(edgeKey(e))) marks.edges[edgeKey(e)] = "added";
  for (const e of base?.edges ?? []) {
    if (headEdges.has(edgeKey(e))) continue;
    edges.push(e);
    marks.edges[edgeKey(e)] = "removed";
  }
  const sort = <T extends { id: string }>(xs: T[]) => xs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  edges.sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : edgeKey(a) > edgeKey(b) ? 1 : 0));
  return { architecture: { ...head, blocks: sort(blocks), groups: sort([...groups.values()]), edges }, marks, counts };
}

/**
 * Only what changed and its neighbours (the blocks an added, removed or changed edge or block
 * touches), for a comment that must shrink: the same marks, a smaller diagram.
 */
export function changedNeighbourhood(m: MarkedArchitecture): MarkedArchitecture {
  const seeds = new Set(Object.keys(m.marks.blocks));
  const keep = new Set(seeds);
  const a = m.architecture;
  // One step out from what changed, not transitively.
  for (const e of a.edges) if (m.marks.edges[edgeKey(e)] || seeds.has(e.from) || seeds.has(e.to)) {
    keep.add(e.from);
    keep.add(e.to);
  }
  const blocks = a.blocks.filter((b) => keep.has(b.id));
  const edges = a.edges.filter((e) => keep.has(e.from) && keep.has(e.to) && (m.marks.edges[edgeKey(e)] || m.marks.blocks[e.from] || m.marks.blocks[e.to]));
  const used = new Set<string>();
  const byId = new Map(a.groups.map((g) => [g.id, g]));
  for (const b of blocks) for (let g = b.group; g && !used.has(g); g = byId.get(g)?.parent) used.add(g);
  return { ...m, architecture: { ...a, blocks, edges, groups: a.groups.filter((g) => used.has(g.id)) } };
}

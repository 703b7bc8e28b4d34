/**
 * An Architecture as a Mermaid flowchart, which GitHub renders natively in Markdown (a ```mermaid
 * block). Groups are nested subgraphs, blocks are nodes (cylinders hold state, stadiums are outside
 * the stack), edges are styled by kind. With marks (engine/diagram/changes.ts), added, removed and
 * changed blocks and edges are styled with the classDefs below, for the pull-request comment.
 *
 * Mermaid refuses a diagram over its `maxTextSize` (50,000 characters by default) or with more
 * than `maxEdges` edges (500 by default): mermaid.js.org/config/schema-docs/config.html, the
 * `maxTextSize` and `maxEdges` properties. GitHub renders with the defaults.
 */
import type { Architecture, Block, Edge, EdgeKind, Group } from "./model";

export const MERMAID_LIMITS = { maxTextSize: 50_000, maxEdges: 500 } as const;

export type Mark = "added" | "removed" | "changed";

export interface Marks {
  blocks: Record<string, Mark>;
  /** Keyed `from->to`. */
  edges: Record<string, Exclude<Mark, "changed">>;
}

export const edgeKey = (e: Pick<Edge, "from" | "to">) => `${e.from}->${e.to}`;

const CLASS_DEFS = [
  "classDef external fill:#f6f8fa,stroke:#8c959f,stroke-dasharray:3 3,color:#57606a",
  "classDef tenants fill:#ddf4ff,stroke:#0969da",
  "classDef added fill:#dafbe1,stroke:#1a7f37,stroke-width:3px",
  "classDef removed fill:#ffebe9,stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 4",
  "classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:3px",
];

/** Text safe inside a quoted Mermaid label: no quotes, no HTML, no entity or markdown starters. */
export function labelText(s: string): string {
  return s
    .replace(/["`]/g, "'")
    .replace(/[<>]/g, "")
    .replace(/[#;|{}[\]]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const ARROW: Record<EdgeKind, string> = { traffic: "-->", uses: "-->", backup: "==>", credentials: "-.->", iam: "-.->", cmek: "-.->", monitoring: "-.->" };

function node(b: Block, mark: Mark | undefined): string {
  const title = b.kind === "external" || b.kind === "tenants" ? b.name : `${b.kind} ${b.name}`;
  const text = [title, ...b.details].map(labelText).filter(Boolean).join("<br/>");
  const label = `"${mark ? `${mark.toUpperCase()}: ` : ""}${text}"`;
  if (b.external) return `${b.id}([${label}])`;
  if (b.kind === "tenants") return `${b.id}[[${label}]]`;
  return b.stateful ? `${b.id}[(${label})]` : `${b.id}[${label}]`;
}

export interface RenderOptions {
  marks?: Marks;
  /** A comment line at the top (the generator's note). */
  header?: string;
}

export function renderMermaid(arch: Architecture, opts: RenderOptions = {}): string {
  const marks = opts.marks ?? { blocks: {}, edges: {} };
  const out: string[] = [];
  // The comment after the diagram type: older Mermaid detects the type from the first line.
  out.push("flowchart LR");
  if (opts.header) out.push(`  %% ${labelText(opts.header)}`);
  const children = new Map<string | undefined, Group[]>();
  for (const g of arch.groups) children.set(g.parent, [...(children.get(g.parent) ?? []), g]);
  const blocksIn = new Map<string | undefined, Block[]>();
  for (const b of arch.blocks) blocksIn.set(b.group, [...(blocksIn.get(b.group) ?? []), b]);
  const known = new Set(arch.groups.map((g) => g.id));
  const render = (parent: string | undefined, depth: number) => {
    const pad = "  ".repeat(depth);
    for (const b of blocksIn.get(parent) ?? []) out.push(`${pad}${node(b, marks.blocks[b.id])}`);
    for (const g of children.get(parent) ?? []) {
      out.push(`${pad}subgraph ${g.id}["${labelText(g.label)}"]`);
      render(g.id, depth + 1);
      out.push(`${pad}end`);
    }
  };
  render(undefined, 1);
  // Blocks whose group is missing (never expected) still appear, at the top level.
  for (const b of arch.blocks) if (b.group && !known.has(b.group)) out.push(`  ${node(b, marks.blocks[b.id])}`);
  const linkStyles: Record<string, number[]> = { added: [], removed: [] };
  arch.edges.forEach((e, i) => {
    const label = labelText(e.label);
    out.push(`  ${e.from} ${ARROW[e.kind]}${label ? `|"${label}"|` : ""} ${e.to}`);
    const m = marks.edges[edgeKey(e)];
    if (m) linkStyles[m]!.push(i);
  });
  out.push(...CLASS_DEFS.map((c) => `  ${c}`));
  const byClass = new Map<string, string[]>();
  for (const b of arch.blocks) {
    const cls = marks.blocks[b.id] ?? (b.external ? "external" : b.kind === "tenants" ? "tenants" : undefined);
    if (cls) byClass.set(cls, [...(byClass.get(cls) ?? []), b.id]);
  }
  for (const [cls, ids] of [...byClass].sort(([a], [b]) => (a < b ? -1 : 1))) out.push(`  class ${ids.join(",")} ${cls}`);
  if (linkStyles.added!.length) out.push(`  linkStyle ${linkStyles.added!.join(",")} stroke:#1a7f37,stroke-width:3px`);
  if (linkStyles.removed!.length) out.push(`  linkStyle ${linkStyles.removed!.join(",")} stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 4`);
  return `${out.join("\n")}\n`;
}

/** Whether a rendered diagram fits Mermaid's default limits, and by how much. */
export function withinLimits(text: string, arch: Architecture): { ok: boolean; chars: number; edges: number } {
  const chars = text.length;
  return { ok: chars <= MERMAID_LIMITS.maxTextSize && arch.edges.length <= MERMAID_LIMITS.maxEdges, chars, edges: arch.edges.length };
}

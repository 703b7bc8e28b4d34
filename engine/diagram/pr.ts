/**
 * The pull-request comment's "architecture after this change" block for one stack: the head's
 * diagram with what the change adds, removes and changes marked (classDefs `added`, `removed`,
 * `changed`), collapsed in a `<details>`. Two sizes, so the comment can shrink it before dropping
 * it: the whole diagram, and only the changed blocks with their neighbours.
 */
import type { PreviewDigest } from "../digest";
import { changedNeighbourhood, compareArchitectures, type MarkedArchitecture } from "./changes";
import { architectureOfDigest } from "./from-plan";
import { MERMAID_LIMITS, renderMermaid } from "./mermaid";
import type { ArchitectureSection } from "../diff/markdown";


function details(m: MarkedArchitecture, scope: string): string {
  const { added, removed, changed } = m.counts;
  const text = renderMermaid(m.architecture, { marks: m.marks });
  return [
    `<details><summary>Architecture after this change${scope}: ${added} added, ${changed} changed, ${removed} removed block(s)</summary>`,
    "",
    "```mermaid",
    text.trimEnd(),
    "```",
    "",
    "<sub>Green: added, yellow: changed, red dashed: removed (blocks and flows). Drawn from the two offline plans (`npm run diagram`).</sub>",
    "",
    "</details>",
  ].join("\n");
}

/** The block for a stack whose plans differ; undefined when head has no plan (the stack is gone). */
export function architectureBlock(stack: string, base: PreviewDigest | undefined, head: PreviewDigest | undefined): ArchitectureSection | undefined {
  if (!head) return undefined;
  const marked = compareArchitectures(base ? architectureOfDigest(stack, base) : undefined, architectureOfDigest(stack, head));
  const small = details(changedNeighbourhood(marked), " (changed blocks and their neighbours)");
  const full = details(marked, "");
  return { full: full.length > MERMAID_LIMITS.maxTextSize ? small : full, compact: small };
}

/** Terminal rendering of an offline plan: the component/resource tree and the counts per type. */
import type { RecordedResource } from "../model/plan-values";
import { OFFLINE_LIMITS } from "./digest";
import { Plan } from "./plan";

function label(r: RecordedResource): string {
  const flags = [r.options.protect ? "protected" : "", r.options.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
  return `${r.type}  ${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`;
}

/** The resource tree, children under their parent, in registration order. */
export function renderTree(resources: readonly RecordedResource[]): string {
  const byParent = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) {
    const list = byParent.get(r.parent) ?? [];
    list.push(r);
    byParent.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (r: RecordedResource, prefix: string, last: boolean, root: boolean) => {
    lines.push(root ? label(r) : `${prefix}${last ? "└─ " : "├─ "}${label(r)}`);
    const kids = byParent.get(r.urn) ?? [];
    const childPrefix = root ? "" : `${prefix}${last ? "   " : "│  "}`;
    kids.forEach((k, i) => walk(k, childPrefix, i === kids.length - 1, false));
  };
  for (const r of byParent.get(undefined) ?? []) walk(r, "", true, true);
  return lines.join("\n");
}

export function renderCounts(resources: readonly RecordedResource[]): string {
  const counts = new Plan(resources).counts();
  const width = Math.max(...Object.values(counts).map((n) => String(n).length));
  return Object.entries(counts)
    .map(([type, n]) => `  ${String(n).padStart(width)}  ${type}`)
    .join("\n");
}

export function renderLimits(): string {
  return ["What an offline preview cannot know:", ...OFFLINE_LIMITS.map((l) => `  - ${l}`)].join("\n");
}

/**
 * The markdown rendering of stack diffs: one pull-request comment. A summary table (stack, +, ~, -,
 * danger, new violations), then one collapsed `<details>` section per stack.
 *
 * GitHub refuses a comment over 65,536 characters. The comment fits by summarising the least
 * important parts first: detail levels go up one step at a time, across all stacks (least important
 * stack first) before the next step: outputs and config, then option changes, then property values,
 * then property paths, then the resource list; danger flags and policy changes are kept to the end.
 *
 * With `costs` (engine/diff/cost.ts, from the plans' estimates), the comment also says what each
 * changed stack costs per month before → after, under the table, and each stack's section names the
 * three lines that moved most and its budget; they stay until the one-line level.
 */
import { costMoves, headline, rateLine, type StackCostChange } from "./cost";
import { hasChanges, summarize } from "./diff";
import { FLAG_LABEL, clean, cut, isDangerOption, optionLine, propertyLine, resourceHeadline } from "./format";
import type { Flag, PolicyDelta, ResourceChange, StackDiff } from "./types";

/** GitHub's limit for an issue or pull-request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** What we aim for: the limit with room for the workflow's own additions. */
export const DEFAULT_BUDGET = 60_000;
/** The first line of every comment: the workflow finds and updates the comment by it. */
export const COMMENT_MARKER = "<!-- platform-infra:offline-preview -->";

/** Detail levels of one stack's section, from everything (0) to a single line (MAX_LEVEL). */
export const LEVELS = [
  "full",
  "outputs and config as counts",
  "option changes as counts",
  "at most 10 properties per resource",
  "property paths only, at most 5 per resource",
  "one line per resource",
  "resources as counts per type",
  "at most 10 flags and 10 policy changes",
  "one line",
] as const;
export const MAX_LEVEL = LEVELS.length - 1;

export interface MarkdownOptions {
  /** Character budget for the whole comment (default 60,000; GitHub's limit is 65,536). */
  budget?: number;
  /** Title line under the marker. */
  title?: string;
  /** Lines under the title (base/head refs, how the plans were made). */
  context?: string[];
  /** Stacks whose plans did not change (listed by name at the end). */
  unchangedCount?: number;
  /** Each stack's monthly cost change, by stack (absent: the plans carry no estimate). */
  costs?: Record<string, StackCostChange>;
  /**
   * Each changed stack's "architecture after this change" block (engine/diagram/pr.ts): the whole
   * marked diagram, and a compact one of only the changed blocks and their neighbours.
   */
  architecture?: Record<string, ArchitectureSection>;
}

export interface ArchitectureSection {
  /** The whole diagram, marked. */
  full: string;
  /** Only what changed and its neighbours. */
  compact: string;
}

/**
 * The architecture block at a detail level: whole up to level 2, then only the changed blocks and
 * their neighbours (a few thousand characters, collapsed) as long as the resources are still
 * counted per type, then a note.
 */
export function architectureAt(a: ArchitectureSection, level: number): string {
  if (level <= 2) return a.full;
  if (level <= 6) return a.compact;
  return "_Architecture diagram omitted to fit the comment limit: run `npm run diagram` locally._";
}

export interface MarkdownResult {
  markdown: string;
  /** Detail level each stack ended at. */
  levels: Record<string, number>;
  /** True if a hard cut was still needed after the most summarised rendering. */
  truncated: boolean;
}

/** Escapes text that comes from plans for use outside code: no HTML, no markdown, no @mentions. */
export function mdText(s: string): string {
  return clean(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#~])/g, "\\$1")
    .replace(/@/g, "@\u2060");
}

/** An inline code span that survives backticks inside. */
export function mdCode(s: string): string {
  const t = clean(s);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  const pad = t.startsWith("`") || t.endsWith("`") ? " " : "";
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** A line inside a fenced block: it must not close the fence. */
function blockLine(s: string): string {
  return clean(s).replace(/`{3,}/g, (m) => m.split("").join("\u200b"));
}

const ENV_WEIGHT: Record<string, number> = { prod: 4, shared: 3, rct: 2, dev: 1 };

/** How much a stack's details matter: the least important are summarised first. */
export function importance(d: StackDiff): number {
  const s = summarize(d);
  const env = d.stack.split("-").pop() ?? "";
  return s.danger * 1e7 + s.newMandatory * 1e6 + s.newViolations * 1e5 + (ENV_WEIGHT[env] ?? 0) * 1e4 + Math.min(9999, d.resources.length);
}

function flagMd(f: Flag): string {
  const icon = f.level === "danger" ? "🛑" : f.level === "warning" ? "⚠️" : "✅";
  const sugg = f.suggestion ? ` — suggested fix: ${mdCode(f.suggestion)}` : "";
  const where = f.name ? ` ${mdCode(f.name)}${f.type ? ` (${mdCode(f.type)})` : ""}` : "";
  return `- ${icon} **${FLAG_LABEL[f.kind]}**${where}: ${mdText(cut(f.message, 400))}${sugg}`;
}

function policyMd(p: PolicyDelta, fixed: boolean): string {
  const where = p.name ? ` on ${mdCode(p.name)}` : "";
  if (fixed) return `- ✅ fixed ${mdCode(p.policy)}${where}`;
  return `- ${p.enforcementLevel === "mandatory" ? "❌" : "⚠️"} ${p.enforcementLevel} (${mdText(p.severity)}) ${mdCode(p.policy)}${where}: ${mdText(cut(p.message, 300))}`;
}

function resourceBlock(r: ResourceChange, level: number): string[] {
  const out = [resourceHeadline(r)];
  if (r.suggestion && level <= 4) out.push(`    suggestion: ${r.suggestion}`);
  if (level >= 5) {
    const n = r.properties.length + r.options.length;
    if (n) out[0] += `  (${n} change${n > 1 ? "s" : ""})`;
    return out;
  }
  const cap = level === 3 ? 10 : level === 4 ? 5 : Infinity;
  const props = r.properties.slice(0, cap);
  for (const p of props) out.push(`    ${propertyLine(p, level < 4)}`);
  if (r.properties.length > props.length) out.push(`    … ${r.properties.length - props.length} more propert${r.properties.length - props.length > 1 ? "ies" : "y"}`);
  const opts = level >= 2 ? r.options.filter(isDangerOption) : r.options;
  for (const o of opts) out.push(`    ${optionLine(o)}`);
  if (r.options.length > opts.length) out.push(`    … ${r.options.length - opts.length} option change(s)`);
  return out;
}

function fenced(lines: string[]): string[] {
  return ["```diff", ...lines.map(blockLine), "```"];
}

function countsByType(rs: ResourceChange[]): string[] {
  const m = new Map<string, number>();
  for (const r of rs) m.set(`${r.kind === "rename" ? "±" : r.kind === "create" ? "+" : r.kind === "delete" ? "-" : "~"} ${r.type}`, (m.get(`${r.kind === "rename" ? "±" : r.kind === "create" ? "+" : r.kind === "delete" ? "-" : "~"} ${r.type}`) ?? 0) + 1);
  return [...m].map(([k, n]) => `${k} ×${n}`);
}

function summaryLine(d: StackDiff): string {
  const s = summarize(d);
  const parts = [`+${s.add} ~${s.change} -${s.remove}`];
  if (s.danger) parts.push(`🛑 ${s.danger} danger`);
  if (s.newViolations) parts.push(`${s.newMandatory ? "❌" : "⚠️"} ${s.newViolations} new violation${s.newViolations > 1 ? "s" : ""}`);
  if (d.policies.fixed.length) parts.push(`✅ ${d.policies.fixed.length} fixed`);
  if (d.head.failed) parts.push("💥 head failed to evaluate");
  return parts.join(" · ");
}

/** One stack's `<details>` section at a detail level. */
export function stackSection(d: StackDiff, level: number, cost?: StackCostChange, architecture?: ArchitectureSection): string {
  const out: string[] = [];
  out.push(`<details${summarize(d).danger || d.head.failed ? " open" : ""}><summary><b>${mdText(d.stack)}</b> · ${summaryLine(d)}</summary>`, "");
  if (level >= MAX_LEVEL) {
    out.push(`_Details omitted to fit the comment limit: run \`npm run preview:pr\` locally or open the job summary._`, "", "</details>", "");
    return out.join("\n");
  }
  for (const n of d.notes) out.push(`> ${mdText(n)}`, "");
  if (cost) {
    out.push(`**Monthly cost**: ${mdText(headline(cost))} · ${mdText(cost.budget)}`, "");
    const moves = costMoves(cost);
    if (moves.length) out.push(...moves.map((m) => `- ${mdText(m)}`), "");
  }

  const dangerFlags = d.flags.filter((f) => f.kind !== "policy-introduced" && f.kind !== "policy-fixed");
  const flagCap = level >= 7 ? 10 : Infinity;
  if (dangerFlags.length) {
    out.push("**Danger flags**", "");
    for (const f of dangerFlags.slice(0, flagCap)) out.push(flagMd(f));
    if (dangerFlags.length > flagCap) out.push(`- … ${dangerFlags.length - flagCap} more`);
    out.push("");
  }
  const { introduced, fixed } = d.policies;
  if (introduced.length || fixed.length) {
    out.push("**Policies**", "");
    for (const p of introduced.slice(0, flagCap)) out.push(policyMd(p, false));
    if (introduced.length > flagCap) out.push(`- … ${introduced.length - flagCap} more new violations`);
    for (const p of fixed.slice(0, flagCap)) out.push(policyMd(p, true));
    if (fixed.length > flagCap) out.push(`- … ${fixed.length - flagCap} more fixed`);
    out.push("");
  }

  if (d.resources.length) {
    out.push(`**Resources** (${d.resources.length})`, "");
    if (level >= 7) out.push(`_${countsByType(d.resources).length} resource types changed; list omitted to fit the comment limit._`, "");
    else if (level === 6) out.push(...fenced(countsByType(d.resources)), "");
    else out.push(...fenced(d.resources.flatMap((r) => resourceBlock(r, level))), "");
  }

  const side = (title: string, ps: StackDiff["outputs"]) => {
    if (!ps.length) return;
    if (level >= 1) {
      out.push(`**${title}**: ${ps.length} change${ps.length > 1 ? "s" : ""} (summarised)`, "");
      return;
    }
    out.push(`**${title}**`, "", ...fenced(ps.map((p) => propertyLine(p))), "");
  };
  side("Outputs", d.outputs);
  side("Config", d.config);
  if (d.secretsNotCompared) out.push(`<sub>${d.secretsNotCompared} secret value(s) on both sides are blinded in offline plans and cannot be compared.</sub>`, "");
  if (architecture) out.push(architectureAt(architecture, level), "");
  out.push("</details>", "");
  return out.join("\n");
}

/** Renders the comment, summarising until it fits the budget. */
export function renderMarkdownDetailed(diffs: StackDiff[], opts: MarkdownOptions = {}): MarkdownResult {
  const budget = Math.min(opts.budget ?? DEFAULT_BUDGET, GITHUB_COMMENT_LIMIT - 1);
  const changed = diffs.filter(hasChanges);
  const unchanged = opts.unchangedCount ?? diffs.length - changed.length;

  const head: string[] = [COMMENT_MARKER, `### ${mdText(opts.title ?? "Offline preview")}`, ""];
  for (const c of opts.context ?? []) head.push(c);
  if (opts.context?.length) head.push("");
  if (changed.length === 0) {
    head.push("No stack changes: every plan is identical to the base.", "");
  } else {
    head.push("| stack | + | ~ | - | danger | new violations |", "|---|--:|--:|--:|--:|--:|");
    for (const d of changed) {
      const s = summarize(d);
      const v = s.newViolations ? `${s.newViolations}${s.newMandatory ? ` (${s.newMandatory} mandatory)` : ""}` : "0";
      head.push(`| ${mdText(s.stack)}${d.head.failed ? " 💥" : ""} | ${s.add} | ${s.change} | ${s.remove} | ${s.danger ? `**${s.danger}**` : "0"} | ${s.newMandatory ? `**${v}**` : v} |`);
    }
    head.push("");
    const costs = changed.map((d) => opts.costs?.[d.stack]).filter((c): c is StackCostChange => c !== undefined);
    if (costs.length) {
      const rates = [...new Set(costs.map((c) => rateLine(c.currency)))];
      head.push(`**Monthly cost** (estimates from list prices, not billed; ${rates.map(mdText).join("; ")})`, "");
      for (const c of costs) head.push(`- ${mdText(headline(c))}`);
      head.push("");
    }
  }
  const headText = head.join("\n");
  const footerLines = [
    unchanged > 0 ? `<sub>${unchanged} other stack(s) unchanged.</sub>` : "",
    "<sub>Offline plans from the mock engine: no cloud credentials were used; provider-computed values show as (known after apply); secrets are never printed.</sub>",
  ].filter(Boolean);
  const summarisedNote = "<sub>Some details were summarised to stay under GitHub's comment limit (least important first). The full diff is in the job summary and in `npm run preview:pr` output.</sub>";

  const levels = new Map(changed.map((d) => [d.stack, 0]));
  const cache = new Map<string, string>();
  const section = (d: StackDiff) => {
    const key = `${d.stack}\u0000${levels.get(d.stack)}`;
    if (!cache.has(key)) cache.set(key, stackSection(d, levels.get(d.stack)!, opts.costs?.[d.stack], opts.architecture?.[d.stack]));
    return cache.get(key)!;
  };
  const sizes = new Map(changed.map((d) => [d.stack, section(d).length]));
  let total = headText.length + [...sizes.values()].reduce((a, b) => a + b + 1, 0) + footerLines.join("\n").length + 2;
  const limit = () => budget - (summarisedNote.length + 2);

  const order = [...changed].sort((a, b) => importance(a) - importance(b) || b.stack.localeCompare(a.stack));
  let summarised = false;
  const fits = () => total <= (summarised ? limit() : budget);
  for (let level = 1; level <= MAX_LEVEL && !fits(); level++) {
    for (const d of order) {
      summarised = true;
      levels.set(d.stack, level);
      const size = section(d).length;
      total += size - sizes.get(d.stack)!;
      sizes.set(d.stack, size);
      if (fits()) break;
    }
  }

  // Still too big (hundreds of stacks): drop whole sections, least important first; the table stays.
  const dropped = new Set<string>();
  for (const d of order) {
    if (fits()) break;
    dropped.add(d.stack);
    total -= sizes.get(d.stack)! + 1;
  }
  const droppedNote = dropped.size ? [`<sub>Details of ${dropped.size} stack(s) omitted to fit the comment limit.</sub>`] : [];
  const parts = [headText, ...changed.filter((d) => !dropped.has(d.stack)).map(section), ...(summarised ? [summarisedNote] : []), ...droppedNote, ...footerLines];
  let markdown = `${parts.join("\n")}\n`;
  let truncated = dropped.size > 0;
  if (markdown.length > budget) {
    // Only the table is left and it is too long: cut it at a row boundary.
    const tail = "\n\n_…comment cut at GitHub's size limit; see the job summary for the rest._\n";
    const cutAt = markdown.lastIndexOf("\n", budget - tail.length);
    markdown = markdown.slice(0, cutAt) + tail;
    truncated = true;
  }
  return { markdown, levels: Object.fromEntries(levels), truncated };
}

export function renderMarkdown(diffs: StackDiff[], opts: MarkdownOptions = {}): string {
  return renderMarkdownDetailed(diffs, opts).markdown;
}


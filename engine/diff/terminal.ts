/** The terminal rendering of stack diffs: everything, one line per change, optional ANSI colour. */
import { hasChanges, summarize } from "./diff";
import { flagLine, optionLine, propertyLine, resourceHeadline } from "./format";
import type { StackDiff } from "./types";

export interface TerminalOptions {
  color?: boolean;
  /** Also list stacks without changes (one line each). */
  showUnchanged?: boolean;
}

export function renderTerminal(diffs: StackDiff[], opts: TerminalOptions = {}): string {
  const c = (code: string) => (s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const green = c("32");
  const red = c("31");
  const yellow = c("33");
  const bold = c("1");
  const dim = c("2");
  const bySign = (line: string) => (/^\s*\+/.test(line) ? green(line) : /^\s*-/.test(line) ? red(line) : /^\s*[~±]/.test(line) ? yellow(line) : line);

  const lines: string[] = [];
  const changed = diffs.filter(hasChanges);
  const rows = changed.map(summarize);
  const w = Math.max(5, ...rows.map((r) => r.stack.length));
  lines.push(bold(`${"stack".padEnd(w)}  ${"+".padStart(4)} ${"~".padStart(4)} ${"-".padStart(4)}  danger  new violations`));
  for (const r of rows) {
    const v = r.newViolations ? `${r.newViolations}${r.newMandatory ? ` (${r.newMandatory} mandatory)` : ""}` : "0";
    const line = `${r.stack.padEnd(w)}  ${String(r.add).padStart(4)} ${String(r.change).padStart(4)} ${String(r.remove).padStart(4)}  ${String(r.danger).padStart(6)}  ${v}`;
    lines.push(r.danger || r.newMandatory ? red(line) : line);
  }
  if (rows.length === 0) lines.push(dim("(no stack changes)"));
  if (opts.showUnchanged) for (const d of diffs.filter((d) => !hasChanges(d))) lines.push(dim(`${d.stack.padEnd(w)}  unchanged`));

  for (const d of changed) {
    lines.push("", bold(`== ${d.stack} ==`));
    for (const n of d.notes) lines.push(yellow(`note: ${n}`));
    for (const f of d.flags) lines.push(f.level === "danger" ? red(flagLine(f)) : f.level === "warning" ? yellow(flagLine(f)) : green(flagLine(f)));
    for (const r of d.resources) {
      lines.push(bySign(resourceHeadline(r)));
      if (r.suggestion) lines.push(yellow(`    suggestion: ${r.suggestion}`));
      for (const p of r.properties) lines.push(bySign(`    ${propertyLine(p)}`));
      for (const o of r.options) lines.push(yellow(`    ${optionLine(o)}`));
    }
    if (d.outputs.length) {
      lines.push(dim("outputs:"));
      for (const p of d.outputs) lines.push(bySign(`    ${propertyLine(p)}`));
    }
    if (d.config.length) {
      lines.push(dim("config:"));
      for (const p of d.config) lines.push(bySign(`    ${propertyLine(p)}`));
    }
    if (d.secretsNotCompared) lines.push(dim(`${d.secretsNotCompared} secret value(s) present on both sides: blinded in plans, not comparable offline`));
  }
  return `${lines.join("\n")}\n`;
}

/** Shared text for the renderers: one line per property, option and flag, never a secret's value. */
import type { Flag, FlagKind, OptionChange, PropertyChange, ResourceChange, Shown } from "./types";

/** Longest value printed in full; longer ones are cut with an ellipsis. */
export const VALUE_MAX = 160;

/** Removes control characters that could break a line-oriented rendering. */
export function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, " ");
}

export function cut(s: string, max = VALUE_MAX): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function fmtShown(s: Shown, max = VALUE_MAX): string {
  switch (s.kind) {
    case "secret":
      return "[secret]";
    case "unknown":
      return "(known after apply)";
    case "absent":
      return "(absent)";
    case "hidden":
      return "(hidden)";
    case "value":
      return cut(clean(JSON.stringify(s.value) ?? "undefined"), max);
  }
}

const SECRET_TEXT = {
  added: "[secret] added",
  removed: "[secret] removed",
  changed: "[secret] changed (values not shown)",
  "became-secret": "now a secret (values not shown)",
  "no-longer-secret": "no longer a secret (values not shown)",
} as const;

/** `~ settings.tier: "a" → "b"`; the sign is `+`, `-` or `~`. */
export function propertyLine(p: PropertyChange, withValues = true): string {
  const sign = p.change === "added" ? "+" : p.change === "removed" ? "-" : "~";
  const path = clean(p.path) || "(root)";
  if (!withValues) return `${sign} ${path}`;
  if (p.secret) return `${sign} ${path}: ${SECRET_TEXT[p.secret]}`;
  if (p.change === "added") return `${sign} ${path}: ${fmtShown(p.after)}`;
  if (p.change === "removed") return `${sign} ${path}: ${fmtShown(p.before)}`;
  return `${sign} ${path}: ${fmtShown(p.before)} → ${fmtShown(p.after)}`;
}

export function optionLine(o: OptionChange): string {
  const f = (v: unknown) => (v === undefined ? "(unset)" : cut(clean(JSON.stringify(v))));
  return `~ option ${o.option}: ${f(o.before)} → ${f(o.after)}`;
}

export const SIGN: Record<ResourceChange["kind"], string> = { create: "+", delete: "-", update: "~", rename: "±" };

export function resourceHeadline(r: ResourceChange): string {
  const name = clean(r.name);
  const renamed = r.oldName !== undefined && r.oldName !== r.name ? ` (was ${clean(r.oldName)}${r.aliased ? ", aliased" : ""})` : r.aliased ? " (aliased)" : "";
  const state = r.stateful ? ` [${r.stateful}]` : "";
  return `${SIGN[r.kind]} ${r.type} ${name}${renamed}${state}`;
}

export const FLAG_LABEL: Record<FlagKind, string> = {
  "stateful-delete": "stateful resource deleted",
  "stateful-rename": "stateful resource renamed (replaced)",
  "stateful-replace": "stateful resource replaced",
  rename: "resource renamed (replaced)",
  "protection-removed": "protection removed",
  "replicas-lowered": "replicas lowered",
  "backup-lowered": "backup lowered",
  "policy-introduced": "new policy violation",
  "policy-fixed": "policy violation fixed",
};

export function flagLine(f: Flag): string {
  const tag = f.level === "danger" ? "DANGER" : f.level === "warning" ? "WARN" : "FIXED";
  const where = f.name ? `${clean(f.name)}${f.type ? ` (${f.type})` : ""}: ` : "";
  return `${tag} ${FLAG_LABEL[f.kind]}: ${where}${clean(f.message)}${f.suggestion ? ` — add ${f.suggestion}` : ""}`;
}

/** Whether an option change is itself a danger (shown even when options are summarised). */
export function isDangerOption(o: OptionChange): boolean {
  return (o.option === "protect" || o.option === "retainOnDelete") && o.before === true && o.after !== true;
}

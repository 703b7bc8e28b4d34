/**
 * Compares two plans of one stack (PreviewDigest, ours or `pulumi preview --json`) and returns a
 * StackDiff: resources added, removed, changed and renamed, property-level input diffs, option
 * changes, danger flags and policy results introduced or fixed. Pure: no I/O, no clock.
 */
import type { PlanPolicyResult, PreviewDigest, ResourceV3 } from "../digest";
import { loweredSettings, statefulKind } from "./stateful";
import type { Flag, OptionChange, PolicyDelta, PropertyChange, ResourceChange, StackDiff, StackSummary } from "./types";
import { matchRenames } from "./renames";
import { diffValues, sharedSecrets, type DiffContext } from "./values";

export { RENAME_SIMILARITY } from "./renames";

export interface UrnParts {
  stack: string;
  project: string;
  /** `parentType$parentType$type` */
  qualifiedType: string;
  type: string;
  name: string;
}

export function parseUrn(urn: string): UrnParts {
  const parts = urn.split("::");
  const stack = (parts[0] ?? "").replace(/^urn:pulumi:/, "");
  const qualifiedType = parts[2] ?? "";
  const types = qualifiedType.split("$");
  return { stack, project: parts[1] ?? "", qualifiedType, type: types[types.length - 1], name: parts.slice(3).join("::") };
}

/** The resources a plan ends with, by URN (deletes excluded: they are what the plan removes). */
export function planResources(d: PreviewDigest | undefined): Map<string, ResourceV3> {
  const m = new Map<string, ResourceV3>();
  for (const s of d?.steps ?? []) {
    if (s.op === "delete" || !s.newState) continue;
    m.set(s.newState.urn ?? s.urn, s.newState);
  }
  return m;
}

type AliasLike = string | { name?: string; type?: string; stack?: string; project?: string; parentUrn?: string; parent?: string; noParent?: boolean };

/** The URNs a resource's aliases stand for (Pulumi's alias spec resolved against its own URN). */
export function aliasUrns(r: ResourceV3): string[] {
  const self = parseUrn(r.urn);
  const out: string[] = [];
  for (const a of (r.aliases ?? []) as AliasLike[]) {
    if (typeof a === "string") {
      out.push(a);
      continue;
    }
    if (!a || typeof a !== "object") continue;
    const type = a.type ?? self.type;
    let chain = self.qualifiedType.split("$").slice(0, -1);
    const parentUrn = a.parentUrn ?? a.parent;
    if (a.noParent) chain = [];
    else if (parentUrn) {
      const p = parseUrn(parentUrn);
      chain = p.type === "pulumi:pulumi:Stack" ? [] : p.qualifiedType.split("$");
    }
    const q = [...chain, type].join("$");
    out.push(`urn:pulumi:${a.stack ?? self.stack}::${a.project ?? self.project}::${q}::${a.name ?? self.name}`);
  }
  return out;
}

const OPTION_FIELDS = [
  "protect",
  "retainOnDelete",
  "aliases",
  "deleteBeforeReplace",
  "ignoreChanges",
  "replaceOnChanges",
  "deletedWith",
  "customTimeouts",
  "additionalSecretOutputs",
  "provider",
] as const;

function optionValue(r: ResourceV3, f: (typeof OPTION_FIELDS)[number]): unknown {
  const v = r[f];
  if (f === "protect" || f === "retainOnDelete") return v === true;
  if (Array.isArray(v) && v.length === 0) return undefined;
  // A provider reference is `urn::id`; the id is unknown in a preview: compare the URN part.
  if (f === "provider" && typeof v === "string") return v.replace(/::[^:]*$/, "") || v;
  return v;
}

function optionChanges(b: ResourceV3, a: ResourceV3): OptionChange[] {
  const out: OptionChange[] = [];
  for (const f of OPTION_FIELDS) {
    const before = optionValue(b, f);
    const after = optionValue(a, f);
    if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ option: f, before, after });
  }
  return out;
}

function matchesReplaceOn(path: string, patterns: string[] | undefined): boolean {
  if (!patterns?.length) return false;
  const norm = path.replace(/\[[^\]]*\]/g, "[*]");
  return patterns.some((p) => {
    const q = p.replace(/\[\d+\]/g, "[*]");
    return q === "*" || norm === q || norm.startsWith(`${q}.`) || norm.startsWith(`${q}[`);
  });
}

const policyKey = (p: { policy: string; urn?: string }) => `${p.policy}|${p.urn ?? ""}`;
const isViolation = (p: PlanPolicyResult) => p.enforcementLevel !== "disabled" && !p.waiver;

function toDelta(p: PlanPolicyResult): PolicyDelta {
  return {
    policy: p.policy,
    enforcementLevel: p.enforcementLevel,
    severity: p.severity,
    ...(p.urn ? { urn: p.urn, name: parseUrn(p.urn).name } : {}),
    message: p.message,
  };
}

function configToObject(config: Record<string, string> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config ?? {})) {
    if (v === "[secret]") {
      // The CLI form blinds secret keys; keep them recognisable as secrets for the comparison.
      out[k] = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };
      continue;
    }
    let parsed: unknown = v;
    if (typeof v === "string" && /^[[{]/.test(v.trim())) {
      try {
        parsed = JSON.parse(v);
      } catch {
        parsed = v;
      }
    }
    out[k] = parsed;
  }
  return out;
}

export interface DiffOptions {
  stack?: string;
  /** Why base has no plan, when it has none. */
  baseNote?: string;
  headNote?: string;
  baseFailed?: boolean;
  headFailed?: boolean;
}

/** Compares two plans of one stack. Either may be undefined (stack absent or failed on that side). */
export function diffDigests(base: PreviewDigest | undefined, head: PreviewDigest | undefined, opts: DiffOptions = {}): StackDiff {
  const b = planResources(base);
  const h = planResources(head);
  const ctx: DiffContext = { secretsNotCompared: 0 };
  const changes: ResourceChange[] = [];
  const flags: Flag[] = [];
  const renamed = new Map<string, string>(); // base URN → head URN

  const compare = (br: ResourceV3, hr: ResourceV3, kind: "update" | "rename", aliased: boolean): ResourceChange | undefined => {
    const properties: PropertyChange[] = [];
    diffValues(br.inputs ?? {}, hr.inputs ?? {}, "", properties, ctx);
    ctx.secretsNotCompared += sharedSecrets(br.inputs ?? {}, hr.inputs ?? {});
    const options = optionChanges(br, hr).filter((o) => !(aliased && o.option === "aliases"));
    if (kind === "update" && !aliased && properties.length === 0 && options.length === 0) return undefined;
    const hp = parseUrn(hr.urn);
    const bp = parseUrn(br.urn);
    const replaceOn = properties.map((p) => p.path).filter((p) => matchesReplaceOn(p, hr.replaceOnChanges));
    return {
      kind,
      urn: hr.urn,
      type: hr.type,
      name: hp.name,
      custom: hr.custom,
      ...(br.urn !== hr.urn ? { oldUrn: br.urn, oldName: bp.name } : {}),
      ...(aliased ? { aliased: true } : {}),
      ...(statefulKind(hr.type, hr.custom, hr.inputs) ? { stateful: statefulKind(hr.type, hr.custom, hr.inputs) } : {}),
      properties,
      options,
      ...(replaceOn.length ? { replaceOn } : {}),
    };
  };

  // 1. Same URN.
  for (const [urn, hr] of h) {
    const br = b.get(urn);
    if (!br) continue;
    const c = compare(br, hr, "update", false);
    if (c) changes.push(c);
  }
  const deleted = new Map([...b].filter(([urn]) => !h.has(urn)));
  const created = new Map([...h].filter(([urn]) => !b.has(urn)));

  // 2. Renames covered by aliases: Pulumi carries the state over.
  for (const [urn, hr] of [...created]) {
    const old = aliasUrns(hr).find((u) => deleted.has(u));
    if (!old) continue;
    const c = compare(deleted.get(old)!, hr, "update", true);
    if (c) changes.push(c);
    renamed.set(old, urn);
    deleted.delete(old);
    created.delete(urn);
  }

  // 3. Renames without aliases: delete + create of one type with mostly equal inputs.
  for (const { before: d, after: c } of matchRenames(deleted, created)) {
    const dr = deleted.get(d)!;
    const cr = created.get(c)!;
    const change = compare(dr, cr, "rename", false)!;
    change.suggestion = aliasSuggestion(dr, cr);
    changes.push(change);
    renamed.set(d, c);
    deleted.delete(d);
    created.delete(c);
  }

  for (const [urn, r] of deleted) changes.push(bare("delete", urn, r));
  for (const [urn, r] of created) changes.push(bare("create", urn, r));

  // Flags.
  for (const c of changes) {
    const where = { urn: c.urn, type: c.type, name: c.name };
    if (c.kind === "delete" && c.stateful) {
      flags.push({ ...where, kind: "stateful-delete", level: "danger", message: `${c.stateful} deleted: its data goes with it` });
    }
    if (c.kind === "rename") {
      flags.push({
        ...where,
        kind: c.stateful ? "stateful-rename" : "rename",
        level: c.stateful ? "danger" : "warning",
        message: `${c.stateful ? `${c.stateful} ` : ""}renamed from ${c.oldName} to ${c.name}: without an alias Pulumi deletes it and creates a new one${c.stateful ? ", losing its data" : ""}`,
        ...(c.suggestion ? { suggestion: c.suggestion } : {}),
      });
    }
    if (c.replaceOn?.length && c.stateful) {
      flags.push({ ...where, kind: "stateful-replace", level: "danger", message: `${c.stateful} replaced: ${c.replaceOn.join(", ")} ${c.replaceOn.length > 1 ? "are" : "is"} in replaceOnChanges` });
    }
    for (const o of c.options) {
      if (o.option === "protect" && o.before === true && o.after !== true) {
        flags.push({ ...where, kind: "protection-removed", level: "danger", message: "protect: true → false" });
      }
      if (o.option === "retainOnDelete" && o.before === true && o.after !== true) {
        flags.push({ ...where, kind: "protection-removed", level: c.stateful ? "danger" : "warning", message: "retainOnDelete: true → false" });
      }
    }
    for (const l of loweredSettings(c.properties)) {
      flags.push({ ...where, path: l.path, kind: l.kind, level: "danger", message: l.message });
    }
  }

  // Policies (a renamed resource's results follow it).
  const mapUrn = (p: PlanPolicyResult): PlanPolicyResult => (p.urn && renamed.has(p.urn) ? { ...p, urn: renamed.get(p.urn) } : p);
  const basePol = (base?.policies ?? []).filter(isViolation).map(mapUrn);
  const headPol = (head?.policies ?? []).filter(isViolation);
  const baseKeys = new Set(basePol.map(policyKey));
  const headKeys = new Set(headPol.map(policyKey));
  const introduced = dedupe(headPol.filter((p) => !baseKeys.has(policyKey(p)))).map(toDelta);
  const fixed = dedupe(basePol.filter((p) => !headKeys.has(policyKey(p)))).map(toDelta);
  for (const p of introduced) {
    flags.push({
      kind: "policy-introduced",
      level: p.enforcementLevel === "mandatory" ? "danger" : "warning",
      ...(p.urn ? { urn: p.urn, name: p.name } : {}),
      message: `${p.enforcementLevel} ${p.policy}: ${p.message}`,
    });
  }
  for (const p of fixed) {
    flags.push({ kind: "policy-fixed", level: "info", ...(p.urn ? { urn: p.urn, name: p.name } : {}), message: `${p.policy} no longer violated` });
  }

  const outputs: PropertyChange[] = [];
  diffValues(base?.outputs ?? {}, head?.outputs ?? {}, "", outputs, ctx);
  ctx.secretsNotCompared += sharedSecrets(base?.outputs ?? {}, head?.outputs ?? {});
  const config: PropertyChange[] = [];
  const bc = configToObject(base?.config);
  const hc = configToObject(head?.config);
  diffValues(bc, hc, "", config, ctx);
  ctx.secretsNotCompared += sharedSecrets(bc, hc);

  const notes: string[] = [];
  if (opts.baseNote) notes.push(`base: ${opts.baseNote}`);
  if (opts.headNote) notes.push(`head: ${opts.headNote}`);

  const order = { rename: 0, delete: 1, update: 2, create: 3 } as const;
  const dangerUrns = new Set(flags.filter((f) => f.level === "danger" && f.urn).map((f) => f.urn));
  changes.sort(
    (x, y) =>
      Number(dangerUrns.has(y.urn)) - Number(dangerUrns.has(x.urn)) ||
      order[x.kind] - order[y.kind] ||
      x.type.localeCompare(y.type) ||
      x.name.localeCompare(y.name),
  );
  const levelOrder = { danger: 0, warning: 1, info: 2 } as const;
  flags.sort((x, y) => levelOrder[x.level] - levelOrder[y.level]);

  return {
    stack: opts.stack ?? head?.engine?.stack ?? base?.engine?.stack ?? "stack",
    base: { present: !!base, resources: b.size, ...(opts.baseNote ? { note: opts.baseNote } : {}), ...(opts.baseFailed ? { failed: true } : {}) },
    head: { present: !!head, resources: h.size, ...(opts.headNote ? { note: opts.headNote } : {}), ...(opts.headFailed ? { failed: true } : {}) },
    resources: changes,
    counts: {
      create: changes.filter((c) => c.kind === "create").length,
      update: changes.filter((c) => c.kind === "update").length,
      delete: changes.filter((c) => c.kind === "delete").length,
      rename: changes.filter((c) => c.kind === "rename").length,
    },
    flags,
    policies: { introduced, fixed, headMandatory: headPol.filter((p) => p.enforcementLevel === "mandatory").length },
    outputs,
    config,
    secretsNotCompared: ctx.secretsNotCompared,
    notes,
  };
}

function dedupe(ps: PlanPolicyResult[]): PlanPolicyResult[] {
  const seen = new Set<string>();
  return ps.filter((p) => (seen.has(policyKey(p)) ? false : (seen.add(policyKey(p)), true)));
}

function bare(kind: "create" | "delete", urn: string, r: ResourceV3): ResourceChange {
  const s = statefulKind(r.type, r.custom, r.inputs);
  return { kind, urn, type: r.type, name: parseUrn(urn).name, custom: r.custom, ...(s ? { stateful: s } : {}), properties: [], options: [] };
}

/** The resource option that makes Pulumi treat the new resource as the old one. */
export function aliasSuggestion(before: ResourceV3, after: ResourceV3): string {
  const b = parseUrn(before.urn);
  const a = parseUrn(after.urn);
  const parts: string[] = [];
  if (b.name !== a.name) parts.push(`name: ${JSON.stringify(b.name)}`);
  if (b.qualifiedType !== a.qualifiedType) {
    if (!before.parent || parseUrn(before.parent).type === "pulumi:pulumi:Stack") parts.push("parent: pulumi.rootStackResource");
    else parts.push(`parent: ${JSON.stringify(before.parent)}`);
  }
  return `aliases: [{ ${parts.join(", ")} }]`;
}

/** True when the stack diff has anything to show. */
export function hasChanges(d: StackDiff): boolean {
  return (
    d.resources.length > 0 ||
    d.policies.introduced.length > 0 ||
    d.policies.fixed.length > 0 ||
    d.outputs.length > 0 ||
    d.config.length > 0 ||
    !!d.base.failed ||
    !!d.head.failed
  );
}

export function summarize(d: StackDiff): StackSummary {
  return {
    stack: d.stack,
    add: d.counts.create + d.counts.rename,
    change: d.counts.update,
    remove: d.counts.delete + d.counts.rename,
    danger: d.flags.filter((f) => f.level === "danger").length,
    newViolations: d.policies.introduced.length,
    newMandatory: d.policies.introduced.filter((p) => p.enforcementLevel === "mandatory").length,
  };
}

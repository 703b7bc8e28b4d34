/**
 * The structured result of comparing two plans (PreviewDigest) of one stack. Renderers (terminal,
 * markdown) and the JSON output read only this; it never carries a secret's value, nor the value of
 * a property whose name looks sensitive, so that no renderer can leak one by accident.
 */

/** How a value is shown in a diff. Secrets and sensitive-looking values never carry their value. */
export type Shown =
  | { kind: "value"; value: unknown }
  /** A Pulumi secret: blinded in the plan, never shown. */
  | { kind: "secret" }
  /** The unknown sentinel: computed by the provider, known after apply. */
  | { kind: "unknown" }
  /** The property does not exist on this side. */
  | { kind: "absent" }
  /** A plain value that must not be printed: its key looks sensitive, or the other side is a secret. */
  | { kind: "hidden" };

export interface PropertyChange {
  /** Dotted path; list items matched by a stable key read `ports[name=http].port`, else `args[2]`. */
  path: string;
  change: "added" | "removed" | "changed";
  before: Shown;
  after: Shown;
  /** Set when a secret is involved: what can be said without its value. */
  secret?: "added" | "removed" | "changed" | "became-secret" | "no-longer-secret";
}

/** A change of a resource option (protect, retainOnDelete, aliases, ...). Options hold no secrets. */
export interface OptionChange {
  option: string;
  before: unknown;
  after: unknown;
}

export type ResourceChangeKind =
  /** In head only. */
  | "create"
  /** In base only. */
  | "delete"
  /** Same URN (or an old URN covered by the new resource's aliases) on both sides. */
  | "update"
  /** Delete + create of the same type with mostly equal inputs: Pulumi replaces it unless aliased. */
  | "rename";

export interface ResourceChange {
  kind: ResourceChangeKind;
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** For `rename`, and for an `update` reached through an alias: the URN in base. */
  oldUrn?: string;
  oldName?: string;
  /** The head resource's aliases cover the base URN: Pulumi moves the state, nothing is replaced. */
  aliased?: boolean;
  /** What kind of state the resource holds (`database`, `bucket`, ...), when it holds any. */
  stateful?: string;
  properties: PropertyChange[];
  options: OptionChange[];
  /** Changed paths that the resource's `replaceOnChanges` lists: Pulumi will replace it. */
  replaceOn?: string[];
  /** Suggested fix for a rename, e.g. `aliases: [{ name: "old" }]`. */
  suggestion?: string;
}

export type FlagKind =
  | "stateful-delete"
  | "stateful-rename"
  | "stateful-replace"
  | "rename"
  | "protection-removed"
  | "replicas-lowered"
  | "backup-lowered"
  | "policy-introduced"
  | "policy-fixed";

export interface Flag {
  kind: FlagKind;
  /** `danger` counts in the summary table; `warning` is shown; `info` is good news. */
  level: "danger" | "warning" | "info";
  urn?: string;
  type?: string;
  name?: string;
  path?: string;
  message: string;
  suggestion?: string;
}

export interface PolicyDelta {
  policy: string;
  enforcementLevel: "mandatory" | "advisory" | "disabled";
  severity: string;
  urn?: string;
  /** Resource name (last URN segment), for display. */
  name?: string;
  message: string;
}

export interface PlanSide {
  /** False when the side had no plan (stack absent, no preview CLI, or failed to evaluate). */
  present: boolean;
  resources: number;
  /** Why the side is empty, when it is. */
  note?: string;
  /** The side failed to evaluate (as opposed to: the stack does not exist there). */
  failed?: boolean;
}

export interface StackDiff {
  stack: string;
  base: PlanSide;
  head: PlanSide;
  /** Changed resources, most important first (danger, deletes, renames, updates, creates). */
  resources: ResourceChange[];
  counts: { create: number; update: number; delete: number; rename: number };
  flags: Flag[];
  policies: {
    introduced: PolicyDelta[];
    fixed: PolicyDelta[];
    /** Unwaived mandatory violations in head (all of them, not only the new ones). */
    headMandatory: number;
  };
  outputs: PropertyChange[];
  config: PropertyChange[];
  /** Secret values present on both sides: blinded, so they cannot be compared offline. */
  secretsNotCompared: number;
  notes: string[];
}

/** The summary-table figures of one stack. */
export interface StackSummary {
  stack: string;
  add: number;
  change: number;
  remove: number;
  danger: number;
  newViolations: number;
  newMandatory: number;
}

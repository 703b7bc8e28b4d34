/**
 * The plan in the shape of `pulumi preview --json` (Pulumi's `display.PreviewDigest`), so that tools
 * that read real Pulumi previews read ours, and ours can be compared with a real one.
 *
 * Extra top-level sections (`policies`, and later others) are ours; readers of the Pulumi format
 * ignore unknown keys. Each step's `newState` follows `apitype.ResourceV3`.
 */
import type { Diagnostic, Evaluation, RecordedResource } from "./evaluate";
import type { DeployabilityReport } from "./deployability/types";

export interface ResourceV3 {
  urn: string;
  id?: string;
  custom: boolean;
  type: string;
  inputs: Record<string, unknown>;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace?: boolean;
  dependencies?: string[];
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  additionalSecretOutputs?: string[];
  aliases?: unknown[];
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  customTimeouts?: { create?: string; update?: string; delete?: string };
  deletedWith?: string;
}

export interface PreviewStep {
  op: "create" | "same" | "update" | "delete" | "replace" | "read";
  urn: string;
  provider?: string;
  oldState?: ResourceV3;
  newState?: ResourceV3;
  diffReasons?: string[];
  detailedDiff: Record<string, unknown> | null;
}

export interface PreviewDiagnostic {
  urn?: string;
  prefix?: string;
  message?: string;
  severity?: "info" | "warning" | "error";
}

/** One policy result in the plan (filled by the policy run; empty until then). */
export interface PlanPolicyResult {
  policy: string;
  enforcementLevel: "mandatory" | "advisory" | "disabled";
  severity: "low" | "medium" | "high" | "critical";
  urn?: string;
  message: string;
  waiver?: { reason: string; expires: string; target: string };
}

export interface PreviewDigest {
  config?: Record<string, string>;
  steps: PreviewStep[];
  diagnostics?: PreviewDiagnostic[];
  duration?: number;
  changeSummary: Record<string, number>;
  /** Ours: which engine produced the plan, and what it cannot know. */
  engine?: { name: "offline-mock"; project: string; stack: string; limits: string[] };
  /** Ours: the stack's outputs as far as a preview knows them. */
  outputs?: Record<string, unknown>;
  /** Ours: the policy pack's results for this plan. */
  policies?: PlanPolicyResult[];
  /** Ours: the deployability analysis of this plan (would a first `pulumi up` apply and run it). */
  deployability?: DeployabilityReport;
}

/** What an offline preview cannot know; printed with every plan. */
export const OFFLINE_LIMITS = [
  "Provider-computed outputs (ids, IP addresses, generated names and passwords) are unknown, as in a preview of a fresh stack; they show as the unknown sentinel.",
  "Every resource shows as a create: there is no stored state to diff against (compare two plans with `npm run diff`).",
  "Helm charts are recorded as releases with their pinned chart, version, repository and values; the objects a chart renders are not expanded.",
  "Provider-side validation (quotas, API enablement, name availability, IAM permissions) only happens in a real `pulumi preview`.",
];

export function toResourceV3(r: RecordedResource): ResourceV3 {
  const s: ResourceV3 = { urn: r.urn, custom: r.custom, type: r.type, inputs: r.inputs };
  if (r.readId !== undefined) s.id = r.readId;
  if (r.parent) s.parent = r.parent;
  if (r.options.protect) s.protect = true;
  if (r.options.retainOnDelete) s.retainOnDelete = true;
  if (r.options.deleteBeforeReplace !== undefined) s.deleteBeforeReplace = r.options.deleteBeforeReplace;
  if (r.dependencies.length) s.dependencies = r.dependencies;
  if (r.provider) s.provider = r.provider;
  if (Object.keys(r.propertyDependencies).length) s.propertyDependencies = r.propertyDependencies;
  if (r.options.additionalSecretOutputs.length) s.additionalSecretOutputs = r.options.additionalSecretOutputs;
  if (r.options.aliases.length) s.aliases = r.options.aliases;
  if (r.options.ignoreChanges.length) s.ignoreChanges = r.options.ignoreChanges;
  if (r.options.replaceOnChanges.length) s.replaceOnChanges = r.options.replaceOnChanges;
  if (r.options.customTimeouts) s.customTimeouts = r.options.customTimeouts;
  if (r.options.deletedWith) s.deletedWith = r.options.deletedWith;
  return s;
}

function toDiagnostic(d: Diagnostic): PreviewDiagnostic {
  return { ...(d.urn ? { urn: d.urn } : {}), prefix: `${d.severity}: `, message: d.message, severity: d.severity };
}

export interface DigestExtras {
  /** Configuration in CLI form; secret keys are blinded. */
  config?: Record<string, string>;
  secretKeys?: string[];
  policies?: PlanPolicyResult[];
}

/** Builds a PreviewDigest from an evaluation: every resource is a `create` step. */
export function toPreviewDigest(ev: Evaluation, extras: DigestExtras = {}): PreviewDigest {
  const steps: PreviewStep[] = ev.resources.map((r) => ({
    op: r.readId !== undefined ? "read" : "create",
    urn: r.urn,
    ...(r.provider ? { provider: r.provider } : {}),
    newState: toResourceV3(r),
    detailedDiff: null,
  }));
  const config: Record<string, string> = {};
  const secret = new Set(extras.secretKeys ?? []);
  for (const [k, v] of Object.entries(extras.config ?? {})) config[k] = secret.has(k) ? "[secret]" : v;
  return {
    ...(Object.keys(config).length ? { config } : {}),
    steps,
    diagnostics: ev.diagnostics.map(toDiagnostic),
    // Pulumi serialises a Go time.Duration: nanoseconds.
    duration: Math.round(ev.durationMs * 1e6),
    changeSummary: summarise(steps),
    engine: { name: "offline-mock", project: ev.project, stack: ev.stack, limits: OFFLINE_LIMITS },
    outputs: ev.outputs,
    policies: extras.policies ?? [],
  };
}

function summarise(steps: PreviewStep[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of steps) out[s.op] = (out[s.op] ?? 0) + 1;
  return out;
}

/**
 * Reads the resources back out of a PreviewDigest — ours or one written by the real
 * `pulumi preview --json` — for the policy run and the diff. Steps without a new state (deletes)
 * are skipped.
 */
export function resourcesFromDigest(digest: PreviewDigest): RecordedResource[] {
  const out: RecordedResource[] = [];
  for (const step of digest.steps ?? []) {
    const s = step.newState;
    if (!s || step.op === "delete") continue;
    const name = s.urn.slice(s.urn.lastIndexOf("::") + 2);
    out.push({
      urn: s.urn,
      type: s.type,
      name,
      custom: s.custom,
      ...(s.parent ? { parent: s.parent } : {}),
      ...(s.provider ? { provider: s.provider } : {}),
      dependencies: s.dependencies ?? [],
      propertyDependencies: s.propertyDependencies ?? {},
      inputs: s.inputs ?? {},
      ...(step.op === "read" ? { readId: s.id ?? "" } : {}),
      options: {
        protect: s.protect === true,
        retainOnDelete: s.retainOnDelete === true,
        ...(s.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: s.deleteBeforeReplace } : {}),
        ignoreChanges: s.ignoreChanges ?? [],
        replaceOnChanges: s.replaceOnChanges ?? [],
        aliases: (s.aliases ?? []) as RecordedResource["options"]["aliases"],
        additionalSecretOutputs: s.additionalSecretOutputs ?? [],
        ...(s.deletedWith ? { deletedWith: s.deletedWith } : {}),
        ...(s.customTimeouts ? { customTimeouts: s.customTimeouts } : {}),
      },
    });
  }
  return out;
}

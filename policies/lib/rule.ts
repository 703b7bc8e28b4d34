/**
 * How a rule is written: one `defineResourceRule` / `defineStackRule` call per file, carrying the
 * metadata the README, the CLI and the meta-test read (description, severity, remediation, the
 * document section or benchmark id it serves), the stack facts it needs, and its check.
 *
 * The wrapper does what every rule needs the same way, inside the function the Pulumi CLI calls, so
 * that the real CLI and the offline runner behave identically:
 * - reads the stack facts and waivers from the policy's own config (`--policy-pack-config`);
 * - derives prod-ness from the config's stack name (`<platform>-<env>`), not from its `env` field
 *   alone: a prod config edited to `env: dev` stays prod (and the mismatch is reported by
 *   platform-policy-config-require-stack-facts);
 * - marks prod-only rules not applicable elsewhere;
 * - applies waivers, outside prod and shared stacks only: a valid waiver turns the violations into
 *   a not-applicable with its reason, an expired waiver is reported with the violation; in a
 *   prod-like stack a waiver never applies and the violation says it was refused (the offline
 *   runner refuses such a config outright, exit 2). Waivers come only from the config file, never
 *   from a resource's labels, tags or annotations.
 */
import type {
  PolicyComplianceFramework,
  PolicyConfigSchema,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { envOfStack, isProdLike, isStackEnv, STACK_ENVS } from "../../model/envs";
import type { FactKey, StackFacts } from "../../model/compliance";
import { at } from "./values";

export const DOMAINS = ["backup", "encryption", "isolation", "residency", "protection", "workload", "secrets", "schema", "cost"] as const;
export type Domain = (typeof DOMAINS)[number];
// The env table and the facts are the ground floor's (model/); re-exported for the rules.
export { STACK_ENVS, envOfStack } from "../../model/envs";
export type { FactKey, StackFacts } from "../../model/compliance";

/**
 * Facts that are a figure the document states (a retention, an interval, a list of regions, a
 * requirement): a violation of a rule enforcing one names the document section behind it. An
 * exemption list (privilegedNamespaces) is not a figure a violation breaks.
 */
export const CITED_FACTS: readonly FactKey[] = ["allowedLocations", "minBackupRetentionDays", "maxBackupIntervalHours", "pointInTimeRecoveryRequired", "maxRpoMinutes", "persistenceRequired"];

export interface Waiver {
  /** Optional: the policy name; when present it must be the policy the waiver is filed under. */
  policy?: string;
  /** A URN, or a pattern (`*`, `?`) matched against the URN when it starts with `urn:`, else against the resource name. */
  target: string;
  reason: string;
  /** Last day the waiver is valid, `YYYY-MM-DD` (UTC). */
  expires: string;
}

export interface RuleMeta {
  name: string;
  description: string;
  severity: Severity;
  remediationSteps: string;
  /** The document section (`quickfund.md § Backups`) or benchmark id (`CIS GKE 5.6.3`, `CKV_K8S_20`) the rule serves. */
  source: string;
  domain: Domain;
  /** What the rule checks, for the README table (type tokens or a short description). */
  resources: string[];
  /** `prod`: not applicable outside prod/shared stacks. */
  scope?: "all" | "prod";
  /** Facts the rule reads from its config. */
  facts?: FactKey[];
  /** Advisory in every env, prod included (the issue marks it advisory). */
  advisory?: boolean;
  framework?: PolicyComplianceFramework;
  kind: "resource" | "stack";
}

export interface ResourceContext {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  opts: PolicyResourceOptions;
  provider?: { type: string; props: Record<string, unknown>; urn: string; name: string };
  facts: StackFacts;
  isProd: boolean;
  /** Safe read of a dotted path in the props (UNKNOWN for a value a preview cannot know). */
  get(path: string): unknown;
  notApplicable(reason: string): never;
}

export interface StackContext {
  resources: PolicyResource[];
  facts: StackFacts;
  isProd: boolean;
  /** What is wrong with the config itself: an identity mismatch, waivers in a prod-like stack. */
  configProblems: string[];
  ofType(...types: string[]): PolicyResource[];
  notApplicable(reason: string): never;
}

type Report = (message: string) => void;
type StackReport = (message: string, urn?: string) => void;

export interface ResourceRuleDefinition extends Omit<RuleMeta, "kind"> {
  /** Type tokens the rule applies to, or a predicate over the type token. */
  types: string[] | ((type: string) => boolean);
  validate(r: ResourceContext, report: Report): void;
}

export interface StackRuleDefinition extends Omit<RuleMeta, "kind"> {
  validate(s: StackContext, report: StackReport): void;
}

export type PlatformPolicy = (ResourceValidationPolicy | StackValidationPolicy) & { name: string };

const META = new Map<string, RuleMeta>();
/** The metadata of a rule (throws for a policy not defined through this module). */
export function metaOf(policyName: string): RuleMeta {
  const m = META.get(policyName);
  if (!m) throw new Error(`policy ${policyName} was not defined with defineResourceRule/defineStackRule`);
  return m;
}

const WAIVER_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    properties: {
      policy: { type: "string" },
      target: { type: "string", minLength: 1 },
      reason: { type: "string", minLength: 1 },
      expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    },
    required: ["target", "reason", "expires"],
    additionalProperties: false,
  },
} as const;

const FACT_SCHEMAS: Record<FactKey, object> = {
  allowedLocations: { type: "array", items: { type: "string" }, minItems: 1 },
  minBackupRetentionDays: { type: "integer", minimum: 1 },
  maxBackupIntervalHours: { type: "integer", minimum: 1 },
  pointInTimeRecoveryRequired: { type: "boolean" },
  // null: the document states no RPO (the key is still present, so a config without it is a missing fact).
  maxRpoMinutes: { type: ["integer", "null"], minimum: 1 },
  persistenceRequired: { type: "boolean" },
  privilegedNamespaces: { type: "array", items: { type: "string" } },
};

/** The document section behind each fact the rule reads (policies/config/generate.ts writes it). */
const SOURCES_SCHEMA = { type: "object", additionalProperties: { type: "string" } } as const;

/** The config schema of a rule: the stack identity, the facts it reads, and its waivers. */
export function configSchemaFor(facts: FactKey[] = []): PolicyConfigSchema {
  const properties: Record<string, object> = {
    stack: { type: "string" },
    platform: { type: "string" },
    env: { type: "string", enum: [...STACK_ENVS] },
    waivers: WAIVER_SCHEMA,
  };
  if (facts.length) properties.sources = SOURCES_SCHEMA;
  for (const f of facts) properties[f] = FACT_SCHEMAS[f];
  return { properties: properties as PolicyConfigSchema["properties"] };
}

const DEFAULT_FACTS: StackFacts = {
  stack: "",
  platform: "",
  env: "dev",
  allowedLocations: [],
  minBackupRetentionDays: 0,
  maxBackupIntervalHours: 0,
  pointInTimeRecoveryRequired: false,
  maxRpoMinutes: null,
  persistenceRequired: false,
  privilegedNamespaces: [],
  sources: {},
};

interface ReadConfig {
  facts: StackFacts;
  waivers: Waiver[];
  /** Missing facts: the policy ran without its stack's config file. */
  missing: string[];
  /** Prod-ness, from the stack name (and from the config's `env` when that claims prod: the stricter wins). */
  isProd: boolean;
  /** Why the config's identity does not hold together (its `env` or `platform` disagrees with its `stack`). */
  mismatch?: string;
}

/** The stack a URN belongs to (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : undefined;
}

/** Why a config's identity fields disagree (undefined when `stack`, `env` and `platform` agree). */
export function configIdentityMismatch(raw: Record<string, unknown>): string | undefined {
  const stackEnv = envOfStack(raw.stack);
  if (stackEnv === undefined) return undefined;
  if (raw.env !== stackEnv) return `the config claims env ${JSON.stringify(raw.env)} but its stack ${String(raw.stack)} is ${stackEnv}`;
  if (typeof raw.platform === "string" && `${raw.platform}-${stackEnv}` !== raw.stack) return `the config claims platform ${JSON.stringify(raw.platform)} but its stack is ${String(raw.stack)}`;
  return undefined;
}

function readConfig(raw: Record<string, unknown>, need: FactKey[]): ReadConfig {
  const facts = { ...DEFAULT_FACTS, ...(raw as Partial<StackFacts>) };
  const missing: string[] = [];
  const claimed = isStackEnv(raw.env) ? raw.env : undefined;
  const stackEnv = envOfStack(raw.stack);
  if (!claimed) missing.push("env");
  if (!stackEnv) missing.push("stack");
  for (const f of need) if (raw[f] === undefined) missing.push(f);
  // The stack name decides; a config claiming prod for a non-prod stack is a mismatch, and stricter.
  facts.env = stackEnv ?? claimed ?? "dev";
  const isProd = isProdLike(facts.env) || (claimed !== undefined && isProdLike(claimed));
  const waivers = Array.isArray(raw.waivers) ? (raw.waivers as Waiver[]) : [];
  const mismatch = configIdentityMismatch(raw);
  return { facts, waivers, missing, isProd, ...(mismatch ? { mismatch } : {}) };
}

export const NO_CONFIG_REASON = "stack facts not configured: run with --policy-pack-config policies/config/<stack>.json";

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

/** Does a waiver's target designate this resource? */
export function waiverMatches(target: string, urn: string, name: string): boolean {
  if (target === urn) return true;
  if (target.startsWith("urn:")) return globToRegExp(target).test(urn);
  return globToRegExp(target).test(name);
}

/** Today in UTC, `YYYY-MM-DD`. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** How every waiver's not-applicable reason starts (the offline runner looks for it before parsing). */
export const WAIVER_REASON_PREFIX = "waived until ";
/** The not-applicable reason that records a waiver; the offline runner parses it back (`parseWaiverReason`). */
export function waiverReason(w: Waiver): string {
  return `${WAIVER_REASON_PREFIX}${w.expires} (target ${JSON.stringify(w.target)}): ${w.reason}`;
}
const WAIVER_REASON = new RegExp(`^${WAIVER_REASON_PREFIX}(\\d{4}-\\d{2}-\\d{2}) \\(target ("(?:[^"\\\\]|\\\\.)*")\\): ([\\s\\S]*)$`);
export function parseWaiverReason(reason: string | undefined): { expires: string; target: string; reason: string } | undefined {
  const m = WAIVER_REASON.exec(reason ?? "");
  return m ? { expires: m[1], target: JSON.parse(m[2]) as string, reason: m[3] } : undefined;
}

function findWaiver(policy: string, waivers: Waiver[], urn: string, name: string): Waiver | undefined {
  return waivers.find((w) => (w.policy === undefined || w.policy === policy) && w.reason?.trim() && waiverMatches(w.target, urn, name));
}

/** Why a matching waiver did not apply: refused in prod-like stacks, or expired. */
function waiverRefusal(w: Waiver, isProd: boolean): string {
  return isProd
    ? `(the config's waiver for ${JSON.stringify(w.target)} is refused: prod and shared stacks take no waiver)`
    : `(the waiver for ${JSON.stringify(w.target)} expired on ${w.expires})`;
}

function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * The document sections behind the figures a rule enforces, appended to each of its violations:
 * ` [minBackupRetentionDays 28: diaspomoney.md § Backup (…)]`. The config carries the citations
 * (ComplianceFacts.sources, generated into policies/config/<stack>.json); without them, nothing.
 */
export function citationOf(facts: StackFacts, declared: readonly FactKey[] = []): string {
  const cited = declared.filter((f) => CITED_FACTS.includes(f) && typeof facts.sources?.[f] === "string");
  if (!cited.length) return "";
  return ` [${cited.map((f) => `${f} ${JSON.stringify(facts[f])}: ${facts.sources[f]}`).join("; ")}]`;
}

function register(meta: RuleMeta) {
  if (META.has(meta.name)) throw new Error(`duplicate policy name ${meta.name}`);
  META.set(meta.name, meta);
}

function policyFields(def: Omit<RuleMeta, "kind">) {
  return {
    name: def.name,
    description: def.description,
    severity: def.severity,
    remediationSteps: def.remediationSteps,
    configSchema: configSchemaFor(def.facts),
    tags: [def.domain, def.scope === "prod" ? "prod-only" : "all-envs"],
    ...(def.framework ? { framework: def.framework } : {}),
  };
}

/**
 * The key under which a multi-type rule's validateResource carries its type check: the reason it
 * would throw through `notApplicable` for a resource of another type, or undefined. The Pulumi
 * analyzer ignores it (and gets the same answer by calling the rule); the offline runner reads it
 * to skip tens of thousands of throws per preview.
 */
export const NOT_APPLICABLE_TO_TYPE = "__notApplicableToType";
export type NotApplicableToType = { [NOT_APPLICABLE_TO_TYPE]?: (type: string) => string | undefined };

export function defineResourceRule(def: ResourceRuleDefinition): ResourceValidationPolicy {
  const { types, validate, ...meta } = def;
  register({ ...meta, kind: "resource" });
  const applies = typeof types === "function" ? types : (t: string) => types.includes(t);
  const typeText = typeof types === "function" ? meta.resources.join(", ") : types.join(", ");
  const notApplicableToType = (type: string): string | undefined => (applies(type) ? undefined : `Policy only applies to resources of types ${typeText}`);
  const fn = (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    const typeReason = notApplicableToType(args.type);
    if (typeReason) args.notApplicable(typeReason);
    const cfg = readConfig(args.getConfig<Record<string, unknown>>(), def.facts ?? []);
    if (cfg.missing.length && (def.scope === "prod" || (def.facts ?? []).length)) args.notApplicable(NO_CONFIG_REASON);
    const isProd = cfg.isProd;
    if (def.scope === "prod" && !isProd) args.notApplicable(`applies to prod stacks only (this stack is ${cfg.facts.env})`);
    const messages: string[] = [];
    const ctx: ResourceContext = {
      type: args.type,
      name: args.name,
      urn: args.urn,
      // Read on demand: most rules never look at the provider, and building it is not free.
      get props() {
        return args.props;
      },
      get opts() {
        return args.opts;
      },
      get provider() {
        return args.provider;
      },
      facts: cfg.facts,
      isProd,
      get: (path) => at(args.props, path),
      notApplicable: (reason) => args.notApplicable(reason),
    };
    const cite = citationOf(cfg.facts, def.facts);
    validate(ctx, (m) => messages.push(m + cite));
    if (messages.length === 0) return;
    const waiver = findWaiver(def.name, cfg.waivers, args.urn, args.name);
    if (waiver && !isProd && waiver.expires >= today()) args.notApplicable(waiverReason(waiver));
    for (const m of messages) reportViolation(waiver ? `${m} ${waiverRefusal(waiver, isProd)}` : m);
  };
  // One type: let the analyzer skip other types without calling the rule (what validateResourceOfType does).
  if (Array.isArray(types) && types.length === 1) (fn as unknown as { __pulumiType: string }).__pulumiType = types[0];
  // Several types: the same answer, without a throw, for runners that look (engine/policy/run.ts).
  else (fn as unknown as NotApplicableToType)[NOT_APPLICABLE_TO_TYPE] = notApplicableToType;
  return { ...policyFields(meta), validateResource: fn };
}

export function defineStackRule(def: StackRuleDefinition): StackValidationPolicy {
  const { validate, ...meta } = def;
  register({ ...meta, kind: "stack" });
  const fn = (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const cfg = readConfig(args.getConfig<Record<string, unknown>>(), def.facts ?? []);
    if (cfg.missing.length && (def.scope === "prod" || (def.facts ?? []).length)) args.notApplicable(NO_CONFIG_REASON);
    const isProd = cfg.isProd;
    if (def.scope === "prod" && !isProd) args.notApplicable(`applies to prod stacks only (this stack is ${cfg.facts.env})`);
    const found: { message: string; urn?: string }[] = [];
    const configProblems = [
      ...(cfg.mismatch ? [cfg.mismatch] : []),
      ...(isProd && cfg.waivers.length ? [`${cfg.waivers.length} waiver(s) in the config of a ${cfg.facts.env} stack: waivers are refused in prod and shared stacks`] : []),
    ];
    const ctx: StackContext = {
      resources: args.resources,
      facts: cfg.facts,
      isProd,
      configProblems,
      ofType: (...types) => args.resources.filter((r) => types.includes(r.type)),
      notApplicable: (reason) => args.notApplicable(reason),
    };
    const cite = citationOf(cfg.facts, def.facts);
    validate(ctx, (message, urn) => found.push({ message: message + cite, urn }));
    const waived: string[] = [];
    for (const v of found) {
      const waiver = v.urn ? findWaiver(def.name, cfg.waivers, v.urn, nameOfUrn(v.urn)) : undefined;
      if (waiver && !isProd && waiver.expires >= today()) {
        waived.push(waiverReason(waiver));
        continue;
      }
      reportViolation(waiver ? `${v.message} ${waiverRefusal(waiver, isProd)}` : v.message, v.urn);
    }
    // A stack policy has one not-applicable slot: it records the waivers when nothing else is left.
    if (waived.length > 0 && waived.length === found.length) args.notApplicable(waived.join("\n"));
  };
  return { ...policyFields(meta), validateStack: fn };
}

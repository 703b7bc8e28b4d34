/**
 * The offline policy run: drives the pack's own rules (policies/pack.ts, the same validateResource
 * and validateStack functions the Pulumi CLI runs) over a plan's resources, exactly as
 * @pulumi/policy's analyzer server does (server.js `analyze` / `analyzeStack`): same enforcement
 * resolution, same property deserialisation, same `unknownCheckingProxy`, same not-applicable and
 * "can't run during preview" handling. tests/policies/parity.test.ts proves it against the real
 * server over gRPC, so an upgrade of @pulumi/policy cannot silently change behaviour.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { RecordedResource } from "../evaluate";
import type { PlanPolicyResult } from "../digest";
import { PACK_DEFAULT_ENFORCEMENT, PACK_NAME, policies as packPolicies } from "../../policies/pack";
import { deserializeProperties, unknownCheckingProxy, UnknownValueError } from "../../policies/lib/internals";
import { memoByString } from "../../policies/lib/memo";
import { CITED_FACTS, NOT_APPLICABLE_TO_TYPE, parseWaiverReason, WAIVER_REASON_PREFIX, type NotApplicableToType } from "../../policies/lib/rule";
import { checkPolicyConfig, checkStackConfig, loadPolicyConfig, type PolicyPackConfigFile } from "./config";
import { goDurationSeconds, providerUrn, toAnalyzerWire } from "./wire";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACK_VERSION: string = (require("../../policies/package.json") as { version: string }).version;

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** A diagnostic as the analyzer server builds it (server.js `makeReportViolationFun`). */
export interface AnalyzerDiagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  message: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  severity?: Severity;
  /** Set only when the rule passed one (stack policies); the engine attributes resource diagnostics. */
  urn?: string;
}

export interface NotApplicableRecord {
  policy: string;
  urn?: string;
  reason?: string;
}

export interface PolicyRunOptions {
  /** Full stack name; selects `policies/config/<stack>.json` unless `config` is given. */
  stack: string;
  resources: RecordedResource[];
  /** The policy config to use instead of the stack's file. */
  config?: PolicyPackConfigFile;
  /** Directory of the per-stack config files. */
  configDir?: string;
  /** The rules to run; the whole pack by default. */
  policies?: AnyPolicy[];
}

export interface PolicyRunResult {
  stack: string;
  /** Violations and recorded waivers, for the plan's `policies` section. */
  results: PlanPolicyResult[];
  mandatoryViolations: number;
  advisoryViolations: number;
  waived: number;
  /** Every not-applicable the analyzer would report, with its reason. */
  notApplicable: NotApplicableRecord[];
  /** Raw diagnostics per resource URN (undefined key: stack-level), in the server's shape. */
  diagnostics: { urn?: string; diagnostic: AnalyzerDiagnostic }[];
  /** The config file read, when one was. */
  configFile?: string;
  /** The document section behind each figure a violated rule enforces (from the config's `sources`). */
  citations: PolicyCitation[];
}

/** A figure a violation breaks, its value in this stack, and the document section it comes from. */
export interface PolicyCitation {
  fact: string;
  value: unknown;
  source: string;
  /** The violated rules that enforce it. */
  policies: string[];
}

/** The figures behind the violated rules, one entry per fact (ComplianceFacts.sources, via the config). */
export function citationsOf(violated: Iterable<string>, config: PolicyPackConfigFile): PolicyCitation[] {
  const byFact = new Map<string, PolicyCitation>();
  for (const policy of new Set(violated)) {
    const entry = config[policy];
    const sources = (entry?.sources ?? {}) as Record<string, unknown>;
    for (const fact of CITED_FACTS) {
      const source = sources[fact];
      if (typeof source !== "string") continue;
      const c = byFact.get(fact) ?? { fact, value: entry[fact], source, policies: [] };
      c.policies.push(policy);
      byFact.set(fact, c);
    }
  }
  return [...byFact.values()];
}

class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}
const throwNotApplicable = (reason?: string): never => {
  // A rule's normal "does not apply" answer, thrown for most resources a rule sees and only ever
  // caught below: capturing a stack trace for each cost about as much as running the rule.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let e: NotApplicable;
  try {
    e = new NotApplicable(reason);
  } finally {
    Error.stackTraceLimit = limit;
  }
  throw e;
};

function isResourcePolicy(p: AnyPolicy): p is ResourceValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack !== "function";
}

function pulumiTypeOf(fn: unknown): string | undefined {
  return (fn as { __pulumiType?: string } | undefined)?.__pulumiType;
}

function levelFor(p: AnyPolicy, config: PolicyPackConfigFile): EnforcementLevel {
  const level = config[p.name]?.enforcementLevel || p.enforcementLevel || PACK_DEFAULT_ENFORCEMENT;
  return level;
}

/**
 * server.js `makeGetConfigFun`: a shallow copy of the rule's entry without its enforcement level,
 * per call (the entry itself is the one `configure` received: runPolicyPack passes it through a
 * JSON round trip once, as protobuf carries it to the server).
 */
function getConfigFor(name: string, config: PolicyPackConfigFile) {
  return <T extends object>(): T => {
    const c = config[name];
    if (!c) return {} as T;
    const { enforcementLevel: _l, ...props } = c;
    void _l;
    return props as T;
  };
}

function options(r: RecordedResource): PolicyResourceOptions {
  const o = r.options;
  const result: PolicyResourceOptions = {
    protect: o.protect,
    ignoreChanges: o.ignoreChanges,
    aliases: o.aliases.filter((a): a is string => typeof a === "string"),
    customTimeouts: {
      createSeconds: goDurationSeconds(o.customTimeouts?.create),
      updateSeconds: goDurationSeconds(o.customTimeouts?.update),
      deleteSeconds: goDurationSeconds(o.customTimeouts?.delete),
    },
    additionalSecretOutputs: o.additionalSecretOutputs,
  };
  if (o.deleteBeforeReplace !== undefined) result.deleteBeforeReplace = o.deleteBeforeReplace;
  if (r.parent) result.parent = r.parent;
  return result;
}

/** Properties as a policy receives them: wire form, deserialised (secrets opened), unknown-checking. */
export function policyProps(inputs: Record<string, unknown>): Record<string, unknown> {
  return propsFromWire(toAnalyzerWire(inputs) as Record<string, unknown>);
}

/**
 * A fresh deserialised copy of wire-form properties (deserializeProperties copies every object
 * and array), so one wire form can serve every policy: each still gets its own objects, as each
 * gets its own from the server, which deserialises the request anew per validation.
 */
function propsFromWire(wire: Record<string, unknown>): Record<string, unknown> {
  return unknownCheckingProxy(deserializeProperties({ toJavaScript: () => wire }, false));
}

function providerOf(r: RecordedResource, byUrn: Map<string, RecordedResource>) {
  const urn = providerUrn(r.provider);
  if (!urn) return undefined;
  const p = byUrn.get(urn);
  const type = p?.type ?? urn.split("::")[2] ?? "";
  return { type, props: policyProps(p?.inputs ?? {}), urn, name: urn.slice(urn.lastIndexOf("::") + 2) };
}

function makeReport(p: AnyPolicy, level: EnforcementLevel, sink: AnalyzerDiagnostic[]) {
  return (message: string, urn?: string) => {
    sink.push({
      policyName: p.name,
      policyPackName: PACK_NAME,
      policyPackVersion: PACK_VERSION,
      message: message ? `${p.description}\n${message}` : p.description,
      urn,
      description: p.description,
      enforcementLevel: level,
      severity: p.severity,
    });
  };
}

function cantRun(p: AnyPolicy, e: Error, sink: AnalyzerDiagnostic[]) {
  sink.push({
    policyName: p.name,
    policyPackName: PACK_NAME,
    policyPackVersion: PACK_VERSION,
    message: `can't run policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${e.message}`,
    description: p.description,
    enforcementLevel: "advisory",
    severity: p.severity,
  });
}

/**
 * A rule's view of one resource, with `props`, `opts` and `provider` built on first read: each
 * rule still gets objects of its own, as from the server (which deserialises every request
 * anew), but the ~40 rules that apply to any type and the stack rules answer most resources
 * without reading them, and building them for every rule × resource was most of a policy run.
 * A class, so the getters live once on its prototype (a literal with getters per object was
 * slower than building everything).
 */
class LazyResourceView {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  #props: Record<string, unknown> | undefined;
  #opts: PolicyResourceOptions | undefined;
  #provider: ReturnType<typeof providerOf> | null = null;

  constructor(
    private readonly resource: RecordedResource,
    private readonly byUrn: Map<string, RecordedResource>,
    private readonly wire: Record<string, unknown>,
  ) {
    this.type = resource.type;
    this.urn = resource.urn;
    this.name = resource.name;
  }

  get props(): Record<string, unknown> {
    return (this.#props ??= propsFromWire(this.wire));
  }

  get opts(): PolicyResourceOptions {
    return (this.#opts ??= options(this.resource));
  }

  /** Undefined when the resource has no provider reference, as the server leaves it unset. */
  get provider(): ReturnType<typeof providerOf> {
    if (this.#provider === null) this.#provider = providerOf(this.resource, this.byUrn);
    return this.#provider;
  }

  isType = (cls: unknown): boolean => pulumiTypeOf(cls) === this.type;
  asType = (cls: unknown): Record<string, unknown> | undefined => (pulumiTypeOf(cls) === this.type ? this.props : undefined);
}

class LazyValidationArgs extends LazyResourceView {
  stackTags = new Map<string, string>();
  constructor(
    resource: RecordedResource,
    byUrn: Map<string, RecordedResource>,
    wire: Record<string, unknown>,
    readonly getConfig: ResourceValidationArgs["getConfig"],
  ) {
    super(resource, byUrn, wire);
  }
  notApplicable = throwNotApplicable;
}

class LazyPolicyResource extends LazyResourceView {
  dependencies: PolicyResource[] = [];
  propertyDependencies: Record<string, PolicyResource[]> = {};
  parent?: PolicyResource;
}

/** `Policy only applies to resources of type '<t>'`, one string per type (a plan repeats each reason on thousands of records). */
const onlyTypeReason = memoByString((t) => `Policy only applies to resources of type '${t}'`, 1024);

/** One resource through every resource policy (server.js `analyze`). */
export async function analyzeResource(
  r: RecordedResource,
  policies: AnyPolicy[],
  config: PolicyPackConfigFile,
  byUrn: Map<string, RecordedResource>,
  /** The resource's inputs in wire form, when the caller has them already (toAnalyzerWire). */
  wire: Record<string, unknown> = toAnalyzerWire(r.inputs) as Record<string, unknown>,
  /** Each policy's getConfig, when the caller made them once for the run (getConfigFor). */
  getConfigs?: ReadonlyMap<string, ResourceValidationArgs["getConfig"]>,
): Promise<{ diagnostics: AnalyzerDiagnostic[]; notApplicable: NotApplicableRecord[] }> {
  const ds: AnalyzerDiagnostic[] = [];
  const na: NotApplicableRecord[] = [];
  for (const p of policies) {
    let level = levelFor(p, config);
    if (level === "disabled" || !isResourcePolicy(p)) continue;
    if (!p.validateResource) {
      na.push({ policy: p.name, urn: r.urn, reason: "Policy does not implement validateResource" });
      continue;
    }
    if (level === "remediate") level = "mandatory";
    if (!Array.isArray(p.validateResource)) {
      const t = pulumiTypeOf(p.validateResource);
      if (t && r.type !== t) {
        na.push({ policy: p.name, urn: r.urn, reason: onlyTypeReason(t) });
        continue;
      }
    }
    const report = makeReport(p, level, ds);
    const getConfig = getConfigs?.get(p.name) ?? getConfigFor(p.name, config);
    const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    for (const validation of validations) {
      // What the rule would throw for this type, without the throw (policies/lib/rule.ts).
      const typeReason = (validation as NotApplicableToType)[NOT_APPLICABLE_TO_TYPE]?.(r.type);
      if (typeReason !== undefined) {
        na.push({ policy: p.name, urn: r.urn, reason: typeReason });
        continue;
      }
      try {
        const args = new LazyValidationArgs(r, byUrn, wire, getConfig) as unknown as ResourceValidationArgs;
        await Promise.resolve(validation(args, (message) => report(message)));
      } catch (e) {
        if (e instanceof UnknownValueError) cantRun(p, e, ds);
        else if (e instanceof NotApplicable) na.push({ policy: p.name, urn: r.urn, reason: e.reason });
        else throw new Error(`Error validating resource with policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}': ${(e as Error).stack ?? String(e)}`);
      }
    }
  }
  return { diagnostics: ds, notApplicable: na };
}

/** The whole stack through every stack policy (server.js `analyzeStack`). */
export async function analyzeStack(
  resources: RecordedResource[],
  policies: AnyPolicy[],
  config: PolicyPackConfigFile,
  /** Each resource's inputs in wire form, when the caller has them already (toAnalyzerWire). */
  wires: ReadonlyMap<RecordedResource, Record<string, unknown>> = wireForms(resources),
): Promise<{ diagnostics: AnalyzerDiagnostic[]; notApplicable: NotApplicableRecord[] }> {
  const ds: AnalyzerDiagnostic[] = [];
  const na: NotApplicableRecord[] = [];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const p of policies) {
    let level = levelFor(p, config);
    if (level === "disabled" || isResourcePolicy(p)) continue;
    if (level === "remediate") level = "mandatory";
    const t = pulumiTypeOf(p.validateStack);
    if (t && !resources.some((r) => r.type === t)) {
      na.push({ policy: p.name, reason: onlyTypeReason(t) });
      continue;
    }
    const report = makeReport(p, level, ds);
    try {
      const objs = new Map<string, PolicyResource>();
      for (const r of resources) {
        const wire = wires.get(r)!;
        const res = new LazyPolicyResource(r, byUrn, wire) as unknown as PolicyResource;
        objs.set(r.urn, res);
      }
      for (const r of resources) {
        const res = objs.get(r.urn)!;
        if (r.parent && objs.has(r.parent)) res.parent = objs.get(r.parent);
        res.dependencies = r.dependencies.map((d) => objs.get(d)).filter((d): d is PolicyResource => !!d);
        for (const [k, v] of Object.entries(r.propertyDependencies)) {
          res.propertyDependencies[k] = v.map((d) => objs.get(d)).filter((d): d is PolicyResource => !!d);
        }
      }
      const args: StackValidationArgs = {
        resources: [...objs.values()],
        getConfig: getConfigFor(p.name, config),
        stackTags: new Map(),
        notApplicable: throwNotApplicable,
      };
      await Promise.resolve(p.validateStack(args, report));
    } catch (e) {
      if (e instanceof UnknownValueError) cantRun(p, e, ds);
      else if (e instanceof NotApplicable) na.push({ policy: p.name, reason: e.reason });
      else throw new Error(`Error validating stack with policy '${p.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}': ${(e as Error).stack ?? String(e)}`);
    }
  }
  return { diagnostics: ds, notApplicable: na };
}

/** Every resource's inputs in wire form (toAnalyzerWire), made once for the resource and the stack policies alike. */
function wireForms(resources: readonly RecordedResource[]): Map<RecordedResource, Record<string, unknown>> {
  return new Map(resources.map((r) => [r, toAnalyzerWire(r.inputs) as Record<string, unknown>]));
}

/** The rule-specific part of a server message (`<description>\n<message>`). */
function specificMessage(d: AnalyzerDiagnostic): string {
  return d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message;
}

/** Runs the pack over a plan's resources with the stack's enforcement, facts and waivers. */
export async function runPolicyPack(opts: PolicyRunOptions): Promise<PolicyRunResult> {
  const policies = opts.policies ?? (packPolicies as AnyPolicy[]);
  let config = opts.config;
  let configFile: string | undefined;
  if (!config) {
    const loaded = loadPolicyConfig(opts.stack, opts.configDir);
    config = loaded.config;
    configFile = loaded.file;
  }
  // The file configures the whole pack, even when only some rules run.
  checkPolicyConfig(config, packPolicies as AnyPolicy[], configFile ?? `policy config of ${opts.stack}`);
  // A stack's own file must be its stack's and cannot relax prod (tests pass `config` for fixtures).
  if (configFile) checkStackConfig(config, packPolicies as AnyPolicy[], opts.stack, configFile);

  const byUrn = new Map(opts.resources.map((r) => [r.urn, r]));
  const received = JSON.parse(JSON.stringify(config)) as PolicyPackConfigFile;
  const diagnostics: PolicyRunResult["diagnostics"] = [];
  const notApplicable: NotApplicableRecord[] = [];
  const wires = wireForms(opts.resources);
  const getConfigs = new Map(policies.map((p) => [p.name, getConfigFor(p.name, received)]));
  for (const r of opts.resources) {
    const out = await analyzeResource(r, policies, received, byUrn, wires.get(r), getConfigs);
    for (const d of out.diagnostics) diagnostics.push({ urn: r.urn, diagnostic: d });
    for (const n of out.notApplicable) notApplicable.push(n);
  }
  const stack = await analyzeStack(opts.resources, policies, received, wires);
  for (const d of stack.diagnostics) diagnostics.push({ urn: d.urn, diagnostic: d });
  notApplicable.push(...stack.notApplicable);

  const results: PlanPolicyResult[] = diagnostics.map(({ urn, diagnostic: d }) => ({
    policy: d.policyName,
    enforcementLevel: d.enforcementLevel === "remediate" ? "mandatory" : d.enforcementLevel,
    severity: d.severity ?? "medium",
    ...(urn ? { urn } : {}),
    message: specificMessage(d),
  }));
  const byName = new Map(policies.map((p) => [p.name, p]));
  let waived = 0;
  for (const n of notApplicable) {
    // Nearly every record is a type or scope answer: only a reason naming a waiver is parsed.
    if (!n.reason?.includes(WAIVER_REASON_PREFIX)) continue;
    for (const line of n.reason.split("\n")) {
      const w = parseWaiverReason(line);
      if (!w) continue;
      const p = byName.get(n.policy)!;
      const level = levelFor(p, config);
      waived++;
      results.push({
        policy: n.policy,
        enforcementLevel: level === "remediate" ? "mandatory" : level,
        severity: p.severity ?? "medium",
        ...(n.urn ? { urn: n.urn } : {}),
        message: `waived: ${w.reason}`,
        waiver: w,
      });
    }
  }
  const violations = results.filter((r) => !r.waiver);
  return {
    stack: opts.stack,
    results,
    mandatoryViolations: violations.filter((r) => r.enforcementLevel === "mandatory").length,
    advisoryViolations: violations.filter((r) => r.enforcementLevel === "advisory").length,
    waived,
    notApplicable,
    diagnostics,
    ...(configFile ? { configFile } : {}),
    citations: citationsOf(
      violations.map((r) => r.policy),
      config,
    ),
  };
}

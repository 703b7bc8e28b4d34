/**
 * Parity with the real analyzer: the same resources go through @pulumi/policy's own analyzer
 * server (started by policies/index.ts, exactly as the CLI starts it) over gRPC — configure,
 * analyze each resource, analyzeStack — and through the offline runner. Diagnostics and
 * not-applicable records must be identical, so that an upgrade of @pulumi/policy cannot silently
 * change what the pack reports.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RecordedResource } from "../../engine/evaluate";
import { analyzeResource, analyzeStack, type AnalyzerDiagnostic, type NotApplicableRecord } from "../../engine/policy/run";
import type { PolicyPackConfigFile } from "../../engine/policy/config";
import { goDurationSeconds, providerUrn, toAnalyzerWire } from "../../engine/policy/wire";
import { policies } from "../../policies/pack";
import { analyzerClient, configureRequest, proto, Struct } from "./analyzer-grpc";
import { configFor, mutate } from "./helpers";
import { SPECS } from "./specs";
import type { StackChange } from "./specs/types";

/* eslint-disable @typescript-eslint/no-explicit-any */

const LEVELS: Record<number, string> = {};
for (const [k, v] of Object.entries(proto.EnforcementLevel as Record<string, number>)) LEVELS[v] = k.toLowerCase();
const SEVERITIES: Record<number, string | undefined> = {};
for (const [k, v] of Object.entries((proto.PolicySeverity ?? {}) as Record<string, number>)) SEVERITIES[v] = k.replace(/^POLICY_SEVERITY_/, "").toLowerCase();

let client: any;

let call: <T>(method: string, req: unknown) => Promise<T>;

beforeAll(async () => {
  // serve() prints the port on stdout; catch it.
  const port = await new Promise<string>((resolve) => {
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      if (/^\d+$/.test(String(line))) {
        spy.mockRestore();
        resolve(String(line));
      }
    });
    void import("../../policies/index");
  });
  ({ client, call } = analyzerClient(port));
});

afterAll(() => client?.close());

/**
 * The server's answers to analyze and analyzeStack requests under the current config. Within one
 * config the server is a function of the request, and a third of the corpus's resources recur
 * unchanged from case to case (a spec's other resources, its untouched fixture), as do a seventh of
 * its plans (a not-applicable case that changes nothing): each distinct request goes to the server
 * once, and every case's runner output is still compared with the answer for its exact request.
 */
const analyzedUnderConfig = new Map<string, Promise<ReturnType<typeof fromResponse>>>();
const stacksAnalyzedUnderConfig = new Map<string, Promise<ReturnType<typeof fromResponse>>>();

async function configure(config: PolicyPackConfigFile) {
  analyzedUnderConfig.clear();
  stacksAnalyzedUnderConfig.clear();
  await call("configure", configureRequest(config));
}

function options(r: RecordedResource) {
  const o = new proto.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  o.setAliasesList(r.options.aliases.filter((a): a is string => typeof a === "string"));
  o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
  if (r.options.deleteBeforeReplace !== undefined) {
    o.setDeletebeforereplace(r.options.deleteBeforeReplace);
    o.setDeletebeforereplacedefined(true);
  }
  if (r.options.customTimeouts) {
    const t = new proto.AnalyzerResourceOptions.CustomTimeouts();
    t.setCreate(goDurationSeconds(r.options.customTimeouts.create));
    t.setUpdate(goDurationSeconds(r.options.customTimeouts.update));
    t.setDelete(goDurationSeconds(r.options.customTimeouts.delete));
    o.setCustomtimeouts(t);
  }
  if (r.parent) o.setParent(r.parent);
  return o;
}

function provider(r: RecordedResource, byUrn: Map<string, RecordedResource>) {
  const urn = providerUrn(r.provider);
  if (!urn) return undefined;
  const p = byUrn.get(urn);
  const pr = new proto.AnalyzerProviderResource();
  pr.setType(p?.type ?? urn.split("::")[2]);
  pr.setProperties(Struct.fromJavaScript(toAnalyzerWire(p?.inputs ?? {})));
  pr.setUrn(urn);
  pr.setName(urn.slice(urn.lastIndexOf("::") + 2));
  return pr;
}

function fromResponse(resp: any): { diagnostics: AnalyzerDiagnostic[]; notApplicable: NotApplicableRecord[] } {
  const diagnostics = resp.getDiagnosticsList().map((d: any) => {
    const out: AnalyzerDiagnostic = {
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      policyPackVersion: d.getPolicypackversion(),
      message: d.getMessage(),
      description: d.getDescription(),
      enforcementLevel: LEVELS[d.getEnforcementlevel()] as AnalyzerDiagnostic["enforcementLevel"],
    };
    const sev = d.getSeverity ? SEVERITIES[d.getSeverity()] : undefined;
    if (sev && sev !== "unspecified") out.severity = sev as AnalyzerDiagnostic["severity"];
    if (d.getUrn()) out.urn = d.getUrn();
    return out;
  });
  const notApplicable = (resp.getNotApplicableList?.() ?? []).map((n: any) => ({ policy: n.getPolicyName(), reason: n.getReason() || undefined }));
  return { diagnostics, notApplicable };
}

/**
 * A resource's wire Struct and options, built once for all three configs: the corpus's plans share
 * their resource objects (a spec's fixture recurs in many cases), and neither side mutates one.
 * Its provider is not here: which record it is depends on the plan.
 */
const wireCache = new WeakMap<RecordedResource, { props: any; opts: any }>();
function wireOf(r: RecordedResource): { props: any; opts: any } {
  let wire = wireCache.get(r);
  if (!wire) {
    wire = { props: Struct.fromJavaScript(toAnalyzerWire(r.inputs)), opts: options(r) };
    wireCache.set(r, wire);
  }
  return wire;
}

/**
 * One plan through the server: every resource's analyze, then analyzeStack, all sent at once and
 * answered in order (the server was configured for this config beforehand: it keeps a config until
 * the next configure, as it does for a whole CLI run). A resource's wire Struct is built once and
 * shared by its analyze request and its entry in the analyzeStack request.
 */
async function viaServer(resources: RecordedResource[]) {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const built = resources.map((r) => ({ r, ...wireOf(r), provider: provider(r, byUrn) }));
  const analyzed = built.map(({ r, props, opts, provider: p }) => {
    // Everything the request is built from: the resource (inputs, options, parent) and its provider.
    const providerRecord = byUrn.get(providerUrn(r.provider) ?? "");
    const key = JSON.stringify([r, providerRecord?.type, providerRecord?.inputs]);
    const known = analyzedUnderConfig.get(key);
    if (known) return known;
    const req = new proto.AnalyzeRequest();
    req.setType(r.type);
    req.setProperties(props);
    req.setUrn(r.urn);
    req.setName(r.name);
    req.setOptions(opts);
    if (p) req.setProvider(p);
    const answer = call("analyze", req).then(fromResponse);
    analyzedUnderConfig.set(key, answer);
    return answer;
  });
  // The whole request is built from the plan (a provider's record is one of its resources).
  const stackKey = JSON.stringify(resources);
  let stack = stacksAnalyzedUnderConfig.get(stackKey);
  if (!stack) {
    stack = call("analyzeStack", stackRequest(built)).then(fromResponse);
    stacksAnalyzedUnderConfig.set(stackKey, stack);
  }
  const [perResource, stackAnswer] = await Promise.all([Promise.all(analyzed), stack]);
  return { perResource, stack: stackAnswer };
}

/** The analyzeStack request for a plan, from the wire pieces its analyze requests were built from. */
function stackRequest(built: { r: RecordedResource; props: any; opts: any; provider: any }[]) {
  const sreq = new proto.AnalyzeStackRequest();
  sreq.setResourcesList(
    built.map(({ r, props, opts, provider: p }) => {
      const ar = new proto.AnalyzerResource();
      ar.setType(r.type);
      ar.setProperties(props);
      ar.setUrn(r.urn);
      ar.setName(r.name);
      ar.setOptions(opts);
      if (p) ar.setProvider(p);
      if (r.parent) ar.setParent(r.parent);
      ar.setDependenciesList(r.dependencies);
      const deps = ar.getPropertydependenciesMap();
      for (const [k, v] of Object.entries(r.propertyDependencies)) {
        const d = new proto.AnalyzerPropertyDependencies();
        d.setUrnsList(v);
        deps.set(k, d);
      }
      return ar;
    }),
  );
  return sreq;
}

async function viaRunner(resources: RecordedResource[], config: PolicyPackConfigFile) {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const perResource = [];
  for (const r of resources) {
    const out = await analyzeResource(r, policies, config, byUrn);
    perResource.push({ diagnostics: out.diagnostics.map(clean), notApplicable: out.notApplicable.map(({ policy, reason }) => ({ policy, reason })) });
  }
  const s = await analyzeStack(resources, policies, config);
  return { perResource, stack: { diagnostics: s.diagnostics.map(clean), notApplicable: s.notApplicable.map(({ policy, reason }) => ({ policy, reason })) } };
}

function clean(d: AnalyzerDiagnostic): AnalyzerDiagnostic {
  const out = { ...d };
  if (out.urn === undefined) delete out.urn;
  if (out.severity === undefined) delete out.severity;
  return out;
}

function applyStack(resources: RecordedResource[], change: StackChange): RecordedResource[] {
  if ("remove" in change) return resources.filter((r) => r.name !== change.remove);
  if ("add" in change) return [...resources, change.add];
  return resources.map((r) => (r.name === change.target ? mutate(r, change.changes) : r));
}

interface CorpusCase {
  label: string;
  resources: RecordedResource[];
  /** One of a rule's representative cases: its compliant fixture, first failing case and first not-applicable case. */
  representative: boolean;
}

/** Every spec case, as plans: compliant fixtures and every failing, alternative and not-applicable case. */
function buildCorpus(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const [name, spec] of Object.entries(SPECS)) {
    const firstFailing = Object.keys(spec.failing)[0];
    if (spec.kind === "resource") {
      const changes = Object.entries({ ...spec.failing, ...(spec.compliant ?? {}) });
      const plan = (r: RecordedResource) => [...(spec.others ?? []), r];
      out.push({ label: `${name}: compliant`, resources: plan(spec.fixture), representative: true });
      for (const [l, c] of changes) out.push({ label: `${name}: ${l}`, resources: plan(mutate(spec.fixture, c)), representative: l === firstFailing });
      for (const [i, [l, na]] of Object.entries(spec.notApplicable ?? {}).entries()) out.push({ label: `${name}: ${l}`, resources: plan(mutate(spec.fixture, na.changes ?? {})), representative: i === 0 });
    } else {
      out.push({ label: `${name}: compliant`, resources: spec.fixture, representative: true });
      for (const [l, c] of Object.entries({ ...spec.failing, ...(spec.compliant ?? {}) })) out.push({ label: `${name}: ${l}`, resources: applyStack(spec.fixture, c), representative: l === firstFailing });
    }
  }
  return out;
}

/**
 * Both sides throw an Error for every "not applicable" (most rules for most resources), and
 * capturing its stack trace was a tenth of this file's time. No diagnostic carries a stack, so
 * the comparison is unchanged; assertions run outside, with their usual traces.
 */
async function withoutStackTraces<T>(run: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await run();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// Built once for the three configs: neither side mutates a plan's resources.
let corpusCache: CorpusCase[] | undefined;
const corpus = () => (corpusCache ??= buildCorpus());

describe("parity with @pulumi/policy's analyzer server (gRPC)", () => {
  // Every case runs under the prod config, whose facts, waivers and mandatory levels reach the most
  // branches of the rules. What the two other configs change is how the analyzer hands a rule its
  // config and enforcement level, which is per rule, not per case: under them each rule's
  // representative cases run (its compliant fixture, first failing and first not-applicable case),
  // a third of the corpus, so that every rule is compared applying, violating and not applying.
  const configs: [string, PolicyPackConfigFile, "every case" | "representative cases"][] = [
    ["prod config (mandatory, facts, and waivers the pack must refuse in prod)", configFor({}, {
      "gcp-sql-instance-require-cmek": [{ target: "orders-*", reason: "migration", expires: "2999-12-31" }],
      "k8s-core-container-require-readonly-rootfs": [{ target: "web", reason: "legacy image", expires: "2001-01-01" }],
    }), "every case"],
    ["dev config (advisory)", configFor({ env: "dev", stack: "diaspomoney-dev" }, {}, "advisory"), "representative cases"],
    ["no config at all", {}, "representative cases"],
  ];
  for (const [label, config, scope] of configs) {
    it(`identical diagnostics and not-applicables, ${scope}: ${label}`, async () => {
      let compared = 0;
      let violations = 0;
      const cases = scope === "every case" ? corpus() : corpus().filter((c) => c.representative);
      await configure(config);
      // Every case's requests go out at once, so the server (in this process) works through them
      // without idling for a round trip between cases. The configure above has been answered, so
      // every request is analyzed under this config.
      const servers = await withoutStackTraces(() => Promise.all(cases.map((c) => viaServer(c.resources))));
      for (const [i, c] of cases.entries()) {
        const server = servers[i];
        const runner = await withoutStackTraces(() => viaRunner(c.resources, config));
        expect(runner, c.label).toEqual(server);
        compared++;
        violations += server.perResource.reduce((n, r) => n + r.diagnostics.length, 0) + server.stack.diagnostics.length;
      }
      // Every spec is compared, each at least applying and violating.
      expect(compared).toBeGreaterThanOrEqual(2 * Object.keys(SPECS).length);
      if (label !== "no config at all") expect(violations).toBeGreaterThan(50);
    });
  }

  it("treats whole unknown objects the same way, and no rule trips over one", async () => {
    const { sqlInstance } = await import("./specs/gcp");
    const UNK = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const r = mutate(sqlInstance, { settings: UNK, encryptionKeyName: UNK, region: UNK });
    const config = configFor();
    await configure(config);
    const server = await viaServer([r]);
    expect(await viaRunner([r], config)).toEqual(server);
    // Rules read through policies/lib/values.ts: an unknown is a decision, never "can't run during preview".
    expect(server.perResource.flatMap((x) => x.diagnostics).filter((d) => /can't run/.test(d.message))).toEqual([]);
  });
});

/**
 * The offline engine: runs the real Pulumi program under Pulumi's own mock runtime
 * (`pulumi.runtime.setMocks`) in preview mode, and records every resource registration with its
 * inputs and options, exactly as the resource monitor of a real `pulumi preview` would receive them.
 *
 * What this can know: every input the program computes from configuration, every option, the
 * parent/child tree, dependencies and providers. What it cannot know: provider-computed outputs
 * (ids, IP addresses, generated passwords) are unknown, as in a real preview of a fresh stack, and
 * the contents that Helm renders inside a chart are not expanded.
 */
import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
// The CommonJS exports object itself (not an ES namespace copy), so that its functions can be wrapped.
import pulumiLog = require("@pulumi/pulumi/log");
import * as resproto from "@pulumi/pulumi/proto/resource_pb";

// CommonJS exports objects too: the SDK calls `debuggable_1.debuggablePromise(...)` through it.
// Both modules are internal to the SDK (their typings export nothing): the types say what is read.
type DebuggablePromise = <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pulumiDebuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: DebuggablePromise };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pulumiState = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<Promise<unknown>> } };

// The plan's value shapes (sentinels, recorded resources) live on the ground floor, so that the
// policy pack, the components' tests and the diff read them without loading the Pulumi SDK.
export * from "../model/plan-values";
import { BLINDED_SECRET, SECRET_SIG, SIG_KEY, UNKNOWN, type AliasRecord, type RecordedResource, type ResourceOptionsRecord } from "../model/plan-values";
export { SECRET_DIGEST_FIELD, SECRET_DIGEST_KEY_ENV } from "./secret-digest";
import { SECRET_DIGEST_FIELD, SECRET_DIGEST_KEY_ENV } from "./secret-digest";

export interface Diagnostic {
  severity: "info" | "warning" | "error";
  message: string;
  urn?: string;
}

export interface Evaluation {
  project: string;
  stack: string;
  resources: RecordedResource[];
  diagnostics: Diagnostic[];
  /** Stack outputs in plan form (unknown values stay unknown). */
  outputs: Record<string, unknown>;
  durationMs: number;
}

/** A failure of the program itself (not of a policy): the evaluation produced no usable plan. */
export class EvaluationError extends Error {
  constructor(
    readonly stack: string,
    readonly causes: Error[],
  ) {
    super(`${stack}: the program failed to evaluate: ${causes.map((c) => c.message).join("; ")}`);
    this.name = "EvaluationError";
  }
}

/** Thrown by a mocked invoke: Pulumi's invoke path rethrows `err.details` as the error message. */
class UnmockedInvokeError extends Error {
  readonly details: string;
  constructor(token: string) {
    const msg =
      `invoke ${token} has no offline answer: an offline preview cannot call the cloud. ` +
      `Derive the value from typed configuration or from a resource output instead.`;
    super(msg);
    this.details = msg;
  }
}

/**
 * Invokes with an honest offline answer. Kept deliberately tiny: every entry here is a value that
 * does not depend on the cloud account.
 */
const OFFLINE_INVOKES: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {};

class PreviewMocks implements pulumi.runtime.Mocks {
  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    // Reads only (StackReference, `Resource.get`): registrations are answered by the echoing
    // monitor in evaluateUnderMocks, with the same rule. A fresh stack's preview: ids are unknown
    // and provider-computed outputs are unknown; only inputs are known. Returning the inputs as
    // state (and no id) makes the SDK resolve every other output property as unknown, as a real
    // preview does.
    if (args.type === "pulumi:pulumi:StackReference") {
      return { id: undefined, state: { name: args.inputs.name } };
    }
    return { id: undefined, state: args.inputs };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const answer = OFFLINE_INVOKES[args.token];
    if (answer) return answer(args.inputs);
    throw new UnmockedInvokeError(args.token);
  }
}

type Callback = (err: Error | null, resp?: unknown) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: Callback): void;
  readResource(req: ReadRequest, cb: Callback): void;
  registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, cb: Callback): void;
}
// A structural view of the protobuf RegisterResourceRequest (only the getters we read).
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getDependenciesList(): string[];
  getProvider(): string;
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAliasesList(): AliasProto[];
  getAdditionalsecretoutputsList(): string[];
  getDeletedwith(): string;
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getVersion(): string;
  getPlugindownloadurl(): string;
  getImportid(): string;
}
// A structural view of the protobuf ReadResourceRequest.
interface ReadRequest {
  getId(): string;
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
}

interface AliasProto {
  getUrn(): string;
  getSpec():
    | { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean }
    | undefined;
}

function recordRead(req: ReadRequest, urn: string): RecordedResource {
  const parent = req.getParent();
  const provider = req.getProvider();
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: true,
    ...(parent ? { parent } : {}),
    ...(provider ? { provider } : {}),
    dependencies: req.getDependenciesList(),
    propertyDependencies: {},
    inputs: blindSecrets(req.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [] },
    readId: req.getId(),
  };
}

function blindedSecret(envelope: Record<string, unknown>): Record<string, unknown> {
  const key = process.env[SECRET_DIGEST_KEY_ENV];
  const value = envelope.value;
  if (!key || value === undefined || value === UNKNOWN) return { ...BLINDED_SECRET };
  const digest = createHmac("sha256", key).update(JSON.stringify(value)).digest("hex");
  return { ...BLINDED_SECRET, [SECRET_DIGEST_FIELD]: digest };
}

/** Replaces secret envelopes by the blinded form; leaves unknowns and everything else as is. */
export function blindSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(blindSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return blindedSecret(obj);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = blindSecrets(v);
    return out;
  }
  return value;
}

function aliasRecord(a: AliasProto): AliasRecord {
  const urn = a.getUrn();
  if (urn) return urn;
  const s = a.getSpec();
  if (!s) return {};
  const rec: Exclude<AliasRecord, string> = {};
  if (s.getName()) rec.name = s.getName();
  if (s.getType()) rec.type = s.getType();
  if (s.getStack()) rec.stack = s.getStack();
  if (s.getProject()) rec.project = s.getProject();
  if (s.getParenturn()) rec.parentUrn = s.getParenturn();
  if (s.getNoparent()) rec.noParent = true;
  return rec;
}

function record(req: RegisterRequest, urn: string, state: Record<string, unknown>): RecordedResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((v, k) => {
    propertyDependencies[k] = v.getUrnsList();
  });
  const timeouts = req.getCustomtimeouts();
  const options: ResourceOptionsRecord = {
    protect: req.getProtect() === true,
    retainOnDelete: req.getRetainondelete() === true,
    ignoreChanges: req.getIgnorechangesList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    aliases: req.getAliasesList().map(aliasRecord),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
  };
  if (req.getDeletebeforereplacedefined()) options.deleteBeforeReplace = req.getDeletebeforereplace();
  if (req.getDeletedwith()) options.deletedWith = req.getDeletedwith();
  if (timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())) {
    options.customTimeouts = { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined };
  }
  if (req.getVersion()) options.version = req.getVersion();
  if (req.getPlugindownloadurl()) options.pluginDownloadURL = req.getPlugindownloadurl();
  if (req.getImportid()) options.importId = req.getImportid();
  const parent = req.getParent();
  const provider = req.getProvider();
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    ...(parent ? { parent } : {}),
    ...(provider ? { provider } : {}),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    inputs: blindSecrets(state) as Record<string, unknown>,
    options,
  };
}

export interface EvaluateOptions {
  project: string;
  stack: string;
  /** Configuration as the Pulumi CLI hands it to a program: `namespace:key` → string (objects as JSON). */
  config: Record<string, string>;
  /** Keys of `config` that are secrets. */
  secretKeys: string[];
  /** The program, as the Pulumi entry point would run it. */
  program: () => unknown;
}

// The Pulumi runtime keeps global state: evaluations run one at a time.
let queue: Promise<unknown> = Promise.resolve();

/** Evaluates a program offline and returns every resource it would register in a preview. */
export function evaluate(opts: EvaluateOptions): Promise<Evaluation> {
  const run = queue.then(() => evaluateNow(opts));
  queue = run.catch(() => undefined);
  return run;
}

async function evaluateNow(opts: EvaluateOptions): Promise<Evaluation> {
  const started = process.hrtime.bigint();
  // The SDK creates an Error for every resource and promise it makes (to find the caller's source
  // position, which a plan does not record); under tsx each one is source-mapped. Without stack
  // traces an evaluation takes about a third less time and yields the very same plan. DEBUG keeps
  // them, for the stack traces of a failing program.
  // Resource's constructor lifts that limit to capture a full trace for its source position,
  // which the recorder never reads: the trace is skipped the same way (same plan, ~0.1 s less
  // per --all).
  const savedStackTraceLimit = Error.stackTraceLimit;
  const resourceClass = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };
  const savedResourceStackTrace = resourceClass.stackTrace;
  const savedDebuggablePromise = pulumiDebuggable.debuggablePromise;
  if (!process.env.DEBUG) {
    Error.stackTraceLimit = 0;
    resourceClass.stackTrace = () => [];
    pulumiDebuggable.debuggablePromise = leanDebuggablePromise;
  }
  try {
    return await evaluateUnderMocks(opts, started);
  } finally {
    Error.stackTraceLimit = savedStackTraceLimit;
    resourceClass.stackTrace = savedResourceStackTrace;
    pulumiDebuggable.debuggablePromise = savedDebuggablePromise;
  }
}

const sdkDebuggablePromise = pulumiDebuggable.debuggablePromise;
/** Whether the SDK's own debuggablePromise ran once in this process (it installs the leak report at exit). */
let leakReportInstalled = false;

/**
 * The SDK's runtime/debuggable.js `debuggablePromise`, which wraps each of the dozens of promises
 * the SDK makes per resource, without what only a leak report with PULUMI_DEBUG_PROMISE_LEAKS
 * reads: an id, a label and a stack trace attached to the promise with Object.defineProperty,
 * which turns every promise into a slow dictionary object (with the plain registration answer in
 * evaluateUnderMocks, 13% of an evaluation's CPU at 200 CRM firms). The rest is the same: the leak
 * candidates kept for the report at exit, and the same `then`/`catch` chain, so that every promise
 * settles on the very same turn and resources register in the same order. The first call is the
 * SDK's own, which installs the report at exit.
 */
function leanDebuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> {
  if (!leakReportInstalled) {
    leakReportInstalled = true;
    return sdkDebuggablePromise(p, ctx);
  }
  const store = pulumiState.getStore();
  store.leakCandidates.add(p);
  return p
    .then((val) => {
      store.leakCandidates.delete(p);
      return val;
    })
    .catch((err: Error & { promise?: Promise<unknown> }) => {
      store.leakCandidates.delete(p);
      err.promise = p;
      throw err;
    });
}

async function evaluateUnderMocks(opts: EvaluateOptions, started: bigint): Promise<Evaluation> {
  const resources: RecordedResource[] = [];
  const diagnostics: Diagnostic[] = [];
  const failures: Error[] = [];

  await pulumi.runtime.setMocks(new PreviewMocks(), opts.project, opts.stack, true);
  pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);

  // The mocks' newResource is not told the parent, options or dependencies: the monitor's request is.
  const monitor = (pulumi.runtime as unknown as { getMonitor(): MonitorLike }).getMonitor();
  // A fresh stack's preview answers every registration with the resource's own inputs as its state
  // and no id (provider-computed outputs unknown). The mock monitor gets there by deserialising the
  // request, asking PreviewMocks.newResource (which returns the inputs) and serialising them back
  // into a new Struct; the request's properties are that very state already, so they are echoed.
  const mock = monitor as unknown as { newUrn(parent: string, type: string, name: string): string; resources: Map<string, unknown> };
  monitor.registerResource = (req, cb) => {
    try {
      const urn = mock.newUrn(req.getParent(), req.getType(), req.getName());
      // The request's properties in wire form, converted from protobuf once: they are the answer's
      // state (the SDK deserialises it into new objects, never changing it), what the monitor
      // keeps, and what the recorder reads (blindSecrets copies it). Keeping this plain object
      // rather than the request keeps a protobuf tree per resource off the heap.
      const object = req.getObject();
      const state = object?.toJavaScript() ?? {};
      // What the SDK reads of a RegisterResourceResponse (runtime/resource.js), as the mock
      // monitor's own answer would give it: no id, no property dependencies, SUCCESS. A plain
      // object: the SDK interpolates the response into a debug message it then drops, which for a
      // protobuf message stringifies the whole state.
      const response = {
        getUrn: () => urn,
        getId: () => "",
        getObject: () => (object ? { toJavaScript: () => state } : undefined),
        getPropertydependenciesMap: () => new Map<string, never>(),
        getResult: () => resproto.Result.SUCCESS,
      };
      // What the monitor keeps for `pulumi:pulumi:getResource` (rehydrating a resource reference);
      // registerResourceOutputs replaces it with the component's outputs.
      mock.resources.set(urn, { urn, id: null, state });
      resources.push(record(req, urn, state));
      cb(null, response);
    } catch (err) {
      cb(err as Error);
    }
  };

  // Reads (StackReference, `Resource.get`) go through readResource: recorded as `read` steps.
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req, cb) => {
    readResource(req, (err, resp) => {
      if (!err && resp) resources.push(recordRead(req, (resp as { getUrn(): string }).getUrn()));
      cb(err, resp);
    });
  };

  // Capture what the program logs (the SDK calls these through the module object).
  const logModule = pulumiLog as unknown as Record<string, (msg: string, res?: pulumi.Resource) => Promise<void>>;
  const saved = { info: logModule.info, warn: logModule.warn, error: logModule.error };
  const capture = (severity: Diagnostic["severity"]) => (message: string) => {
    diagnostics.push({ severity, message });
    if (severity === "error") failures.push(new Error(message));
    return Promise.resolve();
  };
  logModule.info = capture("info");
  logModule.warn = capture("warning");
  logModule.error = capture("error");

  // An error inside an apply or a failed invoke surfaces as a rejected promise inside the SDK.
  const onRejection = (reason: unknown) => failures.push(reason instanceof Error ? reason : new Error(String(reason)));
  process.on("unhandledRejection", onRejection);

  let outputs: Record<string, unknown> = {};
  try {
    try {
      // Keep the program's own return value: the stack's massaged outputs lose unknown-ness.
      let raw: Record<string, unknown> | undefined;
      await pulumi.runtime.runInPulumiStack(async () => {
        raw = (await opts.program()) as Record<string, unknown> | undefined;
        return raw;
      });
      outputs = await planOutputs(raw);
    } catch (err) {
      failures.push(err instanceof Error ? err : new Error(String(err)));
    }
    await pulumi.runtime.disconnect();
    // Rejections are reported on the next turns of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", onRejection);
    Object.assign(logModule, saved);
  }

  if (failures.length > 0) {
    // Unwrap Pulumi's "failed to register new resource" wrapping only where it adds nothing.
    const unique = new Map<string, Error>();
    for (const f of failures) unique.set(f.message, f);
    throw new EvaluationError(opts.stack, [...unique.values()]);
  }
  return {
    project: opts.project,
    stack: opts.stack,
    resources,
    diagnostics,
    outputs,
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
  };
}

/** Turns stack outputs into plan form: secrets blinded, unknowns as the sentinel. */
async function planOutputs(raw: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  if (!raw) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    out[key] = await toPlanValue(value);
  }
  return out;
}

async function toPlanValue(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as pulumi.Output<unknown> & {
      isKnown: Promise<boolean>;
      isSecret: Promise<boolean>;
      promise(): Promise<unknown>;
    };
    if (await o.isSecret) return { ...BLINDED_SECRET };
    if (!(await o.isKnown)) return UNKNOWN;
    return toPlanValue(await o.promise());
  }
  if (pulumi.Resource.isInstance(value)) return toPlanValue((value as pulumi.Resource).urn);
  if (Array.isArray(value)) return Promise.all(value.map(toPlanValue));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await toPlanValue(v);
    return out;
  }
  return value;
}

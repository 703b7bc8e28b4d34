/**
 * Defers heavy modules that `@pulumi/pulumi` and `@pulumi/kubernetes` load at import time and an
 * offline preview never uses: `typescript` (for serialising JavaScript closures: dynamic providers,
 * callbacks), `@npmcli/arborist`, `normalize-package-data` and `fdir` (for finding a closure's
 * packages), the Automation API (`pulumi.automation`, with execa, js-yaml and their dependencies),
 * OpenTelemetry (tracing the SDK's gRPC calls to the engine) and `glob` (for `k8s.yaml.ConfigFile`
 * patterns). Pulumi deferred typescript and arborist once
 * (pulumi/pulumi#10185); the deferral regressed, so our entry points install this hook before
 * anything loads the SDK.
 *
 * Only the listed `require` calls made by the listed packages' own files are touched, and each
 * gets a stand-in that loads the real module, through the very same resolution, the first time it
 * is really used: a program that does serialise a closure, or drive the Automation API, behaves
 * exactly as before, a little later. Nothing else in the process (our tools, eslint, vitest) sees
 * a difference. The Pulumi CLI's language host loads the SDK before our program, so a real
 * `pulumi up` never sees the hook at all.
 *
 * Import this module first in an entry point; importing it again is harmless.
 */
import Module from "node:module";
import { sep } from "node:path";

const PULUMI_SDK_DIR = `${sep}node_modules${sep}@pulumi${sep}pulumi${sep}`;
const PULUMI_KUBERNETES_YAML_DIR = `${sep}node_modules${sep}@pulumi${sep}kubernetes${sep}yaml${sep}`;

/**
 * The members of `@npmcli/arborist` that @pulumi/pulumi reads (runtime/closure/codePaths.js does
 * `new arborist.Arborist(...)` after a TypeScript `__importStar`, which copies the exports' own keys
 * at import time, so the stand-in must list them up front). tests/preview-fast-load.test.ts fails if the
 * SDK starts reading another member.
 */
export const ARBORIST_MEMBERS_USED = ["Arborist"] as const;

/**
 * A deferred require: the request, the files whose requires of it are deferred, what the real
 * module's exports answer to `__esModule` (TypeScript's `__importStar` / `__importDefault` read it
 * at import; tests/preview-fast-load.test.ts checks each against the real module), and the
 * stand-in's shape.
 */
export interface Deferral {
  request: string;
  requiredFrom: (filename: string) => boolean;
  esModule: boolean;
  standIn: "namespace" | "function" | "arborist";
}

export const DEFERRALS: readonly Deferral[] = [
  { request: "typescript", requiredFrom: (f) => f.includes(PULUMI_SDK_DIR), esModule: false, standIn: "namespace" },
  { request: "@npmcli/arborist", requiredFrom: (f) => f.includes(PULUMI_SDK_DIR), esModule: false, standIn: "arborist" },
  { request: "normalize-package-data", requiredFrom: (f) => f.includes(PULUMI_SDK_DIR), esModule: false, standIn: "function" },
  { request: "fdir", requiredFrom: (f) => f.includes(PULUMI_SDK_DIR), esModule: false, standIn: "namespace" },
  // `pulumi.automation`, required by the SDK's index only.
  { request: "./automation", requiredFrom: (f) => f.endsWith(`${PULUMI_SDK_DIR}index.js`), esModule: true, standIn: "namespace" },
  { request: "glob", requiredFrom: (f) => f.includes(PULUMI_KUBERNETES_YAML_DIR), esModule: true, standIn: "namespace" },
  // Tracing context for the SDK's gRPC client calls to the engine, which an offline preview never makes.
  { request: "@opentelemetry/api", requiredFrom: (f) => f.endsWith(`${PULUMI_SDK_DIR}runtime${sep}settings.js`), esModule: true, standIn: "namespace" },
];

function standInFor(d: Deferral, load: () => unknown): unknown {
  switch (d.standIn) {
    case "namespace":
      return lazyNamespace(load, d.esModule);
    case "function":
      return lazyClass(load, d.esModule);
    case "arborist":
      return Object.fromEntries(ARBORIST_MEMBERS_USED.map((name) => [name, lazyClass(() => (load() as Record<string, unknown>)[name])]));
  }
}

const BY_REQUEST = new Map<string, Deferral[]>();
for (const d of DEFERRALS) BY_REQUEST.set(d.request, [...(BY_REQUEST.get(d.request) ?? []), d]);

type ModuleLoad = (request: string, parent: NodeModule | undefined, isMain: boolean) => unknown;
interface ModuleInternals {
  _load: ModuleLoad;
  _resolveFilename(request: string, parent: NodeModule | undefined, isMain: boolean): string;
}
const internals = Module as unknown as ModuleInternals;

const INSTALLED = Symbol.for("platform-infra.fast-load");
const state = globalThis as { [INSTALLED]?: boolean };

/** Installs the hook once per process. */
export function installFastLoad(): void {
  if (state[INSTALLED]) return;
  state[INSTALLED] = true;
  const load = internals._load;
  internals._load = function deferringLoad(request, parent, isMain) {
    const filename = parent?.filename;
    const deferral = filename ? BY_REQUEST.get(request)?.find((d) => d.requiredFrom(filename)) : undefined;
    if (deferral) {
      // Resolve now (cheap, and throws now if the module is missing, so the SDK's own fallback,
      // e.g. typescript-shim.js's vendored TypeScript, still runs); load on first use.
      internals._resolveFilename(request, parent, isMain);
      let real: unknown;
      let loaded = false;
      return standInFor(deferral, () => {
        if (!loaded) {
          real = load.call(Module, request, parent, isMain);
          loaded = true;
        }
        return real;
      });
    }
    return load.call(Module, request, parent, isMain);
  } as ModuleLoad;
}

/**
 * Keys that module loaders probe on every module's exports (tsx's CommonJS loader reads
 * "module.exports", interop helpers read "__esModule"). No deferred module's exports have
 * "module.exports", and each one's "__esModule" is declared in its Deferral (tests/preview-fast-load.test.ts
 * checks both), so the stand-in answers them without loading the module.
 */
export const LOADER_PROBES: ReadonlySet<PropertyKey> = new Set(["module.exports", "__esModule"]);

/** An object that forwards every read to the module, loaded on the first one. */
function lazyNamespace(load: () => unknown, esModule: boolean): object {
  const real = () => load() as object;
  const probe = (key: PropertyKey) => (key === "__esModule" && esModule ? true : undefined);
  return new Proxy(
    {},
    {
      get: (_target, key) => (LOADER_PROBES.has(key) ? probe(key) : Reflect.get(real(), key)),
      has: (_target, key) => (LOADER_PROBES.has(key) ? probe(key) !== undefined : Reflect.has(real(), key)),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_target, key) => {
        if (LOADER_PROBES.has(key)) return probe(key) === undefined ? undefined : { value: true, writable: false, enumerable: false, configurable: true };
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        // A proxy may not report a non-configurable property its (empty) target lacks.
        return d && { ...d, configurable: true };
      },
    },
  );
}

/**
 * A function or class that loads the real one on first use and calls or constructs it. The
 * loaders' probes are answered as for a namespace (`__importDefault` reads `__esModule` at import).
 */
function lazyClass(load: () => unknown, esModule = false): unknown {
  const real = () => load() as new (...args: unknown[]) => object;
  return new Proxy(function deferred() {}, {
    construct: (_target, args) => Reflect.construct(real(), args),
    apply: (_target, self, args) => Reflect.apply(real() as unknown as (...a: unknown[]) => unknown, self, args),
    get: (_target, key) => (LOADER_PROBES.has(key) ? (key === "__esModule" && esModule ? true : undefined) : Reflect.get(real(), key)),
  });
}

installFastLoad();

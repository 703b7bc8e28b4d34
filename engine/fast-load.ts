/**
 * Defers two heavy modules that `@pulumi/pulumi` loads at import time and an offline preview never
 * uses: `typescript` (for serialising JavaScript closures: dynamic providers, callbacks) and
 * `@npmcli/arborist` (for finding a closure's packages). Together they are about 440 files, half
 * of the four @pulumi packages' import time. Pulumi deferred them once (pulumi/pulumi#10185); the
 * deferral regressed, so our entry points install this hook before anything loads the SDK.
 *
 * Only `require` calls made by @pulumi/pulumi's own files are touched, and each gets a stand-in that
 * loads the real module, through the very same resolution, the first time it is really used: a
 * program that does serialise a closure behaves exactly as before, a little later. Nothing else in
 * the process (our tools, eslint, vitest) sees a difference. The Pulumi CLI's language host loads
 * the SDK before our program, so a real `pulumi up` never sees the hook at all.
 *
 * Import this module first in an entry point; importing it again is harmless.
 */
import Module from "node:module";
import { sep } from "node:path";

/** Files of @pulumi/pulumi (and only those) whose requires are deferred. */
const PULUMI_SDK_DIR = `${sep}node_modules${sep}@pulumi${sep}pulumi${sep}`;

/**
 * The members of `@npmcli/arborist` that @pulumi/pulumi reads (runtime/closure/codePaths.js does
 * `new arborist.Arborist(...)` after a TypeScript `__importStar`, which copies the exports' own keys
 * at import time, so the stand-in must list them up front). tests/fast-load.test.ts fails if the
 * SDK starts reading another member.
 */
export const ARBORIST_MEMBERS_USED = ["Arborist"] as const;

/** The module ids deferred, and how to stand in for each until it is first used. */
const DEFERRED: Record<string, (load: () => unknown) => unknown> = {
  typescript: (load) => lazyNamespace(load),
  "@npmcli/arborist": (load) => Object.fromEntries(ARBORIST_MEMBERS_USED.map((name) => [name, lazyClass(() => (load() as Record<string, unknown>)[name])])),
};

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
    const standIn = DEFERRED[request];
    if (standIn && parent?.filename?.includes(PULUMI_SDK_DIR)) {
      // Resolve now (cheap, and throws now if the module is missing, so the SDK's own fallback,
      // e.g. typescript-shim.js's vendored TypeScript, still runs); load on first use.
      internals._resolveFilename(request, parent, isMain);
      let real: unknown;
      let loaded = false;
      return standIn(() => {
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
 * "module.exports", interop helpers read "__esModule"). TypeScript's exports have neither
 * (tests/fast-load.test.ts checks), so the stand-in answers "absent" without loading it.
 */
export const LOADER_PROBES: ReadonlySet<PropertyKey> = new Set(["module.exports", "__esModule"]);

/** An object that forwards every read to the module, loaded on the first one. */
function lazyNamespace(load: () => unknown): object {
  const real = () => load() as object;
  return new Proxy(
    {},
    {
      get: (_target, key) => (LOADER_PROBES.has(key) ? undefined : Reflect.get(real(), key)),
      has: (_target, key) => !LOADER_PROBES.has(key) && Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_target, key) => {
        if (LOADER_PROBES.has(key)) return undefined;
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        // A proxy may not report a non-configurable property its (empty) target lacks.
        return d && { ...d, configurable: true };
      },
    },
  );
}

/** A constructor that loads the real class on first use and constructs or calls it. */
function lazyClass(load: () => unknown): unknown {
  const real = () => load() as new (...args: unknown[]) => object;
  return new Proxy(function deferred() {}, {
    construct: (_target, args) => Reflect.construct(real(), args),
    apply: (_target, self, args) => Reflect.apply(real() as unknown as (...a: unknown[]) => unknown, self, args),
    get: (_target, key) => Reflect.get(real(), key),
  });
}

installFastLoad();

/**
 * Builds the pack as `pulumi policy publish` ships it: `pulumi policy publish` runs `npm pack` in
 * policies/ alone, so whatever the rules import from the rest of the repository (model/: the env
 * table, the compliance facts, the Kubernetes schema validator, the backup contract) must be inside
 * the tarball. esbuild bundles policies/index.ts and everything local it imports into
 * dist/index.js; npm packages stay external and are exactly the ones policies/package.json
 * declares (checked here, on every build); the vendored CRDs the validator reads are copied beside
 * the bundle (dist/vendor/crds, where model/k8s-schema.ts looks when it runs from dist/).
 *
 * `npm pack` runs this first (`prepack`), so a tarball never holds a stale bundle. In the
 * repository nothing runs from dist/: entry.js runs the TypeScript sources through tsx.
 *
 *   npx tsx policies/build.ts    # writes policies/dist
 */
import { cpSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";

export const POLICIES_DIR = __dirname;
export const DIST_DIR = join(__dirname, "dist");
const VENDORED_CRDS = join(__dirname, "..", "vendor", "crds");

/**
 * Packages the pack needs at run time that no static import names, with why. Every other declared
 * dependency must be imported by the bundle, and every package it imports must be declared.
 */
export const RUNTIME_DEPENDENCIES: Record<string, string> = {
  "@pulumi/pulumi": "the CLI's pulumi-analyzer-policy starts the pack through node_modules/@pulumi/pulumi/cmd/run-policy-pack",
  "kubernetes-models": "model/k8s-schema.ts requires kubernetes-models/<apiVersion>/<kind> by a computed path",
  ajv: "model/lazy-ajv.ts loads it on the first schema compile (a run served from the result cache never does)",
  "ajv-formats": "model/lazy-ajv.ts loads it with ajv, on the first schema compile",
};

/** The npm package a bare import specifier names (`ajv/dist/standalone` → `ajv`, `@pulumi/policy/proxy` → `@pulumi/policy`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

export function declaredDependencies(dir = POLICIES_DIR): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {}).sort();
}

export interface PackBuild {
  /** npm packages the bundle imports (besides Node's own modules). */
  imported: string[];
  outfile: string;
}

/** Bundles the pack into `outdir` and copies the vendored CRDs; throws when the declared dependencies are not exactly what it uses. */
export async function buildPack(outdir = DIST_DIR): Promise<PackBuild> {
  rmSync(outdir, { recursive: true, force: true });
  const outfile = join(outdir, "index.js");
  const result = await build({
    entryPoints: [join(__dirname, "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  cpSync(VENDORED_CRDS, join(outdir, "vendor", "crds"), { recursive: true });
  const builtins = new Set(builtinModules);
  const imported = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      // A type-only import (`import { type X } from "./k8s"`) is listed as external and emits nothing.
      if (!imp.external || imp.path.startsWith(".") || imp.path.startsWith("node:") || builtins.has(imp.path)) continue;
      imported.add(packageOf(imp.path));
    }
  }
  const used = new Set([...imported, ...Object.keys(RUNTIME_DEPENDENCIES)]);
  const declared = declaredDependencies();
  const undeclared = [...used].filter((d) => !declared.includes(d)).sort();
  const unused = declared.filter((d) => !used.has(d));
  if (undeclared.length || unused.length) {
    throw new Error(
      `policies/package.json dependencies must be exactly what the pack uses: expected ${[...used].sort().join(", ")}, got ${declared.join(", ")}` +
        (undeclared.length ? `; add ${undeclared.join(", ")} (at the root's versions)` : "") +
        (unused.length ? `; remove ${unused.join(", ")}` : ""),
    );
  }
  return { imported: [...imported].sort(), outfile };
}

if (require.main === module) {
  buildPack().then(
    (b) => console.log(`wrote ${b.outfile} (+ vendor/crds); npm packages: ${b.imported.join(", ")}`),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}

/**
 * Arrows point down (eslint.config.mjs LAYERS): every import, `export … from`, `require` and dynamic
 * `import()` of every source file of a layer lands in the layer itself, in a layer it may import,
 * or in vendor/ data. Tests (tests/ and *.test.ts) sit above every layer and are not checked.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../engine/project";
// @ts-expect-error -- an ES module without types; the table lives there so that lint and this test share it
import { CODE_DIRS, LAYERS } from "../eslint.config.mjs";

const layers = LAYERS as Record<string, string[]>;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", ".cache"]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true })) {
    // Hidden files are no sources: tests/component-readmes.test.ts writes (and deletes) its
    // `.readme-example-<pid>.ts` next to a component while this test may be walking the tree.
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...sourceFiles(path));
    } else if (SOURCE.test(entry.name) && !/\.test\.[cm]?[jt]s$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The local imports of a source file that break the layer table: `<file>: "<specifier>" (why)`. */
export function layerViolations(file: string, text: string): string[] {
  const layer = file.split(/[\\/]/)[0];
  const allowed = layers[layer];
  if (!allowed) return [];
  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const out: string[] = [];
  for (const spec of specifiers) {
    if (!spec.startsWith(".")) continue;
    const target = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(file), spec));
    const top = target.split(sep)[0];
    if (top === layer || allowed.includes(top) || top === "vendor") continue;
    const why = target.startsWith("..")
      ? "outside the repository"
      : CODE_DIRS.includes(top)
        ? `${layer}/ may import only ${[...allowed.map((a) => `${a}/`), "itself"].join(", ")}`
        : `${target} is not a layer (${layer}/ may import only ${[...allowed.map((a) => `${a}/`), "itself", "vendor/ data"].join(", ")})`;
    out.push(`${file}: "${spec}" (${why})`);
  }
  return out;
}

describe("layering: arrows point down", () => {
  it("finds a violation in every import form, and lets allowed ones through", () => {
    const text = [
      'import { x } from "../engine/evaluate";',
      'export * from "../../stacks/platform";',
      'const c = require("../components/common/conventions");',
      'void import("../tests/harness");',
      'import { ENV_TRAITS } from "../model/envs";',
      'import { rule } from "./lib/rule";',
      'import Ajv from "ajv";',
    ].join("\n");
    expect(layerViolations("policies/x.ts", text)).toEqual([
      'policies/x.ts: "../engine/evaluate" (policies/ may import only model/, itself)',
      'policies/x.ts: "../../stacks/platform" (outside the repository)',
      'policies/x.ts: "../components/common/conventions" (policies/ may import only model/, itself)',
      'policies/x.ts: "../tests/harness" (policies/ may import only model/, itself)',
    ]);
    expect(layerViolations("model/x.ts", 'import { a } from "./envs"; import crd from "../vendor/crds/x.json"; import { b } from "../components/common/conventions";')).toEqual([
      'model/x.ts: "../components/common/conventions" (model/ may import only itself)',
    ]);
    expect(layerViolations("engine/x.ts", 'import { p } from "../policies/pack"; import { s } from "../stacks/registry";')).toEqual([]);
  });

  for (const layer of Object.keys(layers)) {
    it(`${layer}/ imports only ${layers[layer].length ? layers[layer].map((a) => `${a}/, `).join("") : ""}itself${layer === "engine" ? "" : " and vendor/ data"}`, () => {
      const files = sourceFiles(layer);
      expect(files.length).toBeGreaterThan(0);
      expect(files.flatMap((f) => layerViolations(f, readFileSync(join(PROJECT_ROOT, f), "utf8")))).toEqual([]);
    });
  }
});

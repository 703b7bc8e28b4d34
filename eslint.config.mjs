// Lint: typescript-eslint's recommended rules over all project TypeScript. Type-checking itself
// is `npm run typecheck` (tsc); lint catches what the compiler allows but reviewers should not.
import tseslint from "typescript-eslint";

/**
 * Arrows point down: the local directories each layer may import besides itself. `model/` is the
 * ground floor (npm packages and vendor/ data only); only `engine/` imports everything. Tests (tests/
 * and every *.test.ts) sit above all layers. tests/layering.test.ts enforces this table on every
 * import, `require` and dynamic `import()`; the lint rule below gives the same answer in an editor.
 */
export const LAYERS = {
  model: [],
  components: ["model"],
  policies: ["model"],
  stacks: ["components", "model"],
  engine: ["model", "components", "policies", "stacks"],
};
/** Local directories that are code (a path into any other, such as vendor/, is data). */
export const CODE_DIRS = [...Object.keys(LAYERS), "tests"];

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = CODE_DIRS.filter((d) => d !== layer && !allowed.includes(d));
  return {
    files: [`${layer}/**/*.ts`],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: forbidden.map((d) => ({
            group: [`**/${d}`, `**/${d}/**`],
            message: `${layer}/ may import only ${allowed.length ? allowed.map((a) => `${a}/`).join(", ") + " and " : ""}itself (arrows point down: eslint.config.mjs LAYERS).`,
          })),
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ["node_modules/**", "policies/node_modules/**", "policies/dist/**", ".scratch/**", ".preview/**", "**/*.js", "**/.readme-example-*.ts"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Pulumi entry points and CommonJS interop use `import x = require(...)` on purpose.
      "@typescript-eslint/no-require-imports": ["error", { allow: ["^@pulumi/pulumi/log$"] }],
      "@typescript-eslint/no-namespace": "off",
    },
  },
  ...layerRules,
);

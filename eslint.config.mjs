// Lint: typescript-eslint's recommended rules over all project TypeScript. Type-checking itself
// is `npm run typecheck` (tsc); lint catches what the compiler allows but reviewers should not.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "policies/node_modules/**", ".scratch/**", ".preview/**", "**/*.js", "**/.readme-example-*.ts"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Pulumi entry points and CommonJS interop use `import x = require(...)` on purpose.
      "@typescript-eslint/no-require-imports": ["error", { allow: ["^@pulumi/pulumi/log$"] }],
      "@typescript-eslint/no-namespace": "off",
    },
  },
);

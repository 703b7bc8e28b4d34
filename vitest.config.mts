import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "model/**/*.test.ts", "components/**/*.test.ts", "policies/**/*.test.ts", "engine/**/*.test.ts", "stacks/**/*.test.ts"],
    // One worker per core, and test files share their worker's modules (isolate: false): the
    // Pulumi SDK loads once per worker instead of once per file, and each stack's plan is computed
    // once per run (tests/setup/memoise-previews.ts). Pulumi's runtime is process-global state,
    // which is safe here because a worker runs its files one at a time and every evaluation (and
    // every test that calls setMocks itself) sets the runtime up afresh before declaring resources.
    pool: "forks",
    maxWorkers: 2,
    isolate: false,
    fileParallelism: true,
    // Each stack's plan is computed once per run, by whichever worker first needs it, and read by
    // the other from the run's directory (tests/setup/plan-share.ts).
    globalSetup: ["tests/setup/plan-share.ts"],
    setupFiles: ["tests/setup/memoise-previews.ts"],
    // Transformed modules are kept on disk between runs, keyed by their content (under
    // node_modules/.experimental-vitest-cache): a warm run skips ~5 s of transforms and imports
    // on 2 cores. A clean clone (CI) starts cold and is only as slow as before.
    experimental: { fsModuleCache: true },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

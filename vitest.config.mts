import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "model/**/*.test.ts", "components/**/*.test.ts", "policies/**/*.test.ts", "engine/**/*.test.ts", "stacks/**/*.test.ts"],
    // Pulumi's runtime is process-global state: one file at a time per worker, workers isolated.
    pool: "forks",
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

// The Pulumi CLI's Node.js runtime loads this file (PulumiPolicy.yaml `main`).
// - In the repository (index.ts is here), it registers tsx's CommonJS loader so that the TypeScript
//   rules run as they are, with no build step: the CLI, the offline runner and the tests execute
//   the very same files, and nothing stale can run.
// - Packed alone (`npm pack`, which `pulumi policy publish` runs; package.json `files` ships no
//   TypeScript), it runs the bundle that `prepack` built from those same sources (build.ts).
const { existsSync } = require("node:fs");
const { join } = require("node:path");

if (existsSync(join(__dirname, "index.ts"))) {
  require("tsx/cjs");
  require("./index.ts");
} else {
  require("./dist/index.js");
}

// The Pulumi CLI's Node.js runtime loads this file (PulumiPolicy.yaml `main`). It registers tsx's
// CommonJS loader so that the TypeScript rules run as they are, with no build step: the CLI, the
// offline runner and the tests execute the very same files.
require("tsx/cjs");
require("./index.ts");

// The Pulumi CLI's Node.js runtime loads this file (Pulumi.yaml `main`). It registers tsx's
// CommonJS loader so the TypeScript sources run as they are: no build step, so no stale build can
// ever be deployed, and the offline engine and the CLI run the very same files.
require("tsx/cjs");
module.exports = require("./index.ts");

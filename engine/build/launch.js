/**
 * `node engine/build/launch.js <cli> [args...]`: runs engine/cli/<cli>.ts from a precompiled
 * bundle of our sources, rebuilt whenever any of them changed, so that nothing stale can ever run.
 *
 * Why: under tsx every one of our ~170 modules is transformed and source-mapped at load, which
 * doubles the CPU cost of a preview. esbuild (the compiler tsx itself uses, so nothing new is
 * installed) bundles them into one CommonJS file in a fraction of a second; packages stay external
 * and load from node_modules as before.
 *
 * Why it cannot run stale code: the bundle's last line records the SHA-256 of every source file
 * that went into it, and the listing of every directory holding one (a new file can change what an
 * import resolves to). Before each run every recorded file is hashed again (~170 files, a few ms);
 * any difference, a missing file, another esbuild, node or launcher version rebuilds the bundle
 * first. Bundle and record are one file, replaced atomically, so two runs building at once cannot
 * pair one's record with the other's code. tests/preview-bundle.test.ts checks all of this.
 *
 * Plain JavaScript on purpose: it is what runs before anything is compiled.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const PROJECT_ROOT = path.join(__dirname, "..", "..");
const RECORD_PREFIX = "//# platform-infra-bundle ";

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");

/** What else, besides the sources, a bundle depends on: a change of any of these rebuilds it. */
function toolchain(esbuildVersion) {
  return sha256(JSON.stringify([esbuildVersion, process.version, fs.readFileSync(__filename, "utf8")]));
}

/** A directory's entries, sorted, as one hash (a new or removed file changes it). */
function listing(dir) {
  try {
    return sha256(fs.readdirSync(dir).sort().join("\n"));
  } catch {
    return "missing";
  }
}

function fileHash(file) {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return "missing";
  }
}

/** The record on a bundle's last line, or undefined when there is no (readable) bundle. */
function readRecord(bundle) {
  let text;
  try {
    text = fs.readFileSync(bundle, "utf8").trimEnd();
  } catch {
    return undefined;
  }
  const line = text.slice(text.lastIndexOf("\n") + 1);
  if (!line.startsWith(RECORD_PREFIX)) return undefined;
  try {
    return JSON.parse(line.slice(RECORD_PREFIX.length));
  } catch {
    return undefined;
  }
}

/** True when the bundle was built from exactly the sources (and toolchain) there are now. */
function isFresh(record, root, entry, tool) {
  if (!record || record.toolchain !== tool || record.entry !== entry || record.root !== root) return false;
  for (const [file, hash] of Object.entries(record.files)) if (fileHash(path.join(root, file)) !== hash) return false;
  for (const [dir, hash] of Object.entries(record.dirs)) if (listing(path.join(root, dir)) !== hash) return false;
  return true;
}

/**
 * `__dirname` and `__filename` keep meaning the source file's own directory and name inside the
 * bundle (engine/project.ts finds the project root with it).
 */
const keepSourcePaths = {
  name: "keep-source-paths",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const source = fs.readFileSync(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      return {
        loader: "ts",
        contents: source.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))).replace(/\b__filename\b/g, JSON.stringify(args.path)),
      };
    });
  },
};

async function build(esbuild, root, entry, bundle, tool) {
  // The entry's `require.main === module` guard cannot fire inside a bundle: export what the
  // launcher calls instead.
  const stdin = `export { main } from ${JSON.stringify(path.join(root, entry))};\nexport { runMain } from ${JSON.stringify(path.join(root, "engine/cli/args.ts"))};\n`;
  const result = await esbuild.build({
    stdin: { contents: stdin, resolveDir: root, sourcefile: "launch-entry.ts", loader: "ts" },
    // Metafile inputs are relative to this directory.
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node.split(".")[0]}`,
    packages: "external",
    write: false,
    metafile: true,
    sourcemap: "linked",
    outfile: bundle,
    logLevel: "silent",
    plugins: [keepSourcePaths],
  });
  const files = {};
  const dirs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.startsWith("<stdin>") || input === "launch-entry.ts") continue;
    const abs = path.resolve(root, input);
    const rel = path.relative(root, abs);
    files[rel] = fileHash(abs);
    if (files[rel] === "missing") throw new Error(`esbuild reported an input that is not a file: ${input}`);
    dirs[path.dirname(rel)] = listing(path.dirname(abs));
  }
  const record = { toolchain: tool, root, entry, files, dirs };
  const js = result.outputFiles.find((f) => !f.path.endsWith(".map"));
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"));
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  const tmp = `${bundle}.${process.pid}.tmp`;
  if (map) fs.writeFileSync(`${bundle}.map`, map.contents);
  // The record goes last, so that the source map's line numbers stay right.
  fs.writeFileSync(tmp, `${js.text.trimEnd()}\n${RECORD_PREFIX}${JSON.stringify(record)}\n`);
  fs.renameSync(tmp, bundle);
}

/**
 * The path of a bundle of `entry` (relative to `root`) built from the sources as they are now,
 * building it first if there is none or it is stale.
 */
async function freshBundle({ root = PROJECT_ROOT, entry, bundle }) {
  // tsx's own esbuild. Its version is read from its package.json (what esbuild.version reports:
  // the package checks its binary against it), so a fresh bundle runs without loading esbuild.
  const paths = [path.dirname(require.resolve("tsx/package.json", { paths: [root] }))];
  const esbuildVersion = JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json", { paths }), "utf8")).version;
  const tool = toolchain(esbuildVersion);
  if (!isFresh(readRecord(bundle), root, entry, tool)) await build(require(require.resolve("esbuild", { paths })), root, entry, bundle, tool);
  return bundle;
}

/** The CLIs the launcher runs: each module exports `main(argv)` and runs it when run directly. */
const CLIS = { preview: "engine/cli/preview.ts", policy: "engine/cli/policy.ts", diff: "engine/cli/diff.ts", "preview:pr": "engine/cli/preview-pr.ts", cost: "engine/cli/cost.ts", diagram: "engine/cli/diagram.ts" };

async function launch(cli, argv) {
  const entry = CLIS[cli];
  if (!entry) {
    process.stderr.write(`launch: expected a CLI, one of ${Object.keys(CLIS).join(", ")}, got ${JSON.stringify(cli)}\n`);
    process.exit(2);
  }
  // In the checkout itself (.preview/ is git-ignored): each checkout has its own bundles, even
  // `preview:pr`'s base worktree sharing this node_modules, and packages resolve from the bundle
  // exactly as from the sources.
  const bundle = path.join(PROJECT_ROOT, ".preview", "bundles", `${cli.replace(/\W/g, "-")}.cjs`);
  let bundlePath;
  try {
    bundlePath = await freshBundle({ entry, bundle });
  } catch (err) {
    // A source that does not compile: esbuild's messages say where, as tsx's would.
    const messages = (err && err.errors) || [];
    const where = (m) => (m.location ? `${m.location.file}:${m.location.line}: ` : "");
    process.stderr.write(`${cli}: cannot compile the sources: ${messages.map((m) => `${where(m)}${m.text}`).join("; ") || (err && err.message)}\n`);
    process.exit(3);
  }
  const loaded = require(bundlePath);
  loaded.runMain(cli, () => loaded.main(argv));
}

module.exports = { freshBundle, launch, CLIS };

if (require.main === module) void launch(process.argv[2], process.argv.slice(3));

/**
 * `npm run preview:pr` end to end, in a throwaway git repository whose "preview CLI" copies fixture
 * plans (the real one is the lead's and slow): the worktree of the base, the base without a CLI,
 * a head stack that fails, a mandatory violation, a bad ref, and the cleanup.
 *
 * preview:pr runs as its exported `main` in this process, started in the scratch repository
 * (tests/setup/cli-in-process.ts): a process of it costs 1–2 s of module loading and shows nothing
 * more, since its exit code is main's return value through runMain. One case, the mandatory
 * violation, runs it as `npm run preview:pr` does, from its bundle, to prove the process's exit
 * code and stderr; tests/cli-hostile.test.ts runs its usage error (exit 2) the same way. The base
 * and head previews it starts are still real processes: how it runs them is what is tested.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main, stacksReachedBy } from "../../engine/cli/preview-pr";
import { runCliIn } from "../setup/cli-in-process";
import { PLANTED } from "./fixtures/generate";
import { FIXTURES } from "./helpers";

const ROOT = path.join(__dirname, "..", "..");
const LAUNCHER = path.join(ROOT, "engine", "build", "launch.js");

// Writes plans/<file> named by each stack file (`plan: <file>`); a stack file saying `broken` is a
// config error, and like the real CLI, `--all` then writes no plan at all. One body, served two
// ways as the real trees are: as `engine/cli/preview.ts` through tsx (a base from before the
// launcher; a stand-in for tsx, FAKE_TSX below), and as the launcher `node engine/build/launch.js
// preview ...`. Both are plain node, 0.1 s of CPU a run: the failing-stack cases run every stack
// alone, so start-up is all they cost.
const fakePreview = (argvStart: number) => `
const fs = require("node:fs");
const path = require("node:path");
const argv = process.argv.slice(${argvStart});
const stacks = fs.readdirSync("stacks").map((f) => /^Pulumi\\.(.+)\\.yaml$/.exec(f)?.[1]).filter((s) => !!s);
const plan = (s) => {
  const y = fs.readFileSync(\`stacks/Pulumi.\${s}.yaml\`, "utf8");
  if (y.includes("broken")) { console.error(\`\${s}: config error: broken\`); process.exit(2); }
  return fs.readFileSync(path.join("plans", y.split(":")[1].trim()), "utf8");
};
const dirAt = argv.indexOf("--json-dir");
if (dirAt >= 0) {
  const names = argv[0] === "--all" ? stacks : argv.slice(0, dirAt);
  fs.appendFileSync("previewed.log", names.join(" ") + "\\n");
  const out = names.map((s) => [s, plan(s)]);
  fs.mkdirSync(argv[dirAt + 1], { recursive: true });
  for (const [s, p] of out) fs.writeFileSync(path.join(argv[dirAt + 1], \`\${s}.json\`), p);
} else {
  const p = plan(argv[0]);
  fs.mkdirSync(path.dirname(argv[2]), { recursive: true });
  fs.writeFileSync(argv[2], p);
}
`;
/** `tsx engine/cli/preview.ts <args>`: the arguments start at argv[2]. */
const FAKE_PREVIEW = fakePreview(2);
/** `node engine/build/launch.js preview <args>`: the arguments start at argv[3]. */
const FAKE_LAUNCHER = fakePreview(3);
/** `tsx <script> <args>`: appends `<script> <args>` to `log`, then runs the script with argv as tsx leaves it. */
const FAKE_TSX = (log: string) => `#!/usr/bin/env node
const fs = require("node:fs");
fs.appendFileSync(${JSON.stringify(log)}, process.argv.slice(2).join(" ") + "\\n");
const script = require("node:path").resolve(process.argv[2]);
process.argv.splice(1, 1);
new Function("require", fs.readFileSync(script, "utf8"))(require);
`;

let repo: string;
const git = (...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.email=test@example.invalid", "-c", "user.name=test", ...args], { cwd: repo, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
};
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), text);
};
const stack = (name: string, planFile: string) => write(`stacks/Pulumi.${name}.yaml`, `plan: ${planFile}\n`);
/** preview:pr's `main` in this process, started in the scratch repository. */
const pr = (...args: string[]) => runCliIn(repo, main, args, { NO_COLOR: "1" });
/** preview:pr as `npm run preview:pr` runs it: a process, from its bundle. */
const prProcess = (...args: string[]) => {
  const r = spawnSync(process.execPath, [LAUNCHER, "preview:pr", ...args], { cwd: repo, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const read = (f: string) => fs.readFileSync(path.join(repo, f), "utf8");
let noCli: string;
/** A base whose preview CLI runs through tsx: it has engine/cli/preview.ts but no launcher. */
let tsxCli: string;

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "preview-pr-"));
  git("init", "-q");
  write("package.json", JSON.stringify({ name: "t", private: true, workspaces: ["policies"] }));
  write(".gitignore", "node_modules\n.preview\npreviewed.log\ntsx.log\n");
  // preview:pr runs a base from before the launcher with `node_modules/.bin/tsx`; the fake preview
  // CLI is plain JavaScript, so a stand-in runs it as tsx would, and logs each call (the real tsx
  // would cost a second of start-up to prove nothing of preview:pr's). Nothing else of preview:pr
  // reads the scratch repository's node_modules: the launcher resolves packages from this checkout.
  write("node_modules/.bin/tsx", FAKE_TSX(path.join(repo, "tsx.log")));
  fs.chmodSync(path.join(repo, "node_modules/.bin/tsx"), 0o755);
});

afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

describe("npm run preview:pr", () => {
  beforeAll(() => {
    fs.mkdirSync(path.join(repo, "plans"), { recursive: true });
    for (const f of fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".json"))) fs.copyFileSync(path.join(FIXTURES, f), path.join(repo, "plans", f));
    stack("quickfund-dev", "base.json");
    stack("quickfund-prod", "base.json");
    stack("quickfund-rct", "secrets-base.json");
    git("add", "-A");
    git("commit", "-qm", "stacks without a preview CLI");
    noCli = git("rev-parse", "HEAD");
    write("engine/cli/preview.ts", FAKE_PREVIEW);
    git("add", "-A");
    git("commit", "-qm", "preview CLI");
    tsxCli = git("rev-parse", "HEAD");
    write("engine/build/launch.js", FAKE_LAUNCHER);
    git("add", "-A");
    git("commit", "-qm", "preview CLI from the launcher");
  });

  it("previews base and head, reports only the stacks whose plans differ", async () => {
    stack("quickfund-prod", "head-rename.json"); // a database renamed without an alias
    stack("quickfund-rct", "secrets-head.json");
    stack("cryptocare-dev", "base.json"); // a new stack
    // The base is the tree before the launcher (same stack files as HEAD): its preview runs through tsx.
    const r = await pr("--base", tsxCli, "--out", ".preview/c.md", "--affected", ".preview/affected.json", "--json", ".preview/diff.json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(read(".preview/affected.json"))).toEqual(["cryptocare-dev", "quickfund-prod", "quickfund-rct"]);
    const md = read(".preview/c.md");
    expect(md).toContain("| quickfund-prod | 1 | 0 | 1 | **1** | 0 |");
    expect(md).toContain('`aliases: [{ name: "orders-instance" }]`');
    expect(md).toContain("the stack does not exist at base (new stack)");
    expect(md).toContain("1 other stack(s) unchanged");
    expect(md).toContain("(with uncommitted changes)");
    expect(r.stdout).toContain("stateful resource renamed");
    // The base, which has no launcher, and only the base, ran its preview CLI through tsx.
    expect(read("tsx.log").trim().split("\n")).toEqual([expect.stringMatching(/^engine\/cli\/preview\.ts .*--json-dir /)]);
    for (const p of PLANTED.slice(0, 3)) {
      expect(md).not.toContain(p);
      expect(r.stdout).not.toContain(p);
      expect(read(".preview/diff.json")).not.toContain(p);
    }
    // The worktree is gone.
    expect(git("worktree", "list").split("\n")).toHaveLength(1);
  });

  it("exits 1 when head has a mandatory violation, and still writes the comment (the process)", () => {
    stack("quickfund-prod", "head-changes.json");
    const r = prProcess("--base", "HEAD", "--out", ".preview/c.md");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 mandatory policy violation/);
    expect(read(".preview/c.md")).toContain("**1 (1 mandatory)**");
  });

  it("takes a base without a preview CLI as empty plans, and says so", async () => {
    stack("quickfund-prod", "base.json");
    const r = await pr("--base", noCli, "--out", ".preview/c.md");
    expect(r.code).toBe(0);
    const md = read(".preview/c.md");
    expect(md).toContain("The base has no offline preview CLI");
    expect(md).toMatch(/\| quickfund-dev \| \d+ \| 0 \| 0 \|/);
  });

  it("isolates a stack that fails: base failure is an empty plan, head failure exits 2", async () => {
    stack("quickfund-dev", "broken");
    const head = await pr("--base", "HEAD", "--out", ".preview/c.md");
    expect(head.code).toBe(2);
    expect(head.stdout).toContain("head quickfund-dev: failed to evaluate (quickfund-dev: config error: broken)");
    const md = read(".preview/c.md");
    expect(md).toContain("| quickfund-dev 💥 |");
    // The other stacks were still previewed one by one.
    expect(md).toContain("cryptocare-dev");
    git("add", "-A");
    git("commit", "-qm", "break dev");
    stack("quickfund-dev", "base.json");
    const base = await pr("--base", "HEAD", "--out", ".preview/c.md");
    expect(base.code).toBe(0);
    expect(read(".preview/c.md")).toContain("failed to evaluate at base: its plan is taken as empty");
  });

  it("exits 2 on a usage error or an unknown ref", async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((m: unknown) => void errors.push(String(m)));
    try {
      expect(await main([])).toBe(2);
      expect(await main(["--base"])).toBe(2);
      expect(await main(["--base", "HEAD", "--budget", "12"])).toBe(2);
      expect(await main(["--base", "no-such-ref-anywhere"])).toBe(2);
      expect(errors.join("\n")).toContain("is not a commit here");
    } finally {
      spy.mockRestore();
    }
  });

  it("previews only the stacks a change made of stack files reaches, and every stack for any other change", async () => {
    git("add", "-A");
    git("commit", "-qm", "a baseline");
    const previewed = () => read("previewed.log").trim().split("\n");
    fs.rmSync(path.join(repo, "previewed.log"), { force: true });
    stack("quickfund-rct", "base.json");
    write("docs/notes.md", "prose reaches no plan\n");
    const one = await pr("--base", "HEAD", "--out", ".preview/c.md");
    expect(one.code).toBe(0);
    expect(previewed()).toEqual(["quickfund-rct"]);
    expect(read(".preview/c.md")).toContain("Only stack files and documentation changed: previewed the stacks they reach (quickfund-rct)");
    fs.rmSync(path.join(repo, "previewed.log"));
    write("engine/cli/helper.ts", "// a code change may reach any stack\n");
    expect((await pr("--base", "HEAD", "--out", ".preview/c.md")).code).toBe(0);
    expect(previewed()).toEqual(["cryptocare-dev quickfund-dev quickfund-prod quickfund-rct"]);
    expect(read(".preview/c.md")).not.toContain("Only stack files");
  });
});

describe("stacksReachedBy", () => {
  const all = ["diaspomoney-dev", "diaspomoney-prod", "diaspomoney-shared", "quickfund-dev", "quickfund-prod"];
  it("reaches the changed stacks, and a foundation's whole platform (its env stacks read it as upstream)", () => {
    expect(stacksReachedBy(["stacks/Pulumi.quickfund-dev.yaml", "README.md"], all)).toEqual(["quickfund-dev"]);
    expect(stacksReachedBy(["stacks/Pulumi.diaspomoney-shared.yaml"], all)).toEqual(["diaspomoney-dev", "diaspomoney-prod", "diaspomoney-shared"]);
    expect(stacksReachedBy(["docs/pull-requests.md"], all)).toEqual([]);
  });
  it("reaches every stack when anything else changed: code, a policy config, vendored data, the lock file", () => {
    for (const p of ["stacks/quickfund.ts", "policies/config/quickfund-dev.json", "vendor/crds/strimzi/kafka.yaml", "package-lock.json", "stacks/schemas/quickfund.schema.json"]) {
      expect(stacksReachedBy(["stacks/Pulumi.quickfund-dev.yaml", p], all), p).toBeUndefined();
    }
  });
});

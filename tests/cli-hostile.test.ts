/**
 * The CLIs under hostile input (issue 10): every bad plan, output path or stack file is exit 2 with
 * one stderr line naming the file and the problem, no stack trace, and no hang (a time limit per
 * case). The process cases run each CLI for real, from its bundle as `npm run` does (two at a time:
 * each costs a start-up); the other plans, fuzzed ones included, go through diff's and policy's
 * exported `main`, in process, which share the plan reader with preview:pr (engine/plan-file.ts).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main as diffMain } from "../engine/cli/diff";
import { main as policyMain } from "../engine/cli/policy";
import { MAX_PLAN_BYTES } from "../engine/plan-file";

const ROOT = path.resolve(__dirname, "..");
const LAUNCHER = path.join(ROOT, "engine", "build", "launch.js");
const GOOD = path.join(ROOT, "tests", "diff", "fixtures", "base.json");
const STACK = "quickfund-prod";
const URN = `urn:pulumi:${STACK}::quickfund::gcp:storage/bucket:Bucket::b`;
const CASE_TIMEOUT_MS = 20_000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-hostile-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, content);
  return p;
}

/** The hostile plans of the issue, written once. */
function plans() {
  const deep = 100_000;
  const huge = path.join(tmp, "huge.json");
  fs.writeFileSync(huge, "");
  fs.truncateSync(huge, MAX_PLAN_BYTES + 1); // sparse: costs no disk
  const fifo = path.join(tmp, "fifo.json");
  try {
    execFileSync("mkfifo", [fifo]);
  } catch {
    /* no mkfifo: the case below uses /dev/zero instead */
  }
  return {
    nullStep: file("null-step.json", JSON.stringify({ steps: [null] })),
    noUrn: file("no-urn.json", JSON.stringify({ steps: [{ op: "create", newState: { urn: URN, type: "t", inputs: {} } }] })),
    numericUrn: file("numeric-urn.json", JSON.stringify({ steps: [{ op: "create", urn: 42, newState: { urn: 42, type: "t", inputs: {} } }] })),
    noNewState: file("no-new-state.json", JSON.stringify({ steps: [{ op: "create", urn: URN }] })),
    badNewState: file("bad-new-state.json", JSON.stringify({ steps: [{ op: "create", urn: URN, newState: { urn: URN, type: 7, inputs: [] } }] })),
    truncated: file("truncated.json", fs.readFileSync(GOOD, "utf8").slice(0, 500)),
    deepArray: file("deep.json", "[".repeat(deep) + "]".repeat(deep)),
    deepInputs: file("deep-inputs.json", `{"steps":[{"op":"create","urn":"${URN}","newState":{"urn":"${URN}","type":"t","inputs":{"x":${"[".repeat(deep)}${"]".repeat(deep)}}}}]}`),
    huge,
    fifo: fs.existsSync(fifo) ? fifo : "/dev/zero",
  };
}

let P: ReturnType<typeof plans>;
let bomb: string;

interface Case {
  name: string;
  cli: string;
  args: () => string[];
  /** What the one stderr line must name (a file or a path). */
  names: () => string;
  problem: RegExp;
}

const CASES: Case[] = [
  { name: "diff: a null step", cli: "diff", args: () => [GOOD, P.nullStep], names: () => P.nullStep, problem: /steps\[0\]/ },
  { name: "diff: --out is a directory", cli: "diff", args: () => [GOOD, GOOD, "--out", tmp], names: () => tmp, problem: /is a directory/ },
  { name: "diff: --out under /proc", cli: "diff", args: () => [GOOD, GOOD, "--out", "/proc/x/y"], names: () => "/proc/x/y", problem: /refusing/ },
  { name: "policy: a step without newState", cli: "policy", args: () => ["--plan", P.noNewState, "--stack", STACK], names: () => P.noNewState, problem: /no newState/ },
  { name: "policy: --plan /dev/zero", cli: "policy", args: () => ["--plan", "/dev/zero", "--stack", STACK], names: () => "/dev/zero", problem: /not a regular file/ },
  { name: "preview: --json is a directory", cli: "preview", args: () => [STACK, "--json", tmp], names: () => tmp, problem: /is a directory/ },
  { name: "preview: a YAML alias bomb", cli: "preview", args: () => ["quickfund-dev", "--root", bomb], names: () => "Pulumi.quickfund-dev.yaml", problem: /alias/ },
  { name: "preview:pr: --out under /proc", cli: "preview:pr", args: () => ["--base", "HEAD", "--out", "/proc/x/y"], names: () => "/proc/x/y", problem: /refusing/ },
];

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
}

function run(c: Case): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    // As `npm run <cli>` runs it: from its bundle, through the launcher.
    const child = spawn(process.execPath, [LAUNCHER, c.cli, ...c.args()], { cwd: ROOT, timeout: CASE_TIMEOUT_MS, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, DEBUG: "" } });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code, signal) => resolve({ code, signal, stderr, ms: Date.now() - started }));
  });
}

const results = new Map<string, Result>();

beforeAll(async () => {
  P = plans();
  bomb = path.join(tmp, "bomb");
  fs.mkdirSync(path.join(bomb, "stacks"), { recursive: true });
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(", ")}]`);
  }
  fs.writeFileSync(path.join(bomb, "stacks", "Pulumi.quickfund-dev.yaml"), `config:\n  quickfund:bomb:\n${lines.map((l) => `    ${l}`).join("\n")}\n`);
  // Two processes at a time: one per core.
  const queue = [...CASES];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) results.set(c.name, await run(c));
  };
  await Promise.all([worker(), worker()]);
}, 120_000);

function expectOneLine(stderr: string, names: string, problem: RegExp): void {
  const lines = stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toContain(names);
  expect(lines[0]).toMatch(problem);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal error/);
}

describe("the CLIs under hostile input (processes)", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s: exit 2, one line, no stack trace, no hang", (_name, c) => {
    const r = results.get(c.name)!;
    expect(r.signal, `${c.name} hung (killed after ${CASE_TIMEOUT_MS} ms)`).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expectOneLine(r.stderr, c.names(), c.problem);
  });
});

/** A small deterministic PRNG, so that a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomJson(rnd: () => number, depth = 0): unknown {
  const k = Math.floor(rnd() * (depth > 3 ? 5 : 7));
  switch (k) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return Math.floor(rnd() * 1e6) - 5e5;
    case 3:
      return "x".repeat(Math.floor(rnd() * 20));
    case 4:
      return rnd() < 0.5 ? "op" : "urn";
    case 5:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(rnd, depth + 1));
    default: {
      const keys = ["steps", "op", "urn", "newState", "type", "inputs", "zz"];
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) + 1 }, () => [keys[Math.floor(rnd() * keys.length)], randomJson(rnd, depth + 1)]));
    }
  }
}

describe("fuzzed plans (in process)", () => {
  const rnd = prng(10);
  const fuzz: Array<[string, () => string]> = [
    ...Array.from({ length: 4 }, (_, i): [string, () => string] => {
      const value = randomJson(rnd);
      const wrapped = i % 2 ? { steps: [value] } : value;
      return [`random JSON #${i}`, () => file(`random-${i}.json`, JSON.stringify(wrapped))];
    }),
    ["a truncated plan", () => P.truncated],
    ["an empty file", () => file("empty.json", "")],
    ["binary garbage", () => file("garbage.json", Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) % 256)))],
    ["an array 100k deep", () => P.deepArray],
    ["a plan over the size limit", () => P.huge],
    ["a 5 MB URN with a malformed newState", () => file("huge-string.json", JSON.stringify({ steps: [{ op: "create", urn: "u".repeat(5_000_000), newState: { urn: 1 } }] }))],
    ["a newState of the wrong shape", () => P.badNewState],
    ["a directory", () => tmp],
    ["a null step", () => P.nullStep],
    ["a step without a URN", () => P.noUrn],
    ["a numeric URN", () => P.numericUrn],
    ["a create without newState", () => P.noNewState],
    ["inputs nested 100k deep", () => P.deepInputs],
    ["a FIFO", () => P.fifo],
    ["/dev/zero", () => "/dev/zero"],
  ];

  it.each(fuzz)("%s: diff and policy exit 2 with one line naming the file", (_name, make) => {
    const plan = make();
    let stderr = "";
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
      stderr += String(s);
      return true;
    });
    try {
      // The good plan first, so that a directory is "one of each" rather than a plan error.
      const code = plan === tmp ? diffMain([plan, path.join(tmp, "nope"), "--out", path.join(tmp, "o.md")]) : diffMain([GOOD, plan, "--out", path.join(tmp, "o.md")]);
      expect(code, stderr).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expectOneLine(stderr, plan === tmp ? "nope" : plan, /.+/);
  });

  it.each(fuzz.filter(([n]) => !n.startsWith("random")))("%s: policy exit 2", async (_name, make) => {
    const plan = make();
    const errs: string[] = [];
    const code = await policyMain(["--plan", plan, "--stack", STACK], () => undefined, (s) => errs.push(s));
    expect(code, errs.join("\n")).toBe(2);
    expectOneLine(errs.join("\n"), plan, /plan file/);
  });
});

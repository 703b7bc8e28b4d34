/**
 * `npm run bench [-- --runs N]`: how long an offline preview takes, next to the floor that no
 * preview can beat — the bare import time of the four @pulumi packages — measured in the same run.
 *
 * Every figure is the median wall time of N fresh processes (cold module cache), so it is what a
 * developer waits for, next to the median CPU time (user + system, summed over the process and the
 * processes it starts), which other load on the machine inflates far less than wall time.
 * Timings are reported, never asserted.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { allStacks } from "../../stacks/registry";
import { PROJECT_ROOT } from "../project";
import { CliError, EXIT, parseCli, runMain } from "./args";

const TSX = join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");
const PREVIEW = join(PROJECT_ROOT, "engine/cli/preview.ts");
const LAUNCHER = join(PROJECT_ROOT, "engine/build/launch.js");

/**
 * Builds the preview bundle if a source changed since the last build, and fills the result caches
 * (model/content-cache.ts) as any earlier preview of the same sources would have (not timed).
 */
function warmUp(probe: string): void {
  timeProcess([LAUNCHER, "preview", "--all"], probe);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A script preloaded into every measured process (and, through NODE_OPTIONS, the processes it
 * starts, e.g. tsx's): at exit it appends the process's CPU time (ms) to the file BENCH_CPU_FILE names.
 */
const CPU_PROBE = `process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").appendFileSync(process.env.BENCH_CPU_FILE, ((u.user + u.system) / 1000) + "\\n"); });\n`;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time of one process, in ms; fails loudly if the process fails. */
function timeProcess(args: string[], probe: string, extraEnv: Record<string, string> = {}): Sample {
  const cpuFile = join(dirname(probe), `cpu-${process.hrtime.bigint()}`);
  const env = { ...process.env, ...extraEnv, BENCH_CPU_FILE: cpuFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(probe)}`.trim() };
  const started = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: "utf8", env });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0 && res.status !== 1) {
    throw new Error(`${args.join(" ")} exited ${res.status}: ${res.stderr.trim().split("\n")[0]}`);
  }
  const cpuMs = readFileSync(cpuFile, "utf8").trim().split("\n").map(Number).reduce((a, b) => a + b, 0);
  rmSync(cpuFile);
  return { wallMs, cpuMs };
}

interface Row {
  label: string;
  medianMs: number;
  medianCpuMs: number;
  runs: number[];
}

function measure(label: string, args: string[], runs: number, probe: string, extraEnv: Record<string, string> = {}): Row {
  const samples = Array.from({ length: runs }, () => timeProcess(args, probe, extraEnv));
  return {
    label,
    medianMs: median(samples.map((s) => s.wallMs)),
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
    runs: samples.map((s) => Math.round(s.wallMs)),
  };
}

function main(argv: string[]): number {
  const p = parseCli(argv, { runs: "string" }, { positional: false });
  if (p.help) throw new CliError("usage: npm run bench [-- --runs N]");
  const runs = p.values.runs !== undefined ? Number(p.values.runs) : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new CliError("--runs takes a whole number of at least 1");
  const imports = ["@pulumi/pulumi", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/random"].map((m) => `require(${JSON.stringify(m)});`).join("");
  const probeDir = mkdtempSync(join(tmpdir(), "bench-"));
  const probe = join(probeDir, "cpu-probe.cjs");
  writeFileSync(probe, CPU_PROBE);
  let rows: Row[];
  try {
    // An untimed run first builds the preview bundle if a source changed, so no sample pays for a build.
    warmUp(probe);
    rows = [
      measure("import floor: node + the four @pulumi packages", ["-e", imports], runs, probe),
      // What our entry points pay: the same imports under tsx, with the SDK's unused modules deferred.
      measure("import floor, tsx + engine/fast-load", ["-e", `require("tsx/cjs");require("./engine/fast-load.ts");${imports}`], runs, probe),
      measure("tsx start-up (no program)", [TSX, "-e", "0"], runs, probe),
      // As `npm run preview` runs them: from the bundle (engine/build/launch.js, built above).
      ...allStacks().map((stack) => measure(`preview ${stack}`, [LAUNCHER, "preview", stack, "--no-tree"], runs, probe)),
      measure("preview --all under tsx (no bundle)", [TSX, PREVIEW, "--all"], runs, probe),
      // What a fresh clone's first preview pays: every validation result computed.
      measure("preview --all, result caches off", [LAUNCHER, "preview", "--all"], runs, probe, { PLATFORM_INFRA_CACHE: "off" }),
      measure("preview --all", [LAUNCHER, "preview", "--all"], runs, probe),
    ];
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`Median of ${runs} fresh processes each (ms): wall time, CPU time (user + system); node ${process.version}, ${new Date().toISOString()}\n`);
  console.log(`${"".padEnd(width)}    wall      cpu   wall of each run`);
  for (const r of rows) console.log(`${r.label.padEnd(width)}  ${r.medianMs.toFixed(0).padStart(6)}   ${r.medianCpuMs.toFixed(0).padStart(6)}   ${r.runs.join(", ")}`);
  const floor = rows[0].medianMs;
  const all = rows[rows.length - 1].medianMs;
  console.log(`\n--all takes ${(all / floor).toFixed(2)}x the import floor (wall).`);
  const out = join(PROJECT_ROOT, ".preview", "bench.json");
  mkdirSync(join(PROJECT_ROOT, ".preview"), { recursive: true });
  writeFileSync(out, JSON.stringify({ node: process.version, runs, rows }, null, 2) + "\n");
  console.log(`\nwritten: ${out}`);
  return EXIT.ok;
}

runMain("bench", () => main(process.argv.slice(2)));

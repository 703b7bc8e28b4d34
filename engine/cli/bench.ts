/**
 * `npm run bench [-- --runs N]`: how long an offline preview takes, next to the floor that no
 * preview can beat — the bare import time of the four @pulumi packages — measured in the same run.
 *
 * Every figure is the median wall time of N fresh processes (cold module cache), so it is what a
 * developer waits for. Timings are reported, never asserted.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allStacks } from "../../stacks/registry";
import { PROJECT_ROOT } from "../project";
import { CliError, EXIT, parseCli, runMain } from "./args";

const TSX = join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");
const PREVIEW = join(PROJECT_ROOT, "engine/cli/preview.ts");

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Wall time of one process, in ms; fails loudly if the process fails. */
function timeProcess(args: string[]): number {
  const started = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0 && res.status !== 1) {
    throw new Error(`${args.join(" ")} exited ${res.status}: ${res.stderr.trim().split("\n")[0]}`);
  }
  return ms;
}

function measure(label: string, args: string[], runs: number): { label: string; medianMs: number; runs: number[] } {
  const samples = Array.from({ length: runs }, () => timeProcess(args));
  return { label, medianMs: median(samples), runs: samples.map((s) => Math.round(s)) };
}

function main(argv: string[]): number {
  const p = parseCli(argv, { runs: "string" }, { positional: false });
  if (p.help) throw new CliError("usage: npm run bench [-- --runs N]");
  const runs = p.values.runs !== undefined ? Number(p.values.runs) : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new CliError("--runs takes a whole number of at least 1");
  const imports = ["@pulumi/pulumi", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/random"];
  const rows = [
    measure("import floor: node + the four @pulumi packages", ["-e", imports.map((m) => `require(${JSON.stringify(m)});`).join("")], runs),
    measure("tsx start-up (no program)", [TSX, "-e", "0"], runs),
    ...allStacks().map((stack) => measure(`preview ${stack}`, [TSX, PREVIEW, stack, "--no-tree"], runs)),
    measure("preview --all", [TSX, PREVIEW, "--all"], runs),
  ];
  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`Median wall time of ${runs} fresh processes each (ms), node ${process.version}, ${new Date().toISOString()}\n`);
  for (const r of rows) console.log(`${r.label.padEnd(width)}  ${r.medianMs.toFixed(0).padStart(6)}   runs: ${r.runs.join(", ")}`);
  const out = join(PROJECT_ROOT, ".preview", "bench.json");
  mkdirSync(join(PROJECT_ROOT, ".preview"), { recursive: true });
  writeFileSync(out, JSON.stringify({ node: process.version, runs, rows }, null, 2) + "\n");
  console.log(`\nwritten: ${out}`);
  return EXIT.ok;
}

runMain("bench", () => main(process.argv.slice(2)));

/**
 * `npm run bench [-- --runs N] [--tenants N[,N...]]`: how long an offline preview takes, next to the
 * floor that no preview can beat — the bare import time of the four @pulumi packages — measured in
 * the same run.
 *
 * Every figure is the median wall time of N fresh processes (cold module cache), so it is what a
 * developer waits for, next to the median CPU time (user + system, summed over the process and the
 * processes it starts), which other load on the machine inflates far less than wall time.
 * Timings are reported, never asserted.
 *
 * `--tenants` is the CRM Courtier scale proof (issue 14): for each N, the crm-courtier-prod stack
 * previewed from a scratch root whose stack file lists N synthetic firms, with its resource count
 * and monthly estimate, so that growth per firm (time, resources, euros) reads off one table.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isSeq, parseDocument } from "yaml";
import { convertUsd } from "../../model/cost/currency";
import { allStacks } from "../../stacks/registry";
import { PROJECT_ROOT } from "../project";
import { sourceFingerprint } from "../source-fingerprint";
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

const USAGE = "usage: npm run bench [-- --runs N] [--tenants N[,N...]]";

/** The stack `--tenants` previews, and the config key and host domain of its firms (stacks/crm-courtier.ts). */
export const TENANT_STACK = "crm-courtier-prod";
export const FIRMS_KEY = "crm-courtier:firms";
const FIRM_DOMAIN = "crm-courtier.fr";
/** The most firms the stack's config schema accepts (stacks/crm-courtier.ts): more is refused here, before any measurement. */
export const MAX_TENANTS = 1000;

export interface BenchArgs {
  runs: number;
  /** Firm counts to preview the CRM prod stack with, ascending and distinct; absent without `--tenants`. */
  tenants?: number[];
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const p = parseCli(argv, { runs: "string", tenants: "list" }, { positional: false });
  if (p.help) throw new CliError(USAGE);
  const runs = p.values.runs !== undefined ? Number(p.values.runs) : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new CliError("--runs takes a whole number of at least 1");
  const given = p.lists.tenants;
  if (!given) return { runs };
  const counts = new Set<number>();
  for (const value of given) {
    for (const part of value.split(",")) {
      const t = part.trim();
      const n = /^\d+$/.test(t) ? Number(t) : NaN;
      if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TENANTS) {
        throw new CliError(`--tenants takes firm counts, whole numbers from 1 to ${MAX_TENANTS}, repeated or comma-separated (e.g. --tenants 20,50,100,200); got ${JSON.stringify(t)} in ${JSON.stringify(value)}`);
      }
      counts.add(n);
    }
  }
  return { runs, tenants: [...counts].sort((a, b) => a - b) };
}

export interface SyntheticFirm {
  id: string;
  plan: "pro";
  host: string;
}

/** N firms as the stack's config lists them; ids and hosts unique, firm i the same whatever N. */
export function syntheticFirms(n: number): SyntheticFirm[] {
  return Array.from({ length: n }, (_, k) => ({ id: `cabinet-${k + 1}`, plan: "pro" as const, host: `cabinet-${k + 1}.${FIRM_DOMAIN}` }));
}

/**
 * Writes `<dir>/stacks/Pulumi.crm-courtier-prod.yaml`: the stack file under `sourceRoot` with its
 * firm list replaced by N synthetic firms, every other key and comment kept (a real prod file, so
 * the figures are the real stack's). Only the prod file is written: the preview reads the shared
 * stack from this repository when the root has none (engine/deployability/upstream.ts).
 */
export function writeTenantRoot(n: number, dir: string, sourceRoot: string = PROJECT_ROOT): string {
  const rel = join("stacks", `Pulumi.${TENANT_STACK}.yaml`);
  const source = join(sourceRoot, rel);
  if (!existsSync(source)) throw new CliError(`--tenants previews ${TENANT_STACK}, but ${source} does not exist`);
  const doc = parseDocument(readFileSync(source, "utf8"), { uniqueKeys: true });
  if (doc.errors.length) throw new CliError(`--tenants: ${source} is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  if (!doc.has("config")) doc.set("config", doc.createNode({}));
  const firms = doc.createNode(syntheticFirms(n));
  // Block style, one firm per entry, as a person would write the list.
  if (isSeq(firms)) firms.flow = false;
  doc.setIn(["config", FIRMS_KEY], firms);
  mkdirSync(join(dir, "stacks"), { recursive: true });
  const file = join(dir, rel);
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  return file;
}

/** What one preview's plan says about the stack: its resource count, monthly estimate and findings. */
export interface PlanFigures {
  resources: number;
  monthlyUsd?: number;
  /**
   * Mandatory policy violations (not waived) plus deployability errors: the preview still ran to
   * the end, so its time is measured, but a reader must know the plan would not be applied as is.
   */
  findings: number;
}

export function planFigures(planText: string): PlanFigures {
  const plan = JSON.parse(planText) as {
    steps?: unknown[];
    cost?: { estimate?: { monthlyUsd?: number } };
    policies?: { enforcementLevel?: string; waiver?: unknown }[];
    deployability?: { findings?: unknown[] };
  };
  const usd = plan.cost?.estimate?.monthlyUsd;
  const mandatory = (plan.policies ?? []).filter((r) => r.enforcementLevel === "mandatory" && !r.waiver).length;
  return { resources: plan.steps?.length ?? 0, ...(typeof usd === "number" ? { monthlyUsd: usd } : {}), findings: mandatory + (plan.deployability?.findings?.length ?? 0) };
}

export interface TenantRow {
  tenants: number;
  medianMs: number;
  medianCpuMs: number;
  runs: number[];
  /** Wall time of the untimed first preview of this root (its new objects' validation results not yet cached). */
  firstRunMs: number;
  resources: number;
  monthlyUsd?: number;
  monthlyEur?: number;
  /** Mandatory policy violations and deployability errors in the plan (PlanFigures.findings). */
  findings: number;
  /**
   * engine/source-fingerprint.ts of the sources this row measured (12 hex digits), or "changed" when
   * they were edited during its runs: rows of different sources do not compare (nor do marginals).
   */
  sources: string;
  /** (€ at this N − € at the previous N) / (firm difference); absent on the first row. */
  marginalEurPerFirm?: number;
  /** Likewise for resources, to show the per-firm growth is constant (linear, not quadratic). */
  marginalResourcesPerFirm?: number;
  marginalMsPerFirm?: number;
  /** Likewise for CPU time, which other load on the machine inflates far less than wall time. */
  marginalCpuMsPerFirm?: number;
}

type Measured = Omit<TenantRow, "monthlyEur" | "marginalEurPerFirm" | "marginalResourcesPerFirm" | "marginalMsPerFirm" | "marginalCpuMsPerFirm">;

/** Adds euros and the marginal figures per firm between successive counts (rows ascending). */
export function withMarginals(rows: readonly Measured[]): TenantRow[] {
  const out: TenantRow[] = [];
  for (const r of rows) {
    const row: TenantRow = { ...r, ...(r.monthlyUsd !== undefined ? { monthlyEur: round2(convertUsd(r.monthlyUsd, "EUR")) } : {}) };
    const prev = out[out.length - 1];
    if (prev) {
      const dn = row.tenants - prev.tenants;
      if (row.monthlyEur !== undefined && prev.monthlyEur !== undefined) row.marginalEurPerFirm = round2((row.monthlyEur - prev.monthlyEur) / dn);
      row.marginalResourcesPerFirm = round2((row.resources - prev.resources) / dn);
      row.marginalMsPerFirm = round2((row.medianMs - prev.medianMs) / dn);
      row.marginalCpuMsPerFirm = round2((row.medianCpuMs - prev.medianCpuMs) / dn);
    }
    out.push(row);
  }
  return out;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function measureTenants(counts: readonly number[], runs: number, probe: string, scratch: string): TenantRow[] {
  const measured: Measured[] = [];
  for (const n of counts) {
    const root = join(scratch, `tenants-${n}`);
    writeTenantRoot(n, root);
    const plan = join(root, "plan.json");
    const args = [LAUNCHER, "preview", TENANT_STACK, "--no-tree", "--root", root, "--json", plan];
    const before = sourceFingerprint().slice(0, 12);
    // Not in the median, like the other rows' warm-up: it fills the result caches for this N's new
    // objects, which a developer's second preview of the same firms would find filled.
    const first = timeProcess(args, probe);
    const row = measure(`preview ${TENANT_STACK}, ${n} firms`, args, runs, probe);
    const sources = sourceFingerprint().slice(0, 12) === before ? before : "changed";
    measured.push({ tenants: n, medianMs: row.medianMs, medianCpuMs: row.medianCpuMs, runs: row.runs, firstRunMs: Math.round(first.wallMs), sources, ...planFigures(readFileSync(plan, "utf8")) });
  }
  return withMarginals(measured);
}

export function formatTenantTable(rows: readonly TenantRow[], floorMs: number): string {
  const num = (x: number | undefined, digits = 0): string => (x === undefined ? "–" : x.toFixed(digits));
  const lines = [
    `\n${TENANT_STACK} with N synthetic firms (plan pro), previewed from a scratch root; import floor ${floorMs.toFixed(0)} ms in this run`,
    `firms   wall ms   cpu ms  first run  ×floor  resources   €/month   Δ€/firm  Δres/firm  Δms/firm  Δcpu ms/firm`,
  ];
  for (const r of rows) {
    lines.push(
      `${String(r.tenants).padStart(5)}  ${num(r.medianMs).padStart(8)} ${num(r.medianCpuMs).padStart(8)}  ${String(r.firstRunMs).padStart(9)}  ${(r.medianMs / floorMs).toFixed(2).padStart(6)}  ${String(r.resources).padStart(9)}  ${num(r.monthlyEur, 2).padStart(8)}  ${num(r.marginalEurPerFirm, 2).padStart(8)}  ${num(r.marginalResourcesPerFirm, 1).padStart(9)}  ${num(r.marginalMsPerFirm, 1).padStart(8)}  ${num(r.marginalCpuMsPerFirm, 1).padStart(12)}`,
    );
  }
  if (new Set(rows.map((r) => r.sources)).size > 1 || rows.some((r) => r.sources === "changed")) {
    lines.push(`warning: sources were edited during this run (rows' sources: ${rows.map((r) => `${r.tenants}: ${r.sources}`).join(", ")}): the rows measure different programs and their marginals mean nothing; run it again.`);
  }
  const failing = rows.filter((r) => r.findings > 0);
  if (failing.length) lines.push(`warning: the plan has mandatory policy violations or deployability errors at N = ${failing.map((r) => `${r.tenants} (${r.findings})`).join(", ")}: \`npm run preview -- ${TENANT_STACK} --root DIR\` with that many firms shows them.`);
  lines.push(`€ from the plan's estimate (list prices, ${TENANT_STACK}'s own lines and its share of the shared cluster's nodes), converted at the ECB reference rate; Δ = difference from the previous row divided by the firm difference.`);
  return lines.join("\n");
}

export function main(argv: string[]): number {
  const { runs, tenants } = parseBenchArgs(argv);
  // Before any measurement: a missing stack file should not cost the floor rows first.
  if (tenants && !existsSync(join(PROJECT_ROOT, "stacks", `Pulumi.${TENANT_STACK}.yaml`))) throw new CliError(`--tenants previews ${TENANT_STACK}, but stacks/Pulumi.${TENANT_STACK}.yaml does not exist`);
  const imports = ["@pulumi/pulumi", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/random"].map((m) => `require(${JSON.stringify(m)});`).join("");
  const probeDir = mkdtempSync(join(tmpdir(), "bench-"));
  const probe = join(probeDir, "cpu-probe.cjs");
  writeFileSync(probe, CPU_PROBE);
  let rows: Row[];
  let tenantRows: TenantRow[] | undefined;
  try {
    if (tenants) {
      // Builds the bundle if a source changed and fills the shared stack's cached plan (not timed).
      timeProcess([LAUNCHER, "preview", TENANT_STACK, "--no-tree"], probe);
      rows = [
        measure("import floor: node + the four @pulumi packages", ["-e", imports], runs, probe),
        measure("import floor, tsx + engine/fast-load", ["-e", `require("tsx/cjs");require("./engine/fast-load.ts");${imports}`], runs, probe),
      ];
      tenantRows = measureTenants(tenants, runs, probe, probeDir);
    } else {
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
    }
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`Median of ${runs} fresh processes each (ms): wall time, CPU time (user + system); node ${process.version}, ${new Date().toISOString()}\n`);
  console.log(`${"".padEnd(width)}    wall      cpu   wall of each run`);
  for (const r of rows) console.log(`${r.label.padEnd(width)}  ${r.medianMs.toFixed(0).padStart(6)}   ${r.medianCpuMs.toFixed(0).padStart(6)}   ${r.runs.join(", ")}`);
  const floor = rows[0].medianMs;
  if (tenantRows) {
    console.log(formatTenantTable(tenantRows, floor));
  } else {
    const all = rows[rows.length - 1].medianMs;
    console.log(`\n--all takes ${(all / floor).toFixed(2)}x the import floor (wall).`);
  }
  const out = join(PROJECT_ROOT, ".preview", "bench.json");
  mkdirSync(join(PROJECT_ROOT, ".preview"), { recursive: true });
  writeFileSync(out, JSON.stringify({ node: process.version, runs, rows, ...(tenantRows ? { tenantStack: TENANT_STACK, floorMs: floor, tenants: tenantRows } : {}) }, null, 2) + "\n");
  console.log(`\nwritten: ${out}`);
  return EXIT.ok;
}

// Only as a CLI: the tests import the parser and the scratch-root writer.
if (require.main === module) runMain("bench", () => main(process.argv.slice(2)));

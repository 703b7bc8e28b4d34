/**
 * `npm run vendor:charts -- --from DIR`: copies the reference data of every Helm chart this
 * repository pins (values.json, values.schema.json where the chart ships one, chart.json), and of
 * their subcharts, from DIR (a folder laid out as `<chart>-<version>/`, e.g. the shared
 * helm-charts snapshot) into vendor/helm-charts/, then rewrites vendor/helm-charts/SOURCES.md.
 *
 * Run it when a pin changes (a component's `*_CHART` constant). It fails loudly, naming the chart
 * and version, when DIR holds no data for a pinned chart, and when a copied schema's SHA-256
 * differs from the one its chart.json recorded upstream. `--check` copies nothing: it exits 1 when
 * a pinned chart (or one of its subcharts) has no vendored data. `--also <folder>` vendors one
 * more chart folder (a chart the next platforms will pin). A folder in `TAKEN_FROM_UPSTREAM` (taken
 * from the chart's git repository because the snapshot has none) is kept when DIR lacks it.
 *
 * The project never reads DIR at run time: the `chart-values` deployability check reads only
 * vendor/helm-charts/.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CERT_MANAGER_CHART } from "../../components/k8s/cert-manager";
import { KUBE_PROMETHEUS_STACK_CHART } from "../../components/k8s/monitoring-stack";
import { ALLOY_CHART, LOKI_CHART, TEMPO_CHART } from "../../components/k8s/logs-traces";
import { BARMAN_CLOUD_PLUGIN_CHART, MARIADB_CRDS_CHART, OPERATOR_CHARTS } from "../../components/k8s/operators";
import { TRAEFIK_CHART } from "../../components/k8s/traefik";
import { chartKey, VENDORED_CHARTS_DIR, type ChartMeta } from "../deployability/chart-values";
import { CliError, parseCli, runMain } from "./args";

/** Every chart a component pins: what `kubernetes:helm.sh/v3:Release` resources install. */
export const PINNED_CHARTS: readonly { chart: string; version: string }[] = [
  TRAEFIK_CHART,
  CERT_MANAGER_CHART,
  KUBE_PROMETHEUS_STACK_CHART,
  ...Object.values(OPERATOR_CHARTS),
  BARMAN_CLOUD_PLUGIN_CHART,
  MARIADB_CRDS_CHART,
  LOKI_CHART,
  TEMPO_CHART,
  ALLOY_CHART,
].map(({ chart, version }) => ({ chart, version }));

/**
 * Folders whose data was taken straight from the chart's upstream git repository at its tag (the
 * shared snapshot has no copy), with the snapshot's own extraction (chart.json `notes` say how).
 * A refresh `--from` a snapshot that lacks them keeps the vendored copy rather than failing.
 */
export const TAKEN_FROM_UPSTREAM: Readonly<Record<string, string>> = {
  "alloy-1.11.1": "taken with the fetch tool from the upstream git repository at tag `helm-chart/1.11.1` (`git show <ref>:<path>/…`): values.yaml parsed (the chart ships no values.schema.json), `template_keys`/`open_paths` from its templates",
  "plugin-barman-cloud-0.7.0": "taken with the fetch tool from the upstream git repository at tag `plugin-barman-cloud-v0.7.0` (`git show <ref>:<path>/…`): values.yaml parsed, values.schema.json byte-for-byte, `template_keys`/`open_paths` by the extraction that reproduces cloudnative-pg-0.29.0's lists",
};

const FILES = ["values.json", "values.schema.json", "chart.json"] as const;

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function readMeta(dir: string): ChartMeta | undefined {
  const file = join(dir, "chart.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ChartMeta) : undefined;
}

/** `chart@version` → folder name, over every `<folder>/chart.json` under `root`. */
function folderIndex(root: string): Map<string, string> {
  const index = new Map<string, string>();
  if (!existsSync(root)) return index;
  for (const folder of readdirSync(root).sort()) {
    const meta = readMeta(join(root, folder));
    if (meta) index.set(chartKey(meta.chart, meta.version), folder);
  }
  return index;
}

/** The folders a pinned chart needs: its own and, recursively, its subcharts'. */
function neededFolders(root: string, pins: readonly { chart: string; version: string }[], extra: string[]): { folders: string[]; missing: string[] } {
  const index = folderIndex(root);
  const folders = new Set<string>();
  const missing: string[] = [];
  const visit = (folder: string) => {
    if (folders.has(folder)) return;
    const meta = readMeta(join(root, folder));
    if (!meta) {
      missing.push(`${folder} (no chart.json in ${root})`);
      return;
    }
    folders.add(folder);
    for (const sub of Object.values(meta.subcharts ?? {})) visit(sub);
  };
  for (const pin of pins) {
    const folder = index.get(chartKey(pin.chart, pin.version));
    if (folder) visit(folder);
    else missing.push(`${pin.chart} ${pin.version}`);
  }
  for (const folder of extra) visit(folder);
  return { folders: [...folders].sort(), missing };
}

function copyFolder(from: string, folder: string): void {
  const src = join(from, folder);
  const dst = join(VENDORED_CHARTS_DIR, folder);
  mkdirSync(dst, { recursive: true });
  const meta = readMeta(src)!;
  for (const f of FILES) {
    if (!existsSync(join(src, f))) continue;
    copyFileSync(join(src, f), join(dst, f));
  }
  // values.schema.json is a byte-for-byte copy of upstream: its hash must be the recorded one.
  const recorded = meta.source["values.schema.json sha256"];
  if (recorded && sha256(join(dst, "values.schema.json")) !== recorded) {
    throw new Error(`${folder}/values.schema.json: SHA-256 ${sha256(join(dst, "values.schema.json"))} differs from the ${recorded} its chart.json records upstream`);
  }
}

/** vendor/helm-charts/SOURCES.md, from the vendored folders' chart.json. */
export function renderSources(): string {
  const rows: string[] = [];
  for (const folder of readdirSync(VENDORED_CHARTS_DIR).sort()) {
    const dir = join(VENDORED_CHARTS_DIR, folder);
    const meta = readMeta(dir);
    if (!meta) continue;
    const files = FILES.filter((f) => existsSync(join(dir, f)))
      .map((f) => `\`${f}\` \`${sha256(join(dir, f))}\``)
      .join("<br>");
    const marker = TAKEN_FROM_UPSTREAM[folder] ? " ¹" : "";
    rows.push(`| \`${folder}\`${marker} | ${meta.source.upstream} | \`${meta.source.ref}\` | \`${meta.source.commit}\` | \`${meta.source.path}\` | \`${meta.source["values.yaml sha256"]}\` | ${files} |`);
  }
  return [
    "# Helm chart reference data (vendored)",
    "",
    "What the `chart-values` deployability check (engine/deployability/chart-values.ts) validates every",
    "`kubernetes:helm.sh/v3:Release` against: for each chart version a component pins, and each of its",
    "subcharts, the chart's default values (`values.json`, its `values.yaml` parsed: the key tree), its",
    "`values.schema.json` where the chart ships one (byte-for-byte), and `chart.json` (provenance, the",
    "paths the templates render free-form, the keys that moved, the official repositories).",
    "",
    "Copied unchanged from the shared Helm chart snapshot (the team's `shared/helm-charts/` folder, whose SOURCES.md",
    "says how each file was taken from the chart's git history at the listed ref; nothing was built or",
    "rendered). The project never reads that snapshot at run time.",
    "",
    "**Refresh when a pin changes:** change the component's `*_CHART` constant, then",
    "`npm run vendor:charts -- --from <dir>` where `<dir>` holds `<chart>-<version>/` folders in the same",
    "layout. The script copies the pinned charts and their subcharts, checks the schema hashes against",
    "chart.json and rewrites this file; it fails, naming the chart, when a pin has no data.",
    "`npm run vendor:charts -- --check` only verifies that every pin has vendored data. A release whose",
    "chart version is not here is itself a finding of the check (\"pin without reference data\").",
    "",
    "| folder | upstream | ref | commit | chart path | upstream values.yaml SHA-256 | vendored files (SHA-256) |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    ...Object.entries(TAKEN_FROM_UPSTREAM)
      .filter(([folder]) => existsSync(join(VENDORED_CHARTS_DIR, folder, "chart.json")))
      .map(([folder, how]) => `¹ \`${folder}\`: not from the shared snapshot; ${how}.\n`),
  ].join("\n");
}

function main(argv: string[]): number {
  const p = parseCli(argv, { check: "boolean", from: "string", also: "list" }, { positional: false });
  const check = p.flags.check === true;
  const extra = p.lists.also ?? [];
  if (check) {
    const { missing } = neededFolders(VENDORED_CHARTS_DIR, PINNED_CHARTS, []);
    if (missing.length) {
      console.error(`vendor/helm-charts has no data for: ${missing.join(", ")}. Run npm run vendor:charts -- --from <dir with <chart>-<version>/ folders>.`);
      return 1;
    }
    console.log(`vendor/helm-charts: every pinned chart (${PINNED_CHARTS.length}) and its subcharts have reference data.`);
    return 0;
  }
  if (p.help || !p.values.from) throw new CliError("usage: npm run vendor:charts -- --from <dir> [--also <folder>]...  |  npm run vendor:charts -- --check");
  const from = resolve(p.values.from);
  if (!existsSync(from) || !statSync(from).isDirectory()) throw new CliError(`--from ${p.values.from} is not a directory`);
  // A pin the snapshot lacks but that was taken from upstream stays as vendored.
  const kept = new Set(Object.keys(TAKEN_FROM_UPSTREAM).filter((f) => existsSync(join(VENDORED_CHARTS_DIR, f, "chart.json")) && !existsSync(join(from, f, "chart.json"))));
  const keptKeys = new Set([...kept].map((f) => readMeta(join(VENDORED_CHARTS_DIR, f))!).map((m) => chartKey(m.chart, m.version)));
  const { folders, missing } = neededFolders(from, PINNED_CHARTS.filter((p) => !keptKeys.has(chartKey(p.chart, p.version))), extra);
  if (missing.length) {
    console.error(`${from} has no reference data for the pinned chart(s): ${missing.join(", ")}. Take the chart's values.yaml, values.schema.json and templates at that version's tag (see vendor/helm-charts/SOURCES.md) before pinning it.`);
    return 1;
  }
  mkdirSync(VENDORED_CHARTS_DIR, { recursive: true });
  for (const folder of folders) {
    copyFolder(from, folder);
    console.log(`vendored ${folder}`);
  }
  writeFileSync(join(VENDORED_CHARTS_DIR, "SOURCES.md"), renderSources());
  console.log(`wrote ${join(VENDORED_CHARTS_DIR, "SOURCES.md")}`);
  return 0;
}

if (require.main === module) runMain("vendor:charts", () => main(process.argv.slice(2)));

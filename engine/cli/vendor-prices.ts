/**
 * `npm run vendor:prices -- --from DIR`: refreshes vendor/pricing/ from DIR, a folder holding the two
 * upstream price files (`gcp-prices.json` and `cyclenerd-pricing-<date>.yml`, e.g. the shared pricing
 * snapshot). It copies gcp-prices.json as is, extracts from the 3.9 MB cyclenerd file only what the
 * estimator reads (the regions below; the machine families, disks, IPs, NAT and GCS classes it
 * prices) into cyclenerd-extract.json, and rewrites SOURCES.md.
 *
 * There is no default DIR: the estimator never reads upstream files at run time, and refreshing
 * prices is a reviewed change, so the command must be told where the new files are.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { CYCLENERD_EXTRACT_FILE, GCP_PRICES_FILE, PRICED_MACHINE_FAMILIES, PRICED_REGIONS } from "../../model/cost/prices";
import { CliError, parseCli, runMain } from "./args";

/** Where model/cost/prices.ts imports the vendored files from. */
const VENDORED_PRICING_DIR = resolve(__dirname, "../../vendor/pricing");

type Tree = Record<string, unknown>;
const node = (v: unknown, path: string): Tree => {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new CliError(`cyclenerd file: expected an object at ${path}, found ${JSON.stringify(v)?.slice(0, 60)}`);
  return v as Tree;
};

/** Cyclenerd's disk names → the GCE disk type the estimator prices. */
const DISKS: Record<string, string> = { balanced: "pd-balanced", "balanced-replicated": "pd-balanced-regional", ssd: "pd-ssd", "ssd-replicated": "pd-ssd-regional", hdd: "pd-standard", snapshot: "snapshot" };
/** Cyclenerd's bucket class names → GCS storage classes. */
const BUCKET_CLASSES: Record<string, string> = { standard: "STANDARD", nearline: "NEARLINE", coldline: "COLDLINE", archiv: "ARCHIVE" };
/** The multi-region location our stacks use (`location: "EU"`), as cyclenerd names it. */
const EU_MULTI = "europe-multi";

/** The extract: flat `cyclenerd path → number`, each path the one in the upstream file (the audit trail names it). */
export function extract(doc: Tree): { generated: string; url: string; prices: Record<string, number> } {
  const about = node(doc.about, "about");
  const compute = node(doc.compute, "compute");
  const out: Record<string, number> = {};
  const put = (path: string, v: unknown) => {
    if (typeof v !== "number") throw new CliError(`cyclenerd file: expected a number at ${path}, found ${JSON.stringify(v)}`);
    out[path] = v;
  };
  const instances = node(compute.instance, "compute.instance");
  for (const [machine, raw] of Object.entries(instances)) {
    if (!PRICED_MACHINE_FAMILIES.includes(machine.split("-")[0])) continue;
    const m = node(raw, `compute.instance.${machine}`);
    put(`compute.instance.${machine}.cpu`, m.cpu);
    put(`compute.instance.${machine}.ram`, m.ram);
    const cost = node(m.cost, `compute.instance.${machine}.cost`);
    for (const region of PRICED_REGIONS) if (cost[region]) put(`compute.instance.${machine}.cost.${region}.hour`, node(cost[region], region).hour);
  }
  const storage = node(compute.storage, "compute.storage");
  for (const disk of Object.keys(DISKS)) {
    const cost = node(node(storage[disk], `compute.storage.${disk}`).cost, `compute.storage.${disk}.cost`);
    for (const region of PRICED_REGIONS) put(`compute.storage.${disk}.cost.${region}.month`, node(cost[region], region).month);
  }
  const network = node(compute.network, "compute.network");
  const ip = node(network.ip, "compute.network.ip");
  for (const kind of ["unused", "vm"]) {
    const cost = node(node(ip[kind], kind).cost, `compute.network.ip.${kind}.cost`);
    for (const region of PRICED_REGIONS) put(`compute.network.ip.${kind}.cost.${region}.hour`, node(cost[region], region).hour);
  }
  const nat = node(network.nat, "compute.network.nat");
  for (const [kind, unit] of [["gateway", "hour"], ["data", "month"]] as const) {
    const cost = node(node(nat[kind], kind).cost, `compute.network.nat.${kind}.cost`);
    for (const region of PRICED_REGIONS) put(`compute.network.nat.${kind}.cost.${region}.${unit}`, node(cost[region], region)[unit]);
  }
  const bucket = node(node(doc.storage, "storage").bucket, "storage.bucket");
  for (const cls of Object.keys(BUCKET_CLASSES)) {
    const cost = node(node(bucket[cls], cls).cost, `storage.bucket.${cls}.cost`);
    for (const region of PRICED_REGIONS) put(`storage.bucket.${cls}.cost.${region}.month`, node(cost[region], region).month);
    const multi = node(node(bucket[`${cls}-multi`], `${cls}-multi`).cost, `storage.bucket.${cls}-multi.cost`);
    put(`storage.bucket.${cls}-multi.cost.${EU_MULTI}.month`, node(multi[EU_MULTI], EU_MULTI).month);
  }
  return { generated: String(about.generated), url: String(about.url), prices: Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b))) };
}

function sourcesMd(cyclenerdFile: string, generated: string, url: string, count: number, commit: string): string {
  return `# Vendored GCP list prices (read by model/cost/prices.ts)

Written by \`npm run vendor:prices -- --from DIR\` (engine/cli/vendor-prices.ts): do not edit by hand.

| file | origin |
|---|---|
| \`gcp-prices.json\` | copy of the shared pricing table \`gcp-prices.json\`: one key per unit price (\`service.item.region\`) with \`usd\`, \`unit\`, \`source\`, \`as_of\`, \`status\` (confirmed, derived, secondary, unconfirmed), collected from Google's public price pages and the cyclenerd file |
| \`cyclenerd-extract.json\` | ${count} prices extracted from \`${cyclenerdFile}\`, the pricing file of ${url} (commit ${commit}, generated ${generated} from the Cloud Billing Catalog API); keys are the paths in that file |

Extracted: regions ${PRICED_REGIONS.join(", ")} and the EU multi-region; machine families ${PRICED_MACHINE_FAMILIES.join(", ")} (on-demand hourly price, vCPU and RAM); disks (pd-balanced, pd-ssd, pd-standard, their regional forms, snapshots); external IPs (in use, unused); Cloud NAT (gateway hour, GiB processed); Cloud Storage classes (regional and EU multi-region).

## Status rule

Only \`confirmed\`, \`derived\` and \`secondary\` entries of gcp-prices.json are used. An entry with status
\`unconfirmed\` or \`usd: null\` is refused by the loader with an error naming its key; where such a
gap exists for a region (Cloud SQL SSD in europe-west1, for instance) the pricer uses the
us-central1 price times the observed regional factor (\`cloudsql.observed_multiplier_vs_us-central1.<region>\`)
and says so in the line's formula. Cyclenerd prices are catalogue figures and count as confirmed.

## Refresh

1. Put the new \`gcp-prices.json\` and \`cyclenerd-pricing-<date>.yml\` in a folder DIR.
2. \`npm run vendor:prices -- --from DIR\` (or \`npx tsx engine/cli/vendor-prices.ts --from DIR\`).
3. \`npm run cost -- --all\` before and after, and \`npx vitest run tests/cost model/cost\`: a hand-computed test
   that fails shows which price moved; update its arithmetic with the new figure.
`;
}

export function main(argv: readonly string[]): number {
  const args = parseCli(argv, { from: "string" }, { positional: false });
  if (args.help) {
    process.stdout.write("usage: npm run vendor:prices -- --from DIR   (DIR holds gcp-prices.json and cyclenerd-pricing-<date>.yml)\n");
    return 0;
  }
  const from = args.values.from;
  if (!from) throw new CliError("--from DIR is required: the folder holding gcp-prices.json and cyclenerd-pricing-<date>.yml (there is no default)");
  const dir = resolve(from);
  const gcp = join(dir, "gcp-prices.json");
  if (!existsSync(gcp)) throw new CliError(`${gcp}: not found (expected the upstream gcp-prices.json in --from ${from})`);
  const ymls = existsSync(dir) ? readdirSync(dir).filter((f) => /^cyclenerd-pricing-.*\.ya?ml$/.test(f)).sort() : [];
  if (ymls.length === 0) throw new CliError(`${dir}: no cyclenerd-pricing-<date>.yml found`);
  const yml = ymls[ymls.length - 1];
  const parsed = JSON.parse(readFileSync(gcp, "utf8")) as unknown;
  node(parsed, "gcp-prices.json");
  const ex = extract(node(parse(readFileSync(join(dir, yml), "utf8")), yml));
  mkdirSync(VENDORED_PRICING_DIR, { recursive: true });
  writeFileSync(join(VENDORED_PRICING_DIR, GCP_PRICES_FILE), readFileSync(gcp, "utf8"));
  writeFileSync(join(VENDORED_PRICING_DIR, CYCLENERD_EXTRACT_FILE), JSON.stringify({ source: { file: yml, url: ex.url, generated: ex.generated }, prices: ex.prices }, null, 1) + "\n");
  // The upstream commit is not in the YAML: DIR's own SOURCES.md names it when there is one.
  const upstreamNotes = join(dir, "SOURCES.md");
  const commit = (existsSync(upstreamNotes) ? /commit ([0-9a-f]{7,40})/.exec(readFileSync(upstreamNotes, "utf8"))?.[1] : undefined) ?? "not stated in DIR/SOURCES.md";
  writeFileSync(join(VENDORED_PRICING_DIR, "SOURCES.md"), sourcesMd(yml, ex.generated, ex.url, Object.keys(ex.prices).length, commit));
  process.stdout.write(`vendor/pricing: gcp-prices.json copied, ${Object.keys(ex.prices).length} prices extracted from ${yml}\n`);
  return 0;
}

if (require.main === module) runMain("vendor:prices", () => main(process.argv.slice(2)));

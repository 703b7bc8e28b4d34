/**
 * Typed access to the vendored GCP list prices (vendor/pricing/, written by `npm run vendor:prices`,
 * see its SOURCES.md). Two tables:
 *
 * - `gcp-prices.json`: one key per unit price with a status. Entries `unconfirmed` or with
 *   `usd: null` are refused: a lookup throws a PriceError naming the key, so a pricer either falls
 *   back to a stated derivation or reports its line as not priced, never as zero.
 * - `cyclenerd-extract.json`: catalogue figures (machine types, disks, IPs, NAT, GCS classes) keyed by
 *   their path in the cyclenerd pricing file.
 *
 * Every lookup goes through a `PriceLookup`, which records the keys it read: a cost line lists
 * them (`priceKeys`), the audit trail of its figure.
 */
import cyclenerdExtract from "../../vendor/pricing/cyclenerd-extract.json";
import gcpPrices from "../../vendor/pricing/gcp-prices.json";

/** The regions our stacks and the platform documents name (the EU multi-region is added by the extract). */
export const PRICED_REGIONS = ["europe-west1", "europe-west9", "europe-west3", "europe-west6"] as const;
/** Machine families whose shapes the extract keeps (node pools choose among these). */
export const PRICED_MACHINE_FAMILIES: readonly string[] = ["e2", "n2", "n2d", "n4", "t2d", "c3", "c3d"];
export const GCP_PRICES_FILE = "gcp-prices.json";
export const CYCLENERD_EXTRACT_FILE = "cyclenerd-extract.json";

export type PriceStatus = "confirmed" | "derived" | "secondary" | "unconfirmed";
export interface PriceEntry {
  usd: number | null;
  unit: string;
  source: string;
  as_of: string;
  status: PriceStatus | string;
}

export interface PriceTables {
  /** gcp-prices.json: key → entry. */
  gcp: Readonly<Record<string, PriceEntry>>;
  /** cyclenerd-extract.json `prices`: path → number. */
  catalog: Readonly<Record<string, number>>;
}

/** A price that may not be used (unknown key, `unconfirmed`, `usd: null`): the message names the key. */
export class PriceError extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
  }
}

export const VENDORED_PRICES: PriceTables = {
  gcp: gcpPrices as unknown as Record<string, PriceEntry>,
  catalog: (cyclenerdExtract as { prices: Record<string, number> }).prices,
};

/** Where the catalogue figures come from (file, generation date), for SOURCES and the CLI footer. */
export const CATALOG_SOURCE = (cyclenerdExtract as { source: { file: string; url: string; generated: string } }).source;

/** The refusal rule, in one place. */
export function usableEntry(key: string, entry: PriceEntry | undefined): number {
  if (!entry) throw new PriceError(`price ${key}: no such key in vendor/pricing/${GCP_PRICES_FILE}`, key);
  if (entry.status === "unconfirmed" || entry.usd === null || typeof entry.usd !== "number") {
    throw new PriceError(`price ${key}: status ${entry.status}${entry.usd === null ? ", usd null" : ""} in vendor/pricing/${GCP_PRICES_FILE}: refused (only confirmed, derived or secondary prices are used)`, key);
  }
  return entry.usd;
}

/** Lookups that remember their keys. One per cost line (or per group of lines sharing keys). */
export class PriceLookup {
  readonly keys: string[] = [];
  constructor(readonly tables: PriceTables = VENDORED_PRICES) {}

  private note(key: string): void {
    if (!this.keys.includes(key)) this.keys.push(key);
  }

  /** A gcp-prices.json price in USD; throws PriceError when the key is absent or refused. */
  usd(key: string): number {
    const v = usableEntry(key, this.tables.gcp[key]);
    this.note(key);
    return v;
  }

  /** Whether `usd(key)` would succeed (no key recorded). */
  usable(key: string): boolean {
    const e = this.tables.gcp[key];
    return !!e && e.status !== "unconfirmed" && typeof e.usd === "number";
  }

  /** A cyclenerd catalogue figure; throws PriceError when the extract lacks the path. */
  catalog(path: string): number {
    const v = this.tables.catalog[path];
    if (typeof v !== "number") throw new PriceError(`price ${path}: not in vendor/pricing/${CYCLENERD_EXTRACT_FILE} (add the region or family to the extract: engine/cli/vendor-prices.ts)`, path);
    this.note(`cyclenerd:${path}`);
    return v;
  }

  hasCatalog(path: string): boolean {
    return typeof this.tables.catalog[path] === "number";
  }

  /**
   * A regional Cloud SQL price: the region's own key when usable, else the us-central1 key times
   * the observed regional factor (gcp-prices.json `cloudsql.observed_multiplier_vs_us-central1.<region>`,
   * status derived). `formulaNote` says which, for the line's formula.
   */
  cloudSqlRegional(prefix: string, region: string): { usd: number; note: string } {
    const own = `${prefix}.${region}`;
    if (this.usable(own)) return { usd: this.usd(own), note: "" };
    const base = this.usd(`${prefix}.us-central1`);
    const factor = this.usd(`cloudsql.observed_multiplier_vs_us-central1.${region}`);
    return { usd: base * factor, note: ` (${region}: us-central1 $${base} × regional factor ${factor}; ${own} is not usable)` };
  }
}

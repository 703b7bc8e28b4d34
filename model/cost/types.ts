/**
 * The shapes of a monthly cost estimate, shared by the estimator (model/cost/), the budget rule
 * (policies/cost/), the CLI (`npm run cost`), the preview and the pull-request comment.
 *
 * Every figure is a list price in USD per month (730 hours); a currency is applied only when
 * shown (model/cost/currency.ts owns the rate and its date).
 *
 * Note for H (added by G, optional fields only): `CostLine.shareOf` marks in-cluster lines (a pod
 * group's share of a node pool); `CostEstimate.upstreamShareUsd` is the part of `monthlyUsd` that
 * is a share of another stack's node pool: a platform total that also counts that stack subtracts it.
 */

/** One priced (or explicitly unpriced) line of a stack's estimate. */
export interface CostLine {
  /** The resource the line belongs to (a Helm release or CR for in-cluster workloads). */
  urn: string;
  /** Its type token, e.g. `gcp:sql/databaseInstance:DatabaseInstance`. */
  type: string;
  /** Its logical name. */
  name: string;
  /** What is priced, stable across runs so two estimates can be compared line by line: `instance`, `disk`, `ha`, `requests`. */
  item: string;
  /** The shape a reviewer recognises, e.g. `db-custom-2-7680 regional, 50 GB SSD`: a delta names old → new. */
  detail: string;
  /** USD per month; absent when the line is not priced. */
  monthlyUsd?: number;
  /** The arithmetic, e.g. `2 vCPU × $0.0413/h × 730 h × 2 (HA)`. */
  formula?: string;
  /** Set when the line cannot be priced: why (never a silent zero). */
  notPriced?: string;
  /** Price keys used (gcp-prices.json keys or cyclenerd paths), for the audit trail. */
  priceKeys?: string[];
  /** Usage-profile keys the figure depends on (stored GB, requests), when usage-driven. */
  usageKeys?: string[];
  /**
   * In-cluster lines: URN of the node pool this line is a share of. The line counts in the stack's
   * total only when that pool is in another (upstream) stack; when the pool is in this stack its
   * nodes are already priced, and the line only shows where they go.
   */
  shareOf?: string;
}

/** A reservation that does not fit where it must run: an error, not a price. */
export interface CostShortfall {
  urn: string;
  message: string;
}

export interface CostEstimate {
  stack: string;
  /** Sum of the priced lines, USD per month. */
  monthlyUsd: number;
  lines: CostLine[];
  shortfalls: CostShortfall[];
  /** Assumptions the figures rest on (usage figures without a document source, free tiers applied). */
  assumptions: string[];
  /** Part of `monthlyUsd` that is a share of an upstream stack's node pools (see CostLine.shareOf). */
  upstreamShareUsd?: number;
}

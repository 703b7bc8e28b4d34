/**
 * The usage profile: the figures a plan cannot tell (stored GB, traffic, requests, log volume) that
 * usage-driven prices multiply. One profile per platform and env (stacks/usage/<platform>.ts).
 *
 * Every figure says where it comes from: `source` (a platform document, § and quote) or
 * `assumption` (why this number). A figure with neither does not type-check.
 */

export type UsageFigure = { value: number; source: string; assumption?: never } | { value: number; assumption: string; source?: never };

export interface UsageProfile {
  platform: string;
  env: string;
  /**
   * GB stored per bucket role, averaged over the month. A bucket's role is its `purpose` label,
   * else its `data` label, else its logical name; `*` is the figure for any other bucket.
   */
  storedGb: Readonly<Record<string, UsageFigure>>;
  /** Cloud Run requests per month, over all the stack's services. */
  cloudRunRequests: UsageFigure;
  /** Mean billed time of one Cloud Run request, seconds (CPU and memory are billed for it). */
  cloudRunRequestSeconds: UsageFigure;
  /** GB served to the internet through the load balancer per month (before any CDN cache hit). */
  internetEgressGb: UsageFigure;
  /** Share of that egress served from the CDN cache (0..1) when the backend enables Cloud CDN. */
  cdnHitRatio: UsageFigure;
  /** GB through Cloud NAT per month (ingress + egress processed). */
  natDataGb: UsageFigure;
  /** GiB of logs ingested per month into the project's log buckets. */
  logIngestGib: UsageFigure;
  /** Secret Manager access operations per month. */
  secretAccesses: UsageFigure;
  /**
   * GB served per month from buckets behind Cloud CDN (backend buckets), before cache hits; apart
   * from `internetEgressGb`, which is the load balancer's and the ingress controller's traffic.
   * @default none: a stack without CDN-fronted buckets
   */
  cdnBucketEgressGb?: UsageFigure;
  /** Requests per month to buckets behind Cloud CDN (each is a cache lookup). @default none */
  cdnBucketRequests?: UsageFigure;
}

/** The numeric keys of a profile, for `usageKeys` on a line (`storedGb.backup`, `cloudRunRequests`). */
export type UsageKey = Exclude<keyof UsageProfile, "platform" | "env" | "storedGb">;

/** A figure's provenance, one line: `source: quickfund.md § … ` or `assumption: …`. */
export function provenance(f: UsageFigure): string {
  return f.source !== undefined ? `source: ${f.source}` : `assumption: ${f.assumption}`;
}

/** The stored GB of a bucket role (or the `*` figure), with the key it was read under. */
export function storedGbFor(profile: UsageProfile, role: string): { key: string; figure: UsageFigure } | undefined {
  const exact = profile.storedGb[role];
  if (exact) return { key: `storedGb.${role}`, figure: exact };
  const any = profile.storedGb["*"];
  return any ? { key: "storedGb.*", figure: any } : undefined;
}

/** An assumed figure, for brevity in the profiles. */
export const assumed = (value: number, assumption: string): UsageFigure => ({ value, assumption });
/** A figure from a document. */
export const sourced = (value: number, source: string): UsageFigure => ({ value, source });

/**
 * Secret Manager: active secret versions × replica locations × $0.06/month
 * (`secretmanager.active_version.month.global`, "per replica location"), after the free tier of 6
 * active versions per billing account (applied once per stack, said in the estimate); access
 * operations from the usage profile at $0.03 per 10,000 after 10,000 free. A secret without versions
 * costs nothing.
 */
import type { RecordedResource } from "../../plan-values";
import { groupThousands } from "../currency";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { provenance } from "../usage";
import { afterFreeTier, arr, obj, priced, usd, type PricingContext } from "./common";

export const SECRET_MANAGER_FREE = { activeVersions: 6, accesses: 10_000 } as const;

/** Replica locations of the secret a version belongs to (automatic replication is billed as one). */
function replicasOf(version: RecordedResource, ctx: PricingContext): number {
  const secret = ctx.resources.find((x) => x.type === "gcp:secretmanager/secret:Secret" && version.dependencies.includes(x.urn));
  const replicas = arr(obj(obj(secret?.inputs.replication)?.userManaged)?.replicas).length;
  return replicas || 1;
}

export function priceSecretVersion(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const replicas = replicasOf(r, ctx);
  const billed = afterFreeTier(ctx, "secretmanager.active_versions", SECRET_MANAGER_FREE.activeVersions, replicas);
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd("secretmanager.active_version.month.global");
  ctx.assume("Secret Manager free tier (6 active versions, 10,000 accesses per billing account) applied to this stack");
  const lines = [
    priced(r, "version", `1 active version × ${replicas} location${replicas > 1 ? "s" : ""}${billed < replicas ? " (free tier)" : ""}`, billed * rate, `${billed} billed of ${replicas} × ${usd(rate)}/month`, p),
  ];
  // Accesses: the stack's figure, on its first version.
  if (!ctx.counters.has("secretmanager.accesses")) {
    const accesses = ctx.usage.secretAccesses.value;
    const billedAccesses = afterFreeTier(ctx, "secretmanager.accesses", SECRET_MANAGER_FREE.accesses, accesses);
    const ap = new PriceLookup(ctx.tables);
    const perTenK = ap.usd("secretmanager.access_ops.per_10k.global");
    if (accesses > 0)
      lines.push(
        priced(r, "accesses", `${groupThousands(accesses)} accesses/month (${provenance(ctx.usage.secretAccesses)})`, (billedAccesses / 1e4) * perTenK, `${groupThousands(billedAccesses)} after 10,000 free / 10k × ${usd(perTenK)}`, ap, ["secretAccesses"]),
      );
  }
  return lines;
}

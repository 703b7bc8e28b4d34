/**
 * Cloud KMS keys: active key versions × the protection level's monthly price
 * (`kms.software_key_version.month.global` $0.06, HSM $1, EXTERNAL $3). A rotating key keeps its
 * old versions active (billed) until they are destroyed: the line prices the steady state after a
 * year, 1 + 365 / rotation days versions, and says so. Crypto operations are left out (a few
 * thousand a month at $0.03 per 10,000).
 */
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { obj, priced, str, usd, type PricingContext } from "./common";

const LEVEL_KEY: Record<string, string> = {
  SOFTWARE: "kms.software_key_version.month.global",
  HSM: "kms.hsm_key_version.month.global",
  EXTERNAL: "kms.external_key_version.month.global",
  EXTERNAL_VPC: "kms.external_key_version.month.global",
};

/** Active versions after a year of rotation: the first plus one per rotation period. */
export function activeVersionsAfterAYear(rotationPeriod: string | undefined): number {
  const seconds = rotationPeriod ? Number(/^(\d+)s$/.exec(rotationPeriod)?.[1]) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? 1 + Math.floor((365 * 86400) / seconds) : 1;
}

export function priceCryptoKey(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const level = str(obj(r.inputs.versionTemplate)?.protectionLevel) ?? "SOFTWARE";
  const key = LEVEL_KEY[level] ?? LEVEL_KEY.SOFTWARE!;
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd(key);
  const rotation = str(r.inputs.rotationPeriod);
  const versions = activeVersionsAfterAYear(rotation);
  return [
    priced(
      r,
      "key-versions",
      `${level} key, ${versions} active version${versions > 1 ? "s" : ""}${rotation ? ` after a year of rotation every ${Number(rotation.replace("s", "")) / 86400} days` : ""}`,
      versions * rate,
      `${versions} versions × ${usd(rate)}/month`,
      p,
    ),
  ];
}

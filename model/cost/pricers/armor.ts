/**
 * Cloud Armor Standard: $5 per policy and $1 per rule per month, $0.75 per million requests
 * evaluated (`armor.standard.*`, status secondary). The rules counted are the policy's own plus the
 * default rule Cloud Armor adds when the plan lists none at priority 2147483647. Requests evaluated:
 * the stack's requests (usage profile).
 */
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { arr, obj, priced, usd, type PricingContext } from "./common";

export function priceSecurityPolicy(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const rules = arr(r.inputs.rules);
  const hasDefault = rules.some((x) => obj(x)?.priority === 2147483647);
  const count = rules.length + (hasDefault ? 0 : 1);
  const p = new PriceLookup(ctx.tables);
  const policy = p.usd("armor.standard.policy.month.global");
  const rule = p.usd("armor.standard.rule.month.global");
  const perMillion = p.usd("armor.standard.requests.per_million.global");
  const millions = ctx.usage.cloudRunRequests.value / 1e6;
  return [
    priced(
      r,
      "policy",
      `1 policy, ${count} rules, ${millions.toFixed(2)}M requests`,
      policy + count * rule + millions * perMillion,
      `${usd(policy)} + ${count} rules × ${usd(rule)} + ${millions.toFixed(2)}M requests × ${usd(perMillion)}/M`,
      p,
      ["cloudRunRequests"],
    ),
  ];
}

/**
 * Compute networking: Cloud NAT, external addresses, forwarding rules, and the load balancer's data
 * processed and internet egress (on its backend services).
 *
 * NAT (`nat.*`): $0.0014 per VM-hour up to 32 VMs, $0.044/h above; $0.005/h per NAT IP; $0.045 per GiB
 * processed. The VMs are the stack's GKE nodes at min size (Cloud Run and Cloud SQL are not VMs).
 * Forwarding rules (`lb.forwarding_rule.*`): $0.025/h each for the first 5 of a project, $0.01/h
 * after; a stack is one project here. An external address used by a forwarding rule of the stack is
 * billed through the rule (assumption: the IP table prices in-use addresses of VMs); one no rule uses
 * is billed at the reserved-but-unused rate. Internal addresses (VPC peering ranges) are free.
 */
import type { RecordedResource } from "../../plan-values";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { provenance } from "../usage";
import { HOURS_PER_MONTH, notPriced, obj, priced, regionOf, str, usd, type PricingContext } from "./common";
import { nodePoolSize } from "./gke";

export function priceRouterNat(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const region = regionOf(r, ctx);
  if (!region) return [notPriced(r, "gateway", "region unknown", "Cloud NAT: region is not known at preview")];
  const all = [...ctx.resources, ...ctx.upstream];
  const vms = ctx.resources.filter((x) => x.type === "gcp:container/nodePool:NodePool").reduce((s, pool) => s + (nodePoolSize(pool, all)?.minNodes ?? 0), 0);
  const lines: CostLine[] = [];
  const p = new PriceLookup(ctx.tables);
  if (vms === 0) {
    ctx.assume(`${r.name}: no VM of this stack uses the NAT gateway, so only data processed is billed`);
  } else {
    const perVm = p.usd("nat.gateway.per_vm_hour.global");
    const cap = p.usd("nat.gateway.max_hour.global");
    const hourly = vms > 32 ? cap : vms * perVm;
    const ipHour = p.usd("nat.ip_address.hour.global");
    const ips = r.inputs.natIpAllocateOption === "MANUAL_ONLY" ? Math.max(1, (r.inputs.natIps as unknown[] | undefined)?.length ?? 1) : 1;
    lines.push(
      priced(
        r,
        "gateway",
        `${vms} VM${vms > 1 ? "s" : ""}, ${ips} NAT IP`,
        (hourly + ips * ipHour) * HOURS_PER_MONTH,
        `(${vms > 32 ? `${usd(cap)}/h cap` : `${vms} VMs × ${usd(perVm)}/h`} + ${ips} IP × ${usd(ipHour)}/h) × ${HOURS_PER_MONTH} h`,
        p,
      ),
    );
  }
  const gb = ctx.usage.natDataGb.value;
  if (gb > 0) {
    const dp = new PriceLookup(ctx.tables);
    const rate = dp.usd("nat.data_processed.gb.global");
    lines.push(priced(r, "data", `${gb} GiB processed (${provenance(ctx.usage.natDataGb)})`, gb * rate, `${gb} GiB × ${usd(rate)}/GiB`, dp, ["natDataGb"]));
  }
  return lines;
}

export function priceAddress(r: RecordedResource, ctx: PricingContext): CostLine[] {
  if (r.inputs.addressType === "INTERNAL") return [];
  const usedBy = ctx.resources.find((x) => /ForwardingRule$/.test(x.type) && x.dependencies.includes(r.urn));
  if (usedBy) return [priced(r, "address", `external IP used by ${usedBy.name}`, 0, "billed through the forwarding rule (assumption)")];
  const region = r.type.includes("globalAddress") ? "europe-west1" : regionOf(r, ctx);
  const p = new PriceLookup(ctx.tables);
  const rate = p.usd(`network.ip.static_unused.hour.${region}`);
  if (r.type.includes("globalAddress")) ctx.assume(`${r.name}: a global address no rule uses is priced at europe-west1's unused static IP rate`);
  return [priced(r, "address", "static external IP, not used by a forwarding rule of this stack", rate * HOURS_PER_MONTH, `${usd(rate)}/h × ${HOURS_PER_MONTH} h`, p)];
}

export function priceForwardingRule(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const n = (ctx.counters.get("lb.forwarding_rules") ?? 0) + 1;
  ctx.counters.set("lb.forwarding_rules", n);
  const p = new PriceLookup(ctx.tables);
  const key = n <= 5 ? "lb.forwarding_rule.first5.hour.global" : "lb.forwarding_rule.additional.hour.global";
  const rate = p.usd(key);
  const port = str(r.inputs.portRange);
  return [priced(r, "rule", `forwarding rule #${n} of the project${port ? ` (port ${port})` : ""}`, rate * HOURS_PER_MONTH, `${usd(rate)}/h × ${HOURS_PER_MONTH} h (${n <= 5 ? "one of the first 5" : "beyond the first 5"})`, p)];
}

/**
 * A backend service of an external load balancer: data processed by the proxy and internet egress
 * (the profile's egress split evenly over the stack's backend services); with Cloud CDN, the cached
 * share is billed as CDN egress instead (cdn.ts).
 */
export function priceBackendService(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const scheme = str(r.inputs.loadBalancingScheme);
  if (scheme && !scheme.startsWith("EXTERNAL")) return [];
  const backends = ctx.resources.filter((x) => x.type === r.type).length || 1;
  const egress = ctx.usage.internetEgressGb.value / backends;
  if (egress <= 0) return [];
  const cdnShare = r.inputs.enableCdn === true ? ctx.usage.cdnHitRatio.value : 0;
  const region = str(obj(r.inputs)?.region) ?? "europe-west1";
  const lines: CostLine[] = [];
  const p = new PriceLookup(ctx.tables);
  const processed = p.usd("lb.data_processed.gb.default_region");
  lines.push(priced(r, "data-processed", `${round(egress)} GiB (${provenance(ctx.usage.internetEgressGb)})`, egress * processed, `${round(egress)} GiB × ${usd(processed)}/GiB`, p, ["internetEgressGb"]));
  const origin = egress * (1 - cdnShare);
  if (origin > 0) {
    const ep = new PriceLookup(ctx.tables);
    const rate = ep.usd(`network.egress_internet_premium.0_1tib.gb.${region}`);
    lines.push(
      priced(r, "egress", `${round(origin)} GiB to the internet${cdnShare ? ` (${Math.round((1 - cdnShare) * 100)}% not served by the CDN)` : ""}`, origin * rate, `${round(origin)} GiB × ${usd(rate)}/GiB (Premium Tier, first TiB)`, ep, [
        "internetEgressGb",
        ...(cdnShare ? ["cdnHitRatio"] : []),
      ]),
    );
  }
  return lines;
}

const round = (v: number): number => Math.round(v * 100) / 100;

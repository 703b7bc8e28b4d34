/**
 * Cloud Run v2 services: min instances kept warm all month, plus requests from the usage profile.
 *
 * Billing mode from the plan: `resources.cpuIdle: true` is request-based billing (CPU only during
 * requests; an idle min instance is billed at the idle rates `cloudrun.idle_min_instance.*`);
 * `cpuIdle: false` is instance-based (CPU always allocated: min instances at
 * `cloudrun.instance_based.*`, no per-request fee). Prices by the region's tier (`cloudrun.tier.<region>`).
 * Billed size is the container's limits (Cloud Run allocates limits, not requests).
 *
 * Free tier (`cloudrun.free_tier.request_based.month`): 180,000 vCPU-s, 360,000 GiB-s and 2M requests
 * per billing account per month, applied to request-based usage once per stack (each env is assumed
 * to be on its own billing account or to be the only one using the allowance: said in the estimate).
 */
import type { RecordedResource } from "../../plan-values";
import { groupThousands } from "../currency";
import { quantity } from "../../pod-model";
import { PriceLookup } from "../prices";
import type { CostLine } from "../types";
import { provenance } from "../usage";
import { afterFreeTier, arr, num, obj, priced, regionOf, SECONDS_PER_MONTH, str, usd, notPriced, type PricingContext } from "./common";

const GIB = 2 ** 30;
export const CLOUD_RUN_FREE = { vcpuSeconds: 180_000, gibSeconds: 360_000, requests: 2_000_000 } as const;

/** CPU (vCPU) and memory (GiB) one instance is billed for: the sum of its containers' limits (Cloud Run defaults 1 vCPU, 512 MiB). */
export function instanceSize(inputs: Record<string, unknown>): { vcpu: number; gib: number } {
  let vcpu = 0;
  let gib = 0;
  for (const c of arr(obj(inputs.template)?.containers)) {
    const limits = obj(obj(obj(c)?.resources)?.limits) ?? {};
    vcpu += quantity(limits.cpu) ?? 1;
    gib += (quantity(limits.memory) ?? 512 * 2 ** 20) / GIB;
  }
  return { vcpu: vcpu || 1, gib: gib || 0.5 };
}

export function priceCloudRun(r: RecordedResource, ctx: PricingContext): CostLine[] {
  const region = regionOf(r, ctx);
  if (!region) return [notPriced(r, "instances", "region unknown", "Cloud Run: location is not known at preview")];
  const template = obj(r.inputs.template) ?? {};
  const scaling = obj(template.scaling) ?? {};
  // Service-level scaling (Cloud Run v2 `scaling`) overrides the revision's: a manual instance
  // count runs all month like min instances; an automatic service-level minimum keeps that many warm.
  const serviceScaling = obj(r.inputs.scaling) ?? {};
  const manual = str(serviceScaling.scalingMode) === "MANUAL";
  const min = manual ? (num(serviceScaling.manualInstanceCount) ?? 0) : Math.max(num(scaling.minInstanceCount) ?? 0, num(serviceScaling.minInstanceCount) ?? 0);
  const max = manual ? min : (num(serviceScaling.maxInstanceCount) ?? num(scaling.maxInstanceCount) ?? 100);
  const containers = arr(template.containers);
  const requestBased = containers.every((c) => obj(obj(c)?.resources)?.cpuIdle !== false);
  const { vcpu, gib } = instanceSize(r.inputs);
  const shape = `${vcpu} vCPU, ${gib} GiB`;
  const lines: CostLine[] = [];
  const tp = new PriceLookup(ctx.tables);
  const tier = tp.usd(`cloudrun.tier.${region}`);

  // Min instances, always on.
  if (min > 0) {
    const p = new PriceLookup(ctx.tables);
    p.usd(`cloudrun.tier.${region}`);
    const kind = requestBased ? "idle_min_instance" : "instance_based";
    const cpuRate = p.usd(`cloudrun.${kind}.vcpu_second.tier${tier}`);
    const memRate = p.usd(`cloudrun.${kind}.gib_second.tier${tier}`);
    const monthly = min * (vcpu * cpuRate + gib * memRate) * SECONDS_PER_MONTH;
    lines.push(
      priced(
        r,
        "min-instances",
        `${min} ${manual ? "manual" : "min"} instance${min > 1 ? "s" : ""} (${shape}, ${requestBased ? "request-based, idle rate" : "instance-based"}), max ${max}`,
        monthly,
        `${min} × (${vcpu} vCPU × ${usd(cpuRate)}/s + ${gib} GiB × ${usd(memRate)}/s) × ${groupThousands(SECONDS_PER_MONTH)} s`,
        p,
      ),
    );
  }

  // Requests: the stack's monthly requests split evenly over its services.
  const services = ctx.resources.filter((x) => x.type === r.type).length || 1;
  const requests = ctx.usage.cloudRunRequests.value / services;
  const seconds = ctx.usage.cloudRunRequestSeconds.value;
  if (requests > 0 && requestBased) {
    const p = new PriceLookup(ctx.tables);
    p.usd(`cloudrun.tier.${region}`);
    const cpuRate = p.usd(`cloudrun.request_based.vcpu_second.tier${tier}`);
    const memRate = p.usd(`cloudrun.request_based.gib_second.tier${tier}`);
    const perMillion = p.usd("cloudrun.requests.per_million.global");
    const vcpuS = afterFreeTier(ctx, "cloudrun.vcpu_seconds", CLOUD_RUN_FREE.vcpuSeconds, requests * seconds * vcpu);
    const gibS = afterFreeTier(ctx, "cloudrun.gib_seconds", CLOUD_RUN_FREE.gibSeconds, requests * seconds * gib);
    const billedRequests = afterFreeTier(ctx, "cloudrun.requests", CLOUD_RUN_FREE.requests, requests);
    ctx.assume(`Cloud Run free tier (180k vCPU-s, 360k GiB-s, 2M requests per billing account) applied to this stack's requests`);
    lines.push(
      priced(
        r,
        "requests",
        `${groupThousands(Math.round(requests))} requests × ${seconds} s (${provenance(ctx.usage.cloudRunRequests)})`,
        vcpuS * cpuRate + gibS * memRate + (billedRequests / 1e6) * perMillion,
        `${groupThousands(Math.round(vcpuS))} vCPU-s × ${usd(cpuRate)} + ${groupThousands(Math.round(gibS))} GiB-s × ${usd(memRate)} + ${(billedRequests / 1e6).toFixed(2)}M requests × ${usd(perMillion)}/M, after the free tier`,
        p,
        ["cloudRunRequests", "cloudRunRequestSeconds"],
      ),
    );
  } else if (requests > 0 && max > min) {
    // A manual instance count (max = min) is the whole bill: nothing scales with load.
    lines.push(notPriced(r, "requests", `${Math.round(requests)} requests, instance-based`, "instance-based Cloud Run: instances above the minimum scale with load, which the usage profile does not size"));
  }
  return lines;
}

/**
 * Compute Engine machine types from the catalogue extract: hourly on-demand price, shape, and the
 * per-vCPU and per-GiB rates a pod's requests are priced at.
 *
 * Per-resource rates are solved from two shapes of one family with different memory per vCPU
 * (`e2-standard-4` and `e2-highcpu-4`: 4c + 16m = $0.1474, 4c + 4m = $0.1088): the catalogue
 * prices whole machines, and Google builds those prices as vCPU × rate + GiB × rate per family.
 */
import { PriceError, type PriceLookup } from "../prices";

export interface MachinePrice {
  machineType: string;
  vcpu: number;
  ramGiB: number;
  hourUsd: number;
}

export function machinePrice(p: PriceLookup, machineType: string, region: string): MachinePrice {
  return {
    machineType,
    vcpu: p.catalog(`compute.instance.${machineType}.cpu`),
    ramGiB: p.catalog(`compute.instance.${machineType}.ram`),
    hourUsd: p.catalog(`compute.instance.${machineType}.cost.${region}.hour`),
  };
}

/** The shapes of `machineType`'s family to solve rates from: its siblings with the same vCPU count, then the shared-core ones. */
function siblings(machineType: string): string[] {
  const m = /^([a-z0-9]+)-([a-z]+)-(\d+)$/.exec(machineType);
  if (m) return ["standard", "highcpu", "highmem"].filter((c) => c !== m[2]).map((c) => `${m[1]}-${c}-${m[3]}`);
  if (/^e2-(micro|small|medium)$/.test(machineType)) return ["e2-micro", "e2-small", "e2-medium", "e2-standard-2", "e2-highcpu-2"].filter((x) => x !== machineType);
  return [];
}

/** USD per vCPU-hour and per GiB-hour for `machineType`'s family in `region`; throws PriceError when no second shape is in the extract. */
export function perResourceRates(p: PriceLookup, machineType: string, region: string): { vcpuHour: number; gibHour: number; from: [string, string] } {
  const a = machinePrice(p, machineType, region);
  for (const other of siblings(machineType)) {
    if (!p.hasCatalog(`compute.instance.${other}.cost.${region}.hour`)) continue;
    const b = machinePrice(p, other, region);
    const det = a.vcpu * b.ramGiB - b.vcpu * a.ramGiB;
    if (Math.abs(det) < 1e-9) continue;
    // Cramer's rule on a.vcpu·c + a.ram·m = a.hour, b.vcpu·c + b.ram·m = b.hour.
    const vcpuHour = (a.hourUsd * b.ramGiB - b.hourUsd * a.ramGiB) / det;
    const gibHour = (a.vcpu * b.hourUsd - b.vcpu * a.hourUsd) / det;
    if (vcpuHour > 0 && gibHour > 0) return { vcpuHour, gibHour, from: [machineType, other] };
  }
  throw new PriceError(`no second ${machineType} family shape in the price extract to solve per-vCPU and per-GiB rates from (add the family to PRICED_MACHINE_FAMILIES)`, `compute.instance.${machineType}`);
}

/**
 * Every stack's policies/config/<stack>.json, from the platforms' ComplianceFacts. The building
 * lives in the pack (policies/config/generate.ts); reading the stacks lives here, because the pack
 * may import only model/ (tests/layering.test.ts). `npm run generate` writes them with every other
 * generated file.
 */
import { writePolicyConfigs } from "../../policies/config/generate";
import { PLATFORMS } from "../../stacks/registry";

/** Writes (or checks) every stack's policy config; returns the stale files. */
export function generatePolicyConfigs(check: boolean): string[] {
  return writePolicyConfigs(PLATFORMS, check);
}

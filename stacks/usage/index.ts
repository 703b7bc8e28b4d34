/**
 * Usage profiles by platform: `usageProfile(platform, env)` for the cost estimator. A platform
 * without a profile here gets an error naming it, not a silent zero usage.
 */
import type { UsageProfile } from "../../model/cost/usage";
import type { StackEnv } from "../../model/envs";
import { crmCourtierUsage } from "./crm-courtier";
import { diaspomoneyUsage } from "./diaspomoney";
import { quickfundUsage } from "./quickfund";
import { shareyoursalesUsage } from "./shareyoursales";

const PROFILES: Readonly<Record<string, (env: StackEnv) => UsageProfile>> = {
  quickfund: quickfundUsage,
  diaspomoney: diaspomoneyUsage,
  shareyoursales: shareyoursalesUsage,
  // Not built yet: its profile is ready for its stacks (the one document that states volumes).
  "crm-courtier": crmCourtierUsage,
};

export function usageProfile(platform: string, env: StackEnv): UsageProfile {
  const profile = PROFILES[platform];
  if (!profile) throw new Error(`no usage profile for platform ${JSON.stringify(platform)}: expected one of ${Object.keys(PROFILES).join(", ")} (add stacks/usage/${platform}.ts and list it in stacks/usage/index.ts)`);
  return profile(env);
}

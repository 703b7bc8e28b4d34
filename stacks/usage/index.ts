/**
 * Usage profiles by platform: `usageProfile(platform, env)` for the cost estimator. A platform
 * without a profile here gets an error naming it, not a silent zero usage.
 */
import type { UsageProfile } from "../../model/cost/usage";
import type { StackEnv } from "../../model/envs";
import { crmCourtierUsage } from "./crm-courtier";
import { cryptocareUsage } from "./cryptocare";
import { CRYPTOCARE_PHASE_NAMES, type CryptocarePhase } from "../cryptocare";
import { diaspomoneyUsage } from "./diaspomoney";
import { quickfundUsage } from "./quickfund";
import { shareyoursalesUsage } from "./shareyoursales";

/** What a profile may read of its stack's configuration (`<platform>:<key>` → raw value), for figures that depend on it (CryptoCare's phase). */
export type StackSetting = (key: string) => unknown;

const phaseOf = (setting: StackSetting): CryptocarePhase => {
  const phase = setting("phase");
  if (!(CRYPTOCARE_PHASE_NAMES as readonly unknown[]).includes(phase)) throw new Error(`cryptocare usage: expected the stack's phase, one of ${CRYPTOCARE_PHASE_NAMES.join(", ")}, got ${JSON.stringify(phase)}`);
  return phase as CryptocarePhase;
};

const PROFILES: Readonly<Record<string, (env: StackEnv, setting: StackSetting) => UsageProfile>> = {
  quickfund: quickfundUsage,
  diaspomoney: diaspomoneyUsage,
  shareyoursales: shareyoursalesUsage,
  "crm-courtier": crmCourtierUsage,
  cryptocare: (env, setting) => cryptocareUsage(env, phaseOf(setting)),
  "cryptocare-de": (env, setting) => cryptocareUsage(env, phaseOf(setting), "cryptocare-de"),
};

export function usageProfile(platform: string, env: StackEnv, setting: StackSetting = () => undefined): UsageProfile {
  const profile = PROFILES[platform];
  if (!profile) throw new Error(`no usage profile for platform ${JSON.stringify(platform)}: expected one of ${Object.keys(PROFILES).join(", ")} (add stacks/usage/${platform}.ts and list it in stacks/usage/index.ts)`);
  return profile(env, setting);
}

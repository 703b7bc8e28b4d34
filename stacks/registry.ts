/**
 * The platforms this program provisions, and how a stack name maps to one of their definitions.
 * Adding a platform: write `stacks/<platform>.ts` exporting one `definePlatform(...)` per kind of
 * stack it has (its app envs; a foundation such as gkeClusterFoundation when it has a shared
 * cluster), list them here, add its `stacks/Pulumi.<platform>-<env>.yaml` files, and run
 * `npm run generate`.
 */
import { isStackEnv, STACK_ENVS, type StackEnv } from "../model/envs";
import { StackConfigError, stackFile } from "./config-error";
import { crmCourtier, crmCourtierShared } from "./crm-courtier";
import { cryptocare, cryptocareDe } from "./cryptocare";
import { diaspomoney, diaspomoneyShared } from "./diaspomoney";
import type { RegisteredPlatform } from "./platform";
import { quickfund } from "./quickfund";
import { shareyoursales, shareyoursalesShared } from "./shareyoursales";

/** Every platform the documents describe (docs/platforms/), built or not yet. */
export const DOCUMENTED_PLATFORMS = ["quickfund", "diaspomoney", "shareyoursales", "crm-courtier", "cryptocare"] as const;

/**
 * Every definition, one per kind of stack; a platform's foundation comes before its app envs
 * (deploy order). Two definitions of one platform never share an env.
 */
export const PLATFORMS: readonly RegisteredPlatform[] = [quickfund, diaspomoneyShared, diaspomoney, shareyoursalesShared, shareyoursales, crmCourtierShared, crmCourtier, cryptocare, cryptocareDe];

export interface ParsedStackName {
  platform: RegisteredPlatform;
  env: StackEnv;
}

/** The envs of a platform, over all its definitions, in deploy order. */
export function platformEnvs(name: string): StackEnv[] {
  return PLATFORMS.filter((p) => p.name === name).flatMap((p) => p.envs);
}

/** `quickfund-prod` → the quickfund definition, env prod; a clear error otherwise. */
export function parseStackName(stack: string): ParsedStackName {
  const file = stackFile(stack);
  const match = /^(.+)-([a-z0-9]+)$/.exec(stack);
  if (!match) {
    throw new StackConfigError(file, "stack name", `<platform>-<env> with env one of ${STACK_ENVS.join(", ")}`, JSON.stringify(stack));
  }
  const [, platformName, env] = match;
  const definitions = PLATFORMS.filter((p) => p.name === platformName);
  if (definitions.length === 0) {
    const documented = (DOCUMENTED_PLATFORMS as readonly string[]).includes(platformName);
    throw new StackConfigError(
      file,
      "stack name",
      `a platform one of ${[...new Set(PLATFORMS.map((p) => p.name))].join(", ")}`,
      documented ? `"${platformName}" (documented in docs/platforms/${platformName}.md, not built yet)` : `"${platformName}"`,
    );
  }
  const platform = isStackEnv(env) ? definitions.find((d) => d.envs.includes(env)) : undefined;
  if (!platform || !isStackEnv(env)) {
    throw new StackConfigError(file, "stack name", `an env of ${platformName}: one of ${platformEnvs(platformName).join(", ")}`, JSON.stringify(env));
  }
  return { platform, env };
}

/** Every stack of every built platform, in a stable order (foundations first within a platform). */
export function allStacks(): string[] {
  return PLATFORMS.flatMap((p) => p.envs.map((env) => `${p.name}-${env}`));
}

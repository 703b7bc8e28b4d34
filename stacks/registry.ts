/**
 * The platforms this program provisions, and how a stack name maps to one of them.
 * Adding a platform: write `stacks/<platform>.ts` exporting a PlatformDefinition, list it here,
 * add its `stacks/Pulumi.<platform>-<env>.yaml` files, and run `npm run schemas`.
 */
import { StackConfigError, stackFile } from "./config";
import { ENVS, type PlatformDefinition, type StackEnv } from "./platform";
import { diaspomoney } from "./diaspomoney";
import { quickfund } from "./quickfund";

/** Every platform the documents describe (docs/platforms/), built or not yet. */
export const DOCUMENTED_PLATFORMS = ["quickfund", "diaspomoney", "shareyoursales", "crm-courtier", "cryptocare"] as const;

/** The platforms with a composition. */
export const PLATFORMS: readonly PlatformDefinition[] = [quickfund as unknown as PlatformDefinition, diaspomoney as unknown as PlatformDefinition];

export interface ParsedStackName {
  platform: PlatformDefinition;
  env: StackEnv;
}

/** `quickfund-prod` → the quickfund platform, env prod; a clear error otherwise. */
export function parseStackName(stack: string): ParsedStackName {
  const file = stackFile(stack);
  const envs = [...ENVS, "shared"];
  const match = /^(.+)-([a-z]+)$/.exec(stack);
  if (!match) {
    throw new StackConfigError(file, "stack name", `<platform>-<env> with env one of ${envs.join(", ")}`, JSON.stringify(stack));
  }
  const [, platformName, env] = match;
  const platform = PLATFORMS.find((p) => p.name === platformName);
  if (!platform) {
    const documented = (DOCUMENTED_PLATFORMS as readonly string[]).includes(platformName);
    throw new StackConfigError(
      file,
      "stack name",
      `a platform one of ${PLATFORMS.map((p) => p.name).join(", ")}`,
      documented ? `"${platformName}" (documented in docs/platforms/${platformName}.md, not built yet)` : `"${platformName}"`,
    );
  }
  if (!(platform.envs as readonly string[]).includes(env)) {
    throw new StackConfigError(file, "stack name", `an env of ${platform.name}: one of ${platform.envs.join(", ")}`, JSON.stringify(env));
  }
  return { platform, env: env as StackEnv };
}

/** Every stack of every built platform, in a stable order. */
export function allStacks(): string[] {
  return PLATFORMS.flatMap((p) => p.envs.map((env) => `${p.name}-${env}`));
}

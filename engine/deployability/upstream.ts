/**
 * What an env stack can count on already existing when it is applied: the plans of the stacks
 * deployed before it. For a platform with a foundation (DiaspoMoney's `shared` stack), that is its foundation,
 * evaluated offline from the same commit, so an env stack checked alone still sees the namespaces,
 * quotas, node pools, CRD-installing releases and issuers the shared stack creates.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RecordedResource } from "../evaluate";
import { cachedByContentAsync } from "../../model/content-cache";
import { ENV_TRAITS } from "../../model/envs";
import { sourceFingerprint } from "../source-fingerprint";
import { PLATFORMS, parseStackName } from "../../stacks/registry";

/**
 * The stacks `stack` is deployed after, in deploy order (README § Stacks): an app env comes after
 * its platform's foundation stacks (model/envs.ts `kind`); a foundation comes after nothing.
 */
export function upstreamStacksOf(stack: string): string[] {
  const { platform, env } = parseStackName(stack);
  if (ENV_TRAITS[env].kind === "foundation") return [];
  return PLATFORMS.filter((p) => p.name === platform.name && p.kind === "foundation").flatMap((p) => p.envs.map((e) => `${p.name}-${e}`));
}

/**
 * Resources of the upstream stacks: taken from `known` when the caller evaluated them already
 * (`preview --all`), otherwise evaluated offline here from the stack files under `root` (the same
 * root as the stack itself, so `preview --root DIR` sees DIR's shared stack, or this repository's
 * when DIR has no file for it).
 *
 * An upstream plan evaluated here is kept by content (model/content-cache.ts), keyed by every
 * source and vendored file of this tree (engine/source-fingerprint.ts) and by the upstream stack's
 * configuration: previewing an env stack after an edit to it, not to the shared stack, does not
 * evaluate the shared stack again. The stack being previewed itself is always evaluated.
 */
export async function upstreamResources(
  stack: string,
  known: ReadonlyMap<string, readonly RecordedResource[]> = new Map(),
  root?: string,
): Promise<{ stacks: string[]; resources: RecordedResource[] }> {
  const stacks = upstreamStacksOf(stack);
  const resources: RecordedResource[] = [];
  for (const up of stacks) {
    const have = known.get(up);
    if (have) {
      resources.push(...have);
      continue;
    }
    // Imported lazily: the preview module pulls in the whole program, which the checks do not need.
    const { planKey, prepareStack, previewPrepared } = await import("../preview");
    const upRoot = root && existsSync(join(root, "stacks", `Pulumi.${up}.yaml`)) ? root : undefined;
    const prepared = prepareStack(up, upRoot);
    const evaluated = await cachedByContentAsync("upstream-plan", [sourceFingerprint(), planKey(prepared)], async () => (await previewPrepared(prepared)).evaluation.resources);
    resources.push(...evaluated);
  }
  return { stacks, resources };
}

/**
 * The program itself: resolve the stack's definition and typed configuration, then compose. The
 * real Pulumi CLI runs it through `index.ts`; the offline engine runs exactly the same function
 * under the mock runtime, with the configuration handed over through Pulumi's own runtime config.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RegisteredPlatform, StackContext, StackOutputs } from "./platform";
import { parseStackName } from "./registry";

export interface ResolvedStack {
  platform: RegisteredPlatform;
  context: StackContext;
  /** Declares the stack's resources from the validated configuration. */
  compose: () => StackOutputs | Promise<StackOutputs>;
}

/** Validates everything about a stack before a single resource is declared (no partial plans). */
export function resolveStack(project: string, stack: string, config: Record<string, string>, secretKeys: readonly string[]): ResolvedStack {
  const { platform, env } = parseStackName(stack);
  const bound = platform.resolve({ stack, env, config, secretKeys });
  const context: StackContext = { project, stack, platform: platform.name, env };
  return { platform, context, compose: () => bound(context) };
}

// `isConfigSecret` is public at run time but marked @internal in the SDK's typings; the engine
// tests exercise it, so an SDK upgrade that removes it fails loudly.
const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

/** Reads the stack and configuration from Pulumi's runtime (CLI or mocks) and composes the stack. */
export async function runProgram(): Promise<Record<string, unknown>> {
  const config = pulumi.runtime.allConfig();
  const secretKeys = Object.keys(config).filter((k) => runtimeConfig.isConfigSecret(k));
  return resolveStack(pulumi.getProject(), pulumi.getStack(), config, secretKeys).compose();
}

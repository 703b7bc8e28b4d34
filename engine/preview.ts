/**
 * One offline preview of one stack: load its stack file, validate its configuration (before any
 * resource is declared), evaluate the real program under the mock runtime, and build the plan.
 */
import { ComponentArgsError } from "../components/common/conventions";
import { StackConfigError } from "../stacks/config";
import { resolveStack, runProgram } from "../stacks/program";
import { parseStackName } from "../stacks/registry";
import { loadStackFile } from "../stacks/stack-file";
import { evaluate, EvaluationError, type Evaluation } from "./evaluate";
import { SECRET_DIGEST_KEY_ENV } from "./secret-digest";
import { toPreviewDigest, type PreviewDigest } from "./digest";
import { PROJECT_ROOT, projectName } from "./project";

export interface StackPreview {
  stack: string;
  evaluation: Evaluation;
  digest: PreviewDigest;
}

/** A stack whose configuration or component arguments are wrong: the user's to fix (exit 2). */
export class StackUsageError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join("\n"));
    this.name = "StackUsageError";
  }
}

export interface PreparedStack {
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/** Loads and validates a stack without evaluating it; throws StackConfigError on any problem. */
export function prepareStack(stack: string, root = PROJECT_ROOT): PreparedStack {
  // The name first: an unknown platform or env is a clearer error than a missing file.
  parseStackName(stack);
  const loaded = loadStackFile(root, stack);
  resolveStack(projectName(), stack, loaded.config, loaded.secretKeys);
  return { stack, config: loaded.config, secretKeys: loaded.secretKeys };
}

/**
 * Plans already computed in this process, when memoising is on (the test process turns it on:
 * tests/setup/memoise-previews.ts). A stack's plan is a function of the program's code, the stack's
 * name and configuration and the secret digest key: that is the key. The code cannot change within
 * a process, and the configuration is the stack file's content as loaded, so a test previewing
 * a candidate stack file from a scratch root gets a plan of its own.
 */
let memo: Map<string, Promise<StackPreview>> | undefined;

/** Turns memoising of plans on or off (off empties it). Off by default: a CLI previews each stack once. */
export function memoisePreviews(on: boolean): void {
  memo = on ? (memo ?? new Map()) : undefined;
}

/** What a stack's plan depends on besides the code: the project, the stack, its configuration and the secret digest key. */
export function planKey(prepared: PreparedStack): string {
  const config = Object.entries(prepared.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([projectName(), prepared.stack, config, [...prepared.secretKeys].sort(), process.env[SECRET_DIGEST_KEY_ENV] ?? null]);
}

/**
 * Evaluates a prepared stack; user errors raised while composing become StackUsageError. With
 * memoising on, every caller gets its own deep copy, so a test that mutates its plan cannot change
 * another's; a failed evaluation is not kept.
 */
export async function previewPrepared(prepared: PreparedStack): Promise<StackPreview> {
  if (!memo) return previewNow(prepared);
  const key = planKey(prepared);
  let pending = memo.get(key);
  if (!pending) {
    const cache = memo;
    pending = previewNow(prepared);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return structuredClone(await pending);
}

async function previewNow(prepared: PreparedStack): Promise<StackPreview> {
  let evaluation: Evaluation;
  try {
    evaluation = await evaluate({
      project: projectName(),
      stack: prepared.stack,
      config: prepared.config,
      secretKeys: prepared.secretKeys,
      program: runProgram,
    });
  } catch (err) {
    if (err instanceof EvaluationError) {
      const usage = err.causes.filter((c) => c instanceof StackConfigError || c instanceof ComponentArgsError);
      if (usage.length > 0) throw new StackUsageError(usage.map((c) => `${prepared.stack}: ${c.message}`));
    }
    throw err;
  }
  const digest = toPreviewDigest(evaluation, { config: prepared.config, secretKeys: prepared.secretKeys });
  return { stack: prepared.stack, evaluation, digest };
}

/** Loads, validates and evaluates one stack. */
export async function previewStack(stack: string): Promise<StackPreview> {
  return previewPrepared(prepareStack(stack));
}

/**
 * One offline preview of one stack: load its stack file, validate its configuration (before any
 * resource is declared), evaluate the real program under the mock runtime, and build the plan.
 */
import { ComponentArgsError } from "../components/common/conventions";
import { StackConfigError } from "../stacks/config";
import { resolveStack } from "../stacks/program";
import { runProgram } from "../stacks/program";
import { parseStackName } from "../stacks/registry";
import { loadStackFile } from "../stacks/stack-file";
import { evaluate, EvaluationError, type Evaluation } from "./evaluate";
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

/** Evaluates a prepared stack; user errors raised while composing become StackUsageError. */
export async function previewPrepared(prepared: PreparedStack): Promise<StackPreview> {
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

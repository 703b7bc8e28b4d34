/**
 * The one mock harness every test uses: evaluates a program (a component example, a whole stack)
 * with the offline engine and returns the recorded plan.
 */
import { evaluate, type Evaluation } from "../engine/evaluate";
import { Plan } from "../engine/plan";

export interface RunOptions {
  project?: string;
  stack?: string;
  config?: Record<string, string>;
  secretKeys?: string[];
}

export interface RunResult {
  evaluation: Evaluation;
  plan: Plan;
}

/** Runs `program` under the mock runtime in preview mode and records every resource it registers. */
export async function runProgram(program: () => unknown, opts: RunOptions = {}): Promise<RunResult> {
  const evaluation = await evaluate({
    project: opts.project ?? "platform-infra",
    stack: opts.stack ?? "test",
    config: opts.config ?? {},
    secretKeys: opts.secretKeys ?? [],
    program,
  });
  return { evaluation, plan: new Plan(evaluation.resources) };
}

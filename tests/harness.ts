/**
 * The one mock harness every test uses: evaluates a program (a component example, a whole stack)
 * with the offline engine and returns the recorded plan; and runs a CLI's `main` in process.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import { evaluate, type Evaluation } from "../engine/evaluate";
import { Plan } from "../engine/plan";
import { PROJECT_ROOT } from "../engine/project";

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

/** What a CLI's `main(argv)` returned and printed, in the shape of a spawned process's result. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI's exported `main(argv)` in this process and captures what it prints through `console`
 * (every line followed by a newline, as on a terminal). For tests about a CLI's result: it costs no
 * process start-up and shares this worker's memoised plans (tests/setup/memoise-previews.ts). Tests
 * about the process itself (exit code after runMain, no stack trace, a hang) spawn it instead.
 */
export async function runCliInProcess(main: (argv: string[]) => Promise<number>, argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const line = (sink: string[]) => (...parts: unknown[]) => void sink.push(`${format(...parts)}\n`);
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  console.log = console.info = line(out);
  console.warn = console.error = line(err);
  try {
    const status = await main(argv);
    return { status, stdout: out.join(""), stderr: err.join("") };
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * A scratch root whose `stacks/Pulumi.<stack>.yaml` is this repository's with `extra` appended
 * (YAML lines under `config:`), for `preview --root`: only stack files come from the root, the
 * program is this repository's.
 */
export function stackFileWith(stack: string, extra: string): string {
  return stackFileSettings(stack, {}, extra);
}

/**
 * The same, with top-level `config:` entries replaced (`{ "cryptocare:phase": "p3" }` rewrites the
 * line `  cryptocare:phase: …`, or appends it when the file has none), then `extra` appended.
 */
export function stackFileSettings(stack: string, settings: Record<string, string>, extra = ""): string {
  const root = mkdtempSync(join(tmpdir(), `${stack}-`));
  mkdirSync(join(root, "stacks"));
  const file = `stacks/Pulumi.${stack}.yaml`;
  let text = readFileSync(join(PROJECT_ROOT, file), "utf8").trimEnd();
  for (const [key, value] of Object.entries(settings)) {
    const line = new RegExp(`^  ${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:.*$`, "m");
    text = line.test(text) ? text.replace(line, `  ${key}: ${value}`) : `${text}\n  ${key}: ${value}`;
  }
  writeFileSync(join(root, file), extra ? `${text}\n${extra}\n` : `${text}\n`);
  return root;
}

/**
 * Runs a CLI's exported `main(argv)` in this worker as if it were `npm run <cli>` started in `cwd`:
 * the working directory and the given environment variables are set for the call only, and
 * everything it prints is captured, stdout and stderr apart, through `console` and through
 * `process.stdout.write` / `process.stderr.write` (preview:pr writes its terminal diff directly).
 *
 * Why not a process: each spawn of a CLI pays 1–2 s of module loading, which is all some cases
 * cost. What only a process shows (runMain's exit code, the launcher bundle) stays with one spawned
 * test per exit path. Vitest runs this suite in forks (vitest.config.mts), where `process.chdir` is
 * allowed, and a worker runs one file at a time, so the change of directory is seen by no one else.
 */
import { format } from "node:util";

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

type Write = typeof process.stdout.write;

/** A `write` that appends to `sink` and reports success, as a stream's does. */
function writeTo(sink: string[]): Write {
  return ((chunk: string | Uint8Array, encodingOrDone?: unknown, done?: unknown) => {
    sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const callback = typeof encodingOrDone === "function" ? encodingOrDone : done;
    if (typeof callback === "function") queueMicrotask(() => (callback as () => void)());
    return true;
  }) as Write;
}

export async function runCliIn(cwd: string, main: (argv: string[]) => number | Promise<number>, argv: string[], env: Record<string, string> = {}): Promise<CapturedRun> {
  const out: string[] = [];
  const err: string[] = [];
  const line = (sink: string[]) => (...parts: unknown[]) => void sink.push(`${format(...parts)}\n`);
  const savedConsole = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const savedWrite = { stdout: process.stdout.write, stderr: process.stderr.write };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedCwd = process.cwd();
  console.log = console.info = line(out);
  console.warn = console.error = line(err);
  process.stdout.write = writeTo(out);
  process.stderr.write = writeTo(err);
  Object.assign(process.env, env);
  try {
    process.chdir(cwd);
    const code = await main(argv);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.chdir(savedCwd);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.stdout.write = savedWrite.stdout;
    process.stderr.write = savedWrite.stderr;
    Object.assign(console, savedConsole);
  }
}

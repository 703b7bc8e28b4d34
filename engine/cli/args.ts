/**
 * What every CLI under engine/cli shares: the exit codes, one error type, one argument parser, and
 * the check of an output path made before any work.
 *
 * Exit codes: 0 ok, 1 policy or deployability findings, 2 usage, config or input error (one line
 * on stderr naming the file and the problem, never a stack trace), 3 the program itself failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const EXIT = { ok: 0, findings: 1, usage: 2, program: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix: printed as one line, exit `code` (2 unless said otherwise). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode = EXIT.usage,
  ) {
    super(message);
  }
}

/** `string`: one value; `list`: a value that may repeat; `boolean`: no value. */
export type FlagKind = "string" | "list" | "boolean";

export interface ParsedArgs {
  positional: string[];
  values: Record<string, string | undefined>;
  lists: Record<string, string[]>;
  flags: Record<string, boolean>;
  help: boolean;
}

/**
 * One parser for every CLI: `--name value`, `--name=value`, boolean `--name`, positionals, `-h`/`--help`.
 * An unknown option, a missing value or a repeated string option is a CliError (exit 2).
 */
export function parseCli(argv: readonly string[], spec: Record<string, FlagKind>, opts: { positional?: boolean } = {}): ParsedArgs {
  const out: ParsedArgs = { positional: [], values: {}, lists: {}, flags: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      out.help = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      if (opts.positional === false) throw new CliError(`unexpected argument ${JSON.stringify(a)}`);
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^--?/, "");
    const kind = spec[name];
    if (!kind) throw new CliError(`unknown argument ${eq >= 0 ? a.slice(0, eq) : a}`);
    if (kind === "boolean") {
      if (eq >= 0) throw new CliError(`--${name} takes no value`);
      out.flags[name] = true;
      continue;
    }
    const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || v === "" || (eq < 0 && v.startsWith("--"))) throw new CliError(`--${name} needs a value (a value is required)`);
    if (kind === "list") {
      (out.lists[name] ??= []).push(v);
      continue;
    }
    if (out.values[name] !== undefined) throw new CliError(`--${name} given twice`);
    out.values[name] = v;
  }
  return out;
}

const FORBIDDEN_ROOTS = ["/proc", "/sys", "/dev"];

function under(p: string, root: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

/**
 * Checks an output path before any work: not under /proc, /sys or /dev, not a directory (or, for
 * `kind: "dir"`, not a file), and its nearest existing ancestor is a directory we may create in.
 */
export function checkOutputPath(file: string, flag: string, kind: "file" | "dir" = "file"): void {
  const abs = path.resolve(file);
  let real = abs;
  let ancestor = kind === "dir" ? abs : path.dirname(abs);
  // The nearest existing ancestor, resolved through symlinks.
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(ancestor);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw new CliError(`${flag} ${file}: cannot use ${ancestor} (${code ?? "unreadable"})`);
    }
    if (st) {
      if (!st.isDirectory()) throw new CliError(`${flag} ${file}: ${ancestor} is not a directory`);
      real = path.join(fs.realpathSync(ancestor), path.relative(ancestor, abs));
      break;
    }
    const up = path.dirname(ancestor);
    if (up === ancestor) break;
    ancestor = up;
  }
  for (const root of FORBIDDEN_ROOTS) {
    if (under(abs, root) || under(real, root)) throw new CliError(`${flag} ${file}: refusing to write under ${root}`);
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch {
    return;
  }
  const target = fs.realpathSync(abs);
  for (const root of FORBIDDEN_ROOTS) if (under(target, root)) throw new CliError(`${flag} ${file}: refusing to write under ${root}`);
  if (kind === "file" && st.isDirectory()) throw new CliError(`${flag} ${file} is a directory, not a file`);
  if (kind === "file" && !st.isFile()) throw new CliError(`${flag} ${file} is not a regular file`);
  if (kind === "dir" && !st.isDirectory()) throw new CliError(`${flag} ${file} is not a directory`);
}

/** The first line of an error's message, trimmed to a readable length. */
export function oneLine(e: unknown): string {
  const s = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  return s.length > 300 ? `${s.slice(0, 299)}…` : s;
}

/**
 * Runs a CLI's main and exits: a CliError prints `<name>: <message>` and exits with its code;
 * anything else is a program failure (exit 3), one line, the stack trace only with DEBUG set.
 */
export function runMain(name: string, main: () => number | Promise<number>): void {
  const fail = (e: unknown): void => {
    if (e instanceof CliError) {
      process.stderr.write(`${name}: ${oneLine(e)}\n`);
      process.exit(e.code);
    }
    process.stderr.write(`${name}: internal error: ${oneLine(e)}\n`);
    if (process.env.DEBUG) console.error(e);
    process.exit(EXIT.program);
  };
  try {
    void Promise.resolve(main()).then((code) => process.exit(code), fail);
  } catch (e) {
    fail(e);
  }
}

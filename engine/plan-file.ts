/**
 * The one reader of plan files (a PreviewDigest, ours or `pulumi preview --json`), used by
 * `npm run policy`, `npm run diff` and `npm run preview:pr`. It refuses, as a one-line CliError
 * (exit 2) naming the file: anything but a regular file (directories, FIFOs, /dev/zero), a file
 * over MAX_PLAN_BYTES, text that is not JSON, JSON nested deeper than MAX_PLAN_DEPTH, and JSON
 * that is not the PreviewDigest subset the tools rely on (steps[] with an op, a string URN, and a
 * newState {urn, type, inputs} on every step but a delete).
 */
import * as fs from "node:fs";
import { z } from "zod";
import { CliError } from "./cli/args";
import type { PreviewDigest } from "./digest";

export const MAX_PLAN_BYTES = 64 * 1024 * 1024;
export const MAX_PLAN_DEPTH = 256;

/** Ops whose step has no new state (the resource goes away). */
const STATELESS_OPS = new Set(["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"]);

const stringArray = z.array(z.string());

const resourceSchema = z
  .object({
    urn: z.string().min(1),
    type: z.string().min(1),
    custom: z.boolean().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    id: z.string().optional(),
    parent: z.string().optional(),
    provider: z.string().optional(),
    protect: z.boolean().optional(),
    retainOnDelete: z.boolean().optional(),
    deleteBeforeReplace: z.boolean().optional(),
    dependencies: stringArray.optional(),
    propertyDependencies: z.record(z.string(), stringArray).optional(),
    additionalSecretOutputs: stringArray.optional(),
    aliases: z.array(z.unknown()).optional(),
    ignoreChanges: stringArray.optional(),
    replaceOnChanges: stringArray.optional(),
    deletedWith: z.string().optional(),
  })
  .passthrough();

const stepSchema = z
  .object({
    op: z.string().min(1),
    urn: z.string().min(1),
    newState: resourceSchema.optional(),
    oldState: resourceSchema.optional(),
  })
  .passthrough();

const digestSchema = z.object({ steps: z.array(stepSchema) }).passthrough();

function where(p: readonly PropertyKey[]): string {
  let s = "";
  for (const k of p) s += typeof k === "number" ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || "(top level)";
}

/** The nesting depth of a JSON value, without recursion (a 100k-deep array must not overflow the stack). */
function tooDeep(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d >= max) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v as object)) if (c !== null && typeof c === "object") stack.push([c, d + 1]);
  }
  return false;
}

/** Validates a parsed plan; `file` names it in the error. */
export function validatePlan(data: unknown, file: string): PreviewDigest {
  if (tooDeep(data, MAX_PLAN_DEPTH)) throw new CliError(`plan file ${file}: nested deeper than ${MAX_PLAN_DEPTH} levels`);
  const r = digestSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const hint = issue.path.length === 0 || (issue.path.length === 1 && issue.path[0] === "steps") ? " (write it with `npm run preview -- --json` or `pulumi preview --json`)" : "";
    throw new CliError(`plan file ${file} is not a PreviewDigest: ${where(issue.path)}: ${issue.message.split("\n")[0]}${hint}`);
  }
  const steps = r.data.steps;
  const stateless = steps.map((s, i) => ({ s, i })).filter(({ s }) => !s.newState && !STATELESS_OPS.has(s.op));
  if (stateless.length) {
    const first = stateless[0];
    throw new CliError(`plan file ${file}: steps[${first.i}] (${first.s.op} ${first.s.urn}) has no newState${stateless.length > 1 ? `, nor ${stateless.length - 1} other step(s)` : ""}: it cannot be checked`);
  }
  for (const [i, s] of steps.entries()) {
    if (s.newState && s.newState.urn !== s.urn) throw new CliError(`plan file ${file}: steps[${i}].newState.urn ${JSON.stringify(s.newState.urn)} is not the step's URN ${JSON.stringify(s.urn)}`);
  }
  return r.data as unknown as PreviewDigest;
}

/** Reads and validates one plan file. */
export function readPlanFile(file: string): PreviewDigest {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === "ENOENT" ? `plan file ${file} does not exist` : `plan file ${file} cannot be read (${code ?? "error"})`);
  }
  if (st.isDirectory()) throw new CliError(`plan file ${file} is a directory, not a file`);
  if (!st.isFile()) throw new CliError(`plan file ${file} is not a regular file`);
  if (st.size > MAX_PLAN_BYTES) throw new CliError(`plan file ${file} is ${st.size} bytes, over the ${MAX_PLAN_BYTES}-byte limit`);
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`plan file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (raw.length > MAX_PLAN_BYTES) throw new CliError(`plan file ${file} is over the ${MAX_PLAN_BYTES}-byte limit`);
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    throw new CliError(`plan file ${file} is not JSON: ${(e as Error).message.split("\n")[0].slice(0, 200)}`);
  }
  return validatePlan(data, file);
}

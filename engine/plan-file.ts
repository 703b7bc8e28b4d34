/**
 * The one reader of plan files (a PreviewDigest, ours or `pulumi preview --json`), used by
 * `npm run policy`, `npm run diff` and `npm run preview:pr`. It refuses, as a one-line CliError
 * (exit 2) naming the file: anything but a regular file (directories, FIFOs, /dev/zero), a file
 * over MAX_PLAN_BYTES, text that is not JSON, JSON nested deeper than MAX_PLAN_DEPTH, and JSON
 * that is not the PreviewDigest subset the tools rely on (steps[] with an op, a string URN, and a
 * newState {urn, type, inputs} on every step but a delete). It also owns the plan's `cost` field
 * (PlanCost: the stack's estimate, its budget and the currency they are shown in), which the preview
 * writes and the PR comment reads; a plan without one (`pulumi preview --json`, an older base) is
 * fine, a malformed one is refused like any other malformed plan.
 */
import * as fs from "node:fs";
import { z } from "zod";
import { CliError } from "./cli/args";
import type { BudgetComparison, BudgetCurrency, StackBudget } from "../model/cost/budget";
import { ECB_REFERENCE, perUsd } from "../model/cost/currency";
import type { CostEstimate } from "../model/cost/types";
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

/** The currency a plan's figures are shown in, with the rate applied to USD and its date. */
export interface PlanCurrency {
  code: BudgetCurrency;
  /** Units of `code` per USD. */
  perUsd: number;
  /** The day the rate is from (`YYYY-MM-DD`). */
  date: string;
  /** Where the rate comes from. */
  source: string;
}

/** The `cost` field of a plan: what the stack costs per month, and against which budget. */
export interface PlanCost {
  /** List prices, USD per month: an estimate, not a bill. */
  estimate: CostEstimate;
  currency: PlanCurrency;
  /** The stack's share of its document's budget; absent when the document states none (`noBudget` says so). */
  budget?: StackBudget;
  noBudget?: string;
  /** The estimate against the budget, in the budget's currency. */
  comparison?: BudgetComparison;
}

const moneyLine = z.object({ urn: z.string(), type: z.string(), name: z.string(), item: z.string(), detail: z.string(), monthlyUsd: z.number().finite().optional() }).passthrough();
const amount = z.object({ low: z.number().finite(), high: z.number().finite() });
const costSchema = z
  .object({
    estimate: z.object({ stack: z.string(), monthlyUsd: z.number().finite(), lines: z.array(moneyLine), shortfalls: z.array(z.object({ urn: z.string(), message: z.string() }).passthrough()), assumptions: z.array(z.string()) }).passthrough(),
    currency: z.object({ code: z.enum(["EUR", "CHF", "USD"]), perUsd: z.number().positive().finite(), date: z.string(), source: z.string() }),
    budget: z.object({ monthly: amount, currency: z.enum(["EUR", "CHF", "USD"]), hardLimit: z.boolean() }).passthrough().optional(),
    noBudget: z.string().optional(),
    comparison: z.object({ estimate: z.number(), limit: z.number(), over: z.boolean(), ratio: z.number() }).optional(),
  })
  .passthrough();

const digestSchema = z.object({ steps: z.array(stepSchema), cost: costSchema.optional() }).passthrough();

/** The rate a plan's figures are shown at: the stack's budget currency, USD when it has none. */
export function planCurrency(code: BudgetCurrency): PlanCurrency {
  return { code, perUsd: Number(perUsd(code).toFixed(6)), date: ECB_REFERENCE.date, source: code === "USD" ? "list prices" : "ECB reference rate" };
}

/** A plan's cost field, if it has one (validatePlan has checked its shape). */
export function planCost(digest: PreviewDigest | undefined): PlanCost | undefined {
  return (digest as (PreviewDigest & { cost?: PlanCost }) | undefined)?.cost;
}

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

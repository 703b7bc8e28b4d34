/**
 * One offline preview of one stack: load its stack file, validate its configuration (before any
 * resource is declared), evaluate the real program under the mock runtime, and build the plan.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { ComponentArgsError } from "../components/common/conventions";
import { StackConfigError } from "../stacks/config";
import { resolveStack, runProgram } from "../stacks/program";
import { parseStackName } from "../stacks/registry";
import { loadStackFile } from "../stacks/stack-file";
import { evaluate, EvaluationError, type Evaluation } from "./evaluate";
import { sha256 } from "../model/content-cache";
import { SECRET_DIGEST_KEY_ENV } from "./secret-digest";
import { computeSourceFingerprint } from "./source-fingerprint";
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

/**
 * A directory the processes of one run share (the test workers: tests/setup/plan-share.ts makes a
 * fresh one per run), so that each plan is computed by one of them and read by the others, and
 * the fingerprint of the sources when this module's memo began: a plan is shared only between
 * processes running the same code (vitest's watch mode reloads changed modules within one run).
 */
let share: { dir: string; sources: string } | undefined;

/**
 * Turns memoising of plans on or off (off empties it). Off by default: a CLI previews each stack
 * once. `shareDir` must be private to one run of one checkout: its plans are trusted as computed by
 * this very code.
 */
export function memoisePreviews(on: boolean, options: { shareDir?: string } = {}): void {
  if (!on || !options.shareDir) share = undefined;
  else if (share?.dir !== options.shareDir || !memo) share = { dir: options.shareDir, sources: computeSourceFingerprint() };
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
    pending = share ? previewShared(prepared, key, share) : previewNow(prepared);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return structuredClone(await pending);
}

/** How often a process waiting for a plan another process computes looks for it. */
const SHARED_PLAN_POLL_MS = 20;

/**
 * The plan from the run's shared directory: read when another process has written it, computed
 * here (and written) when no one has claimed it, awaited when another process is computing it.
 * A claim is a file created exclusively, holding its process id: a failed evaluation withdraws it
 * (the next process to ask computes it again and fails the same way, as without sharing), and a
 * claim whose process is gone is taken over. No claim is held while waiting for another, so two
 * processes can never wait for each other.
 */
async function previewShared(prepared: PreparedStack, key: string, scope: { dir: string; sources: string }): Promise<StackPreview> {
  const base = join(scope.dir, sha256(scope.sources, key));
  const planFile = `${base}.plan`;
  const claimFile = `${base}.claim`;
  for (;;) {
    const written = readSharedPlan(planFile);
    if (written) return written;
    if (claim(claimFile)) {
      try {
        const preview = await previewNow(prepared);
        const tmp = `${planFile}.${process.pid}.tmp`;
        writeFileSync(tmp, serialize(preview));
        // Renamed into place whole: a reader never sees half a plan.
        renameSync(tmp, planFile);
        return preview;
      } catch (err) {
        rmSync(claimFile, { force: true });
        throw err;
      }
    }
    if (!claimantAlive(claimFile)) rmSync(claimFile, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, SHARED_PLAN_POLL_MS));
  }
}

function readSharedPlan(file: string): StackPreview | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  return deserialize(bytes) as StackPreview;
}

function claim(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    return false;
  }
}

/** Whether the process that claimed a plan still runs (a claim file read mid-write counts as alive). */
function claimantAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(file, "utf8"));
  } catch {
    return true;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
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

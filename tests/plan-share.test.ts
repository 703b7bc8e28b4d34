/**
 * engine/preview.ts shares plans between the test workers of one run through a directory: a plan
 * one process wrote is read, not evaluated again; a plan another live process is computing is
 * awaited; a claim whose process is gone is taken over.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "node:v8";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { SECRET_DIGEST_KEY_ENV } from "../engine/secret-digest";
import { memoisePreviews, planKey, prepareStack, previewStack } from "../engine/preview";
import { sha256 } from "../model/content-cache";
import { computeSourceFingerprint } from "../engine/source-fingerprint";

const STACK = "quickfund-dev";
let dir: string;
let savedKey: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "plan-share-"));
  memoisePreviews(true, { shareDir: dir });
  // The secret digest key is part of a plan's key: a fresh one per test keeps this file's plans
  // apart from the ones the rest of the run memoises.
  savedKey = process.env[SECRET_DIGEST_KEY_ENV];
  process.env[SECRET_DIGEST_KEY_ENV] = `plan-share-${Math.random()}`;
});

afterEach(() => {
  if (savedKey === undefined) delete process.env[SECRET_DIGEST_KEY_ENV];
  else process.env[SECRET_DIGEST_KEY_ENV] = savedKey;
  memoisePreviews(true, { shareDir: inject("planShareDir") });
  rmSync(dir, { recursive: true, force: true });
});

const base = () => join(dir, sha256(computeSourceFingerprint(), planKey(prepareStack(STACK))));
/** A plan no evaluation could produce, so that reading it proves nothing was evaluated. */
const marker = () => ({ stack: STACK, evaluation: { resources: [], diagnostics: [], outputs: { written: "by another process" } }, digest: {} });

describe("plans shared between the processes of a run", () => {
  it("reads a plan another process wrote instead of evaluating it", async () => {
    writeFileSync(`${base()}.plan`, serialize(marker()));
    const preview = await previewStack(STACK);
    expect(preview.evaluation.outputs).toEqual({ written: "by another process" });
  });

  it("waits for the plan a live process has claimed, then reads it", async () => {
    writeFileSync(`${base()}.claim`, String(process.ppid));
    setTimeout(() => writeFileSync(`${base()}.plan`, serialize(marker())), 150);
    const preview = await previewStack(STACK);
    expect(preview.evaluation.outputs).toEqual({ written: "by another process" });
  });

  it("shares nothing between processes running different code: another fingerprint of the sources is another plan", async () => {
    writeFileSync(join(dir, `${sha256("an older tree", planKey(prepareStack(STACK)))}.plan`), serialize(marker()));
    const preview = await previewStack(STACK);
    expect(preview.evaluation.resources.length).toBeGreaterThan(50);
  });

  it("takes over a claim whose process is gone: evaluates, and writes the plan for the others", async () => {
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    writeFileSync(`${base()}.claim`, String(gone));
    const preview = await previewStack(STACK);
    expect(preview.evaluation.resources.length).toBeGreaterThan(50);
    expect(existsSync(`${base()}.plan`)).toBe(true);
  });
});

/**
 * Vitest global setup (vitest.config.mts `globalSetup`, run once per `vitest run` in the main
 * process): a fresh directory the test workers share their plans through (engine/preview.ts
 * `memoisePreviews`), so that each stack's plan is computed once per run rather than once per
 * worker. It lives as long as the run: a later run, whose code may differ, starts empty.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    planShareDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "platform-infra-plans-"));
  project.provide("planShareDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * Vitest setup (vitest.config.mts `setupFiles`): in the test process each stack's plan is computed
 * once per run and shared by every test file that previews it (engine/preview.ts memoises by the
 * stack's configuration and hands each caller a deep copy; the workers share their plans through
 * the run's directory from tests/setup/plan-share.ts). Test files that need a fresh evaluation get
 * one by previewing a different configuration, or by calling `evaluate` directly.
 */
import "../../engine/fast-load";
import { inject } from "vitest";
import { memoisePreviews } from "../../engine/preview";

memoisePreviews(true, { shareDir: inject("planShareDir") });

/**
 * Runs every deployability check over one stack's plan. The registry below is the only list of
 * checks; each lives in its own module (`<check>.ts`) with its tests under tests/deployability/.
 */
import { performance } from "node:perf_hooks";
import { capacityCheck } from "./capacity";
import { chartValuesCheck } from "./chart-values";
import { createOrderCheck } from "./create-order";
import { reachabilityCheck } from "./reachability";
import { referencesCheck } from "./references";
import type { DeployCheck, DeployContext, DeployabilityReport } from "./types";
import { workloadIdentityCheck } from "./workload-identity";

export * from "./types";

/** Every check, in the order their findings are reported. */
export const CHECKS: readonly DeployCheck[] = [chartValuesCheck, createOrderCheck, referencesCheck, capacityCheck, reachabilityCheck, workloadIdentityCheck];

export function analyzeDeployability(ctx: DeployContext, upstreamStacks: string[] = [], checks: readonly DeployCheck[] = CHECKS): DeployabilityReport {
  const started = performance.now();
  const report: DeployabilityReport = { stack: ctx.stack, upstreamStacks, findings: [], checks: [], durationMs: 0 };
  for (const check of checks) {
    const t0 = performance.now();
    const findings = check.run(ctx);
    report.findings.push(...findings);
    report.checks.push({ check: check.name, findings: findings.length, durationMs: performance.now() - t0 });
  }
  report.durationMs = performance.now() - started;
  return report;
}

/** Terminal report of a deployability analysis: findings grouped by check, each with its fix. */
import type { DeployabilityReport } from "./types";

function resourceLabel(urn: string): string {
  const parts = urn.split("::");
  return `${parts[parts.length - 1]} (${parts[parts.length - 2]?.split("$").pop() ?? ""})`;
}

export function formatDeployabilityReport(report: DeployabilityReport): string {
  const lines: string[] = [];
  for (const { check } of report.checks) {
    const group = report.findings.filter((f) => f.check === check);
    if (!group.length) continue;
    lines.push(`DEPLOYABILITY ${check} (${group.length})`);
    for (const f of group) {
      lines.push(`  [error] ${resourceLabel(f.urn)}`);
      for (const m of f.message.split("\n")) lines.push(`      ${m}`);
      lines.push(`      fix: ${f.remediation}`);
    }
  }
  const upstream = report.upstreamStacks.length ? ` (knowing what ${report.upstreamStacks.join(", ")} creates first)` : "";
  lines.push(`deployability: ${report.findings.length} error(s) over ${report.checks.length} checks in ${report.durationMs.toFixed(0)} ms${upstream}`);
  return lines.join("\n");
}

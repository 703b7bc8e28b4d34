/** Terminal report of a policy run: violations grouped by severity, the document sections behind the figures they break, then waivers. */
import type { PlanPolicyResult } from "../digest";
import { metaOf } from "../../policies/lib/rule";
import type { PolicyRunResult } from "./run";

const SEVERITIES = ["critical", "high", "medium", "low"] as const;

function remediation(policy: string): string | undefined {
  try {
    return metaOf(policy).remediationSteps;
  } catch {
    return undefined;
  }
}

function resourceLabel(r: PlanPolicyResult): string {
  if (!r.urn) return "(stack)";
  const parts = r.urn.split("::");
  return `${parts[parts.length - 1]} (${parts[parts.length - 2]?.split("$").pop() ?? ""})`;
}

/** Lines for a terminal: one block per severity, one entry per violation with rule, resource and remediation. */
export function formatPolicyReport(run: PolicyRunResult): string {
  const lines: string[] = [];
  const violations = run.results.filter((r) => !r.waiver);
  for (const sev of SEVERITIES) {
    const group = violations.filter((r) => r.severity === sev);
    if (!group.length) continue;
    lines.push(`${sev.toUpperCase()} (${group.length})`);
    for (const r of group) {
      lines.push(`  [${r.enforcementLevel}] ${r.policy}: ${resourceLabel(r)}`);
      for (const m of r.message.split("\n")) lines.push(`      ${m}`);
      const fix = remediation(r.policy);
      if (fix) lines.push(`      fix: ${fix}`);
    }
  }
  // The figures the violations break, with the document section each comes from: a reader can
  // check the requirement, not only the rule.
  if (run.citations?.length) {
    lines.push(`SOURCES (${run.citations.length})`);
    for (const c of run.citations) lines.push(`  ${c.fact} ${JSON.stringify(c.value)} (${c.policies.join(", ")}): ${c.source}`);
  }
  const waived = run.results.filter((r) => r.waiver);
  if (waived.length) {
    lines.push(`WAIVED (${waived.length})`);
    for (const r of waived) lines.push(`  ${r.policy}: ${resourceLabel(r)} until ${r.waiver!.expires}: ${r.waiver!.reason}`);
  }
  lines.push(
    `policies: ${run.mandatoryViolations} mandatory, ${run.advisoryViolations} advisory violation(s), ${run.waived} waived` +
      (run.configFile ? ` (config ${run.configFile.replace(/^.*\/policies\//, "policies/")})` : ""),
  );
  return lines.join("\n");
}

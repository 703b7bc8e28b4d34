/**
 * The deployability analysis: checks about "would `pulumi up` on a fresh project and cluster apply
 * this plan in one pass and would it then run", in the spirit of the policy pack (which asks "is this
 * allowed"). Each check is a pure function of the plan's recorded resources; findings are errors.
 */
import type { RecordedResource } from "../evaluate";

/** The classes of defect the analysis knows, one check module each. */
export const DEPLOY_CHECKS = ["chart-values", "capacity", "references", "create-order", "reachability", "workload-identity"] as const;
export type DeployCheckName = (typeof DEPLOY_CHECKS)[number];

export interface DeployFinding {
  check: DeployCheckName;
  /** URN of the resource the finding is about (the consumer, for a reference). */
  urn: string;
  /** What would fail, naming the resource, the reference or the figure. */
  message: string;
  /** What to do about it. */
  remediation: string;
}

export interface DeployContext {
  /** The stack analysed, `<platform>-<env>`. */
  stack: string;
  /** This stack's recorded resources (creates and reads), in registration order. */
  resources: readonly RecordedResource[];
  /**
   * Resources of the stacks deployed before this one, which already exist when it is applied (for a
   * DiaspoMoney env stack: its shared stack's namespaces, quotas, node pools, CRD-installing releases,
   * issuers). Empty for a stack that depends on no other.
   */
  upstream: readonly RecordedResource[];
}

export interface DeployCheck {
  name: DeployCheckName;
  /** One line for the README and the report: what the check proves. */
  description: string;
  run(ctx: DeployContext): DeployFinding[];
}

export interface DeployCheckTiming {
  check: DeployCheckName;
  findings: number;
  durationMs: number;
}

/** What the analysis found in one stack's plan; `findings` empty means deployable as far as offline can tell. */
export interface DeployabilityReport {
  stack: string;
  /** The stacks whose plans stood in for what already exists (e.g. `diaspomoney-shared`). */
  upstreamStacks: string[];
  findings: DeployFinding[];
  checks: DeployCheckTiming[];
  durationMs: number;
}

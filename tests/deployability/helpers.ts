/**
 * Builders for minimal plans: each deployability test starts from a handful of recorded resources
 * and breaks one thing. URNs follow Pulumi's `urn:pulumi:<stack>::<project>::<type chain>::<name>`.
 */
import type { RecordedResource } from "../../engine/evaluate";
import { analyzeDeployability, type DeployCheck, type DeployFinding } from "../../engine/deployability";

export const STACK = "fixture-dev";

export interface FixtureOptions {
  parent?: RecordedResource;
  dependsOn?: RecordedResource[];
  /** Input property → resources it was computed from. */
  propertyDependencies?: Record<string, RecordedResource[]>;
  custom?: boolean;
  provider?: string;
  protect?: boolean;
}

/** One recorded resource with the given inputs; a child's URN carries its parent's type chain. */
export function res(type: string, name: string, inputs: Record<string, unknown> = {}, o: FixtureOptions = {}): RecordedResource {
  const parentChain = o.parent ? o.parent.urn.split("::")[2] + "$" : "";
  const urn = `urn:pulumi:${STACK}::platform-infra::${parentChain}${type}::${name}`;
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(o.propertyDependencies ?? {})) propertyDependencies[k] = v.map((r) => r.urn);
  return {
    urn,
    type,
    name,
    custom: o.custom ?? !type.startsWith("platform:"),
    ...(o.parent ? { parent: o.parent.urn } : {}),
    ...(o.provider ? { provider: o.provider } : {}),
    dependencies: [...(o.dependsOn ?? []).map((r) => r.urn), ...Object.values(propertyDependencies).flat()],
    propertyDependencies,
    inputs,
    options: { protect: o.protect ?? false, retainOnDelete: false, ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [] },
  };
}

/** Runs one check over a fixture plan (and what an upstream stack already created). */
export function findings(check: DeployCheck, resources: RecordedResource[], upstream: RecordedResource[] = []): DeployFinding[] {
  return analyzeDeployability({ stack: STACK, resources, upstream }, [], [check]).findings;
}

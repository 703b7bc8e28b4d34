/** Builders for cost tests: recorded resources and a usage profile whose figures are all stated. */
import type { RecordedResource } from "../../model/plan-values";
import { estimateStackCost } from "../../model/cost/estimate";
import type { CostEstimate, CostLine } from "../../model/cost/types";
import { assumed, type UsageProfile } from "../../model/cost/usage";

export const STACK = "fixture-dev";

export function res(type: string, name: string, inputs: Record<string, unknown> = {}, o: { dependsOn?: RecordedResource[]; stack?: string } = {}): RecordedResource {
  return {
    urn: `urn:pulumi:${o.stack ?? STACK}::platform-infra::${type}::${name}`,
    type,
    name,
    custom: true,
    dependencies: (o.dependsOn ?? []).map((r) => r.urn),
    propertyDependencies: {},
    inputs,
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], replaceOnChanges: [], aliases: [], additionalSecretOutputs: [] },
  };
}

/** A profile with every usage at 0 unless overridden. */
export function usage(over: Partial<UsageProfile> = {}): UsageProfile {
  const zero = assumed(0, "test: none");
  return {
    platform: "fixture",
    env: "dev",
    storedGb: {},
    cloudRunRequests: zero,
    cloudRunRequestSeconds: zero,
    internetEgressGb: zero,
    cdnHitRatio: zero,
    natDataGb: zero,
    logIngestGib: zero,
    secretAccesses: zero,
    ...over,
  };
}

export function estimate(resources: RecordedResource[], o: { usage?: Partial<UsageProfile>; upstream?: RecordedResource[] } = {}): CostEstimate {
  return estimateStackCost({ stack: STACK, resources, upstreamResources: o.upstream ?? [], usage: usage(o.usage) });
}

/** The one line of `item` on resource `name`; fails loudly naming what there is. */
export function line(e: CostEstimate, name: string, item: string): CostLine {
  const found = e.lines.filter((l) => l.name === name && l.item === item);
  if (found.length !== 1) throw new Error(`expected one line ${name}/${item}, found ${found.length} among ${e.lines.map((l) => `${l.name}/${l.item}`).join(", ")}`);
  return found[0]!;
}

export const sqlInstance = (name: string, settings: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  res("gcp:sql/databaseInstance:DatabaseInstance", name, { region: "europe-west1", databaseVersion: "POSTGRES_16", ...extra, settings: { diskSize: 20, diskType: "PD_SSD", ...settings } });

export const nodePool = (name: string, inputs: Record<string, unknown> = {}, o: { stack?: string } = {}) =>
  res("gcp:container/nodePool:NodePool", name, { cluster: "c", location: "europe-west1", autoscaling: { minNodeCount: 1, maxNodeCount: 4 }, nodeConfig: { machineType: "e2-standard-4", diskSizeGb: 100, diskType: "pd-balanced" }, ...inputs }, o);

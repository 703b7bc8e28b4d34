import type { RecordedResource } from "../../../engine/evaluate";
import type { SpecFacts } from "../helpers";

export type Changes = Record<string, unknown>;

/** The same resource rule on another type it covers: its own compliant fixture and one-change cases. */
export interface ResourceVariant {
  fixture: RecordedResource;
  failing: Record<string, Changes>;
  compliant?: Record<string, Changes>;
}

/** A resource rule's spec: a compliant fixture, and one case per property it checks (one change each). */
export interface ResourceSpec {
  kind: "resource";
  fixture: RecordedResource;
  /** Other resources of the plan (a provider). */
  others?: RecordedResource[];
  facts?: SpecFacts;
  failing: Record<string, Changes>;
  /** Other shapes that must pass too (alternatives the rule accepts, unknown values). */
  compliant?: Record<string, Changes>;
  notApplicable?: Record<string, { changes?: Changes; facts?: SpecFacts; reason: RegExp }>;
  /** Other types a multi-type rule covers (RabbitmqCluster, a CloudNativePG Cluster next to MongoDB), keyed by a label. */
  variants?: Record<string, ResourceVariant>;
}

export type StackChange = { target: string; changes: Changes } | { remove: string } | { add: RecordedResource };

export interface StackSpec {
  kind: "stack";
  fixture: RecordedResource[];
  facts?: SpecFacts;
  failing: Record<string, StackChange>;
  compliant?: Record<string, StackChange>;
  notApplicable?: Record<string, { change?: StackChange; facts?: SpecFacts; reason: RegExp }>;
  /** The rule's failing case is running without the stack's config (tested in rules.test.ts). */
  failsWithoutConfig?: boolean;
}

export type RuleSpec = ResourceSpec | StackSpec;

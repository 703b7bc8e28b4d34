import type { RecordedResource } from "../../../engine/evaluate";
import type { SpecFacts } from "../helpers";

export type Changes = Record<string, unknown>;

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

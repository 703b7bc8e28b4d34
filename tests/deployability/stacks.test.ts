/**
 * The committed stacks are deployable as far as offline can tell: every check runs over each
 * stack's plan, an env stack knowing what its shared stack creates first, and none finds anything.
 */
import { describe, expect, it } from "vitest";
import { analyzeDeployability, CHECKS } from "../../engine/deployability";
import { upstreamResources } from "../../engine/deployability/upstream";
import type { RecordedResource } from "../../engine/evaluate";
import { prepareStack, previewPrepared } from "../../engine/preview";
import { allStacks } from "../../stacks/registry";

describe("the committed stacks against the deployability analysis", () => {
  // Stacks in registry order: a shared stack is evaluated before its env stacks and reused for them.
  const evaluated = new Map<string, readonly RecordedResource[]>();
  for (const stack of allStacks()) {
    it(stack, async () => {
      const { evaluation } = await previewPrepared(prepareStack(stack));
      evaluated.set(stack, evaluation.resources);
      const upstream = await upstreamResources(stack, evaluated);
      const report = analyzeDeployability({ stack, resources: evaluation.resources, upstream: upstream.resources }, upstream.stacks);
      expect(report.findings.map((f) => `${f.check} ${f.urn}: ${f.message}`)).toEqual([]);
      expect(report.checks.map((c) => c.check)).toEqual(CHECKS.map((c) => c.name));
      if (stack.startsWith("diaspomoney-") && stack !== "diaspomoney-shared") {
        expect(upstream.stacks).toEqual(["diaspomoney-shared"]);
        expect(upstream.resources.length).toBeGreaterThan(100);
      }
    });
  }
});

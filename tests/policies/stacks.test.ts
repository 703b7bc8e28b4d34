/**
 * Every existing stack, evaluated offline, against the pack with its own config file: prod (and
 * shared) stacks have zero mandatory violations and zero waivers; no rule ever "can't run".
 */
import { describe, expect, it } from "vitest";
import { prepareStack, previewPrepared } from "../../engine/preview";
import { runPolicyPack } from "../../engine/policy/run";
import { allStacks, parseStackName } from "../../stacks/registry";

describe("existing stacks against the policy pack", () => {
  for (const stack of allStacks()) {
    it(stack, async () => {
      const { env } = parseStackName(stack);
      const preview = await previewPrepared(prepareStack(stack));
      const run = await runPolicyPack({ stack, resources: preview.evaluation.resources });
      const summary = run.results.map((r) => `${r.enforcementLevel} ${r.policy} ${r.urn ?? ""}: ${r.message}`);
      expect(run.results.filter((r) => /can't run policy/.test(r.message))).toEqual([]);
      if (env === "prod" || env === "shared") {
        expect(run.mandatoryViolations, summary.join("\n")).toBe(0);
        expect(run.waived).toBe(0);
      }
      // Every violation is attributed to a resource or to the stack, with a known level.
      for (const r of run.results) expect(["mandatory", "advisory"]).toContain(r.enforcementLevel);
    });
  }
});

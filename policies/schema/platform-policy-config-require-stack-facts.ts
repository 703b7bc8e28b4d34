import type { StackValidationPolicy } from "@pulumi/policy";
import { defineStackRule, NO_CONFIG_REASON, STACK_ENVS } from "../lib/rule";

/**
 * Without its stack's config file the pack would run every rule with no facts: fact-dependent and
 * prod-only rules would silently not apply. This rule makes that loud, whatever the enforcement
 * defaults: it is mandatory unless the config file says otherwise.
 */
const policy: StackValidationPolicy = defineStackRule({
  name: "platform-policy-config-require-stack-facts",
  description: "The pack runs with its stack's policy config (env, platform and ComplianceFacts); without it, fact-dependent and prod-only rules cannot apply.",
  severity: "critical",
  remediationSteps: "Run `pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json` (the offline runner does this itself); regenerate the files with `npx tsx policies/config/generate.ts`.",
  source: "stacks/platform.ts § ComplianceFacts (facts live in code, not in stack files); CONTRIBUTING.md § Policies",
  domain: "schema",
  resources: ["the stack"],
  validate(s, report) {
    if (!STACK_ENVS.includes(s.facts.env) || !s.facts.stack) report(NO_CONFIG_REASON);
  },
});
policy.enforcementLevel = "mandatory";
export default policy;

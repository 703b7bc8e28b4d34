import type { StackValidationPolicy } from "@pulumi/policy";
import { defineStackRule, envOfStack, NO_CONFIG_REASON, STACK_ENVS, stackOfUrn } from "../lib/rule";

/**
 * Without its stack's config file the pack would run every rule with no facts: fact-dependent and
 * prod-only rules would silently not apply. This rule makes that loud, whatever the enforcement
 * defaults: it is mandatory unless the config file says otherwise. It also refuses a config that
 * is not this stack's (the resources' URNs name another stack), whose `env` or `platform`
 * contradicts its `stack`, or that carries waivers in a prod or shared stack.
 */
const policy: StackValidationPolicy = defineStackRule({
  name: "platform-policy-config-require-stack-facts",
  description: "The pack runs with its own stack's policy config (env, platform and ComplianceFacts, consistent with the stack name, no waiver in prod); without it, fact-dependent and prod-only rules cannot apply.",
  severity: "critical",
  remediationSteps: "Run `pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json` (the offline runner does this itself); regenerate the files with `npm run generate`.",
  source: "model/compliance.ts § ComplianceFacts (facts live in code, not in stack files); CONTRIBUTING.md § Policies",
  domain: "schema",
  resources: ["the stack"],
  validate(s, report) {
    if (!STACK_ENVS.includes(s.facts.env) || !envOfStack(s.facts.stack)) {
      report(NO_CONFIG_REASON);
      return;
    }
    for (const problem of s.configProblems) report(`${problem}: regenerate the file with \`npm run generate\` and do not edit it by hand.`);
    // The config must be this stack's: every resource's URN names the stack it is deployed to.
    const others = [...new Set(s.resources.map((r) => stackOfUrn(r.urn)).filter((x): x is string => !!x && x !== s.facts.stack))];
    if (others.length) report(`the policy config is ${s.facts.stack}'s but the resources belong to ${others.join(", ")}: pass policies/config/<that stack>.json.`);
  },
});
policy.enforcementLevel = "mandatory";
export default policy;

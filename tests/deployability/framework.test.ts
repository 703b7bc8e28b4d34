/**
 * The analysis runner and its report: every registered check runs, findings keep their check's
 * name, timings are recorded, and the terminal report names the resource, the finding and the fix.
 */
import { describe, expect, it } from "vitest";
import { analyzeDeployability, CHECKS, DEPLOY_CHECKS, type DeployCheck } from "../../engine/deployability";
import { formatDeployabilityReport } from "../../engine/deployability/format";
import { upstreamStacksOf } from "../../engine/deployability/upstream";
import { res, STACK } from "./helpers";

const ns = res("kubernetes:core/v1:Namespace", "team", { metadata: { name: "team" } });
const alwaysFinds: DeployCheck = {
  name: "references",
  description: "finds the namespace",
  run: (ctx) => ctx.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => ({ check: "references", urn: r.urn, message: `namespace ${r.name} is referenced nowhere`, remediation: "delete it" })),
};

describe("deployability analysis", () => {
  it("registers exactly one check per class", () => {
    expect(CHECKS.map((c) => c.name).sort()).toEqual([...DEPLOY_CHECKS].sort());
    for (const c of CHECKS) expect(c.description, c.name).not.toMatch(/not implemented/);
  });

  it("collects the findings of each check with a timing per check", () => {
    const report = analyzeDeployability({ stack: STACK, resources: [ns], upstream: [] }, ["fixture-shared"], [alwaysFinds]);
    expect(report.findings).toEqual([expect.objectContaining({ check: "references", urn: ns.urn })]);
    expect(report.checks).toEqual([expect.objectContaining({ check: "references", findings: 1 })]);
    expect(report.upstreamStacks).toEqual(["fixture-shared"]);
  });

  it("prints the resource, the finding and the fix, and the upstream stacks it knew", () => {
    const text = formatDeployabilityReport(analyzeDeployability({ stack: STACK, resources: [ns], upstream: [] }, ["fixture-shared"], [alwaysFinds]));
    expect(text).toMatch(/DEPLOYABILITY references \(1\)/);
    expect(text).toMatch(/\[error\] team \(kubernetes:core\/v1:Namespace\)/);
    expect(text).toMatch(/namespace team is referenced nowhere/);
    expect(text).toMatch(/fix: delete it/);
    expect(text).toMatch(/deployability: 1 error\(s\) over 1 checks .* \(knowing what fixture-shared creates first\)/);
  });

  it("an env stack is analysed after its platform's shared stack; others stand alone", () => {
    expect(upstreamStacksOf("diaspomoney-prod")).toEqual(["diaspomoney-shared"]);
    expect(upstreamStacksOf("diaspomoney-shared")).toEqual([]);
    expect(upstreamStacksOf("quickfund-prod")).toEqual([]);
  });
});

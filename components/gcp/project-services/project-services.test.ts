import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { ProjectServices, resolveProjectServicesArgs } from "./index";

describe("ProjectServices", () => {
  it("enables each API once, through the given provider, and leaves them on at destroy", async () => {
    const { plan } = await runProgram(() => {
      const provider = new gcp.Provider("gcp", { project: "p-123456", region: "europe-west1" });
      new ProjectServices("svc", { project: "p-123456", services: ["run.googleapis.com", "sqladmin.googleapis.com"] }, { providers: [provider] });
    });
    const services = plan.ofType("gcp:projects/service:Service");
    expect(services.map((s) => s.inputs.service)).toEqual(["run.googleapis.com", "sqladmin.googleapis.com"]);
    for (const s of services) {
      expect(s.inputs).toMatchObject({ project: "p-123456", disableOnDestroy: false, disableDependentServices: false });
      expect(s.provider).toMatch(/pulumi:providers:gcp::gcp::/);
      expect(s.parent).toBe(plan.one("platform:gcp:ProjectServices").urn);
    }
  });

  it("can disable on destroy when asked", () => {
    expect(resolveProjectServicesArgs("x", { project: "p", services: ["run.googleapis.com"], disableOnDestroy: true }).disableOnDestroy).toBe(true);
  });

  it.each([
    [[], /services is empty/],
    [["sqladmin"], /API names like sqladmin.googleapis.com, got sqladmin/],
    [["run.googleapis.com", "run.googleapis.com"], /lists run.googleapis.com more than once/],
  ])("refuses %j", (services, message) => {
    expect(() => resolveProjectServicesArgs("x", { project: "p", services })).toThrow(ComponentArgsError);
    expect(() => resolveProjectServicesArgs("x", { project: "p", services })).toThrow(message);
  });
});

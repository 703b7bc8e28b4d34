import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import * as pulumi from "@pulumi/pulumi";
import { ProjectServices, apiForResourceType, resolveProjectServicesArgs } from "./index";

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

describe("ProjectServices gates the stack's GCP resources", () => {
  it("records a dependency on the enabling Service on every later GCP resource, even inside components", async () => {
    const { plan } = await runProgram(() => {
      const provider = new gcp.Provider("gcp", { project: "p-123456", region: "europe-west1" });
      new ProjectServices("svc", { project: "p-123456", services: ["cloudkms.googleapis.com", "storage.googleapis.com", "cloudresourcemanager.googleapis.com"] }, { providers: [provider] });
      const parent = new pulumi.ComponentResource("test:x:Keys", "keys", {}, { providers: [provider] });
      new gcp.kms.KeyRing("ring", { project: "p-123456", location: "europe-west1" }, { parent });
      new gcp.storage.Bucket("b", { project: "p-123456", location: "EU" }, { provider });
      new gcp.projects.IAMMember("m", { project: "p-123456", role: "roles/viewer", member: "user:a@example.com" }, { provider });
      new gcp.storage.Bucket("other", { project: "other-project", location: "EU" }, { provider });
    });
    const svc = (api: string) => plan.ofType("gcp:projects/service:Service").find((s) => s.inputs.service === api)!.urn;
    expect(plan.one("gcp:kms/keyRing:KeyRing", "ring").dependencies).toContain(svc("cloudkms.googleapis.com"));
    expect(plan.one("gcp:storage/bucket:Bucket", "b").dependencies).toContain(svc("storage.googleapis.com"));
    expect(plan.one("gcp:projects/iAMMember:IAMMember", "m").dependencies).toContain(svc("cloudresourcemanager.googleapis.com"));
    expect(plan.one("gcp:storage/bucket:Bucket", "other").dependencies).toEqual([]);
  });

  it("maps resource types to APIs", () => {
    expect(apiForResourceType("gcp:kms/keyRing:KeyRing")).toBe("cloudkms.googleapis.com");
    expect(apiForResourceType("gcp:projects/serviceIdentity:ServiceIdentity", { service: "storage.googleapis.com" })).toBe("storage.googleapis.com");
    expect(apiForResourceType("gcp:projects/service:Service")).toBeUndefined();
  });
});

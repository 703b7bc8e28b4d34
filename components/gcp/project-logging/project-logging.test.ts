import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { DEFAULT_SINK_FILTER, ProjectLogging, resolveProjectLoggingArgs } from "./index";

describe("ProjectLogging", () => {
  it("routes the _Default sink's logs to an EU bucket, excludes them from _Default, and audits data access", async () => {
    const { plan } = await runProgram(() => {
      const provider = new gcp.Provider("gcp", { project: "p-1", region: "europe-west1" });
      new ProjectLogging("p", { project: "p-1", location: "europe-west1", dataAccessAuditServices: ["storage.googleapis.com"], deletionProtection: false }, { providers: [provider] });
    });
    const bucket = plan.one("gcp:logging/projectBucketConfig:ProjectBucketConfig", "p-bucket");
    expect(bucket.inputs).toMatchObject({ project: "p-1", location: "europe-west1", bucketId: "eu-logs", retentionDays: 365, locked: false });
    const sink = plan.one("gcp:logging/projectSink:ProjectSink", "p-sink");
    expect(sink.inputs.filter).toBe(DEFAULT_SINK_FILTER);
    expect(sink.dependencies).toContain(bucket.urn);
    const exclusion = plan.one("gcp:logging/projectExclusion:ProjectExclusion", "p-default-exclusion");
    expect(exclusion.inputs.filter).toBe(DEFAULT_SINK_FILTER);
    // Nothing is dropped: the exclusion starts only once the EU sink exists.
    expect(exclusion.dependencies).toContain(sink.urn);
    const audit = plan.one("gcp:projects/iAMAuditConfig:IAMAuditConfig", "p-audit-storage");
    expect(audit.inputs).toMatchObject({ service: "storage.googleapis.com", auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }] });
    expect(audit.dependencies).toContain(sink.urn);
  });

  it("keeps everything but the _Required logs", () => {
    expect(DEFAULT_SINK_FILTER).toMatch(/NOT LOG_ID\("cloudaudit.googleapis.com\/activity"\)/);
    expect(DEFAULT_SINK_FILTER).not.toMatch(/data_access/);
  });

  it.each([
    [{ location: "global" }, /"global" is what this component moves logs away from/],
    [{ retentionDays: 0 }, /retentionDays 0/],
    [{ dataAccessAuditServices: ["storage"] }, /API names like storage.googleapis.com/],
    [{ bucketId: "_Default" }, /reserved/],
  ])("refuses %j", (bad, message) => {
    const args = { project: "p", location: "europe-west1", ...bad };
    expect(() => resolveProjectLoggingArgs("x", args)).toThrow(ComponentArgsError);
    expect(() => resolveProjectLoggingArgs("x", args)).toThrow(message);
  });
});

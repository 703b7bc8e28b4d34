import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { MONITORING_TYPE, Monitoring, MonitoringArgs, resolveMonitoringArgs } from "./index";

const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";
const CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel";

function args(overrides: Partial<MonitoringArgs> = {}): MonitoringArgs {
  return {
    project: "qf-prod",
    notificationEmails: ["ops@quickfund.fr"],
    uptimeHost: "quickfund.fr",
    apiServiceName: "qf-api",
    cloudSqlInstance: "qf-db",
    ...overrides,
  };
}

describe("Monitoring", () => {
  it("creates the channel, the HTTPS uptime check and four alert policies routed to the channel", async () => {
    const { plan } = await runProgram(() => {
      new Monitoring("qf", args({ labels: { app: "quickfund" }, notificationChannelIds: ["projects/qf-prod/notificationChannels/123"] }));
    });
    expect(plan.counts()).toEqual({
      "gcp:monitoring/alertPolicy:AlertPolicy": 4,
      "gcp:monitoring/notificationChannel:NotificationChannel": 1,
      "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": 1,
      "platform:gcp:Monitoring": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one(MONITORING_TYPE);
    for (const child of plan.resources.filter((r) => r.custom)) expect(child.parent, child.name).toBe(component.urn);

    const channel = plan.one(CHANNEL, "qf-email-ops-quickfund-fr");
    expect(channel.inputs).toMatchObject({ type: "email", labels: { email_address: "ops@quickfund.fr" }, userLabels: { app: "quickfund" }, project: "qf-prod" });

    const uptime = plan.one("gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig", "qf-uptime");
    expect(uptime.inputs).toMatchObject({
      period: "60s",
      timeout: "10s",
      httpCheck: { path: "/api/health", port: 443, useSsl: true, validateSsl: true },
      monitoredResource: { type: "uptime_url", labels: { project_id: "qf-prod", host: "quickfund.fr" } },
    });

    for (const p of plan.ofType(POLICY)) {
      // The created channel's name is unknown in a preview; the supplied one is known.
      expect(p.inputs.notificationChannels, p.name).toEqual([UNKNOWN, "projects/qf-prod/notificationChannels/123"]);
      expect(p.dependencies, p.name).toContain(channel.urn);
      expect(p.inputs).toMatchObject({ combiner: "OR", userLabels: { app: "quickfund" } });
    }

    const up = plan.one(POLICY, "qf-uptime");
    expect(up.inputs.severity).toBe("CRITICAL");
    expect(up.dependencies).toContain(uptime.urn);
    expect(valueAt(up.inputs, "conditions[0].conditionThreshold")).toMatchObject({
      filter: UNKNOWN, // carries the check id, known after creation
      comparison: "COMPARISON_GT",
      thresholdValue: 1,
      duration: "60s",
      aggregations: [{ perSeriesAligner: "ALIGN_NEXT_OLDER", crossSeriesReducer: "REDUCE_COUNT_FALSE" }],
    });

    const errors = valueAt(plan.one(POLICY, "qf-error-ratio").inputs, "conditions[0].conditionThreshold") as Record<string, unknown>;
    expect(errors.filter).toBe(
      'metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.label.service_name="qf-api" AND metric.label.response_code_class="5xx"',
    );
    expect(errors.denominatorFilter).toBe('metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.label.service_name="qf-api"');
    expect(errors).toMatchObject({ comparison: "COMPARISON_GT", thresholdValue: 0.05, duration: "300s" });

    const cpu = valueAt(plan.one(POLICY, "qf-cloudsql-cpu").inputs, "conditions[0].conditionThreshold") as Record<string, unknown>;
    expect(cpu.filter).toBe('metric.type="cloudsql.googleapis.com/database/cpu/utilization" AND resource.type="cloudsql_database" AND resource.label.database_id="qf-prod:qf-db"');
    expect(cpu).toMatchObject({ thresholdValue: 0.8, duration: "600s", comparison: "COMPARISON_GT" });
    const disk = valueAt(plan.one(POLICY, "qf-cloudsql-disk").inputs, "conditions[0].conditionThreshold") as Record<string, unknown>;
    expect(disk.filter).toBe('metric.type="cloudsql.googleapis.com/database/disk/utilization" AND resource.type="cloudsql_database" AND resource.label.database_id="qf-prod:qf-db"');
    expect(disk).toMatchObject({ thresholdValue: 0.85, duration: "300s" });
    expect(valueAt(plan.one(POLICY, "qf-cloudsql-disk").inputs, "conditions[0].displayName")).toBe("Cloud SQL disk above 85%");
  });

  it("skips the Cloud SQL alerts without an instance, and routes to existing channels only when no email is given", async () => {
    const { plan } = await runProgram(() => {
      new Monitoring("qf", args({ cloudSqlInstance: undefined, notificationEmails: [], notificationChannelIds: ["projects/qf-prod/notificationChannels/9"] }));
    });
    expect(plan.ofType(POLICY).map((p) => p.name).sort()).toEqual(["qf-error-ratio", "qf-uptime"]);
    expect(plan.ofType(CHANNEL)).toHaveLength(0);
    for (const p of plan.ofType(POLICY)) expect(p.inputs.notificationChannels).toEqual(["projects/qf-prod/notificationChannels/9"]);
  });

  it("adds an availability SLO with a fast-burn alert and a latency alert, without Cloud Run", async () => {
    const { plan } = await runProgram(() => {
      new Monitoring("dm", { project: "dm", uptimeHost: "app.diaspomoney.fr", availabilityObjective: 0.999, latencyThresholdMs: 50, allowNoNotification: true });
    });
    expect(plan.ofType(POLICY).map((p) => p.name).sort()).toEqual(["dm-availability-burn", "dm-latency", "dm-uptime"]);
    const slo = plan.one("gcp:monitoring/slo:Slo", "dm-availability-slo");
    expect(slo.inputs).toMatchObject({ goal: 0.999, rollingPeriodDays: 30, windowsBasedSli: { windowPeriod: "60s" } });
    expect(slo.dependencies).toContain(plan.one("gcp:monitoring/customService:CustomService", "dm-service").urn);
    const latency = plan.one(POLICY, "dm-latency");
    expect(valueAt(latency.inputs, "conditions[0].conditionThreshold.thresholdValue")).toBe(50);
    expect(valueAt(latency.inputs, "conditions[0].conditionThreshold.aggregations[0].crossSeriesReducer")).toBe("REDUCE_MIN");
    expect(valueAt(plan.one(POLICY, "dm-availability-burn").inputs, "conditions[0].conditionThreshold.thresholdValue")).toBe(10);
    expect(plan.ofType(CHANNEL)).toHaveLength(0);
  });

  it("refuses an objective or a latency that cannot be met", () => {
    expect(() => resolveMonitoringArgs("x", args({ availabilityObjective: 99.9 }))).toThrow(/fraction between 0 and 1/);
    expect(() => resolveMonitoringArgs("x", args({ latencyThresholdMs: 0 }))).toThrow(/positive number of milliseconds/);
    expect(() => resolveMonitoringArgs("x", args({ notificationEmails: [] }))).toThrow(/allowNoNotification/);
  });

  it("resolves each default in one place", () => {
    const r = resolveMonitoringArgs("qf", args({ cloudSqlInstance: undefined }));
    expect(r).toMatchObject({
      notificationChannelIds: [],
      uptimePath: "/api/health",
      uptimePeriod: "60s",
      uptimeTimeout: "10s",
      thresholds: { errorRatio: 0.05, cloudSqlCpu: 0.8, cloudSqlDisk: 0.85 },
      durations: { uptime: "60s", errorRatio: "300s", cloudSqlCpu: "600s", cloudSqlDisk: "300s" },
      labels: {},
    });
    expect(r.cloudSqlInstance).toBeUndefined();
    expect(resolveMonitoringArgs("qf", args({ notificationEmails: ["a@b.fr", "a@b.fr"] })).notificationEmails).toEqual(["a@b.fr"]);
  });

  describe("refuses loudly", () => {
    const cases: [string, Partial<MonitoringArgs>, RegExp][] = [
      ["alerts that notify nobody", { notificationEmails: [] }, /alerts would notify nobody/],
      ["a malformed email", { notificationEmails: ["ops-at-quickfund"] }, /"ops-at-quickfund" is not an email address/],
      ["a URL instead of a host", { uptimeHost: "https://quickfund.fr/" }, /must be a bare hostname/],
      ["an uptime period the API rejects", { uptimePeriod: "120s" }, /uptimePeriod "120s" must be one of/],
      ["an uptime timeout above 60 s", { uptimeTimeout: "90s" }, /uptimeTimeout "90s"/],
      ["a percentage instead of a fraction", { thresholds: { cloudSqlCpu: 80 } }, /thresholds.cloudSqlCpu 80 must be a fraction/],
      ["a zero error ratio", { thresholds: { errorRatio: 0 } }, /thresholds.errorRatio 0 must be a fraction/],
      ["a duration that is not whole minutes", { durations: { errorRatio: "90s" } }, /durations.errorRatio "90s" must be whole minutes/],
      ["an uptime path without a slash", { uptimePath: "health" }, /must start with "\/"/],
    ];
    for (const [what, override, message] of cases) {
      it(what, () => {
        const call = () => resolveMonitoringArgs("qf", args(override));
        expect(call).toThrow(ComponentArgsError);
        expect(call).toThrow(message);
        expect(call).toThrow(/^platform:gcp:Monitoring "qf"/);
      });
    }
  });
});

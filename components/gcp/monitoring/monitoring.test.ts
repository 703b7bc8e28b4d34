import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { BLINDED_SECRET } from "../../../model/plan-values";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { BURN_RATE_ALERTS, MONITORING_TYPE, Monitoring, MonitoringArgs, resolveMonitoringArgs, sloBurnRateFilter } from "./index";

const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";
const CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel";
const SLO = "gcp:monitoring/slo:Slo";
const SERVICE = "gcp:monitoring/customService:CustomService";
const RUN = 'resource.type="cloud_run_revision" AND resource.label.service_name="cc-api"';
const PD_KEY = "0123456789abcdef0123456789abcdef";

/** The alerts CryptoCare passes: cryptocare.md § 1.3 (critical) and § 8.3 (inflection, "action requise"). */
const CRYPTOCARE_ALERTS: MonitoringArgs["apiAlerts"] = {
  "latency-critical": { metric: "latencyP95Ms", threshold: 500, severity: "CRITICAL" },
  "errors-critical": { metric: "errorRatio", threshold: 0.001, severity: "CRITICAL" },
  "cpu-inflection": { metric: "cpu", threshold: 0.7, duration: "900s" },
  "latency-inflection": { metric: "latencyP95Ms", threshold: 400, documentation: "§ 8.3: optimise or cache." },
  "errors-inflection": { metric: "errorRatio", threshold: 0.005 },
  memory: { metric: "memory", threshold: 0.9, severity: "ERROR", duration: "600s" },
};

function cryptocare(overrides: Partial<MonitoringArgs> = {}): MonitoringArgs {
  return {
    project: "cc-prod",
    notificationEmails: ["ops@cryptocare.ch"],
    uptimeHost: "api.cryptocare.ch",
    apiServiceName: "cc-api",
    pagerDutyServiceKey: PD_KEY,
    apiAlerts: CRYPTOCARE_ALERTS,
    apiSlos: { availability: 0.999, latency: { thresholdMs: 500, objective: 0.95 } },
    labels: { app: "cryptocare" },
    ...overrides,
  };
}

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

  it("adds a PagerDuty channel whose key stays a secret, and routes every alert to it", async () => {
    const { plan } = await runProgram(() => {
      new Monitoring("cc", cryptocare({ notificationEmails: [], apiAlerts: undefined, apiSlos: undefined }));
    });
    const pd = plan.one(CHANNEL, "cc-pagerduty");
    expect(pd.inputs).toMatchObject({ type: "pagerduty", project: "cc-prod", userLabels: { app: "cryptocare" } });
    expect(valueAt(pd.inputs, "sensitiveLabels.serviceKey")).toEqual(BLINDED_SECRET);
    expect(pd.inputs.labels).toBeUndefined();
    expect(JSON.stringify(plan.resources)).not.toContain(PD_KEY);
    expect(plan.ofType(CHANNEL)).toHaveLength(1);
    for (const p of plan.ofType(POLICY)) {
      expect(p.inputs.notificationChannels, p.name).toEqual([UNKNOWN]);
      expect(p.dependencies, p.name).toContain(pd.urn);
    }
  });

  it("alerts on the API's p95 latency, 5xx ratio, CPU and memory with the caller's thresholds and severities", async () => {
    const { plan } = await runProgram(() => {
      new Monitoring("cc", cryptocare({ apiSlos: undefined }));
    });
    expect(plan.ofType(POLICY).map((p) => p.name).sort()).toEqual([
      "cc-api-cpu-inflection",
      "cc-api-errors-critical",
      "cc-api-errors-inflection",
      "cc-api-latency-critical",
      "cc-api-latency-inflection",
      "cc-api-memory",
      "cc-error-ratio",
      "cc-uptime",
    ]);
    const channelUrns = plan.ofType(CHANNEL).map((c) => c.urn);
    expect(channelUrns).toHaveLength(2); // email + PagerDuty
    const threshold = (n: string) => valueAt(plan.one(POLICY, n).inputs, "conditions[0].conditionThreshold") as Record<string, unknown>;
    const p95 = [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95", groupByFields: ["resource.label.service_name"] }];

    const latency = threshold("cc-api-latency-critical");
    expect(latency).toEqual({
      filter: `metric.type="run.googleapis.com/request_latencies" AND ${RUN}`,
      aggregations: p95,
      comparison: "COMPARISON_GT",
      thresholdValue: 500,
      duration: "300s",
      trigger: { count: 1 },
    });
    expect(plan.one(POLICY, "cc-api-latency-critical").inputs.severity).toBe("CRITICAL");
    expect(threshold("cc-api-latency-inflection")).toMatchObject({ thresholdValue: 400, duration: "300s" });
    expect(plan.one(POLICY, "cc-api-latency-inflection").inputs).toMatchObject({ severity: "WARNING", documentation: { mimeType: "text/markdown", content: "§ 8.3: optimise or cache." } });

    const errors = threshold("cc-api-errors-critical");
    expect(errors.filter).toBe(`metric.type="run.googleapis.com/request_count" AND ${RUN} AND metric.label.response_code_class="5xx"`);
    expect(errors.denominatorFilter).toBe(`metric.type="run.googleapis.com/request_count" AND ${RUN}`);
    expect(errors).toMatchObject({ thresholdValue: 0.001, aggregations: [{ perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_SUM" }], denominatorAggregations: [{ crossSeriesReducer: "REDUCE_SUM" }] });
    expect(plan.one(POLICY, "cc-api-errors-critical").inputs.severity).toBe("CRITICAL");
    expect(valueAt(plan.one(POLICY, "cc-api-errors-critical").inputs, "conditions[0].displayName")).toBe("5xx responses above 0.1% of API requests for 5 min");
    expect(threshold("cc-api-errors-inflection").thresholdValue).toBe(0.005);
    expect(plan.one(POLICY, "cc-api-errors-inflection").inputs.severity).toBe("WARNING");

    const cpu = threshold("cc-api-cpu-inflection");
    expect(cpu).toMatchObject({ filter: `metric.type="run.googleapis.com/container/cpu/utilizations" AND ${RUN}`, aggregations: p95, thresholdValue: 0.7, duration: "900s" });
    expect(plan.one(POLICY, "cc-api-cpu-inflection").inputs.severity).toBe("WARNING");
    expect(valueAt(plan.one(POLICY, "cc-api-cpu-inflection").inputs, "conditions[0].displayName")).toBe("p95 container CPU utilisation above 70% for 15 min");
    expect(String(valueAt(plan.one(POLICY, "cc-api-cpu-inflection").inputs, "documentation.content"))).toContain("above 70% CPU");
    const memory = threshold("cc-api-memory");
    expect(memory).toMatchObject({ filter: `metric.type="run.googleapis.com/container/memory/utilizations" AND ${RUN}`, thresholdValue: 0.9, duration: "600s" });
    expect(plan.one(POLICY, "cc-api-memory").inputs.severity).toBe("ERROR");

    // The historical 5xx alert is untouched (Quickfund's plan).
    expect(threshold("cc-error-ratio")).toMatchObject({ thresholdValue: 0.05, duration: "300s" });
    expect(plan.one(POLICY, "cc-error-ratio").inputs.severity).toBe("ERROR");
    for (const p of plan.ofType(POLICY)) {
      expect(p.inputs.notificationChannels, p.name).toEqual([UNKNOWN, UNKNOWN]);
      for (const c of channelUrns) expect(p.dependencies, p.name).toContain(c);
    }
  });

  it("adds request-based availability and latency SLOs with fast (page) and slow (ticket) multi-window burn-rate alerts", async () => {
    const { plan } = await runProgram(() => {
      new Monitoring("cc", cryptocare({ apiAlerts: undefined, availabilityObjective: 0.999 }));
    });
    const service = plan.one(SERVICE, "cc-api-service");
    expect(service.inputs).toMatchObject({ serviceId: "cc-api", project: "cc-prod" });
    // The uptime-based SLO stays beside it, on its own service.
    expect(plan.one(SERVICE, "cc-service").inputs.serviceId).toBe("cc-uptime");
    expect(plan.one(SLO, "cc-availability-slo").inputs.windowsBasedSli).toBeDefined();

    const availability = plan.one(SLO, "cc-api-availability-slo");
    expect(availability.inputs).toEqual({
      project: "cc-prod",
      service: "cc-api",
      sloId: "api-availability",
      displayName: "99.9% of API requests without 5xx over 30 days",
      goal: 0.999,
      rollingPeriodDays: 30,
      requestBasedSli: {
        goodTotalRatio: {
          badServiceFilter: `metric.type="run.googleapis.com/request_count" AND ${RUN} AND metric.label.response_code_class="5xx"`,
          totalServiceFilter: `metric.type="run.googleapis.com/request_count" AND ${RUN}`,
        },
      },
      userLabels: { app: "cryptocare" },
    });
    expect(availability.dependencies).toContain(service.urn);
    const latency = plan.one(SLO, "cc-api-latency-slo");
    expect(latency.inputs).toMatchObject({ sloId: "api-latency", goal: 0.95, rollingPeriodDays: 30 });
    expect(latency.inputs.requestBasedSli).toEqual({ distributionCut: { distributionFilter: `metric.type="run.googleapis.com/request_latencies" AND ${RUN}`, range: { max: 500 } } });

    const burns = plan.ofType(POLICY).filter((p) => p.name.includes("-burn") && p.name.startsWith("cc-slo-"));
    expect(burns.map((p) => p.name).sort()).toEqual(["cc-slo-availability-fast-burn", "cc-slo-availability-slow-burn", "cc-slo-latency-fast-burn", "cc-slo-latency-slow-burn"]);
    const expected = {
      fast: { severity: "CRITICAL", factor: 14.4, windows: ["Burn rate above 14.4 over 1 h", "Burn rate above 14.4 over 5 min"] },
      slow: { severity: "WARNING", factor: 6, windows: ["Burn rate above 6 over 6 h", "Burn rate above 6 over 30 min"] },
    };
    for (const sli of ["availability", "latency"]) {
      for (const speed of ["fast", "slow"] as const) {
        const p = plan.one(POLICY, `cc-slo-${sli}-${speed}-burn`);
        const conditions = p.inputs.conditions as { displayName: string; conditionThreshold: Record<string, unknown> }[];
        expect(p.inputs, p.name).toMatchObject({ combiner: "AND", severity: expected[speed].severity });
        expect(conditions.map((c) => c.displayName)).toEqual(expected[speed].windows);
        for (const c of conditions) {
          // The SLO's full name is known after creation only.
          expect(c.conditionThreshold).toEqual({ filter: UNKNOWN, comparison: "COMPARISON_GT", thresholdValue: expected[speed].factor, duration: "0s" });
        }
        expect(p.dependencies).toContain(plan.one(SLO, `cc-api-${sli}-slo`).urn);
        expect(p.dependencies).toContain(plan.one(CHANNEL, "cc-pagerduty").urn);
      }
    }
    expect(String(valueAt(plan.one(POLICY, "cc-slo-availability-fast-burn").inputs, "documentation.content"))).toContain("gone in 2.1 days");
    expect(sloBurnRateFilter("projects/p/services/cc-api/serviceLevelObjectives/api-latency", "21600s")).toBe(
      'select_slo_burn_rate("projects/p/services/cc-api/serviceLevelObjectives/api-latency", "21600s")',
    );
    expect(BURN_RATE_ALERTS.map((b) => [b.longWindow, b.shortWindow])).toEqual([["3600s", "300s"], ["21600s", "1800s"]]);
  });

  it("makes only the SLOs asked for, over the window asked for", async () => {
    const { plan } = await runProgram(() => {
      new Monitoring("cc", cryptocare({ apiAlerts: undefined, pagerDutyServiceKey: undefined, apiSlos: { latency: { thresholdMs: 300, objective: 0.99 }, rollingDays: 7 } }));
    });
    expect(plan.ofType(SLO).map((s) => s.name)).toEqual(["cc-api-latency-slo"]);
    expect(plan.one(SLO, "cc-api-latency-slo").inputs).toMatchObject({ rollingPeriodDays: 7, displayName: "99% of API requests under 300 ms over 7 days" });
    expect(plan.ofType(CHANNEL).map((c) => c.name)).toEqual(["cc-email-ops-cryptocare-ch"]);
  });

  it("resolves the API alerts' and SLOs' defaults", () => {
    const r = resolveMonitoringArgs("cc", cryptocare({ apiSlos: { availability: 0.999 } }));
    expect(r.apiAlerts["errors-inflection"]).toMatchObject({ duration: "300s", severity: "WARNING" });
    expect(r.apiAlerts["errors-inflection"].documentation).toContain("More than 0.5% of the API's requests");
    expect(r.apiSlos).toEqual({ availability: 0.999, rollingDays: 30 });
    const bare = resolveMonitoringArgs("qf", args());
    expect(bare.apiAlerts).toEqual({});
    expect(bare.apiSlos).toBeUndefined();
    expect(bare.pagerDutyServiceKey).toBeUndefined();
  });

  describe("refuses bad API alerts, SLOs and PagerDuty keys", () => {
    const cases: [string, Partial<MonitoringArgs>, RegExp][] = [
      ["API alerts without a Cloud Run service", { apiServiceName: undefined, apiSlos: undefined }, /apiAlerts \(latency-critical, .*\) need apiServiceName/],
      ["a CPU percentage instead of a fraction", { apiAlerts: { cpu: { metric: "cpu", threshold: 70 } } }, /apiAlerts.cpu.threshold 70 must be a fraction between 0 and 1 for cpu/],
      ["an error ratio of 1", { apiAlerts: { e: { metric: "errorRatio", threshold: 1 } } }, /apiAlerts.e.threshold 1 must be a fraction/],
      ["a zero latency", { apiAlerts: { l: { metric: "latencyP95Ms", threshold: 0 } } }, /apiAlerts.l.threshold 0 must be a positive number of milliseconds/],
      ["a latency given in seconds as a fraction is still positive, but NaN is not", { apiAlerts: { l: { metric: "latencyP95Ms", threshold: Number.NaN } } }, /positive number of milliseconds/],
      ["an unknown metric", { apiAlerts: { x: { metric: "p99" as never, threshold: 1 } } }, /apiAlerts.x.metric "p99" must be one of latencyP95Ms, errorRatio, cpu, memory/],
      ["a key that cannot name a resource", { apiAlerts: { "CPU High": { metric: "cpu", threshold: 0.7 } } }, /apiAlerts key "CPU High" must be a lowercase slug/],
      ["an unknown severity", { apiAlerts: { c: { metric: "cpu", threshold: 0.7, severity: "PAGE" as never } } }, /apiAlerts.c.severity "PAGE" must be one of CRITICAL, ERROR, WARNING/],
      ["a duration that is not whole minutes", { apiAlerts: { c: { metric: "cpu", threshold: 0.7, duration: "90s" } } }, /apiAlerts.c.duration "90s" must be whole minutes/],
      ["SLOs without a Cloud Run service", { apiServiceName: undefined, apiAlerts: undefined }, /apiSlos need apiServiceName/],
      ["SLOs without an objective", { apiSlos: {} }, /apiSlos has neither availability nor latency/],
      ["an availability above Cloud Monitoring's limit", { apiSlos: { availability: 0.9999 } }, /apiSlos.availability 0.9999 must be a fraction above 0 and at most 0.999/],
      ["an availability in percent", { apiSlos: { availability: 99.9 } }, /apiSlos.availability 99.9 must be a fraction/],
      ["a latency objective of 1", { apiSlos: { latency: { thresholdMs: 500, objective: 1 } } }, /apiSlos.latency.objective 1 must be a fraction/],
      ["a latency SLO threshold of 0 ms", { apiSlos: { latency: { thresholdMs: 0, objective: 0.95 } } }, /apiSlos.latency.thresholdMs 0 must be a positive number of milliseconds/],
      ["a 31-day window", { apiSlos: { availability: 0.999, rollingDays: 31 } }, /apiSlos.rollingDays 31 must be a whole number of days from 1 to 30/],
      ["an empty PagerDuty key", { pagerDutyServiceKey: " " }, /pagerDutyServiceKey is an empty string/],
    ];
    for (const [what, override, message] of cases) {
      it(what, () => {
        const call = () => resolveMonitoringArgs("cc", cryptocare(override));
        expect(call).toThrow(ComponentArgsError);
        expect(call).toThrow(message);
        expect(call).toThrow(/^platform:gcp:Monitoring "cc"/);
      });
    }
    it("accepts PagerDuty as the only channel", () => {
      expect(() => resolveMonitoringArgs("cc", cryptocare({ notificationEmails: [] }))).not.toThrow();
    });
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

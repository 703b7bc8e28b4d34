/**
 * Cloud Monitoring for a web platform: email notification channels, an HTTPS uptime check on the
 * API's health path, and alert policies (uptime failing, 5xx ratio, Cloud SQL CPU and disk).
 * docs/platforms/quickfund.md § Monitoring et alertes: "Uptime monitoring — GCP + alertes custom",
 * "Alertes en place sur tous les services critiques. Notification immédiate en cas de panne."
 * The document gives no numeric threshold: every threshold and duration here is a team default.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CommonArgs, ComponentArgsError, Labels, mergeLabels } from "../../common/conventions";

export const MONITORING_TYPE = "platform:gcp:Monitoring";

/** Alert thresholds (team defaults; quickfund.md gives no figures). */
export interface MonitoringThresholds {
  /**
   * Share of the API's requests answered 5xx over `errorRatioWindow` that alerts (0–1).
   * @default 0.05
   */
  errorRatio?: number;
  /**
   * Cloud SQL CPU utilisation (0–1) sustained for `cloudSqlCpuDuration`.
   * @default 0.8
   */
  cloudSqlCpu?: number;
  /**
   * Cloud SQL disk utilisation (0–1).
   * @default 0.85
   */
  cloudSqlDisk?: number;
}

/** How long a condition must hold before it alerts (whole minutes, e.g. "300s"). */
export interface MonitoringDurations {
  /**
   * Uptime check failing. Short: "Notification immédiate en cas de panne".
   * @default "60s"
   */
  uptime?: string;
  /** @default "300s" */
  errorRatio?: string;
  /** @default "600s" */
  cloudSqlCpu?: string;
  /** @default "300s" */
  cloudSqlDisk?: string;
}

export interface MonitoringArgs extends CommonArgs {
  /** Project id (uptime check resource labels, Cloud SQL database id). */
  project: string;
  /**
   * Email addresses notified by every alert (one channel each).
   * @default []
   */
  notificationEmails?: string[];
  /**
   * Existing notification channel ids (`projects/…/notificationChannels/…`), e.g. SMS or PagerDuty.
   * @default []
   */
  notificationChannelIds?: pulumi.Input<string>[];
  /** Public hostname the uptime check calls over HTTPS (through the load balancer). */
  uptimeHost: string;
  /**
   * Health path of the API on that host.
   * @default "/api/health"
   */
  uptimePath?: string;
  /**
   * How often the uptime check runs: 60s, 300s, 600s or 900s.
   * @default "60s"
   */
  uptimePeriod?: string;
  /**
   * Uptime check timeout (1–60 s).
   * @default "10s"
   */
  uptimeTimeout?: string;
  /**
   * Cloud Run service name of the API (for the 5xx ratio); without it, no 5xx alert (an app that
   * does not run on Cloud Run measures its errors elsewhere, e.g. Prometheus).
   * @default undefined
   */
  apiServiceName?: pulumi.Input<string>;
  /**
   * Availability objective of the uptime check (e.g. 0.999 for diaspomoney.md § Métriques
   * Application "Uptime > 99.9%"): a Cloud Monitoring service and SLO over `rollingDays`, each
   * minute good when the check passes from a checker, and a fast-burn alert (error budget spent 10×
   * faster than sustainable over an hour, Google SRE workbook "Alerting on SLOs").
   * @default undefined (no SLO)
   */
  availabilityObjective?: number;
  /**
   * Window of the SLO, in days (1–30).
   * @default 30
   */
  sloRollingDays?: number;
  /**
   * Alert when the uptime check's request latency, from the fastest (nearest) checker region,
   * exceeds this many milliseconds over 5 minutes (e.g. 50 for diaspomoney.md § Métriques
   * Infrastructure "Network Latency < 50ms"). The metric covers the whole HTTPS request (DNS,
   * TCP, TLS, response), so it bounds the network latency from above.
   * @default undefined (no latency alert)
   */
  latencyThresholdMs?: number;
  /**
   * Accept no notification channel: alerts then only open incidents in Cloud Monitoring. For a
   * platform whose on-call routing lives elsewhere (Alertmanager) until a channel id is passed.
   * @default false
   */
  allowNoNotification?: boolean;
  /**
   * Cloud SQL instance name; without it, no Cloud SQL alerts.
   * @default undefined
   */
  cloudSqlInstance?: pulumi.Input<string>;
  /** @default see MonitoringThresholds */
  thresholds?: MonitoringThresholds;
  /** @default see MonitoringDurations */
  durations?: MonitoringDurations;
}

export interface ResolvedMonitoringArgs {
  project: string;
  notificationEmails: string[];
  notificationChannelIds: pulumi.Input<string>[];
  uptimeHost: string;
  uptimePath: string;
  uptimePeriod: string;
  uptimeTimeout: string;
  apiServiceName?: pulumi.Input<string>;
  cloudSqlInstance?: pulumi.Input<string>;
  availabilityObjective?: number;
  sloRollingDays: number;
  latencyThresholdMs?: number;
  thresholds: Required<MonitoringThresholds>;
  durations: Required<MonitoringDurations>;
  labels: Labels;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HOST = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const UPTIME_PERIODS = ["60s", "300s", "600s", "900s"];

/** 0.05 → "5%", 0.875 → "87.5%" (without floating-point noise). */
function pct(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

function seconds(value: string): number | undefined {
  const m = /^(\d+)s$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

export function resolveMonitoringArgs(name: string, args: MonitoringArgs): ResolvedMonitoringArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(MONITORING_TYPE, name, detail);
  };
  const notificationEmails = [...new Set(args.notificationEmails ?? [])];
  const notificationChannelIds = args.notificationChannelIds ?? [];
  // quickfund.md § Monitoring et alertes: "Notification immédiate en cas de panne".
  if (notificationEmails.length === 0 && notificationChannelIds.length === 0 && !args.allowNoNotification) {
    fail("no notificationEmails and no notificationChannelIds: alerts would notify nobody (set allowNoNotification to accept incidents only)");
  }
  if (args.availabilityObjective !== undefined && !(args.availabilityObjective > 0 && args.availabilityObjective < 1)) {
    fail(`availabilityObjective ${args.availabilityObjective} must be a fraction between 0 and 1 (e.g. 0.999 for 99.9%)`);
  }
  const sloRollingDays = args.sloRollingDays ?? 30;
  if (!Number.isInteger(sloRollingDays) || sloRollingDays < 1 || sloRollingDays > 30) fail(`sloRollingDays ${sloRollingDays} must be a whole number of days from 1 to 30`);
  if (args.latencyThresholdMs !== undefined && !(args.latencyThresholdMs > 0)) fail(`latencyThresholdMs ${args.latencyThresholdMs} must be a positive number of milliseconds`);
  for (const e of notificationEmails) if (!EMAIL.test(e)) fail(`notification email "${e}" is not an email address`);

  if (!HOST.test(args.uptimeHost)) fail(`uptimeHost "${args.uptimeHost}" must be a bare hostname (no scheme, no path)`);
  const uptimePath = args.uptimePath ?? "/api/health";
  if (!uptimePath.startsWith("/")) fail(`uptimePath "${uptimePath}" must start with "/"`);
  const uptimePeriod = args.uptimePeriod ?? "60s";
  if (!UPTIME_PERIODS.includes(uptimePeriod)) fail(`uptimePeriod "${uptimePeriod}" must be one of ${UPTIME_PERIODS.join(", ")}`);
  const uptimeTimeout = args.uptimeTimeout ?? "10s";
  const timeoutSec = seconds(uptimeTimeout);
  if (timeoutSec === undefined || timeoutSec < 1 || timeoutSec > 60) fail(`uptimeTimeout "${uptimeTimeout}" must be between "1s" and "60s"`);

  const thresholds = {
    errorRatio: args.thresholds?.errorRatio ?? 0.05,
    cloudSqlCpu: args.thresholds?.cloudSqlCpu ?? 0.8,
    cloudSqlDisk: args.thresholds?.cloudSqlDisk ?? 0.85,
  };
  for (const [key, value] of Object.entries(thresholds)) {
    // Utilisation and ratios are fractions: 80 instead of 0.8 would never alert.
    if (!(value > 0 && value < 1)) fail(`thresholds.${key} ${value} must be a fraction between 0 and 1 (e.g. 0.8 for 80%)`);
  }
  const durations = {
    uptime: args.durations?.uptime ?? "60s",
    errorRatio: args.durations?.errorRatio ?? "300s",
    cloudSqlCpu: args.durations?.cloudSqlCpu ?? "600s",
    cloudSqlDisk: args.durations?.cloudSqlDisk ?? "300s",
  };
  for (const [key, value] of Object.entries(durations)) {
    const s = seconds(value);
    if (s === undefined || s % 60 !== 0) fail(`durations.${key} "${value}" must be whole minutes in seconds, e.g. "300s"`);
  }

  return {
    project: args.project,
    notificationEmails,
    notificationChannelIds,
    uptimeHost: args.uptimeHost,
    uptimePath,
    uptimePeriod,
    uptimeTimeout,
    ...(args.apiServiceName !== undefined ? { apiServiceName: args.apiServiceName } : {}),
    ...(args.cloudSqlInstance !== undefined ? { cloudSqlInstance: args.cloudSqlInstance } : {}),
    ...(args.availabilityObjective !== undefined ? { availabilityObjective: args.availabilityObjective } : {}),
    sloRollingDays,
    ...(args.latencyThresholdMs !== undefined ? { latencyThresholdMs: args.latencyThresholdMs } : {}),
    thresholds,
    durations,
    labels: mergeLabels(args.labels),
  };
}

/** `ops@quickfund.fr` → `ops-quickfund-fr`: a stable child name that does not move when the list is reordered. */
function emailSlug(email: string): string {
  return email.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export class Monitoring extends pulumi.ComponentResource {
  /** Every channel the alerts notify (created and supplied). */
  public readonly notificationChannelIds: pulumi.Output<string[]>;
  public readonly uptimeCheckId: pulumi.Output<string>;
  /** Alert key (`uptime`, `availability-burn`, `latency`, `error-ratio`, `cloudsql-cpu`, `cloudsql-disk`) → alert policy name. */
  public readonly alertPolicyIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MONITORING_TYPE, name, {}, opts);
    const r = resolveMonitoringArgs(name, args);

    const created = r.notificationEmails.map(
      (email) =>
        new gcp.monitoring.NotificationChannel(
          `${name}-email-${emailSlug(email)}`,
          { project: r.project, type: "email", displayName: `${name} alerts: ${email}`, labels: { email_address: email }, userLabels: r.labels },
          { parent: this },
        ),
    );
    const channels: pulumi.Input<string>[] = [...created.map((c) => c.name), ...r.notificationChannelIds];

    const uptime = new gcp.monitoring.UptimeCheckConfig(
      `${name}-uptime`,
      {
        project: r.project,
        displayName: `${name} API health (https://${r.uptimeHost}${r.uptimePath})`,
        period: r.uptimePeriod,
        timeout: r.uptimeTimeout,
        // "HTTPS partout" (quickfund.md § Sécurité): the check also fails on an invalid certificate.
        httpCheck: { path: r.uptimePath, port: 443, useSsl: true, validateSsl: true, requestMethod: "GET" },
        monitoredResource: { type: "uptime_url", labels: { project_id: r.project, host: r.uptimeHost } },
        userLabels: r.labels,
      },
      { parent: this },
    );

    const policy = (key: string, displayName: string, severity: string, condition: gcp.types.input.monitoring.AlertPolicyCondition, doc: string) =>
      new gcp.monitoring.AlertPolicy(
        `${name}-${key}`,
        {
          project: r.project,
          displayName: `${name}: ${displayName}`,
          combiner: "OR",
          severity,
          conditions: [condition],
          notificationChannels: channels,
          documentation: { mimeType: "text/markdown", content: doc },
          userLabels: r.labels,
        },
        { parent: this },
      );

    const policies: Record<string, gcp.monitoring.AlertPolicy> = {};
    // Google's own uptime alert shape: per check, count failing regions; alert when more than one fails.
    policies.uptime = policy(
      "uptime",
      "API uptime check failing",
      "CRITICAL",
      {
        displayName: "Uptime check failing from more than one region",
        conditionThreshold: {
          filter: pulumi.interpolate`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="${uptime.uptimeCheckId}"`,
          aggregations: [{ alignmentPeriod: "1200s", perSeriesAligner: "ALIGN_NEXT_OLDER", crossSeriesReducer: "REDUCE_COUNT_FALSE", groupByFields: ["resource.label.*"] }],
          comparison: "COMPARISON_GT",
          thresholdValue: 1,
          duration: r.durations.uptime,
          trigger: { count: 1 },
        },
      },
      `https://${r.uptimeHost}${r.uptimePath} fails from several checker regions. Check the load balancer, the API's Cloud Run revisions and Cloud SQL.`,
    );

    if (r.availabilityObjective !== undefined) {
      const service = new gcp.monitoring.CustomService(
        `${name}-service`,
        { project: r.project, serviceId: `${name}-uptime`.slice(0, 63), displayName: `${name} (https://${r.uptimeHost})`, userLabels: r.labels },
        { parent: this },
      );
      // A minute is good when the check passed from any checker in it (windowsBasedSli over a BOOL metric).
      const slo = new gcp.monitoring.Slo(
        `${name}-availability-slo`,
        {
          project: r.project,
          service: service.serviceId,
          sloId: "availability",
          displayName: `${pct(r.availabilityObjective)} of minutes up over ${r.sloRollingDays} days`,
          goal: r.availabilityObjective,
          rollingPeriodDays: r.sloRollingDays,
          windowsBasedSli: {
            windowPeriod: "60s",
            goodBadMetricFilter: pulumi.interpolate`metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="${uptime.uptimeCheckId}"`,
          },
          userLabels: r.labels,
        },
        { parent: this },
      );
      // Fast burn: 10× the sustainable rate over one hour spends ~1.4% of a 30-day budget per hour.
      policies["availability-burn"] = policy(
        "availability-burn",
        `Availability SLO (${pct(r.availabilityObjective)}) burning fast`,
        "CRITICAL",
        {
          displayName: "Error budget burn rate above 10 over 1 hour",
          conditionThreshold: {
            filter: pulumi.interpolate`select_slo_burn_rate("${slo.name}", "3600s")`,
            comparison: "COMPARISON_GT",
            thresholdValue: 10,
            duration: "0s",
          },
        },
        `https://${r.uptimeHost}${r.uptimePath} is failing often enough to miss the ${pct(r.availabilityObjective)} objective within days.`,
      );
    }

    if (r.latencyThresholdMs !== undefined) {
      policies.latency = policy(
        "latency",
        `Request latency above ${r.latencyThresholdMs} ms`,
        "WARNING",
        {
          displayName: `Uptime check latency from the nearest checker above ${r.latencyThresholdMs} ms`,
          conditionThreshold: {
            filter: pulumi.interpolate`metric.type="monitoring.googleapis.com/uptime_check/request_latency" AND resource.type="uptime_url" AND metric.label.check_id="${uptime.uptimeCheckId}"`,
            // The minimum across checker regions: the nearest one (Europe) is the fairest bound.
            aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_MEAN", crossSeriesReducer: "REDUCE_MIN", groupByFields: ["metric.label.check_id"] }],
            comparison: "COMPARISON_GT",
            thresholdValue: r.latencyThresholdMs,
            duration: "300s",
            trigger: { count: 1 },
          },
        },
        `Even the nearest checker sees https://${r.uptimeHost}${r.uptimePath} answer in more than ${r.latencyThresholdMs} ms: check the load balancer, Traefik and the app's pods.`,
      );
    }

    if (r.apiServiceName !== undefined) {
      const runFilter = pulumi.interpolate`metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.label.service_name="${r.apiServiceName}"`;
      const sum = [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.service_name"] }];
      policies["error-ratio"] = policy(
        "error-ratio",
        "API 5xx ratio",
        "ERROR",
        {
          displayName: `5xx responses above ${pct(r.thresholds.errorRatio)} of API requests`,
          conditionThreshold: {
            filter: pulumi.interpolate`${runFilter} AND metric.label.response_code_class="5xx"`,
            aggregations: sum,
            denominatorFilter: runFilter,
            denominatorAggregations: sum,
            comparison: "COMPARISON_GT",
            thresholdValue: r.thresholds.errorRatio,
            duration: r.durations.errorRatio,
            trigger: { count: 1 },
          },
        },
        "The API answers too many 5xx. Check the Cloud Run logs of the API and its dependencies (Cloud SQL, Stripe, Twilio).",
      );
    }

    if (r.cloudSqlInstance !== undefined) {
      // Cloud SQL's database_id label is "<project>:<instance>".
      const sqlFilter = (metric: string) =>
        pulumi.interpolate`metric.type="cloudsql.googleapis.com/database/${metric}" AND resource.type="cloudsql_database" AND resource.label.database_id="${r.project}:${r.cloudSqlInstance}"`;
      const mean = [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_MEAN" }];
      policies["cloudsql-cpu"] = policy(
        "cloudsql-cpu",
        "Cloud SQL CPU utilisation",
        "WARNING",
        {
          displayName: `Cloud SQL CPU above ${pct(r.thresholds.cloudSqlCpu)}`,
          conditionThreshold: { filter: sqlFilter("cpu/utilization"), aggregations: mean, comparison: "COMPARISON_GT", thresholdValue: r.thresholds.cloudSqlCpu, duration: r.durations.cloudSqlCpu, trigger: { count: 1 } },
        },
        "Sustained high CPU on the PostgreSQL instance: look for slow queries (Query Insights) or raise the tier.",
      );
      policies["cloudsql-disk"] = policy(
        "cloudsql-disk",
        "Cloud SQL disk utilisation",
        "WARNING",
        {
          displayName: `Cloud SQL disk above ${pct(r.thresholds.cloudSqlDisk)}`,
          conditionThreshold: { filter: sqlFilter("disk/utilization"), aggregations: mean, comparison: "COMPARISON_GT", thresholdValue: r.thresholds.cloudSqlDisk, duration: r.durations.cloudSqlDisk, trigger: { count: 1 } },
        },
        "The PostgreSQL disk is filling up: check storage auto-increase and its limit, and table/WAL growth.",
      );
    }

    this.notificationChannelIds = pulumi.all(channels);
    this.uptimeCheckId = uptime.uptimeCheckId;
    this.alertPolicyIds = pulumi.output(Object.fromEntries(Object.entries(policies).map(([k, p]) => [k, p.name])));
    this.registerOutputs({ notificationChannelIds: this.notificationChannelIds, uptimeCheckId: this.uptimeCheckId, alertPolicyIds: this.alertPolicyIds });
  }
}

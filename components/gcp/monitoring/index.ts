/**
 * Cloud Monitoring for a web platform: email notification channels, an HTTPS uptime check on the
 * API's health path, and alert policies (uptime failing, 5xx ratio, Cloud SQL CPU and disk).
 * docs/platforms/quickfund.md § Monitoring et alertes: "Uptime monitoring — GCP + alertes custom",
 * "Alertes en place sur tous les services critiques. Notification immédiate en cas de panne."
 * The document gives no numeric threshold: every threshold and duration here is a team default.
 * For an API on Cloud Run (cryptocare.md § 1.3, § 4.3.2, § 8.3) it also adds a PagerDuty channel,
 * threshold alerts on the service's p95 latency, 5xx ratio, CPU and memory, and request-based SLOs
 * with multi-window burn-rate alerts; the figures come from the caller (the stack cites them).
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

/** Alert severities Cloud Monitoring knows (AlertPolicy `severity`). */
export type AlertSeverity = "CRITICAL" | "ERROR" | "WARNING";

/** What an API alert compares, all on the API's Cloud Run service over 5-minute windows. */
export type ApiAlertMetric = "latencyP95Ms" | "errorRatio" | "cpu" | "memory";

/**
 * One threshold alert on the API's Cloud Run service. Several per metric are allowed (e.g. a
 * WARNING at 400 ms and a CRITICAL at 500 ms for cryptocare.md § 8.3 and § 1.3).
 */
export interface ApiAlert {
  /**
   * `latencyP95Ms`: 95th percentile of `run.googleapis.com/request_latencies` (ms); `errorRatio`:
   * 5xx / all of `run.googleapis.com/request_count`; `cpu` / `memory`: 95th percentile of the
   * instances' `run.googleapis.com/container/{cpu,memory}/utilizations` (0–1).
   */
  metric: ApiAlertMetric;
  /** Alert above this value: milliseconds (> 0) for `latencyP95Ms`, a fraction in (0, 1) otherwise. */
  threshold: number;
  /**
   * How long the value must stay above the threshold (whole minutes, e.g. "900s" for "soutenu").
   * @default "300s"
   */
  duration?: string;
  /**
   * Severity shown in the incident and the notification.
   * @default "WARNING"
   */
  severity?: AlertSeverity;
  /**
   * Markdown sent with the notification (what to check, what to do).
   * @default a sentence per metric naming what to check
   */
  documentation?: string;
}

/**
 * Request-based SLOs on the API's Cloud Run service, each with two multi-window burn-rate alerts
 * (Google SRE workbook, "Alerting on SLOs"): fast (14.4× over 1 h and 5 min, CRITICAL, pages) and
 * slow (6× over 6 h and 30 min, WARNING, a ticket).
 */
export interface ApiSlos {
  /**
   * Share of requests not answered 5xx (e.g. 0.999 for cryptocare.md § 1.3 "Disponibilité: 99.9%").
   * Cloud Monitoring accepts goals up to 0.999.
   * @default undefined (no availability SLO)
   */
  availability?: number;
  /**
   * Share of requests answered within `thresholdMs` (e.g. { thresholdMs: 500, objective: 0.95 }
   * for § 1.3 "Temps de réponse de l'API: < 500ms (95ème percentile)").
   * @default undefined (no latency SLO)
   */
  latency?: { thresholdMs: number; objective: number };
  /**
   * SLO window in days (1–30). The burn-rate factors are the workbook's for 30 days.
   * @default 30
   */
  rollingDays?: number;
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
  /**
   * Integration key of the PagerDuty service's "Google Cloud Monitoring" integration (a secret):
   * adds a `pagerduty` notification channel that every alert notifies (cryptocare.md § 4.3.2
   * "Alerting avancé avec PagerDuty").
   * @default undefined (no PagerDuty channel)
   */
  pagerDutyServiceKey?: pulumi.Input<string>;
  /**
   * Threshold alerts on the API's Cloud Run service (needs `apiServiceName`), keyed by a stable
   * slug: each is an alert policy `${name}-api-<key>`.
   * @default {} (none)
   */
  apiAlerts?: Record<string, ApiAlert>;
  /**
   * Request-based SLOs on the API's Cloud Run service (needs `apiServiceName`). The uptime-based
   * `availabilityObjective` SLO is separate and unchanged.
   * @default undefined (no API SLO)
   */
  apiSlos?: ApiSlos;
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
  pagerDutyServiceKey?: pulumi.Input<string>;
  apiAlerts: Record<string, Required<ApiAlert>>;
  apiSlos?: { availability?: number; latency?: { thresholdMs: number; objective: number }; rollingDays: number };
  labels: Labels;
}

/**
 * Multi-window burn-rate alerts, Google SRE workbook "Alerting on SLOs" (table 5-8): a burn rate
 * of 14.4 for an hour spends 2% of a 30-day budget (page); 6 for six hours spends 5% (ticket). The
 * short window (1/12 of the long one) makes the alert stop soon after the burn stops.
 */
export const BURN_RATE_ALERTS = [
  { speed: "fast", factor: 14.4, longWindow: "3600s", shortWindow: "300s", severity: "CRITICAL" },
  { speed: "slow", factor: 6, longWindow: "21600s", shortWindow: "1800s", severity: "WARNING" },
] as const;

const SEVERITIES: AlertSeverity[] = ["CRITICAL", "ERROR", "WARNING"];
const API_METRICS: ApiAlertMetric[] = ["latencyP95Ms", "errorRatio", "cpu", "memory"];
const KEY = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
/** Slo `goal` upper bound in @pulumi/gcp 9.37 (monitoring/slo.d.ts: "0 < goal <= 0.999"). */
const MAX_SLO_GOAL = 0.999;

function defaultApiAlertDoc(metric: ApiAlertMetric, threshold: number): string {
  switch (metric) {
    case "latencyP95Ms":
      return `The API's 95th-percentile response time is above ${threshold} ms. Check slow queries (Cloud SQL Query Insights), slow external calls, cold starts (minimum instances) and caching.`;
    case "errorRatio":
      return `More than ${pct(threshold)} of the API's requests are answered 5xx. Check the API's Cloud Run logs, the last revision, and its dependencies (Cloud SQL, external APIs).`;
    case "cpu":
      return `The API's instances run above ${pct(threshold)} CPU (95th percentile across instances). Scale out (maximum instances) or up (CPU per instance), or find the CPU-bound path.`;
    case "memory":
      return `The API's instances use more than ${pct(threshold)} of their memory limit (95th percentile across instances). An instance that exceeds it is killed with its requests: look for a leak or raise the limit.`;
  }
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

/**
 * The condition filter of a burn-rate alert: the SLO's full resource name
 * (`projects/…/services/…/serviceLevelObjectives/…`) and the lookback window.
 */
export function sloBurnRateFilter(sloName: string, window: string): string {
  return `select_slo_burn_rate("${sloName}", "${window}")`;
}

/** "3600s" → "1 h", "300s" → "5 min". */
function duration(value: string): string {
  const s = seconds(value) ?? 0;
  return s > 0 && s % 3600 === 0 ? `${s / 3600} h` : `${s / 60} min`;
}

export function resolveMonitoringArgs(name: string, args: MonitoringArgs): ResolvedMonitoringArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(MONITORING_TYPE, name, detail);
  };
  const notificationEmails = [...new Set(args.notificationEmails ?? [])];
  const notificationChannelIds = args.notificationChannelIds ?? [];
  // quickfund.md § Monitoring et alertes: "Notification immédiate en cas de panne".
  if (notificationEmails.length === 0 && notificationChannelIds.length === 0 && args.pagerDutyServiceKey === undefined && !args.allowNoNotification) {
    fail("no notificationEmails, notificationChannelIds or pagerDutyServiceKey: alerts would notify nobody (set allowNoNotification to accept incidents only)");
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

  if (args.pagerDutyServiceKey !== undefined && typeof args.pagerDutyServiceKey === "string" && args.pagerDutyServiceKey.trim() === "") {
    // Never echo the key itself in an error.
    fail("pagerDutyServiceKey is an empty string: expected the PagerDuty service integration key (a stack secret), or leave it unset");
  }

  const apiAlertEntries = Object.entries(args.apiAlerts ?? {});
  if (apiAlertEntries.length > 0 && args.apiServiceName === undefined) {
    fail(`apiAlerts (${apiAlertEntries.map(([k]) => k).join(", ")}) need apiServiceName: they watch the API's Cloud Run service`);
  }
  const apiAlerts: Record<string, Required<ApiAlert>> = {};
  for (const [key, alert] of apiAlertEntries) {
    if (!KEY.test(key)) fail(`apiAlerts key "${key}" must be a lowercase slug (a-z, 0-9, "-", up to 40 characters): it names the alert policy`);
    if (!API_METRICS.includes(alert.metric)) fail(`apiAlerts.${key}.metric "${alert.metric}" must be one of ${API_METRICS.join(", ")}`);
    if (alert.metric === "latencyP95Ms") {
      if (!(Number.isFinite(alert.threshold) && alert.threshold > 0)) fail(`apiAlerts.${key}.threshold ${alert.threshold} must be a positive number of milliseconds for latencyP95Ms`);
    } else if (!(alert.threshold > 0 && alert.threshold < 1)) {
      // Ratios and utilisation are fractions: 70 instead of 0.7 would never alert.
      fail(`apiAlerts.${key}.threshold ${alert.threshold} must be a fraction between 0 and 1 for ${alert.metric} (e.g. 0.7 for 70%)`);
    }
    const duration = alert.duration ?? "300s";
    const s = seconds(duration);
    if (s === undefined || s % 60 !== 0) fail(`apiAlerts.${key}.duration "${duration}" must be whole minutes in seconds, e.g. "300s"`);
    const severity = alert.severity ?? "WARNING";
    if (!SEVERITIES.includes(severity)) fail(`apiAlerts.${key}.severity "${severity}" must be one of ${SEVERITIES.join(", ")}`);
    apiAlerts[key] = { metric: alert.metric, threshold: alert.threshold, duration, severity, documentation: alert.documentation ?? defaultApiAlertDoc(alert.metric, alert.threshold) };
  }

  let apiSlos: ResolvedMonitoringArgs["apiSlos"];
  if (args.apiSlos !== undefined) {
    const { availability, latency } = args.apiSlos;
    if (args.apiServiceName === undefined) fail("apiSlos need apiServiceName: the SLIs count the API's Cloud Run requests");
    if (availability === undefined && latency === undefined) fail("apiSlos has neither availability nor latency: expected at least one objective");
    const goal = (what: string, v: number) => {
      if (!(v > 0 && v <= MAX_SLO_GOAL)) fail(`${what} ${v} must be a fraction above 0 and at most ${MAX_SLO_GOAL} (Cloud Monitoring's limit; e.g. 0.999 for 99.9%)`);
    };
    if (availability !== undefined) goal("apiSlos.availability", availability);
    if (latency !== undefined) {
      goal("apiSlos.latency.objective", latency.objective);
      if (!(Number.isFinite(latency.thresholdMs) && latency.thresholdMs > 0)) fail(`apiSlos.latency.thresholdMs ${latency.thresholdMs} must be a positive number of milliseconds`);
    }
    const rollingDays = args.apiSlos.rollingDays ?? 30;
    if (!Number.isInteger(rollingDays) || rollingDays < 1 || rollingDays > 30) fail(`apiSlos.rollingDays ${rollingDays} must be a whole number of days from 1 to 30`);
    apiSlos = {
      ...(availability !== undefined ? { availability } : {}),
      ...(latency !== undefined ? { latency: { thresholdMs: latency.thresholdMs, objective: latency.objective } } : {}),
      rollingDays,
    };
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
    ...(args.pagerDutyServiceKey !== undefined ? { pagerDutyServiceKey: args.pagerDutyServiceKey } : {}),
    apiAlerts,
    ...(apiSlos !== undefined ? { apiSlos } : {}),
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
  /** Alert key (`uptime`, `availability-burn`, `latency`, `error-ratio`, `api-<key>`, `slo-<sli>-<fast|slow>-burn`, `cloudsql-cpu`, `cloudsql-disk`) → alert policy name. */
  public readonly alertPolicyIds: pulumi.Output<Record<string, string>>;
  /** `api-availability` / `api-latency` → full SLO resource name (for dashboards and `select_slo_*`). */
  public readonly apiSloNames: pulumi.Output<Record<string, string>>;

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
    if (r.pagerDutyServiceKey !== undefined) {
      // sensitiveLabels, not labels: the API obfuscates the key on read, so in labels it would be a
      // perpetual diff and a plain-text input.
      created.push(
        new gcp.monitoring.NotificationChannel(
          `${name}-pagerduty`,
          { project: r.project, type: "pagerduty", displayName: `${name} alerts: PagerDuty`, sensitiveLabels: { serviceKey: pulumi.secret(r.pagerDutyServiceKey) }, userLabels: r.labels },
          { parent: this },
        ),
      );
    }
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

    const policy = (
      key: string,
      displayName: string,
      severity: string,
      condition: gcp.types.input.monitoring.AlertPolicyCondition | gcp.types.input.monitoring.AlertPolicyCondition[],
      doc: string,
      combiner: "OR" | "AND" = "OR",
    ) =>
      new gcp.monitoring.AlertPolicy(
        `${name}-${key}`,
        {
          project: r.project,
          displayName: `${name}: ${displayName}`,
          combiner,
          severity,
          conditions: Array.isArray(condition) ? condition : [condition],
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

    const sloNames: Record<string, pulumi.Output<string>> = {};
    if (r.apiServiceName !== undefined) {
      const serviceName = r.apiServiceName;
      const runMetric = (metric: string) =>
        pulumi.interpolate`metric.type="run.googleapis.com/${metric}" AND resource.type="cloud_run_revision" AND resource.label.service_name="${serviceName}"`;
      const runFilter = runMetric("request_count");
      // The bad requests of the built-in ratio alert, of an `errorRatio` apiAlert and of the availability SLO.
      const run5xxFilter = pulumi.interpolate`${runFilter} AND metric.label.response_code_class="5xx"`;
      const sum = [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_SUM", groupByFields: ["resource.label.service_name"] }];
      const errorRatioCondition = (thresholdValue: number, holdFor: string): gcp.types.input.monitoring.AlertPolicyConditionConditionThreshold => ({
        filter: run5xxFilter,
        aggregations: sum,
        denominatorFilter: runFilter,
        denominatorAggregations: sum,
        comparison: "COMPARISON_GT",
        thresholdValue,
        duration: holdFor,
        trigger: { count: 1 },
      });
      // Merging the revisions' distributions before taking the percentile gives the service's own
      // p95 (a percentile per revision, then a max, would overweight a revision with little traffic).
      const p95 = [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_PERCENTILE_95", groupByFields: ["resource.label.service_name"] }];
      policies["error-ratio"] = policy(
        "error-ratio",
        "API 5xx ratio",
        "ERROR",
        {
          displayName: `5xx responses above ${pct(r.thresholds.errorRatio)} of API requests`,
          conditionThreshold: errorRatioCondition(r.thresholds.errorRatio, r.durations.errorRatio),
        },
        "The API answers too many 5xx. Check the Cloud Run logs of the API and its dependencies (Cloud SQL, Stripe, Twilio).",
      );

      for (const [key, a] of Object.entries(r.apiAlerts)) {
        const shown = a.metric === "latencyP95Ms" ? `${a.threshold} ms` : pct(a.threshold);
        const what = {
          latencyP95Ms: { title: "API p95 latency", cond: `p95 request latency above ${shown}`, metric: "request_latencies" },
          errorRatio: { title: "API 5xx ratio", cond: `5xx responses above ${shown} of API requests`, metric: "request_count" },
          cpu: { title: "API CPU utilisation", cond: `p95 container CPU utilisation above ${shown}`, metric: "container/cpu/utilizations" },
          memory: { title: "API memory utilisation", cond: `p95 container memory utilisation above ${shown}`, metric: "container/memory/utilizations" },
        }[a.metric];
        const condition: gcp.types.input.monitoring.AlertPolicyConditionConditionThreshold =
          a.metric === "errorRatio"
            ? errorRatioCondition(a.threshold, a.duration)
            : { filter: runMetric(what.metric), aggregations: p95, comparison: "COMPARISON_GT", thresholdValue: a.threshold, duration: a.duration, trigger: { count: 1 } };
        policies[`api-${key}`] = policy(
          `api-${key}`,
          `${what.title} above ${shown} (${a.severity.toLowerCase()})`,
          a.severity,
          { displayName: `${what.cond} for ${duration(a.duration)}`, conditionThreshold: condition },
          a.documentation,
        );
      }

      if (r.apiSlos !== undefined) {
        const slos = r.apiSlos;
        const service = new gcp.monitoring.CustomService(
          `${name}-api-service`,
          { project: r.project, serviceId: `${name}-api`.slice(0, 63), displayName: pulumi.interpolate`${name} API (Cloud Run ${serviceName})`, userLabels: r.labels },
          { parent: this },
        );
        const objectives: { key: string; goal: number; title: string; sli: gcp.types.input.monitoring.SloRequestBasedSli; budget: string }[] = [];
        if (slos.availability !== undefined) {
          objectives.push({
            key: "availability",
            goal: slos.availability,
            title: `${pct(slos.availability)} of API requests without 5xx`,
            // good + bad = total: the 5xx are the bad requests, every other class is good.
            sli: { goodTotalRatio: { badServiceFilter: run5xxFilter, totalServiceFilter: runFilter } },
            budget: "5xx responses",
          });
        }
        if (slos.latency !== undefined) {
          objectives.push({
            key: "latency",
            goal: slos.latency.objective,
            title: `${pct(slos.latency.objective)} of API requests under ${slos.latency.thresholdMs} ms`,
            sli: { distributionCut: { distributionFilter: runMetric("request_latencies"), range: { max: slos.latency.thresholdMs } } },
            budget: `requests slower than ${slos.latency.thresholdMs} ms`,
          });
        }
        for (const o of objectives) {
          const slo = new gcp.monitoring.Slo(
            `${name}-api-${o.key}-slo`,
            {
              project: r.project,
              service: service.serviceId,
              sloId: `api-${o.key}`,
              displayName: `${o.title} over ${slos.rollingDays} days`,
              goal: o.goal,
              rollingPeriodDays: slos.rollingDays,
              requestBasedSli: o.sli,
              userLabels: r.labels,
            },
            { parent: this },
          );
          sloNames[`api-${o.key}`] = slo.name;
          for (const b of BURN_RATE_ALERTS) {
            const burn = (window: string): gcp.types.input.monitoring.AlertPolicyCondition => ({
              displayName: `Burn rate above ${b.factor} over ${duration(window)}`,
              conditionThreshold: { filter: slo.name.apply((n) => sloBurnRateFilter(n, window)), comparison: "COMPARISON_GT", thresholdValue: b.factor, duration: "0s" },
            });
            const days = Math.round((slos.rollingDays / b.factor) * 10) / 10;
            policies[`slo-${o.key}-${b.speed}-burn`] = policy(
              `slo-${o.key}-${b.speed}-burn`,
              `API ${o.key} SLO (${o.title}) burning ${b.speed}`,
              b.severity,
              // Both windows at once: the long one proves the burn matters, the short one that it is still going on.
              [burn(b.longWindow), burn(b.shortWindow)],
              `The API's ${o.budget} spend the error budget of "${o.title}" ${b.factor}× faster than sustainable: at this rate the ${slos.rollingDays}-day budget is gone in ${days} days. ` +
                (b.speed === "fast" ? "Page: act now (roll back the last revision, check Cloud SQL and external APIs)." : "Ticket: investigate within the working day."),
              "AND",
            );
          }
        }
      }
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
    this.apiSloNames = pulumi.output(sloNames);
    this.registerOutputs({ notificationChannelIds: this.notificationChannelIds, uptimeCheckId: this.uptimeCheckId, alertPolicyIds: this.alertPolicyIds, apiSloNames: this.apiSloNames });
  }
}

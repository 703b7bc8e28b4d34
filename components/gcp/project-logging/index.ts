/**
 * ProjectLogging: keeps a project's logs in the EU. Cloud Logging creates every project with a
 * `_Default` bucket in the `global` location and a `_Default` sink that routes there everything
 * the `_Required` sink does not take (application logs, load balancer request logs with client
 * IPs, Data Access audit logs). That location cannot be changed on an existing project. This
 * component creates a log bucket in an EU region with a retention, a sink routing the same logs
 * there, and an exclusion on the `_Default` sink so that nothing lands in `global` any more; it
 * also turns on Data Access audit logs for the services that hold data.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";

export const PROJECT_LOGGING_TYPE = "platform:gcp:ProjectLogging";

/**
 * What the `_Required` sink routes (to the `_Required` bucket, 400 days, not configurable):
 * Admin Activity, System Event and Access Transparency audit logs (cloud.google.com/logging/docs/routing/overview#required-bucket).
 * The `_Default` sink routes everything else; so does this component's sink.
 */
export const REQUIRED_SINK_LOG_IDS = [
  "cloudaudit.googleapis.com/activity",
  "externalaudit.googleapis.com/activity",
  "cloudaudit.googleapis.com/system_event",
  "externalaudit.googleapis.com/system_event",
  "cloudaudit.googleapis.com/access_transparency",
  "externalaudit.googleapis.com/access_transparency",
];
/** The logs the `_Default` sink routes: all but the `_Required` ones. */
export const DEFAULT_SINK_FILTER = REQUIRED_SINK_LOG_IDS.map((id) => `NOT LOG_ID("${id}")`).join(" AND ");

/**
 * PCI-DSS v4.0 requirement 10.5.1: "Retain audit log history for at least 12 months"
 * (diaspomoney.md § Conformité: "PCI-DSS - Sécurité des paiements").
 */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

export interface ProjectLoggingArgs extends CommonArgs {
  /** Project whose logs are kept. */
  project: string;
  /** Region of the log bucket (an EU region such as `europe-west1`); `global` is refused. */
  location: string;
  /**
   * Days the bucket keeps logs (1–3650).
   * @default 365 (PCI-DSS v4.0 10.5.1)
   */
  retentionDays?: number;
  /**
   * Services whose Data Access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) are turned on, e.g.
   * `storage.googleapis.com`, `cloudkms.googleapis.com`. They route to the EU bucket.
   * @default []
   */
  dataAccessAuditServices?: string[];
  /**
   * Log bucket id.
   * @default "eu-logs"
   */
  bucketId?: string;
}

export interface ResolvedProjectLoggingArgs {
  project: string;
  location: string;
  retentionDays: number;
  dataAccessAuditServices: string[];
  bucketId: string;
  deletionProtection: boolean;
}

export function resolveProjectLoggingArgs(name: string, args: ProjectLoggingArgs): ResolvedProjectLoggingArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(PROJECT_LOGGING_TYPE, name, detail);
  };
  if (!/^[a-z]+-[a-z]+\d+$|^eu$/.test(args.location)) fail(`location "${args.location}" must be a region such as europe-west1 (or "eu"): "global" is what this component moves logs away from`);
  const retentionDays = args.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) fail(`retentionDays ${retentionDays} must be a whole number of days from 1 to 3650 (Cloud Logging's range)`);
  const services = args.dataAccessAuditServices ?? [];
  const bad = services.filter((s) => !/^[a-z0-9-]+\.googleapis\.com$/.test(s));
  if (bad.length) fail(`dataAccessAuditServices must be API names like storage.googleapis.com, got ${bad.join(", ")}`);
  const bucketId = args.bucketId ?? "eu-logs";
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(bucketId) || bucketId.startsWith("_")) fail(`bucketId "${bucketId}" must be 1–100 letters, digits, "_", "-", "." and not start with "_" (reserved)`);
  return { project: args.project, location: args.location, retentionDays, dataAccessAuditServices: [...new Set(services)].sort(), bucketId, deletionProtection: args.deletionProtection ?? true };
}

export class ProjectLogging extends pulumi.ComponentResource {
  /** `projects/<p>/locations/<l>/buckets/<id>`. */
  public readonly bucketName: pulumi.Output<string>;
  /** The sink's writer identity (none needed for a bucket of the same project). */
  public readonly sinkName: pulumi.Output<string>;

  constructor(name: string, args: ProjectLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PROJECT_LOGGING_TYPE, name, {}, opts);
    const r = resolveProjectLoggingArgs(name, args);

    const bucket = new gcp.logging.ProjectBucketConfig(
      `${name}-bucket`,
      {
        project: r.project,
        location: r.location,
        bucketId: r.bucketId,
        retentionDays: r.retentionDays,
        description: `All logs of ${r.project} except the _Required ones, kept in ${r.location}`,
        // Locking is irreversible (no retention change, no deletion): left to a deliberate decision.
        locked: false,
      },
      { parent: this, protect: r.deletionProtection },
    );
    // A sink to a log bucket of the same project needs no writer grant.
    const sink = new gcp.logging.ProjectSink(
      `${name}-sink`,
      {
        project: r.project,
        name: `${r.bucketId}-sink`,
        destination: pulumi.interpolate`logging.googleapis.com/${bucket.id}`,
        filter: DEFAULT_SINK_FILTER,
        description: "Routes what the _Default sink would take to the EU bucket",
        uniqueWriterIdentity: true,
      },
      { parent: this },
    );
    // Exclusions of the projects.exclusions API apply to the _Default sink (Cloud Logging API
    // reference, projects.exclusions: "the exclusions on the _Default sink"). Created after the
    // sink so that no log is dropped in between.
    new gcp.logging.ProjectExclusion(
      `${name}-default-exclusion`,
      {
        project: r.project,
        name: "keep-out-of-global-default",
        description: `Everything the _Default sink routes goes to ${r.bucketId} in ${r.location} instead`,
        filter: DEFAULT_SINK_FILTER,
      },
      { parent: this, dependsOn: [sink] },
    );
    for (const service of r.dataAccessAuditServices) {
      new gcp.projects.IAMAuditConfig(
        `${name}-audit-${service.replace(".googleapis.com", "")}`,
        { project: r.project, service, auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }] },
        // Audit logs turned on before the sink exists would land in global in between.
        { parent: this, dependsOn: [sink] },
      );
    }
    this.bucketName = bucket.id;
    this.sinkName = sink.name;
    this.registerOutputs({ bucketName: this.bucketName, sinkName: this.sinkName });
  }
}

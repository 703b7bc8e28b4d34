/**
 * A Cloud Run (v2) service with its own least-privilege identity, reachable only through a load
 * balancer by default, with Direct VPC egress to private ranges (Cloud SQL private IP), pinned
 * images, secret env vars from Secret Manager and HTTP startup/liveness probes.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CommonArgs, ComponentArgsError, IamBindings, Labels, mergeLabels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";

export const CLOUD_RUN_SERVICE_TYPE = "platform:gcp:CloudRunService";

/** Cloud Run ingress settings (the API's enum values). */
export type CloudRunIngress = "INGRESS_TRAFFIC_ALL" | "INGRESS_TRAFFIC_INTERNAL_ONLY" | "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER";

/** A secret env var read from Secret Manager (`valueSource.secretKeyRef`). */
export interface SecretEnvRef {
  /** Secret id (`my-secret`) or full name (`projects/p/secrets/my-secret`), e.g. `secret.secretId`. */
  secret: pulumi.Input<string>;
  /**
   * Version to mount: a version number (pinned, a new revision on each rotation) or `"latest"`
   * (resolved when an instance starts, so two instances can briefly see different values).
   * @default "latest"
   */
  version?: pulumi.Input<string>;
}

/** Timing of an HTTP probe (the path and port are the service's `healthPath` and `port`). */
export interface ProbeTiming {
  /** @default startup 0, liveness 0 */
  initialDelaySeconds?: number;
  /** @default startup 10, liveness 30 */
  periodSeconds?: number;
  /** @default 5 */
  timeoutSeconds?: number;
  /** @default startup 12 (2 minutes of grace), liveness 3 */
  failureThreshold?: number;
}

/** Direct VPC egress (no Serverless VPC Access connector). */
export interface CloudRunVpcEgress {
  /** VPC network (name or self link). */
  network: pulumi.Input<string>;
  /** Subnetwork the instances take their IPs from (name or self link). */
  subnetwork: pulumi.Input<string>;
  /**
   * Which traffic goes through the VPC. `PRIVATE_RANGES_ONLY` sends RFC 1918 traffic (Cloud SQL's
   * private IP) through the VPC and the rest (Stripe, Twilio, Google APIs) out directly, without a NAT.
   * @default "PRIVATE_RANGES_ONLY"
   */
  egress?: "PRIVATE_RANGES_ONLY" | "ALL_TRAFFIC";
  /**
   * Network tags of the instances (for firewall rules).
   * @default []
   */
  tags?: string[];
}

export interface CloudRunServiceArgs extends CommonArgs {
  /** Project id: the service account and its project-level role grants live there. */
  project: string;
  /** Region of the service, e.g. `europe-west1`. */
  region: string;
  /**
   * Container image pinned by tag (`…/api:1.4.2`) or digest (`…/api@sha256:…`). `:latest` or no tag
   * is refused: a redeploy must be a reviewed change, and a rollback must be possible.
   */
  image: string;
  /**
   * Port the container listens on (Cloud Run passes it as `$PORT`).
   * @default 8080
   */
  port?: number;
  /**
   * HTTP path the startup and liveness probes call.
   * @default "/"
   */
  healthPath?: string;
  /** Probe timings. @default see ProbeTiming */
  probes?: { startup?: ProbeTiming; liveness?: ProbeTiming };
  /**
   * Who may reach the service at the network level. The default only accepts traffic from Cloud
   * Load Balancing and the VPC: the public internet reaches it only through the load balancer
   * (and its Cloud Armor policy and TLS policy).
   * @default "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
   */
  ingress?: CloudRunIngress;
  /**
   * Let requests through without a Google identity token: implemented with `invokerIamDisabled`
   * (Google's recommended way, compatible with the domain-restricted-sharing org policy), never an
   * `allUsers` binding. Needed behind an external load balancer without IAP, whose requests carry no
   * token. Refused together with `INGRESS_TRAFFIC_ALL`, which would bypass the load balancer.
   * @default true
   */
  allowUnauthenticated?: boolean;
  /**
   * Direct VPC egress. Without it the service has no route to private IPs.
   * @default undefined (no VPC access)
   */
  vpc?: CloudRunVpcEgress;
  /**
   * Minimum number of instances (0 lets the service scale to zero, with cold starts).
   * @default 0
   */
  minInstances?: number;
  /**
   * Maximum number of instances; bounds cost and the number of database connections.
   * @default 10
   */
  maxInstances?: number;
  /**
   * CPU limit per instance: one of "1", "2", "4", "6", "8".
   * @default "1"
   */
  cpu?: string;
  /**
   * Memory limit per instance, e.g. "512Mi", "2Gi".
   * @default "512Mi"
   */
  memory?: string;
  /**
   * Allocate CPU only while a request is processed (request-based billing). Turn off for
   * background work after the response.
   * @default true
   */
  cpuIdle?: boolean;
  /**
   * Maximum concurrent requests per instance.
   * @default 80
   */
  concurrency?: number;
  /**
   * Plain environment variables.
   * @default {}
   */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Environment variables read from Secret Manager. The service account gets
   * `roles/secretmanager.secretAccessor` on exactly these secrets. One env var per secret.
   * @default {}
   */
  secretEnv?: Record<string, SecretEnvRef>;
  /**
   * Project-level roles for the service account, e.g. `["roles/cloudsql.client"]`. Nothing else is
   * granted (Cloud Run collects stdout/stderr logs without any role on the runtime identity).
   * @default []
   */
  roles?: string[];
  /**
   * IAM on the Cloud Run service itself, role → members (e.g. `roles/run.invoker` for a caller
   * service account). Public access goes through `allowUnauthenticated`, not `allUsers` here.
   * @default {}
   */
  iam?: IamBindings;
  /**
   * Service account id (6–30 characters, lowercase letters, digits, hyphens).
   * @default `${name}-run`
   */
  accountId?: string;
}

export interface ResolvedProbe {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface ResolvedCloudRunServiceArgs {
  project: string;
  region: string;
  image: string;
  port: number;
  healthPath: string;
  startupProbe: ResolvedProbe;
  livenessProbe: ResolvedProbe;
  ingress: CloudRunIngress;
  allowUnauthenticated: boolean;
  vpc?: { network: pulumi.Input<string>; subnetwork: pulumi.Input<string>; egress: "PRIVATE_RANGES_ONLY" | "ALL_TRAFFIC"; tags: string[] };
  minInstances: number;
  maxInstances: number;
  cpu: string;
  memory: string;
  cpuIdle: boolean;
  concurrency: number;
  env: Record<string, pulumi.Input<string>>;
  secretEnv: Record<string, { secret: pulumi.Input<string>; version: pulumi.Input<string> }>;
  roles: string[];
  iam: IamBindings;
  accountId: string;
  labels: Labels;
  deletionProtection: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
const ROLE = /^(roles\/[A-Za-z0-9_.]+|(projects|organizations)\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;
/** Set by Cloud Run itself; a container cannot override them. */
const RESERVED_ENV = new Set(["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"]);
/** Basic roles contradict a least-privilege runtime identity. */
const BASIC_ROLES = new Set(["roles/owner", "roles/editor", "roles/viewer"]);
const CPUS = new Set(["1", "2", "4", "6", "8"]);
const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);

/** Parses "512Mi" / "2Gi" into MiB; undefined when the format is not one Cloud Run accepts here. */
function memoryMiB(memory: string): number | undefined {
  const m = /^(\d+)(Mi|Gi)$/.exec(memory);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

function resolveProbe(given: ProbeTiming | undefined, defaults: ResolvedProbe): ResolvedProbe {
  return {
    initialDelaySeconds: given?.initialDelaySeconds ?? defaults.initialDelaySeconds,
    periodSeconds: given?.periodSeconds ?? defaults.periodSeconds,
    timeoutSeconds: given?.timeoutSeconds ?? defaults.timeoutSeconds,
    failureThreshold: given?.failureThreshold ?? defaults.failureThreshold,
  };
}

/** Applies defaults and refuses contradictory or unsafe arguments. */
export function resolveCloudRunServiceArgs(name: string, args: CloudRunServiceArgs): ResolvedCloudRunServiceArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(CLOUD_RUN_SERVICE_TYPE, name, detail);
  };
  assertPinnedImage(CLOUD_RUN_SERVICE_TYPE, name, "image", args.image);

  const port = args.port ?? 8080;
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`port ${port} is not a TCP port`);
  const healthPath = args.healthPath ?? "/";
  if (!healthPath.startsWith("/")) fail(`healthPath "${healthPath}" must start with "/"`);

  // Direct VPC egress can delay connectivity by up to a minute at instance start (Cloud Run docs):
  // the startup probe allows 2 minutes (12 × 10 s) before the instance is declared failed.
  const startupProbe = resolveProbe(args.probes?.startup, { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 12 });
  const livenessProbe = resolveProbe(args.probes?.liveness, { initialDelaySeconds: 0, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 });
  for (const [kind, p] of [["startup", startupProbe], ["liveness", livenessProbe]] as const) {
    if (p.timeoutSeconds > p.periodSeconds) fail(`probes.${kind}.timeoutSeconds (${p.timeoutSeconds}) must not exceed periodSeconds (${p.periodSeconds})`);
    if (p.failureThreshold < 1) fail(`probes.${kind}.failureThreshold must be at least 1`);
  }
  if (startupProbe.periodSeconds > 240 || startupProbe.initialDelaySeconds > 240) fail("probes.startup periodSeconds and initialDelaySeconds must be at most 240");

  const ingress = args.ingress ?? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER";
  const allowUnauthenticated = args.allowUnauthenticated ?? true;
  if (allowUnauthenticated && ingress === "INGRESS_TRAFFIC_ALL") {
    fail("allowUnauthenticated with ingress INGRESS_TRAFFIC_ALL exposes the run.app URL to the internet, bypassing the load balancer's Cloud Armor and TLS policy; keep ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER");
  }

  const minInstances = args.minInstances ?? 0;
  const maxInstances = args.maxInstances ?? 10;
  if (!Number.isInteger(minInstances) || minInstances < 0) fail(`minInstances ${minInstances} must be a non-negative integer`);
  if (!Number.isInteger(maxInstances) || maxInstances < 1) fail(`maxInstances ${maxInstances} must be a positive integer`);
  if (minInstances > maxInstances) fail(`minInstances (${minInstances}) exceeds maxInstances (${maxInstances})`);

  const cpu = args.cpu ?? "1";
  if (!CPUS.has(cpu)) fail(`cpu "${cpu}" must be one of ${[...CPUS].join(", ")}`);
  const memory = args.memory ?? "512Mi";
  const mib = memoryMiB(memory);
  if (mib === undefined) fail(`memory "${memory}" must look like "512Mi" or "2Gi"`);
  // Cloud Run: 4 CPU needs at least 2 GiB, 6 or more CPU at least 4 GiB.
  const minMiB = Number(cpu) >= 6 ? 4096 : Number(cpu) >= 4 ? 2048 : 128;
  if ((mib as number) < minMiB) fail(`cpu "${cpu}" needs at least ${minMiB}Mi of memory, got memory "${memory}"`);

  const concurrency = args.concurrency ?? 80;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) fail(`concurrency ${concurrency} must be between 1 and 1000`);

  const env = args.env ?? {};
  const secretEnvIn = args.secretEnv ?? {};
  for (const key of [...Object.keys(env), ...Object.keys(secretEnvIn)]) {
    if (!ENV_NAME.test(key)) fail(`env var name "${key}" is not a valid identifier`);
    if (RESERVED_ENV.has(key)) fail(`env var "${key}" is reserved by Cloud Run`);
  }
  const both = Object.keys(env).filter((k) => k in secretEnvIn);
  if (both.length > 0) fail(`env and secretEnv both define ${both.join(", ")}`);
  const secretEnv: ResolvedCloudRunServiceArgs["secretEnv"] = {};
  const seenSecrets = new Map<string, string>();
  for (const [key, ref] of Object.entries(secretEnvIn)) {
    const version = ref.version ?? "latest";
    if (typeof version === "string" && !/^(latest|[1-9][0-9]*)$/.test(version)) fail(`secretEnv.${key}.version "${version}" must be "latest" or a version number`);
    // Two env vars on one secret would give two IAM members for the same binding: deleting one
    // would revoke the other's access.
    if (typeof ref.secret === "string") {
      const other = seenSecrets.get(ref.secret);
      if (other) fail(`secretEnv.${other} and secretEnv.${key} read the same secret "${ref.secret}"; use one env var per secret`);
      seenSecrets.set(ref.secret, key);
    }
    secretEnv[key] = { secret: ref.secret, version };
  }

  const roles = [...new Set(args.roles ?? [])];
  for (const role of roles) {
    if (!ROLE.test(role)) fail(`role "${role}" is not a role name (roles/… or projects/…/roles/…)`);
    if (BASIC_ROLES.has(role)) fail(`role "${role}" is a basic role; grant the predefined roles the service needs`);
  }
  const iam = args.iam ?? {};
  for (const [role, members] of Object.entries(iam)) {
    const publicMembers = members.filter((m) => PUBLIC_MEMBERS.has(m));
    if (publicMembers.length > 0) fail(`iam["${role}"] grants ${publicMembers.join(", ")}; public invocation goes through allowUnauthenticated`);
  }

  const accountId = args.accountId ?? `${name}-run`;
  if (!ACCOUNT_ID.test(accountId)) fail(`service account id "${accountId}" must be 6-30 characters of lowercase letters, digits and hyphens, starting with a letter; pass accountId`);

  const vpc = args.vpc && {
    network: args.vpc.network,
    subnetwork: args.vpc.subnetwork,
    egress: args.vpc.egress ?? ("PRIVATE_RANGES_ONLY" as const),
    tags: args.vpc.tags ?? [],
  };

  return {
    project: args.project,
    region: args.region,
    image: args.image,
    port,
    healthPath,
    startupProbe,
    livenessProbe,
    ingress,
    allowUnauthenticated,
    ...(vpc ? { vpc } : {}),
    minInstances,
    maxInstances,
    cpu,
    memory,
    cpuIdle: args.cpuIdle ?? true,
    concurrency,
    env,
    secretEnv,
    roles,
    iam,
    accountId,
    labels: mergeLabels(args.labels),
    deletionProtection: args.deletionProtection ?? true,
  };
}

/** `roles/cloudsql.client` → `cloudsql-client`; `MY_VAR` → `my-var`: stable, readable child names. */
export function slug(value: string): string {
  return value
    .replace(/^roles\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export class CloudRunService extends pulumi.ComponentResource {
  /** The Cloud Run service name (what a serverless NEG and monitoring filters reference). */
  public readonly serviceName: pulumi.Output<string>;
  /** `projects/{project}/locations/{region}/services/{name}`. */
  public readonly serviceId: pulumi.Output<string>;
  /** The run.app URL (reachable only per `ingress`). */
  public readonly uri: pulumi.Output<string>;
  public readonly region: pulumi.Output<string>;
  public readonly serviceAccountEmail: pulumi.Output<string>;
  /** `serviceAccount:<email>`, for IAM grants made elsewhere (e.g. a database IAM user). */
  public readonly serviceAccountMember: pulumi.Output<string>;

  constructor(name: string, args: CloudRunServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CLOUD_RUN_SERVICE_TYPE, name, {}, opts);
    const r = resolveCloudRunServiceArgs(name, args);

    const account = new gcp.serviceaccount.Account(
      `${name}-sa`,
      { project: r.project, accountId: r.accountId, displayName: `Cloud Run runtime identity of ${name}` },
      { parent: this },
    );

    const grants: pulumi.Resource[] = [];
    for (const role of r.roles) {
      grants.push(new gcp.projects.IAMMember(`${name}-role-${slug(role)}`, { project: r.project, role, member: account.member }, { parent: this }));
    }
    for (const [key, ref] of Object.entries(r.secretEnv)) {
      grants.push(
        new gcp.secretmanager.SecretIamMember(
          `${name}-secret-${slug(key)}`,
          { project: r.project, secretId: ref.secret, role: "roles/secretmanager.secretAccessor", member: account.member },
          { parent: this },
        ),
      );
    }

    const envs = [
      ...Object.entries(r.env).map(([envName, value]) => ({ name: envName, value })),
      ...Object.entries(r.secretEnv).map(([envName, ref]) => ({ name: envName, valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } } })),
    ];
    const probe = (p: ResolvedProbe) => ({ ...p, httpGet: { path: r.healthPath, port: r.port } });

    const service = new gcp.cloudrunv2.Service(
      `${name}-service`,
      {
        project: r.project,
        location: r.region,
        ingress: r.ingress,
        // See README "Public invocation": the load balancer carries no identity token.
        invokerIamDisabled: r.allowUnauthenticated,
        deletionProtection: r.deletionProtection,
        labels: r.labels,
        template: {
          serviceAccount: account.email,
          labels: r.labels,
          maxInstanceRequestConcurrency: r.concurrency,
          scaling: { minInstanceCount: r.minInstances, maxInstanceCount: r.maxInstances },
          ...(r.vpc
            ? {
                vpcAccess: {
                  egress: r.vpc.egress,
                  networkInterfaces: [{ network: r.vpc.network, subnetwork: r.vpc.subnetwork, ...(r.vpc.tags.length > 0 ? { tags: r.vpc.tags } : {}) }],
                },
              }
            : {}),
          containers: [
            {
              image: r.image,
              ports: { containerPort: r.port },
              resources: { limits: { cpu: r.cpu, memory: r.memory }, cpuIdle: r.cpuIdle, startupCpuBoost: true },
              envs,
              startupProbe: probe(r.startupProbe),
              livenessProbe: probe(r.livenessProbe),
            },
          ],
        },
      },
      // A revision that starts before its identity can read its secrets fails to become ready.
      { parent: this, dependsOn: grants },
    );

    for (const [role, members] of Object.entries(r.iam)) {
      for (const member of members) {
        new gcp.cloudrunv2.ServiceIamMember(
          `${name}-iam-${slug(role)}-${slug(member)}`,
          { project: r.project, location: r.region, name: service.name, role, member },
          { parent: this },
        );
      }
    }

    this.serviceName = service.name;
    this.serviceId = service.id;
    this.uri = service.uri;
    this.region = pulumi.output(r.region);
    this.serviceAccountEmail = account.email;
    this.serviceAccountMember = account.member;
    this.registerOutputs({
      serviceName: this.serviceName,
      serviceId: this.serviceId,
      uri: this.uri,
      region: this.region,
      serviceAccountEmail: this.serviceAccountEmail,
      serviceAccountMember: this.serviceAccountMember,
    });
  }
}

/**
 * A Cloud Run (v2) service with its own least-privilege identity, reachable only through a load
 * balancer by default, with Direct VPC egress to private ranges (Cloud SQL private IP), pinned
 * images, secret env vars from Secret Manager and HTTP startup/liveness probes.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CommonArgs, ComponentArgsError, IamBindings, Labels, mergeLabels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { imagePin } from "../../../model/images";

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

/**
 * How many instances run. Cloud Run's autoscaler follows request concurrency and CPU utilisation,
 * never memory (see README "Scaling").
 */
export type CloudRunScaling =
  | {
      /** A fixed instance count for the whole service, whatever the traffic (service-level `scalingMode: MANUAL`). */
      mode: "manual";
      /** Instances of the service, split among the revisions that receive traffic by their percent. */
      instances: number;
    }
  | {
      /** Cloud Run autoscales between `min` and `max` (service-level, shared by every revision receiving traffic). */
      mode: "automatic";
      /** @default 0 */
      min?: number;
      /** @default 10 */
      max?: number;
    };

/** Release strategies built on Cloud Run's revision traffic splitting. */
export type CloudRunReleaseStrategy = "all-at-once" | "blue-green" | "canary";

/**
 * How a new revision receives traffic. Revisions get deterministic names
 * (`<serviceName>-<revisionSuffix>`) so that traffic can be pinned to them by name.
 */
export interface CloudRunRelease {
  /**
   * `all-at-once`: 100% to the latest revision. `blue-green`: the new revision (the candidate) gets
   * 0% and the `candidateTag` URL, `stableRevision` keeps 100%. `canary`: the candidate gets
   * `canaryPercent`, `stableRevision` the rest. Without `stableRevision` (first deploy) blue-green and
   * canary send 100% to the new revision.
   * @default "all-at-once"
   */
  strategy?: CloudRunReleaseStrategy;
  /**
   * Suffix of this deploy's revision name (`<serviceName>-<revisionSuffix>`), e.g. derived from the
   * image tag with `revisionSuffixFromImage`. Lowercase letters, digits and hyphens. Must change
   * whenever the revision template changes (image, env, resources): Cloud Run refuses a second
   * revision with an existing name. Required for blue-green and canary; needs `serviceName`.
   * @default undefined (Cloud Run generates the revision name)
   */
  revisionSuffix?: string;
  /**
   * Full name of the revision serving production (`<serviceName>-<suffix>` of an earlier deploy).
   * Promotion: set it to the candidate's name (then the candidate serves 100%, tagged `stableTag`).
   * @default undefined (first deploy: the new revision gets 100%)
   */
  stableRevision?: string;
  /**
   * Percent of traffic the candidate receives, 1 to 50. Canary only.
   * @default 10
   */
  canaryPercent?: number;
  /**
   * Traffic tag of the candidate: it answers at `https://<tag>---<service host>`.
   * @default "candidate"
   */
  candidateTag?: string;
  /**
   * Traffic tag of the stable revision.
   * @default "stable"
   */
  stableTag?: string;
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
   * Cloud Run service name. Needed for deterministic revision names (`release.revisionSuffix`);
   * set it from the first deploy on: changing it replaces the service. 1–63 lowercase letters,
   * digits and hyphens, starting with a letter.
   * @default undefined (Pulumi auto-names it from `${name}-service` with a random suffix)
   */
  serviceName?: string;
  /**
   * Manual or automatic scaling (service-level settings). Refused together with `minInstances` or
   * `maxInstances`.
   * @default undefined (revision-level `minInstances`/`maxInstances`)
   */
  scaling?: CloudRunScaling;
  /**
   * Traffic strategy of a deploy: all-at-once, blue-green or canary.
   * @default undefined (Cloud Run's default: 100% to the latest revision, generated revision names)
   */
  release?: CloudRunRelease;
  /**
   * Service accounts allowed to call the service (`roles/run.invoker` on this service), key → email,
   * e.g. `{ "payments-push": pushAccount.email }` for a Pub/Sub push subscription's OIDC identity.
   * The key names the child resource. Requires `allowUnauthenticated: false` (with the invoker
   * check disabled a grant would be meaningless).
   * @default {}
   */
  invokers?: Record<string, pulumi.Input<string>>;
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
  serviceName?: string;
  /** Service-level scaling, when `scaling` was given. */
  scaling?: { mode: "manual"; instances: number } | { mode: "automatic"; min: number; max: number };
  /** Set when `release` was given. */
  release?: ResolvedCloudRunRelease;
  invokers: Record<string, pulumi.Input<string>>;
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

/** One `traffics` entry of the v2 Service. */
export interface CloudRunTrafficTarget {
  type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" | "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION";
  revision?: string;
  percent: number;
  tag?: string;
}

export interface ResolvedCloudRunRelease {
  strategy: CloudRunReleaseStrategy;
  /** `<serviceName>-<revisionSuffix>`, or undefined when Cloud Run generates it. */
  revision?: string;
  stableRevision?: string;
  canaryPercent?: number;
  candidateTag: string;
  stableTag: string;
  /** The service's `traffics`, in order. */
  traffics: CloudRunTrafficTarget[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Cloud Run service and revision names: RFC 1035 labels (the API's "letters, numbers and '-', begin with a letter, not end with '-', at most 63"). */
const RUN_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const REVISION_SUFFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_RUN_NAME = 63;
/** Cloud Run refuses a traffic tag and service name longer than 46 characters together (they form the tag URL's DNS label). */
const MAX_TAG_PLUS_SERVICE = 46;
const INVOKER_KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" as const;
const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" as const;

/**
 * A revision suffix from an image reference: its tag (`…/api:1.4.2` → `1-4-2`) or, for a bare
 * digest, the first 12 hex digits. Pass `extra` (e.g. a config revision counter) when the template
 * can change without the image: Cloud Run refuses a second revision under an existing name.
 */
export function revisionSuffixFromImage(image: string, extra?: string): string {
  const pin = imagePin(image);
  const digest = /@sha256:([a-f0-9]{12})/.exec(image)?.[1];
  const base = pin.tag ?? digest ?? image;
  return [base, extra]
    .filter((part): part is string => part !== undefined && part !== "")
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
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

/** Resolves `release` into a revision name and the service's traffic targets. */
function resolveRelease(
  given: CloudRunRelease,
  serviceName: string | undefined,
  scaling: ResolvedCloudRunServiceArgs["scaling"],
  fail: (detail: string) => never,
): ResolvedCloudRunRelease {
  const strategy = given.strategy ?? "all-at-once";
  if (!["all-at-once", "blue-green", "canary"].includes(strategy)) fail(`release.strategy "${strategy}" must be "all-at-once", "blue-green" or "canary"`);
  if (given.canaryPercent !== undefined && strategy !== "canary") fail(`release.canaryPercent (${given.canaryPercent}) only applies to the canary strategy, got strategy "${strategy}"`);
  if (given.stableRevision !== undefined && strategy === "all-at-once") {
    fail(`release.stableRevision "${given.stableRevision}" only applies to blue-green and canary; all-at-once sends 100% to the latest revision`);
  }
  if (strategy !== "all-at-once" && given.revisionSuffix === undefined) {
    fail(`release.strategy "${strategy}" pins traffic to revisions by name: expected release.revisionSuffix (e.g. from revisionSuffixFromImage(image)), got none`);
  }
  let revision: string | undefined;
  if (given.revisionSuffix !== undefined) {
    const suffix = given.revisionSuffix;
    if (serviceName === undefined) fail(`release.revisionSuffix "${suffix}" needs serviceName: a revision name starts with its service's name, and an auto-named service's name is unknown until it exists`);
    if (!REVISION_SUFFIX.test(suffix)) fail(`release.revisionSuffix "${suffix}" must be lowercase letters, digits and hyphens, not starting or ending with a hyphen (revisionSuffixFromImage turns "1.4.2" into "1-4-2")`);
    revision = `${serviceName}-${suffix}`;
    if (revision.length > MAX_RUN_NAME) fail(`revision name "${revision}" is ${revision.length} characters, Cloud Run allows at most ${MAX_RUN_NAME}; shorten serviceName or release.revisionSuffix`);
  }
  const candidateTag = given.candidateTag ?? "candidate";
  const stableTag = given.stableTag ?? "stable";
  if (strategy !== "all-at-once") {
    for (const [field, tag] of [["candidateTag", candidateTag], ["stableTag", stableTag]] as const) {
      if (!RUN_NAME.test(tag) || tag.length < 3) fail(`release.${field} "${tag}" must be at least 3 lowercase letters, digits and hyphens, starting with a letter`);
      if (tag.length + (serviceName as string).length > MAX_TAG_PLUS_SERVICE) {
        fail(`release.${field} "${tag}" and serviceName "${serviceName}" are ${tag.length + (serviceName as string).length} characters together; Cloud Run allows at most ${MAX_TAG_PLUS_SERVICE} (they form the tag URL's host name)`);
      }
    }
    if (candidateTag === stableTag) fail(`release.candidateTag and release.stableTag are both "${stableTag}"; a tag names one revision`);
  }
  const stable = given.stableRevision;
  if (stable !== undefined) {
    if (!RUN_NAME.test(stable) || stable.length > MAX_RUN_NAME) fail(`release.stableRevision "${stable}" is not a revision name`);
    if (!stable.startsWith(`${serviceName}-`)) fail(`release.stableRevision "${stable}" is not a revision of service "${serviceName}" (expected "${serviceName}-<suffix>")`);
  }

  let canaryPercent: number | undefined;
  if (strategy === "canary") {
    canaryPercent = given.canaryPercent ?? 10;
    if (!Number.isInteger(canaryPercent) || canaryPercent < 1 || canaryPercent > 50) {
      fail(`release.canaryPercent must be an integer from 1 to 50 (a canary is a minority of traffic; promote by setting stableRevision), got ${canaryPercent}`);
    }
    // Manual scaling gives each revision receiving traffic a share of the instance count; with
    // one instance the second revision gets none and its share of requests fails.
    if (scaling?.mode === "manual" && scaling.instances < 2 && stable !== undefined && stable !== revision) {
      fail(`a canary with manual scaling needs at least 2 instances (one per revision receiving traffic), got scaling.instances ${scaling.instances}`);
    }
  }

  let traffics: CloudRunTrafficTarget[];
  if (strategy === "all-at-once" || stable === undefined) {
    // Written out (not left to Cloud Run's default) so that leaving blue-green or canary resets the split.
    traffics = [{ type: LATEST, percent: 100 }];
  } else if (stable === revision) {
    // Promoted: the candidate became stable; no other revision keeps traffic or a tag.
    traffics = [{ type: REVISION, revision: stable, percent: 100, tag: stableTag }];
  } else {
    const candidatePercent = strategy === "canary" ? (canaryPercent as number) : 0;
    traffics = [
      { type: REVISION, revision: stable, percent: 100 - candidatePercent, tag: stableTag },
      { type: REVISION, revision: revision as string, percent: candidatePercent, tag: candidateTag },
    ];
  }
  return {
    strategy,
    ...(revision !== undefined ? { revision } : {}),
    ...(stable !== undefined ? { stableRevision: stable } : {}),
    ...(canaryPercent !== undefined ? { canaryPercent } : {}),
    candidateTag,
    stableTag,
    traffics,
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

  if (args.scaling && (args.minInstances !== undefined || args.maxInstances !== undefined)) {
    fail(`scaling (mode ${args.scaling.mode}) and minInstances/maxInstances both set the instance count; expected only scaling, got minInstances ${args.minInstances} and maxInstances ${args.maxInstances}`);
  }
  let scaling: ResolvedCloudRunServiceArgs["scaling"];
  if (args.scaling?.mode === "manual") {
    const instances = args.scaling.instances;
    if (!Number.isInteger(instances) || instances < 1) fail(`scaling.instances ${instances} must be a positive integer (manual scaling runs exactly that many instances)`);
    scaling = { mode: "manual", instances };
  } else if (args.scaling?.mode === "automatic") {
    scaling = { mode: "automatic", min: args.scaling.min ?? 0, max: args.scaling.max ?? 10 };
  } else if (args.scaling) {
    fail(`scaling.mode "${(args.scaling as { mode: unknown }).mode}" must be "manual" or "automatic"`);
  }
  const minInstances = scaling?.mode === "automatic" ? scaling.min : scaling?.mode === "manual" ? scaling.instances : (args.minInstances ?? 0);
  const maxInstances = scaling?.mode === "automatic" ? scaling.max : scaling?.mode === "manual" ? scaling.instances : (args.maxInstances ?? 10);
  const [minField, maxField] = scaling?.mode === "automatic" ? ["scaling.min", "scaling.max"] : ["minInstances", "maxInstances"];
  if (!Number.isInteger(minInstances) || minInstances < 0) fail(`${minField} ${minInstances} must be a non-negative integer`);
  if (!Number.isInteger(maxInstances) || maxInstances < 1) fail(`${maxField} ${maxInstances} must be a positive integer`);
  if (minInstances > maxInstances) fail(`${minField} (${minInstances}) exceeds ${maxField} (${maxInstances})`);

  const serviceName = args.serviceName;
  if (serviceName !== undefined && (!RUN_NAME.test(serviceName) || serviceName.length > MAX_RUN_NAME)) {
    fail(`serviceName "${serviceName}" must be 1-${MAX_RUN_NAME} lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`);
  }
  const release = args.release && resolveRelease(args.release, serviceName, scaling, fail);

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

  const invokers = args.invokers ?? {};
  if (Object.keys(invokers).length > 0 && allowUnauthenticated) {
    fail(`invokers (${Object.keys(invokers).join(", ")}) need the invoker IAM check; expected allowUnauthenticated: false, got allowUnauthenticated: true (also the default), which lets every caller in`);
  }
  for (const [key, email] of Object.entries(invokers)) {
    if (!INVOKER_KEY.test(key)) fail(`invokers key "${key}" names a child resource: use lowercase letters, digits and hyphens`);
    if (typeof email === "string" && !/^[^\s:@]+@[^\s:@]+$/.test(email)) fail(`invokers.${key} "${email}" must be a service account email (without the "serviceAccount:" prefix)`);
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
    ...(serviceName !== undefined ? { serviceName } : {}),
    ...(scaling ? { scaling } : {}),
    ...(release ? { release } : {}),
    invokers,
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

/** Service-level scaling: shared by every revision receiving traffic, so a canary does not double the instances. */
function serviceScaling(scaling: NonNullable<ResolvedCloudRunServiceArgs["scaling"]>) {
  return scaling.mode === "manual"
    ? { scalingMode: "MANUAL", manualInstanceCount: scaling.instances }
    : // Cloud Run wants both bounds or neither when leaving manual mode.
      { scalingMode: "AUTOMATIC", minInstanceCount: scaling.min, maxInstanceCount: scaling.max };
}

/**
 * Revision-level scaling. Without `scaling` it carries today's min/max. With `scaling` the floor
 * lives at the service level: a revision-level minimum of 0 keeps a tag-only candidate from holding
 * warm instances of its own (and overwrites a minimum left by an earlier configuration).
 */
function revisionScaling(r: ResolvedCloudRunServiceArgs) {
  if (!r.scaling) return { minInstanceCount: r.minInstances, maxInstanceCount: r.maxInstances };
  return r.scaling.mode === "manual" ? { minInstanceCount: 0 } : { minInstanceCount: 0, maxInstanceCount: r.scaling.max };
}

export class CloudRunService extends pulumi.ComponentResource {
  /** The Cloud Run service name (what a serverless NEG and monitoring filters reference). */
  public readonly serviceName: pulumi.Output<string>;
  /** `projects/{project}/locations/{region}/services/{name}`. */
  public readonly serviceId: pulumi.Output<string>;
  /** The run.app URL (reachable only per `ingress`): a Pub/Sub push endpoint and OIDC audience. */
  public readonly uri: pulumi.Output<string>;
  /** Name of the latest revision that is ready to serve. */
  public readonly latestRevision: pulumi.Output<string>;
  /** This deploy's revision name (`<serviceName>-<revisionSuffix>`), or undefined when Cloud Run generates it. */
  public readonly revisionName: pulumi.Output<string | undefined>;
  /** Traffic tag → its URL (`stable`, `candidate`), to test a candidate before promoting it. */
  public readonly tagUrls: pulumi.Output<Record<string, string>>;
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
        ...(r.serviceName !== undefined ? { name: r.serviceName } : {}),
        project: r.project,
        location: r.region,
        ingress: r.ingress,
        // See README "Public invocation": the load balancer carries no identity token.
        invokerIamDisabled: r.allowUnauthenticated,
        deletionProtection: r.deletionProtection,
        labels: r.labels,
        ...(r.scaling ? { scaling: serviceScaling(r.scaling) } : {}),
        ...(r.release ? { traffics: r.release.traffics } : {}),
        template: {
          ...(r.release?.revision !== undefined ? { revision: r.release.revision } : {}),
          serviceAccount: account.email,
          labels: r.labels,
          maxInstanceRequestConcurrency: r.concurrency,
          scaling: revisionScaling(r),
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

    for (const [key, email] of Object.entries(r.invokers)) {
      new gcp.cloudrunv2.ServiceIamMember(
        `${name}-invoker-${key}`,
        { project: r.project, location: r.region, name: service.name, role: "roles/run.invoker", member: pulumi.interpolate`serviceAccount:${email}` },
        { parent: this },
      );
    }

    this.serviceName = service.name;
    this.serviceId = service.id;
    this.uri = service.uri;
    this.latestRevision = service.latestReadyRevision;
    this.revisionName = pulumi.output(r.release?.revision);
    this.tagUrls = service.trafficStatuses.apply((statuses) => Object.fromEntries((statuses ?? []).filter((t) => t.tag).map((t) => [t.tag, t.uri])));
    this.region = pulumi.output(r.region);
    this.serviceAccountEmail = account.email;
    this.serviceAccountMember = account.member;
    this.registerOutputs({
      serviceName: this.serviceName,
      serviceId: this.serviceId,
      uri: this.uri,
      latestRevision: this.latestRevision,
      revisionName: this.revisionName,
      tagUrls: this.tagUrls,
      region: this.region,
      serviceAccountEmail: this.serviceAccountEmail,
      serviceAccountMember: this.serviceAccountMember,
    });
  }
}

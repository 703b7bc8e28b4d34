/**
 * Quickfund's monolith (docs/platforms/quickfund.md § Vue d'ensemble: "Architecture: Monolithique
 * (API + Frontend)"): a FastAPI API and a React frontend, described once as a platform-neutral
 * spec and built by a target. Today's target is Cloud Run; the spec is kept free of Cloud Run
 * notions so that a `kubernetes` target (§ Migration prévue: VMCloud, Q1-Q2 2026) can reuse it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CommonArgs, ComponentArgsError, Labels, mergeLabels, statefulChildOptions } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { CloudRunService } from "../cloud-run-service";
import { regionalSecret } from "../secret";

export const MONOLITH_TYPE = "platform:gcp:Monolith";

/** Targets the spec can be built on. Only `cloud-run` exists; `kubernetes` is the planned one. */
export type MonolithTarget = "cloud-run";
export const MONOLITH_TARGETS: readonly string[] = ["cloud-run"];

/** One workload of the monolith, in terms any container platform understands. */
export interface WorkloadSpec {
  /** Container image pinned by tag or digest (`:latest` or no tag throws). */
  image: string;
  /**
   * Port the container listens on.
   * @default 8080
   */
  port?: number;
  /**
   * HTTP path of the health endpoint (startup and liveness probes).
   * @default api: "/api/health" (the API is served under /api, see HttpsLoadBalancer); frontend: "/"
   */
  healthPath?: string;
  /**
   * Plain environment variables.
   * @default {}
   */
  env?: Record<string, pulumi.Input<string>>;
  /**
   * Instances kept warm; at least the component's `minWarmInstances`.
   * @default MonolithArgs.minWarmInstances
   */
  minInstances?: number;
  /**
   * Upper bound of instances (cost and database connections).
   * @default 10
   */
  maxInstances?: number;
  /**
   * CPU per instance.
   * @default "1"
   */
  cpu?: string;
  /**
   * Memory per instance.
   * @default "512Mi"
   */
  memory?: string;
}

/** The API: a workload that also reads secrets. */
export interface ApiSpec extends WorkloadSpec {
  /**
   * Secret env vars: env var name → logical secret name. Each logical secret becomes a secret of the
   * target's secret store (Secret Manager on Cloud Run).
   * @default { STRIPE_API_KEY: "stripe-api-key", TWILIO_AUTH_TOKEN: "twilio-auth-token", JWT_SIGNING_KEY: "jwt-signing-key" }
   */
  secrets?: Record<string, string>;
}

/** Where the API finds PostgreSQL (quickfund.md § Base de données). */
export interface DatabaseConnection {
  /** Host (Cloud SQL private IP), exposed to the API as `DB_HOST`. */
  host: pulumi.Input<string>;
  /** Database name, exposed as `DB_NAME`. */
  name: pulumi.Input<string>;
  /** Database user, exposed as `DB_USER`. */
  user: pulumi.Input<string>;
  /**
   * Existing secret (id) holding the database password, exposed as `DB_PASSWORD`.
   * @default undefined (no password env var: IAM database authentication, or set by other means)
   */
  passwordSecretId?: pulumi.Input<string>;
}

export interface MonolithArgs extends CommonArgs {
  /** Which platform builds the spec. */
  target: MonolithTarget;
  /**
   * The fewest instances each service keeps warm: `api.minInstances` and `frontend.minInstances`
   * default to it, and a value below it is refused. A production stack passes 1, so that no payment
   * or login waits for a cold start (team rule); the stack decides it from its env's traits, the
   * component knows no env names.
   * @default 0
   */
  minWarmInstances?: number;
  /** GCP project id. */
  project: string;
  /** Region of the services and of the secrets' replicas (EU residency: quickfund.md § Sécurité "Données en Europe"). */
  region: string;
  /** VPC network the API reaches Cloud SQL through (Direct VPC egress). */
  network: pulumi.Input<string>;
  /** Subnetwork the API's instances take their IPs from. */
  subnetwork: pulumi.Input<string>;
  /** FastAPI backend (quickfund.md § Backend). */
  api: ApiSpec;
  /** React frontend (quickfund.md § Frontend). */
  frontend: WorkloadSpec;
  /** PostgreSQL connection of the API. */
  database: DatabaseConnection;
  /**
   * Secret values by logical name, as Pulumi secrets (`config.requireSecret(...)`); a plain string
   * throws. A secret without a value (and not generated) is created empty and NOT wired into the
   * API's env: Cloud Run cannot start a revision that reads a secret with no version, so an
   * optional credential stays out until its value is configured.
   * @default {}
   */
  secretValues?: Record<string, pulumi.Input<string> | undefined>;
  /**
   * Logical secrets generated with @pulumi/random when no value is supplied.
   * @default ["jwt-signing-key"]
   */
  generatedSecrets?: string[];
  /**
   * Regions holding the secrets' replicas (user-managed replication).
   * @default [region]
   */
  secretLocations?: string[];
  /**
   * Project roles of the API's identity.
   * @default ["roles/cloudsql.client"]
   */
  apiRoles?: string[];
}

/** A workload with every default applied: what any target builds from. */
export interface ResolvedWorkload {
  image: string;
  port: number;
  healthPath: string;
  env: Record<string, pulumi.Input<string>>;
  /** env var name → logical secret name. */
  secretEnv: Record<string, string>;
  minInstances: number;
  maxInstances: number;
  cpu: string;
  memory: string;
}

/** A logical secret: supplied, generated, or an empty container to fill out of band. */
export interface ResolvedSecret {
  name: string;
  value?: pulumi.Input<string>;
  generate: boolean;
}

/** The platform-neutral part: a `kubernetes` target would take exactly this. */
export interface ResolvedMonolithSpec {
  /** The floor every workload's `minInstances` was checked against. */
  minWarmInstances: number;
  api: ResolvedWorkload;
  frontend: ResolvedWorkload;
  secrets: ResolvedSecret[];
}

export interface ResolvedMonolithArgs {
  target: MonolithTarget;
  spec: ResolvedMonolithSpec;
  /** What only the cloud-run target needs. */
  cloudRun: {
    project: string;
    region: string;
    network: pulumi.Input<string>;
    subnetwork: pulumi.Input<string>;
    secretLocations: string[];
    apiRoles: string[];
    databasePasswordSecretId?: pulumi.Input<string>;
  };
  labels: Labels;
  deletionProtection: boolean;
}

/** quickfund.md § Services tiers (Stripe, Twilio) and the API's own token signing key. */
export const DEFAULT_API_SECRETS: Readonly<Record<string, string>> = {
  STRIPE_API_KEY: "stripe-api-key",
  TWILIO_AUTH_TOKEN: "twilio-auth-token",
  JWT_SIGNING_KEY: "jwt-signing-key",
};
const DB_ENV = ["DB_HOST", "DB_NAME", "DB_USER", "DB_PASSWORD"];
const SECRET_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function resolveMonolithArgs(name: string, args: MonolithArgs): ResolvedMonolithArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(MONOLITH_TYPE, name, detail);
  };
  if (!MONOLITH_TARGETS.includes(args.target)) {
    fail(`target "${String(args.target)}" is not built yet (known: ${MONOLITH_TARGETS.join(", ")}); see README "Kubernetes target"`);
  }
  const minWarmInstances = args.minWarmInstances ?? 0;
  if (!Number.isInteger(minWarmInstances) || minWarmInstances < 0) fail(`minWarmInstances must be a non-negative integer, got ${minWarmInstances}`);

  const workload = (role: "api" | "frontend", spec: WorkloadSpec, secretEnv: Record<string, string>, extraEnv: Record<string, pulumi.Input<string>>): ResolvedWorkload => {
    assertPinnedImage(MONOLITH_TYPE, name, `${role}.image`, spec.image);
    const minInstances = spec.minInstances ?? minWarmInstances;
    if (minInstances < minWarmInstances) fail(`${role}.minInstances is ${minInstances}, below minWarmInstances ${minWarmInstances}: keep at least ${minWarmInstances} warm instance(s), or lower minWarmInstances`);
    const env = spec.env ?? {};
    const clash = Object.keys(env).filter((k) => k in extraEnv || k in secretEnv);
    if (clash.length > 0) fail(`${role}.env sets ${clash.join(", ")}, which the component sets from database or secrets`);
    return {
      image: spec.image,
      port: spec.port ?? 8080,
      healthPath: spec.healthPath ?? (role === "api" ? "/api/health" : "/"),
      env: { ...env, ...extraEnv },
      secretEnv,
      minInstances,
      maxInstances: spec.maxInstances ?? 10,
      cpu: spec.cpu ?? "1",
      memory: spec.memory ?? "512Mi",
    };
  };

  const apiSecretEnv = { ...(args.api.secrets ?? DEFAULT_API_SECRETS) };
  for (const [envName, logical] of Object.entries(apiSecretEnv)) {
    if (DB_ENV.includes(envName)) fail(`api.secrets sets ${envName}, which comes from database`);
    if (!SECRET_NAME.test(logical)) fail(`api.secrets.${envName}: logical secret name "${logical}" must be lowercase letters, digits and hyphens`);
  }
  const logicalNames = [...new Set(Object.values(apiSecretEnv))];
  if (logicalNames.length !== Object.keys(apiSecretEnv).length) fail("api.secrets maps two env vars to the same secret; one env var per secret");

  const secretValues = args.secretValues ?? {};
  const generatedSecrets = args.generatedSecrets ?? ["jwt-signing-key"];
  for (const key of Object.keys(secretValues)) {
    if (!logicalNames.includes(key)) fail(`secretValues.${key} is not a secret of api.secrets (${logicalNames.join(", ")})`);
  }
  for (const key of generatedSecrets) {
    if (!logicalNames.includes(key)) fail(`generatedSecrets lists "${key}", which is not a secret of api.secrets (${logicalNames.join(", ")})`);
  }
  const secrets: ResolvedSecret[] = logicalNames.map((logical) => {
    const value = secretValues[logical];
    // A literal would sit in clear in the program and in the state's inputs.
    if (typeof value === "string") fail(`secretValues.${logical} is a plain string; pass a Pulumi secret (config.requireSecret / pulumi.secret)`);
    return value === undefined ? { name: logical, generate: generatedSecrets.includes(logical) } : { name: logical, value, generate: false };
  });

  const dbEnv: Record<string, pulumi.Input<string>> = { DB_HOST: args.database.host, DB_NAME: args.database.name, DB_USER: args.database.user };
  const secretLocations = args.secretLocations ?? [args.region];
  if (secretLocations.length === 0) fail("secretLocations is empty; user-managed replication needs at least one region");
  const secretIdLength = Math.max(...logicalNames.map((l) => `${name}-${l}`.length));
  if (secretIdLength > 255) fail(`secret ids ("${name}-<secret>") exceed 255 characters`);

  return {
    target: args.target,
    spec: {
      minWarmInstances,
      api: workload("api", args.api, apiSecretEnv, dbEnv),
      frontend: workload("frontend", args.frontend, {}, {}),
      secrets,
    },
    cloudRun: {
      project: args.project,
      region: args.region,
      network: args.network,
      subnetwork: args.subnetwork,
      secretLocations,
      apiRoles: args.apiRoles ?? ["roles/cloudsql.client"],
      ...(args.database.passwordSecretId !== undefined ? { databasePasswordSecretId: args.database.passwordSecretId } : {}),
    },
    labels: mergeLabels(args.labels),
    deletionProtection: args.deletionProtection ?? true,
  };
}

export class Monolith extends pulumi.ComponentResource {
  public readonly apiServiceName: pulumi.Output<string>;
  public readonly frontendServiceName: pulumi.Output<string>;
  public readonly apiServiceAccountEmail: pulumi.Output<string>;
  public readonly frontendServiceAccountEmail: pulumi.Output<string>;
  public readonly region: pulumi.Output<string>;
  /** Logical secret name → Secret Manager secret id (not the value). */
  public readonly secretIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: MonolithArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MONOLITH_TYPE, name, {}, opts);
    const r = resolveMonolithArgs(name, args);
    // The only target today; a `kubernetes` branch would call its own builder with `r.spec`.
    const built = buildCloudRunTarget(this, name, r);

    this.apiServiceName = built.api.serviceName;
    this.frontendServiceName = built.frontend.serviceName;
    this.apiServiceAccountEmail = built.api.serviceAccountEmail;
    this.frontendServiceAccountEmail = built.frontend.serviceAccountEmail;
    this.region = pulumi.output(r.cloudRun.region);
    this.secretIds = pulumi.output(built.secretIds);
    this.registerOutputs({
      apiServiceName: this.apiServiceName,
      frontendServiceName: this.frontendServiceName,
      apiServiceAccountEmail: this.apiServiceAccountEmail,
      frontendServiceAccountEmail: this.frontendServiceAccountEmail,
      region: this.region,
      secretIds: this.secretIds,
    });
  }
}

/** Builds the spec on Cloud Run: Secret Manager secrets, then one CloudRunService per workload. */
function buildCloudRunTarget(parent: Monolith, name: string, r: ResolvedMonolithArgs) {
  const { spec, cloudRun } = r;
  const secretIds: Record<string, pulumi.Output<string>> = {};
  const secretRefs: Record<string, { secret: pulumi.Input<string>; version: pulumi.Input<string> }> = {};

  for (const s of spec.secrets) {
    let value: pulumi.Input<string> | undefined = s.value;
    if (s.generate) {
      // Alphanumeric only: the key travels through env vars and JWT libraries without escaping.
      const generated = new random.RandomPassword(`${name}-${s.name}-random`, { length: 64, special: false }, statefulChildOptions(parent, r.deletionProtection));
      value = generated.result;
    }
    const { secret, version } = regionalSecret(
      { secret: `${name}-secret-${s.name}`, version: `${name}-secret-${s.name}-version` },
      {
        project: cloudRun.project,
        secretId: `${name}-${s.name}`,
        // The given region(s) only: the data stays in Europe (quickfund.md § Sécurité: "Conformité
        // RGPD — Données en Europe").
        replicas: cloudRun.secretLocations.map((location) => ({ location })),
        labels: r.labels,
        deletionProtection: r.deletionProtection,
        value,
      },
      statefulChildOptions(parent, r.deletionProtection),
    );
    secretIds[s.name] = secret.secretId;

    if (version === undefined) {
      // An empty container, not wired into the API: Cloud Run refuses to start a revision whose
      // env reads a secret with no version ("Secret ... versions/latest was not found"), so an
      // optional credential left unset must not be referenced. Setting the value in the stack's
      // configuration creates a version and wires it (pinned) on the next `pulumi up`.
      void pulumi.log.warn(
        `secret "${name}-${s.name}" has no value: the API runs without it; set it in the stack configuration to create a version and wire it`,
        parent,
      );
      continue;
    }
    // Pinned: a rotation rolls out a new revision instead of waiting for instances to restart.
    secretRefs[s.name] = { secret: secret.secretId, version: version.version };
  }

  const secretEnv: Record<string, { secret: pulumi.Input<string>; version: pulumi.Input<string> }> = {};
  for (const [envName, logical] of Object.entries(spec.api.secretEnv)) if (secretRefs[logical]) secretEnv[envName] = secretRefs[logical];
  if (cloudRun.databasePasswordSecretId !== undefined) secretEnv.DB_PASSWORD = { secret: cloudRun.databasePasswordSecretId, version: "latest" };

  const common = { project: cloudRun.project, region: cloudRun.region, labels: r.labels, deletionProtection: r.deletionProtection };
  const api = new CloudRunService(
    `${name}-api`,
    {
      ...common,
      ...workloadArgs(spec.api),
      env: spec.api.env,
      secretEnv,
      roles: cloudRun.apiRoles,
      vpc: { network: cloudRun.network, subnetwork: cloudRun.subnetwork, egress: "PRIVATE_RANGES_ONLY" },
    },
    { parent },
  );
  // The frontend only serves the React bundle and calls the API through the load balancer:
  // no VPC access, no secret, no role.
  const frontend = new CloudRunService(`${name}-frontend`, { ...common, ...workloadArgs(spec.frontend), env: spec.frontend.env }, { parent });
  return { api, frontend, secretIds };
}

function workloadArgs(w: ResolvedWorkload) {
  return { image: w.image, port: w.port, healthPath: w.healthPath, minInstances: w.minInstances, maxInstances: w.maxInstances, cpu: w.cpu, memory: w.memory };
}

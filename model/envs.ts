/**
 * What an env means, in one table. Every decision that depends on the env (is it judged as
 * production, are stateful resources protected by default, which branch deploys it, which GitHub
 * environment holds its identity) reads a trait here; nothing compares env names. Adding an env is
 * one row here plus its stack files (README § Adding an env).
 *
 * A platform lists the envs it has (`PlatformDefinition.envs`); a `foundation` env is the stack a
 * platform deploys once for all its app envs (DiaspoMoney's cluster), before them.
 */

export interface EnvTraits {
  /**
   * Judged as production: rules default to mandatory, prod-only rules apply, waivers are refused,
   * deletion protection may not be turned off. A foundation that serves prod is prod-like.
   */
  prodLike: boolean;
  /** Stateful resources are protected against deletion unless the stack file says otherwise. */
  deletionProtection: boolean;
  /** `app`: one env of a platform's app; `foundation`: shared by the platform's app envs, deployed first. */
  kind: "app" | "foundation";
  /** How the app runs (e.g. NODE_ENV): `development` gives verbose errors, never in front of users. */
  runtimeMode: "development" | "production";
  /** The branch whose pushes deploy the env's stacks (.github/workflows, BRANCH_ENVS). */
  branch: string;
  /** The GitHub environment that holds the env's deploy identity (docs/pull-requests.md § Identities and keys). */
  githubEnvironment: string;
}

export const ENV_TRAITS = {
  dev: { prodLike: false, deletionProtection: false, kind: "app", runtimeMode: "development", branch: "develop", githubEnvironment: "dev" },
  rct: { prodLike: false, deletionProtection: true, kind: "app", runtimeMode: "production", branch: "rct", githubEnvironment: "rct" },
  prod: { prodLike: true, deletionProtection: true, kind: "app", runtimeMode: "production", branch: "main", githubEnvironment: "prod" },
  shared: { prodLike: true, deletionProtection: true, kind: "foundation", runtimeMode: "production", branch: "main", githubEnvironment: "prod" },
} as const satisfies Record<string, EnvTraits>;

/** Every env a stack name may end in. */
export type StackEnv = keyof typeof ENV_TRAITS;
/** The envs an app runs in (not a foundation). */
export type AppEnv = { [E in StackEnv]: (typeof ENV_TRAITS)[E]["kind"] extends "app" ? E : never }[StackEnv];

/** The envs a platform's foundation stack may have (deployed once for all its app envs). */
export type FoundationEnv = Exclude<StackEnv, AppEnv>;

export const STACK_ENVS = Object.keys(ENV_TRAITS) as StackEnv[];
export const APP_ENVS = STACK_ENVS.filter((e) => ENV_TRAITS[e].kind === "app") as AppEnv[];

export function isStackEnv(env: unknown): env is StackEnv {
  return typeof env === "string" && Object.prototype.hasOwnProperty.call(ENV_TRAITS, env);
}

export function envTraits(env: StackEnv): EnvTraits {
  return ENV_TRAITS[env];
}

export function isProdLike(env: StackEnv): boolean {
  return ENV_TRAITS[env].prodLike;
}

export function isFoundationEnv(env: StackEnv): boolean {
  return ENV_TRAITS[env].kind === "foundation";
}

/**
 * The env a stack name ends in (`quickfund-prod` → prod, `crm-courtier-shared` → shared); undefined
 * for a name that is not `<platform>-<env>`. Prod-ness comes from the stack name, never from a
 * config's own `env` field.
 */
export function envOfStack(stack: unknown): StackEnv | undefined {
  if (typeof stack !== "string") return undefined;
  const m = /^[a-z0-9]+(?:-[a-z0-9]+)*-([a-z0-9]+)$/.exec(stack);
  return m && isStackEnv(m[1]) ? m[1] : undefined;
}

/** The env each deploying branch maps to (app envs only: a foundation deploys with its prod-like branch's envs). */
export function branchEnvs(): Record<string, AppEnv> {
  return Object.fromEntries(APP_ENVS.map((e) => [ENV_TRAITS[e].branch, e]));
}

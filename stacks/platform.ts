/**
 * What a platform is to the program, one definition per kind of stack (a platform's app envs, or
 * the foundation its app envs share): its configuration schema, one row per env (typed defaults
 * and the document's compliance figures), and the function that composes the stack.
 *
 * A platform file writes a typed {@link PlatformDefinition}; {@link definePlatform} checks it and
 * hands the registry a {@link RegisteredPlatform}, which never exposes the config type: the typed
 * config goes from the schema to the composition inside one closure, so no cast is needed anywhere.
 */
import type { z } from "zod";
import type { ComplianceFacts } from "../model/compliance";
import { ENV_TRAITS, type StackEnv } from "../model/envs";
import { envDefaults, resolveConfig, type ResolveInput } from "./config";
import { StackConfigError, stackFile } from "./config-error";

export type { ComplianceFacts } from "../model/compliance";
export type { AppEnv, StackEnv } from "../model/envs";

/** Where the program is running and for which stack; handed to every composition. */
export interface StackContext<E extends StackEnv = StackEnv> {
  /** Pulumi project name (Pulumi.yaml `name`). */
  project: string;
  /** Full stack name, `<platform>-<env>`. */
  stack: string;
  platform: string;
  env: E;
}

/** Deep partial of a config object: what an env profile may set. */
export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A stack's outputs. */
export type StackOutputs = Record<string, unknown>;

/** A config that parses but breaks a rule involving several keys or the env: the offending key (without namespace), expected, given. */
export interface EnvProblem {
  key: string;
  expected: string;
  got: string;
}

/** What one env of a definition states: the defaults its stack file overrides, and the document's figures for it. */
export interface EnvRow<S extends z.ZodObject> {
  /** Typed defaults; the stack file overrides them key by key (objects merge deeply). */
  profile: DeepPartial<z.input<S>>;
  /** Document facts the policy pack enforces in this env, each with its § citation. */
  compliance: ComplianceFacts;
}

export interface PlatformDefinition<S extends z.ZodObject, E extends StackEnv> {
  /** Platform name: the first part of its stack names and its config namespace. */
  name: string;
  /** Names the JSON Schema of these stack files: `stacks/schemas/<schemaId>.schema.json`. */
  schemaId: string;
  /** The requirements document in docs/platforms/ (e.g. `quickfund.md`). */
  document: string;
  /** The configuration schema: one top-level property per `<platform>:<key>` config key. */
  schema: S;
  /**
   * The envs this kind of stack has, in deploy order, one row each: the platform lists its own
   * envs here (the env type is inferred from these keys, so adding a row adds the env).
   */
  envs: { readonly [K in E]: EnvRow<S> };
  /** Rules across keys or depending on the env, checked once the schema passed. */
  checkEnv?: (env: NoInfer<E>, config: z.output<S>) => EnvProblem | undefined;
  /** Composes the stack's resources; returns the stack outputs. */
  compose: (ctx: StackContext<NoInfer<E>>, config: z.output<S>) => StackOutputs | Promise<StackOutputs>;
}

/** A definition as the registry, the program and the generators see it: no config type to get wrong. */
export interface RegisteredPlatform {
  readonly name: string;
  readonly schemaId: string;
  readonly document: string;
  /** The envs of this kind of stack, in deploy order. */
  readonly envs: readonly StackEnv[];
  readonly schema: z.ZodObject;
  /** Whether its envs are a foundation (a platform's shared stack) rather than app envs. */
  readonly kind: "app" | "foundation";
  compliance(env: StackEnv): ComplianceFacts;
  /** What a stack of `env` gets when its file says nothing (the env's traits, then its profile row). */
  defaults(env: StackEnv): Readonly<Record<string, unknown>>;
  /**
   * Validates a stack's configuration (a StackConfigError for the first problem) and returns the
   * composition bound to the typed result: nothing is declared until it is called.
   */
  resolve(input: ResolveInput): (ctx: StackContext) => StackOutputs | Promise<StackOutputs>;
}

/** A typed definition as written, its env type inferred from its rows (for a platform that needs it before registering it). */
export function platformDefinition<S extends z.ZodObject, E extends StackEnv>(def: PlatformDefinition<S, E>): PlatformDefinition<S, E> {
  return def;
}

/** The envs of a definition, in its row order. */
export function envsOf<S extends z.ZodObject, E extends StackEnv>(def: PlatformDefinition<S, E>): E[] {
  return Object.keys(def.envs) as E[];
}

/** Checks a typed definition and erases its config type behind `resolve`. */
export function definePlatform<S extends z.ZodObject, E extends StackEnv>(def: PlatformDefinition<S, E>): RegisteredPlatform {
  const envs = envsOf(def);
  const kinds = new Set(envs.map((e) => ENV_TRAITS[e].kind));
  if (envs.length === 0 || kinds.size !== 1) {
    throw new Error(`${def.name} (${def.schemaId}): expected one or more envs of one kind (model/envs.ts), got ${envs.map((e) => `${e} (${ENV_TRAITS[e].kind})`).join(", ") || "none"}`);
  }
  const has = (env: StackEnv): env is E => (envs as StackEnv[]).includes(env);
  const expectEnv = (env: StackEnv, stack: string): E => {
    if (!has(env)) throw new StackConfigError(stackFile(stack), "stack name", `an env of ${def.schemaId}: one of ${envs.join(", ")}`, JSON.stringify(env));
    return env;
  };
  return {
    name: def.name,
    schemaId: def.schemaId,
    document: def.document,
    envs,
    schema: def.schema,
    kind: [...kinds][0],
    compliance: (env) => def.envs[expectEnv(env, `${def.name}-${env}`)].compliance,
    defaults: (env) => envDefaults(def, expectEnv(env, `${def.name}-${env}`)),
    resolve: (input) => {
      const env = expectEnv(input.env, input.stack);
      const config = resolveConfig(def, { ...input, env });
      return (ctx) => def.compose({ ...ctx, env }, config);
    },
  };
}

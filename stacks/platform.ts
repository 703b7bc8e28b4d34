/**
 * What a platform is to the program: its configuration schema, the env profiles that give typed
 * defaults, the compliance facts its document states, and the function that composes its stack.
 * Adding a platform is one file that exports a PlatformDefinition, plus its stack files.
 */
import type { z } from "zod";

export const ENVS = ["dev", "rct", "prod"] as const;
export type Env = (typeof ENVS)[number];
/** A stack's env: one of ENVS, or `shared` for infrastructure a platform's document draws once for all envs. */
export type StackEnv = Env | "shared";

/** Where the program is running and for which stack; handed to every composition. */
export interface StackContext {
  /** Pulumi project name (Pulumi.yaml `name`). */
  project: string;
  /** Full stack name, `<platform>-<env>`. */
  stack: string;
  platform: string;
  env: StackEnv;
}

/** Deep partial of a config object: what an env profile may set. */
export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * Facts a platform's document states that the policy pack enforces. They live in code, next to
 * the document reference, not in stack config: editing a stack file must not loosen them.
 */
export interface ComplianceFacts {
  /** Regions (or multi-regions such as `EU`) where located resources may live. */
  allowedLocations: string[];
  /** Minimum days a database backup or a backup bucket keeps data. */
  minBackupRetentionDays: number;
  /** Longest allowed interval between two backups of a stateful service, in hours. */
  maxBackupIntervalHours: number;
  /** The document states an RPO (or the env needs point-in-time recovery): PITR / binlogs required. */
  pointInTimeRecoveryRequired: boolean;
  /** Where each figure comes from (`quickfund.md § Backups`). */
  sources: Record<string, string>;
}

export interface PlatformDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Platform name, the first part of its stack names and its config namespace. */
  name: string;
  /** The requirements document in docs/platforms/ (e.g. `quickfund.md`). */
  document: string;
  /** The stacks this platform has. */
  envs: readonly StackEnv[];
  /** The configuration schema: one top-level property per `<platform>:<key>` config key. */
  schema: S;
  /** Typed defaults per env; a stack file overrides them key by key (objects merge deeply). */
  profiles: Partial<Record<StackEnv, DeepPartial<z.input<S>>>>;
  /**
   * Rules that depend on the env (e.g. prod keeps deletion protection); returns the offending key
   * (without namespace), what was expected and what was given, or nothing when the config is fine.
   */
  checkEnv?: (env: StackEnv, config: z.output<S>) => { key: string; expected: string; got: string } | undefined;
  /** Document facts the policy pack enforces, per env. */
  compliance: (env: StackEnv) => ComplianceFacts;
  /** Composes the stack's resources; returns the stack outputs. */
  compose: (ctx: StackContext, config: z.output<S>) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

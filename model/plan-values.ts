/**
 * The shapes of a recorded plan that every layer reads: Pulumi's wire sentinels (unknown values,
 * secrets, resource references) and one recorded resource registration. Constants only, no SDK:
 * the policy pack, the plan diff and the components' tests import this without paying for
 * `@pulumi/pulumi`.
 */

/** Pulumi's wire sentinel for an unknown value (the same string `pulumi preview --json` prints). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Pulumi's wire signature key for special objects (secrets, resource references, assets). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** What a secret looks like in a plan: the shape `pulumi preview --json` uses, with its value blinded. */
export const BLINDED_SECRET = Object.freeze({ [SIG_KEY]: SECRET_SIG, ciphertext: "[secret]" });

/** A value a preview cannot see into: the unknown sentinel or a (blinded) secret. */
export function isOpaque(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  return !!value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Whether an opaque value sits anywhere inside `value`. */
export function containsOpaque(value: unknown): boolean {
  if (isOpaque(value)) return true;
  if (Array.isArray(value)) return value.some(containsOpaque);
  if (value && typeof value === "object") return Object.values(value).some(containsOpaque);
  return false;
}

export type AliasRecord = string | { name?: string; type?: string; stack?: string; project?: string; parentUrn?: string; noParent?: boolean };

export interface ResourceOptionsRecord {
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace?: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  aliases: AliasRecord[];
  additionalSecretOutputs: string[];
  deletedWith?: string;
  customTimeouts?: { create?: string; update?: string; delete?: string };
  version?: string;
  pluginDownloadURL?: string;
  importId?: string;
}

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** Provider reference `urn::id` as the engine receives it; absent means the default provider. */
  provider?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Inputs in Pulumi's JSON form: secrets blinded, unknowns as the UNKNOWN sentinel. */
  inputs: Record<string, unknown>;
  options: ResourceOptionsRecord;
  /** Set for a resource the program reads instead of managing (a StackReference, `Resource.get`): its id. */
  readId?: string;
}

/*
 * Reading plan inputs safely, the same way in every layer (checks, cost pricers, the pod model):
 * unknowns and wrong shapes read as absent.
 */
export type Obj = Record<string, unknown>;

/** A non-empty string the preview knows (not the unknown sentinel). */
export const known = (v: unknown): v is string => typeof v === "string" && v !== UNKNOWN && v !== "";

/** An object (not an array), or undefined. */
export const asObject = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** An array, or empty. */
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

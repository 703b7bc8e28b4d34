/** Reading plan inputs safely, the same way in every check: unknowns and wrong shapes read as absent. */
import { UNKNOWN } from "../evaluate";

export type Obj = Record<string, unknown>;

/** A non-empty string the preview knows (not the unknown sentinel). */
export const known = (v: unknown): v is string => typeof v === "string" && v !== UNKNOWN && v !== "";

/** An object (not an array), or undefined. */
export const asObject = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** An array, or empty. */
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

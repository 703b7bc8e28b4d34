/** Reading plan inputs safely, the same way in every check: unknowns and wrong shapes read as absent. */
import { UNKNOWN, type RecordedResource } from "../evaluate";

export type Obj = Record<string, unknown>;

/** A non-empty string the preview knows (not the unknown sentinel). */
export const known = (v: unknown): v is string => typeof v === "string" && v !== UNKNOWN && v !== "";

/** An object (not an array), or undefined. */
export const asObject = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** An array, or empty. */
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The GCP project a recorded resource is created in: its `project` input, else its explicit
 * provider's `project` (the provider default), else undefined (cannot tell).
 */
export function gcpProjectResolver(resources: readonly RecordedResource[]): (r: RecordedResource) => string | undefined {
  const providers = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((p) => [p.urn, p]));
  return (r) => {
    if (known(r.inputs.project)) return r.inputs.project;
    const providerUrn = r.provider?.split("::").slice(0, -1).join("::");
    const provider = providerUrn ? providers.get(providerUrn) : undefined;
    return provider && known(provider.inputs.project) ? provider.inputs.project : undefined;
  };
}

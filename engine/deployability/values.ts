/** Reading plan inputs safely, the same way in every check: unknowns and wrong shapes read as absent. */
import type { RecordedResource } from "../evaluate";
import { known } from "../../model/plan-values";

export { asArray, asObject, known, type Obj } from "../../model/plan-values";

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

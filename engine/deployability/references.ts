/** Deployability check `references`: placeholder until its module lands; it finds nothing yet. */
import type { DeployCheck } from "./types";

export const referencesCheck: DeployCheck = {
  name: "references",
  description: "(not implemented yet)",
  run: () => [],
};

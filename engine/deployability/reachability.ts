/** Deployability check `reachability`: placeholder until its module lands; it finds nothing yet. */
import type { DeployCheck } from "./types";

export const reachabilityCheck: DeployCheck = {
  name: "reachability",
  description: "(not implemented yet)",
  run: () => [],
};

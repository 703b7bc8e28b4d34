/** Deployability check `capacity`: placeholder until its module lands; it finds nothing yet. */
import type { DeployCheck } from "./types";

export const capacityCheck: DeployCheck = {
  name: "capacity",
  description: "(not implemented yet)",
  run: () => [],
};

/** Deployability check `create-order`: placeholder until its module lands; it finds nothing yet. */
import type { DeployCheck } from "./types";

export const createOrderCheck: DeployCheck = {
  name: "create-order",
  description: "(not implemented yet)",
  run: () => [],
};

/** Deployability check `chart-values`: placeholder until its module lands; it finds nothing yet. */
import type { DeployCheck } from "./types";

export const chartValuesCheck: DeployCheck = {
  name: "chart-values",
  description: "(not implemented yet)",
  run: () => [],
};

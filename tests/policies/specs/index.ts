import { CNPG_SPECS } from "./cnpg";
import { COST_SPECS } from "./cost";
import { GCP_SPECS } from "./gcp";
import { K8S_SPECS } from "./kubernetes";
import { PLATFORM_SPECS } from "./platform";
import { RESIDENCY_SPECS } from "./residency";
import { RPO_SPECS } from "./rpo";
import type { RuleSpec } from "./types";
import { WORKLOAD_SPECS } from "./workload";

/** Every rule's spec, keyed by policy name (the meta-test checks every rule has one). */
export const SPECS: Record<string, RuleSpec> = { ...GCP_SPECS, ...RESIDENCY_SPECS, ...K8S_SPECS, ...PLATFORM_SPECS, ...COST_SPECS, ...CNPG_SPECS, ...RPO_SPECS, ...WORKLOAD_SPECS };

import { defineResourceRule } from "../lib/rule";
import { isSet, isUnknown, prop } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-require-resources",
  description: "Containers declare CPU and memory requests and limits (the scheduler and the namespace quota depend on them).",
  severity: "medium",
  remediationSteps: "Set resources.requests.{cpu,memory} and resources.limits.{cpu,memory} on every container, init containers included.",
  source: "CKV_K8S_10, CKV_K8S_11, CKV_K8S_12, CKV_K8S_13; diaspomoney.md § Métriques Infrastructure (CPU < 70%, Memory < 80%)",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    // Operators' custom resources size their pods per component (spec.kafka.resources…), not per container template.
    eachContainer(
      r,
      ({ container }) => {
        const res = prop(container.c, "resources");
        if (isUnknown(res)) return;
        for (const kind of ["requests", "limits"] as const) {
          const group = prop(res, kind);
          if (isUnknown(group)) continue;
          for (const k of ["cpu", "memory"]) if (!isSet(prop(group, k))) report(`${container.where}: resources.${kind}.${k} is not set.`);
        }
      },
      { builtInOnly: true },
    );
  },
});

/** The shared walk of workload rules: each container of a pod-bearing object, with its pod spec. */
import type { ResourceContext } from "./rule";
import { containers, type ContainerView, podSpec, WORKLOAD_TYPES } from "./k8s";
import { isUnknown, prop } from "./values";

export { WORKLOAD_TYPES };

export interface ContainerCheck {
  pod: unknown;
  container: ContainerView;
  /** Reads the container's securityContext field, falling back to the pod's when `podLevel`. */
  sc(field: string, podLevel?: boolean): unknown;
}

export function eachContainer(r: ResourceContext, fn: (c: ContainerCheck) => void, mainOnly = false): void {
  const pod = podSpec(r.type, r.props);
  if (pod === undefined || isUnknown(pod)) return;
  for (const container of containers(pod, mainOnly)) {
    fn({
      pod,
      container,
      sc(field, podLevel = false) {
        const own = prop(prop(container.c, "securityContext"), field);
        if (own !== undefined || !podLevel) return own;
        return prop(prop(pod, "securityContext"), field);
      },
    });
  }
}

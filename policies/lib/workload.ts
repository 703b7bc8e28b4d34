/** The shared walk of workload rules: each container of every pod template (lib/pod-templates.ts), with its pod. */
import type { ResourceContext } from "./rule";
import { type ContainerView } from "./k8s";
import { carriesPods, isBuiltInPodType, isLongRunningPodType, podTemplates, POD_TYPES_DESCRIPTION, type PodView } from "./pod-templates";
import { isUnknown, prop } from "./values";

export { carriesPods, isBuiltInPodType, isLongRunningPodType, POD_TYPES_DESCRIPTION };

export interface ContainerCheck {
  pod: unknown;
  view: PodView;
  container: ContainerView;
  /** Reads the container's securityContext field, falling back to the pod's when `podLevel`. */
  sc(field: string, podLevel?: boolean): unknown;
}

export interface WalkOptions {
  /** Main containers only (no init or ephemeral containers). */
  mainOnly?: boolean;
  /** Skip operators' custom resources (for what the operator decides: image, probes, resources). */
  builtInOnly?: boolean;
}

/** Every pod template of the resource (built-in kinds in any API version, operators' CRs). */
export function eachPod(r: ResourceContext, fn: (v: PodView) => void, opts: WalkOptions = {}): void {
  for (const v of podTemplates(r.type, r.props)) {
    if (opts.builtInOnly && v.operator) continue;
    if (isUnknown(v.pod)) continue;
    fn(v);
  }
}

export function eachContainer(r: ResourceContext, fn: (c: ContainerCheck) => void, opts: WalkOptions | boolean = {}): void {
  const o: WalkOptions = typeof opts === "boolean" ? { mainOnly: opts } : opts;
  eachPod(
    r,
    (view) => {
      const pod = view.pod;
      for (const container of view.containers) {
        if (o.mainOnly && container.init) continue;
        fn({
          pod,
          view,
          container,
          sc(field, podLevel = false) {
            const own = prop(prop(container.c, "securityContext"), field);
            if (own !== undefined || !podLevel) return own;
            return prop(prop(pod, "securityContext"), field);
          },
        });
      }
    },
    o,
  );
}

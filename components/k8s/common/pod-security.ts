/**
 * Pod-level building blocks shared by the Kubernetes components (web-app, mongodb, redis-cluster,
 * kafka, network-flows, prometheus-rules): the Pod Security Standards "restricted" contexts, the
 * standard labels, zone spreading and the resource shape. Image pinning is checked by
 * components/common/images.ts (the definition is model/images.ts).
 */
import { ComponentArgsError, mergeLabels, type Labels } from "../../common/conventions";

/** CPU/memory requests and limits, as Kubernetes quantities. */
export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

/**
 * The container securityContext of the "restricted" Pod Security Standard, plus a read-only root
 * filesystem unless a component documents why the image must write to it.
 */
export function restrictedContainerSecurityContext(readOnlyRootFilesystem = true) {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** The pod securityContext of the "restricted" standard with a numeric non-root identity. */
export function restrictedPodSecurityContext(uid: number, gid = uid) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** The Kubernetes recommended labels, merged over the component's `labels` argument. */
export function standardLabels(appName: string, instance: string, component: string, extra?: Labels): Labels {
  return mergeLabels(extra, {
    "app.kubernetes.io/name": appName,
    "app.kubernetes.io/instance": instance,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/managed-by": "pulumi",
  });
}

/** A zone spread constraint (and optionally a node one) for the pods matched by `matchLabels`. */
export function zoneSpread(matchLabels: Labels, whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway" = "ScheduleAnyway") {
  return [
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable, labelSelector: { matchLabels } },
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels } },
  ];
}

/** A Kubernetes quantity ("500m", "2Gi", "1") → a number in base units, for sanity checks. */
export function parseQuantity(q: string): number {
  const m = /^([0-9.]+)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(q);
  if (!m) return NaN;
  const factor: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  return Number(m[1]) * factor[m[2] ?? ""];
}

/** Throws when a limit is below its request (the API server would reject the pod). */
export function assertResources(componentType: string, name: string, field: string, r: ResourceSpec): void {
  if (parseQuantity(r.limits.memory) < parseQuantity(r.requests.memory)) {
    throw new ComponentArgsError(componentType, name, `${field}.limits.memory (${r.limits.memory}) is below ${field}.requests.memory (${r.requests.memory})`);
  }
  if (r.limits.cpu && parseQuantity(r.limits.cpu) < parseQuantity(r.requests.cpu)) {
    throw new ComponentArgsError(componentType, name, `${field}.limits.cpu (${r.limits.cpu}) is below ${field}.requests.cpu (${r.requests.cpu})`);
  }
}

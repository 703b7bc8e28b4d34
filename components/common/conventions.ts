/**
 * The few shapes every component shares, so that all of them read the same way:
 * `labels`, `deletionProtection`, `iam`, and one error type for conflicting arguments.
 */
import * as pulumi from "@pulumi/pulumi";

/** Labels as GCP and Kubernetes accept them: lowercase keys and values, at most 63 characters. */
export type Labels = Record<string, string>;

/** Role → members, as in Google's cloud-foundation-fabric (`roles/x` → `["serviceAccount:..."]`). */
export type IamBindings = Record<string, string[]>;

/** Arguments every component accepts. */
export interface CommonArgs {
  /**
   * Labels added to every child resource that supports labels (on top of the provider's default labels).
   * @default {}
   */
  labels?: Labels;
  /**
   * Protects stateful children against deletion: Pulumi's `protect` option and the service's own
   * deletion-protection flag where it has one. Turn it off only for disposable environments.
   * @default true
   */
  deletionProtection?: boolean;
}

/** A component was given arguments that contradict each other or the documents. */
export class ComponentArgsError extends Error {
  constructor(
    readonly componentType: string,
    readonly componentName: string,
    readonly detail: string,
  ) {
    super(`${componentType} "${componentName}": ${detail}`);
    this.name = "ComponentArgsError";
  }
}

/** Options for a stateful child: parented, and protected when deletion protection is on. */
export function statefulChildOptions(
  parent: pulumi.Resource,
  deletionProtection: boolean,
  extra: pulumi.CustomResourceOptions = {},
): pulumi.CustomResourceOptions {
  return { ...extra, parent, protect: deletionProtection };
}

/** Merges label maps left to right; later maps win. */
export function mergeLabels(...maps: (Labels | undefined)[]): Labels {
  return Object.assign({}, ...maps.filter(Boolean));
}

/**
 * ProjectServices: the Google APIs a stack uses, enabled by the stack itself, so that `pulumi up`
 * on a fresh project does not fail half-way on "API has not been used in project ... before".
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../../common/conventions";

export const PROJECT_SERVICES_TYPE = "platform:gcp:ProjectServices";

export interface ProjectServicesArgs {
  /** Project to enable the APIs in. */
  project: string;
  /** API service names, e.g. `sqladmin.googleapis.com`. */
  services: string[];
  /**
   * Disable the APIs when the stack is destroyed. Off: other workloads in the project may use them,
   * and disabling an API deletes nothing but breaks whoever still relies on it.
   * @default false
   */
  disableOnDestroy?: boolean;
}

export interface ResolvedProjectServicesArgs {
  project: string;
  services: string[];
  disableOnDestroy: boolean;
}

export function resolveProjectServicesArgs(name: string, args: ProjectServicesArgs): ResolvedProjectServicesArgs {
  const fail = (detail: string) => {
    throw new ComponentArgsError(PROJECT_SERVICES_TYPE, name, detail);
  };
  if (args.services.length === 0) fail("services is empty: list the APIs the stack uses.");
  const bad = args.services.filter((s) => !/^[a-z0-9-]+\.googleapis\.com$/.test(s));
  if (bad.length) fail(`services must be API names like sqladmin.googleapis.com, got ${bad.join(", ")}.`);
  const dupes = args.services.filter((s, i) => args.services.indexOf(s) !== i);
  if (dupes.length) fail(`services lists ${dupes.join(", ")} more than once.`);
  return { project: args.project, services: [...args.services].sort(), disableOnDestroy: args.disableOnDestroy ?? false };
}

export class ProjectServices extends pulumi.ComponentResource {
  /** The enabled services, by API name; make resources depend on this component to wait for them. */
  public readonly services: Record<string, gcp.projects.Service>;

  constructor(name: string, args: ProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PROJECT_SERVICES_TYPE, name, {}, opts);
    const r = resolveProjectServicesArgs(name, args);
    this.services = {};
    for (const service of r.services) {
      this.services[service] = new gcp.projects.Service(
        `${name}-${service.replace(".googleapis.com", "")}`,
        { project: r.project, service, disableOnDestroy: r.disableOnDestroy, disableDependentServices: false },
        { parent: this },
      );
    }
    this.registerOutputs({ services: Object.keys(this.services) });
  }
}

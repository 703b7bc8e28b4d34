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
   * Make every GCP resource the program registers after this component wait for the Service that
   * enables the API it calls (a stack transformation adding `dependsOn`), so that the edge is on
   * the resource itself and in the engine's state, not only implied by a component ancestor's
   * `dependsOn` (children of a component wait for it in time, but the engine does not record the
   * edge: `pulumi destroy`, `--target` and replacements ignore it).
   * @default true
   */
  gateStackResources?: boolean;
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
  gateStackResources: boolean;
}

/**
 * The API each module of the Pulumi GCP provider calls (Google Cloud API service names). Kept apart
 * from the deployability check's own table on purpose: the check verifies this one's effect.
 */
export const API_BY_MODULE: Record<string, string> = {
  artifactregistry: "artifactregistry.googleapis.com",
  certificatemanager: "certificatemanager.googleapis.com",
  cloudrun: "run.googleapis.com",
  cloudrunv2: "run.googleapis.com",
  compute: "compute.googleapis.com",
  container: "container.googleapis.com",
  dns: "dns.googleapis.com",
  kms: "cloudkms.googleapis.com",
  logging: "logging.googleapis.com",
  monitoring: "monitoring.googleapis.com",
  pubsub: "pubsub.googleapis.com",
  secretmanager: "secretmanager.googleapis.com",
  serviceaccount: "iam.googleapis.com",
  servicenetworking: "servicenetworking.googleapis.com",
  sql: "sqladmin.googleapis.com",
  storage: "storage.googleapis.com",
  vpcaccess: "vpcaccess.googleapis.com",
};

/** The API a GCP resource type needs enabled; project IAM and audit configs use Resource Manager. */
export function apiForResourceType(type: string, props: Record<string, unknown> = {}): string | undefined {
  const m = /^gcp:([a-z0-9]+)\/([A-Za-z0-9]+):/.exec(type);
  if (!m) return undefined;
  const [, mod, res] = m;
  if (mod === "projects") {
    if (res === "service") return undefined;
    if (res === "serviceIdentity") return typeof props.service === "string" ? props.service : undefined;
    if (/^iAM|^IAM/.test(res!)) return "cloudresourcemanager.googleapis.com";
    return undefined;
  }
  return API_BY_MODULE[mod!];
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
  return { project: args.project, services: [...args.services].sort(), disableOnDestroy: args.disableOnDestroy ?? false, gateStackResources: args.gateStackResources ?? true };
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
    if (r.gateStackResources) {
      const services = this.services;
      // A legacy stack transformation: it runs in-process (also under the mock runtime the offline
      // preview uses), whereas `transforms` need the engine's callback server.
      pulumi.runtime.registerStackTransformation((a) => {
        if (!a.type.startsWith("gcp:") || a.type === "gcp:projects/service:Service") return undefined;
        const api = apiForResourceType(a.type, a.props);
        const service = api ? services[api] : undefined;
        if (!service) return undefined;
        // Another project's resource is not gated by this project's APIs.
        if (typeof a.props.project === "string" && a.props.project !== r.project) return undefined;
        return { props: a.props, opts: pulumi.mergeOptions(a.opts, { dependsOn: [service] }) };
      });
    }
    this.registerOutputs({ services: Object.keys(this.services) });
  }
}

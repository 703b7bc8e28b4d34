/**
 * What a platform running in one GCP region on managed services (Quickfund, CryptoCare) starts its
 * stack with: the provider, the APIs the stack calls (enabled first, so a fresh project does not fail
 * half-way; every GCP resource registered after records a dependency on its API's Service), the
 * project's logs kept in the region with Data Access audit logs for the services that hold the
 * data, and the VPC with one app subnet, private services access (Cloud SQL, Memorystore) and NAT.
 */
import type * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { Network } from "../components/gcp/network";
import { ProjectLogging } from "../components/gcp/project-logging";
import { ProjectServices } from "../components/gcp/project-services";
import { platformGcpProvider } from "./gcp-provider";
import type { StackContext } from "./platform";

/** The services whose Data Access audit logs a regional app keeps: the ones holding its data and keys. */
export const DATA_ACCESS_AUDIT_SERVICES = ["cloudkms.googleapis.com", "secretmanager.googleapis.com", "sqladmin.googleapis.com", "storage.googleapis.com"];

export interface RegionalAppProjectArgs {
  gcp: { projectId: string; projectNumber: string; region: string };
  /** The Google APIs the stack calls. */
  apis: string[];
  network: { subnetCidr: string; privateServicesPrefixLength: number };
  labels: Record<string, string>;
  deletionProtection: boolean;
}

export interface RegionalAppProject {
  provider: gcp.Provider;
  /** Options for components: the provider, and a wait on the APIs. */
  opts: pulumi.ComponentResourceOptions;
  /** The same for plain resources. */
  resourceOpts: pulumi.CustomResourceOptions;
  network: Network;
}

export function regionalAppProject(ctx: StackContext, name: string, args: RegionalAppProjectArgs): RegionalAppProject {
  const { projectId, region } = args.gcp;
  const provider = platformGcpProvider(ctx, args.gcp);
  const services = new ProjectServices(name, { project: projectId, services: args.apis }, { providers: [provider] });
  const opts = { providers: [provider], dependsOn: [services] };
  new ProjectLogging(name, { project: projectId, location: region, dataAccessAuditServices: DATA_ACCESS_AUDIT_SERVICES, deletionProtection: args.deletionProtection }, opts);
  const network = new Network(name, {
    region,
    project: projectId,
    subnets: { app: { ipCidrRange: args.network.subnetCidr } },
    privateServicesAccess: { prefixLength: args.network.privateServicesPrefixLength },
    labels: args.labels,
    deletionProtection: args.deletionProtection,
  }, opts);
  return { provider, opts, resourceOpts: { provider, dependsOn: [services] }, network };
}

/**
 * What a platform running in one GCP region on managed services (Quickfund, CryptoCare) starts its
 * stack with: the provider, the APIs the stack calls (enabled first, so a fresh project does not fail
 * half-way; every GCP resource registered after records a dependency on its API's Service), the
 * project's logs kept in the region with Data Access audit logs for the services that hold the
 * data, and the VPC with one app subnet, private services access (Cloud SQL, Memorystore) and NAT.
 */
import { z } from "zod";
import { Network } from "../components/gcp/network";
import { ipv4Cidr } from "./config-schema";
import { projectBase, type EnvProjectHandles } from "./env-project";
import type { StackContext } from "./platform";

/** The services whose Data Access audit logs a regional app keeps: the ones holding its data and keys. */
export const DATA_ACCESS_AUDIT_SERVICES = ["cloudkms.googleapis.com", "secretmanager.googleapis.com", "sqladmin.googleapis.com", "storage.googleapis.com"];

/** The `<platform>:network` key of a regional app: its app subnet and the range private services access reserves. */
export const regionalNetworkSchema = z.strictObject({
  subnetCidr: ipv4Cidr,
  /** Prefix length of the range reserved for private services access (Cloud SQL, Memorystore). */
  privateServicesPrefixLength: z.number().int().min(16).max(24),
});

export interface RegionalAppProjectArgs {
  gcp: { projectId: string; projectNumber: string; region: string };
  /** The Google APIs the stack calls. */
  apis: string[];
  network: z.output<typeof regionalNetworkSchema>;
  labels: Record<string, string>;
  deletionProtection: boolean;
}

export interface RegionalAppProject extends EnvProjectHandles {
  network: Network;
}

export function regionalAppProject(ctx: StackContext, name: string, args: RegionalAppProjectArgs): RegionalAppProject {
  const { projectId, region } = args.gcp;
  const { provider, opts, resourceOpts } = projectBase(ctx, name, args.gcp, args.apis, DATA_ACCESS_AUDIT_SERVICES, args.deletionProtection);
  const network = new Network(name, {
    region,
    project: projectId,
    subnets: { app: { ipCidrRange: args.network.subnetCidr } },
    privateServicesAccess: { prefixLength: args.network.privateServicesPrefixLength },
    labels: args.labels,
    deletionProtection: args.deletionProtection,
  }, opts);
  return { provider, opts, resourceOpts, network };
}

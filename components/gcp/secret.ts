/**
 * A Secret Manager secret kept inside chosen regions, shared by the components and stacks that hand
 * a credential to their clients.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "../common/conventions";

/** One replica of a regional secret: its region and, optionally, the KMS key that encrypts it there. */
export interface SecretReplica {
  location: string;
  kmsKeyName?: pulumi.Input<string> | undefined;
}

export interface RegionalSecretArgs {
  project?: pulumi.Input<string | undefined>;
  secretId?: pulumi.Input<string | undefined>;
  replicas: readonly SecretReplica[];
  labels?: Labels | undefined;
  /** The provider-side guard; left unset (the provider's default) when undefined. */
  deletionProtection?: boolean;
  /** The payload; without it the secret is an empty container and no version is created. */
  value?: pulumi.Input<string> | undefined;
}

type VersionOptions = (secret: gcp.secretmanager.Secret) => pulumi.CustomResourceOptions;

/**
 * Creates a secret with user-managed replication in the given regions only (automatic replication
 * would copy the payload to any Google region, outside the residency the caller keeps), then its
 * version when `args.value` is set. The child names come from the caller so existing URNs stay put.
 *
 * @param names Resource names of the secret and of its version.
 * @param opts Options of the secret (the caller decides parent and protection).
 * @param versionOpts Options of the version, given the secret; by default the secret's parent.
 */
export function regionalSecret(
  names: { secret: string; version: string },
  args: RegionalSecretArgs & { value: pulumi.Input<string> },
  opts: pulumi.CustomResourceOptions,
  versionOpts?: VersionOptions,
): { secret: gcp.secretmanager.Secret; version: gcp.secretmanager.SecretVersion };
export function regionalSecret(
  names: { secret: string; version: string },
  args: RegionalSecretArgs,
  opts: pulumi.CustomResourceOptions,
  versionOpts?: VersionOptions,
): { secret: gcp.secretmanager.Secret; version?: gcp.secretmanager.SecretVersion };
export function regionalSecret(
  names: { secret: string; version: string },
  args: RegionalSecretArgs,
  opts: pulumi.CustomResourceOptions,
  versionOpts: VersionOptions = () => ({ parent: opts.parent }),
): { secret: gcp.secretmanager.Secret; version?: gcp.secretmanager.SecretVersion } {
  const secret = new gcp.secretmanager.Secret(
    names.secret,
    {
      project: args.project,
      secretId: args.secretId,
      replication: {
        userManaged: {
          replicas: args.replicas.map((r) => ({
            location: r.location,
            customerManagedEncryption: r.kmsKeyName !== undefined ? { kmsKeyName: r.kmsKeyName } : undefined,
          })),
        },
      },
      labels: args.labels,
      ...(args.deletionProtection !== undefined ? { deletionProtection: args.deletionProtection } : {}),
    },
    opts,
  );
  if (args.value === undefined) return { secret };
  // Not protected: rotating a value replaces the version (new one first, then the old one goes).
  const version = new gcp.secretmanager.SecretVersion(names.version, { secret: secret.id, secretData: pulumi.secret(args.value) }, versionOpts(secret));
  return { secret, version };
}

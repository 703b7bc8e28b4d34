/**
 * ArtifactRegistry: a private Docker repository in an EU region that the cluster's nodes pull from
 * (diaspomoney.md § CI/CD Layer: "Docker Registry - Registry d'images"), encrypted with a key the
 * platform holds, with immutable tags so that a pinned tag always means the same image.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, type CommonArgs } from "../../common/conventions";

export const ARTIFACT_REGISTRY_TYPE = "platform:gcp:ArtifactRegistry";

const MEMBER = /^(serviceAccount|user|group|principal|principalSet):\S+$/;

export interface ArtifactRegistryArgs extends CommonArgs {
  project: string;
  /** Region of the repository (e.g. `europe-west1`); images live where the cluster runs. */
  location: string;
  /** Repository id: the path segment in `<location>-docker.pkg.dev/<project>/<id>/<image>`. */
  repositoryId: string;
  /**
   * Cloud KMS key (`projects/…/cryptoKeys/…`) in `location`, usable by the Artifact Registry service
   * agent (EncryptionKeys with the `artifact-registry` agent). Pass the key's granted id so the
   * repository waits for the grant.
   */
  kmsKeyName: pulumi.Input<string>;
  /**
   * Members granted `roles/artifactregistry.reader` on this repository (nodes' service account).
   * @default []
   */
  readers?: pulumi.Input<string>[];
  /**
   * Members granted `roles/artifactregistry.writer` on this repository (the CI's identity).
   * @default []
   */
  writers?: pulumi.Input<string>[];
  /**
   * Refuse to move an existing tag to another image.
   * @default true
   */
  immutableTags?: boolean;
}

export interface ResolvedArtifactRegistryArgs {
  project: string;
  location: string;
  repositoryId: string;
  kmsKeyName: pulumi.Input<string>;
  readers: pulumi.Input<string>[];
  writers: pulumi.Input<string>[];
  immutableTags: boolean;
  labels: Record<string, string>;
  deletionProtection: boolean;
}

export function resolveArtifactRegistryArgs(name: string, args: ArtifactRegistryArgs): ResolvedArtifactRegistryArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(ARTIFACT_REGISTRY_TYPE, name, detail);
  };
  if (!/^[a-z]+-[a-z]+\d+$/.test(args.location)) fail(`location "${args.location}" must be a region such as europe-west1 (nodes pull from their own region)`);
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(args.repositoryId)) fail(`repositoryId "${args.repositoryId}" must be lowercase letters, digits and hyphens, starting with a letter`);
  const check = (field: string, members: pulumi.Input<string>[]) => {
    for (const m of members) {
      if (typeof m !== "string") continue;
      if (m === "allUsers" || m === "allAuthenticatedUsers") fail(`${field}: ${m} would make the repository public`);
      if (!MEMBER.test(m)) fail(`${field}: "${m}" is not an IAM member such as "serviceAccount:nodes@p.iam.gserviceaccount.com"`);
    }
  };
  const readers = args.readers ?? [];
  const writers = args.writers ?? [];
  check("readers", readers);
  check("writers", writers);
  return {
    project: args.project,
    location: args.location,
    repositoryId: args.repositoryId,
    kmsKeyName: args.kmsKeyName,
    readers,
    writers,
    immutableTags: args.immutableTags ?? true,
    labels: mergeLabels(args.labels),
    deletionProtection: args.deletionProtection ?? true,
  };
}

export class ArtifactRegistry extends pulumi.ComponentResource {
  /** `<location>-docker.pkg.dev/<project>/<repositoryId>`: prefix of the images. */
  public readonly imagePrefix: pulumi.Output<string>;
  public readonly repositoryName: pulumi.Output<string>;

  constructor(name: string, args: ArtifactRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ARTIFACT_REGISTRY_TYPE, name, {}, opts);
    const r = resolveArtifactRegistryArgs(name, args);
    const repo = new gcp.artifactregistry.Repository(
      `${name}-repository`,
      {
        project: r.project,
        location: r.location,
        repositoryId: r.repositoryId,
        format: "DOCKER",
        mode: "STANDARD_REPOSITORY",
        description: "Application images pulled by the cluster's nodes",
        kmsKeyName: r.kmsKeyName,
        dockerConfig: { immutableTags: r.immutableTags },
        labels: r.labels,
      },
      { parent: this, protect: r.deletionProtection },
    );
    const grant = (role: "reader" | "writer", members: pulumi.Input<string>[]) =>
      members.forEach((member, i) => {
        new gcp.artifactregistry.RepositoryIamMember(
          `${name}-${role}-${i}`,
          { project: r.project, location: r.location, repository: repo.name, role: `roles/artifactregistry.${role}`, member },
          { parent: this },
        );
      });
    grant("reader", r.readers);
    grant("writer", r.writers);
    this.repositoryName = repo.name;
    this.imagePrefix = pulumi.interpolate`${r.location}-docker.pkg.dev/${r.project}/${repo.repositoryId}`;
    this.registerOutputs({ imagePrefix: this.imagePrefix, repositoryName: this.repositoryName });
  }
}

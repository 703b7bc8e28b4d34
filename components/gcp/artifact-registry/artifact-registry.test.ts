import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { ArtifactRegistry, resolveArtifactRegistryArgs } from "./index";

const base = { project: "p-1", location: "europe-west1", repositoryId: "apps", kmsKeyName: "projects/p-1/locations/europe-west1/keyRings/r/cryptoKeys/k" };

describe("ArtifactRegistry", () => {
  it("creates a CMEK Docker repository with immutable tags and repository-level readers", async () => {
    const { plan } = await runProgram(() => {
      const provider = new gcp.Provider("gcp", { project: "p-1", region: "europe-west1" });
      new ArtifactRegistry("r", { ...base, readers: ["serviceAccount:n@p-1.iam.gserviceaccount.com"], deletionProtection: false }, { providers: [provider] });
    });
    const repo = plan.one("gcp:artifactregistry/repository:Repository", "r-repository");
    expect(repo.inputs).toMatchObject({ format: "DOCKER", location: "europe-west1", kmsKeyName: base.kmsKeyName, dockerConfig: { immutableTags: true } });
    expect(repo.options.protect).toBe(false);
    const reader = plan.one("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "r-reader-0");
    expect(reader.inputs).toMatchObject({ role: "roles/artifactregistry.reader", member: "serviceAccount:n@p-1.iam.gserviceaccount.com" });
    expect(reader.dependencies).toContain(repo.urn);
  });

  it("protects the repository and keeps tags immutable by default", () => {
    expect(resolveArtifactRegistryArgs("r", base)).toMatchObject({ deletionProtection: true, immutableTags: true, readers: [], writers: [] });
  });

  it.each([
    [{ location: "EU" }, /must be a region/],
    [{ repositoryId: "Apps" }, /repositoryId "Apps"/],
    [{ readers: ["allUsers"] }, /public/],
    [{ writers: ["ci@p.iam.gserviceaccount.com"] }, /not an IAM member/],
  ])("refuses %j", (bad, message) => {
    expect(() => resolveArtifactRegistryArgs("r", { ...base, ...bad })).toThrow(ComponentArgsError);
    expect(() => resolveArtifactRegistryArgs("r", { ...base, ...bad })).toThrow(message);
  });
});

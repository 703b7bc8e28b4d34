import { describe, expect, it } from "vitest";
import { ComponentArgsError } from "./conventions";
import { assertPinnedImage } from "./images";

describe("assertPinnedImage", () => {
  it("accepts what model/images.ts calls pinned", () => {
    expect(() => assertPinnedImage("platform:k8s:WebApp", "web", "image", "europe-west1-docker.pkg.dev/dm/apps/web:1.4.2")).not.toThrow();
    expect(() => assertPinnedImage("platform:k8s:WebApp", "web", "image", `web@sha256:${"0".repeat(64)}`)).not.toThrow();
  });

  it("refuses the rest with a ComponentArgsError naming the component, the field, the image, why and what is expected", () => {
    const call = () => assertPinnedImage("platform:k8s:MongoReplicaSet", "mongodb", "backup.dumpImage", "mongo");
    expect(call).toThrow(ComponentArgsError);
    expect(call).toThrow(/^platform:k8s:MongoReplicaSet "mongodb": backup.dumpImage "mongo" is not pinned: it has no tag \(the runtime pulls :latest\); expected a container image pinned by a version tag/);
  });
});

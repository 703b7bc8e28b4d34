import { describe, expect, it } from "vitest";
import { imagePin, imageTag, isPinnedImage, PINNED_IMAGE_PATTERN } from "./images";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("imagePin: the one definition of a pinned image", () => {
  it.each([
    ["a version tag", "europe-west1-docker.pkg.dev/dm/apps/web:1.4.2", { pinned: true, by: "tag", tag: "1.4.2" }],
    ["a tag after a registry port", "registry.example.com:5000/web:1.2.3", { pinned: true, by: "tag", tag: "1.2.3" }],
    ["a digest", `web@${DIGEST}`, { pinned: true, by: "digest" }],
    ["a tag and a digest", `quay.io/opstree/redis:v7.0.15@${DIGEST}`, { pinned: true, by: "digest", tag: "v7.0.15" }],
  ])("pins %s", (_, image, expected) => {
    expect(imagePin(image)).toEqual(expected);
    expect(isPinnedImage(image)).toBe(true);
  });

  it.each([
    ["an untagged name", "nginx", /has no tag/],
    ["an untagged name behind a registry port", "registry.example.com:5000/web", /has no tag/],
    ["latest", "europe-west1-docker.pkg.dev/dm/apps/web:latest", /mutable :latest tag/],
    ["an invalid tag", "web:-bad", /invalid tag "-bad"/],
    ["a short digest", "web@sha256:abc", /malformed digest/],
    ["an uppercase digest", `web@sha256:${"A".repeat(64)}`, /malformed digest/],
    ["an empty string", "", /is empty/],
    ["a reference with a space", " web:1.0", /contains whitespace/],
  ])("refuses %s, saying why", (_, image, reason) => {
    const pin = imagePin(image);
    expect(pin.pinned).toBe(false);
    expect(pin.pinned ? "" : pin.reason).toMatch(reason);
    expect(isPinnedImage(image)).toBe(false);
  });

  it("reads the tag of the last path segment only", () => {
    expect(imageTag("registry.example.com:5000/team/web")).toBeUndefined();
    expect(imageTag("registry.example.com:5000/team/web:2.0")).toBe("2.0");
    expect(imageTag(`web:1.0@${DIGEST}`)).toBe("1.0");
  });
});

describe("PINNED_IMAGE_PATTERN", () => {
  it("agrees with isPinnedImage, for schemas that can only hold a pattern", () => {
    const samples = [
      "europe-west1-docker.pkg.dev/dm/apps/web:1.4.2",
      "registry.example.com:5000/web:1.2.3",
      "registry.example.com:5000/web",
      "nginx",
      "nginx:latest",
      "nginx:latest-alpine",
      "web:-bad",
      "web:",
      `web@${DIGEST}`,
      `quay.io/opstree/redis:v7.0.15@${DIGEST}`,
      "web@sha256:abc",
      `web@sha256:${"A".repeat(64)}`,
      "",
      " web:1.0",
      `a/b:${"x".repeat(128)}`,
      `a/b:${"x".repeat(129)}`,
    ];
    for (const image of samples) expect(PINNED_IMAGE_PATTERN.test(image), JSON.stringify(image)).toBe(isPinnedImage(image));
  });
});

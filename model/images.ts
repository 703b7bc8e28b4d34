/**
 * What "a pinned container image" means, defined once: a stack's config schema, a component's
 * argument check and the policy pack's rule all ask `imagePin` (or `isPinnedImage`), so that a
 * reference one layer accepts is never refused by another.
 *
 * Pinned: a `@sha256:` digest, or a tag other than `latest` that the OCI distribution grammar
 * allows. An untagged reference means `latest` to the container runtime, so it is not pinned: a
 * redeploy could silently change the running code (diaspomoney.md § CI/CD Layer: rolling and canary
 * deploys need identifiable versions).
 */

/** A content digest at the end of a reference (`…@sha256:<64 hex>`). */
export const IMAGE_DIGEST = /@sha256:[a-f0-9]{64}$/;
/** The OCI distribution spec's tag grammar (`[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`). */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * `isPinnedImage` as one regular expression, for places that can only hold a pattern: a zod
 * `.regex` whose JSON Schema `pattern` editors check as the user types. model/images.test.ts
 * checks that both agree.
 */
export const PINNED_IMAGE_PATTERN = /^(?:\S+@sha256:[a-f0-9]{64}|(?:[^\s@]*\/)?[^\s@/:]+:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/** What pinning requires, for error messages and schema descriptions. */
export const PINNED_IMAGE_REQUIREMENT = "a container image pinned by a version tag (…/app:1.4.2) or a @sha256 digest, never latest or untagged";

/** How an image reference is pinned, or why it is not. */
export type ImagePin =
  | { pinned: true; by: "digest"; tag?: string }
  | { pinned: true; by: "tag"; tag: string }
  | { pinned: false; tag?: string; /** Completes "the image …": "has no tag (…)", "uses the mutable :latest tag". */ reason: string };

/** The tag of a reference, if any: what follows the last `:` of the last path segment (a registry host may carry a port). */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.includes("@") ? image.slice(0, image.indexOf("@")) : image;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

export function imagePin(image: string): ImagePin {
  if (image.trim() === "") return { pinned: false, reason: "is empty" };
  if (/\s/.test(image)) return { pinned: false, reason: "contains whitespace" };
  const tag = imageTag(image);
  if (image.includes("@")) {
    if (IMAGE_DIGEST.test(image)) return { pinned: true, by: "digest", ...(tag !== undefined ? { tag } : {}) };
    return { pinned: false, tag, reason: "has a malformed digest (expected @sha256: and 64 lowercase hex digits)" };
  }
  if (tag === undefined) return { pinned: false, reason: "has no tag (the runtime pulls :latest)" };
  if (tag === "latest") return { pinned: false, tag, reason: "uses the mutable :latest tag" };
  if (!IMAGE_TAG.test(tag)) return { pinned: false, tag, reason: `has an invalid tag "${tag}"` };
  return { pinned: true, by: "tag", tag };
}

export function isPinnedImage(image: string): boolean {
  return imagePin(image).pinned;
}

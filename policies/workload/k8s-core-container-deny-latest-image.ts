import { defineResourceRule } from "../lib/rule";
import { isUnknown, prop, str } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

/** The tag of an image reference, or undefined when untagged; digests count as pinned. */
export function imageTag(image: string): { tag?: string; digest: boolean } {
  if (image.includes("@sha256:")) return { digest: true };
  const lastSlash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return { tag: colon > lastSlash ? image.slice(colon + 1) : undefined, digest: false };
}

export default defineResourceRule({
  name: "k8s-core-container-deny-latest-image",
  description: "Container images are pinned: a version tag or a digest, never `latest` or untagged.",
  severity: "medium",
  remediationSteps: "Reference images by an immutable version tag (the CI's build tag) or by digest (@sha256:...).",
  source: 'diaspomoney.md § CI/CD Layer ("Docker Registry", rolling/canary deploys need identifiable versions); CKV_K8S_14',
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    eachContainer(r, ({ container, view }) => {
      const image = prop(container.c, "image");
      if (isUnknown(image)) return;
      // An operator's custom resource leaves the image to the operator unless it names one.
      if (view.operator && image === undefined) return;
      const s = str(image);
      if (!s) {
        report(`${container.where}: image is not set.`);
        return;
      }
      const { tag, digest } = imageTag(s);
      if (digest) return;
      if (!tag) report(`${container.where}: image ${s} has no tag (pulls latest).`);
      else if (tag === "latest") report(`${container.where}: image ${s} uses the latest tag.`);
    });
  },
});

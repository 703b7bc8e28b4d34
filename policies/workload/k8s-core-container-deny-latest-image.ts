import { imagePin } from "../../model/images";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, prop, str } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

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
      // The same definition the stack schema and the components use (model/images.ts).
      const pin = imagePin(s);
      if (!pin.pinned) report(`${container.where}: image ${s} ${pin.reason}.`);
    });
  },
});

/**
 * The one argument check for container images, for every component that runs one (Cloud Run,
 * Kubernetes workloads, backup jobs). What "pinned" means is model/images.ts's; this only turns a
 * refusal into a ComponentArgsError that names the component, the field and the reason.
 */
import { imagePin, PINNED_IMAGE_REQUIREMENT } from "../../model/images";
import { ComponentArgsError } from "./conventions";

/** Throws a ComponentArgsError when `image` is not pinned, saying why and what is expected. */
export function assertPinnedImage(componentType: string, name: string, field: string, image: string): void {
  const pin = imagePin(image);
  if (!pin.pinned) {
    throw new ComponentArgsError(
      componentType,
      name,
      `${field} "${image}" is not pinned: it ${pin.reason}; expected ${PINNED_IMAGE_REQUIREMENT}, so that a redeploy cannot silently change the running code`,
    );
  }
}

/** An Architecture from a plan in either form: a preview of this process, or a saved PreviewDigest. */
import { resourcesFromDigest, type PreviewDigest } from "../digest";
import type { StackPreview } from "../preview";
import { buildArchitecture, type Architecture } from "./model";

export function architectureOfPreview(p: StackPreview): Architecture {
  return buildArchitecture({ stack: p.stack, resources: p.evaluation.resources, outputs: p.evaluation.outputs });
}

export function architectureOfDigest(stack: string, d: PreviewDigest): Architecture {
  return buildArchitecture({ stack, resources: resourcesFromDigest(d), outputs: (d.outputs ?? {}) as Record<string, unknown> });
}

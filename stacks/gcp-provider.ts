/** The explicit GCP provider of a stack: every GCP resource goes through it, never the ambient gcloud project. */
import * as gcp from "@pulumi/gcp";
import type { StackContext } from "./platform";

export function platformGcpProvider(ctx: StackContext, project: { projectId: string; region: string }): gcp.Provider {
  return new gcp.Provider("gcp", {
    project: project.projectId,
    region: project.region,
    defaultLabels: { platform: ctx.platform, env: ctx.env, "managed-by": "pulumi", stack: ctx.stack },
  });
}

/**
 * The one typed door from an env stack to its platform's shared stack. A StackReference's
 * `getOutput` takes any string and returns `Output<any>`: a typo or a renamed output would surface
 * only at deploy time. This wrapper declares the keys an env stack reads, with their types and
 * whether they are secret, and the shared composition's outputs are tested against it.
 *
 * Also the `access` block every Kubernetes platform's env stacks share (the shared stack's
 * kubeconfig, or one given for an existing cluster) and the provider built from it: written once
 * for every platform on the GKE cluster foundation (stacks/gke-cluster-foundation.ts).
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { kubernetesProvider } from "../components/gcp/gke-cluster";
import { gcpProjectId, ipv4Cidr, secretString } from "./config";

/** What a foundation stack (`<platform>-shared`) exports that env stacks read. */
export const SHARED_STACK_OUTPUTS = {
  /** Kubeconfig of the cluster (exec auth through gke-gcloud-auth-plugin). */
  kubeconfig: { secret: true },
  /** Name of the GKE cluster. */
  clusterName: { secret: false },
} as const;

export type SharedStackOutput = keyof typeof SHARED_STACK_OUTPUTS;

export class SharedStackReference extends pulumi.ComponentResource {
  private readonly ref: pulumi.StackReference;

  constructor(name: string, stackName: string, opts?: pulumi.ComponentResourceOptions) {
    super("platform:pulumi:SharedStackReference", name, {}, opts);
    this.ref = new pulumi.StackReference(`${name}-ref`, { name: stackName }, { parent: this });
    this.registerOutputs({});
  }

  private read(key: SharedStackOutput): pulumi.Output<string> {
    const value = this.ref.getOutput(key) as pulumi.Output<string>;
    return SHARED_STACK_OUTPUTS[key].secret ? pulumi.secret(value) : value;
  }

  get kubeconfig(): pulumi.Output<string> {
    return this.read("kubeconfig");
  }

  get clusterName(): pulumi.Output<string> {
    return this.read("clusterName");
  }
}

/** How an env stack reaches the cluster and the cluster's project, whichever way it gets the kubeconfig. */
const accessCommon = {
  /** The control plane's range (the shared stack's cluster.masterCidr): operands that call the API server egress to it. */
  apiServerCidrs: z.array(ipv4Cidr).min(1).max(4),
  /**
   * GCP project of the cluster (the shared stack's gcp.projectId). The env stack's own
   * resources live in its own project (gcp.projectId); its pods authenticate to Google through
   * the cluster project's Workload Identity pool, `<clusterProject>.svc.id.goog`.
   */
  clusterProject: gcpProjectId,
};

/** The `<platform>:access` key of a Kubernetes platform's env stacks: the shared stack's kubeconfig, or one given as a secret. */
export function clusterAccessSchema(platform: string) {
  return z.discriminatedUnion("source", [
    z.strictObject({
      source: z.literal("shared-stack"),
      /** Fully qualified name of the shared stack. */
      sharedStack: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/)
        .describe("<org>/<project>/<stack>")
        .default(`organization/platform-infra/${platform}-shared`),
      ...accessCommon,
    }),
    z.strictObject({
      source: z.literal("kubeconfig"),
      /** A kubeconfig for an existing cluster (VMCloud, self-managed). */
      kubeconfig: secretString("kubeconfig of an existing cluster"),
      ...accessCommon,
    }),
  ]);
}

export type ClusterAccess = z.output<ReturnType<typeof clusterAccessSchema>>;

/** The Kubernetes provider of an env stack, `k8s`: from the given kubeconfig, or the shared stack's. */
export function clusterProvider(platform: string, access: ClusterAccess): k8s.Provider {
  if (access.source === "kubeconfig") return kubernetesProvider("k8s", access.kubeconfig);
  const shared = new SharedStackReference(`${platform}-shared`, access.sharedStack);
  return kubernetesProvider("k8s", shared.kubeconfig);
}

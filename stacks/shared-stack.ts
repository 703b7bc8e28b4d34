/**
 * The one typed door from an env stack to its platform's shared stack. A StackReference's
 * `getOutput` takes any string and returns `Output<any>`: a typo or a renamed output would surface
 * only at deploy time. This wrapper declares the keys an env stack reads, with their types and
 * whether they are secret, and the shared composition's outputs are tested against it.
 */
import * as pulumi from "@pulumi/pulumi";

/** What diaspomoney-shared exports that env stacks read. */
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

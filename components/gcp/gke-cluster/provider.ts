/**
 * Explicit Kubernetes providers. Every Kubernetes resource of the platform goes through one of
 * these, never through the ambient kubeconfig of whoever runs `pulumi up`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A provider from a kubeconfig; the kubeconfig is kept secret whatever its origin. */
export function kubernetesProvider(name: string, kubeconfig: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): k8s.Provider {
  return new k8s.Provider(
    name,
    {
      kubeconfig: pulumi.secret(kubeconfig),
      // Server-side apply: field ownership is tracked by the API server, so that a controller's
      // changes and ours do not silently overwrite each other.
      enableServerSideApply: true,
    },
    opts,
  );
}

/**
 * An existing cluster: the kubeconfig is a secret stack config value
 * (`pulumi config set --secret <key> "$(cat kubeconfig)"`). Fails loudly when the key is not secret.
 * @param key config key in the project namespace. @default "kubeconfig"
 */
export function kubernetesProviderFromConfig(name: string, key = "kubeconfig", opts?: pulumi.CustomResourceOptions): k8s.Provider {
  const config = new pulumi.Config();
  const fullKey = `${pulumi.getProject()}:${key}`;
  // The SDK exports isConfigSecret at run time without declaring it.
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (isConfigSecret && pulumi.runtime.getConfig(fullKey) !== undefined && !isConfigSecret(fullKey)) {
    throw new Error(`config "${key}" holds a kubeconfig in clear: set it with \`pulumi config set --secret ${key} ...\``);
  }
  return kubernetesProvider(name, config.requireSecret(key), opts);
}

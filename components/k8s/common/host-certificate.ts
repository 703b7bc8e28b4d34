/**
 * The public certificate of a host an IngressRoute serves: one cert-manager Certificate whose
 * Secret `<resourceName>-tls` the route names (ECDSA P-256, the key rotated at each renewal). The
 * web app's ingress and the API gateway both use it (the gateway also for its tenants' wildcard).
 *
 * A function, not a component: the Certificate stays a direct child of the calling component,
 * named `${name}-certificate`, so that no URN changes.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Labels } from "../../common/conventions";

export interface HostCertificateArgs {
  /** Names the Certificate `<resourceName>-tls` and its Secret `<resourceName>-tls`. */
  resourceName: string;
  namespace: string;
  labels: Labels;
  /** The DNS name; a wildcard `*.<domain>` too, whose issuer must then solve DNS-01 (Let's Encrypt issues wildcards through DNS-01 only). */
  host: string;
  issuer: { name: string; kind: "ClusterIssuer" | "Issuer" };
}

/** The Certificate, and the Secret name the route's `tls.secretName` takes. */
export function hostCertificate(
  parent: pulumi.Resource,
  name: string,
  a: HostCertificateArgs,
  dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]> = [],
): { certificate: k8s.apiextensions.CustomResource; secretName: string } {
  const secretName = `${a.resourceName}-tls`;
  const certificate = new k8s.apiextensions.CustomResource(
    `${name}-certificate`,
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: secretName, namespace: a.namespace, labels: a.labels },
      spec: {
        secretName,
        dnsNames: [a.host],
        issuerRef: { name: a.issuer.name, kind: a.issuer.kind, group: "cert-manager.io" },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      },
    },
    { parent, dependsOn },
  );
  return { certificate, secretName };
}

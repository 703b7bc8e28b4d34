/**
 * A private certificate authority for one data service, through cert-manager: a self-signed
 * Issuer bootstraps a CA Certificate, and a CA Issuer signs the service's server certificates.
 * The data services (MongoDB, Redis) use it when no issuer is given, so in-cluster traffic is
 * encrypted even before a platform-wide CA exists.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export interface PrivateCaIssuerRef {
  name: string;
  kind: "Issuer";
}

/**
 * Declares the three cert-manager objects, as children `${name}-selfsigned-issuer`, `${name}-ca`
 * and `${name}-ca-issuer` of `parent`, and returns the CA Issuer to sign server certificates with.
 * @param metadata builds each object's metadata (name, namespace, labels) from its object name.
 */
export function privateCaIssuer(
  parent: pulumi.Resource,
  name: string,
  resourceName: string,
  metadata: (objectName: string) => { name: string; namespace: string; labels: Record<string, string> },
): PrivateCaIssuerRef {
  const rn = resourceName;
  const selfSigned = new k8s.apiextensions.CustomResource(
    `${name}-selfsigned-issuer`,
    { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: metadata(`${rn}-selfsigned`), spec: { selfSigned: {} } },
    { parent },
  );
  const ca = new k8s.apiextensions.CustomResource(
    `${name}-ca`,
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: metadata(`${rn}-ca`),
      spec: {
        isCA: true,
        commonName: `${rn}-ca`,
        secretName: `${rn}-ca-key-pair`,
        duration: "87600h",
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: `${rn}-selfsigned`, kind: "Issuer", group: "cert-manager.io" },
      },
    },
    { parent, dependsOn: [selfSigned] },
  );
  new k8s.apiextensions.CustomResource(
    `${name}-ca-issuer`,
    { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: metadata(`${rn}-ca-issuer`), spec: { ca: { secretName: `${rn}-ca-key-pair` } } },
    { parent, dependsOn: [ca] },
  );
  return { name: `${rn}-ca-issuer`, kind: "Issuer" };
}

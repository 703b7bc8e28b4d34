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

/** Builds an object's metadata (name, namespace, labels) from its object name. */
export type MetadataFor = (objectName: string) => { name: string; namespace: string; labels: Record<string, string> };

/**
 * Declares the three cert-manager objects, as children `${name}-selfsigned-issuer`, `${name}-ca`
 * and `${name}-ca-issuer` of `parent`, and returns the CA Issuer to sign server certificates with.
 * @param metadata builds each object's metadata (name, namespace, labels) from its object name.
 */
export function privateCaIssuer(
  parent: pulumi.Resource,
  name: string,
  resourceName: string,
  metadata: MetadataFor,
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

/**
 * The data service's server certificate (`${name}-server-certificate`, secret `<resourceName>-server-tls`):
 * one year, renewed a month ahead, ECDSA with a new key at each renewal. Members are servers and
 * clients of each other (replication, cluster bus), hence both usages.
 */
export function serverCertificate(
  parent: pulumi.Resource,
  name: string,
  resourceName: string,
  metadata: MetadataFor,
  cert: { commonName: string; dnsNames: string[]; issuer: { name: string; kind?: string } },
): { secretName: string; resource: k8s.apiextensions.CustomResource } {
  const secretName = `${resourceName}-server-tls`;
  const resource = new k8s.apiextensions.CustomResource(
    `${name}-server-certificate`,
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: metadata(`${resourceName}-server`),
      spec: {
        secretName,
        commonName: cert.commonName,
        dnsNames: cert.dnsNames,
        duration: "8760h",
        renewBefore: "720h",
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        usages: ["server auth", "client auth", "digital signature", "key encipherment"],
        issuerRef: { name: cert.issuer.name, kind: cert.issuer.kind, group: "cert-manager.io" },
      },
    },
    { parent },
  );
  return { secretName, resource };
}

/**
 * A private certificate authority for one data service, through cert-manager: a self-signed
 * Issuer bootstraps a CA Certificate, and a CA Issuer signs the service's server certificates.
 * The data services (MongoDB, Redis) use it when no issuer is given, so in-cluster traffic is
 * encrypted even before a platform-wide CA exists.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs, type Labels } from "./conventions";

export interface PrivateCaIssuerRef {
  name: string;
  kind: "Issuer";
}

/** Issuer reference of a cluster-scoped private CA. */
export interface PrivateClusterCaRef {
  name: string;
  kind: "ClusterIssuer";
}

/** Builds an object's metadata (name, namespace, labels) from its object name. */
export type MetadataFor = (objectName: string) => { name: string; namespace: string; labels: Record<string, string> };

/** Lifetime of a CA certificate unless told otherwise: 10 years (the certificates it signs live a year). */
const CA_DURATION = "87600h";

/**
 * A CA's key pair, the part both kinds of CA share: a self-signed Issuer `<rn>-selfsigned`
 * bootstraps the CA Certificate `<rn>-ca`, whose Secret `<rn>-ca-key-pair` an issuer of type CA
 * then signs with. Children `${name}-selfsigned-issuer` and `${name}-ca` of `parent`.
 */
function caKeyPair(parent: pulumi.Resource, name: string, rn: string, metadata: MetadataFor, duration: string): { certificate: k8s.apiextensions.CustomResource; secretName: string } {
  const selfSigned = new k8s.apiextensions.CustomResource(
    `${name}-selfsigned-issuer`,
    { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: metadata(`${rn}-selfsigned`), spec: { selfSigned: {} } },
    { parent },
  );
  const secretName = `${rn}-ca-key-pair`;
  const certificate = new k8s.apiextensions.CustomResource(
    `${name}-ca`,
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: metadata(`${rn}-ca`),
      spec: {
        isCA: true,
        commonName: `${rn}-ca`,
        secretName,
        duration,
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: `${rn}-selfsigned`, kind: "Issuer", group: "cert-manager.io" },
      },
    },
    { parent, dependsOn: [selfSigned] },
  );
  return { certificate, secretName };
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
  metadata: MetadataFor,
): PrivateCaIssuerRef {
  const rn = resourceName;
  const ca = caKeyPair(parent, name, rn, metadata, CA_DURATION);
  new k8s.apiextensions.CustomResource(
    `${name}-ca-issuer`,
    { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: metadata(`${rn}-ca-issuer`), spec: { ca: { secretName: ca.secretName } } },
    { parent, dependsOn: [ca.certificate] },
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
  cert: {
    commonName: string;
    dnsNames: string[];
    issuer: { name: string; kind?: string };
    /** Private key encoding; Strimzi's custom listener certificates need PKCS8. @default "PKCS1" (cert-manager's default) */
    privateKeyEncoding?: "PKCS1" | "PKCS8";
  },
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
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always", ...(cert.privateKeyEncoding ? { encoding: cert.privateKeyEncoding } : {}) },
        usages: ["server auth", "client auth", "digital signature", "key encipherment"],
        issuerRef: { name: cert.issuer.name, kind: cert.issuer.kind, group: "cert-manager.io" },
      },
    },
    { parent },
  );
  return { secretName, resource };
}

export const PRIVATE_CLUSTER_CA_TYPE = "platform:common:PrivateClusterCa";

export interface PrivateClusterCaArgs extends CommonArgs {
  /**
   * Namespace holding the CA's key pair: cert-manager's cluster resource namespace, the only one a
   * ClusterIssuer of type CA reads (by default the namespace cert-manager runs in).
   */
  caNamespace: string;
  /**
   * Namespaces that must trust the CA (clients of the data services): each gets a Certificate
   * signed by the CA whose Secret `<resourceName>-trust` carries the CA's public certificate as
   * `ca.crt` (cert-manager's CA issuer writes it), and a leaf key pair of its own, never the CA's key.
   * @default []
   */
  trustNamespaces?: string[];
  /**
   * Prefix of the objects; ClusterIssuers are cluster-scoped, so it must be unique in the cluster.
   * @default the component name
   */
  resourceName?: string;
  /**
   * Lifetime of the CA certificate.
   * @default "87600h" (10 years; the server certificates it signs live a year)
   */
  caDuration?: string;
}

/** Applies PrivateClusterCa defaults. */
export function resolvePrivateClusterCaArgs(name: string, args: PrivateClusterCaArgs) {
  const resourceName = args.resourceName ?? name;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(resourceName)) throw new ComponentArgsError(PRIVATE_CLUSTER_CA_TYPE, name, `resourceName "${resourceName}" is not a valid Kubernetes name`);
  const trustNamespaces = [...new Set(args.trustNamespaces ?? [])];
  if (trustNamespaces.includes(args.caNamespace)) {
    throw new ComponentArgsError(PRIVATE_CLUSTER_CA_TYPE, name, `trustNamespaces includes caNamespace "${args.caNamespace}": that namespace already holds the CA's private key`);
  }
  return { caNamespace: args.caNamespace, trustNamespaces, resourceName, caDuration: args.caDuration ?? CA_DURATION, labels: args.labels ?? {} };
}

/**
 * A private CA shared by the data services of one environment, as a cert-manager ClusterIssuer:
 * the servers (MongoDB, Redis, Kafka's listener, each in the `-infra` namespace) get certificates
 * from it, and the clients' namespaces get its public certificate (`trustSecretName`, key `ca.crt`)
 * through a Certificate of their own. Why cluster-scoped: an Issuer serves only its own namespace,
 * and a pod reads Secrets only in its own namespace, so a namespaced CA could never hand its public
 * certificate to the app namespace without copying a Secret by hand; the CA's private key stays in
 * cert-manager's namespace, which only cert-manager reads.
 */
export class PrivateClusterCa extends pulumi.ComponentResource {
  /** The ClusterIssuer signing server certificates. */
  public readonly issuer: PrivateClusterCaRef;
  /** In each trust namespace: the Secret whose `ca.crt` is the CA's public certificate. */
  public readonly trustSecretName: string;
  /**
   * The Certificate writing that Secret, by namespace: Pulumi waits until cert-manager reports it
   * Ready (the Secret then exists), so what reads the Secret can depend on it.
   */
  public readonly trustCertificates: Readonly<Record<string, pulumi.Resource>> = {};

  constructor(name: string, args: PrivateClusterCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PRIVATE_CLUSTER_CA_TYPE, name, {}, opts);
    const r = resolvePrivateClusterCaArgs(name, args);
    const rn = r.resourceName;
    const labels: Labels = { ...r.labels, "app.kubernetes.io/name": rn, "app.kubernetes.io/component": "certificate-authority", "app.kubernetes.io/managed-by": "pulumi" };
    // The key pair lives in the CA namespace, the only one a ClusterIssuer of type CA reads.
    const ca = caKeyPair(this, name, rn, (objectName) => ({ name: objectName, namespace: r.caNamespace, labels }), r.caDuration);
    const issuerName = `${rn}-ca-issuer`;
    const clusterIssuer = new k8s.apiextensions.CustomResource(
      `${name}-ca-issuer`,
      { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: issuerName, labels }, spec: { ca: { secretName: ca.secretName } } },
      { parent: this, dependsOn: [ca.certificate] },
    );
    this.issuer = { name: issuerName, kind: "ClusterIssuer" };
    this.trustSecretName = `${rn}-trust`;
    const trustCertificates: Record<string, pulumi.Resource> = {};
    for (const ns of r.trustNamespaces) {
      trustCertificates[ns] = new k8s.apiextensions.CustomResource(
        `${name}-trust-${ns}`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          // pulumi-kubernetes ≥ 4.18 waits for the condition: the Secret exists once the create returns.
          metadata: { name: `${rn}-trust`, namespace: ns, labels, annotations: { "pulumi.com/waitFor": "condition=Ready" } },
          spec: {
            secretName: this.trustSecretName,
            commonName: `${rn}-client.${ns}`,
            duration: "8760h",
            renewBefore: "720h",
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            usages: ["client auth", "digital signature"],
            issuerRef: { name: issuerName, kind: "ClusterIssuer", group: "cert-manager.io" },
          },
        },
        { parent: this, dependsOn: [clusterIssuer] },
      );
    }
    this.trustCertificates = trustCertificates;
    this.registerOutputs({ issuer: this.issuer, trustSecretName: this.trustSecretName });
  }
}

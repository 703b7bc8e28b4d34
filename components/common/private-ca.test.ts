import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { runProgram } from "../../tests/harness";
import { ComponentArgsError } from "./conventions";
import { PrivateClusterCa, privateCaIssuer, resolvePrivateClusterCaArgs } from "./private-ca";

const CERT = "kubernetes:cert-manager.io/v1:Certificate";

describe("resolvePrivateClusterCaArgs", () => {
  it("defaults: named after the component, a 10-year CA, no trust namespace", () => {
    expect(resolvePrivateClusterCaArgs("dm-ca", { caNamespace: "cert-manager" })).toEqual({ caNamespace: "cert-manager", trustNamespaces: [], resourceName: "dm-ca", caDuration: "87600h", labels: {} });
  });

  it("refuses to hand the CA's own namespace a trust certificate, and a name Kubernetes refuses", () => {
    expect(() => resolvePrivateClusterCaArgs("dm-ca", { caNamespace: "cert-manager", trustNamespaces: ["cert-manager"] })).toThrow(ComponentArgsError);
    expect(() => resolvePrivateClusterCaArgs("dm-ca", { caNamespace: "cert-manager", trustNamespaces: ["cert-manager"] })).toThrow(/already holds the CA's private key/);
    expect(() => resolvePrivateClusterCaArgs("dm-ca", { caNamespace: "cert-manager", resourceName: "DM_CA" })).toThrow(/resourceName "DM_CA" is not a valid Kubernetes name/);
  });
});

describe("the two CAs share one key-pair recipe", () => {
  it("a data service's CA and an env's cluster CA bootstrap the same way, each issuer waiting for its CA certificate", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new PrivateClusterCa("env-ca", { caNamespace: "cert-manager", caDuration: "43800h" }, { provider });
      const parent = new k8s.core.v1.ConfigMap("owner", { metadata: { name: "owner", namespace: "infra" } }, { provider });
      privateCaIssuer(parent, "svc", "svc", (objectName) => ({ name: objectName, namespace: "infra", labels: {} }));
    });
    const envCa = plan.one(CERT, "env-ca-ca");
    const svcCa = plan.one(CERT, "svc-ca");
    expect(envCa.inputs.spec).toMatchObject({ isCA: true, secretName: "env-ca-ca-key-pair", duration: "43800h", issuerRef: { name: "env-ca-selfsigned", kind: "Issuer" } });
    expect(envCa.inputs.metadata).toMatchObject({ name: "env-ca-ca", namespace: "cert-manager" });
    expect(svcCa.inputs.spec).toMatchObject({ isCA: true, secretName: "svc-ca-key-pair", duration: "87600h", issuerRef: { name: "svc-selfsigned", kind: "Issuer" } });
    expect(envCa.dependencies).toContain(plan.one("kubernetes:cert-manager.io/v1:Issuer", "env-ca-selfsigned-issuer").urn);
    expect(plan.one("kubernetes:cert-manager.io/v1:ClusterIssuer", "env-ca-ca-issuer").dependencies).toContain(envCa.urn);
    expect(plan.one("kubernetes:cert-manager.io/v1:Issuer", "svc-ca-issuer").dependencies).toContain(svcCa.urn);
  });
});

/**
 * policies/lib/sensitive.ts: fields that name the Secret holding a certificate (CloudNativePG's
 * `spec.certificates.serverTLSSecret`, `serverCASecret`) are references, not credentials; every
 * other `*Secret` keeps being judged as one.
 */
import { describe, expect, it } from "vitest";
import { secretFinding } from "../../policies/lib/sensitive";

describe("secretFinding on fields named like a Secret", () => {
  it("takes a Kubernetes object name in a certificate Secret field as a reference", () => {
    expect(secretFinding("serverTLSSecret", "postgres-server-tls")).toBeUndefined();
    expect(secretFinding("serverCASecret", "shareyoursales-prod-data-trust")).toBeUndefined();
    expect(secretFinding("clientCASecret", "postgres-ca")).toBeUndefined();
  });

  it("still flags a value that is not an object name, or a field that is not about certificates", () => {
    expect(secretFinding("serverTLSSecret", "Hunter2Hunter2")).toMatch(/literal value/);
    expect(secretFinding("adminSecret", "postgres-server-tls")).toMatch(/literal value/);
    expect(secretFinding("clientSecret", "abc-def-ghi")).toMatch(/literal value/);
  });

  it("still flags certificate material by its shape", () => {
    expect(secretFinding("serverTLSSecret", "-----BEGIN RSA PRIVATE KEY-----\nMIIB")).toMatch(/private key/);
  });
});

import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { allowPolicySpec, IsolatedNamespace, POD_SECURITY_REASON_ANNOTATION, resolveIsolatedNamespaceArgs } from "./index";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("resolveIsolatedNamespaceArgs", () => {
  it("defaults to restricted PSS, the component name, deletion protection and no load balancers", () => {
    const r = resolveIsolatedNamespaceArgs("diaspomoney-dev", { env: "dev", platform: "diaspomoney" });
    expect(r.namespace).toBe("diaspomoney-dev");
    expect(r.podSecurity).toBe("restricted");
    expect(r.deletionProtection).toBe(true);
    expect(r.quotaHard["services.loadbalancers"]).toBe("0");
    expect(r.quotaHard["limits.memory"]).toBe("16Gi");
    expect(r.limitRange.default).toEqual({ cpu: "500m", memory: "512Mi" });
    expect(r.annotations).toEqual({});
  });

  it("keeps env/platform over a caller's labels of the same key", () => {
    const r = resolveIsolatedNamespaceArgs("ns", { env: "prod", platform: "diaspomoney", labels: { env: "oops", team: "pay" } });
    expect(r.labels).toEqual({ env: "prod", platform: "diaspomoney", team: "pay" });
  });

  it("refuses baseline without a reason, loudly", () => {
    expect(() => resolveIsolatedNamespaceArgs("ops", { env: "shared", platform: "p", podSecurity: "baseline" })).toThrow(ComponentArgsError);
    expect(() => resolveIsolatedNamespaceArgs("ops", { env: "shared", platform: "p", podSecurity: "baseline", podSecurityReason: "  " })).toThrow(
      /platform:k8s:IsolatedNamespace "ops": podSecurity "baseline" .* podSecurityReason/,
    );
  });

  it("refuses a reason with restricted (it would be a stale annotation)", () => {
    expect(() => resolveIsolatedNamespaceArgs("ops", { env: "shared", platform: "p", podSecurityReason: "x" })).toThrow(/podSecurityReason is set/);
  });

  it("records the reason of a relaxed level as an annotation", () => {
    const r = resolveIsolatedNamespaceArgs("ops", { env: "shared", platform: "p", podSecurity: "baseline", podSecurityReason: "operator needs it" });
    expect(r.annotations[POD_SECURITY_REASON_ANNOTATION]).toBe("operator needs it");
  });

  it("rejects invalid namespace names and malformed allow rules", () => {
    expect(() => resolveIsolatedNamespaceArgs("Bad_Name", { env: "dev", platform: "p" })).toThrow(/DNS-1123/);
    expect(() => resolveIsolatedNamespaceArgs("ns", { env: "dev", platform: "p", allow: { x: {} } })).toThrow(/neither ingressFrom nor egressTo/);
    expect(() => resolveIsolatedNamespaceArgs("ns", { env: "dev", platform: "p", allow: { x: { egressTo: [{ cidr: "10.0.0.0/8", namespace: "a" }] } } })).toThrow(/either a cidr/);
    expect(() => resolveIsolatedNamespaceArgs("ns", { env: "dev", platform: "p", allow: { dns: { egressTo: [{ namespace: "a" }] } } })).toThrow(/reserved/);
  });
});

describe("allowPolicySpec", () => {
  it("builds ingress from a namespace on given ports, matching the immutable namespace label", () => {
    const spec = allowPolicySpec({ podLabels: { app: "mongo" }, ingressFrom: [{ namespace: "diaspomoney-dev" }], ports: [{ port: 27017 }] });
    expect(spec).toEqual({
      podSelector: { matchLabels: { app: "mongo" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "diaspomoney-dev" } } }], ports: [{ port: 27017, protocol: "TCP" }] }],
    });
  });

  it("matches any namespace with \"*\"", () => {
    expect(allowPolicySpec({ ingressFrom: [{ namespace: "*" }] }).ingress).toEqual([{ from: [{ namespaceSelector: {} }] }]);
  });

  it("builds egress to an IP block", () => {
    const spec = allowPolicySpec({ egressTo: [{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }], ports: [{ port: 443 }] });
    expect(spec.policyTypes).toEqual(["Egress"]);
    expect(spec.egress).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 443, protocol: "TCP" }] }]);
  });
});

describe("IsolatedNamespace", () => {
  const program = (extra: Partial<ConstructorParameters<typeof IsolatedNamespace>[1]> = {}) => () => {
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const ns = new IsolatedNamespace("diaspomoney-dev-infra", { env: "dev", platform: "diaspomoney", labels: { team: "core" }, ...extra }, { provider });
    ns.allow("from-app", { ingressFrom: [{ namespace: "diaspomoney-dev" }], ports: [{ port: 6379 }] });
  };

  it("creates namespace, quota, limits, default deny both ways and DNS egress, all through the explicit provider", async () => {
    const { plan } = await runProgram(program());
    expect(plan.counts()).toEqual({
      "kubernetes:core/v1:LimitRange": 1,
      "kubernetes:core/v1:Namespace": 1,
      "kubernetes:core/v1:ResourceQuota": 1,
      [NP]: 3,
      "platform:k8s:IsolatedNamespace": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one("platform:k8s:IsolatedNamespace");
    for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(r.parent, r.name).toBe(component.urn);
      expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes::k8s::/);
    }
    const ns = plan.one("kubernetes:core/v1:Namespace");
    expect(ns.inputs.metadata).toMatchObject({
      name: "diaspomoney-dev-infra",
      labels: {
        env: "dev",
        platform: "diaspomoney",
        team: "core",
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    });
    expect(ns.options.protect).toBe(true);
    const deny = plan.one(NP, "diaspomoney-dev-infra-default-deny");
    expect(deny.inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const dns = plan.one(NP, "diaspomoney-dev-infra-allow-dns");
    expect(dns.inputs.spec).toMatchObject({
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
      ],
    });
    expect(plan.one(NP, "diaspomoney-dev-infra-allow-from-app").inputs.metadata).toMatchObject({ name: "allow-from-app", namespace: "diaspomoney-dev-infra" });
    const quota = plan.one("kubernetes:core/v1:ResourceQuota");
    expect(quota.inputs).toMatchObject({ metadata: { namespace: "diaspomoney-dev-infra" }, spec: { hard: { "services.loadbalancers": "0", pods: "50" } } });
    expect(plan.one("kubernetes:core/v1:LimitRange").inputs.spec).toEqual({
      limits: [{ type: "Container", default: { cpu: "500m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } }],
    });
  });

  it("enforces baseline with audit/warn kept restricted and the reason annotated; no protection when turned off", async () => {
    const { plan } = await runProgram(program({ podSecurity: "baseline", podSecurityReason: "operator image runs as root", deletionProtection: false }));
    const ns = plan.one("kubernetes:core/v1:Namespace");
    expect(ns.inputs.metadata).toMatchObject({
      labels: { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" },
      annotations: { [POD_SECURITY_REASON_ANNOTATION]: "operator image runs as root" },
    });
    expect(ns.options.protect).toBe(false);
  });

  it("fails the program when baseline has no reason", async () => {
    await expect(runProgram(program({ podSecurity: "baseline" }))).rejects.toThrow(/podSecurityReason must say why/);
  });
});

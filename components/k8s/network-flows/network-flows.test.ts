import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { NetworkGraph, inCidr, matchesSelector, type PolicyView } from "./graph";
import { NetworkFlows, SENTRY_INGEST_CIDRS, platformFlows, resolveNetworkFlowsArgs, type Flow } from "./index";

const appToMongo: Flow = {
  name: "app-to-mongodb",
  from: { namespace: "diaspomoney-dev", podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } },
  to: { namespace: "diaspomoney-dev-infra", podSelector: { matchLabels: { app: "mongodb-svc" } } },
  ports: [{ port: 27017 }],
};

describe("NetworkFlows", () => {
  it("writes an ingress policy at the destination and an egress policy at the source, valid Kubernetes objects", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", {});
      new NetworkFlows("flows", { flows: [appToMongo, { ...appToMongo, name: "traefik-to-app", from: { namespace: "traefik", managed: false }, to: appToMongo.from, ports: [{ port: 3000 }] }] }, { provider });
    });
    const policies = plan.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
    expect(policies.map((p) => `${valueAt(p.inputs, "metadata.namespace")}/${valueAt(p.inputs, "metadata.name")}`).sort()).toEqual([
      "diaspomoney-dev-infra/flows-app-to-mongodb-ingress",
      "diaspomoney-dev/flows-app-to-mongodb-egress",
      "diaspomoney-dev/flows-traefik-to-app-ingress",
    ]);
    const ingress = plan.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "flows-app-to-mongodb-ingress").inputs;
    expect(valueAt(ingress, "spec")).toEqual({
      podSelector: { matchLabels: { app: "mongodb-svc" } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "diaspomoney-dev" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } }],
          ports: [{ port: 27017, protocol: "TCP" }],
        },
      ],
    });
    for (const p of policies) {
      expect(validateRecordedResource(p)).toEqual({ valid: true, errors: [] });
      expect(p.parent).toBe(plan.one("platform:k8s:NetworkFlows").urn);
      expect(p.provider).toMatch(/providers:kubernetes::k8s/);
    }
  });

  it("writes CIDR destinations as ipBlocks", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", {});
      new NetworkFlows("flows", { flows: [{ name: "backup-to-gcs", from: appToMongo.from, to: { cidrs: ["0.0.0.0/0"], except: ["10.0.0.0/8"] }, ports: [{ port: 443 }] }] }, { provider });
    });
    expect(valueAt(plan.one("kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs, "spec.egress[0].to")).toEqual([{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }]);
  });

  it("refuses flows without ports, duplicates and flows that manage nothing", () => {
    expect(() => resolveNetworkFlowsArgs("f", { flows: [{ ...appToMongo, ports: [] }] })).toThrow(/allows every port/);
    expect(() => resolveNetworkFlowsArgs("f", { flows: [appToMongo, appToMongo] })).toThrow(/declared twice/);
    expect(() => resolveNetworkFlowsArgs("f", { flows: [{ ...appToMongo, from: { ...appToMongo.from, managed: false }, to: { ...appToMongo.to, managed: false } }] })).toThrow(/manages neither side/);
  });

  it("platformFlows opens the app → data ports and nothing for absent services", () => {
    const flows = platformFlows({
      app: { namespace: "a", podSelector: { matchLabels: { app: "web" } }, port: 3000 },
      infraNamespace: "a-infra",
      ingressController: { namespace: "traefik", podSelector: {} },
      prometheus: { namespace: "monitoring", podSelector: {} },
      mongodb: { podSelector: { matchLabels: { app: "mongodb-svc" } } },
    });
    expect(flows.map((f) => f.name)).toEqual(["traefik-to-app", "prometheus-to-app", "traefik-to-acme-solver", "app-dns", "infra-dns", "app-to-mongodb", "mongodb-members", "prometheus-to-mongodb"]);
    expect(flows.find((f) => f.name === "app-to-mongodb")?.ports).toEqual([{ port: 27017 }]);
    expect(flows.find((f) => f.name === "prometheus-to-mongodb")?.ports).toEqual([{ port: 9216 }]);
  });

  it("platformFlows lets Traefik reach the ACME solver pods, and the app reach Sentry's addresses only", () => {
    const args = {
      app: { namespace: "a", podSelector: { matchLabels: { app: "web" } }, port: 3000 },
      infraNamespace: "a-infra",
      ingressController: { namespace: "traefik", podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } },
      prometheus: { namespace: "monitoring", podSelector: {} },
    };
    const solver = platformFlows(args).find((f) => f.name === "traefik-to-acme-solver")!;
    expect(solver.to).toEqual({ namespace: "a", podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } } });
    expect(solver.ports).toEqual([{ port: 8089 }]);
    expect(platformFlows({ ...args, acmeHttp01Solvers: false }).some((f) => f.name === "traefik-to-acme-solver")).toBe(false);
    expect(platformFlows(args).some((f) => f.name === "app-to-sentry")).toBe(false);
    const sentry = platformFlows({ ...args, sentry: { cidrs: SENTRY_INGEST_CIDRS } }).find((f) => f.name === "app-to-sentry")!;
    expect(sentry.ports).toEqual([{ port: 443 }]);
    expect((sentry.to as { cidrs: string[] }).cidrs.every((c) => c.endsWith("/32"))).toBe(true);
  });
});

describe("NetworkGraph semantics", () => {
  const a = { name: "a", namespace: "x", labels: { app: "a" }, ip: "10.0.0.1" };
  const b = { name: "b", namespace: "y", labels: { app: "b" }, ip: "10.0.0.2" };
  const policy = (p: Partial<PolicyView>): PolicyView => ({ name: "p", namespace: "y", podSelector: {}, policyTypes: ["Ingress"], ingress: [], egress: [], ...p });

  it("is open without policies and closed by an empty selecting policy", () => {
    expect(new NetworkGraph([]).allows(a, b, 80)).toBe(true);
    expect(new NetworkGraph([policy({})]).allows(a, b, 80)).toBe(false);
    expect(new NetworkGraph([policy({ podSelector: { matchLabels: { app: "other" } } })]).allows(a, b, 80)).toBe(true);
  });

  it("ANDs namespace and pod selectors in one peer, and a podSelector alone means the policy's namespace", () => {
    const both = policy({ ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "x" } }, podSelector: { matchLabels: { app: "a" } } }] }] });
    expect(new NetworkGraph([both]).allows(a, b, 80)).toBe(true);
    expect(new NetworkGraph([both]).allows({ ...a, labels: { app: "z" } }, b, 80)).toBe(false);
    const podOnly = policy({ ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }] }] });
    expect(new NetworkGraph([podOnly]).allows(a, b, 80)).toBe(false);
  });

  it("matches ports and protocols, and needs egress as well as ingress", () => {
    const ingress = policy({ ingress: [{ ports: [{ port: 443, protocol: "TCP" }] }] });
    expect(new NetworkGraph([ingress]).allows(a, b, 443)).toBe(true);
    expect(new NetworkGraph([ingress]).allows(a, b, 443, "UDP")).toBe(false);
    const denyEgress = policy({ namespace: "x", policyTypes: ["Egress"] });
    expect(new NetworkGraph([ingress, denyEgress]).allows(a, b, 443)).toBe(false);
  });

  it("evaluates selector expressions and CIDRs with exceptions", () => {
    expect(matchesSelector({ matchExpressions: [{ key: "app", operator: "In", values: ["a", "b"] }] }, { app: "b" })).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["a"] }] }, { app: "a" })).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, { app: "a" })).toBe(false);
    expect(inCidr("10.8.1.2", "10.0.0.0/8")).toBe(true);
    expect(inCidr("142.250.1.1", "10.0.0.0/8")).toBe(false);
    expect(inCidr("1.2.3.4", "0.0.0.0/0")).toBe(true);
    const egress = policy({ namespace: "x", policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }] });
    expect(new NetworkGraph([egress]).allows(a, { name: "internet", ip: "8.8.8.8" }, 443)).toBe(true);
    expect(new NetworkGraph([egress]).allows(a, b, 443)).toBe(false);
  });
});

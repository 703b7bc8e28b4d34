import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { chartValuesCheck } from "../../../engine/deployability/chart-values";
import { OPERATOR_CHARTS, operatorValues, Operators, resolveOperatorsArgs, type OperatorsArgs } from "./index";

const watch = ["diaspomoney-dev-infra", "diaspomoney-rct-infra", "diaspomoney-prod-infra"];
const base: OperatorsArgs = { platform: "diaspomoney", apiServerCidrs: ["172.16.0.0/28"], watchNamespaces: watch };
const REL = "kubernetes:helm.sh/v3:Release";

describe("resolveOperatorsArgs", () => {
  it("enables the three operators in their own namespaces by default", () => {
    expect(resolveOperatorsArgs("ops", base).operators).toEqual({ strimzi: { namespace: "strimzi" }, mongodb: { namespace: "mongodb-operator" }, redis: { namespace: "redis-operator" } });
  });

  it("refuses an operator watching its own namespace, nothing to watch, or nothing enabled", () => {
    expect(() => resolveOperatorsArgs("ops", { ...base, watchNamespaces: [...watch, "strimzi"] })).toThrow(ComponentArgsError);
    expect(() => resolveOperatorsArgs("ops", { ...base, watchNamespaces: [] })).toThrow(/watchNamespaces is empty/);
    expect(() => resolveOperatorsArgs("ops", { ...base, strimzi: { enabled: false }, mongodb: { enabled: false }, redis: { enabled: false } })).toThrow(/every operator is disabled/);
  });
});

describe("operatorValues", () => {
  const r = resolveOperatorsArgs("ops", base);
  it("scopes each operator to the infra namespaces, not the whole cluster", () => {
    expect(operatorValues("strimzi", r)).toMatchObject({ watchNamespaces: watch, watchAnyNamespace: false });
    expect(operatorValues("mongodb", r)).toMatchObject({ operator: { watchNamespace: watch.join(","), watchedResources: ["mongodbcommunity"] } });
    expect(operatorValues("redis", r)).toMatchObject({ redisOperator: { watchNamespace: watch.join(","), imageTag: "v0.26.0" } });
  });

  it("makes Strimzi generate restricted-compliant pods for the infra namespaces", () => {
    expect(valueAt(operatorValues("strimzi", r), "extraEnvs")).toContainEqual({ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" });
  });

  it("states the restricted security context of every operator pod", () => {
    for (const op of ["strimzi", "mongodb", "redis"] as const) {
      const v = operatorValues(op, r);
      const prefix = op === "mongodb" ? "operator." : "";
      expect(valueAt(v, `${prefix}podSecurityContext.seccompProfile`), op).toEqual({ type: "RuntimeDefault" });
      expect(valueAt(v, `${prefix}securityContext.capabilities.drop`), op).toEqual(["ALL"]);
      expect(valueAt(v, `${prefix}securityContext.allowPrivilegeEscalation`), op).toBe(false);
    }
  });
});

describe("Operators", () => {
  it("installs three pinned releases, each in its own restricted namespace through the explicit provider", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new Operators("ops", { ...base, monitoringNamespace: "monitoring" }, { provider });
    });
    const releases = Object.fromEntries(plan.ofType(REL).map((x) => [x.inputs.name, x.inputs]));
    // Strimzi from its OCI registry (the HTTP repository is deprecated): the registry goes into `chart`.
    expect(releases["strimzi-kafka-operator"]).toMatchObject({ chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator", version: "1.2.0", namespace: "strimzi" });
    expect(releases["strimzi-kafka-operator"].repositoryOpts).toBeUndefined();
    expect(releases["redis-operator"]).toMatchObject({ repositoryOpts: { repo: OPERATOR_CHARTS.redis.repo } });
    expect(releases["mongodb-kubernetes"]).toMatchObject({ version: "1.10.0", namespace: "mongodb-operator" });
    expect(releases["redis-operator"]).toMatchObject({ version: "0.26.0", namespace: "redis-operator" });
    const levels = plan.ofType("kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"]);
    expect(levels).toEqual(["restricted", "restricted", "restricted"]);
    expect(plan.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "ops-redis-ns-allow-workloads").inputs.spec).toMatchObject({
      egress: [{ to: watch.map((n) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } })), ports: [{ port: 6379, protocol: "TCP" }] }],
    });
    for (const res of plan.resources) {
      const v = validateRecordedResource(res);
      if (v) expect(v.errors, res.name).toEqual([]);
      if (res.type.startsWith("kubernetes:")) expect(res.provider, res.name).toMatch(/::k8s::/);
    }
  });

  it("leaves out a disabled operator", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new Operators("ops", { ...base, redis: { enabled: false } }, { provider });
    });
    expect(plan.ofType(REL).map((x) => x.inputs.name).sort()).toEqual(["mongodb-kubernetes", "strimzi-kafka-operator"]);
  });

  it("makes every release wait for what creates the watched namespaces (the charts write RoleBindings there)", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const nss = watch.map((n) => new k8s.core.v1.Namespace(n, { metadata: { name: n } }, { provider }));
      new Operators("ops", { ...base, watchNamespaceResources: nss }, { provider });
    });
    const nsUrns = plan.ofType("kubernetes:core/v1:Namespace").filter((n) => watch.includes(n.name)).map((n) => n.urn);
    expect(nsUrns).toHaveLength(watch.length);
    for (const rel of plan.ofType(REL)) expect(rel.dependencies, rel.name).toEqual(expect.arrayContaining(nsUrns));
  });

  it("passes the chart-values check: pinned, vendored, every key known to its chart", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new Operators("ops", base, { provider });
    });
    expect(chartValuesCheck.run({ stack: "test", resources: plan.resources, upstream: [] })).toEqual([]);
  });
});

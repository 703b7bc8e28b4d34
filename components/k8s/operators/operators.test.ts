import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { valueAt, type Plan } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { chartValuesCheck } from "../../../engine/deployability/chart-values";
import { crdDependencies, type CrdInstaller } from "../common/helm-addon";
import { parseQuantity } from "../common/pod-security";
import {
  BARMAN_CLOUD_PLUGIN_CHART,
  barmanCloudPluginValues,
  OPERATOR_CHARTS,
  OPERATOR_NAMESPACE_QUOTA,
  OPERATOR_POD_RESOURCES,
  operatorValues,
  Operators,
  RABBITMQ_TOPOLOGY_OPERATOR_DEPLOYMENT,
  resolveOperatorsArgs,
  trustedCaValues,
  type OperatorName,
  type OperatorsArgs,
} from "./index";

const watch = ["diaspomoney-dev-infra", "diaspomoney-rct-infra", "diaspomoney-prod-infra"];
const REL = "kubernetes:helm.sh/v3:Release";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const NEW: OperatorName[] = ["keda", "eck", "rabbitmq", "cnpg"];
/** What DiaspoMoney's foundation passes: only its three operators. */
const off = Object.fromEntries(NEW.map((op) => [op, { enabled: false }])) as Partial<OperatorsArgs>;
const base: OperatorsArgs = { platform: "diaspomoney", apiServerCidrs: ["172.16.0.0/28"], watchNamespaces: watch, ...off };

/** ShareYourSales-like: KEDA watches the app namespaces, the rest the infra ones; cert-manager is given. */
const syInfra = ["shareyoursales-dev-infra", "shareyoursales-prod-infra"];
const syApps = ["shareyoursales-dev", "shareyoursales-prod"];
const fakeCertManager = { crdGroups: ["cert-manager.io", "acme.cert-manager.io"] } as unknown as CrdInstaller;
const sys: OperatorsArgs = {
  platform: "shareyoursales",
  apiServerCidrs: ["172.16.0.0/28"],
  watchNamespaces: syInfra,
  strimzi: { enabled: false },
  mongodb: { enabled: false },
  redis: { enabled: false },
  keda: { watchNamespaces: syApps },
  certManager: fakeCertManager,
  monitoringNamespace: "monitoring",
};

function policy(plan: Plan, name: string) {
  return plan.one(NP, name).inputs.spec as { podSelector: unknown; ingress?: { from: unknown[]; ports: unknown[] }[]; egress?: { to: unknown[]; ports: unknown[] }[] };
}
const nsPeer = (n: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } } });
const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: "TCP" }));

describe("resolveOperatorsArgs", () => {
  it("enables every operator in its own namespace unless disabled; each watches watchNamespaces by default", () => {
    const r = resolveOperatorsArgs("ops", { ...base, keda: {}, eck: {}, rabbitmq: {}, cnpg: {}, certManager: fakeCertManager });
    expect(Object.fromEntries(Object.entries(r.operators).map(([op, o]) => [op, o.namespace]))).toEqual({
      strimzi: "strimzi",
      mongodb: "mongodb-operator",
      redis: "redis-operator",
      keda: "keda",
      eck: "elastic-system",
      rabbitmq: "rabbitmq-system",
      cnpg: "cnpg-system",
    });
    for (const o of Object.values(r.operators)) expect(o.watchNamespaces).toEqual(watch);
  });

  it("keeps the existing three as they were when the four new ones are disabled", () => {
    expect(resolveOperatorsArgs("ops", base).operators).toEqual({
      strimzi: { namespace: "strimzi", watchNamespaces: watch, workloadNamespaces: watch },
      mongodb: { namespace: "mongodb-operator", watchNamespaces: watch, workloadNamespaces: watch },
      redis: { namespace: "redis-operator", watchNamespaces: watch, workloadNamespaces: watch },
    });
  });

  it("lets KEDA watch the app namespaces while it reaches the queues in the infra namespaces", () => {
    const r = resolveOperatorsArgs("ops", sys);
    expect(r.operators.keda).toEqual({ namespace: "keda", watchNamespaces: syApps, workloadNamespaces: syInfra });
    expect(r.operators.cnpg).toEqual({ namespace: "cnpg-system", watchNamespaces: syInfra, workloadNamespaces: syInfra, barmanCloudPlugin: true });
    expect(r.operators.rabbitmq).toEqual({ namespace: "rabbitmq-system", watchNamespaces: syInfra, workloadNamespaces: syInfra, trustedCaSecrets: [] });
    const other = resolveOperatorsArgs("ops", { ...sys, keda: { watchNamespaces: syApps, scalerSourceNamespaces: ["queues"] } });
    expect(other.operators.keda?.workloadNamespaces).toEqual(["queues"]);
  });

  it("refuses an operator watching its own namespace, nothing to watch, or nothing enabled", () => {
    expect(() => resolveOperatorsArgs("ops", { ...base, watchNamespaces: [...watch, "strimzi"] })).toThrow(ComponentArgsError);
    expect(() => resolveOperatorsArgs("ops", { ...base, watchNamespaces: [] })).toThrow(/watchNamespaces is empty/);
    expect(() => resolveOperatorsArgs("ops", { ...base, strimzi: { enabled: false }, mongodb: { enabled: false }, redis: { enabled: false } })).toThrow(/every operator is disabled/);
    expect(() => resolveOperatorsArgs("ops", { ...sys, keda: { watchNamespaces: [...syApps, "keda"] } })).toThrow(/keda: its namespace "keda" is also in keda.watchNamespaces/);
    expect(() => resolveOperatorsArgs("ops", { ...sys, keda: { watchNamespaces: [] } })).toThrow(/keda.watchNamespaces is empty/);
  });

  it("refuses two operators in one namespace, and scaler sources on anything but KEDA", () => {
    expect(() => resolveOperatorsArgs("ops", { ...sys, cnpg: { namespace: "keda" } })).toThrow(/cnpg: namespace "keda" is already keda's; expected a namespace of its own/);
    expect(() => resolveOperatorsArgs("ops", { ...sys, eck: { scalerSourceNamespaces: syInfra } as OperatorsArgs["keda"] })).toThrow(/eck.scalerSourceNamespaces is set: only keda/);
    expect(() => resolveOperatorsArgs("ops", { ...sys, keda: { watchNamespaces: syApps, scalerSourceNamespaces: [] } })).toThrow(/keda.scalerSourceNamespaces is empty/);
  });

  it("refuses RabbitMQ without cert-manager, naming what was expected and what was given", () => {
    const { certManager: _, ...noCm } = sys;
    expect(() => resolveOperatorsArgs("ops", noCm)).toThrow(/rabbitmq is enabled without certManager: expected cert-manager's installer .* got none/);
    expect(() => resolveOperatorsArgs("ops", { ...noCm, rabbitmq: { enabled: false } })).toThrow(
      /cnpg is enabled with the Barman Cloud plugin without certManager: expected cert-manager's installer .* got none/,
    );
    expect(() => resolveOperatorsArgs("ops", { ...noCm, rabbitmq: { enabled: false }, cnpg: { barmanCloudPlugin: false } })).not.toThrow();
  });

  it("takes trusted CA Secrets for RabbitMQ only, each a Secret name, once", () => {
    const trust = ["shareyoursales-dev-data-trust", "shareyoursales-prod-data-trust"];
    expect(resolveOperatorsArgs("ops", { ...sys, rabbitmq: { trustedCaSecrets: trust } }).operators.rabbitmq?.trustedCaSecrets).toEqual(trust);
    const call = (a: Partial<OperatorsArgs>) => () => resolveOperatorsArgs("ops", { ...sys, ...a });
    expect(call({ cnpg: { trustedCaSecrets: trust } as OperatorsArgs["rabbitmq"] })).toThrow(/cnpg.trustedCaSecrets is set: only rabbitmq/);
    expect(call({ rabbitmq: { trustedCaSecrets: ["Dev_CA"] } })).toThrow(ComponentArgsError);
    expect(call({ rabbitmq: { trustedCaSecrets: ["Dev_CA"] } })).toThrow(/rabbitmq.trustedCaSecrets has "Dev_CA": expected a Secret name/);
    expect(call({ rabbitmq: { trustedCaSecrets: [trust[0]!, trust[0]!] } })).toThrow(/lists "shareyoursales-dev-data-trust" twice/);
    expect(call({ keda: { watchNamespaces: syApps, barmanCloudPlugin: true } as OperatorsArgs["cnpg"] })).toThrow(/keda.barmanCloudPlugin is set: the Barman Cloud plugin belongs to cnpg/);
  });
});

describe("operatorValues", () => {
  const r = resolveOperatorsArgs("ops", base);
  const s = resolveOperatorsArgs("ops", sys);

  it("scopes each operator to the infra namespaces, not the whole cluster", () => {
    expect(operatorValues("strimzi", r)).toMatchObject({ watchNamespaces: watch, watchAnyNamespace: false });
    expect(operatorValues("mongodb", r)).toMatchObject({ operator: { watchNamespace: watch.join(","), watchedResources: ["mongodbcommunity"] } });
    expect(operatorValues("redis", r)).toMatchObject({ redisOperator: { watchNamespace: watch.join(","), imageTag: "v0.26.0" } });
    expect(operatorValues("eck", s)).toMatchObject({ managedNamespaces: syInfra });
    expect(operatorValues("rabbitmq", s)).toMatchObject({
      clusterOperator: { watchAllNamespaces: false, watchNamespaces: syInfra },
      msgTopologyOperator: { enabled: true, watchAllNamespaces: false, watchNamespaces: syInfra },
    });
    // The chart's namespaced mode would watch only cnpg-system: cluster-wide RBAC, narrowed by WATCH_NAMESPACE.
    expect(operatorValues("cnpg", s)).toMatchObject({ config: { clusterWide: true }, additionalEnv: [{ name: "WATCH_NAMESPACE", value: syInfra.join(",") }] });
  });

  it("makes KEDA watch the app namespaces, with its CRDs, pinned images and no chart network policies", () => {
    expect(operatorValues("keda", s)).toMatchObject({
      watchNamespace: syApps.join(","),
      crds: { install: true },
      image: { keda: { tag: "2.20.2" }, metricsApiServer: { tag: "2.20.2" }, webhooks: { tag: "2.20.2" }, pullPolicy: "IfNotPresent" },
      networkPolicy: { enabled: false },
      prometheus: { operator: { enabled: true } },
    });
    expect(valueAt(operatorValues("keda", { ...s, monitoringNamespace: undefined }), "prometheus.operator.enabled")).toBe(false);
  });

  it("pins the RabbitMQ operators to the vendored CRDs' releases and takes the webhook certificates from cert-manager", () => {
    const v = operatorValues("rabbitmq", s);
    expect(v).toMatchObject({
      useCertManager: true,
      clusterOperator: { image: { registry: "ghcr.io", repository: "rabbitmq/cluster-operator", tag: "2.22.3" }, webhook: { enabled: true }, networkPolicy: { enabled: false } },
      msgTopologyOperator: { image: { repository: "rabbitmq/messaging-topology-operator" }, networkPolicy: { enabled: false }, metrics: { secure: false } },
      rabbitmqImage: { repository: "library/rabbitmq", tag: "4.2.6-management" },
    });
    expect(valueAt(v, "msgTopologyOperator.image.tag")).toMatch(/^1\.20\.1@sha256:[a-f0-9]{64}$/);
    // No trusted CA given: the chart's own volumes and environment only.
    expect(valueAt(v, "msgTopologyOperator.extraVolumes")).toBeUndefined();
    expect(valueAt(v, "msgTopologyOperator.extraEnvVars")).toBeUndefined();
  });

  it("mounts each trusted CA Secret (optional) into the Topology Operator and lists its directory in SSL_CERT_DIR after the system one", () => {
    const trust = ["shareyoursales-dev-data-trust", "shareyoursales-prod-data-trust"];
    const v = operatorValues("rabbitmq", resolveOperatorsArgs("ops", { ...sys, rabbitmq: { trustedCaSecrets: trust } }));
    expect(valueAt(v, "msgTopologyOperator.extraVolumes")).toEqual([
      { name: "trusted-ca-0", secret: { secretName: trust[0], optional: true, items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { name: "trusted-ca-1", secret: { secretName: trust[1], optional: true, items: [{ key: "ca.crt", path: "ca.crt" }] } },
    ]);
    expect(valueAt(v, "msgTopologyOperator.extraVolumeMounts")).toEqual([
      { name: "trusted-ca-0", mountPath: `/etc/ssl/trusted/${trust[0]}`, readOnly: true },
      { name: "trusted-ca-1", mountPath: `/etc/ssl/trusted/${trust[1]}`, readOnly: true },
    ]);
    expect(valueAt(v, "msgTopologyOperator.extraEnvVars")).toEqual([{ name: "SSL_CERT_DIR", value: `/etc/ssl/certs:/etc/ssl/trusted/${trust[0]}:/etc/ssl/trusted/${trust[1]}` }]);
    // The Cluster Operator never calls the brokers over TLS: it gets none of it.
    expect(valueAt(v, "clusterOperator.extraVolumes")).toBeUndefined();
    expect(trustedCaValues([])).toEqual({});
    // What the README tells an operator to restart after a new env (a DNS label Helm did not truncate).
    expect(RABBITMQ_TOPOLOGY_OPERATOR_DEPLOYMENT).toBe("rabbitmq-cluster-operator-rabbitmq-messaging-topology-operator");
    expect(RABBITMQ_TOPOLOGY_OPERATOR_DEPLOYMENT.length).toBeLessThanOrEqual(63);
  });

  it("pins the Barman Cloud plugin and the sidecar it injects into PostgreSQL pods to v0.13.0, with its CRD", () => {
    expect(barmanCloudPluginValues()).toMatchObject({
      crds: { create: true },
      image: { registry: "ghcr.io", repository: "cloudnative-pg/plugin-barman-cloud", tag: "v0.13.0" },
      sidecarImage: { registry: "ghcr.io", repository: "cloudnative-pg/plugin-barman-cloud-sidecar", tag: "v0.13.0" },
      replicaCount: 1,
    });
  });

  it("has ECK manage its own webhook certificate, send no telemetry, and serve metrics only when scraped", () => {
    expect(operatorValues("eck", s)).toMatchObject({ installCRDs: true, webhook: { enabled: true, manageCerts: true, port: 10250 }, image: { tag: "3.5.0" }, telemetry: { disabled: true }, config: { metrics: { port: 8080 } } });
    expect(valueAt(operatorValues("eck", { ...s, monitoringNamespace: undefined }), "config.metrics.port")).toBe(0);
    expect(operatorValues("cnpg", s)).toMatchObject({ crds: { create: true }, image: { tag: "1.30.0" }, webhook: { port: 10250 } });
  });

  it("serves what the API server calls on 10250, the port GKE's private-cluster firewall opens, where the chart allows it", () => {
    expect(operatorValues("keda", s)).toMatchObject({ service: { portHttpsTarget: 10250 }, webhooks: { port: 10250 } });
    expect(valueAt(operatorValues("eck", s), "webhook.port")).toBe(10250);
    expect(valueAt(operatorValues("cnpg", s), "webhook.port")).toBe(10250);
  });

  it("makes Strimzi generate restricted-compliant pods for the infra namespaces", () => {
    expect(valueAt(operatorValues("strimzi", r), "extraEnvs")).toContainEqual({ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" });
  });

  it("states the restricted security context of every operator pod", () => {
    // [operator, pod securityContext path, container securityContext path]
    const paths: [OperatorName, string, string][] = [
      ["strimzi", "podSecurityContext", "securityContext"],
      ["mongodb", "operator.podSecurityContext", "operator.securityContext"],
      ["redis", "podSecurityContext", "securityContext"],
      ["keda", "podSecurityContext.operator", "securityContext.operator"],
      ["keda", "podSecurityContext.metricServer", "securityContext.metricServer"],
      ["keda", "podSecurityContext.webhooks", "securityContext.webhooks"],
      ["eck", "podSecurityContext", "securityContext"],
      ["rabbitmq", "clusterOperator.podSecurityContext", "clusterOperator.containerSecurityContext"],
      ["rabbitmq", "msgTopologyOperator.podSecurityContext", "msgTopologyOperator.containerSecurityContext"],
      ["cnpg", "podSecurityContext", "containerSecurityContext"],
    ];
    const plugin = barmanCloudPluginValues();
    expect(valueAt(plugin, "containerSecurityContext")).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, readOnlyRootFilesystem: true, runAsUser: 10001 });
    expect(valueAt(plugin, "podSecurityContext")).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    for (const [op, pod, container] of paths) {
      const v = operatorValues(op, s.operators[op] ? s : r);
      expect(valueAt(v, `${pod}.seccompProfile`), `${op} ${pod}`).toEqual({ type: "RuntimeDefault" });
      expect(valueAt(v, `${container}.capabilities.drop`), `${op} ${container}`).toEqual(["ALL"]);
      expect(valueAt(v, `${container}.allowPrivilegeEscalation`), `${op} ${container}`).toBe(false);
      expect(valueAt(v, `${container}.runAsNonRoot`) ?? valueAt(v, `${pod}.runAsNonRoot`), `${op} runAsNonRoot`).toBe(true);
    }
  });

  it("gives every pod the requests and limits the quota is sized for", () => {
    const at: [OperatorName, string, string][] = [
      ["keda", "operator", "resources.operator"],
      ["keda", "metricsApiServer", "resources.metricServer"],
      ["keda", "webhooks", "resources.webhooks"],
      ["eck", "operator", "resources"],
      ["rabbitmq", "clusterOperator", "clusterOperator.resources"],
      ["rabbitmq", "topologyOperator", "msgTopologyOperator.resources"],
      ["cnpg", "operator", "resources"],
      ["strimzi", "operator", "resources"],
      ["mongodb", "operator", "operator.resources"],
      ["redis", "operator", "resources"],
    ];
    for (const [op, pod, path] of at) {
      const { requests, limits } = OPERATOR_POD_RESOURCES[op][pod];
      expect(valueAt(operatorValues(op, s.operators[op] ? s : r), path), `${op} ${pod}`).toEqual({ requests, limits });
    }
    const { requests, limits } = OPERATOR_POD_RESOURCES.cnpg.barmanCloudPlugin;
    expect(valueAt(barmanCloudPluginValues(), "resources")).toEqual({ requests, limits });
  });

  it("fits each operator namespace's quota even with every pod surging once during an upgrade", () => {
    for (const [op, pods] of Object.entries(OPERATOR_POD_RESOURCES)) {
      const sum = (pick: (p: (typeof pods)[string]) => string | undefined) => Object.values(pods).reduce((t, p) => t + 2 * p.replicas * parseQuantity(pick(p) ?? "0"), 0);
      expect(sum((p) => p.requests.cpu), `${op} requests.cpu`).toBeLessThanOrEqual(parseQuantity(OPERATOR_NAMESPACE_QUOTA.requestsCpu));
      expect(sum((p) => p.requests.memory), `${op} requests.memory`).toBeLessThanOrEqual(parseQuantity(OPERATOR_NAMESPACE_QUOTA.requestsMemory));
      expect(sum((p) => p.limits.cpu), `${op} limits.cpu`).toBeLessThanOrEqual(parseQuantity(OPERATOR_NAMESPACE_QUOTA.limitsCpu));
      expect(sum((p) => p.limits.memory), `${op} limits.memory`).toBeLessThanOrEqual(parseQuantity(OPERATOR_NAMESPACE_QUOTA.limitsMemory));
    }
  });
});

describe("Operators", () => {
  it("installs DiaspoMoney's three pinned releases exactly as before, each in its own restricted namespace", async () => {
    let ops: Operators | undefined;
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      ops = new Operators("ops", { ...base, monitoringNamespace: "monitoring" }, { provider });
    });
    const releases = Object.fromEntries(plan.ofType(REL).map((x) => [x.inputs.name, x.inputs]));
    expect(Object.keys(releases).sort()).toEqual(["mongodb-kubernetes", "redis-operator", "strimzi-kafka-operator"]);
    // Strimzi from its OCI registry (the HTTP repository is deprecated): the registry goes into `chart`.
    expect(releases["strimzi-kafka-operator"]).toMatchObject({ chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator", version: "1.2.0", namespace: "strimzi" });
    expect(releases["strimzi-kafka-operator"].repositoryOpts).toBeUndefined();
    expect(releases["redis-operator"]).toMatchObject({ repositoryOpts: { repo: OPERATOR_CHARTS.redis.repo } });
    expect(releases["mongodb-kubernetes"]).toMatchObject({ version: "1.10.0", namespace: "mongodb-operator" });
    expect(releases["redis-operator"]).toMatchObject({ version: "0.26.0", namespace: "redis-operator" });
    const levels = plan.ofType("kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"]);
    expect(levels).toEqual(["restricted", "restricted", "restricted"]);
    expect(ops!.apiServerIngressPorts).toEqual([1993]);
    // The same 16 policies as before the four operators were added.
    expect(plan.ofType(NP).map((p) => p.name).sort()).toEqual(
      ["strimzi", "mongodb", "redis"].flatMap((op) => [
        `ops-${op}-ns-allow-apiserver`,
        `ops-${op}-ns-allow-dns`,
        `ops-${op}-ns-allow-metrics-from-monitoring`,
        `ops-${op}-ns-allow-workloads`,
        `ops-${op}-ns-default-deny`,
        ...(op === "mongodb" ? [`ops-${op}-ns-allow-webhook-from-apiserver`] : []),
      ]).sort(),
    );
    expect(policy(plan, "ops-redis-ns-allow-workloads")).toMatchObject({ egress: [{ to: watch.map(nsPeer), ports: tcp(6379) }] });
    expect(policy(plan, "ops-mongodb-ns-allow-webhook-from-apiserver")).toMatchObject({ ingress: [{ from: [{ ipBlock: { cidr: "172.16.0.0/28" } }], ports: tcp(1993) }] });
    expect(policy(plan, "ops-strimzi-ns-allow-metrics-from-monitoring")).toMatchObject({ ingress: [{ from: [nsPeer("monitoring")], ports: tcp(8080) }] });
    for (const res of plan.resources) {
      const v = validateRecordedResource(res);
      if (v) expect(v.errors, res.name).toEqual([]);
      if (res.type.startsWith("kubernetes:")) expect(res.provider, res.name).toMatch(/::k8s::/);
    }
  });

  it("installs KEDA, ECK, RabbitMQ and CloudNativePG pinned, each in its own namespace, RabbitMQ after cert-manager", async () => {
    let ops: Operators | undefined;
    let certManagerUrn = "";
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const cm = new k8s.helm.v3.Release("cert-manager", { chart: "cert-manager", version: "v1.21.1", namespace: "cert-manager", repositoryOpts: { repo: "https://charts.jetstack.io" } }, { provider });
      cm.urn.apply((u) => (certManagerUrn = u));
      ops = new Operators("ops", { ...sys, certManager: { release: cm, crdGroups: ["cert-manager.io"] } }, { provider });
    });
    const releases = Object.fromEntries(plan.ofType(REL).filter((x) => x.name.startsWith("ops-")).map((x) => [x.name, x]));
    expect(Object.keys(releases).sort()).toEqual(["ops-cnpg-barman-cloud-release", "ops-cnpg-release", "ops-eck-release", "ops-keda-release", "ops-rabbitmq-release"]);
    expect(releases["ops-keda-release"].inputs).toMatchObject({ name: "keda", chart: "keda", version: "2.20.2", namespace: "keda", repositoryOpts: { repo: "https://kedacore.github.io/charts" } });
    expect(releases["ops-eck-release"].inputs).toMatchObject({ name: "eck-operator", chart: "eck-operator", version: "3.5.0", namespace: "elastic-system", repositoryOpts: { repo: "https://helm.elastic.co" } });
    expect(releases["ops-cnpg-release"].inputs).toMatchObject({ name: "cloudnative-pg", chart: "cloudnative-pg", version: "0.29.0", namespace: "cnpg-system", repositoryOpts: { repo: "https://cloudnative-pg.github.io/charts" } });
    // The community chart, from its OCI registry on ghcr.io.
    expect(releases["ops-rabbitmq-release"].inputs).toMatchObject({ chart: "oci://ghcr.io/cloudpirates-io/helm-charts/rabbitmq-cluster-operator", version: "0.6.5", namespace: "rabbitmq-system" });
    expect(releases["ops-rabbitmq-release"].inputs.repositoryOpts).toBeUndefined();
    expect(certManagerUrn).not.toBe("");
    expect(releases["ops-rabbitmq-release"].dependencies).toContain(certManagerUrn);
    for (const op of ["keda", "eck", "cnpg"]) expect(releases[`ops-${op}-release`].dependencies, op).not.toContain(certManagerUrn);

    // The Barman Cloud plugin: in the operator's namespace (where CloudNativePG looks for plugin
    // Services), after cert-manager (its Issuer and Certificates) and after the operator's release.
    const plugin = releases["ops-cnpg-barman-cloud-release"];
    expect(plugin.inputs).toMatchObject({ name: "plugin-barman-cloud", chart: "plugin-barman-cloud", version: "0.7.0", namespace: "cnpg-system", repositoryOpts: { repo: "https://cloudnative-pg.github.io/charts" }, atomic: true });
    expect(plugin.parent).toBe(plan.one("platform:k8s:Operators", "ops").urn);
    expect(plugin.dependencies).toEqual(expect.arrayContaining([certManagerUrn, releases["ops-cnpg-release"].urn]));
    expect(valueAt(plugin.inputs, "values.image.tag")).toBe("v0.13.0");

    const ns = plan.ofType("kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as { name: string; labels: Record<string, string> }));
    expect(ns.map((n) => n.name).sort()).toEqual(["cnpg-system", "elastic-system", "keda", "rabbitmq-system"]);
    for (const n of ns) expect(n.labels["pod-security.kubernetes.io/enforce"], n.name).toBe("restricted");
    for (const q of plan.ofType("kubernetes:core/v1:ResourceQuota")) expect(q.inputs.spec, q.name).toMatchObject({ hard: { "requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "8Gi" } });

    // KEDA: the API server calls its metrics API server and webhooks (both on 10250); it polls RabbitMQ in the infra namespaces.
    expect(policy(plan, "ops-keda-ns-allow-webhook-from-apiserver")).toMatchObject({ ingress: [{ from: [{ ipBlock: { cidr: "172.16.0.0/28" } }], ports: tcp(10250) }] });
    expect(policy(plan, "ops-keda-ns-allow-workloads")).toMatchObject({ egress: [{ to: syInfra.map(nsPeer), ports: tcp(5671, 5672, 15671, 15672, 6379) }] });
    expect(policy(plan, "ops-keda-ns-allow-metrics-grpc-out")).toMatchObject({ podSelector: { matchLabels: { app: "keda-operator-metrics-apiserver" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "keda-operator" } } }], ports: tcp(9666) }] });
    expect(policy(plan, "ops-keda-ns-allow-metrics-grpc-in")).toMatchObject({ podSelector: { matchLabels: { app: "keda-operator" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "keda-operator-metrics-apiserver" } } }], ports: tcp(9666) }] });
    expect(policy(plan, "ops-eck-ns-allow-workloads")).toMatchObject({ egress: [{ to: syInfra.map(nsPeer), ports: tcp(9200) }] });
    expect(policy(plan, "ops-rabbitmq-ns-allow-workloads")).toMatchObject({ egress: [{ to: syInfra.map(nsPeer), ports: tcp(15671, 15672) }] });
    expect(policy(plan, "ops-cnpg-ns-allow-workloads")).toMatchObject({ egress: [{ to: syInfra.map(nsPeer), ports: tcp(8000, 5432) }] });
    for (const op of ["eck", "cnpg"]) expect(policy(plan, `ops-${op}-ns-allow-webhook-from-apiserver`), op).toMatchObject({ ingress: [{ ports: tcp(10250) }] });
    expect(policy(plan, "ops-rabbitmq-ns-allow-webhook-from-apiserver")).toMatchObject({ ingress: [{ ports: tcp(9443) }] });
    // What the foundation must open in the VPC firewall beyond GKE's 443/10250: RabbitMQ's 9443.
    expect(ops!.apiServerIngressPorts).toEqual([9443, 10250]);
    expect(policy(plan, "ops-rabbitmq-ns-allow-metrics-from-monitoring")).toMatchObject({ ingress: [{ from: [nsPeer("monitoring")], ports: tcp(9782, 8080) }] });
    expect(policy(plan, "ops-keda-ns-allow-apiserver")).toMatchObject({ egress: [{ to: [{ ipBlock: { cidr: "172.16.0.0/28" } }], ports: tcp(443) }] });
    // Operator ↔ plugin on 9090 only between the two Deployments' pods; the plugin reaches the API
    // server through the namespace-wide rule (every pod of cnpg-system).
    const operatorPod = { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } };
    const pluginPod = { matchLabels: { "app.kubernetes.io/name": "plugin-barman-cloud" } };
    expect(policy(plan, "ops-cnpg-ns-allow-barman-cloud-out")).toMatchObject({ podSelector: operatorPod, egress: [{ to: [{ podSelector: pluginPod }], ports: tcp(9090) }] });
    expect(policy(plan, "ops-cnpg-ns-allow-barman-cloud-in")).toMatchObject({ podSelector: pluginPod, ingress: [{ from: [{ podSelector: operatorPod }], ports: tcp(9090) }] });
    expect(policy(plan, "ops-cnpg-ns-allow-apiserver")).toMatchObject({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "172.16.0.0/28" } }], ports: tcp(443) }] });
    expect(plan.ofType(NP).filter((p) => p.name.startsWith("ops-keda-ns-allow-barman")).length).toBe(0);

    // Custom resources find the release that installs their CRDs.
    const crds = Object.values(ops!.crds);
    expect(crdDependencies("keda.sh/v1alpha1", crds)).toEqual([ops!.releases.keda]);
    expect(crdDependencies("elasticsearch.k8s.elastic.co/v1", crds)).toEqual([ops!.releases.eck]);
    expect(crdDependencies("rabbitmq.com/v1beta1", crds)).toEqual([ops!.releases.rabbitmq]);
    expect(crdDependencies("postgresql.cnpg.io/v1", crds)).toEqual([ops!.releases.cnpg]);
    expect(crdDependencies("barmancloud.cnpg.io/v1", crds)).toEqual([ops!.releases.barmanCloud]);
    expect(ops!.crds.barmanCloud?.crdGroups).toEqual(BARMAN_CLOUD_PLUGIN_CHART.crdGroups);

    for (const res of plan.resources) {
      const v = validateRecordedResource(res);
      if (v) expect(v.errors, res.name).toEqual([]);
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
      const nss = [...syInfra, ...syApps].map((n) => new k8s.core.v1.Namespace(n, { metadata: { name: n } }, { provider }));
      new Operators("ops", { ...sys, watchNamespaceResources: nss, certManager: nss[0]! }, { provider });
    });
    const nsUrns = plan.ofType("kubernetes:core/v1:Namespace").filter((n) => [...syInfra, ...syApps].includes(n.name)).map((n) => n.urn);
    expect(nsUrns).toHaveLength(4);
    expect(plan.ofType(REL)).toHaveLength(5);
    // The plugin writes nothing into the watched namespaces at install; it comes after the cnpg release, which waits for them.
    for (const rel of plan.ofType(REL).filter((x) => x.name !== "ops-cnpg-barman-cloud-release")) expect(rel.dependencies, rel.name).toEqual(expect.arrayContaining(nsUrns));
    expect(plan.one(REL, "ops-cnpg-barman-cloud-release").dependencies).toContain(plan.one(REL, "ops-cnpg-release").urn);
  });

  it("passes the chart-values check: pinned, vendored, every key known to its chart (all seven and the plugin)", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const cm = new k8s.core.v1.Namespace("cert-manager", { metadata: { name: "cert-manager" } }, { provider });
      new Operators("ops", base, { provider });
      new Operators("sys", { ...sys, rabbitmq: { trustedCaSecrets: ["shareyoursales-dev-data-trust"] }, certManager: cm }, { provider });
    });
    expect(plan.ofType(REL)).toHaveLength(8);
    expect(chartValuesCheck.run({ stack: "test", resources: plan.resources, upstream: [] })).toEqual([]);
  });
});

describe("Operators: mariadb-operator (opt-in)", () => {
  const crm: OperatorsArgs = { ...base, strimzi: { enabled: false }, mongodb: { enabled: false }, redis: { enabled: false }, platform: "crm", watchNamespaces: ["crm-dev-infra", "crm-prod-infra"], mariadb: {}, monitoringNamespace: "monitoring" };

  it("is off unless a platform lists it, on in its own namespace when it does", () => {
    expect(resolveOperatorsArgs("ops", base).operators.mariadb).toBeUndefined();
    expect(resolveOperatorsArgs("ops", sys).operators.mariadb).toBeUndefined();
    expect(resolveOperatorsArgs("ops", crm).operators.mariadb).toEqual({ namespace: "mariadb-operator", watchNamespaces: crm.watchNamespaces, workloadNamespaces: crm.watchNamespaces });
    expect(resolveOperatorsArgs("ops", { ...crm, strimzi: {}, mariadb: { enabled: false } }).operators.mariadb).toBeUndefined();
  });

  it("watches only the infra namespaces, moves its webhook to 10250, runs restricted pods with the quota's resources", () => {
    const r = resolveOperatorsArgs("ops", crm);
    const v = operatorValues("mariadb", r);
    expect(v).toMatchObject({ crds: { enabled: false }, currentNamespaceOnly: false, image: { tag: "26.6.0" }, metrics: { enabled: true } });
    expect(v.extraEnv).toEqual([{ name: "WATCH_NAMESPACE", value: "crm-dev-infra,crm-prod-infra" }]);
    expect(valueAt(v, "webhook.port")).toBe(10250);
    for (const [pod, at] of [["operator", ""], ["webhook", "webhook."], ["certController", "certController."]] as const) {
      expect(valueAt(v, `${at}podSecurityContext.seccompProfile`), pod).toEqual({ type: "RuntimeDefault" });
      expect(valueAt(v, `${at}securityContext`), pod).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, readOnlyRootFilesystem: true });
      const { requests, limits } = OPERATOR_POD_RESOURCES.mariadb[pod];
      expect(valueAt(v, `${at}resources`), pod).toEqual({ requests, limits });
    }
  });

  it("installs the CRDs' chart first, then the operator after it; MariaDB resources wait for the operator", async () => {
    let ops: Operators | undefined;
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      ops = new Operators("ops", crm, { provider });
    });
    const crds = plan.one(REL, "ops-mariadb-crds-release");
    const operator = plan.one(REL, "ops-mariadb-release");
    expect(crds.inputs).toMatchObject({ name: "mariadb-operator-crds", chart: "oci://ghcr.io/mariadb-operator/charts/mariadb-operator-crds", version: "26.6.0", namespace: "mariadb-operator" });
    expect(operator.inputs).toMatchObject({ name: "mariadb-operator", chart: "oci://ghcr.io/mariadb-operator/charts/mariadb-operator", version: "26.6.0", namespace: "mariadb-operator" });
    expect(operator.dependencies).toContain(crds.urn);
    expect(crdDependencies("k8s.mariadb.com/v1alpha1", [ops!.crds.mariadb!])).toEqual([ops!.releases.mariadb]);
    expect(ops!.apiServerIngressPorts).toEqual([10250]);
    const webhook = policy(plan, "ops-mariadb-ns-allow-webhook-from-apiserver");
    expect(webhook.ingress?.[0]?.ports).toEqual(tcp(10250));
    expect(chartValuesCheck.run({ stack: "test", resources: plan.resources, upstream: [] })).toEqual([]);
  });
});

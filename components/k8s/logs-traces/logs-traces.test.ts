import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { chartValuesCheck } from "../../../engine/deployability/chart-values";
import { valueAt, type Plan } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { validateRecordedResource } from "../../../model/k8s-schema";
import { ComponentArgsError } from "../../common/conventions";
import { ALLOY_CHART, alloyConfig, alloyValues, datasources, grafanaEgressRule, LogsAndTraces, LOKI_CHART, lokiValues, resolveLogsAndTracesArgs, TEMPO_CHART, tempoValues, type LogsAndTracesArgs } from "./index";

const base: LogsAndTracesArgs = { platform: "shareyoursales", clientNamespaces: ["shareyoursales-prod"], apiServerCidrs: ["172.16.0.0/28"] };
const REL = "kubernetes:helm.sh/v3:Release";
const CM = "kubernetes:core/v1:ConfigMap";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

async function plan(args: Partial<LogsAndTracesArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    new LogsAndTraces("obs", { ...base, ...args }, { provider });
  });
  return plan;
}

describe("resolveLogsAndTracesArgs", () => {
  it("defaults: 31 days of logs on 50Gi, 14 days of traces on 20Gi, in observability, Grafana in monitoring", () => {
    expect(resolveLogsAndTracesArgs("obs", base)).toMatchObject({
      namespace: "observability",
      monitoringNamespace: "monitoring",
      logRetention: "744h",
      traceRetention: "336h",
      logStorageSize: "50Gi",
      traceStorageSize: "20Gi",
      storageClassName: "standard-rwo",
      deletionProtection: true,
    });
  });

  it("refuses a log retention Loki's compactor refuses, a bad trace retention, a tiny volume and a Tempo too small for its live traces", () => {
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, logRetention: "30h" })).toThrow(ComponentArgsError);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, logRetention: "31d" })).toThrow(/logRetention "31d" must be hours in a multiple of 24/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, traceRetention: "two weeks" })).toThrow(/traceRetention "two weeks"/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, logStorageSize: "500Mi" })).toThrow(/logStorageSize "500Mi" must be a quantity of at least 1Gi/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, tempoResources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "256Mi" } } })).toThrow(/below 512Mi/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, lokiResources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "1Gi" } } })).toThrow(/lokiResources.limits.memory/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, namespace: "monitoring" })).toThrow(/namespace of their own/);
  });

  it("log collector: on by default over the client namespaces, off with nothing to tail, refused without the API server's CIDRs", () => {
    expect(resolveLogsAndTracesArgs("obs", base).logCollector).toMatchObject({
      namespaces: ["shareyoursales-prod"],
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    });
    expect(resolveLogsAndTracesArgs("obs", { ...base, logCollector: { namespaces: ["syr-dev", "syr-dev-infra"] } }).logCollector?.namespaces).toEqual(["syr-dev", "syr-dev-infra"]);
    expect(resolveLogsAndTracesArgs("obs", { platform: "shareyoursales" }).logCollector).toBeUndefined();
    expect(resolveLogsAndTracesArgs("obs", { ...base, apiServerCidrs: [], logCollector: { enabled: false } }).logCollector).toBeUndefined();
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, apiServerCidrs: [] })).toThrow(/apiServerCidrs is empty but the log collector tails shareyoursales-prod/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, apiServerCidrs: ["172.16.0.0"] })).toThrow(/apiServerCidrs has "172.16.0.0", expected an IPv4 CIDR/);
    expect(() => resolveLogsAndTracesArgs("obs", { platform: "shareyoursales", logCollector: { enabled: true } })).toThrow(/no namespace to tail: expected clientNamespaces or logCollector.namespaces, got none/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, logCollector: { enabled: false, namespaces: ["a"] } })).toThrow(/enabled is false but logCollector.namespaces is set/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, logCollector: { namespaces: ["a", "a"] } })).toThrow(/lists "a" twice/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, logCollector: { namespaces: ["Bad_NS"] } })).toThrow(/"Bad_NS", which is not a DNS-1123 label/);
    expect(() => resolveLogsAndTracesArgs("obs", { ...base, logCollector: { resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "128Mi" } } } })).toThrow(/limits.memory 128Mi is below 256Mi/);
  });
});

describe("chart values", () => {
  const r = resolveLogsAndTracesArgs("obs", { ...base, logRetention: "2160h", traceRetention: "72h" });

  it("Loki: single binary on a filesystem PVC, no auth inside the cluster, retention by the compactor, extras off", () => {
    const v = lokiValues(r);
    expect(valueAt(v, "deploymentMode")).toBe("Monolithic");
    expect(valueAt(v, "loki")).toMatchObject({
      auth_enabled: false,
      storage: { type: "filesystem" },
      limits_config: { retention_period: "2160h" },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
      image: { tag: "3.7.6" },
    });
    expect(valueAt(v, "loki.schemaConfig.configs[0]")).toMatchObject({ store: "tsdb", object_store: "filesystem", schema: "v13" });
    expect(valueAt(v, "singleBinary")).toMatchObject({ replicas: 1, persistence: { enabled: true, size: "50Gi", storageClass: "standard-rwo" } });
    expect(valueAt(v, "singleBinary.automountServiceAccountToken")).toBe(false);
    for (const off of ["gateway", "chunksCache", "resultsCache", "lokiCanary", "test", "ruler"]) expect(valueAt(v, `${off}.enabled`), off).toBe(false);
  });

  it("Tempo: the retention, a PVC and the restricted pod context", () => {
    const v = tempoValues(r);
    expect(valueAt(v, "tempo.retention")).toBe("72h");
    expect(valueAt(v, "persistence")).toEqual({ enabled: true, size: "20Gi", storageClassName: "standard-rwo" });
    expect(valueAt(v, "securityContext.seccompProfile.type")).toBe("RuntimeDefault");
    expect(valueAt(v, "tempo.securityContext.capabilities.drop")).toEqual(["ALL"]);
    // No ballast; Go's soft limit at 90% of the 2Gi container limit instead.
    expect(valueAt(v, "tempo.memBallastSizeMbs")).toBe(0);
    expect(valueAt(v, "serviceAccount.automountServiceAccountToken")).toBe(false);
    expect(valueAt(v, "tempo.extraEnv")).toEqual([{ name: "GOMEMLIMIT", value: "1843MiB" }]);
  });

  it("Alloy: a Deployment of one replica, no hostPath, restricted contexts, Roles only in the tailed namespaces, the pinned image", () => {
    const v = alloyValues(resolveLogsAndTracesArgs("obs", { ...base, logCollector: { namespaces: ["syr-dev", "syr-prod"] } }));
    expect(valueAt(v, "controller")).toMatchObject({ type: "deployment", replicas: 1 });
    expect(valueAt(v, "alloy.mounts")).toMatchObject({ varlog: false, dockercontainers: false });
    expect(valueAt(v, "image.tag")).toBe("v1.18.1");
    expect(valueAt(v, "global.podSecurityContext")).toEqual({ runAsNonRoot: true, runAsUser: 473, runAsGroup: 473, fsGroup: 473, seccompProfile: { type: "RuntimeDefault" } });
    expect(valueAt(v, "alloy.securityContext")).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    // The read-only root filesystem: Alloy's storage path sits on the emptyDir mounted at /tmp.
    expect(valueAt(v, "alloy.storagePath")).toBe("/tmp/alloy");
    expect(valueAt(v, "alloy.mounts.extra")).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(valueAt(v, "controller.volumes.extra[0].name")).toBe("tmp");
    expect(valueAt(v, "rbac")).toEqual({ create: true, namespaces: ["syr-dev", "syr-prod"], rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }] });
    expect(valueAt(v, "alloy.resources")).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } });
    expect(valueAt(v, "configReloader.enabled")).toBe(false);
    expect(valueAt(v, "crds.create")).toBe(false);
    expect(valueAt(v, "alloy.enableReporting")).toBe(false);
  });

  it("Alloy's config tails only the given namespaces through the API and pushes to Loki in its namespace", () => {
    const config = alloyConfig(resolveLogsAndTracesArgs("obs", { ...base, namespace: "obs-ns", monitoringNamespace: "mon", logCollector: { namespaces: ["syr-dev", "syr-dev-infra"] } }));
    expect(config).toContain(`discovery.kubernetes "pods" {\n  role = "pod"\n  namespaces {\n    names = ["syr-dev", "syr-dev-infra"]\n  }\n}`);
    expect(config).toContain(`loki.source.kubernetes "pods" {\n  targets    = discovery.relabel.pods.output\n  forward_to = [loki.write.loki.receiver]\n}`);
    expect(config).toContain(`url = "http://loki.obs-ns.svc.cluster.local:3100/loki/api/v1/push"`);
    for (const label of ["namespace", "pod", "container", "app"]) expect(config).toContain(`target_label  = "${label}"`);
    // The chart passes the content through `tpl`: no template action may appear in it.
    expect(config).not.toContain("{{");
    expect(config).not.toMatch(/loki\.source\.file|local\.file_match/);
  });

  it("datasources link logs to traces and traces to logs and Prometheus", () => {
    const d = datasources(r);
    expect(valueAt(d.loki, "datasources[0]")).toMatchObject({ type: "loki", uid: "loki", url: "http://loki.observability.svc.cluster.local:3100" });
    expect(valueAt(d.loki, "datasources[0].jsonData.derivedFields[0].datasourceUid")).toBe("tempo");
    expect(valueAt(d.tempo, "datasources[0]")).toMatchObject({ type: "tempo", uid: "tempo", url: "http://tempo.observability.svc.cluster.local:3200" });
    expect(valueAt(d.tempo, "datasources[0].jsonData.tracesToLogsV2.datasourceUid")).toBe("loki");
    expect(valueAt(d.tempo, "datasources[0].jsonData.serviceMap.datasourceUid")).toBe("prometheus");
  });
});

describe("LogsAndTraces", () => {
  it("installs both pinned charts in one isolated namespace, with values the chart-values check accepts", async () => {
    const p = await plan();
    const loki = p.one(REL, "obs-loki-release");
    const tempo = p.one(REL, "obs-tempo-release");
    const alloy = p.one(REL, "obs-alloy-release");
    expect(alloy.inputs).toMatchObject({ name: "alloy", chart: "alloy", version: ALLOY_CHART.version, namespace: "observability", repositoryOpts: { repo: "https://grafana.github.io/helm-charts" } });
    expect(alloy.dependencies).toContain(loki.urn);
    expect(valueAt(alloy.inputs, "values.alloy.configMap.content")).toContain(`names = ["shareyoursales-prod"]`);
    expect(loki.inputs).toMatchObject({ name: "loki", chart: "loki", version: LOKI_CHART.version, namespace: "observability", repositoryOpts: { repo: LOKI_CHART.repo } });
    expect(tempo.inputs).toMatchObject({ name: "tempo", chart: "tempo", version: TEMPO_CHART.version, namespace: "observability" });
    expect(p.ofType("kubernetes:core/v1:Namespace").map((n) => valueAt(n.inputs, "metadata.name"))).toEqual(["observability"]);
    expect(chartValuesCheck.run({ stack: "test", resources: p.resources, upstream: [] })).toEqual([]);
    // The check reads these charts' data: a misspelt key in either release is a finding.
    const misspell = (x: typeof loki, values: Record<string, unknown>) => ({ ...x, inputs: { ...x.inputs, values: { ...(x.inputs.values as object), ...values } } });
    const misspelt = [
      misspell(loki, { singleBinary: { replicaz: 1 } }),
      misspell(tempo, { persistance: { enabled: true } }),
      misspell(alloy, { controller: { type: "deployment", replica: 1 } }),
      // A key the chart moved: the check names where it went.
      misspell(alloy, { enableStatefulSetAutoDeletePVC: true }),
    ];
    expect(chartValuesCheck.run({ stack: "test", resources: misspelt, upstream: [] }).map((f) => f.message)).toEqual([
      expect.stringMatching(/`singleBinary.replicaz`/),
      expect.stringMatching(/`persistance`/),
      expect.stringMatching(/Helm release "alloy" .*`controller.replica`/),
      expect.stringMatching(/`enableStatefulSetAutoDeletePVC`: moved to `controller.enableStatefulSetAutoDeletePVC`/),
    ]);
    const errors = p.resources.flatMap((x) => {
      const v = validateRecordedResource(x);
      return v && !v.valid ? v.errors.map((e) => `${x.type}::${x.name} ${e}`) : [];
    });
    expect(errors).toEqual([]);
  });

  it("gives Grafana its datasources as labelled ConfigMaps in the monitoring namespace, after the releases", async () => {
    const p = await plan();
    const cms = p.ofType(CM);
    expect(cms.map((c) => c.name).sort()).toEqual(["obs-loki-datasource", "obs-tempo-datasource"]);
    for (const c of cms) {
      expect(valueAt(c.inputs, "metadata.namespace")).toBe("monitoring");
      expect(valueAt(c.inputs, "metadata.labels.grafana_datasource")).toBe("1");
    }
    const lokiDs = JSON.parse(Object.values(p.one(CM, "obs-loki-datasource").inputs.data as Record<string, string>)[0]);
    expect(valueAt(lokiDs, "datasources[0].url")).toBe("http://loki.observability.svc.cluster.local:3100");
    expect(p.one(CM, "obs-tempo-datasource").dependencies).toContain(p.one(REL, "obs-tempo-release").urn);
  });

  it("admits pushes only from the client namespaces on Loki's and Tempo's ports, and queries only from Grafana", async () => {
    const p = await plan();
    const traces = p.one(NP, "obs-ns-allow-traces-from-clients").inputs;
    expect(valueAt(traces, "spec.podSelector.matchLabels")).toEqual({ "app.kubernetes.io/name": "tempo" });
    expect(valueAt(traces, "spec.ingress[0].ports")).toEqual([
      { port: 4317, protocol: "TCP" },
      { port: 4318, protocol: "TCP" },
    ]);
    expect(valueAt(traces, "spec.ingress[0].from[0].namespaceSelector.matchLabels")).toEqual({ "kubernetes.io/metadata.name": "shareyoursales-prod" });
    const grafana = p.one(NP, "obs-ns-allow-query-from-grafana").inputs;
    expect(valueAt(grafana, "spec.ingress[0].from[0]")).toEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
    });
    expect(grafanaEgressRule("observability")).toEqual({ podLabels: { "app.kubernetes.io/name": "grafana" }, egressTo: [{ namespace: "observability" }], ports: [{ port: 3100 }, { port: 3200 }] });
  });

  it("sizes the namespace quota to hold both stores, the collector and the volumes", async () => {
    const p = await plan({ logStorageSize: "200Gi" });
    // (500m + 250m + 100m) × 1.5; (1Gi + 1Gi + 256Mi) × 1.5 = 3.375Gi; (2Gi + 2Gi + 512Mi) × 1.5 = 6.75Gi.
    expect(valueAt(p.one("kubernetes:core/v1:ResourceQuota").inputs, "spec.hard")).toMatchObject({
      "requests.cpu": "1275m",
      "requests.memory": "4Gi",
      "limits.cpu": "6000m",
      "limits.memory": "7Gi",
      "requests.storage": "275Gi",
    });
    const off = await plan({ logCollector: { enabled: false } });
    expect(valueAt(off.one("kubernetes:core/v1:ResourceQuota").inputs, "spec.hard")).toMatchObject({ "requests.cpu": "1125m", "requests.memory": "3Gi", "limits.memory": "6Gi" });
    expect(off.ofType(REL).map((r) => r.name).sort()).toEqual(["obs-loki-release", "obs-tempo-release"]);
  });

  it("opens Alloy's egress to the API server on 443 and Prometheus' scrape of it; the push to Loki stays in the namespace", async () => {
    const p = await plan();
    const api = p.one(NP, "obs-ns-allow-alloy-to-apiserver").inputs;
    expect(valueAt(api, "spec.podSelector.matchLabels")).toEqual({ "app.kubernetes.io/name": "alloy" });
    expect(valueAt(api, "spec.egress[0].to")).toEqual([{ ipBlock: { cidr: "172.16.0.0/28" } }]);
    expect(valueAt(api, "spec.egress[0].ports")).toEqual([{ port: 443, protocol: "TCP" }]);
    const same = p.one(NP, "obs-ns-allow-same-namespace").inputs;
    expect(valueAt(same, "spec.egress[0].to[0].namespaceSelector.matchLabels")).toEqual({ "kubernetes.io/metadata.name": "observability" });
    expect(valueAt(p.one(NP, "obs-ns-allow-scrape-from-prometheus").inputs, "spec.ingress[0].ports")).toContainEqual({ port: 12345, protocol: "TCP" });
  });

  it("waits for the tailed namespaces before the release that writes Roles into them", async () => {
    const { plan: p } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const appNs = new k8s.core.v1.Namespace("app", { metadata: { name: "syr-dev" } }, { provider });
      new LogsAndTraces("obs", { ...base, logCollector: { namespaces: ["syr-dev"], namespaceResources: [appNs] } }, { provider });
    });
    expect(p.one(REL, "obs-alloy-release").dependencies).toContain(p.one("kubernetes:core/v1:Namespace", "app").urn);
  });
});

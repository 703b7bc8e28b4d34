/**
 * The `chart-values` check: each Helm release against the vendored data of the chart version it
 * pins. One bad fixture per defect class (schema violation, unknown key, moved key, subchart key,
 * pin without reference data, no exact pin, deprecated repository), and good fixtures that must stay
 * clean: free-form paths, user maps, lists of objects, subchart sections, opaque preview values.
 */
import { describe, expect, it } from "vitest";
import { chartValuesCheck, mergeValues, parseChartRef, vendoredChart } from "../../engine/deployability/chart-values";
import { BLINDED_SECRET, UNKNOWN } from "../../engine/evaluate";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PINNED_CHARTS, renderSources } from "../../engine/cli/vendor-charts";
import { VENDORED_CHARTS_DIR } from "../../engine/deployability/chart-values";
import { findings, res } from "./helpers";

const REL = "kubernetes:helm.sh/v3:Release";
const release = (name: string, chart: string, version: string | undefined, values: unknown, repo?: string) =>
  res(REL, name, { name, chart, ...(version !== undefined ? { version } : {}), ...(repo ? { repositoryOpts: { repo } } : {}), values });
const run = (...resources: ReturnType<typeof res>[]) => findings(chartValuesCheck, resources);
const messages = (...resources: ReturnType<typeof res>[]) => run(...resources).map((f) => f.message);

/** What components/k8s/traefik writes for chart 41.3.0 (good), in the shape the chart reads. */
const goodTraefik = {
  deployment: { replicas: 3 },
  ports: {
    web: { http: { redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true, priority: 1 } } } },
    websecure: { http: { tls: { enabled: true }, middlewares: ["traefik-security-headers@kubernetescrd"] } },
  },
  service: { spec: { type: "LoadBalancer", externalTrafficPolicy: "Local", loadBalancerSourceRanges: ["203.0.113.0/24"] } },
  accessLog: { enabled: true },
  // A list of objects, a user map, a free-form path: none is walked key by key.
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { a: "b" } } }],
  nodeSelector: { "cloud.google.com/gke-nodepool": "general" },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  providers: { kubernetesCRD: { enabled: true, allowCrossNamespace: false }, kubernetesIngress: { enabled: true } },
};

describe("chart-values: good releases", () => {
  it("finds nothing in values written where the pinned charts read them", () => {
    expect(
      run(
        release("traefik", "traefik", "41.3.0", goodTraefik, "https://traefik.github.io/charts"),
        release("cert-manager", "cert-manager", "v1.21.1", { crds: { enabled: true, keep: true }, replicaCount: 2, webhook: { replicaCount: 2 }, extraArgs: ["--enable-certificate-owner-ref=true"] }, "https://charts.jetstack.io"),
        release(
          "kps",
          "kube-prometheus-stack",
          "88.0.0",
          {
            fullnameOverride: "kps",
            prometheus: { prometheusSpec: { replicas: 2, retention: "15d", storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "50Gi" } } } } } } },
            alertmanager: { config: { global: { smtp_smarthost: "smtp.example.net:587" }, receivers: [{ name: "null" }] } },
            // Subchart sections: grafana's own keys (admin.existingSecret, grafana.ini) are known through its chart.
            grafana: { fullnameOverride: "grafana", admin: { existingSecret: "grafana-admin" }, "grafana.ini": { server: { root_url: "https://grafana.example" } } },
            "prometheus-node-exporter": { namespaceOverride: "monitoring-node-exporter" },
          },
          "https://prometheus-community.github.io/helm-charts",
        ),
        release("strimzi", "oci://quay.io/strimzi-helm/strimzi-kafka-operator", "1.2.0", { watchNamespaces: ["a-infra"], extraEnvs: [{ name: "X", value: "y" }] }),
      ),
    ).toEqual([]);
  });

  it("treats unknown and secret values as cannot-tell, never as a violation", () => {
    const opaque = { deployment: { replicas: UNKNOWN }, service: { spec: { loadBalancerIP: UNKNOWN } }, env: [{ name: "TOKEN", value: BLINDED_SECRET }] };
    expect(run(release("traefik", "traefik", "41.3.0", opaque))).toEqual([]);
    expect(run(release("traefik", "traefik", "41.3.0", UNKNOWN))).toEqual([]);
    expect(run(res(REL, "later", { chart: "traefik", version: UNKNOWN, values: { logs: { access: { enabled: true } } } }))).toEqual([]);
  });
});

describe("chart-values: defects", () => {
  it("schema violation: names the release, the key, what the schema wants, and that Helm refuses the release", () => {
    const [f, ...rest] = run(release("traefik", "traefik", "41.3.0", { deployment: { replicas: "three" } }));
    expect(rest).toEqual([]);
    expect(f.message).toBe(
      'Helm release "traefik" (traefik) of chart traefik 41.3.0: values.schema.json rejects `deployment.replicas`: must be integer,null; Helm refuses to install or upgrade the release.',
    );
    expect(f.remediation).toMatch(/vendor\/helm-charts\/traefik-41\.3\.0\/values\.schema\.json/);
    // cert-manager's schema (draft-07 with $defs) is compiled with the matching Ajv class.
    expect(messages(release("cm", "cert-manager", "v1.21.1", { replicaCount: "two" }))).toEqual([
      'Helm release "cm" (cm) of chart cert-manager v1.21.1: values.schema.json rejects `replicaCount`: must be number; Helm refuses to install or upgrade the release.',
    ]);
  });

  it("unknown key: names the key and the closest known one; without a schema, says Helm drops it", () => {
    expect(messages(release("strimzi", "oci://quay.io/strimzi-helm/strimzi-kafka-operator", "1.2.0", { watchNamespace: ["a-infra"] }))).toEqual([
      'Helm release "strimzi" (strimzi) of chart strimzi-kafka-operator 1.2.0: values key `watchNamespace`: no such key; closest known key: `watchNamespaces`; no template of this chart version reads it, so Helm drops it silently and the setting never applies.',
    ]);
    // With cert-manager's closed schema, the same mistake makes Helm refuse the release (one finding, not two).
    const cm = messages(release("cm", "cert-manager", "v1.21.1", { webhook: { replicaCout: 2 } }));
    expect(cm).toEqual([
      'Helm release "cm" (cm) of chart cert-manager v1.21.1: values key `webhook.replicaCout`: no such key; closest known key: `webhook.replicaCount`; the chart\'s values.schema.json rejects it, so Helm refuses to install or upgrade the release.',
    ]);
  });

  it("moved key: says where it went, from chart.json's `moved`, once per moved subtree", () => {
    const found = run(
      release("traefik", "traefik", "41.3.0", {
        logs: { access: { enabled: true } },
        ports: { web: { redirections: { entryPoint: { to: "websecure", scheme: "https" } } }, websecure: { tls: { enabled: true } } },
        service: { type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"] },
      }),
    );
    const byKey = Object.fromEntries(found.map((f) => [/values key `([^`]+)`/.exec(f.message)![1], f]));
    expect(Object.keys(byKey).sort()).toEqual(["logs.access.enabled", "ports.web.redirections", "ports.websecure.tls", "service.loadBalancerSourceRanges", "service.type"]);
    expect(byKey["logs.access.enabled"].message).toMatch(/moved to `accessLog\.enabled` \(log \/ accessLog in chart v41\.0\.0 \(commit 16e26ce8\)\); the chart's values\.schema\.json rejects it/);
    expect(byKey["logs.access.enabled"].remediation).toBe("Write it at its new path (`accessLog.enabled`).");
    expect(byKey["ports.web.redirections"].message).toMatch(/moved to `ports\.web\.http\.redirections` \(ports\.<entrypoint>\.http\.redirections in chart v39\.0\.0/);
    expect(byKey["ports.websecure.tls"].message).toMatch(/moved to `ports\.websecure\.http\.tls`/);
    // The source ranges: no schema error, the chart just drops them, and the LoadBalancer is open to all.
    expect(byKey["service.loadBalancerSourceRanges"].message).toBe(
      'Helm release "traefik" (traefik) of chart traefik 41.3.0: values key `service.loadBalancerSourceRanges`: moved to `service.spec.loadBalancerSourceRanges` (service.spec.loadBalancerSourceRanges in chart v40.0.0 (commit b9f3ed34)); no template of this chart version reads it, so Helm drops it silently and the setting never applies.',
    );
  });

  it("subchart section: a key neither the parent nor the subchart knows is a finding naming the full path", () => {
    expect(messages(release("kps", "kube-prometheus-stack", "88.0.0", { grafana: { adminn: { existingSecret: "x" } }, prometheus: { prometheusSpec: { retentionn: "15d" } } }))).toEqual([
      'Helm release "kps" (kps) of chart kube-prometheus-stack 88.0.0: values key `grafana.adminn`: no such key; closest known key: `grafana.admin`; no template of this chart version reads it, so Helm drops it silently and the setting never applies.',
      'Helm release "kps" (kps) of chart kube-prometheus-stack 88.0.0: values key `prometheus.prometheusSpec.retentionn`: no such key; closest known key: `prometheus.prometheusSpec.retention`; no template of this chart version reads it, so Helm drops it silently and the setting never applies.',
    ]);
  });

  it("pin without reference data: names the chart, the version and the vendored versions", () => {
    const [f] = run(release("traefik", "traefik", "40.0.0", goodTraefik));
    expect(f.message).toBe(
      'Helm release "traefik" (traefik) of chart traefik 40.0.0: pin without reference data: vendor/helm-charts holds no data for traefik 40.0.0 (vendored versions: 41.3.0), so its values cannot be checked against the chart\'s schema and key tree; a key the chart renamed would be dropped silently.',
    );
    expect(f.remediation).toMatch(/npm run vendor:charts -- --from <dir>/);
    expect(messages(release("pxc", "pxc-operator", "1.18.0", {}))[0]).toMatch(/no data for pxc-operator 1\.18\.0 \(no version of this chart is vendored\)/);
  });

  it("no exact pin: a release without a version or with a range is a finding", () => {
    expect(messages(release("traefik", "traefik", undefined, {}))[0]).toMatch(/^Helm release "traefik" \(traefik\) installs chart traefik with no version: Helm takes whatever the repository serves as newest/);
    expect(messages(release("traefik", "traefik", "^41.0.0", {}))[0]).toMatch(/pins chart traefik to "\^41\.0\.0", a range rather than one version/);
  });

  it("deprecated repository: names it and the maintained ones", () => {
    const [f] = run(release("strimzi", "strimzi-kafka-operator", "1.2.0", { watchNamespaces: ["a"] }, "https://strimzi.io/charts/"));
    expect(f.message).toMatch(/installs from https:\/\/strimzi\.io\/charts\/, a repository the chart's maintainers deprecated/);
    expect(f.remediation).toMatch(/oci:\/\/quay\.io\/strimzi-helm/);
  });
});

describe("chart-values: helpers and vendored data", () => {
  it("merges values as Helm does: maps key by key, lists replaced, null deletes", () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null })).toEqual({ a: { b: 1, c: [3] } });
  });

  it("reads the chart name from an OCI reference or a repo/name alias", () => {
    expect(parseChartRef("oci://quay.io/strimzi-helm/strimzi-kafka-operator")).toEqual({ chart: "strimzi-kafka-operator", repo: "oci://quay.io/strimzi-helm" });
    expect(parseChartRef("traefik/traefik")).toEqual({ chart: "traefik" });
    expect(parseChartRef("traefik", "https://traefik.github.io/charts")).toEqual({ chart: "traefik", repo: "https://traefik.github.io/charts" });
  });

  it("has reference data for every chart a component pins, and for kube-prometheus-stack's subcharts", () => {
    for (const pin of PINNED_CHARTS) expect(vendoredChart(pin.chart, pin.version), `${pin.chart} ${pin.version}`).toBeDefined();
    expect([...vendoredChart("kube-prometheus-stack", "88.0.0")!.subcharts.keys()].sort()).toEqual(["grafana", "kube-state-metrics", "prometheus-node-exporter"]);
  });

  it("keeps each vendored schema byte-identical to upstream and SOURCES.md in step with the files", () => {
    for (const pin of PINNED_CHARTS) {
      const { folder, meta } = vendoredChart(pin.chart, pin.version)!;
      const schema = join(VENDORED_CHARTS_DIR, folder, "values.schema.json");
      const recorded = meta.source["values.schema.json sha256"];
      expect(existsSync(schema), folder).toBe(!!recorded);
      if (recorded) expect(createHash("sha256").update(readFileSync(schema)).digest("hex"), folder).toBe(recorded);
    }
    expect(readFileSync(join(VENDORED_CHARTS_DIR, "SOURCES.md"), "utf8")).toBe(renderSources());
  });
});

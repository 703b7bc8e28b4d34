import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../model/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { resolveNetworkFlowsArgs } from "../network-flows";
import {
  BARMAN_CLOUD_PLUGIN,
  DEFAULT_POSTGRES_IMAGE,
  PostgresCluster,
  postgresClusterFlows,
  postgresPodBudget,
  resolvePostgresClusterArgs,
  type PostgresClusterArgs,
} from "./index";

const base: PostgresClusterArgs = {
  namespace: "shareyoursales-prod-infra",
  clusterName: "pg",
  clientNamespaces: ["shareyoursales-prod"],
  backup: { bucket: "sys-prod-pg-backups", gcpServiceAccountEmail: "pg-backup@sys-prod.iam.gserviceaccount.com", retentionDays: 30 },
};
const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const SCHEDULED = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";
const STORE = "kubernetes:barmancloud.cnpg.io/v1:ObjectStore";
const SECRET = "kubernetes:core/v1:Secret";

interface Outputs {
  [k: string]: unknown;
}

async function plan(args: Partial<PostgresClusterArgs> = {}, outputs?: Outputs): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    const pg = new PostgresCluster("pg", { ...base, ...args }, { provider });
    if (outputs) {
      for (const key of ["rwService", "roService", "analyticsService", "dashboardsService", "port", "podSelector", "backupServiceAccount", "backupRetentionDays", "appSecretName"] as const) {
        (pg[key] as pulumi.Output<unknown>).apply((v) => (outputs[key] = v));
      }
    }
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

describe("PostgresCluster", () => {
  it("creates a CNPG Cluster, an ObjectStore, a daily ScheduledBackup and a PodMonitor, all valid against the vendored CRDs", async () => {
    const p = await plan({ tls: { issuer: { name: "sys-prod-data-ca", kind: "ClusterIssuer" } } });
    expect(p.counts()).toEqual({
      [CLUSTER]: 1,
      [SCHEDULED]: 1,
      [STORE]: 1,
      [SECRET]: 2,
      "kubernetes:monitoring.coreos.com/v1:PodMonitor": 1,
      "kubernetes:cert-manager.io/v1:Certificate": 1,
      "random:index/randomPassword:RandomPassword": 1,
      "platform:k8s:PostgresCluster": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    expect(schemaErrors(p)).toEqual([]);
    // Every CR found its schema (none silently skipped).
    for (const t of [CLUSTER, SCHEDULED, STORE]) expect(validateRecordedResource(p.one(t))?.valid, t).toBe(true);
    expect(schemaErrors(await plan())).toEqual([]);
  });

  it("runs a primary and the document's two read replicas on a pinned PostgreSQL 17 image", async () => {
    const spec = valueAt((await plan()).one(CLUSTER).inputs, "spec") as Record<string, unknown>;
    expect(spec.instances).toBe(3);
    expect(spec.imageName).toBe(DEFAULT_POSTGRES_IMAGE);
    expect(DEFAULT_POSTGRES_IMAGE).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:17\.\d+-/);
    expect(spec.enablePDB).toBe(true);
    expect(spec.primaryUpdateStrategy).toBe("unsupervised");
    expect(spec.primaryUpdateMethod).toBe("switchover");
    expect(spec.enableSuperuserAccess).toBe(false);
    expect(spec.storage).toEqual({ size: "20Gi", storageClass: "premium-rwo" });
    expect(spec.resources).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } });
    expect(valueAt(spec, "bootstrap.initdb")).toEqual({ database: "app", owner: "app", secret: { name: "pg-app" } });
    expect(valueAt(spec, "securityContext.allowPrivilegeEscalation")).toBe(false);
    expect(valueAt(spec, "podSecurityContext.runAsNonRoot")).toBe(true);
    expect(valueAt(spec, "monitoring.enablePodMonitor")).toBe(false);
    // CNPG owns the app.kubernetes.io labels of what it creates: only ours are inherited.
    expect(spec.inheritedMetadata).toBeUndefined();
    const labelled = valueAt((await plan({ labels: { "app.kubernetes.io/part-of": "shareyoursales", "app.kubernetes.io/name": "x", team: "data" } })).one(CLUSTER).inputs, "spec.inheritedMetadata");
    expect(labelled).toEqual({ labels: { "app.kubernetes.io/part-of": "shareyoursales", team: "data" } });
    const one = valueAt((await plan({ replicas: 1, storage: { size: "10Gi" }, primaryUpdateStrategy: "supervised" })).one(CLUSTER).inputs, "spec") as Record<string, unknown>;
    expect(one.instances).toBe(2);
    expect(one.primaryUpdateStrategy).toBe("supervised");
    expect(valueAt(one, "storage.size")).toBe("10Gi");
  });

  it("archives WAL continuously and backs up daily through the Barman Cloud plugin to GCS with Workload Identity", async () => {
    const p = await plan();
    const spec = valueAt(p.one(CLUSTER).inputs, "spec") as Record<string, unknown>;
    // The in-tree barmanObjectStore is removed in CNPG 1.31: never used.
    expect(valueAt(spec, "backup")).toBeUndefined();
    expect(spec.plugins).toEqual([{ name: BARMAN_CLOUD_PLUGIN, enabled: true, isWALArchiver: true, parameters: { barmanObjectName: "pg-backup" } }]);
    expect(valueAt(spec, "serviceAccountTemplate.metadata.annotations")).toEqual({ "iam.gke.io/gcp-service-account": "pg-backup@sys-prod.iam.gserviceaccount.com" });
    const store = p.one(STORE).inputs;
    expect(valueAt(store, "metadata.name")).toBe("pg-backup");
    expect(valueAt(store, "metadata.namespace")).toBe("shareyoursales-prod-infra");
    expect(valueAt(store, "spec.configuration.destinationPath")).toBe("gs://sys-prod-pg-backups/cnpg");
    expect(valueAt(store, "spec.configuration.googleCredentials")).toEqual({ gkeEnvironment: true });
    expect(valueAt(store, "spec.retentionPolicy")).toBe("30d");
    expect(valueAt(store, "spec.instanceSidecarConfiguration.resources.limits.memory")).toBe("512Mi");
    const sb = p.one(SCHEDULED).inputs;
    expect(valueAt(sb, "spec")).toEqual({
      cluster: { name: "pg" },
      schedule: "0 0 3 * * *",
      method: "plugin",
      pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
      immediate: true,
      backupOwnerReference: "self",
    });
    expect(valueAt((await plan({ backup: { ...base.backup, retentionDays: 7, schedule: "0 30 1 * * *", path: "/pg/" } })).one(STORE).inputs, "spec.retentionPolicy")).toBe("7d");
  });

  it("protects the Cluster, ObjectStore and ScheduledBackup, and creates them after their CRDs' releases", async () => {
    const p = await plan();
    for (const t of [CLUSTER, STORE, SCHEDULED]) expect(p.one(t).options.protect, t).toBe(true);
    expect((await plan({ deletionProtection: false })).one(CLUSTER).options.protect).toBe(false);
    const { plan: withCrds } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", {});
      const cnpg = new k8s.core.v1.ConfigMap("cnpg-release", { data: {} }, { provider });
      const barman = new k8s.core.v1.ConfigMap("barman-release", { data: {} }, { provider });
      new PostgresCluster(
        "pg",
        { ...base, crdInstallers: [{ release: cnpg as never, crdGroups: ["postgresql.cnpg.io"] }, { release: barman as never, crdGroups: ["barmancloud.cnpg.io"] }] },
        { provider },
      );
    });
    const deps = (t: string) => withCrds.one(t).dependencies.map((u) => u.split("::").pop());
    expect(deps(CLUSTER)).toEqual(expect.arrayContaining(["cnpg-release", "pg-owner-secret", "pg-object-store"]));
    expect(deps(CLUSTER)).not.toContain("barman-release");
    expect(deps(STORE)).toEqual(["barman-release"]);
    expect(deps(SCHEDULED)).toEqual(expect.arrayContaining(["cnpg-release", "pg-cluster"]));
  });

  it("names each replica under the document's names (ro selector) and puts the names in the certificate", async () => {
    const spec = valueAt((await plan()).one(CLUSTER).inputs, "spec") as Record<string, unknown>;
    const additional = valueAt(spec, "managed.services.additional") as Record<string, unknown>[];
    expect(additional.map((s) => [s.selectorType, valueAt(s, "serviceTemplate.metadata.name")])).toEqual([
      ["ro", "pg-analytics"],
      ["ro", "pg-dashboards"],
    ]);
    expect(valueAt(spec, "certificates.serverAltDNSNames")).toEqual(expect.arrayContaining(["pg-analytics", "pg-dashboards.shareyoursales-prod-infra.svc"]));
    const issued = await plan({ tls: { issuer: { name: "sys-prod-data-ca", kind: "ClusterIssuer" } } });
    expect(valueAt(issued.one(CLUSTER).inputs, "spec.certificates")).toEqual({ serverTLSSecret: "pg-server-tls", serverCASecret: "pg-server-tls" });
    const cert = issued.one("kubernetes:cert-manager.io/v1:Certificate").inputs;
    expect(valueAt(cert, "spec.dnsNames")).toEqual(expect.arrayContaining(["pg-rw.shareyoursales-prod-infra.svc", "pg-analytics", "pg-dashboards.shareyoursales-prod-infra.svc.cluster.local"]));
    expect(valueAt(cert, "spec.secretTemplate.labels")).toEqual({ "cnpg.io/reload": "" });
  });

  it("gives the owner a generated password in a basic-auth Secret and copies the credentials into each client namespace", async () => {
    const p = await plan({ database: "sys", owner: "sys_app" });
    const secrets = p.ofType(SECRET);
    expect(secrets.map((s) => `${valueAt(s.inputs, "metadata.namespace")}/${valueAt(s.inputs, "metadata.name")}`).sort()).toEqual([
      "shareyoursales-prod-infra/pg-app",
      "shareyoursales-prod/pg-app",
    ]);
    const owner = secrets.find((s) => valueAt(s.inputs, "metadata.namespace") === "shareyoursales-prod-infra")!;
    expect(valueAt(owner.inputs, "type")).toBe("kubernetes.io/basic-auth");
    const client = secrets.find((s) => valueAt(s.inputs, "metadata.namespace") === "shareyoursales-prod")!;
    // The generated password makes the Secret's data opaque in the plan: never a literal.
    expect(typeof valueAt(client.inputs, "stringData.password")).not.toBe("string");
    expect(valueAt(p.one(CLUSTER).inputs, "spec.bootstrap.initdb")).toEqual({ database: "sys", owner: "sys_app", secret: { name: "pg-app" } });
    expect((await plan({ clientNamespaces: [] })).ofType(SECRET)).toHaveLength(1);
  });

  it("exposes the services, port, pod selector, backup KSA and retention", async () => {
    const out: Outputs = {};
    await plan({}, out);
    expect(out).toEqual({
      rwService: "pg-rw",
      roService: "pg-ro",
      analyticsService: "pg-analytics",
      dashboardsService: "pg-dashboards",
      port: 5432,
      podSelector: { "cnpg.io/cluster": "pg" },
      backupServiceAccount: "pg",
      backupRetentionDays: 30,
      appSecretName: "pg-app",
    });
  });

  it("scrapes the instance manager's metrics port with its own PodMonitor, or none", async () => {
    const pm = (await plan({ metrics: { labels: { release: "kube-prometheus-stack" } } })).one("kubernetes:monitoring.coreos.com/v1:PodMonitor").inputs;
    expect(valueAt(pm, "spec.selector.matchLabels")).toEqual({ "cnpg.io/cluster": "pg" });
    expect(valueAt(pm, "spec.podMetricsEndpoints")).toEqual([{ port: "metrics", interval: "30s" }]);
    expect(valueAt(pm, "metadata.labels.release")).toBe("kube-prometheus-stack");
    expect((await plan({ metrics: { enabled: false } })).ofType("kubernetes:monitoring.coreos.com/v1:PodMonitor")).toHaveLength(0);
  });

  it("turns synchronous replicas on only when asked, without blocking writes when replicas are down", async () => {
    expect(valueAt((await plan()).one(CLUSTER).inputs, "spec.postgresql.synchronous")).toBeUndefined();
    expect(valueAt((await plan({ synchronousReplicas: 1 })).one(CLUSTER).inputs, "spec.postgresql.synchronous")).toEqual({ method: "any", number: 1, dataDurability: "preferred" });
  });

  it("refuses unsafe or contradictory arguments, naming what was expected and what was given", () => {
    const bad = (a: Partial<PostgresClusterArgs>) => () => resolvePostgresClusterArgs("pg", { ...base, ...a });
    expect(bad({ replicas: 0 })).toThrow(/replicas must be an integer ≥ 1 .*got 0/);
    expect(bad({ replicas: 1.5 })).toThrow(/replicas/);
    expect(bad({ image: "ghcr.io/cloudnative-pg/postgresql:latest" })).toThrow(/not pinned/);
    expect(bad({ image: "ghcr.io/cloudnative-pg/postgresql:standard" })).toThrow(/major version/);
    expect(bad({ replicaServices: ["ro"] })).toThrow(/collides with CloudNativePG's own service pg-ro/);
    expect(bad({ replicaServices: ["a", "a"] })).toThrow(/duplicates/);
    expect(bad({ owner: "postgres" })).toThrow(/reserved/);
    expect(bad({ database: "My-DB" })).toThrow(/lowercase PostgreSQL identifier/);
    expect(bad({ clientNamespaces: ["shareyoursales-prod-infra"] })).toThrow(/own namespace/);
    expect(bad({ backup: { ...base.backup, retentionDays: 0 } })).toThrow(/retentionDays must be a positive integer, got 0/);
    expect(bad({ backup: { ...base.backup, schedule: "0 3 * * *" } })).toThrow(/6-field cron/);
    expect(bad({ backup: { ...base.backup, gcpServiceAccountEmail: "pg-backup" } })).toThrow(/service account email/);
    expect(bad({ backup: { ...base.backup, bucket: "Bad Bucket" } })).toThrow(/not a GCS bucket name/);
    expect(bad({ backup: undefined as never })).toThrow(/backup is required/);
    expect(bad({ synchronousReplicas: 3 })).toThrow(/synchronousReplicas must be an integer from 0 to replicas \(2\), got 3/);
    expect(bad({ resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1", memory: "1Gi" } } })).toThrow(/limits.memory/);
    expect(() => resolvePostgresClusterArgs("pg", base)).not.toThrow();
  });

  it("states the quota its pods need and the flows it needs under default-deny", () => {
    const r = resolvePostgresClusterArgs("pg", base);
    const budget = postgresPodBudget(r);
    expect(budget.pods).toBe(3);
    expect(budget.requests.cpu).toBeCloseTo(0.9); // 3 × (250m + 50m)
    expect(budget.requests.memory).toBe(3 * (1024 + 128) * 1024 ** 2);
    expect(budget.limits.cpu).toBeCloseTo(4.5); // 3 × (1 + 0.5)
    expect(budget.limits.memory).toBe(3 * (1024 + 512) * 1024 ** 2);
    expect(budget.persistentVolumeClaims).toBe(3);
    expect(budget.storageBytes).toBe(60 * 1024 ** 3);
    const flows = postgresClusterFlows({
      namespace: r.namespace,
      clusterName: r.clusterName,
      clients: [{ name: "app", namespace: "shareyoursales-prod", podSelector: { matchLabels: { "app.kubernetes.io/part-of": "shareyoursales" } } }],
      operator: { namespace: "cnpg-system", podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } } },
      prometheus: { namespace: "monitoring", podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } },
      apiServerCidrs: ["172.16.0.0/28"],
    });
    const byName = Object.fromEntries(flows.map((f) => [f.name, f.ports.map((x) => x.port)]));
    expect(byName).toEqual({
      "app-to-postgres": [5432],
      "postgres-members": [5432, 8000],
      "cnpg-operator-to-postgres": [8000, 5432],
      "prometheus-to-postgres": [9187],
      "postgres-apiserver": [443],
      "postgres-backup-to-gcs": [443],
      "postgres-backup-to-metadata": [80, 988],
    });
    expect(() => resolveNetworkFlowsArgs("flows", { flows })).not.toThrow();
  });
});

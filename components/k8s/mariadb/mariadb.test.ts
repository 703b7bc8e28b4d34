import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { validateKubernetesObject, validateRecordedResource } from "../../../model/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { resolveNetworkFlowsArgs } from "../network-flows";
import {
  BINLOG_ARCHIVE_TICK_MINUTES,
  DEFAULT_MARIADB_IMAGE,
  MARIADB_RPO_MINUTES,
  MariadbShard,
  binlogRotationMinutesOf,
  binlogWorstCaseRpoMinutes,
  mariadbFirmCredentials,
  mariadbPodBudget,
  mariadbPointInTimeRestore,
  mariadbShardFlows,
  resolveMariadbShardArgs,
  type MariadbShardArgs,
} from "./index";

const base: MariadbShardArgs = {
  namespace: "crm-prod-infra",
  shardName: "shard-a",
  clientNamespaces: ["crm-prod"],
  objectStorage: { bucket: "crm-prod-db-backups", endpoint: "s3.gra.io.cloud.ovh.net", region: "gra", credentialsSecret: { name: "db-backup-s3" } },
  firms: [{ id: "cabinet-a" }, { id: "cabinet-b" }],
};
const T = (kind: string) => `kubernetes:k8s.mariadb.com/v1alpha1:${kind}`;
const SECRET = "kubernetes:core/v1:Secret";

async function plan(args: Partial<MariadbShardArgs> = {}, outputs?: Record<string, unknown>): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    const shard = new MariadbShard("shard-a", { ...base, ...args }, { provider });
    if (outputs) {
      for (const key of ["primaryHost", "firmSecretNames", "binlogRotationMinutes", "rpoMinutes", "backupDestination", "podSelector"] as const) {
        (shard[key] as pulumi.Output<unknown>).apply((v) => (outputs[key] = v));
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

/** A CR's spec, walked without casts at each step (the leaves are checked with expect). */
interface Tree {
  [key: string]: Tree;
}
const spec = (p: Plan, kind: string, name?: string) => valueAt(p.one(T(kind), name).inputs, "spec") as Tree;
const text = (t: Tree) => t as unknown as string;

describe("MariadbShard", () => {
  it("creates the MariaDB, its backups, PITR, binlog rotation and per-firm SQL resources, all valid against the vendored CRDs", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      [T("Backup")]: 1,
      [T("Database")]: 2,
      [T("Grant")]: 3,
      [T("MariaDB")]: 1,
      [T("PhysicalBackup")]: 1,
      [T("PointInTimeRecovery")]: 1,
      [T("SqlJob")]: 1,
      [T("User")]: 3,
      [SECRET]: 1 + 2 * 2,
      "random:index/randomPassword:RandomPassword": 3,
      "platform:k8s:MariadbShard": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    expect(schemaErrors(p)).toEqual([]);
    for (const kind of ["MariaDB", "Backup", "PhysicalBackup", "PointInTimeRecovery", "SqlJob"]) expect(validateRecordedResource(p.one(T(kind)))?.valid, kind).toBe(true);
    for (const r of [...p.ofType(T("Database")), ...p.ofType(T("User")), ...p.ofType(T("Grant"))]) expect(validateRecordedResource(r)?.valid, r.name).toBe(true);
    expect(schemaErrors(await plan({ tls: { issuer: { name: "crm-prod-data-ca", kind: "ClusterIssuer" } }, metrics: { enabled: false } }))).toEqual([]);
  });

  it("runs a primary and one replica (crm-courtier.md § 04: master-slave) with restricted pods, a PDB, TLS and metrics", async () => {
    const s = spec(await plan(), "MariaDB");
    expect(s.replicas).toBe(2);
    expect(s.replication.enabled).toBe(true);
    expect(s.replication.primary.autoFailover).toBe(true);
    expect(s.image).toBe(DEFAULT_MARIADB_IMAGE);
    expect(s.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(s.tls).toEqual({ enabled: true, required: true });
    expect(s.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } });
    for (const c of [s.securityContext, s.replication.agent.securityContext, s.replication.initContainer.securityContext, s.metrics.exporter.securityContext]) {
      expect(c).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true });
      // The operator's container type has no seccompProfile: the pod-level context carries it.
      expect(c.seccompProfile).toBeUndefined();
    }
    expect(s.resources.requests.memory).toBe(s.resources.limits.memory);
    expect(s.metrics.serviceMonitor.prometheusRelease).toBe("kube-prometheus-stack");
    expect(s.pointInTimeRecoveryRef).toEqual({ name: "shard-a-pitr" });
    expect(s.rootPasswordSecretKeyRef).toEqual({ name: "shard-a-root", key: "password", generate: true });

    const withIssuer = spec(await plan({ tls: { issuer: { name: "crm-ca", kind: "ClusterIssuer" } } }), "MariaDB");
    expect(withIssuer.tls.serverCertIssuerRef).toEqual({ name: "crm-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
    expect(withIssuer.tls.clientCertIssuerRef).toEqual(withIssuer.tls.serverCertIssuerRef);
  });

  it("backs up daily (logical), weekly (physical, 4 weeks) and archives binlogs to separate prefixes of the bucket", async () => {
    const p = await plan();
    const logical = spec(p, "Backup");
    expect(logical.schedule.cron).toBe("0 2 * * *");
    expect(logical.maxRetention).toBe("720h");
    expect(logical.storage.s3).toMatchObject({ bucket: "crm-prod-db-backups", endpoint: "s3.gra.io.cloud.ovh.net", region: "gra", prefix: "mariadb/shard-a/logical", tls: { enabled: true } });
    expect(logical.storage.s3.accessKeyIdSecretKeyRef).toEqual({ name: "db-backup-s3", key: "access-key-id" });
    const physical = spec(p, "PhysicalBackup");
    expect(physical.schedule).toEqual({ cron: "0 3 * * 0", suspend: false, immediate: true });
    expect(physical.maxRetention).toBe("672h");
    expect(physical.storage.s3.prefix).toBe("mariadb/shard-a/physical");
    const pitr = spec(p, "PointInTimeRecovery");
    expect(pitr.physicalBackupRef).toEqual({ name: valueAt(p.one(T("PhysicalBackup")).inputs, "metadata.name") });
    expect(pitr.storage.s3.prefix).toBe("mariadb/shard-a/binlogs");
    for (const kind of ["Backup", "PhysicalBackup", "SqlJob"]) {
      const j = spec(p, kind);
      expect(j.podSecurityContext, kind).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(j.resources.limits.memory, kind).toBeDefined();
    }
  });

  it("bounds the RPO under 15 minutes with a scheduled binlog rotation whose cron carries the interval", async () => {
    const out: Record<string, unknown> = {};
    const p = await plan({}, out);
    const job = spec(p, "SqlJob");
    expect(job.sql).toBe("FLUSH BINARY LOGS;");
    const minutes = binlogRotationMinutesOf(text(job.schedule.cron));
    expect(minutes).toBe(3);
    expect(binlogWorstCaseRpoMinutes(minutes!)).toBeLessThan(MARIADB_RPO_MINUTES);
    expect(out.rpoMinutes).toBe(3 + BINLOG_ARCHIVE_TICK_MINUTES);
    const grant = p.ofType(T("Grant")).find((g) => valueAt(g.inputs, "spec.username") === "binlog_rotator")!;
    expect(valueAt(grant.inputs, "spec.privileges")).toEqual(["RELOAD", "BINLOG ADMIN"]);
    expect(binlogRotationMinutesOf(text(spec(await plan({ backup: { binlogRotationMinutes: 4 } }), "SqlJob").schedule.cron))).toBe(4);
    expect(binlogRotationMinutesOf("0 */6 * * *")).toBeUndefined();
  });

  it("gives each firm its database, a user with ALL on that database only, and its credentials in its client namespaces", async () => {
    const out: Record<string, unknown> = {};
    const p = await plan({ firms: [{ id: "cabinet-a" }, { id: "cabinet-b", clientNamespaces: ["crm-prod", "crm-prod-workers"] }] }, out);
    const db = spec(p, "Database", "shard-a-tenant-cabinet-a-database");
    expect(db).toMatchObject({ name: "firm_cabinet_a", cleanupPolicy: "Skip", mariaDbRef: { name: "shard-a" } });
    const grant = spec(p, "Grant", "shard-a-tenant-cabinet-a-grant");
    expect(grant).toMatchObject({ privileges: ["ALL PRIVILEGES"], database: "firm_cabinet_a", table: "*", username: "firm_cabinet_a", grantOption: false });
    const user = spec(p, "User", "shard-a-tenant-cabinet-a-user");
    expect(user).toMatchObject({ name: "firm_cabinet_a", require: { ssl: true }, passwordSecretKeyRef: { name: "shard-a-firm-cabinet-a-password", key: "password" } });
    const creds = p.one(SECRET, "shard-a-tenant-cabinet-b-credentials-crm-prod-workers");
    expect(valueAt(creds.inputs, "metadata")).toMatchObject({ name: "shard-a-firm-cabinet-b", namespace: "crm-prod-workers" });
    // The generated password makes the whole stringData opaque in the plan: never a literal.
    expect(typeof valueAt(creds.inputs, "stringData.password")).not.toBe("string");
    const r = resolveMariadbShardArgs("shard-a", base);
    const data = mariadbFirmCredentials(r, r.firms[1], "pw");
    expect(Object.keys(data).sort()).toEqual(["database", "host", "password", "port", "username"]);
    expect(data).toEqual({ username: "firm_cabinet_b", password: "pw", database: "firm_cabinet_b", port: "3306", host: "shard-a-primary.crm-prod-infra.svc.cluster.local" });
    expect(p.ofType(SECRET).filter((s) => valueAt(s.inputs, "metadata.name") === "shard-a-firm-cabinet-b")).toHaveLength(2);
    expect(out.firmSecretNames).toEqual({ "cabinet-a": "shard-a-firm-cabinet-a", "cabinet-b": "shard-a-firm-cabinet-b" });
  });

  it("adding a firm renames none of the others' resources", async () => {
    const urns = async (ids: string[]) => (await plan({ firms: ids.map((id) => ({ id })) })).resources.map((r) => r.urn);
    const two = await urns(["a", "b"]);
    const three = await urns(["a", "b", "c"]);
    const withC = await urns(["c", "a", "b"]);
    expect(two.every((u) => three.includes(u))).toBe(true);
    expect(three.filter((u) => !two.includes(u)).every((u) => u.includes("-tenant-c-"))).toBe(true);
    expect(new Set(withC)).toEqual(new Set(three));
  });

  it("protects the stateful children when deletionProtection is on (the default)", async () => {
    const p = await plan();
    for (const kind of ["MariaDB", "Backup", "PhysicalBackup", "PointInTimeRecovery", "Database"]) {
      for (const r of p.ofType(T(kind))) expect(r.options.protect, `${kind} ${r.name}`).toBe(true);
    }
    expect((await plan({ deletionProtection: false })).one(T("MariaDB")).options.protect).toBe(false);
  });

  it("builds a point-in-time restore that validates against the vendored MariaDB CRD", () => {
    const restore = mariadbPointInTimeRestore("shard-a", base, { restoredName: "shard-a-restore", targetRecoveryTime: "2026-11-30T07:45:00Z" });
    expect(validateKubernetesObject(restore)).toEqual({ valid: true, errors: [] });
    expect(restore.spec.bootstrapFrom).toMatchObject({ pointInTimeRecoveryRef: { name: "shard-a-pitr" }, targetRecoveryTime: "2026-11-30T07:45:00Z" });
    expect(restore.spec.pointInTimeRecoveryRef).toBeUndefined();
    expect(() => mariadbPointInTimeRestore("shard-a", base, { restoredName: "shard-a", targetRecoveryTime: "2026-11-30T07:45:00Z" })).toThrow(/shard's own name/);
    expect(() => mariadbPointInTimeRestore("shard-a", base, { restoredName: "r", targetRecoveryTime: "yesterday" })).toThrow(/RFC 3339.*got|RFC 3339/);
  });

  it("rejects unsafe or contradictory arguments, naming what was expected and what was given", () => {
    const bad = (a: Partial<MariadbShardArgs>) => () => resolveMariadbShardArgs("shard-a", { ...base, ...a });
    expect(bad({ replicas: 0 })).toThrow(/replicas must be an integer ≥ 1, got 0/);
    expect(bad({ image: "mariadb:10.6.20" })).toThrow(/10\.8 or later/);
    expect(bad({ image: "mariadb" })).toThrow(/pinned|tag/);
    expect(bad({ backup: { binlogRotationMinutes: 5 } })).toThrow(/must be 1, 2, 3 or 4, got 5/);
    expect(bad({ backup: { logicalSchedule: "0 0 2 * * *" } })).toThrow(/5-field cron/);
    expect(bad({ backup: { physicalRetention: "4w" } })).toThrow(/Go duration/);
    expect(bad({ objectStorage: { ...base.objectStorage, endpoint: "https://s3.gra.io.cloud.ovh.net" } })).toThrow(/without scheme/);
    expect(bad({ objectStorage: { ...base.objectStorage, bucket: "Bad_Bucket" } })).toThrow(/S3 bucket name/);
    expect(bad({ firms: [{ id: "a" }, { id: "a" }] })).toThrow(/listed twice/);
    expect(bad({ firms: [{ id: "Cabinet_A" }] })).toThrow(/firm id "Cabinet_A"/);
    expect(bad({ resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1", memory: "1Gi" } } })).toThrow(/limits.memory/);
    expect(bad({ shardName: "a-very-long-shard-name-that-goes-on" })).toThrow(/at most 30/);
  });

  it("states the quota a shard needs and the flows it needs under default-deny", () => {
    const r = resolveMariadbShardArgs("shard-a", base);
    const budget = mariadbPodBudget(r);
    // 2 × (mariadb 250m + agent 50m) + exporter 50m + 2 Jobs × 100m.
    expect(budget.pods).toBe(5);
    expect(budget.requests.cpu).toBeCloseTo(0.85);
    expect(budget.requests.memory).toBe(2752 * 1024 ** 2);
    expect(budget.limits.cpu).toBeCloseTo(5.2);
    expect(budget.limits.memory).toBe(4736 * 1024 ** 2);
    expect(budget.persistentVolumeClaims).toBe(2);
    const flows = mariadbShardFlows({
      namespace: r.namespace,
      shardName: r.shardName,
      clients: [{ name: "crm", namespace: "crm-prod" }],
      operator: { namespace: "mariadb-operator", podSelector: { matchLabels: { "app.kubernetes.io/name": "mariadb-operator" } } },
      prometheus: { namespace: "monitoring", podSelector: {} },
      apiServerCidrs: ["172.16.0.0/28"],
    });
    expect(() => resolveNetworkFlowsArgs("flows", { flows })).not.toThrow();
    expect(flows.map((f) => f.name)).toContain("crm-to-mariadb");
    expect(flows.find((f) => f.name === "mariadb-operator-to-mariadb")?.ports.map((x) => x.port)).toEqual([3306, 5555]);
  });
});

import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { DEFAULT_MONGO_BACKUP_RETENTION_DAYS, MongoReplicaSet, mongoBackupLifecycleRules, resolveMongoReplicaSetArgs, type MongoReplicaSetArgs } from "./index";

const backup = { bucket: "diaspomoney-prod-backups", gcpServiceAccountEmail: "mongodb-backup@diaspomoney-prod.iam.gserviceaccount.com" };
const base: MongoReplicaSetArgs = { namespace: "diaspomoney-prod-infra", members: 3, backup, resourceName: "mongodb" };

async function plan(args: Partial<MongoReplicaSetArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new MongoReplicaSet("mongodb", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

const CR = "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity";

describe("MongoReplicaSet", () => {
  it("prod: 3 members, PDB, TLS chain, users, backup; valid against the upstream CRDs", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      "kubernetes:batch/v1:CronJob": 1,
      "kubernetes:cert-manager.io/v1:Certificate": 2,
      "kubernetes:cert-manager.io/v1:Issuer": 2,
      "kubernetes:core/v1:Secret": 3,
      "kubernetes:core/v1:ServiceAccount": 1,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": 1,
      [CR]: 1,
      "kubernetes:policy/v1:PodDisruptionBudget": 1,
      "platform:k8s:MongoReplicaSet": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
      "random:index/randomPassword:RandomPassword": 3,
    });
    const spec = p.one(CR).inputs.spec as Record<string, unknown>;
    expect(spec.members).toBe(3);
    expect(spec.type).toBe("ReplicaSet");
    expect(valueAt(p.one("kubernetes:policy/v1:PodDisruptionBudget").inputs, "spec")).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: "mongodb-svc" } } });
    expect(schemaErrors(p)).toEqual([]);
  });

  it("dev/rct: a single member without PDB", async () => {
    const p = await plan({ members: 1, deletionProtection: false });
    expect(valueAt(p.one(CR).inputs, "spec.members")).toBe(1);
    expect(p.ofType("kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(0);
    expect(p.one(CR).options.protect).toBe(false);
  });

  it("generates passwords into Secrets, never in clear, and protects them with the replica set", async () => {
    const { plan: p } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", {});
      new MongoReplicaSet("mongodb", base, { provider });
    });
    const secrets = p.ofType("kubernetes:core/v1:Secret");
    expect(secrets.map((s) => valueAt(s.inputs, "metadata.name")).sort()).toEqual(["mongodb-app-password", "mongodb-backup-password", "mongodb-metrics"]);
    for (const s of secrets) {
      expect(s.options.protect).toBe(true);
      // A generated value: unknown in a preview, never a literal.
      expect(typeof valueAt(s.inputs, "stringData.password")).not.toBe("string");
    }
    expect(p.one(CR).options.protect).toBe(true);
    const users = valueAt(p.one(CR).inputs, "spec.users") as { name: string; passwordSecretRef: unknown; roles: unknown }[];
    expect(users.map((u) => [u.name, u.passwordSecretRef])).toEqual([
      ["app", { name: "mongodb-app-password", key: "password" }],
      ["backup", { name: "mongodb-backup-password", key: "password" }],
    ]);
    expect(users[0].roles).toEqual([{ name: "readWrite", db: "app" }]);
    expect(valueAt(p.one(CR).inputs, "spec.security.authentication.modes")).toEqual(["SCRAM"]);
  });

  it("turns TLS on with cert-manager certificates covering the members", async () => {
    const p = await plan();
    expect(valueAt(p.one(CR).inputs, "spec.security.tls")).toEqual({
      enabled: true,
      optional: false,
      certificateKeySecretRef: { name: "mongodb-server-tls" },
      caCertificateSecretRef: { name: "mongodb-server-tls" },
    });
    const server = p.one("kubernetes:cert-manager.io/v1:Certificate", "mongodb-server-certificate").inputs;
    expect(valueAt(server, "spec.dnsNames")).toEqual(["*.mongodb-svc.diaspomoney-prod-infra.svc.cluster.local", "mongodb-svc.diaspomoney-prod-infra.svc.cluster.local"]);
    expect(valueAt(server, "spec.issuerRef.name")).toBe("mongodb-ca-issuer");
  });

  it("uses a supplied issuer instead of creating a CA", async () => {
    const p = await plan({ tls: { issuer: { name: "platform-ca", kind: "ClusterIssuer" } } });
    expect(p.ofType("kubernetes:cert-manager.io/v1:Issuer")).toHaveLength(0);
    expect(valueAt(p.one("kubernetes:cert-manager.io/v1:Certificate").inputs, "spec.issuerRef")).toEqual({ name: "platform-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
  });

  it("sets storage, resources and the restricted container context on mongod", async () => {
    const spec = (await plan({ storage: { storageClassName: "premium-rwo", dataSize: "50Gi" } })).one(CR).inputs.spec;
    const vct = valueAt(spec, "statefulSet.spec.volumeClaimTemplates") as { metadata: { name: string }; spec: unknown }[];
    expect(vct.map((v) => v.metadata.name)).toEqual(["data-volume", "logs-volume"]);
    expect(valueAt(vct[0], "spec.resources.requests.storage")).toBe("50Gi");
    expect(valueAt(vct[0], "spec.storageClassName")).toBe("premium-rwo");
    const mongod = valueAt(spec, "statefulSet.spec.template.spec.containers[0]") as Record<string, unknown>;
    expect(mongod.name).toBe("mongod");
    expect(valueAt(mongod, "resources.limits.memory")).toBe("2Gi");
    expect(mongod.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
  });

  it("backs up daily with mongodump to GCS through Workload Identity", async () => {
    const p = await plan();
    const sa = p.one("kubernetes:core/v1:ServiceAccount").inputs;
    expect(valueAt(sa, "metadata.annotations")).toEqual({ "iam.gke.io/gcp-service-account": "mongodb-backup@diaspomoney-prod.iam.gserviceaccount.com" });
    const cron = p.one("kubernetes:batch/v1:CronJob").inputs;
    expect(valueAt(cron, "spec.schedule")).toBe("0 2 * * *");
    expect(valueAt(cron, "spec.concurrencyPolicy")).toBe("Forbid");
    expect((valueAt(cron, "metadata.labels") as Record<string, string>)["backup.platform/target"]).toBe("mongodb");
    expect(valueAt(cron, "metadata.annotations")).toEqual({ "backup.platform/retention-days": "30" });
    const pod = valueAt(cron, "spec.jobTemplate.spec.template.spec") as Record<string, unknown>;
    expect(pod.serviceAccountName).toBe("mongodb-backup");
    expect(valueAt(pod, "securityContext.runAsNonRoot")).toBe(true);
    const dump = valueAt(pod, "initContainers[0]") as { image: string; args: string[]; env: unknown[]; securityContext: Record<string, unknown> };
    expect(dump.image).toBe("mongo:8.0.4");
    expect(dump.args[0]).toContain("mongodump");
    expect(dump.args[0]).toContain("--sslCAFile=/etc/mongodb-tls/ca.crt");
    expect(dump.env).toEqual([{ name: "MONGODB_URI", valueFrom: { secretKeyRef: { name: "mongodb-admin-backup", key: "connectionString.standard" } } }]);
    const upload = valueAt(pod, "containers[0]") as { args: string[]; securityContext: Record<string, unknown> };
    expect(upload.args[0]).toContain('"gs://diaspomoney-prod-backups/mongodb/mongodb/$$(date');
    for (const c of [dump, upload]) expect(c.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
  });

  it("refuses an even member count, a loose version, a non-daily schedule and unpinned images", () => {
    expect(() => resolveMongoReplicaSetArgs("m", { ...base, members: 2 })).toThrow(/members must be an odd positive integer/);
    expect(() => resolveMongoReplicaSetArgs("m", { ...base, version: "8.0" })).toThrow(/full x.y.z/);
    expect(() => resolveMongoReplicaSetArgs("m", { ...base, backup: { ...backup, schedule: "0 2 * * 0" } })).toThrow(/not daily/);
    expect(() => resolveMongoReplicaSetArgs("m", { ...base, backup: { ...backup, dumpImage: "mongo" } })).toThrow(/backup.dumpImage "mongo" is not pinned/);
    expect(() => resolveMongoReplicaSetArgs("m", { ...base, backup: { ...backup, gcpServiceAccountEmail: "someone@example.com" } })).toThrow(/not a GCP service account email/);
  });

  it("derives the dump bucket's Delete rule from the same retention the CronJob records", () => {
    expect(mongoBackupLifecycleRules(7)).toEqual([{ action: { type: "Delete" }, condition: { age: 7 } }]);
    // Unset on both sides: the bucket and the component agree on the default.
    expect(mongoBackupLifecycleRules()).toEqual([{ action: { type: "Delete" }, condition: { age: DEFAULT_MONGO_BACKUP_RETENTION_DAYS } }]);
    const r = resolveMongoReplicaSetArgs("m", { ...base, backup: { ...backup, retentionDays: 7 } });
    expect(r.backup.enabled && r.backup.retentionDays).toBe(mongoBackupLifecycleRules(7)[0].condition.age);
    for (const bad of [0, -3, 1.5]) {
      expect(() => mongoBackupLifecycleRules(bad)).toThrow(ComponentArgsError);
      expect(() => resolveMongoReplicaSetArgs("m", { ...base, backup: { ...backup, retentionDays: bad } })).toThrow(`backup.retentionDays must be a positive integer, got ${bad}`);
    }
  });

  it("refuses to turn backups off without a reason", () => {
    expect(() => resolveMongoReplicaSetArgs("m", { ...base, backup: { ...backup, enabled: false } })).toThrow(/Backup quotidien|daily MongoDB backup/);
    const r = resolveMongoReplicaSetArgs("m", { ...base, backup: { ...backup, enabled: false, disabledReason: "ephemeral preview env" } });
    expect(r.backup.enabled).toBe(false);
    expect(r.users.map((u) => u.name)).toEqual(["app"]);
  });

  it("writes each user's connection string to its client namespaces from the same password", async () => {
    const p = await plan({ users: [{ name: "app", roles: [{ name: "readWrite", db: "app" }], clientNamespaces: ["diaspomoney-prod"] }] });
    const client = p.ofType("kubernetes:core/v1:Secret").find((s) => valueAt(s.inputs, "metadata.namespace") === "diaspomoney-prod")!;
    expect(valueAt(client.inputs, "metadata.name")).toBe("mongodb-admin-app");
    // Built from the generated password: opaque in the plan, never a literal.
    expect(JSON.stringify(valueAt(client.inputs, "stringData"))).not.toMatch(/mongodb:\/\//);
    // The operator's cross-namespace option is not used (its Secret would be garbage-collected).
    const users = valueAt(p.one(CR).inputs, "spec.users") as Record<string, unknown>[];
    expect(users.every((u) => !("connectionStringSecretNamespace" in u))).toBe(true);
    expect(() => resolveMongoReplicaSetArgs("m", { ...base, users: [{ name: "app", roles: [{ name: "read", db: "x" }], clientNamespaces: ["diaspomoney-prod-infra"] }] })).toThrow(/own namespace/);
  });

  it("turns on the operator's metrics exporter with a generated basic-auth password and a ServiceMonitor", async () => {
    const p = await plan({ metrics: { labels: { release: "kube-prometheus-stack" } } });
    expect(valueAt(p.one(CR).inputs, "spec.prometheus")).toEqual({ username: "prometheus", passwordSecretRef: { name: "mongodb-metrics", key: "password" }, port: 9216 });
    const sm = p.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").inputs;
    expect(valueAt(sm, "spec.endpoints[0].port")).toBe("prometheus");
    expect(valueAt(sm, "spec.endpoints[0].basicAuth")).toEqual({ username: { name: "mongodb-metrics", key: "username" }, password: { name: "mongodb-metrics", key: "password" } });
    expect(valueAt(sm, "metadata.labels.release")).toBe("kube-prometheus-stack");
    expect(schemaErrors(p)).toEqual([]);
    const off = await plan({ metrics: { enabled: false } });
    expect(valueAt(off.one(CR).inputs, "spec.prometheus")).toBeUndefined();
  });
});

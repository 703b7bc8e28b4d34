import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { RedisCluster, redisAdditionalConfig, resolveRedisClusterArgs, type RedisClusterArgs } from "./index";

const base: RedisClusterArgs = { namespace: "diaspomoney-prod-infra", resourceName: "redis" };
const CR = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster";

async function plan(args: Partial<RedisClusterArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new RedisCluster("redis", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

describe("RedisCluster", () => {
  it("creates the cluster, password, AOF config and TLS chain, valid against the upstream CRDs", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      "kubernetes:cert-manager.io/v1:Certificate": 2,
      "kubernetes:cert-manager.io/v1:Issuer": 2,
      "kubernetes:core/v1:ConfigMap": 1,
      "kubernetes:core/v1:Secret": 1,
      [CR]: 1,
      "platform:k8s:RedisCluster": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
      "random:index/randomPassword:RandomPassword": 1,
    });
    expect(schemaErrors(p)).toEqual([]);
    const component = p.one("platform:k8s:RedisCluster");
    for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:") || x.type.startsWith("random:"))) expect(r.parent, r.name).toBe(component.urn);
  });

  it("persists with AOF (diaspomoney.md § Backup: Redis - Persistence AOF)", async () => {
    const p = await plan();
    const spec = p.one(CR).inputs.spec as Record<string, unknown>;
    expect(spec.persistenceEnabled).toBe(true);
    expect(valueAt(spec, "redisConfig.additionalRedisConfig")).toBe("redis-config");
    const conf = valueAt(p.one("kubernetes:core/v1:ConfigMap").inputs, "data") as Record<string, string>;
    expect(conf["redis-additional.conf"]).toMatch(/^appendonly yes$/m);
    expect(conf["redis-additional.conf"]).toMatch(/^appendfsync everysec$/m);
    expect(valueAt(spec, "storage.volumeClaimTemplate.spec.resources.requests.storage")).toBe("5Gi");
    expect(valueAt(spec, "storage.nodeConfVolume")).toBe(true);
    expect(redisAdditionalConfig("always")).toContain("appendfsync always");
  });

  it("authenticates with a generated password held in a Secret", async () => {
    const p = await plan();
    expect(valueAt(p.one(CR).inputs, "spec.kubernetesConfig.redisSecret")).toEqual({ name: "redis-auth", key: "password" });
    const secret = p.one("kubernetes:core/v1:Secret");
    expect(valueAt(secret.inputs, "metadata.name")).toBe("redis-auth");
    expect(typeof valueAt(secret.inputs, "stringData.password")).not.toBe("string");
    expect(secret.options.protect).toBe(true);
    expect(p.one("random:index/randomPassword:RandomPassword").inputs).toMatchObject({ length: 32, special: false });
  });

  it("encrypts with TLS covering the leader and follower services", async () => {
    const p = await plan();
    expect(valueAt(p.one(CR).inputs, "spec.TLS")).toEqual({ ca: "ca.crt", cert: "tls.crt", key: "tls.key", secret: { secretName: "redis-server-tls" } });
    const dns = valueAt(p.one("kubernetes:cert-manager.io/v1:Certificate", "redis-server-certificate").inputs, "spec.dnsNames") as string[];
    expect(dns).toContain("*.redis-leader-headless.diaspomoney-prod-infra.svc.cluster.local");
    expect(dns).toContain("redis-leader.diaspomoney-prod-infra.svc");
  });

  it("sizes leaders and followers from args, with PDBs", async () => {
    const spec = (await plan({ leaders: 3, followers: 6 })).one(CR).inputs.spec as Record<string, unknown>;
    expect(spec.clusterSize).toBe(3);
    expect(valueAt(spec, "redisLeader.replicas")).toBe(3);
    expect(valueAt(spec, "redisFollower.replicas")).toBe(6);
    expect(valueAt(spec, "redisLeader.pdb")).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(valueAt(spec, "redisFollower.pdb")).toEqual({ enabled: true, maxUnavailable: 1 });
    const noPdb = (await plan({ podDisruptionBudget: false })).one(CR).inputs.spec;
    expect(valueAt(noPdb, "redisLeader.pdb")).toEqual({ enabled: false });
  });

  it("runs non-root without privilege escalation or capabilities (root filesystem waived for the operator's entrypoint)", async () => {
    const spec = (await plan()).one(CR).inputs.spec;
    expect(valueAt(spec, "podSecurityContext")).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    expect(valueAt(spec, "redisLeader.securityContext")).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(valueAt(spec, "kubernetesConfig.image")).toBe("quay.io/opstree/redis:v7.0.15");
  });

  it("refuses fewer than 3 leaders, uneven followers and unpinned images", () => {
    expect(() => resolveRedisClusterArgs("r", { ...base, leaders: 2 })).toThrow(/leaders must be an integer ≥ 3/);
    expect(() => resolveRedisClusterArgs("r", { ...base, leaders: 3, followers: 4 })).toThrow(/multiple of leaders/);
    expect(() => resolveRedisClusterArgs("r", { ...base, image: "quay.io/opstree/redis:latest" })).toThrow(/not pinned/);
    expect(resolveRedisClusterArgs("r", { ...base, followers: 0 }).followers).toBe(0);
  });

  it("writes the one generated password to each client namespace under the same Secret name", async () => {
    const p = await plan({ clientNamespaces: ["diaspomoney-prod"] });
    const secrets = p.ofType("kubernetes:core/v1:Secret");
    expect(secrets.map((s) => `${valueAt(s.inputs, "metadata.namespace")}/${valueAt(s.inputs, "metadata.name")}`).sort()).toEqual([
      "diaspomoney-prod-infra/redis-auth",
      "diaspomoney-prod/redis-auth",
    ]);
    // Both from the same RandomPassword.
    expect(p.ofType("random:index/randomPassword:RandomPassword")).toHaveLength(1);
    for (const s of secrets) expect(typeof valueAt(s.inputs, "stringData.password")).not.toBe("string");
    expect(() => resolveRedisClusterArgs("r", { ...base, clientNamespaces: ["diaspomoney-prod-infra"] })).toThrow(/own namespace/);
  });
});

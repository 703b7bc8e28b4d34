/**
 * In-cluster workloads: pod requests priced at the per-vCPU and per-GiB rates of the hosting node
 * pool's machine family, counted in the total only when the pool is upstream; shortfalls as errors.
 *
 * Rates for e2 in europe-west1, solved from e2-standard-4 (4 vCPU, 16 GiB, $0.14743092/h) and
 * e2-highcpu-4 (4 vCPU, 4 GiB, $0.10883784/h):
 *   per GiB  m = (0.14743092 − 0.10883784) / 12 = 0.00321609
 *   per vCPU c = (0.10883784 − 4 × 0.00321609) / 4 = 0.02399337
 */
import { describe, expect, it } from "vitest";
import { perResourceRates } from "../../model/cost/pricers/machines";
import { PriceLookup } from "../../model/cost/prices";
import { estimate, nodePool, res } from "./helpers";

const deployment = (name: string, replicas: number, requests: Record<string, string>, namespace = "app") =>
  res("kubernetes:apps/v1:Deployment", name, { metadata: { name, namespace }, spec: { replicas, template: { spec: { containers: [{ name: "c", image: "x", resources: { requests } }] } } } });

describe("in-cluster workloads", () => {
  it("solves per-vCPU and per-GiB rates from two shapes of the family", () => {
    const r = perResourceRates(new PriceLookup(), "e2-standard-4", "europe-west1");
    expect(r.gibHour).toBeCloseTo(0.00321609, 8);
    expect(r.vcpuHour).toBeCloseTo(0.02399337, 8);
    expect(r.from).toEqual(["e2-standard-4", "e2-highcpu-4"]);
  });

  it("prices a pod group's requests on an upstream pool and counts it as this stack's share", () => {
    const pool = nodePool("pool", {}, { stack: "fixture-shared" });
    const e = estimate([deployment("web", 2, { cpu: "500m", memory: "1Gi" })], { upstream: [pool] });
    const l = e.lines.find((x) => x.item === "requests:Deployment web")!;
    // 2 pods × (0.5 vCPU × 0.02399337 + 1 GiB × 0.00321609) × 730 h = 2 × 0.01521278 × 730 = 22.21
    expect(l.monthlyUsd).toBe(22.21);
    expect(l.shareOf).toBe(pool.urn);
    expect(e.monthlyUsd).toBe(22.21);
    expect(e.upstreamShareUsd).toBe(22.21);
  });

  it("does not add pods' shares to the total when the pool is in the same stack (its nodes are priced)", () => {
    const pool = nodePool("pool");
    const e = estimate([pool, deployment("web", 2, { cpu: "500m", memory: "1Gi" })]);
    const nodes = e.lines.filter((l) => l.name === "pool").reduce((s, l) => s + l.monthlyUsd!, 0);
    // the pool alone: 322.87 nodes + 30.00 boot disks
    expect(e.monthlyUsd).toBe(Math.round(nodes * 100) / 100);
    expect(e.monthlyUsd).toBe(352.87);
    expect(e.lines.find((x) => x.item === "requests:Deployment web")?.monthlyUsd).toBe(22.21);
  });

  it("fills a missing request from the namespace LimitRange's defaultRequest", () => {
    const limits = res("kubernetes:core/v1:LimitRange", "lr", { metadata: { name: "lr", namespace: "app" }, spec: { limits: [{ type: "Container", defaultRequest: { cpu: "1", memory: "2Gi" } }] } });
    const e = estimate([limits, deployment("web", 1, {})], { upstream: [nodePool("pool", {}, { stack: "fixture-shared" })] });
    // 1 × (1 × 0.02399337 + 2 × 0.00321609) × 730 = 0.03042555 × 730 = 22.21
    expect(e.lines.find((x) => x.item === "requests:Deployment web")!.monthlyUsd).toBe(22.21);
  });

  it("prices volume claim templates at their storage class's disk price", () => {
    const sts = res("kubernetes:apps/v1:StatefulSet", "db", {
      metadata: { name: "db", namespace: "data" },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "100m", memory: "128Mi" } } }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storageClassName: "premium-rwo", resources: { requests: { storage: "10Gi" } } } }],
      },
    });
    const e = estimate([sts], { upstream: [nodePool("pool", {}, { stack: "fixture-shared" })] });
    // 3 × 10 GiB × $0.17 (pd-ssd europe-west1) = 5.10; volumes are disks of their own, not a share of the nodes
    const v = e.lines.find((x) => x.item === "volumes:StatefulSet db")!;
    expect(v.monthlyUsd).toBe(5.1);
    expect(v.shareOf).toBeUndefined();
  });

  it("reports requests beyond the pools' max size as a shortfall, not a price", () => {
    // max 4 per zone × 3 zones = 12 e2-standard-4 nodes of ~3.92 allocatable CPU = ~47 CPU; 30 × 2 CPU = 60
    const e = estimate([deployment("big", 30, { cpu: "2", memory: "1Gi" })], { upstream: [nodePool("pool", {}, { stack: "fixture-shared" })] });
    expect(e.shortfalls).toHaveLength(1);
    expect(e.shortfalls[0]!.message).toMatch(/request 60 CPU .*offer 47\.\d+ CPU allocatable at their max size/);
  });

  it("reports a pod larger than any node as a shortfall", () => {
    const e = estimate([deployment("huge", 1, { cpu: "8", memory: "1Gi" })], { upstream: [nodePool("pool", {}, { stack: "fixture-shared" })] });
    expect(e.shortfalls.map((s) => s.message)).toContainEqual(expect.stringContaining("never schedules"));
  });

  it("lists pods as not priced when no node pool hosts them", () => {
    const e = estimate([deployment("web", 1, { cpu: "1", memory: "1Gi" })]);
    expect(e.lines[0]!.notPriced).toContain("no GKE node pool");
  });
});

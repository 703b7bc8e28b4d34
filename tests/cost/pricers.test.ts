/**
 * Hand-computed examples, one per priced resource type, with the arithmetic written out from the
 * vendored prices (vendor/pricing/). A failing figure after `npm run vendor:prices` shows which price
 * moved: update the arithmetic with the new one.
 */
import { describe, expect, it } from "vitest";
import { freeReason } from "../../model/cost/estimate";
import { assumed } from "../../model/cost/usage";
import { estimate, line, nodePool, res, sqlInstance } from "./helpers";

describe("Cloud SQL", () => {
  it("prices a zonal custom tier by vCPU and RAM", () => {
    const e = estimate([sqlInstance("db", { tier: "db-custom-2-7680", availabilityType: "ZONAL" })]);
    // (2 vCPU × $0.0413 + 7.5 GiB × $0.007) × 730 h = 0.1351 × 730 = 98.62
    expect(line(e, "db", "instance").monthlyUsd).toBe(98.62);
    // 20 GB × $0.17 (us-central1 SSD × europe-west1 factor 1.0: the europe-west1 key is unconfirmed) = 3.40
    expect(line(e, "db", "disk").monthlyUsd).toBe(3.4);
    expect(line(e, "db", "disk").priceKeys).toEqual(["cloudsql.ssd_gb_month.zonal.us-central1", "cloudsql.observed_multiplier_vs_us-central1.europe-west1"]);
  });

  it("doubles compute and disk for HA (REGIONAL)", () => {
    const e = estimate([sqlInstance("db", { tier: "db-custom-2-7680", availabilityType: "REGIONAL", diskSize: 50 })]);
    // 98.623 × 2 = 197.25
    expect(line(e, "db", "instance").monthlyUsd).toBe(197.25);
    expect(line(e, "db", "instance").detail).toContain("regional (HA)");
    // 50 GB × $0.17 × 2 = 17.00
    expect(line(e, "db", "disk").monthlyUsd).toBe(17);
  });

  it("applies the region's own price, else us-central1 × the observed regional factor", () => {
    const e = estimate([sqlInstance("db", { tier: "db-custom-2-7680", availabilityType: "ZONAL" }, { region: "europe-west6" })]);
    // (2 × $0.0537 + 7.5 × $0.0091) × 730 = 0.17565 × 730 = 128.22
    expect(line(e, "db", "instance").monthlyUsd).toBe(128.22);
    // europe-west6 SSD has no key: 20 GB × $0.17 × 1.3 = 4.42
    expect(line(e, "db", "disk").monthlyUsd).toBe(4.42);
    expect(line(e, "db", "disk").formula).toContain("regional factor 1.3");
  });

  it("prices backups as retained count × disk, an upper bound", () => {
    const e = estimate([sqlInstance("db", { tier: "db-custom-1-3840", backupConfiguration: { enabled: true, backupRetentionSettings: { retainedBackups: 7 } } })]);
    // 7 × 20 GB × $0.08 = 11.20
    const l = line(e, "db", "backups");
    expect(l.monthlyUsd).toBe(11.2);
    expect(l.detail).toContain("upper bound");
  });

  it("prices a read replica at zonal rates with no backups", () => {
    const e = estimate([sqlInstance("replica", { tier: "db-custom-2-7680", availabilityType: "REGIONAL", backupConfiguration: { enabled: true } }, { masterInstanceName: "primary" })]);
    expect(line(e, "replica", "instance").monthlyUsd).toBe(98.62);
    expect(e.lines.some((l) => l.item === "backups")).toBe(false);
  });

  it("prices an Enterprise Plus tier at 8 GiB per vCPU", () => {
    const e = estimate([sqlInstance("db", { tier: "db-perf-optimized-N-2", edition: "ENTERPRISE_PLUS" })]);
    // europe-west1 has no zonal E+ vCPU key: us-central1 $0.0537 × factor 1.0; RAM $0.0091 (europe-west1)
    // (2 vCPU × $0.0537 + 16 GiB × $0.0091) × 730 = 0.253 × 730 = 184.69
    expect(line(e, "db", "instance").monthlyUsd).toBe(184.69);
  });

  it("prices a shared-core tier by the hour", () => {
    const e = estimate([sqlInstance("db", { tier: "db-f1-micro" })]);
    // $0.0105 × 730 = 7.665 → 7.67 (rounded to cents)
    expect(line(e, "db", "instance").monthlyUsd).toBe(7.67);
  });
});

describe("GKE", () => {
  const cluster = (name: string, location: string, extra: Record<string, unknown> = {}) =>
    res("gcp:container/cluster:Cluster", name, { name, location, removeDefaultNodePool: true, ...extra });

  it("charges the regional cluster fee with no free tier credit", () => {
    const e = estimate([cluster("c", "europe-west1")]);
    // $0.10 × 730 = 73.00
    expect(line(e, "c", "cluster-fee").monthlyUsd).toBe(73);
  });

  it("offsets one zonal cluster's fee with the $74.40 credit, once per stack", () => {
    const e = estimate([cluster("a", "europe-west1-b"), cluster("b", "europe-west1-c")]);
    // max(0, 73 − 74.40) = 0; the second zonal cluster pays the full 73
    expect(line(e, "a", "cluster-fee").monthlyUsd).toBe(0);
    expect(line(e, "b", "cluster-fee").monthlyUsd).toBe(73);
    expect(e.assumptions.some((a) => a.includes("GKE free tier"))).toBe(true);
  });

  it("prices a regional node pool at its min size over three zones, max as a range, and boot disks", () => {
    const e = estimate([cluster("c", "europe-west1"), nodePool("pool")]);
    // min 1 per zone × 3 zones = 3 nodes × $0.14743092 × 730 = 322.87; max 4 × 3 = 12 nodes = 1291.49
    const nodes = line(e, "pool", "nodes");
    expect(nodes.monthlyUsd).toBe(322.87);
    expect(nodes.detail).toContain("3–12 × e2-standard-4");
    expect(nodes.detail).toContain("$1291.49");
    // 3 nodes × 100 GB × $0.10 (pd-balanced europe-west1) = 30.00
    expect(line(e, "pool", "boot-disks").monthlyUsd).toBe(30);
  });

  it("prices a zonal pool's fixed node count", () => {
    const e = estimate([nodePool("pool", { location: "europe-west1-b", autoscaling: undefined, nodeCount: 2 })]);
    // 2 × $0.14743092 × 730 = 215.25
    expect(line(e, "pool", "nodes").monthlyUsd).toBe(215.25);
  });
});

describe("Cloud Run", () => {
  const service = (name: string, min: number, limits: Record<string, string>, cpuIdle: boolean, location = "europe-west1") =>
    res("gcp:cloudrunv2/service:Service", name, { location, template: { scaling: { minInstanceCount: min, maxInstanceCount: 10 }, containers: [{ image: "x", resources: { cpuIdle, limits } }] } });

  it("keeps request-based min instances warm at the idle rate all month", () => {
    const e = estimate([service("api", 1, { cpu: "2", memory: "1Gi" }, true)]);
    // 1 × (2 vCPU × $0.0000025 + 1 GiB × $0.0000025) × 2,628,000 s = 0.0000075 × 2,628,000 = 19.71
    expect(line(e, "api", "min-instances").monthlyUsd).toBe(19.71);
  });

  it("bills instance-based min instances at the always-allocated rates", () => {
    const e = estimate([service("api", 1, { cpu: "1", memory: "512Mi" }, false)]);
    // 1 × (1 × $0.000018 + 0.5 × $0.000002) × 2,628,000 = 0.000019 × 2,628,000 = 49.93
    expect(line(e, "api", "min-instances").monthlyUsd).toBe(49.93);
  });

  it("bills no min-instance line when the minimum is 0", () => {
    const e = estimate([service("api", 0, { cpu: "1", memory: "512Mi" }, true)]);
    expect(e.lines.filter((l) => l.name === "api")).toEqual([]);
  });

  it("prices requests from the usage profile after the free tier", () => {
    const e = estimate([service("api", 0, { cpu: "1", memory: "512Mi" }, true)], { usage: { cloudRunRequests: assumed(3_000_000, "t"), cloudRunRequestSeconds: assumed(0.2, "t") } });
    // vCPU-s: 3M × 0.2 s × 1 = 600,000 − 180,000 free = 420,000 × $0.000024 = 10.08
    // GiB-s: 3M × 0.2 × 0.5 = 300,000 < 360,000 free = 0
    // requests: 3M − 2M free = 1M × $0.40/M = 0.40 → 10.48
    const l = line(e, "api", "requests");
    expect(l.monthlyUsd).toBe(10.48);
    expect(l.usageKeys).toEqual(["cloudRunRequests", "cloudRunRequestSeconds"]);
  });

  it("lists a tier-2 idle min instance as not priced: its vCPU rate is unconfirmed", () => {
    const e = estimate([service("api", 1, { cpu: "1", memory: "512Mi" }, true, "europe-west3")]);
    const l = e.lines.find((x) => x.name === "api")!;
    expect(l.monthlyUsd).toBeUndefined();
    expect(l.notPriced).toContain("cloudrun.idle_min_instance.vcpu_second.tier2");
  });
});

describe("networking", () => {
  it("bills NAT data only when no VM of the stack uses it", () => {
    const nat = res("gcp:compute/routerNat:RouterNat", "nat", { region: "europe-west1", natIpAllocateOption: "AUTO_ONLY" });
    const e = estimate([nat], { usage: { natDataGb: assumed(10, "t") } });
    // 10 GiB × $0.045 = 0.45
    expect(line(e, "nat", "data").monthlyUsd).toBe(0.45);
    expect(e.lines.some((l) => l.item === "gateway")).toBe(false);
  });

  it("bills the NAT gateway per VM-hour and its IP", () => {
    const nat = res("gcp:compute/routerNat:RouterNat", "nat", { region: "europe-west1", natIpAllocateOption: "AUTO_ONLY" });
    const e = estimate([nat, nodePool("pool")]);
    // (3 VMs × $0.0014 + 1 IP × $0.005) × 730 = 0.0092 × 730 = 6.72
    expect(line(e, "nat", "gateway").monthlyUsd).toBe(6.72);
  });

  it("charges the first 5 forwarding rules $0.025/h and the next $0.01/h", () => {
    const rules = [1, 2, 3, 4, 5, 6].map((i) => res("gcp:compute/globalForwardingRule:GlobalForwardingRule", `fr${i}`, { portRange: "443" }));
    const e = estimate(rules);
    // $0.025 × 730 = 18.25; the sixth: $0.01 × 730 = 7.30
    expect(line(e, "fr5", "rule").monthlyUsd).toBe(18.25);
    expect(line(e, "fr6", "rule").monthlyUsd).toBe(7.3);
  });

  it("bills an external address only when no forwarding rule uses it", () => {
    const used = res("gcp:compute/globalAddress:GlobalAddress", "used", {});
    const idle = res("gcp:compute/globalAddress:GlobalAddress", "idle", {});
    const rule = res("gcp:compute/globalForwardingRule:GlobalForwardingRule", "fr", {}, { dependsOn: [used] });
    const e = estimate([used, idle, rule]);
    expect(line(e, "used", "address").monthlyUsd).toBe(0);
    // $0.01 × 730 = 7.30 (reserved but unused)
    expect(line(e, "idle", "address").monthlyUsd).toBe(7.3);
  });

  it("prices a CDN backend's cached share, the rest as egress, and lists cache fill as not priced", () => {
    const be = res("gcp:compute/backendService:BackendService", "be", { loadBalancingScheme: "EXTERNAL_MANAGED", enableCdn: true });
    const e = estimate([be], { usage: { internetEgressGb: assumed(100, "t"), cdnHitRatio: assumed(0.5, "t"), cloudRunRequests: assumed(1_000_000, "t") } });
    // data processed: 100 GiB × $0.008 = 0.80
    expect(line(e, "be", "data-processed").monthlyUsd).toBe(0.8);
    // egress: 50 GiB × $0.12 = 6.00
    expect(line(e, "be", "egress").monthlyUsd).toBe(6);
    // CDN: 50 GiB × $0.08 + 100 × 10k lookups × $0.0075 = 4.00 + 0.75 = 4.75
    expect(line(e, "be", "cdn").monthlyUsd).toBe(4.75);
    expect(line(e, "be", "cdn-cache-fill").notPriced).toContain("unconfirmed");
  });

  it("prices a CDN backend bucket from the bucket figures of the profile, and says so when the profile has none", () => {
    const bucket = res("gcp:compute/backendBucket:BackendBucket", "images", { bucketName: "b", enableCdn: true });
    const e = estimate([bucket], { usage: { cdnBucketEgressGb: assumed(200, "t"), cdnHitRatio: assumed(0.9, "t"), cdnBucketRequests: assumed(2_000_000, "t") } });
    // 180 GiB × $0.08 + 200 × 10k lookups × $0.0075 = 14.40 + 1.50 = 15.90
    expect(line(e, "images", "cdn").monthlyUsd).toBe(15.9);
    expect(line(e, "images", "cdn-cache-fill").notPriced).toContain("unconfirmed");
    const none = estimate([bucket]);
    expect(line(none, "images", "cdn").notPriced).toMatch(/states no cdnBucketEgressGb/);
    expect(freeReason("gcp:compute/backendBucketSignedUrlKey:BackendBucketSignedUrlKey")).toMatch(/free/);
    expect(freeReason("gcp:storage/hmacKey:HmacKey")).toMatch(/free/);
  });

  it("prices a Cloud Armor policy, its rules (plus the default rule) and requests", () => {
    const p = res("gcp:compute/securityPolicy:SecurityPolicy", "armor", { rules: [{ priority: 1000 }, { priority: 1001 }] });
    const e = estimate([p], { usage: { cloudRunRequests: assumed(1_000_000, "t") } });
    // $5 + 3 rules × $1 + 1M × $0.75/M = 8.75
    expect(line(e, "armor", "policy").monthlyUsd).toBe(8.75);
  });
});

describe("storage, keys, secrets", () => {
  it("prices stored GB by class and location (EU multi-region, region)", () => {
    const eu = res("gcp:storage/bucket:Bucket", "docs", { location: "EU", storageClass: "STANDARD", labels: { data: "documents" } });
    const west = res("gcp:storage/bucket:Bucket", "backups", { location: "europe-west1", storageClass: "NEARLINE", labels: { purpose: "backup" } });
    const e = estimate([eu, west], { usage: { storedGb: { documents: assumed(100, "t"), backup: assumed(100, "t") } } });
    // 100 GB × $0.026 = 2.60; 100 GB × $0.01 = 1.00
    expect(line(e, "docs", "storage").monthlyUsd).toBe(2.6);
    expect(line(e, "backups", "storage").monthlyUsd).toBe(1);
    expect(line(e, "docs", "storage").usageKeys).toEqual(["storedGb.documents"]);
  });

  it("lists a bucket with no stored-GB figure as not priced", () => {
    const b = res("gcp:storage/bucket:Bucket", "x", { location: "EU" });
    expect(line(estimate([b]), "x", "storage").notPriced).toContain('bucket role "x"');
  });

  it("prices KMS key versions, rotated versions included", () => {
    const soft = res("gcp:kms/cryptoKey:CryptoKey", "soft", { rotationPeriod: "7776000s", versionTemplate: { protectionLevel: "SOFTWARE" } });
    const hsm = res("gcp:kms/cryptoKey:CryptoKey", "hsm", { versionTemplate: { protectionLevel: "HSM" } });
    const e = estimate([soft, hsm]);
    // 90-day rotation: 1 + floor(365 / 90) = 5 versions × $0.06 = 0.30; HSM, no rotation: 1 × $1 = 1.00
    expect(line(e, "soft", "key-versions").monthlyUsd).toBe(0.3);
    expect(line(e, "hsm", "key-versions").monthlyUsd).toBe(1);
  });

  it("bills secret versions beyond the 6 free ones", () => {
    const versions = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => res("gcp:secretmanager/secretVersion:SecretVersion", `v${i}`, {}));
    const e = estimate(versions);
    // 8 versions × 1 location − 6 free = 2 × $0.06 = 0.12
    const total = e.lines.filter((l) => l.item === "version").reduce((s, l) => s + l.monthlyUsd!, 0);
    expect(Math.round(total * 100) / 100).toBe(0.12);
    expect(line(e, "v6", "version").monthlyUsd).toBe(0);
    expect(line(e, "v7", "version").monthlyUsd).toBe(0.06);
  });
});

describe("logging and monitoring", () => {
  const logBucket = (name: string, retentionDays = 30) => res("gcp:logging/projectBucketConfig:ProjectBucketConfig", name, { location: "europe-west1", retentionDays });

  it("bills log ingestion beyond the 50 GiB free per project", () => {
    const e = estimate([logBucket("logs")], { usage: { logIngestGib: assumed(80, "t") } });
    // (80 − 50) GiB × $0.50 = 15.00
    expect(line(e, "logs", "ingestion").monthlyUsd).toBe(15);
  });

  it("bills nothing within the free 50 GiB, and lists long retention as not priced", () => {
    const e = estimate([logBucket("logs", 365)], { usage: { logIngestGib: assumed(20, "t") } });
    expect(line(e, "logs", "ingestion").monthlyUsd).toBe(0);
    expect(line(e, "logs", "retention").notPriced).toContain("beyond 30 days");
  });

  it("bills uptime-check executions beyond 1M per project", () => {
    const checks = [1, 2, 3, 4].map((i) => res("gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig", `u${i}`, { period: "60s" }));
    const e = estimate(checks);
    // each: 2,628,000 s / 60 s × 6 regions = 262,800; the fourth brings 1,051,200: 51,200 / 1,000 × $0.30 = 15.36
    expect(line(e, "u3", "executions").monthlyUsd).toBe(0);
    expect(line(e, "u4", "executions").monthlyUsd).toBe(15.36);
  });
});

describe("Memorystore", () => {
  it("prices a Basic instance by capacity band", () => {
    const r = res("gcp:redis/instance:Instance", "cache", { region: "us-central1", memorySizeGb: 5, tier: "BASIC" });
    // 5 GB is band M2: 5 × $0.027 × 730 = 98.55
    expect(line(estimate([r]), "cache", "instance").monthlyUsd).toBe(98.55);
  });

  it("lists a European instance as not priced, naming the missing key", () => {
    const r = res("gcp:redis/instance:Instance", "cache", { region: "europe-west1", memorySizeGb: 5, tier: "BASIC" });
    expect(estimate([r]).lines[0]!.notPriced).toContain("memorystore.redis.basic.M2.gb_hour.europe-west1");
  });
});

describe("what is not priced", () => {
  it("says 'no pricer' for an unknown GCP type, and nothing for a free one", () => {
    const e = estimate([res("gcp:compute/instance:Instance", "vm", {}), res("gcp:compute/firewall:Firewall", "fw", {})]);
    expect(e.lines).toEqual([expect.objectContaining({ name: "vm", notPriced: "no pricer for gcp:compute/instance:Instance" })]);
    expect(freeReason("gcp:compute/firewall:Firewall")).toBe("firewall rules are free");
    expect(freeReason("kubernetes:networking.k8s.io/v1:NetworkPolicy")).toContain("priced through the node pools");
    expect(freeReason("gcp:compute/instance:Instance")).toBeUndefined();
    expect(e.monthlyUsd).toBe(0);
  });

  it("lists Artifact Registry storage as not priced (no vendored price)", () => {
    const e = estimate([res("gcp:artifactregistry/repository:Repository", "repo", { format: "DOCKER", location: "europe-west1" })]);
    expect(line(e, "repo", "storage").notPriced).toContain("no vendored price");
  });

  it("sums only priced lines into the total", () => {
    const e = estimate([sqlInstance("db", { tier: "db-custom-2-7680", availabilityType: "ZONAL" }), res("gcp:compute/instance:Instance", "vm", {})]);
    // 98.62 + 3.40 = 102.02
    expect(e.monthlyUsd).toBe(102.02);
  });
});

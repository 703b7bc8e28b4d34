import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../engine/evaluate";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { GOOGLE_HEALTH_CHECK_RANGES, NETWORK_TYPE, Network, resolveNetworkArgs, type NetworkArgs } from "./index";

const FIREWALL = "gcp:compute/firewall:Firewall";
const SUBNET = "gcp:compute/subnetwork:Subnetwork";
const NETWORK = "gcp:compute/network:Network";
const ADDRESS = "gcp:compute/globalAddress:GlobalAddress";
const CONNECTION = "gcp:servicenetworking/connection:Connection";
const ROUTER = "gcp:compute/router:Router";
const NAT = "gcp:compute/routerNat:RouterNat";

const base: NetworkArgs = {
  region: "europe-west1",
  subnets: { app: { ipCidrRange: "10.10.0.0/20" } },
};

const full: NetworkArgs = {
  region: "europe-west1",
  project: "qf-prod",
  labels: { platform: "quickfund" },
  subnets: {
    app: { ipCidrRange: "10.10.0.0/20" },
    gke: { ipCidrRange: "10.10.16.0/20", secondaryRanges: { pods: "10.20.0.0/16", services: "10.30.0.0/20" } },
  },
  privateServicesAccess: { address: "10.100.0.0" },
  ingressRules: { https: { sourceRanges: ["0.0.0.0/0"], ports: ["443"], targetTags: ["web"] } },
};

/** Resolving must throw a ComponentArgsError naming the component and matching `pattern`. */
function expectArgsError(args: NetworkArgs, pattern: RegExp): void {
  let caught: unknown;
  try {
    resolveNetworkArgs("net", args);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ComponentArgsError);
  expect((caught as Error).message).toMatch(/^platform:gcp:Network "net": /);
  expect((caught as Error).message).toMatch(pattern);
}

describe("Network", () => {
  it("produces the expected inventory, all parented to the component", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", full);
    });
    expect(plan.counts()).toEqual({
      [NETWORK_TYPE]: 1,
      [ADDRESS]: 1,
      [FIREWALL]: 3,
      [NETWORK]: 1,
      [NAT]: 1,
      [ROUTER]: 1,
      [SUBNET]: 2,
      [CONNECTION]: 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one(NETWORK_TYPE, "qf");
    const children = plan.children(component.urn).map((r) => r.name).sort();
    expect(children).toEqual(
      ["qf-allow-health-checks", "qf-allow-https", "qf-allow-internal", "qf-app", "qf-gke", "qf-nat", "qf-psa", "qf-psa-range", "qf-router", "qf-vpc"].sort(),
    );
  });

  it("creates a custom-mode, regional-routing VPC", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", base);
    });
    expect(plan.one(NETWORK).inputs).toMatchObject({ autoCreateSubnetworks: false, routingMode: "REGIONAL", deleteDefaultRoutesOnCreate: false });
  });

  it("makes every subnet private, in the region, with Private Google Access, flow logs and its secondary ranges", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", full);
    });
    for (const subnet of plan.ofType(SUBNET)) {
      expect(subnet.inputs).toMatchObject({
        region: "europe-west1",
        project: "qf-prod",
        privateIpGoogleAccess: true,
        stackType: "IPV4_ONLY",
        logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
      });
    }
    expect(plan.one(SUBNET, "qf-gke").inputs.secondaryIpRanges).toEqual([
      { rangeName: "pods", ipCidrRange: "10.20.0.0/16" },
      { rangeName: "services", ipCidrRange: "10.30.0.0/20" },
    ]);
    expect(plan.one(SUBNET, "qf-app").inputs.secondaryIpRanges).toEqual([]);
  });

  it("sets up private services access for Cloud SQL, labelled, with a connection a database can depend on", async () => {
    const { plan } = await runProgram(() => {
      const net = new Network("qf", full);
      new gcp.sql.DatabaseInstance("db", { databaseVersion: "POSTGRES_16", settings: { tier: "db-custom-1-3840" } }, { dependsOn: [net.privateServicesConnection] });
    });
    const range = plan.one(ADDRESS, "qf-psa-range");
    expect(range.inputs).toMatchObject({ purpose: "VPC_PEERING", addressType: "INTERNAL", address: "10.100.0.0", prefixLength: 16, labels: { platform: "quickfund" } });
    const connection = plan.one(CONNECTION, "qf-psa");
    expect(connection.inputs).toMatchObject({ service: "servicenetworking.googleapis.com", deletionPolicy: "PREVENT" });
    expect(connection.dependencies).toContain(range.urn);
    expect(plan.one("gcp:sql/databaseInstance:DatabaseInstance").dependencies).toContain(connection.urn);
  });

  it("routes the subnets' egress through a Cloud NAT that logs errors", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", full);
    });
    const router = plan.one(ROUTER, "qf-router");
    const nat = plan.one(NAT, "qf-nat");
    expect(router.inputs.region).toBe("europe-west1");
    expect(nat.inputs).toMatchObject({
      region: "europe-west1",
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    });
    expect(nat.inputs.natIps).toBeUndefined();
    expect(nat.inputs.subnetworks).toHaveLength(2);
    expect(nat.dependencies).toContain(router.urn);
    for (const s of plan.ofType(SUBNET)) expect(nat.dependencies).toContain(s.urn);
  });

  it("uses reserved NAT IPs (MANUAL_ONLY) when given", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", { ...base, nat: { natIps: ["projects/p/regions/europe-west1/addresses/egress"], logFilter: "ALL" } });
    });
    expect(plan.one(NAT).inputs).toMatchObject({
      natIpAllocateOption: "MANUAL_ONLY",
      natIps: ["projects/p/regions/europe-west1/addresses/egress"],
      logConfig: { enable: true, filter: "ALL" },
    });
  });

  it("allows internal traffic from every subnet range and health checks from Google's probers only", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", full);
    });
    const internal = plan.one(FIREWALL, "qf-allow-internal");
    expect(internal.inputs).toMatchObject({ direction: "INGRESS", logConfig: { metadata: "EXCLUDE_ALL_METADATA" } });
    expect(internal.inputs.sourceRanges).toEqual(["10.10.0.0/20", "10.10.16.0/20", "10.20.0.0/16", "10.30.0.0/20"]);
    expect(internal.inputs.allows).toEqual([{ protocol: "tcp" }, { protocol: "udp" }, { protocol: "icmp" }]);
    const hc = plan.one(FIREWALL, "qf-allow-health-checks");
    expect(hc.inputs.sourceRanges).toEqual(["35.191.0.0/16", "130.211.0.0/22"]);
    expect(hc.inputs.allows).toEqual([{ protocol: "tcp", ports: ["80", "443"] }]);
  });

  it("opens nothing to 0.0.0.0/0 by default", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", base);
    });
    expect(plan.ofType(FIREWALL)).toHaveLength(2);
    for (const fw of plan.ofType(FIREWALL)) {
      expect(fw.inputs.direction).toBe("INGRESS");
      for (const range of fw.inputs.sourceRanges as string[]) expect(range.endsWith("/0")).toBe(false);
    }
  });

  it("accepts HTTPS from anywhere as an explicit extra rule", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", full);
    });
    expect(plan.one(FIREWALL, "qf-allow-https").inputs).toMatchObject({
      sourceRanges: ["0.0.0.0/0"],
      allows: [{ protocol: "tcp", ports: ["443"] }],
      targetTags: ["web"],
      priority: 1000,
    });
  });

  it("drops the health-check rule for an empty port list and firewall logs when turned off", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", { ...base, healthCheckPorts: [], firewallLogging: false });
    });
    expect(plan.ofType(FIREWALL).map((f) => f.name)).toEqual(["qf-allow-internal"]);
    expect(plan.one(FIREWALL).inputs.logConfig).toBeUndefined();
  });

  it("protects the VPC, subnets and private services access by default, not the disposable parts", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", base);
    });
    for (const type of [NETWORK, SUBNET, ADDRESS, CONNECTION]) expect(plan.one(type).options.protect, type).toBe(true);
    for (const r of [plan.one(ROUTER), plan.one(NAT), ...plan.ofType(FIREWALL)]) expect(r.options.protect, r.name).toBe(false);
  });

  it("without deletion protection, unprotects and lets the connection be abandoned on destroy", async () => {
    const { plan } = await runProgram(() => {
      new Network("qf", { ...base, deletionProtection: false });
    });
    for (const type of [NETWORK, SUBNET, ADDRESS, CONNECTION]) expect(plan.one(type).options.protect, type).toBe(false);
    expect(plan.one(CONNECTION).inputs.deletionPolicy).toBe("ABANDON");
  });

  it("exposes network and subnet outputs (unknown in a fresh preview)", async () => {
    const { evaluation } = await runProgram(() => {
      const net = new Network("qf", base);
      return { networkId: net.networkId, subnets: net.subnetSelfLinks, range: net.privateServicesRangeName, nat: net.natName };
    });
    expect(evaluation.outputs).toEqual({ networkId: UNKNOWN, subnets: UNKNOWN, range: UNKNOWN, nat: UNKNOWN });
  });

  describe("resolveNetworkArgs defaults", () => {
    const r = resolveNetworkArgs("net", base);
    it("deletion protection on", () => expect(r.deletionProtection).toBe(true));
    it("no labels", () => expect(r.labels).toEqual({}));
    it("flow logs at the API defaults", () =>
      expect(r.flowLogs).toEqual({ aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" }));
    it("a /16 private services range chosen by Google", () => expect(r.privateServicesAccess).toEqual({ address: undefined, prefixLength: 16 }));
    it("NAT logs errors only, automatic IPs", () => expect(r.nat).toEqual({ logFilter: "ERRORS_ONLY", natIps: [] }));
    it("health checks on 80 and 443", () => expect(r.healthCheckPorts).toEqual(["80", "443"]));
    it("no extra ingress rule", () => expect(r.ingressRules).toEqual({}));
    it("firewall logging on", () => expect(r.firewallLogging).toBe(true));
    it("no secondary ranges", () => expect(r.subnets.app.secondaryRanges).toEqual({}));
    it("extra rules default to tcp, priority 1000, all targets", () =>
      expect(resolveNetworkArgs("net", { ...base, ingressRules: { vpn: { sourceRanges: ["203.0.113.0/24"], ports: ["22"] } } }).ingressRules.vpn).toEqual({
        sourceRanges: ["203.0.113.0/24"],
        protocol: "tcp",
        ports: ["22"],
        targetTags: [],
        priority: 1000,
      }));
    it("health-check ranges are Google's probers", () => expect(GOOGLE_HEALTH_CHECK_RANGES).toEqual(["35.191.0.0/16", "130.211.0.0/22"]));
  });

  describe("loud errors", () => {
    const world = (rule: Partial<NonNullable<NetworkArgs["ingressRules"]>[string]>): NetworkArgs => ({
      ...base,
      ingressRules: { bad: { sourceRanges: ["0.0.0.0/0"], ports: ["22"], ...rule } },
    });
    it("SSH from 0.0.0.0/0", () => expectArgsError(world({}), /ingressRules\.bad: source range 0\.0\.0\.0\/0 is only allowed for tcp ports 80\/443/));
    it("a non-web port next to 443 from 0.0.0.0/0", () => expectArgsError(world({ ports: ["443", "8080"] }), /only allowed for tcp ports 80\/443/));
    it("UDP 443 from 0.0.0.0/0", () => expectArgsError(world({ ports: ["443"], protocol: "udp" }), /not udp 443/));
    it("a port range covering 443 from 0.0.0.0/0", () => expectArgsError(world({ ports: ["1-65535"] }), /only allowed for tcp ports 80\/443/));
    it("::/0 counts as the whole internet", () => expectArgsError(world({ sourceRanges: ["::/0"] }), /source range ::\/0 is only allowed/));
    it("0.0.0.0/0 hidden among other ranges", () => expectArgsError(world({ sourceRanges: ["203.0.113.0/24", "0.0.0.0/0"] }), /source range 0\.0\.0\.0\/0/));
    it("a rule without ports", () => expectArgsError(world({ sourceRanges: ["203.0.113.0/24"], ports: [] }), /ingressRules\.bad\.ports: at least one port/));
    it("a rule named like a built-in one", () =>
      expectArgsError({ ...base, ingressRules: { internal: { sourceRanges: ["203.0.113.0/24"], ports: ["22"] } } }, /other than "internal"/));
    it("no subnet", () => expectArgsError({ ...base, subnets: {} }, /subnets: at least one private subnet/));
    it("a public subnet range", () => expectArgsError({ ...base, subnets: { app: { ipCidrRange: "8.8.0.0/16" } } }, /subnets\.app\.ipCidrRange: "8\.8\.0\.0\/16" is not private/));
    it("a subnet range of 0.0.0.0/0", () => expectArgsError({ ...base, subnets: { app: { ipCidrRange: "0.0.0.0/0" } } }, /is not private/));
    it("host bits set", () => expectArgsError({ ...base, subnets: { app: { ipCidrRange: "10.10.0.1/20" } } }, /host bits set/));
    it("not a CIDR", () => expectArgsError({ ...base, subnets: { app: { ipCidrRange: "10.10.0.0" } } }, /is not an IPv4 CIDR range/));
    it("overlapping subnets", () =>
      expectArgsError(
        { ...base, subnets: { app: { ipCidrRange: "10.10.0.0/16" }, gke: { ipCidrRange: "10.10.16.0/20" } } },
        /subnets\.gke\.ipCidrRange: "10\.10\.16\.0\/20" overlaps subnets\.app\.ipCidrRange/,
      ));
    it("a secondary range overlapping a primary one", () =>
      expectArgsError({ ...base, subnets: { app: { ipCidrRange: "10.10.0.0/20", secondaryRanges: { pods: "10.10.8.0/21" } } } }, /secondaryRanges\.pods.*overlaps/));
    it("a private services range overlapping a subnet", () =>
      expectArgsError({ ...base, privateServicesAccess: { address: "10.0.0.0", prefixLength: 12 } }, /privateServicesAccess: "10\.0\.0\.0\/12" overlaps/));
    it("a private services range smaller than /24", () =>
      expectArgsError({ ...base, privateServicesAccess: { prefixLength: 25 } }, /prefixLength must be an integer from 8 to 24/));
    it("an invalid region", () => expectArgsError({ ...base, region: "europe" }, /region "europe" is not a GCP region/));
    it("an invalid subnet key", () => expectArgsError({ ...base, subnets: { App_1: { ipCidrRange: "10.10.0.0/20" } } }, /subnet keys must be lowercase/));
    it("flow sampling of 0", () => expectArgsError({ ...base, flowLogs: { flowSampling: 0 } }, /flowSampling must be in \(0, 1\]/));
    it("an invalid health-check port", () => expectArgsError({ ...base, healthCheckPorts: ["http"] }, /healthCheckPorts: "http" is not a port/));
    it("surfaces through the constructor before any child is created", async () => {
      await expect(runProgram(() => new Network("qf", world({})))).rejects.toThrow(/platform:gcp:Network "qf": ingressRules\.bad/);
    });
  });
});

/**
 * A private, custom-mode VPC for one region: private subnets (Private Google Access, flow logs,
 * optional secondary ranges for GKE), private services access for Cloud SQL, Cloud Router + Cloud
 * NAT for outbound calls to third parties, and a minimal set of ingress firewall rules that never
 * opens a port to the whole internet (except 80/443 when a caller asks for it explicitly).
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, statefulChildOptions, type CommonArgs, type Labels } from "../../common/conventions";

export const NETWORK_TYPE = "platform:gcp:Network";

/**
 * Google's load-balancer and health-check probers. Source: Google Cloud docs, "Health checks
 * overview" → "Probe IP ranges and firewall rules" (also given in the task brief).
 */
export const GOOGLE_HEALTH_CHECK_RANGES: readonly string[] = Object.freeze(["35.191.0.0/16", "130.211.0.0/22"]);

/** The only ports that may be opened to 0.0.0.0/0: HTTP and HTTPS in front of a load balancer. */
export const WORLD_OPEN_PORTS: readonly string[] = Object.freeze(["80", "443"]);

/** Address space a subnet may use: RFC 1918 plus RFC 6598 (often used for GKE pods). */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** A private subnet in the component's region. */
export interface SubnetArgs {
  /** Primary IPv4 range, inside RFC 1918 or RFC 6598 space, e.g. `10.10.0.0/20`. */
  ipCidrRange: string;
  /**
   * Secondary ranges by name, for a later VPC-native GKE cluster
   * (`{ pods: "10.20.0.0/16", services: "10.30.0.0/20" }`). The names are used verbatim.
   * @default {}
   */
  secondaryRanges?: Record<string, string>;
}

/** VPC flow logs settings, applied to every subnet (flow logs are always on). */
export interface FlowLogsArgs {
  /**
   * Aggregation interval of flow records.
   * @default "INTERVAL_5_SEC" (the API default)
   */
  aggregationInterval?: "INTERVAL_5_SEC" | "INTERVAL_30_SEC" | "INTERVAL_1_MIN" | "INTERVAL_5_MIN" | "INTERVAL_10_MIN" | "INTERVAL_15_MIN";
  /**
   * Fraction of flows reported, between 0 and 1.
   * @default 0.5 (the API default)
   */
  flowSampling?: number;
  /**
   * Metadata added to each record.
   * @default "INCLUDE_ALL_METADATA" (the API default)
   */
  metadata?: "INCLUDE_ALL_METADATA" | "EXCLUDE_ALL_METADATA";
}

/** Private services access: the range Google's producers (Cloud SQL, Memorystore) allocate from. */
export interface PrivateServicesAccessArgs {
  /**
   * First address of the allocated range (e.g. `10.100.0.0`). Set it in production so the range
   * is known and cannot collide with a future peering.
   * @default undefined (Google picks a free range of `prefixLength`)
   */
  address?: string;
  /**
   * Prefix length of the allocated range. Cloud SQL needs at least a /24; Google recommends /16.
   * @default 16
   */
  prefixLength?: number;
}

/** Cloud NAT: outbound internet for private workloads (Stripe, Twilio) without public IPs. */
export interface NatArgs {
  /**
   * Which NAT events are logged.
   * @default "ERRORS_ONLY"
   */
  logFilter?: "ERRORS_ONLY" | "TRANSLATIONS_ONLY" | "ALL";
  /**
   * Self links of reserved static external addresses. When given, NAT uses only these
   * (`MANUAL_ONLY`), so a partner can allowlist the egress IPs.
   * @default [] (Google allocates the NAT IPs: `AUTO_ONLY`)
   */
  natIps?: string[];
}

/** An extra ingress allow rule. Ranges of 0.0.0.0/0 are refused except for TCP 80/443. */
export interface IngressRuleArgs {
  /** Source IPv4 ranges (CIDR). */
  sourceRanges: string[];
  /**
   * Protocol allowed.
   * @default "tcp"
   */
  protocol?: "tcp" | "udp";
  /** Ports or port ranges (`"8080"`, `"9000-9010"`); at least one: a rule never opens every port. */
  ports: string[];
  /**
   * Network tags of the instances the rule applies to.
   * @default [] (every instance of the network)
   */
  targetTags?: string[];
  /**
   * Rule priority (0–65535, lower wins).
   * @default 1000
   */
  priority?: number;
}

export interface NetworkArgs extends CommonArgs {
  /** Region of the subnets, router and NAT, e.g. `europe-west1` (the stack's region). */
  region: string;
  /**
   * Project of every child.
   * @default the provider's project
   */
  project?: string;
  /** Private subnets by short name (`app`, `gke`); at least one. Names are lowercase RFC 1035. */
  subnets: Record<string, SubnetArgs>;
  /**
   * VPC flow logs settings (flow logs are always on).
   * @default {} (API defaults: 5 s aggregation, 0.5 sampling, all metadata)
   */
  flowLogs?: FlowLogsArgs;
  /**
   * Private services access for Cloud SQL.
   * @default { prefixLength: 16 } with an address chosen by Google
   */
  privateServicesAccess?: PrivateServicesAccessArgs;
  /**
   * Cloud NAT settings.
   * @default { logFilter: "ERRORS_ONLY", natIps: [] }
   */
  nat?: NatArgs;
  /**
   * TCP ports Google's health checkers may reach on every instance. An empty list creates no rule.
   * @default ["80", "443"]
   */
  healthCheckPorts?: string[];
  /**
   * Extra ingress allow rules by short name (the rule is named `${name}-allow-<key>`).
   * @default {}
   */
  ingressRules?: Record<string, IngressRuleArgs>;
  /**
   * Firewall rules logging (metadata excluded to keep the volume down).
   * @default true
   */
  firewallLogging?: boolean;
}

export interface ResolvedSubnet {
  ipCidrRange: string;
  secondaryRanges: Record<string, string>;
}

export interface ResolvedIngressRule {
  sourceRanges: string[];
  protocol: "tcp" | "udp";
  ports: string[];
  targetTags: string[];
  priority: number;
}

export interface ResolvedNetworkArgs {
  region: string;
  project?: string;
  labels: Labels;
  deletionProtection: boolean;
  subnets: Record<string, ResolvedSubnet>;
  flowLogs: Required<FlowLogsArgs>;
  privateServicesAccess: { address?: string; prefixLength: number };
  nat: Required<NatArgs>;
  healthCheckPorts: string[];
  ingressRules: Record<string, ResolvedIngressRule>;
  firewallLogging: boolean;
  /** Every primary and secondary subnet range: the sources of the internal-traffic rule. */
  internalRanges: string[];
}

// ---- IPv4 helpers (no dependency: a CIDR is 32 bits and a prefix length) ----

interface Cidr {
  text: string;
  start: number;
  prefix: number;
}

function parseIpv4(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function parseCidr(text: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const start = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (start === undefined || prefix > 32) return undefined;
  return { text, start, prefix };
}

function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** GCP rejects a range whose host bits are set (`10.0.0.1/24`). */
function isCanonical(c: Cidr): boolean {
  return c.start % size(c) === 0;
}

function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.start >= outer.start && inner.start + size(inner) <= outer.start + size(outer);
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return a.start < b.start + size(b) && b.start < a.start + size(a);
}

const PRIVATE_CIDRS = PRIVATE_RANGES.map((r) => parseCidr(r)!);
const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PORT = /^\d{1,5}(-\d{1,5})?$/;

function validPort(p: string): boolean {
  if (!PORT.test(p)) return false;
  const [lo, hi = lo] = p.split("-").map(Number);
  return lo >= 1 && hi <= 65535 && lo <= hi;
}

/** True for a range that means "anywhere": 0.0.0.0/0, ::/0, or any other /0. */
function isWorld(range: string): boolean {
  return range.trim().endsWith("/0");
}

/** Applies the defaults and refuses contradictions; the constructor builds only from its result. */
export function resolveNetworkArgs(name: string, args: NetworkArgs): ResolvedNetworkArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(NETWORK_TYPE, name, detail);
  };
  if (!args.region || !/^[a-z]+-[a-z]+\d+$/.test(args.region)) fail(`region "${args.region}" is not a GCP region such as "europe-west1"`);

  const subnetEntries = Object.entries(args.subnets ?? {});
  if (subnetEntries.length === 0) fail("subnets: at least one private subnet is required");

  // Every range the network will own, to refuse overlaps before GCP does (mid-deployment).
  const owned: { label: string; cidr: Cidr }[] = [];
  const claim = (label: string, text: string, { mustBePrivate }: { mustBePrivate: boolean }): void => {
    const cidr = parseCidr(text);
    if (!cidr) return fail(`${label}: "${text}" is not an IPv4 CIDR range`);
    if (!isCanonical(cidr)) fail(`${label}: "${text}" has host bits set; use the network address of the range`);
    if (mustBePrivate && !PRIVATE_CIDRS.some((p) => contains(p, cidr))) {
      fail(`${label}: "${text}" is not private address space (${PRIVATE_RANGES.join(", ")})`);
    }
    const clash = owned.find((o) => overlaps(o.cidr, cidr));
    if (clash) fail(`${label}: "${text}" overlaps ${clash.label} "${clash.cidr.text}"`);
    owned.push({ label, cidr });
  };

  const subnets: Record<string, ResolvedSubnet> = {};
  for (const [key, subnet] of subnetEntries) {
    if (!RFC1035.test(key) || key.length > 30) fail(`subnets.${key}: subnet keys must be lowercase RFC 1035 names of at most 30 characters`);
    claim(`subnets.${key}.ipCidrRange`, subnet.ipCidrRange, { mustBePrivate: true });
    const secondaryRanges = { ...(subnet.secondaryRanges ?? {}) };
    for (const [rangeName, range] of Object.entries(secondaryRanges)) {
      if (!RFC1035.test(rangeName) || rangeName.length > 63) fail(`subnets.${key}.secondaryRanges.${rangeName}: range names must be lowercase RFC 1035 names`);
      claim(`subnets.${key}.secondaryRanges.${rangeName}`, range, { mustBePrivate: true });
    }
    subnets[key] = { ipCidrRange: subnet.ipCidrRange, secondaryRanges };
  }
  const internalRanges = owned.map((o) => o.cidr.text);

  const flowLogs: Required<FlowLogsArgs> = {
    aggregationInterval: args.flowLogs?.aggregationInterval ?? "INTERVAL_5_SEC",
    flowSampling: args.flowLogs?.flowSampling ?? 0.5,
    metadata: args.flowLogs?.metadata ?? "INCLUDE_ALL_METADATA",
  };
  if (!(flowLogs.flowSampling > 0 && flowLogs.flowSampling <= 1)) {
    fail(`flowLogs.flowSampling must be in (0, 1]; ${flowLogs.flowSampling} would switch flow logs off in practice`);
  }

  // Google Cloud docs, Cloud SQL "Learn about using private IP" → "Allocated range size":
  // "The minimum size is a single /24 block (256 addresses), but the recommended size is a /16 block".
  const psaPrefix = args.privateServicesAccess?.prefixLength ?? 16;
  if (!Number.isInteger(psaPrefix) || psaPrefix < 8 || psaPrefix > 24) {
    fail(`privateServicesAccess.prefixLength must be an integer from 8 to 24 (Cloud SQL needs at least a /24), got ${psaPrefix}`);
  }
  const psaAddress = args.privateServicesAccess?.address;
  if (psaAddress !== undefined) {
    claim("privateServicesAccess", `${psaAddress}/${psaPrefix}`, { mustBePrivate: true });
  }

  const nat: Required<NatArgs> = {
    logFilter: args.nat?.logFilter ?? "ERRORS_ONLY",
    natIps: [...(args.nat?.natIps ?? [])],
  };

  const healthCheckPorts = [...(args.healthCheckPorts ?? ["80", "443"])];
  for (const p of healthCheckPorts) if (!validPort(p)) fail(`healthCheckPorts: "${p}" is not a port or port range`);

  const ingressRules: Record<string, ResolvedIngressRule> = {};
  for (const [key, rule] of Object.entries(args.ingressRules ?? {})) {
    const where = `ingressRules.${key}`;
    // `internal` and `health-checks` are the component's own rules.
    if (!RFC1035.test(key) || key.length > 30 || key === "internal" || key === "health-checks") {
      fail(`${where}: rule keys must be lowercase RFC 1035 names of at most 30 characters, other than "internal" and "health-checks"`);
    }
    const protocol = rule.protocol ?? "tcp";
    const ports = [...(rule.ports ?? [])];
    if (ports.length === 0) fail(`${where}.ports: at least one port is required; a rule never opens every port`);
    for (const p of ports) if (!validPort(p)) fail(`${where}.ports: "${p}" is not a port or port range`);
    const sourceRanges = [...(rule.sourceRanges ?? [])];
    if (sourceRanges.length === 0) fail(`${where}.sourceRanges: at least one source range is required`);
    for (const range of sourceRanges) {
      if (isWorld(range)) {
        // Policy: nothing is open to the internet except HTTP(S) in front of a load balancer.
        if (protocol !== "tcp" || !ports.every((p) => WORLD_OPEN_PORTS.includes(p))) {
          fail(`${where}: source range ${range} is only allowed for tcp ports ${WORLD_OPEN_PORTS.join("/")}, not ${protocol} ${ports.join(",")}`);
        }
        continue;
      }
      const cidr = parseCidr(range);
      if (!cidr) fail(`${where}.sourceRanges: "${range}" is not an IPv4 CIDR range (the network is IPv4 only)`);
    }
    const priority = rule.priority ?? 1000;
    if (!Number.isInteger(priority) || priority < 0 || priority > 65535) fail(`${where}.priority must be an integer from 0 to 65535`);
    ingressRules[key] = { sourceRanges, protocol, ports, targetTags: [...(rule.targetTags ?? [])], priority };
  }

  return {
    region: args.region,
    project: args.project,
    labels: mergeLabels(args.labels),
    deletionProtection: args.deletionProtection ?? true,
    subnets,
    flowLogs,
    privateServicesAccess: { address: psaAddress, prefixLength: psaPrefix },
    nat,
    healthCheckPorts,
    ingressRules,
    firewallLogging: args.firewallLogging ?? true,
    internalRanges,
  };
}

export class Network extends pulumi.ComponentResource {
  /** `projects/<p>/global/networks/<n>`. */
  public readonly networkId: pulumi.Output<string>;
  public readonly networkSelfLink: pulumi.Output<string>;
  public readonly networkName: pulumi.Output<string>;
  /** Subnet self links by subnet key (what GKE and Cloud Run direct egress take). */
  public readonly subnetSelfLinks: pulumi.Output<Record<string, string>>;
  /** Subnet ids by subnet key. */
  public readonly subnetIds: pulumi.Output<Record<string, string>>;
  /**
   * The private services connection. A Cloud SQL instance with a private IP must depend on it
   * (`dependsOn: [network.privateServicesConnection]`), or its creation races the peering.
   */
  public readonly privateServicesConnection: gcp.servicenetworking.Connection;
  /** Name of the allocated range (Cloud SQL `ipConfiguration.allocatedIpRange`). */
  public readonly privateServicesRangeName: pulumi.Output<string>;
  public readonly routerName: pulumi.Output<string>;
  public readonly natName: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NETWORK_TYPE, name, {}, opts);
    const r = resolveNetworkArgs(name, args);
    const project = r.project;
    // The network, its subnets and the private services range are what the database and the
    // cluster hang on: replacing one cuts them off, so they follow deletion protection.
    const stateful = statefulChildOptions(this, r.deletionProtection);

    const network = new gcp.compute.Network(
      `${name}-vpc`,
      {
        project,
        autoCreateSubnetworks: false,
        routingMode: "REGIONAL",
        // NAT needs the default internet route; the firewall, not the routes, keeps ingress closed.
        deleteDefaultRoutesOnCreate: false,
        description: `Private VPC ${name} (managed by Pulumi)`,
      },
      stateful,
    );

    const subnets: Record<string, gcp.compute.Subnetwork> = {};
    for (const [key, subnet] of Object.entries(r.subnets)) {
      subnets[key] = new gcp.compute.Subnetwork(
        `${name}-${key}`,
        {
          project,
          region: r.region,
          network: network.id,
          ipCidrRange: subnet.ipCidrRange,
          stackType: "IPV4_ONLY",
          privateIpGoogleAccess: true,
          logConfig: { ...r.flowLogs },
          secondaryIpRanges: Object.entries(subnet.secondaryRanges).map(([rangeName, ipCidrRange]) => ({ rangeName, ipCidrRange })),
        },
        stateful,
      );
    }

    const psaRange = new gcp.compute.GlobalAddress(
      `${name}-psa-range`,
      {
        project,
        network: network.id,
        purpose: "VPC_PEERING",
        addressType: "INTERNAL",
        ...(r.privateServicesAccess.address !== undefined ? { address: r.privateServicesAccess.address } : {}),
        prefixLength: r.privateServicesAccess.prefixLength,
        labels: r.labels,
        description: "Private services access range (Cloud SQL)",
      },
      stateful,
    );
    this.privateServicesConnection = new gcp.servicenetworking.Connection(
      `${name}-psa`,
      {
        network: network.id,
        service: "servicenetworking.googleapis.com",
        reservedPeeringRanges: [psaRange.name],
        // With protection off (disposable stacks), ABANDON lets a destroy finish: the API refuses
        // to delete the connection for days after the Cloud SQL instance is gone
        // (hashicorp/terraform-provider-google#16275).
        deletionPolicy: r.deletionProtection ? "PREVENT" : "ABANDON",
      },
      stateful,
    );

    const router = new gcp.compute.Router(
      `${name}-router`,
      { project, region: r.region, network: network.id, description: `Cloud NAT router of ${name}` },
      { parent: this },
    );
    const nat = new gcp.compute.RouterNat(
      `${name}-nat`,
      {
        project,
        region: r.region,
        router: router.name,
        natIpAllocateOption: r.nat.natIps.length > 0 ? "MANUAL_ONLY" : "AUTO_ONLY",
        ...(r.nat.natIps.length > 0 ? { natIps: r.nat.natIps } : {}),
        // Only this component's subnets (primary and secondary ranges, i.e. GKE pods too).
        sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
        subnetworks: Object.values(subnets).map((s) => ({ name: s.selfLink, sourceIpRangesToNats: ["ALL_IP_RANGES"] })),
        logConfig: { enable: true, filter: r.nat.logFilter },
      },
      { parent: this },
    );

    const logConfig = r.firewallLogging ? { logConfig: { metadata: "EXCLUDE_ALL_METADATA" } } : {};
    new gcp.compute.Firewall(
      `${name}-allow-internal`,
      {
        project,
        network: network.id,
        direction: "INGRESS",
        priority: 1000,
        sourceRanges: r.internalRanges,
        allows: [{ protocol: "tcp" }, { protocol: "udp" }, { protocol: "icmp" }],
        description: "Traffic between the subnets' primary and secondary ranges",
        ...logConfig,
      },
      { parent: this },
    );
    if (r.healthCheckPorts.length > 0) {
      new gcp.compute.Firewall(
        `${name}-allow-health-checks`,
        {
          project,
          network: network.id,
          direction: "INGRESS",
          priority: 1000,
          sourceRanges: [...GOOGLE_HEALTH_CHECK_RANGES],
          allows: [{ protocol: "tcp", ports: r.healthCheckPorts }],
          description: "Google load-balancer health checks",
          ...logConfig,
        },
        { parent: this },
      );
    }
    for (const [key, rule] of Object.entries(r.ingressRules)) {
      new gcp.compute.Firewall(
        `${name}-allow-${key}`,
        {
          project,
          network: network.id,
          direction: "INGRESS",
          priority: rule.priority,
          sourceRanges: rule.sourceRanges,
          allows: [{ protocol: rule.protocol, ports: rule.ports }],
          ...(rule.targetTags.length > 0 ? { targetTags: rule.targetTags } : {}),
          ...logConfig,
        },
        { parent: this },
      );
    }

    this.networkId = network.id;
    this.networkSelfLink = network.selfLink;
    this.networkName = network.name;
    this.subnetSelfLinks = pulumi.all(mapValues(subnets, (s) => s.selfLink));
    this.subnetIds = pulumi.all(mapValues(subnets, (s) => s.id));
    this.privateServicesRangeName = psaRange.name;
    this.routerName = router.name;
    this.natName = nat.name;

    this.registerOutputs({
      networkId: this.networkId,
      networkSelfLink: this.networkSelfLink,
      networkName: this.networkName,
      subnetSelfLinks: this.subnetSelfLinks,
      subnetIds: this.subnetIds,
      privateServicesConnection: this.privateServicesConnection.id,
      privateServicesRangeName: this.privateServicesRangeName,
      routerName: this.routerName,
      natName: this.natName,
    });
  }
}

function mapValues<T, U>(obj: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, f(v)]));
}

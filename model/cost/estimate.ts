/**
 * `estimateStackCost`: a stack's monthly list-price estimate from its recorded plan, the upstream
 * stack's resources (for in-cluster workloads on a shared cluster) and the platform's usage profile.
 *
 * Each resource type has a pricer (pricers/<family>.ts) or is in FREE_TYPES with the reason it costs
 * nothing; any other GCP type gets a "not priced: no pricer for <type>" line, never a silent zero.
 * A pricer that hits a refused price (PriceError) yields a not-priced line naming the key.
 */
import type { RecordedResource } from "../plan-values";
import { PriceError, VENDORED_PRICES, type PriceTables } from "./prices";
import { priceSecurityPolicy } from "./pricers/armor";
import { priceRepository } from "./pricers/artifact-registry";
import { priceCdn, priceCdnBackendBucket } from "./pricers/cdn";
import { priceCloudRun } from "./pricers/cloud-run";
import { priceCloudSql } from "./pricers/cloud-sql";
import { notPriced, round2, type Pricer, type PricingContext } from "./pricers/common";
import { priceAddress, priceBackendService, priceForwardingRule, priceRouterNat } from "./pricers/compute-network";
import { priceBucket } from "./pricers/gcs";
import { priceCluster, priceNodePool } from "./pricers/gke";
import { priceCryptoKey } from "./pricers/kms";
import { priceLogBucket } from "./pricers/logging";
import { priceRedisCluster, priceRedisInstance } from "./pricers/memorystore";
import { priceAlertPolicy, priceUptimeCheck } from "./pricers/monitoring";
import { priceSecretVersion } from "./pricers/secret-manager";
import { priceWorkloads } from "./pricers/workloads";
import type { CostEstimate, CostLine } from "./types";
import { provenance, type UsageProfile } from "./usage";

/** The pricer of each priced type. */
export const PRICERS: Readonly<Record<string, Pricer>> = {
  "gcp:sql/databaseInstance:DatabaseInstance": priceCloudSql,
  "gcp:container/cluster:Cluster": priceCluster,
  "gcp:container/nodePool:NodePool": priceNodePool,
  "gcp:cloudrunv2/service:Service": priceCloudRun,
  "gcp:compute/routerNat:RouterNat": priceRouterNat,
  "gcp:compute/globalAddress:GlobalAddress": priceAddress,
  "gcp:compute/address:Address": priceAddress,
  "gcp:compute/globalForwardingRule:GlobalForwardingRule": priceForwardingRule,
  "gcp:compute/forwardingRule:ForwardingRule": priceForwardingRule,
  "gcp:compute/backendService:BackendService": (r, ctx) => [...priceBackendService(r, ctx), ...priceCdn(r, ctx)],
  "gcp:compute/backendBucket:BackendBucket": priceCdnBackendBucket,
  "gcp:compute/securityPolicy:SecurityPolicy": priceSecurityPolicy,
  "gcp:storage/bucket:Bucket": priceBucket,
  "gcp:kms/cryptoKey:CryptoKey": priceCryptoKey,
  "gcp:secretmanager/secretVersion:SecretVersion": priceSecretVersion,
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": priceLogBucket,
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": priceUptimeCheck,
  "gcp:monitoring/alertPolicy:AlertPolicy": priceAlertPolicy,
  "gcp:artifactregistry/repository:Repository": priceRepository,
  "gcp:redis/instance:Instance": priceRedisInstance,
  "gcp:redis/cluster:Cluster": priceRedisCluster,
};

/**
 * Types that cost nothing by themselves, with the reason (whole families: FREE_TYPE_PREFIXES).
 */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  "gcp:projects/service:Service": "enabling an API is free",
  "gcp:projects/serviceIdentity:ServiceIdentity": "service agents are free",
  "gcp:projects/iAMMember:IAMMember": "IAM is free",
  "gcp:pubsub/topicIAMMember:TopicIAMMember": "IAM is free",
  "gcp:billing/budget:Budget": "Cloud Billing budgets are free",
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": "IAM is free",
  "gcp:observability/projectSettings:ProjectSettings": "a settings resource is free (the traces it places are priced with Cloud Trace ingestion, not vendored)",
  "gcp:projects/iAMAuditConfig:IAMAuditConfig": "audit configuration is free (the logs it writes are priced with logging ingestion)",
  "gcp:serviceaccount/account:Account": "service accounts are free",
  "gcp:compute/backendBucketSignedUrlKey:BackendBucketSignedUrlKey": "signed URL keys are free",
  "gcp:storage/hmacKey:HmacKey": "HMAC keys are free (the requests they sign are Cloud Storage operations)",
  "gcp:serviceaccount/iAMMember:IAMMember": "IAM is free",
  "gcp:kms/keyRing:KeyRing": "key rings are free (key versions are priced)",
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "IAM is free",
  "gcp:secretmanager/secret:Secret": "a secret is billed through its active versions",
  "gcp:secretmanager/secretIamMember:SecretIamMember": "IAM is free",
  "gcp:storage/bucketIAMMember:BucketIAMMember": "IAM is free",
  "gcp:compute/network:Network": "VPC networks are free",
  "gcp:compute/subnetwork:Subnetwork": "subnets are free",
  "gcp:compute/firewall:Firewall": "firewall rules are free",
  "gcp:compute/router:Router": "a Cloud Router without BGP sessions is free (its NAT is priced)",
  "gcp:compute/managedSslCertificate:ManagedSslCertificate": "Google-managed certificates are free",
  "gcp:compute/sSLPolicy:SSLPolicy": "SSL policies are free",
  "gcp:compute/targetHttpProxy:TargetHttpProxy": "proxies are billed through the forwarding rules and data processed",
  "gcp:compute/targetHttpsProxy:TargetHttpsProxy": "proxies are billed through the forwarding rules and data processed",
  "gcp:compute/uRLMap:URLMap": "URL maps are billed through the forwarding rules",
  "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": "serverless NEGs are free",
  "gcp:servicenetworking/connection:Connection": "private services access peering is free",
  "gcp:sql/database:Database": "a database is part of its instance",
  "gcp:sql/user:User": "a user is part of its instance",
  "gcp:logging/projectSink:ProjectSink": "routing logs is free (ingestion is priced on the log bucket)",
  "gcp:logging/projectExclusion:ProjectExclusion": "exclusions are free (they lower ingestion)",
  "gcp:monitoring/notificationChannel:NotificationChannel": "notification channels are free",
  "gcp:monitoring/customService:CustomService": "services are free",
  "gcp:monitoring/slo:Slo": "SLOs are free",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": "IAM is free",
};

/** Type prefixes that cost nothing by themselves, with the reason. */
export const FREE_TYPE_PREFIXES: Readonly<Record<string, string>> = {
  "kubernetes:": "Kubernetes objects (Namespaces, NetworkPolicies, Secrets, CRs…) cost nothing at the API: the pods they make are priced through the node pools hosting them",
  "platform:": "components group resources: their children are priced",
  "pulumi:": "Pulumi stacks, providers and stack references are not cloud resources",
  "random:": "random values are generated locally",
};

/** Why a type costs nothing, or undefined when it is neither in FREE_TYPES nor under a free prefix. */
export function freeReason(type: string): string | undefined {
  return FREE_TYPES[type] ?? Object.entries(FREE_TYPE_PREFIXES).find(([prefix]) => type.startsWith(prefix))?.[1];
}

export interface EstimateInput {
  stack: string;
  resources: readonly RecordedResource[];
  upstreamResources?: readonly RecordedResource[];
  usage: UsageProfile;
  /** Price tables (tests pass their own); the vendored ones by default. */
  tables?: PriceTables;
}

function guard(r: RecordedResource, item: string, run: () => CostLine[]): CostLine[] {
  try {
    return run();
  } catch (e) {
    if (e instanceof PriceError) return [notPriced(r, item, r.type, e.message)];
    throw e;
  }
}

export function estimateStackCost(input: EstimateInput): CostEstimate {
  const assumptions = new Set<string>();
  const ctx: PricingContext = {
    resources: input.resources.filter((r) => !r.readId),
    upstream: input.upstreamResources ?? [],
    usage: input.usage,
    tables: input.tables ?? VENDORED_PRICES,
    assume: (t) => assumptions.add(t),
    counters: new Map(),
  };
  const lines: CostLine[] = [];
  for (const r of ctx.resources) {
    const pricer = PRICERS[r.type];
    if (pricer) lines.push(...guard(r, "resource", () => pricer(r, ctx)));
    else if (!freeReason(r.type)) lines.push(notPriced(r, "resource", r.type, `no pricer for ${r.type}`));
  }
  let shortfalls: CostEstimate["shortfalls"] = [];
  const anchor = ctx.resources.find((r) => r.type.startsWith("kubernetes:"));
  if (anchor) {
    const w = guard(anchor, "workloads", () => {
      const out = priceWorkloads(ctx);
      shortfalls = out.shortfalls;
      return out.lines;
    });
    lines.push(...w);
  }
  for (const [key, figure] of Object.entries(input.usage)) {
    if (figure && typeof figure === "object" && "value" in figure && "assumption" in figure && lines.some((l) => l.usageKeys?.includes(key))) assumptions.add(`usage ${key} = ${figure.value}: ${provenance(figure)}`);
  }
  for (const [role, figure] of Object.entries(input.usage.storedGb)) {
    if (lines.some((l) => l.usageKeys?.includes(`storedGb.${role}`))) assumptions.add(`usage storedGb.${role} = ${figure.value} GB: ${provenance(figure)}`);
  }
  const own = new Set(ctx.resources.map((r) => r.urn));
  const counted = lines.filter((l) => l.monthlyUsd !== undefined && !(l.shareOf && own.has(l.shareOf)));
  const upstreamShare = counted.filter((l) => l.shareOf).reduce((s, l) => s + l.monthlyUsd!, 0);
  return {
    stack: input.stack,
    monthlyUsd: round2(counted.reduce((s, l) => s + l.monthlyUsd!, 0)),
    lines,
    shortfalls,
    assumptions: [...assumptions],
    ...(upstreamShare > 0 ? { upstreamShareUsd: round2(upstreamShare) } : {}),
  };
}

/** Whether a line counts in its estimate's total (priced, and not a share of a pool the same stack prices). */
export function countsInTotal(line: CostLine, estimate: CostEstimate): boolean {
  return line.monthlyUsd !== undefined && !(line.shareOf && estimate.lines.some((l) => l.urn === line.shareOf && !l.shareOf));
}

/**
 * The operators behind the data services of docs/platforms/diaspomoney.md § Infrastructure Layer
 * (Kafka, MongoDB, Redis Cluster): Strimzi, MongoDB Controllers for Kubernetes (serving
 * MongoDBCommunity) and OT-CONTAINER-KIT's redis-operator. Each is a pinned Helm release in its
 * own restricted namespace, watching only the app infra namespaces it is given.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { DEFAULT_ADDON_ENV, helmAddon, type CrdInstaller, type PinnedChart } from "../common/helm-addon";
import { apiServerEgress, type AllowRule } from "../namespace";

export const OPERATORS_TYPE = "platform:k8s:Operators";

/** Pinned charts; each matches the release whose CRDs are vendored (vendor/SOURCES.md § CRDs). */
export const OPERATOR_CHARTS = {
  // Strimzi 1.2.0 serves only kafka.strimzi.io/v1. From its OCI registry: Strimzi deprecated
  // https://strimzi.io/charts/ in 0.36.0 (CHANGELOG), and its README installs from quay.io.
  strimzi: { chart: "strimzi-kafka-operator", version: "1.2.0", repo: "oci://quay.io/strimzi-helm", crdGroups: ["kafka.strimzi.io", "core.strimzi.io"] },
  // mongodb/mongodb-kubernetes 1.10.0 (chart version = operator version); replaces the community operator chart.
  mongodb: { chart: "mongodb-kubernetes", version: "1.10.0", repo: "https://mongodb.github.io/helm-charts", crdGroups: ["mongodbcommunity.mongodb.com", "mongodb.com"] },
  // OT-CONTAINER-KIT/redis-operator v0.26.0 (chart bumped by redis-operator PR #1865).
  redis: { chart: "redis-operator", version: "0.26.0", repo: "https://ot-container-kit.github.io/helm-charts/", crdGroups: ["redis.redis.opstreelabs.in"] },
} as const satisfies Record<string, PinnedChart>;
export type OperatorName = keyof typeof OPERATOR_CHARTS;

// Moved to the add-on helper, which every pinned release goes through; re-exported for importers.
export { helmChartSource } from "../common/helm-addon";

/** Ports each operator opens towards the workloads it manages (for the infra namespaces' ingress rules). */
export const OPERATOR_WORKLOAD_PORTS: Record<OperatorName, number[]> = {
  // Strimzi's cluster operator talks to brokers and KRaft controllers on their control-plane listeners.
  strimzi: [9090, 9091],
  mongodb: [27017],
  redis: [6379],
};

export interface OperatorArgs {
  /** @default true */
  enabled?: boolean;
  /** @default "strimzi" | "mongodb-operator" | "redis-operator" */
  namespace?: string;
}

export interface OperatorsArgs extends CommonArgs {
  /** Platform label (`diaspomoney`). */
  platform: string;
  /**
   * `env` label of the add-on's namespaces: the stack's foundation env, which the stack passes
   * (the component knows no env names).
   * @default DEFAULT_ADDON_ENV ("shared")
   */
  env?: string;
  /** CIDRs of the Kubernetes API server (GKE: `GkeCluster.masterIpv4CidrBlock`). */
  apiServerCidrs: string[];
  /** App infra namespaces the operators watch (`diaspomoney-dev-infra`, ...); they must exist first. */
  watchNamespaces: string[];
  strimzi?: OperatorArgs;
  mongodb?: OperatorArgs;
  redis?: OperatorArgs;
  /** Namespace of Prometheus, allowed to scrape the operators. @default no scraping allowed */
  monitoringNamespace?: string;
  /**
   * What creates the `watchNamespaces` (their IsolatedNamespace components or Namespaces). Every
   * release waits for them: Strimzi's chart writes RoleBindings into each watched namespace, and the
   * others grant their operator a Role there, which fails while the namespace does not exist yet.
   * A component's `dependsOn` does not reach its children, so it is an argument.
   * @default [] (the namespaces already exist)
   */
  watchNamespaceResources?: pulumi.Resource[];
}

export interface ResolvedOperatorsArgs {
  platform: string;
  apiServerCidrs: string[];
  watchNamespaces: string[];
  operators: Partial<Record<OperatorName, { namespace: string }>>;
  monitoringNamespace?: string;
  labels: Record<string, string>;
  env: string;
  deletionProtection: boolean;
}

const DEFAULT_NAMESPACES: Record<OperatorName, string> = { strimzi: "strimzi", mongodb: "mongodb-operator", redis: "redis-operator" };

export function resolveOperatorsArgs(name: string, args: OperatorsArgs): ResolvedOperatorsArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(OPERATORS_TYPE, name, detail);
  };
  if (args.apiServerCidrs.length === 0) fail("apiServerCidrs is empty: the operators could not reach the Kubernetes API");
  if (args.watchNamespaces.length === 0) fail("watchNamespaces is empty: the operators would manage nothing (or, for some charts, everything)");
  const operators: ResolvedOperatorsArgs["operators"] = {};
  for (const op of Object.keys(OPERATOR_CHARTS) as OperatorName[]) {
    const a = args[op] ?? {};
    if (a.enabled === false) continue;
    const namespace = a.namespace ?? DEFAULT_NAMESPACES[op];
    // Strimzi's chart fails when it watches its own namespace (duplicate RoleBindings); the others would mix operator and data.
    if (args.watchNamespaces.includes(namespace)) fail(`${op}: its namespace "${namespace}" is also in watchNamespaces`);
    operators[op] = { namespace };
  }
  if (Object.keys(operators).length === 0) fail("every operator is disabled");
  return {
    platform: args.platform,
    apiServerCidrs: args.apiServerCidrs,
    watchNamespaces: [...new Set(args.watchNamespaces)],
    operators,
    monitoringNamespace: args.monitoringNamespace,
    labels: args.labels ?? {},
    env: args.env ?? DEFAULT_ADDON_ENV,
    deletionProtection: args.deletionProtection ?? true,
  };
}

/** What Pod Security "restricted" requires of every container, stated explicitly in each chart's values. */
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

export function operatorValues(op: OperatorName, r: ResolvedOperatorsArgs): Record<string, unknown> {
  switch (op) {
    case "strimzi":
      return {
        watchNamespaces: r.watchNamespaces,
        watchAnyNamespace: false,
        replicas: 1,
        // Kafka, ZooKeeper-less controllers and Entity Operator pods get restricted-compliant
        // security contexts, as the infra namespaces enforce "restricted".
        extraEnvs: [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }],
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: "200m", memory: "384Mi" }, limits: { cpu: "1", memory: "384Mi" } },
      };
    case "mongodb":
      return {
        operator: {
          watchNamespace: r.watchNamespaces.join(","),
          // Only the Community resource: no Ops Manager / Enterprise reconcilers, no cluster-wide role watch.
          watchedResources: ["mongodbcommunity"],
          enableClusterMongoDBRoles: false,
          replicas: 1,
          podSecurityContext: { runAsNonRoot: true, runAsUser: 2000, seccompProfile: { type: "RuntimeDefault" } },
          securityContext: RESTRICTED_CONTAINER,
          resources: { requests: { cpu: "200m", memory: "200Mi" }, limits: { cpu: "1100m", memory: "1Gi" } },
        },
      };
    case "redis":
      return {
        redisOperator: { watchNamespace: r.watchNamespaces.join(","), imageTag: "v0.26.0", imagePullPolicy: "IfNotPresent", webhook: false },
        replicas: 1,
        podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "500Mi" } },
        certmanager: { enabled: false },
      };
  }
}

function operatorAllowRules(op: OperatorName, r: ResolvedOperatorsArgs): Record<string, AllowRule> {
  const rules: Record<string, AllowRule> = {
    apiserver: apiServerEgress(r.apiServerCidrs),
    workloads: { egressTo: r.watchNamespaces.map((namespace) => ({ namespace })), ports: OPERATOR_WORKLOAD_PORTS[op].map((port) => ({ port })) },
  };
  // The MongoDB operator registers a validating webhook served on 1993.
  if (op === "mongodb") rules["webhook-from-apiserver"] = { ingressFrom: r.apiServerCidrs.map((cidr) => ({ cidr })), ports: [{ port: 1993 }] };
  if (r.monitoringNamespace) rules["metrics-from-monitoring"] = { ingressFrom: [{ namespace: r.monitoringNamespace }], ports: [{ port: 8080 }] };
  return rules;
}

export class Operators extends pulumi.ComponentResource {
  /** Namespace of each enabled operator (the infra namespaces let them in). */
  public readonly namespaces: pulumi.Output<Partial<Record<OperatorName, string>>>;
  /** Releases, for `dependsOn` of the custom resources that need their CRDs. */
  public readonly releases: Partial<Record<OperatorName, k8s.helm.v3.Release>> = {};
  /** Each enabled operator's release with the CRD groups it installs, for `crdDependencies`. */
  public readonly crds: Partial<Record<OperatorName, CrdInstaller>> = {};

  constructor(name: string, args: OperatorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(OPERATORS_TYPE, name, {}, opts);
    const r = resolveOperatorsArgs(name, args);
    const namespaces: Partial<Record<OperatorName, string>> = {};
    const watched = args.watchNamespaceResources ?? [];

    for (const [op, o] of Object.entries(r.operators) as [OperatorName, { namespace: string }][]) {
      const addon = helmAddon(this, OPERATORS_TYPE, `${name}-${op}`, {
        namespace: {
          namespace: o.namespace,
          env: r.env,
          platform: r.platform,
          labels: r.labels,
          deletionProtection: r.deletionProtection,
          quota: { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", persistentVolumeClaims: "0", requestsStorage: "0" },
          allow: operatorAllowRules(op, r),
        },
        releaseName: OPERATOR_CHARTS[op].chart,
        chart: OPERATOR_CHARTS[op],
        values: operatorValues(op, r),
        dependsOn: watched,
      });
      this.releases[op] = addon.release;
      this.crds[op] = { release: addon.release, crdGroups: addon.crdGroups };
      namespaces[op] = o.namespace;
    }

    this.namespaces = pulumi.output(namespaces);
    this.registerOutputs({ namespaces: this.namespaces });
  }
}

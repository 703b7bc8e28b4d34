/**
 * The architecture of one stack, read from its offline plan: the platform's building blocks (its
 * `platform:*` components, not their child resources), grouped by boundary (GCP project, VPC,
 * Kubernetes cluster, namespace), and the flows between them. Nothing here is declared twice: every
 * block, group, label and edge is derived from the recorded resources.
 *
 * Edges, each from what the plan records:
 * - traffic: the NetworkPolicies (ingress and egress rules, with their ports); a peer in a namespace
 *   this stack does not create (Traefik's, Prometheus', an operator's, in the shared stack) is an
 *   external node of the cluster, and an ipBlock peer is the Internet, the metadata server or a
 *   private range;
 * - uses: a GCP resource's dependency on another block's (a load balancer's NEG on a Cloud Run
 *   service, a service on its database), a pod's connection settings naming another block's
 *   Service (`<svc>.<ns>.svc`);
 * - credentials: a Secret a pod or an operator resource reads, resolved to the block that creates
 *   it (a Secret of the plan, or an operator resource whose name the Secret's name starts with);
 * - IAM: a grant (`*IAMMember`, `*IamMember`, `*IAMBinding`) from the grantee's block to the granted
 *   resource's; a grantee that is a Google service account outside any block is followed to what
 *   uses it (a Kubernetes ServiceAccount annotated for Workload Identity, a Secret holding its
 *   HMAC key that a block reads);
 * - CMEK: an EncryptionKeys block to what its keys encrypt; monitoring: a Monitoring block to what
 *   its alerts and probes watch, Prometheus to its scrape targets.
 *
 * Tenants (a stack output `firms` or `tenants`, an object keyed by tenant id) are collapsed: the
 * resources outside components named after a tenant form one block with a count, and a block's
 * label counts the tenants its children serve. The diagram grows with the number of distinct
 * kinds of things, never with the number of tenants.
 *
 * Deterministic: blocks, groups and edges are sorted; labels never carry a secret, an unknown value
 * or a provider-computed id (only known strings and numbers the program set).
 */
import { createHash } from "node:crypto";
import { matchesSelector, type LabelSelector } from "../../model/netpol";
import { asArray, asObject, known, isOpaque, type RecordedResource } from "../../model/plan-values";
import { isIamMemberOrBindingType } from "../../policies/lib/gcp";
import { podTemplate } from "../deployability/reachability";
import { gcpProjectResolver } from "../deployability/values";

export type GroupKind = "project" | "network" | "cluster" | "namespace" | "component";

export interface Group {
  id: string;
  kind: GroupKind;
  label: string;
  parent?: string;
}

export type EdgeKind = "traffic" | "uses" | "credentials" | "iam" | "cmek" | "monitoring" | "backup";

export interface Block {
  id: string;
  /** The component's kind (`WebApp`), or `external` / `tenants`. */
  kind: string;
  name: string;
  /** Lines under the title: replicas, tier, region, flags. */
  details: string[];
  group?: string;
  /** Outside this stack (another stack's namespace, the Internet). */
  external?: boolean;
  /** Holds state (a database, a bucket, a broker): drawn as a cylinder. */
  stateful?: boolean;
  /** Hash of the block's resources (URN, type, inputs, protect), to mark changes between two plans. */
  fingerprint: string;
}

export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  label: string;
}

export interface Architecture {
  stack: string;
  groups: Group[];
  blocks: Block[];
  edges: Edge[];
  /** The tenants collapsed into one block, when the stack has any. */
  tenants?: number;
}

export interface ArchitectureInput {
  stack: string;
  resources: readonly RecordedResource[];
  outputs?: Record<string, unknown>;
}

/** Components that are boundaries or plumbing, not building blocks: drawn as groups, edges or not at all. */
const NOT_BLOCKS = new Set(["IsolatedNamespace", "NetworkFlows", "SharedStackReference", "ProjectServices", "PlatformAlertRules", "GkeCluster", "Network"]);
/** Component kinds that hold data. */
const STATEFUL = /Postgres|Mariadb|Mongo|Redis|Kafka|Rabbitmq|Elasticsearch|Bucket|ArtifactRegistry|ProjectLogging|WorkQueue/;

const WORKLOADS = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:CronJob", "kubernetes:batch/v1:Job", "kubernetes:core/v1:Pod"]);
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const GCP_ACCOUNT = "gcp:serviceaccount/account:Account";

const obj = (v: unknown): Record<string, unknown> => asObject(v) ?? {};
const kindOf = (type: string) => type.split(":").pop() ?? type;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const sortStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A Mermaid-safe id: letters, digits and underscores, never a keyword (every id has a prefix). */
export function sanitiseId(prefix: string, s: string): string {
  return `${prefix}_${s.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "x"}`;
}

function hash(v: unknown): string {
  return createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 12);
}

type Meta = { name?: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
const metaCache = new WeakMap<object, Meta>();
function meta(r: RecordedResource): Meta {
  const key = r.inputs;
  const hit = metaCache.get(key);
  if (hit) return hit;
  const m = readMeta(r);
  metaCache.set(key, m);
  return m;
}
function readMeta(r: RecordedResource): Meta {
  const m = obj(r.inputs.metadata);
  const strings = (v: unknown) => Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => known(x))) as Record<string, string>;
  return {
    ...(known(m.name) ? { name: m.name } : {}),
    ...(known(m.namespace) ? { namespace: m.namespace } : {}),
    labels: strings(m.labels),
    annotations: strings(m.annotations),
  };
}

/**
 * The label sets of the pods an operator resource runs, at the operators' pinned versions (the
 * same naming engine/deployability/reachability.ts documents with its sources).
 */
function operatorPods(r: RecordedResource, name: string): Record<string, string>[] {
  const t = r.type;
  const kind = kindOf(t);
  if (t.startsWith("kubernetes:mongodbcommunity.mongodb.com/")) return [{ app: `${name}-svc` }];
  if (t.startsWith("kubernetes:redis.redis.opstreelabs.in/")) return [{ app: `${name}-leader` }, { app: `${name}-follower` }, { app: name }];
  if (t.startsWith("kubernetes:rabbitmq.com/") && kind === "RabbitmqCluster") return [{ "app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq" }];
  if (t.startsWith("kubernetes:postgresql.cnpg.io/") && kind === "Cluster") return [{ "cnpg.io/cluster": name, "cnpg.io/podRole": "instance" }];
  if (t.startsWith("kubernetes:elasticsearch.k8s.elastic.co/")) return [{ "elasticsearch.k8s.elastic.co/cluster-name": name }];
  if (t.startsWith("kubernetes:kafka.strimzi.io/") && kind === "Kafka") {
    const c = { "strimzi.io/cluster": name, "strimzi.io/kind": "Kafka" };
    return [{ ...c, "strimzi.io/broker-role": "true" }, { ...c, "strimzi.io/controller-role": "true" }, { ...c, "strimzi.io/name": `${name}-kafka-exporter` }];
  }
  if (t.startsWith("kubernetes:k8s.mariadb.com/") && kind === "MariaDB") return [{ "app.kubernetes.io/name": "mariadb", "app.kubernetes.io/instance": name }, { "app.kubernetes.io/name": "exporter", "app.kubernetes.io/instance": `${name}-metrics` }];
  return [];
}

/** Operator resources whose name prefixes the Services and Secrets the operator creates for them. */
const OPERATOR_GROUPS = /^kubernetes:(mongodbcommunity\.mongodb\.com|redis\.redis\.opstreelabs\.in|rabbitmq\.com|postgresql\.cnpg\.io|elasticsearch\.k8s\.elastic\.co|kafka\.strimzi\.io|k8s\.mariadb\.com)\//;

interface PodSet {
  block: string;
  namespace: string;
  labels: Record<string, string>;
}

interface Builder {
  blocks: Map<string, Block & { resources: RecordedResource[] }>;
  edges: Map<string, Edge & { labels: Set<string> }>;
  groups: Map<string, Group>;
}

const EDGE_RANK: Record<EdgeKind, number> = { traffic: 0, backup: 1, uses: 2, iam: 3, credentials: 4, monitoring: 5, cmek: 6 };

function addEdge(b: Builder, from: string | undefined, to: string | undefined, kind: EdgeKind, label: string): void {
  if (!from || !to || from === to) return;
  const key = `${from}\u0000${to}`;
  const had = b.edges.get(key);
  if (!had) {
    b.edges.set(key, { from, to, kind, label: "", labels: new Set(label ? [label] : []) });
    return;
  }
  if (EDGE_RANK[kind] < EDGE_RANK[had.kind]) had.kind = kind;
  if (label) had.labels.add(label);
}

/** Every string in a value (recursively), for hosts a pod's settings name. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") {
    if (known(v)) out.push(v);
  } else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === "object" && !isOpaque(v)) for (const x of Object.values(v)) strings(x, out);
  return out;
}

/** Secret names an object reads: `secretName`, and `name` under any key that names a secret (`secretKeyRef`, `secretRef`, `redisSecret`). */
function secretNames(v: unknown, underSecretKey = false, out: string[] = []): string[] {
  if (Array.isArray(v)) {
    for (const x of v) secretNames(x, underSecretKey, out);
    return out;
  }
  if (!v || typeof v !== "object" || isOpaque(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (k === "secretName" && known(x)) out.push(x);
    else if (k === "name" && underSecretKey && known(x)) out.push(x);
    else if (typeof x === "object") secretNames(x, /secret/i.test(k) && !/secrets$/i.test(k), out);
  }
  return out;
}

function shortRole(role: unknown): string {
  return known(role) ? (role.split("/").pop() ?? role) : "IAM";
}

export function buildArchitecture(input: ArchitectureInput): Architecture {
  const resources = [...input.resources].sort((a, b) => sortStr(a.urn, b.urn));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const childrenOf = new Map<string, RecordedResource[]>();
  for (const r of resources) if (r.parent) childrenOf.set(r.parent, [...(childrenOf.get(r.parent) ?? []), r]);
  const isComponent = (r: RecordedResource | undefined) => !!r && r.type.startsWith("platform:");
  const drawn = (r: RecordedResource) => isComponent(r) && !NOT_BLOCKS.has(kindOf(r.type));

  // Tenants: ids from the stack's `firms` or `tenants` output.
  const tenantOutput = obj(input.outputs?.firms ?? input.outputs?.tenants);
  const tenantIds = Object.keys(tenantOutput).filter((k) => /^[a-z0-9][a-z0-9-]*$/.test(k)).sort();
  // A tenant's resources carry its id as whole dash-separated words (`…-firm-<id>-hmac`): `cabinet-1` never matches `cabinet-10`.
  const tenantSet = new Set(tenantIds);
  const tenantCache = new Map<string, string | undefined>();
  const tenantOf = (name: string): string | undefined => {
    if (!tenantSet.size) return undefined;
    if (tenantCache.has(name)) return tenantCache.get(name);
    const words = name.split("-");
    let found: string | undefined;
    for (let i = 0; i < words.length && !found; i++) {
      for (let j = words.length; j > i; j--) {
        const candidate = words.slice(i, j).join("-");
        if (tenantSet.has(candidate)) {
          found = candidate;
          break;
        }
      }
    }
    tenantCache.set(name, found);
    return found;
  };

  const b: Builder = { blocks: new Map(), edges: new Map(), groups: new Map() };
  const usedIds = new Set<string>();
  const uniqueId = (prefix: string, s: string) => {
    const base = sanitiseId(prefix, s);
    let id = base;
    for (let i = 2; usedIds.has(id); i++) id = `${base}_${i}`;
    usedIds.add(id);
    return id;
  };

  // --- blocks: the deepest drawn components; a drawn component with drawn descendants is a group
  const components = resources.filter(drawn);
  const hasDrawnDescendant = (urn: string): boolean => (childrenOf.get(urn) ?? []).some((c) => drawn(c) || hasDrawnDescendant(c.urn));
  const blockOfComponent = new Map<string, string>();
  const groupOfComponent = new Map<string, string>();
  for (const c of components) {
    const label = `${kindOf(c.type)} ${c.name}`;
    if (hasDrawnDescendant(c.urn)) {
      const gid = uniqueId("g", `${kindOf(c.type)}_${c.name}`);
      groupOfComponent.set(c.urn, gid);
      b.groups.set(gid, { id: gid, kind: "component", label });
    }
    const id = uniqueId("c", `${kindOf(c.type)}_${c.name}`);
    blockOfComponent.set(c.urn, id);
    b.blocks.set(id, { id, kind: kindOf(c.type), name: c.name, details: [], fingerprint: "", resources: [], ...(STATEFUL.test(kindOf(c.type)) ? { stateful: true } : {}) });
  }
  let tenantsBlock: string | undefined;
  if (tenantIds.length) {
    tenantsBlock = uniqueId("t", "tenants");
    b.blocks.set(tenantsBlock, { id: tenantsBlock, kind: "tenants", name: "firms", details: [], fingerprint: "", resources: [] });
  }

  // The block each resource belongs to: its nearest drawn ancestor, or the tenants block.
  const ownerCache = new Map<string, string | undefined>();
  const ownerOf = (r: RecordedResource | undefined): string | undefined => {
    if (!r) return undefined;
    if (ownerCache.has(r.urn)) return ownerCache.get(r.urn);
    let found: string | undefined;
    if (drawn(r)) found = blockOfComponent.get(r.urn);
    else if (r.parent && byUrn.has(r.parent) && !byUrn.get(r.parent)!.type.startsWith("pulumi:pulumi:Stack")) found = ownerOf(byUrn.get(r.parent));
    if (!found && tenantsBlock && !isComponent(r) && tenantOf(r.name)) found = tenantsBlock;
    ownerCache.set(r.urn, found);
    return found;
  };
  for (const r of resources) {
    const o = ownerOf(r);
    if (o && !drawn(r)) b.blocks.get(o)!.resources.push(r);
  }
  // A component group whose own resources are only components needs no block of its own.
  for (const [urn, gid] of groupOfComponent) {
    const id = blockOfComponent.get(urn)!;
    const blk = b.blocks.get(id)!;
    if (blk.resources.filter((r) => r.custom).length === 0) b.blocks.delete(id);
    else blk.group = gid;
    for (const c of childrenOf.get(urn) ?? []) {
      const child = blockOfComponent.get(c.urn);
      if (child && b.blocks.has(child)) b.blocks.get(child)!.group = gid;
      const childGroup = groupOfComponent.get(c.urn);
      if (childGroup) b.groups.get(childGroup)!.parent = gid;
    }
  }

  // --- boundaries: GCP project → VPC → cluster → namespace
  const gcpProject = gcpProjectResolver(resources);
  const projectOf = (r: RecordedResource): string | undefined => (r.type.startsWith("gcp:") ? gcpProject(r) : undefined);
  const projectGroup = (project: string) => {
    const id = sanitiseId("g_project", project);
    if (!b.groups.has(id)) b.groups.set(id, { id, kind: "project", label: `GCP project ${project}` });
    return id;
  };
  // VPCs: the Network components, their resources' URNs, and what they say.
  const networkOf = new Map<string, string>();
  for (const n of resources.filter((r) => isComponent(r) && kindOf(r.type) === "Network")) {
    const inside = descendants(n.urn, childrenOf);
    const subnets = inside.filter((r) => r.type === "gcp:compute/subnetwork:Subnetwork");
    const regions = [...new Set(subnets.map((s) => s.inputs.region).filter(known))].sort();
    const nat = inside.some((r) => r.type === "gcp:compute/routerNat:RouterNat");
    const project = inside.map(projectOf).find(known);
    const id = uniqueId("g_vpc", n.name);
    b.groups.set(id, { id, kind: "network", label: `VPC ${n.name}${regions.length ? ` · ${regions.join(", ")}` : ""}${nat ? " · Cloud NAT" : ""}`, ...(project ? { parent: projectGroup(project) } : {}) });
    for (const r of inside) networkOf.set(r.urn, id);
  }
  // The cluster: a GkeCluster component of this stack, else the cluster the shared stack gives.
  const gke = resources.find((r) => isComponent(r) && kindOf(r.type) === "GkeCluster");
  const sharedRef = resources.find((r) => isComponent(r) && kindOf(r.type) === "SharedStackReference");
  let clusterGroup: string | undefined;
  const cluster = (): string => {
    if (clusterGroup) return clusterGroup;
    clusterGroup = "g_cluster";
    if (gke) {
      const inside = descendants(gke.urn, childrenOf);
      const c = inside.find((r) => r.type === "gcp:container/cluster:Cluster");
      const pools = inside.filter((r) => r.type === "gcp:container/nodePool:NodePool").sort((x, y) => sortStr(x.name, y.name));
      const poolText = pools.map((p) => {
        const machine = obj(p.inputs.nodeConfig).machineType;
        const as = obj(p.inputs.autoscaling);
        const min = num(as.minNodeCount) ?? num(as.totalMinNodeCount);
        const max = num(as.maxNodeCount) ?? num(as.totalMaxNodeCount);
        return `${known(machine) ? machine : "pool"}${min !== undefined && max !== undefined ? ` ${min}–${max}` : num(p.inputs.nodeCount) !== undefined ? ` ×${num(p.inputs.nodeCount)}` : ""}`;
      });
      const location = c && known(c.inputs.location) ? c.inputs.location : undefined;
      const flags = [obj(obj(c?.inputs.privateClusterConfig)).enablePrivateNodes === true ? "private nodes" : "", obj(c?.inputs.databaseEncryption).state === "ENCRYPTED" ? "Secrets KMS-encrypted" : "", gke.options.protect || inside.some((r) => r.options.protect) ? "protected" : ""].filter(Boolean);
      const parent = (c && networkOf.get(dependencyIn(c, networkOf) ?? "")) ?? (c && projectOf(c) ? projectGroup(projectOf(c)!) : undefined);
      b.groups.set(clusterGroup, { id: clusterGroup, kind: "cluster", label: [`GKE ${gke.name}`, location, ...poolText, ...flags].filter(Boolean).join(" · "), ...(parent ? { parent } : {}) });
    } else {
      b.groups.set(clusterGroup, { id: clusterGroup, kind: "cluster", label: sharedRef ? `Kubernetes cluster of ${sharedRef.name}` : "Kubernetes cluster" });
    }
    return clusterGroup;
  };
  const nsGroup = (ns: string): string => {
    const id = sanitiseId("g_ns", ns);
    if (!b.groups.has(id)) b.groups.set(id, { id, kind: "namespace", label: `namespace ${ns}`, parent: cluster() });
    return id;
  };

  // Pods per block, and each block's namespaces.
  const pods: PodSet[] = [];
  const blockNamespaces = new Map<string, Map<string, number>>();
  const helmNamespaces = new Map<string, Set<string>>();
  const podNamespaces = new Map<string, Set<string>>();
  const noteNs = (block: string, ns: string, weight = 1) => {
    if (weight > 1) podNamespaces.set(block, new Set([...(podNamespaces.get(block) ?? []), ns]));
    const m = blockNamespaces.get(block) ?? new Map<string, number>();
    m.set(ns, (m.get(ns) ?? 0) + weight);
    blockNamespaces.set(block, m);
  };
  for (const [id, blk] of b.blocks) {
    for (const r of blk.resources) {
      const m = meta(r);
      const t = podTemplate(r);
      if (t && m.namespace) {
        const labels = meta({ ...r, inputs: { metadata: t.metadata } }).labels;
        pods.push({ block: id, namespace: m.namespace, labels });
        noteNs(id, m.namespace, 3);
      } else if (r.type === HELM_RELEASE && known(r.inputs.namespace)) {
        noteNs(id, r.inputs.namespace, 3);
        helmNamespaces.set(r.inputs.namespace, new Set([...(helmNamespaces.get(r.inputs.namespace) ?? []), id]));
      } else if (m.name && m.namespace && operatorPods(r, m.name).length) {
        for (const labels of operatorPods(r, m.name)) pods.push({ block: id, namespace: m.namespace, labels });
        noteNs(id, m.namespace, 3);
      } else if (m.namespace && r.type.startsWith("kubernetes:") && !/Secret$|ConfigMap$|NetworkPolicy$|RoleBinding$|Role$/.test(r.type)) {
        noteNs(id, m.namespace, 1);
      }
    }
  }
  const planNamespaces = new Set<string>();
  for (const r of resources) {
    if (r.type === "kubernetes:core/v1:Namespace") {
      const n = meta(r).name;
      if (n) planNamespaces.add(n);
    }
    const ns = meta(r).namespace;
    if (ns && r.type.startsWith("kubernetes:")) planNamespaces.add(ns);
  }

  // Placement.
  for (const [id, blk] of b.blocks) {
    if (blk.group) continue;
    const nss = [...(blockNamespaces.get(id) ?? new Map<string, number>())].sort((x, y) => y[1] - x[1] || sortStr(x[0], y[0]));
    if (nss.length) {
      // Pods in several namespaces (the operators, each in its own): the block sits at the cluster level.
      const spread = (podNamespaces.get(id)?.size ?? 0) > 1 || (nss.length > 1 && nss[0]![1] === nss[1]![1]);
      blk.group = spread ? cluster() : nsGroup(nss[0]![0]);
      continue;
    }
    const projects = [...new Set(blk.resources.map(projectOf).filter(known))].sort();
    const inVpc = blk.resources.map((r) => networkOf.get(dependencyIn(r, networkOf) ?? "")).find(known);
    if (inVpc) blk.group = inVpc;
    else if (projects.length === 1) blk.group = projectGroup(projects[0]!);
  }
  // Component groups sit where their first member sits.
  for (const g of [...b.groups.values()].filter((g) => g.kind === "component")) {
    const member = [...b.blocks.values()].find((x) => x.group === g.id);
    if (member && !g.parent) {
      const projects = [...new Set(member.resources.map(projectOf).filter(known))].sort();
      const inVpc = member.resources.map((r) => networkOf.get(dependencyIn(r, networkOf) ?? "")).find(known);
      const nss = [...(blockNamespaces.get(member.id) ?? new Map<string, number>())].sort((x, y) => y[1] - x[1] || sortStr(x[0], y[0]));
      const parent = nss.length ? nsGroup(nss[0]![0]) : (inVpc ?? (projects.length === 1 ? projectGroup(projects[0]!) : undefined));
      if (parent) g.parent = parent;
    }
  }

  // --- external nodes
  const externalNs = (ns: string): string => {
    const id = sanitiseId("x_ns", ns);
    if (!b.blocks.has(id)) b.blocks.set(id, { id, kind: "external", name: ns, details: [planNamespaces.has(ns) ? "namespace made here, workloads from its env stack" : sharedRef ? "namespace of the shared stack" : "namespace outside this stack"], group: cluster(), external: true, fingerprint: "", resources: [] });
    return id;
  };
  const externalAddr = (cidr: string, except: unknown[]): string => {
    const [kind, label] = cidr === "0.0.0.0/0" ? ["internet", except.length ? "Internet (public addresses)" : "any address"] : cidr.startsWith("169.254.") ? ["metadata", "GKE metadata server"] : /^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|100\.6[4-9]\.)/.test(cidr) ? ["private", "private ranges (control plane, nodes)"] : ["hosts", "named external hosts"];
    const id = `x_${kind}`;
    if (!b.blocks.has(id)) b.blocks.set(id, { id, kind: "external", name: label!, details: [], external: true, fingerprint: "", resources: [] });
    return id;
  };

  // --- edges from NetworkPolicies
  /**
   * A namespace-wide selector (`podSelector: {}`) means every pod there; the flows helpers use it
   * for pods an operator starts with labels the plan cannot know (backup jobs). When the policy's
   * name names blocks of the namespace (`flows-shard-0-mariadb-backup-to-s3-egress`), the flow is
   * theirs; otherwise every block of the namespace gets it.
   */
  const namedBy = (blocks: string[], hint: string | undefined): string[] => {
    if (!hint || blocks.length < 2) return blocks;
    const named = blocks.filter((id) => {
      const name = b.blocks.get(id)?.name;
      return !!name && `-${hint}-`.includes(`-${name}-`);
    });
    return named.length ? named : blocks;
  };
  const podsMatching = (ns: string, selector: LabelSelector | undefined, hint?: string): string[] => {
    const sel = selector ?? {};
    if (Object.keys(sel.matchLabels ?? {}).some((k) => k.startsWith("acme.cert-manager.io/"))) return [];
    const inNs = pods.filter((p) => p.namespace === ns);
    const empty = !sel.matchLabels && !sel.matchExpressions;
    const exact = [...new Set(inNs.filter((p) => matchesSelector(sel, p.labels)).map((p) => p.block))].sort();
    if (exact.length) return empty ? namedBy(exact, hint) : exact;
    const helm = [...(helmNamespaces.get(ns) ?? [])];
    if (helm.length) return helm;
    if (empty) {
      const any = [...new Set([...blockNamespaces].filter(([, m]) => m.has(ns)).map(([id]) => id))].sort();
      if (any.length) return namedBy(any, hint);
    }
    if (!planNamespaces.has(ns) || (empty && !exact.length && !inNs.length && !helm.length && !ownedNamespace(ns))) return [externalNs(ns)];
    return [];
  };
  const owned = new Set<string>();
  for (const x of b.blocks.values()) for (const r of x.resources) if (r.type === "kubernetes:core/v1:Namespace" && meta(r).name) owned.add(meta(r).name!);
  const ownedNamespace = (ns: string) => owned.has(ns);
  const ports = (rule: Record<string, unknown>): string => {
    const ps = asArray(rule.ports).map(obj).map((p) => (typeof p.port === "number" || known(p.port) ? String(p.port) + (num(p.endPort) ? `-${num(p.endPort)}` : "") : ""));
    return [...new Set(ps.filter(Boolean))].sort((x, y) => Number(x) - Number(y) || sortStr(x, y)).join("/");
  };
  const peers = (peer: Record<string, unknown>, policyNs: string, hint: string): string[] => {
    const ip = obj(peer.ipBlock);
    if (known(ip.cidr)) return [externalAddr(ip.cidr, asArray(ip.except))];
    const nsSel = obj(peer.namespaceSelector);
    const nsName = obj(nsSel.matchLabels)["kubernetes.io/metadata.name"];
    if (peer.namespaceSelector !== undefined && !known(nsName)) return []; // every namespace: not a flow worth a line
    const ns = known(nsName) ? nsName : policyNs;
    if (ns === "kube-system") return [];
    return podsMatching(ns, peer.podSelector as LabelSelector | undefined, hint);
  };
  for (const r of resources.filter((x) => x.type === NETWORK_POLICY)) {
    const m = meta(r);
    if (!m.namespace) continue;
    const spec = obj(r.inputs.spec);
    const selected = podsMatching(m.namespace, spec.podSelector as LabelSelector, m.name);
    for (const rule of asArray(spec.ingress).map(obj)) {
      const p = ports(rule);
      for (const from of asArray(rule.from).map(obj).flatMap((x) => peers(x, m.namespace!, m.name!))) for (const to of selected) addEdge(b, from, to, "traffic", p);
    }
    for (const rule of asArray(spec.egress).map(obj)) {
      const p = ports(rule);
      if (p === "53") continue; // DNS
      for (const to of asArray(rule.to).map(obj).flatMap((x) => peers(x, m.namespace!, m.name!))) for (const from of selected) addEdge(b, from, to, "traffic", p);
    }
  }

  // --- Google service accounts: who they are (a block, the tenants, or what uses them) and what they are granted
  const accountEmail = (a: RecordedResource) => {
    const p = projectOf(a);
    return known(a.inputs.accountId) && p ? `${a.inputs.accountId}@${p}.iam.gserviceaccount.com` : undefined;
  };
  const accounts = resources.filter((r) => r.type === GCP_ACCOUNT);
  const accountUsers = new Map<string, Set<string>>();
  const workloads = resources.filter((x) => WORKLOADS.has(x.type));
  const annotatedKsas = resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount" && meta(r).annotations["iam.gke.io/gcp-service-account"]);
  const addUser = (a: string, block: string | undefined) => {
    if (block) accountUsers.set(a, new Set([...(accountUsers.get(a) ?? []), block]));
  };
  for (const a of accounts) {
    addUser(a.urn, ownerOf(a));
    const email = accountEmail(a);
    // Workload Identity: a Kubernetes ServiceAccount annotated with the account, and the pods running as it.
    for (const ksa of annotatedKsas.filter((r) => email && meta(r).annotations["iam.gke.io/gcp-service-account"] === email)) {
      const ksaName = meta(ksa).name;
      const ns = meta(ksa).namespace;
      addUser(a.urn, ownerOf(ksa));
      for (const w of workloads.filter((x) => meta(x).namespace === ns && obj(podTemplate(x)?.spec).serviceAccountName === ksaName)) addUser(a.urn, ownerOf(w));
    }
  }
  // Anything else naming the account (an operator resource's service account template, a pod's settings).
  const emails = new Map(accounts.map((a) => [accountEmail(a), a.urn]).filter((x): x is [string, string] => !!x[0]));
  for (const r of resources.filter((x) => x.type.startsWith("kubernetes:") && x.custom)) {
    for (const str of strings(r.inputs)) {
      const a = emails.get(str);
      if (a) addUser(a, ownerOf(r));
    }
  }
  // An unowned resource (a Secret holding an account's HMAC key) stands for the accounts it depends on.
  const accountsBehind = (r: RecordedResource, depth = 0): string[] => {
    if (r.type === GCP_ACCOUNT) return [r.urn];
    if (depth > 3) return [];
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const via = [...r.dependencies, ...(parent && parent.type === GCP_ACCOUNT ? [parent.urn] : [])];
    return [...new Set(via.flatMap((d) => (byUrn.get(d) ? accountsBehind(byUrn.get(d)!, depth + 1) : [])))];
  };
  const grants = new Map<string, { target: string; role: string }[]>();
  for (const g of resources.filter((r) => isIamMemberOrBindingType(r.type))) {
    // Workload Identity bindings on an account: read above through the annotated ServiceAccounts.
    if (/serviceaccount\//i.test(g.type)) continue;
    const here = ownerOf(g);
    const deps = [...g.dependencies].sort().map((d) => byUrn.get(d)).filter((d): d is RecordedResource => !!d && !d.type.startsWith("platform:") && !d.type.startsWith("pulumi:"));
    const member = g.inputs.member;
    const namedUrn = known(member) && member.startsWith("serviceAccount:") ? emails.get(member.slice("serviceAccount:".length)) : undefined;
    const named = namedUrn ? [byUrn.get(namedUrn)!] : [];
    const granteeAccounts = [...deps.filter((d) => d.type === GCP_ACCOUNT), ...named];
    const targets = [...new Set(deps.filter((d) => d.type !== GCP_ACCOUNT).map(ownerOf).filter((x): x is string => !!x))];
    const target = targets.find((t) => t !== here) ?? (granteeAccounts.length ? here : undefined);
    const role = shortRole(g.inputs.role);
    if (!target) continue;
    if (granteeAccounts.length) for (const a of granteeAccounts) grants.set(a.urn, [...(grants.get(a.urn) ?? []), { target, role }]);
    else if (here && target !== here) addEdge(b, here, target, "iam", `IAM ${role}`);
  }
  const grantEdge = (user: string, target: string, roles: string[]) => {
    const kind = b.blocks.get(target)?.kind;
    const backup = kind === "Bucket" && /backup/i.test(b.blocks.get(target)!.name);
    if (kind === "EncryptionKeys") addEdge(b, user, target, "iam", "KMS");
    else addEdge(b, user, target, backup ? "backup" : "iam", backup ? "backups" : `IAM ${[...new Set(roles)].sort().join(", ")}`);
  };
  for (const [a, targets] of grants) {
    const byTarget = new Map<string, string[]>();
    for (const t of targets) byTarget.set(t.target, [...(byTarget.get(t.target) ?? []), t.role]);
    for (const user of accountUsers.get(a) ?? []) for (const [t, roles] of byTarget) grantEdge(user, t, roles);
  }

  // --- GCP dependencies: uses, CMEK, monitoring
  for (const r of resources.filter((x) => x.type.startsWith("gcp:") && x.custom && !isIamMemberOrBindingType(x.type))) {
    const from = ownerOf(r);
    if (!from) continue;
    for (const d of r.dependencies) {
      const dep = byUrn.get(d);
      if (!dep || isComponent(dep) || dep.type.startsWith("pulumi:") || dep.type === GCP_ACCOUNT) continue;
      const to = ownerOf(dep);
      if (!to || to === from) continue;
      const toKind = b.blocks.get(to)?.kind;
      const fromKind = b.blocks.get(from)?.kind;
      if (toKind === "EncryptionKeys") addEdge(b, to, from, "cmek", "CMEK");
      else if (fromKind === "Monitoring") addEdge(b, from, to, "monitoring", "alerts");
      else if (fromKind === "HttpsLoadBalancer") addEdge(b, from, to, "traffic", "HTTPS");
      else addEdge(b, from, to, "uses", /secretmanager/.test(dep.type) ? "secrets" : /sql\//.test(dep.type) ? "SQL" : "");
    }
  }
  // A bucket named by a known string (a CDN backend bucket, a backup destination).
  const bucketsByName = new Map(resources.filter((r) => r.type === "gcp:storage/bucket:Bucket" && known(r.inputs.name)).map((r) => [r.inputs.name as string, r]));
  for (const r of resources.filter((x) => x.custom && !isIamMemberOrBindingType(x.type))) {
    const from = ownerOf(r);
    if (!from) continue;
    for (const [k, v] of Object.entries(r.inputs)) {
      const bucket = known(v) && /bucket/i.test(k) ? bucketsByName.get(v) : undefined;
      if (bucket) addEdge(b, from, ownerOf(bucket), "uses", "objects");
    }
  }
  // The Internet reaches an external load balancer, and the ingress controller when the plan routes hosts.
  for (const r of resources.filter((x) => x.type === "gcp:compute/globalForwardingRule:GlobalForwardingRule")) {
    const scheme = r.inputs.loadBalancingScheme;
    if (!known(scheme) || scheme.startsWith("EXTERNAL")) addEdge(b, externalAddr("0.0.0.0/0", ["public"]), ownerOf(r), "traffic", known(r.inputs.portRange) ? r.inputs.portRange : "");
  }
  const routes = resources.filter((x) => /:IngressRoute$|networking\.k8s\.io\/v1:Ingress$/.test(x.type));
  if (routes.length) {
    const traefik = resources.find((x) => x.type === HELM_RELEASE && known(x.inputs.chart) && x.inputs.chart.split("/").pop() === "traefik");
    const ingress = traefik ? ownerOf(traefik) : b.blocks.has(sanitiseId("x_ns", "traefik")) ? sanitiseId("x_ns", "traefik") : undefined;
    addEdge(b, externalAddr("0.0.0.0/0", ["public"]), ingress, "traffic", "443");
  }

  // --- Kubernetes references: Secrets read, Services named in settings
  const secretsByKey = new Map<string, RecordedResource>();
  const servicesByKey = new Map<string, RecordedResource>();
  for (const r of resources) {
    const m = meta(r);
    if (!m.name || !m.namespace) continue;
    if (r.type === "kubernetes:core/v1:Secret") secretsByKey.set(`${m.namespace}/${m.name}`, r);
    if (r.type === "kubernetes:core/v1:Service") servicesByKey.set(`${m.namespace}/${m.name}`, r);
  }
  const issuerIndex = new Map<string, string>();
  for (const r of resources.filter((x) => /cert-manager\.io\/v1:(Cluster)?Issuer$/.test(x.type))) {
    const m = meta(r);
    const owner = ownerOf(r);
    if (m.name && owner) issuerIndex.set(`${kindOf(r.type) === "ClusterIssuer" ? "" : (m.namespace ?? "default")}/${m.name}`, owner);
  }
  const operatorResources = resources.filter((r) => OPERATOR_GROUPS.test(r.type) && meta(r).name && meta(r).namespace);
  const prefixCache = new Map<string, string | undefined>();
  const byOperatorPrefix = (ns: string, name: string): string | undefined => {
    const key = `${ns}/${name}`;
    if (!prefixCache.has(key)) prefixCache.set(key, findByOperatorPrefix(ns, name));
    return prefixCache.get(key);
  };
  const findByOperatorPrefix = (ns: string, name: string): string | undefined => {
    const hits = operatorResources.filter((r) => meta(r).namespace === ns && (name === meta(r).name || name.startsWith(`${meta(r).name}-`)));
    hits.sort((x, y) => meta(y).name!.length - meta(x).name!.length || sortStr(x.urn, y.urn));
    return hits.length ? ownerOf(hits[0]) : undefined;
  };
  for (const r of resources.filter((x) => x.type.startsWith("kubernetes:") && x.custom)) {
    const from = ownerOf(r);
    const m = meta(r);
    if (!from || !m.namespace || r.type === "kubernetes:core/v1:Secret" || r.type === NETWORK_POLICY) continue;
    const spec = podTemplate(r) ?? obj(r.inputs.spec);
    for (const s of [...new Set(secretNames(spec))].sort()) {
      const secret = secretsByKey.get(`${m.namespace}/${s}`);
      const owner = secret ? ownerOf(secret) : byOperatorPrefix(m.namespace, s);
      if (owner) addEdge(b, from, owner, "credentials", "credentials");
      else if (secret) {
        // A Secret outside any block (an account's HMAC key): the account's grants are the flow.
        for (const a of accountsBehind(secret)) for (const g of grants.get(a) ?? []) grantEdge(from, g.target, [g.role]);
      }
    }
    // A certificate names its issuer: the block that makes the issuer signs it.
    const issuer = obj(obj(r.inputs.spec).issuerRef);
    if (kindOf(r.type) === "Certificate" && known(issuer.name)) {
      const made = issuerIndex.get(`${issuer.kind === "ClusterIssuer" ? "" : m.namespace}/${issuer.name}`);
      if (made) addEdge(b, made, from, "credentials", "TLS certificates");
    }
    if (!podTemplate(r)) continue;
    for (const str of strings(spec)) {
      for (const hit of str.matchAll(/\b([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.svc\b/g)) {
        const [svc, ns] = [hit[1]!, hit[3]!];
        const service = servicesByKey.get(`${ns}/${svc}`);
        const owner = service ? ownerOf(service) : byOperatorPrefix(ns, svc);
        addEdge(b, from, owner ?? (planNamespaces.has(ns) ? undefined : externalNs(ns)), "uses", "");
      }
    }
  }
  // Monitoring: Prometheus scrapes what a ServiceMonitor / PodMonitor selects (the flow is in the policies; its kind is monitoring).
  for (const e of b.edges.values()) {
    const from = b.blocks.get(e.from);
    if (from && (from.kind === "MonitoringStack" || (from.external && from.name === "monitoring")) && e.kind === "traffic") e.kind = "monitoring";
  }

  // --- labels
  for (const blk of b.blocks.values()) {
    if (blk.external) continue;
    blk.details = describe(blk, blk.resources, tenantIds, tenantOf);
    blk.fingerprint = hash(blk.resources.map((r) => [r.urn, r.type, r.inputs, r.options.protect]));
  }
  if (tenantsBlock) {
    const t = b.blocks.get(tenantsBlock)!;
    t.name = `firms ×${tenantIds.length}`;
    const kinds = [...new Set(t.resources.filter((r) => !isComponent(r)).map((r) => kindOf(r.type)))].sort();
    t.details = [`per firm: ${kinds.join(", ")}`];
    t.group = undefined;
    const projects = [...new Set(t.resources.map(projectOf).filter(known))].sort();
    if (projects.length === 1) t.group = projectGroup(projects[0]!);
  }

  // --- drop empty groups, sort
  const groups = [...b.groups.values()];
  const used = new Set<string>();
  for (const blk of b.blocks.values()) for (let g = blk.group; g && !used.has(g); g = b.groups.get(g)?.parent) used.add(g);
  return {
    stack: input.stack,
    groups: groups.filter((g) => used.has(g.id)).sort((x, y) => sortStr(x.id, y.id)),
    blocks: [...b.blocks.values()].map(({ resources: _r, ...rest }) => rest).sort((x, y) => sortStr(x.id, y.id)),
    edges: [...b.edges.values()]
      .map(({ labels, ...e }) => ({ ...e, label: edgeLabel(labels) }))
      .sort((x, y) => sortStr(x.from, y.from) || sortStr(x.to, y.to)),
    ...(tenantIds.length ? { tenants: tenantIds.length } : {}),
  };
}

function edgeLabel(labels: Set<string>): string {
  const all = [...labels].filter(Boolean).sort();
  const portish = all.filter((l) => /^[0-9/-]+$/.test(l));
  const ports = [...new Set(portish.flatMap((l) => l.split("/")))].sort((a, b) => Number(a.split("-")[0]) - Number(b.split("-")[0]));
  const words = all.filter((l) => !/^[0-9/-]+$/.test(l));
  const portText = ports.length > 4 ? `${ports.slice(0, 4).join("/")}/…` : ports.join("/");
  return [portText, ...words].filter(Boolean).join(" · ");
}

function descendants(urn: string, childrenOf: Map<string, RecordedResource[]>): RecordedResource[] {
  const out: RecordedResource[] = [];
  for (const c of childrenOf.get(urn) ?? []) out.push(c, ...descendants(c.urn, childrenOf));
  return out;
}

function dependencyIn(r: RecordedResource, set: Map<string, string>): string | undefined {
  return [...r.dependencies].sort().find((d) => set.has(d));
}

/** What a block's label says: replicas, tier, region, and the policy-relevant flags. */
function describe(blk: Block, rs: readonly RecordedResource[], tenantIds: string[], tenantOf: (n: string) => string | undefined): string[] {
  const out: string[] = [];
  // Replicas: workloads, autoscalers, operator resources.
  const replicas: string[] = [];
  for (const r of rs) {
    const spec = obj(r.inputs.spec);
    const k = kindOf(r.type);
    if (r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:apps/v1:StatefulSet") {
      const n = num(spec.replicas);
      if (n !== undefined) replicas.push(`${n} pod${n === 1 ? "" : "s"}`);
    } else if (k === "HorizontalPodAutoscaler") replicas.push(`HPA ${num(spec.minReplicas) ?? 1}–${num(spec.maxReplicas) ?? "?"}`);
    else if (k === "ScaledObject") replicas.push(`KEDA ${num(spec.minReplicaCount) ?? 0}–${num(spec.maxReplicaCount) ?? 100}`);
    else if (k === "MongoDBCommunity") replicas.push(`${num(spec.members) ?? 1} member${num(spec.members) === 1 ? "" : "s"}`);
    else if (k === "RedisCluster") replicas.push(`${num(spec.clusterSize) ?? 3} leaders${num(obj(spec.redisFollower).replicas) ? ` + ${num(obj(spec.redisFollower).replicas)} followers` : ""}`);
    else if (k === "KafkaNodePool") replicas.push(`${num(spec.replicas) ?? "?"} × ${asArray(spec.roles).filter(known).join("+") || "node"}`);
    else if (k === "RabbitmqCluster" || k === "MariaDB") replicas.push(`${num(spec.replicas) ?? 1} node${num(spec.replicas) === 1 ? "" : "s"}`);
    else if (k === "Cluster" && r.type.startsWith("kubernetes:postgresql.cnpg.io/")) replicas.push(`${num(spec.instances) ?? 1} instances`);
    else if (k === "Elasticsearch") replicas.push(`${asArray(spec.nodeSets).map(obj).reduce((s, n) => s + (num(n.count) ?? 0), 0)} nodes`);
    else if (r.type === "gcp:cloudrunv2/service:Service") {
      // Service-level scaling (manual count, or an automatic floor and ceiling) overrides the revision's.
      const service = obj(r.inputs.scaling);
      const sc = obj(obj(r.inputs.template).scaling);
      if (service.scalingMode === "MANUAL") replicas.push(`instances ${num(service.manualInstanceCount) ?? "?"} (manual)`);
      else replicas.push(`instances ${Math.max(num(sc.minInstanceCount) ?? 0, num(service.minInstanceCount) ?? 0)}–${num(service.maxInstanceCount) ?? num(sc.maxInstanceCount) ?? 100}`);
    }
  }
  if (replicas.length) out.push([...new Set(replicas)].join(", "));
  // Tiers and classes.
  const tiers: string[] = [];
  for (const r of rs) {
    const settings = obj(r.inputs.settings);
    if (r.type === "gcp:sql/databaseInstance:DatabaseInstance") tiers.push([known(r.inputs.databaseVersion) ? r.inputs.databaseVersion : "", known(settings.tier) ? settings.tier : "", known(settings.availabilityType) ? settings.availabilityType : ""].filter(Boolean).join(" "));
    if (r.type === "gcp:storage/bucket:Bucket" && known(r.inputs.storageClass)) tiers.push(r.inputs.storageClass);
    if (r.type === "gcp:logging/projectBucketConfig:ProjectBucketConfig" && num(r.inputs.retentionDays)) tiers.push(`logs kept ${num(r.inputs.retentionDays)} days`);
    if (r.type === "gcp:cloudrunv2/service:Service") {
      const limits = obj(obj(asArray(obj(r.inputs.template).containers).map(obj)[0]?.resources).limits);
      if (known(limits.cpu) || known(limits.memory)) tiers.push([limits.cpu, limits.memory].filter(known).join(" / "));
    }
    if (r.type === HELM_RELEASE && known(r.inputs.chart)) tiers.push(`${r.inputs.chart.split("/").pop()}${known(r.inputs.version) ? ` ${r.inputs.version}` : ""}`);
  }
  if (tiers.length) out.push([...new Set(tiers)].sort().join(", "));
  // Regions.
  const regions = [...new Set(rs.filter((r) => r.type.startsWith("gcp:") && r.custom).map((r) => (known(r.inputs.region) ? r.inputs.region : known(r.inputs.location) ? r.inputs.location : undefined)).filter(known))].sort();
  if (regions.length) out.push(regions.length > 3 ? `${regions.slice(0, 3).join(", ")} …` : regions.join(", "));
  // Tenants served.
  if (tenantIds.length && blk.kind !== "tenants") {
    const served = new Set(rs.map((r) => tenantOf(r.name)).filter(known));
    if (served.size) out.push(`${served.size} firm${served.size === 1 ? "" : "s"}`);
  }
  // Flags.
  const flags: string[] = [];
  const encrypted = rs.some((r) => hasKey(r.inputs, /kmsKey|KmsKey|encryptionKey|defaultKmsKeyName|kmsKeyName|cryptoKey/) || (r.type === "gcp:container/cluster:Cluster" && obj(r.inputs.databaseEncryption).state === "ENCRYPTED"));
  const tls = rs.some((r) => kindOf(r.type) === "Certificate" || hasTls(r));
  if (encrypted && blk.kind !== "EncryptionKeys") flags.push("encrypted (CMEK)");
  else if (tls) flags.push("TLS");
  if (encrypted && tls) flags.push("TLS");
  const backedUp = rs.some((r) => {
    const k = kindOf(r.type);
    if (/Backup/.test(k)) return true;
    if (r.type === "kubernetes:batch/v1:CronJob" && /backup|dump/i.test(r.name)) return true;
    if (r.type === "gcp:sql/databaseInstance:DatabaseInstance") return obj(obj(r.inputs.settings).backupConfiguration).enabled === true;
    if (k === "Cluster" && r.type.startsWith("kubernetes:postgresql.cnpg.io/")) return asArray(obj(r.inputs.spec).plugins).length > 0 || !!obj(r.inputs.spec).backup;
    return false;
  });
  if (backedUp) flags.push("backed up");
  const pitr = rs.some((r) => obj(obj(obj(r.inputs.settings).backupConfiguration)).pointInTimeRecoveryEnabled === true || (kindOf(r.type) === "Cluster" && r.type.startsWith("kubernetes:postgresql.cnpg.io/") && asArray(obj(r.inputs.spec).plugins).some((p) => obj(obj(p).parameters).barmanObjectName !== undefined)));
  if (pitr) flags.push("PITR");
  if (rs.some((r) => r.type === "gcp:storage/bucket:Bucket" && obj(r.inputs.versioning).enabled === true)) flags.push("versioned");
  const protectedCount = rs.filter((r) => r.options.protect).length;
  if (protectedCount) flags.push("protected");
  if (flags.length) out.push(flags.join(" · "));
  return out;
}

function hasKey(v: unknown, re: RegExp, depth = 0): boolean {
  if (depth > 6 || !v || typeof v !== "object" || isOpaque(v)) return false;
  for (const [k, x] of Object.entries(v)) {
    if (re.test(k) && x !== undefined && x !== null && x !== "") return true;
    if (hasKey(x, re, depth + 1)) return true;
  }
  return false;
}

/** An operator resource serving TLS: a `tls` object that is not disabled, or a listener with `tls: true`. */
function hasTls(r: RecordedResource): boolean {
  if (!OPERATOR_GROUPS.test(r.type)) return false;
  const spec = obj(r.inputs.spec);
  const tls = asObject(spec.tls) ?? asObject(obj(spec.security).tls);
  if (tls && tls.enabled !== false && Object.keys(tls).length) return true;
  return asArray(obj(spec.kafka).listeners).some((l) => obj(l).tls === true);
}

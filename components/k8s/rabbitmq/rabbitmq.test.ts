import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { statefulKind } from "../../../model/stateful";
import { runProgram } from "../../../tests/harness";
import {
  RABBITMQ_DEFAULT_DELIVERY_LIMIT,
  RABBITMQ_IMAGE,
  RabbitmqBroker,
  exactNamesRegex,
  rabbitmqClientSecretData,
  rabbitmqInterNodeTlsConfig,
  rabbitmqPodSelector,
  resolveRabbitmqBrokerArgs,
  type RabbitmqBrokerArgs,
} from "./index";

const base: RabbitmqBrokerArgs = {
  namespace: "shareyoursales-prod-infra",
  resourceName: "rabbitmq",
  tls: { issuer: { name: "shareyoursales-prod-ca-issuer", kind: "ClusterIssuer" } },
  exchanges: [{ name: "sys.events" }],
  queues: [
    { name: "email", exchange: "sys.events", routingKey: "email.#" },
    { name: "invoice", exchange: "sys.events", routingKey: "invoice.#", deliveryLimit: 5 },
  ],
  users: [
    { name: "auth-service", clientNamespaces: ["shareyoursales-prod"], publishes: ["sys.events"] },
    { name: "email-worker", clientNamespaces: ["shareyoursales-prod"], consumes: ["email"] },
    { name: "ops", clientNamespaces: ["shareyoursales-prod", "shareyoursales-ops"], consumes: ["email.dlq", "invoice.dlq"], managementApi: true },
  ],
};
const CLUSTER = "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster";
const QUEUE = "kubernetes:rabbitmq.com/v1beta1:Queue";
const POLICY = "kubernetes:rabbitmq.com/v1beta1:Policy";
const BINDING = "kubernetes:rabbitmq.com/v1beta1:Binding";
const EXCHANGE = "kubernetes:rabbitmq.com/v1beta1:Exchange";
const USER = "kubernetes:rabbitmq.com/v1beta1:User";
const PERMISSION = "kubernetes:rabbitmq.com/v1beta1:Permission";
const SECRET = "kubernetes:core/v1:Secret";

async function plan(args: Partial<RabbitmqBrokerArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new RabbitmqBroker("rabbitmq", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

describe("RabbitmqBroker", () => {
  it("makes a cluster and its topology, every object valid against the vendored CRDs (cluster-operator 2.22.3, topology 1.20.1)", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      [CLUSTER]: 1,
      "kubernetes:rabbitmq.com/v1beta1:Vhost": 1,
      [EXCHANGE]: 2,
      [QUEUE]: 4,
      [BINDING]: 4,
      [POLICY]: 2,
      [USER]: 3,
      [PERMISSION]: 3,
      [SECRET]: 3 + 4,
      "random:index/randomPassword:RandomPassword": 3,
      "kubernetes:cert-manager.io/v1:Certificate": 1,
      "kubernetes:monitoring.coreos.com/v1:PodMonitor": 1,
      "kubernetes:policy/v1:PodDisruptionBudget": 1,
      "platform:k8s:RabbitmqBroker": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    expect(schemaErrors(p)).toEqual([]);
    for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:"))) expect(r.parent, r.name).toMatch(/RabbitmqBroker::rabbitmq$/);
  });

  it("runs 3 TLS-only nodes by default, with the pinned image, persistence, resources and quorum-queue config", async () => {
    const p = await plan();
    const c = p.one(CLUSTER).inputs;
    expect(valueAt(c, "spec.replicas")).toBe(3);
    expect(valueAt(c, "spec.image")).toBe(RABBITMQ_IMAGE);
    expect(valueAt(c, "spec.tls")).toEqual({ secretName: "rabbitmq-server-tls", disableNonTLSListeners: true });
    expect(valueAt(c, "spec.persistence")).toEqual({ storageClassName: "premium-rwo", storage: "10Gi" });
    expect(valueAt(c, "spec.resources")).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } });
    const conf = valueAt(c, "spec.rabbitmq.additionalConfig") as string;
    expect(conf).toContain("default_queue_type = quorum");
    expect(conf).toContain("ssl_options.versions.1 = tlsv1.3");
    expect(conf).not.toContain("tlsv1.1");
    expect(p.one(CLUSTER).options.protect).toBe(true);
    const cert = p.one("kubernetes:cert-manager.io/v1:Certificate").inputs;
    expect(valueAt(cert, "spec.issuerRef")).toEqual({ name: "shareyoursales-prod-ca-issuer", kind: "ClusterIssuer", group: "cert-manager.io" });
    expect(valueAt(cert, "spec.dnsNames")).toContain("rabbitmq.shareyoursales-prod-infra.svc");
    expect(valueAt(cert, "spec.secretName")).toBe("rabbitmq-server-tls");
    expect(valueAt(p.one("kubernetes:policy/v1:PodDisruptionBudget").inputs, "spec")).toEqual({ maxUnavailable: 1, selector: { matchLabels: rabbitmqPodSelector("rabbitmq") } });
  });

  it("a single node (dev) has no PDB; deletion protection off drops protect and the retain policy", async () => {
    const p = await plan({ replicas: 1, deletionProtection: false });
    expect(valueAt(p.one(CLUSTER).inputs, "spec.replicas")).toBe(1);
    expect(p.ofType("kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(0);
    expect(p.one(CLUSTER).options.protect).toBe(false);
    expect(valueAt(p.one(QUEUE, "rabbitmq-queue-email").inputs, "spec.deletionPolicy")).toBeUndefined();
    const prot = await plan();
    // What the prod stack test demands: every resource model/stateful.ts counts as state is protected.
    const stateful = prot.resources.filter((x) => statefulKind(x.type, x.custom, x.inputs) !== undefined);
    // Cluster, vhost, exchanges, queues, bindings, policies, permissions; users are identities (model/stateful.ts).
    expect(stateful.length).toBe(1 + 1 + 2 + 4 + 4 + 2 + 3);
    expect(stateful.filter((x) => !x.options.protect).map((x) => x.name)).toEqual([]);
    expect(p.resources.filter((x) => x.options.protect).map((x) => x.name)).toEqual([]);
    expect(valueAt(prot.one(QUEUE, "rabbitmq-queue-email").inputs, "spec.deletionPolicy")).toBe("retain");
    expect(prot.one(QUEUE, "rabbitmq-queue-email").options.protect).toBe(true);
  });

  it("makes quorum queues with a dead-letter queue each, bound through the dead-letter exchange, and a delivery-limit policy", async () => {
    const p = await plan();
    const email = p.one(QUEUE, "rabbitmq-queue-email").inputs;
    expect(valueAt(email, "spec")).toMatchObject({ name: "email", vhost: "events", type: "quorum", durable: true, rabbitmqClusterReference: { name: "rabbitmq" } });
    const dlq = p.one(QUEUE, "rabbitmq-queue-email-dlq").inputs;
    expect(valueAt(dlq, "spec")).toMatchObject({ name: "email.dlq", type: "quorum" });
    expect(valueAt(p.one(BINDING, "rabbitmq-binding-email").inputs, "spec")).toMatchObject({ source: "sys.events", destination: "email", destinationType: "queue", routingKey: "email.#" });
    expect(valueAt(p.one(BINDING, "rabbitmq-binding-email-dlq").inputs, "spec")).toMatchObject({ source: "dead-letter", destination: "email.dlq", routingKey: "email" });
    expect(valueAt(p.one(EXCHANGE, "rabbitmq-exchange-dead-letter").inputs, "spec.type")).toBe("direct");
    expect(valueAt(p.one(EXCHANGE, "rabbitmq-exchange-sys.events").inputs, "spec.type")).toBe("topic");
    const policy = p.one(POLICY, "rabbitmq-dead-lettering-email").inputs;
    expect(valueAt(policy, "spec.pattern")).toBe("^(email)$");
    expect(valueAt(policy, "spec.applyTo")).toBe("quorum_queues");
    expect(valueAt(policy, "spec.definition")).toEqual({
      "dead-letter-exchange": "dead-letter",
      "dead-letter-routing-key": "email",
      "delivery-limit": RABBITMQ_DEFAULT_DELIVERY_LIMIT,
      "dead-letter-strategy": "at-least-once",
      overflow: "reject-publish",
    });
    expect(RABBITMQ_DEFAULT_DELIVERY_LIMIT).toBe(3);
    expect(valueAt(p.one(POLICY, "rabbitmq-dead-lettering-invoice").inputs, "spec.definition.delivery-limit")).toBe(5);
    expect(valueAt(p.one("kubernetes:rabbitmq.com/v1beta1:Vhost").inputs, "spec")).toMatchObject({ name: "events", defaultQueueType: "quorum" });
  });

  it("gives each user least-privilege permissions: publishers write their exchange, workers read their queue, nobody configures", async () => {
    const p = await plan();
    const perm = (u: string) => valueAt(p.one(PERMISSION, `rabbitmq-permission-${u}`).inputs, "spec") as Record<string, unknown>;
    expect(perm("auth-service")).toMatchObject({ vhost: "events", userReference: { name: "rabbitmq-auth-service" }, permissions: { configure: "^$", write: "^(sys\\.events)$", read: "^$" } });
    expect(perm("email-worker")).toMatchObject({ permissions: { configure: "^$", write: "^$", read: "^(email)$" } });
    expect(perm("ops")).toMatchObject({ permissions: { configure: "^$", write: "^$", read: "^(email\\.dlq|invoice\\.dlq)$" } });
    expect(new RegExp(exactNamesRegex(["sys.events"])).test("sysXevents")).toBe(false);
    expect(valueAt(p.one(USER, "rabbitmq-user-auth-service").inputs, "spec")).toMatchObject({ tags: [], importCredentialsSecret: { name: "rabbitmq-auth-service-credentials" } });
    expect(valueAt(p.one(USER, "rabbitmq-user-ops").inputs, "spec.tags")).toEqual(["management"]);
  });

  it("gives the operator the credentials in the broker's namespace and copies them into each client namespace", async () => {
    const p = await plan();
    const imported = p.one(SECRET, "rabbitmq-user-auth-service-credentials").inputs;
    expect(valueAt(imported, "metadata")).toMatchObject({ name: "rabbitmq-auth-service-credentials", namespace: "shareyoursales-prod-infra" });
    const copy = p.one(SECRET, "rabbitmq-user-auth-service-shareyoursales-prod").inputs;
    expect(valueAt(copy, "metadata.namespace")).toBe("shareyoursales-prod");
    expect(valueAt(copy, "metadata.name")).toBe("rabbitmq-auth-service");
    expect(rabbitmqClientSecretData({ name: "auth-service" }, "rabbitmq.ns.svc", "events", "pw")).toEqual({
      username: "auth-service",
      password: "pw",
      host: "rabbitmq.ns.svc",
      port: "5671",
      vhost: "events",
      url: "amqps://auth-service:pw@rabbitmq.ns.svc:5671/events",
    });
    expect(rabbitmqClientSecretData({ name: "ops", managementApi: true }, "h", "events", "pw").managementUrl).toBe("https://ops:pw@h:15671/events");
    // The ops user: the operator's copy in the broker's namespace, and one per client namespace.
    const opsNamespaces = p.ofType(SECRET).filter((x) => x.name.startsWith("rabbitmq-user-ops-")).map((x) => valueAt(x.inputs, "metadata.namespace"));
    expect(opsNamespaces.sort()).toEqual(["shareyoursales-ops", "shareyoursales-prod", "shareyoursales-prod-infra"]);
  });

  it("scrapes both metrics endpoints over TLS with the server certificate's CA", async () => {
    const p = await plan({ metrics: { labels: { release: "kube-prometheus-stack" } } });
    const pm = p.one("kubernetes:monitoring.coreos.com/v1:PodMonitor").inputs;
    expect(valueAt(pm, "metadata.labels.release")).toBe("kube-prometheus-stack");
    expect(valueAt(pm, "spec.selector.matchLabels")).toEqual(rabbitmqPodSelector("rabbitmq"));
    const eps = valueAt(pm, "spec.podMetricsEndpoints") as Record<string, unknown>[];
    expect(eps.map((e) => e.path)).toEqual(["/metrics", "/metrics/detailed"]);
    for (const e of eps) {
      expect(e).toMatchObject({ port: "prometheus-tls", scheme: "https", tlsConfig: { ca: { secret: { name: "rabbitmq-server-tls", key: "ca.crt" } }, serverName: "rabbitmq.shareyoursales-prod-infra.svc" } });
    }
    expect(eps[1]!.params).toEqual({ family: ["queue_coarse_metrics", "queue_consumer_count"], vhost: ["events"] });
    expect((await plan({ metrics: { enabled: false } })).ofType("kubernetes:monitoring.coreos.com/v1:PodMonitor")).toHaveLength(0);
  });

  it("with tls.interNode, runs Erlang distribution over TLS with peer verification, from the server certificate", async () => {
    const off = (await plan()).one(CLUSTER).inputs;
    expect(valueAt(off, "spec.override")).toBeUndefined();
    expect(valueAt(off, "spec.rabbitmq.envConfig")).toBeUndefined();
    const p = await plan({ tls: { ...base.tls, interNode: true } });
    expect(schemaErrors(p)).toEqual([]);
    const c = p.one(CLUSTER).inputs;
    expect(valueAt(c, "spec.rabbitmq.envConfig")).toBe(
      'SERVER_ADDITIONAL_ERL_ARGS="-proto_dist inet_tls -ssl_dist_optfile /etc/rabbitmq/inter-node-tls.config"\n' +
        'RABBITMQ_CTL_ERL_ARGS="-proto_dist inet_tls -ssl_dist_optfile /etc/rabbitmq/inter-node-tls.config"\n',
    );
    const pod = valueAt(c, "spec.override.statefulSet.spec.template.spec") as { containers: { name: string; volumeMounts: { mountPath: string }[] }[]; volumes: Record<string, unknown>[] };
    expect(pod.containers.map((x) => x.name)).toEqual(["rabbitmq"]);
    expect(pod.containers[0]!.volumeMounts.map((m) => m.mountPath)).toEqual(["/etc/rabbitmq/inter-node-tls", "/etc/rabbitmq/inter-node-tls.config"]);
    expect(pod.volumes[0]).toMatchObject({ secret: { secretName: "rabbitmq-server-tls" } });
    expect(pod.volumes[1]).toMatchObject({ configMap: { name: "rabbitmq-inter-node-tls" } });
    const conf = (valueAt(p.one("kubernetes:core/v1:ConfigMap", "rabbitmq-inter-node-tls").inputs, "data") as Record<string, string>)["inter_node_tls.config"];
    expect(conf).toBe(rabbitmqInterNodeTlsConfig());
    expect(conf).toContain("{fail_if_no_peer_cert, true}");
    expect((conf as string).match(/\{verify, verify_peer\}/g)).toHaveLength(2);
    // The node's own host name is <pod>.<name>-nodes.<ns> (the operator's K8S_HOSTNAME_SUFFIX).
    expect(valueAt(p.one("kubernetes:cert-manager.io/v1:Certificate").inputs, "spec.dnsNames")).toContain("*.rabbitmq-nodes.shareyoursales-prod-infra");
    expect(p.one(CLUSTER).dependencies).toContain(p.one("kubernetes:core/v1:ConfigMap").urn);
  });

  it("makes every custom resource wait for the CRD installers it is given", async () => {
    const { plan: p } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", {});
      const release = new k8s.core.v1.ConfigMap("operators", { metadata: { name: "x" } }, { provider });
      new RabbitmqBroker("rabbitmq", { ...base, crdInstallers: [{ release: release as never, crdGroups: ["rabbitmq.com"] }] }, { provider });
    });
    const operators = p.one("kubernetes:core/v1:ConfigMap", "operators").urn;
    expect(p.one(CLUSTER).dependencies).toContain(operators);
    expect(p.one(PERMISSION, "rabbitmq-permission-auth-service").dependencies).toContain(operators);
    expect(p.one(CLUSTER).dependencies).toContain(p.one("kubernetes:cert-manager.io/v1:Certificate").urn);
  });

  it("refuses even and out-of-range replicas, small disks, unknown references and unsafe users", () => {
    const r = (a: Partial<RabbitmqBrokerArgs>) => () => resolveRabbitmqBrokerArgs("mq", { ...base, ...a });
    expect(r({ replicas: 2 })).toThrow(/replicas must be 1 or an odd integer from 3 to 7 .* got 2/);
    expect(r({ replicas: 4 })).toThrow(/got 4/);
    expect(r({ replicas: 9 })).toThrow(/got 9/);
    expect(r({ replicas: 0 })).toThrow(/got 0/);
    expect(() => resolveRabbitmqBrokerArgs("mq", { ...base, replicas: 5 })).not.toThrow();
    expect(r({ storage: { size: "2Gi" } })).toThrow(/storage.size must be a quantity of at least 4Gi .* got "2Gi"/);
    expect(r({ image: "rabbitmq:latest" })).toThrow(/image "rabbitmq:latest" is not pinned/);
    expect(r({ queues: [{ name: "q", exchange: "nope", routingKey: "#" }] })).toThrow(/queue "q" is bound to exchange "nope", which is not in exchanges \(sys.events\)/);
    expect(r({ queues: [{ name: "q", exchange: "sys.events", routingKey: "#", deliveryLimit: 0 }] })).toThrow(/deliveryLimit must be an integer from 1 to 100/);
    expect(r({ queues: [{ name: "q.dlq", exchange: "sys.events", routingKey: "#" }] })).toThrow(/ends with ".dlq"/);
    expect(r({ exchanges: [{ name: "dead-letter" }] })).toThrow(/dead-letter exchange/);
    expect(r({ exchanges: [{ name: "a" }, { name: "a" }], queues: [], users: [] })).toThrow(/exchange "a" is declared twice/);
    expect(r({ users: [{ name: "u", clientNamespaces: ["app"], publishes: ["other"] }] })).toThrow(/user "u" publishes to "other", which is not in exchanges/);
    expect(r({ users: [{ name: "u", clientNamespaces: ["app"], consumes: ["other"] }] })).toThrow(/user "u" consumes "other"/);
    expect(r({ users: [{ name: "u", clientNamespaces: ["app"] }] })).toThrow(/neither publishes nor consumes/);
    expect(r({ users: [{ name: "u", clientNamespaces: [], consumes: ["email"] }] })).toThrow(/no clientNamespaces/);
    expect(r({ users: [{ name: "u", clientNamespaces: ["shareyoursales-prod-infra"], consumes: ["email"] }] })).toThrow(/broker's own namespace/);
    expect(r({ users: [{ name: "Bad_Name", clientNamespaces: ["app"], consumes: ["email"] }] })).toThrow(/user name "Bad_Name"/);
    expect(r({ resourceName: "r".repeat(40) })).toThrow(/X.509 allows 64: shorten resourceName/);
    expect(r({ tls: { issuer: { name: "" } } })).toThrow(/tls.issuer.name is required/);
    expect(r({ resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "1Gi" } } })).toThrow(/limits.memory/);
  });

  it("resolves the documented defaults", () => {
    const r = resolveRabbitmqBrokerArgs("mq", { namespace: "x-infra", tls: { issuer: { name: "ca" } } });
    expect(r).toMatchObject({ resourceName: "mq", replicas: 3, vhost: "events", storage: { storageClassName: "premium-rwo", size: "10Gi" }, deletionProtection: true, exchanges: [], queues: [], users: [], crdInstallers: [] });
    expect(r.tls.issuer.kind).toBe("Issuer");
    expect(r.metrics).toEqual({ enabled: true, labels: {} });
  });
});

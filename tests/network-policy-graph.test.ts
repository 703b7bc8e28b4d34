/**
 * Walks the NetworkPolicies a dev + prod DiaspoMoney layout records (IsolatedNamespace's
 * default-deny + DNS, and NetworkFlows' allow-list from platformFlows) as a graph, with
 * Kubernetes semantics (components/k8s/network-flows/graph.ts), and shows: the app reaches
 * MongoDB, Redis and Kafka; dev cannot reach prod infrastructure (nor prod dev's); nothing
 * outside an env reaches its infrastructure except the operators and Prometheus on their ports.
 *
 * Not modelled: the NetworkPolicies Strimzi generates at run time for its listeners (they only
 * narrow further: with the `clientPeers` KafkaCluster requires, they admit the same app pods),
 * and named ports (never assumed to match).
 */
import * as k8s from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import { kafkaBrokerPodSelector, kafkaNodePodSelector } from "../components/k8s/kafka";
import { mongoBackupPodSelector, mongoPodSelector } from "../components/k8s/mongodb";
import { IsolatedNamespace } from "../components/k8s/namespace";
import { NetworkFlows, platformFlows } from "../components/k8s/network-flows";
import { NetworkGraph, policiesFromPlan, type PodRef } from "../components/k8s/network-flows/graph";
import { redisPodSelector } from "../components/k8s/redis-cluster";
import { webAppPodSelector } from "../components/k8s/web-app";
import { runProgram } from "./harness";

const ENVS = ["dev", "prod"] as const;
type Env = (typeof ENVS)[number];
const appNs = (env: Env) => `diaspomoney-${env}`;
const infraNs = (env: Env) => `diaspomoney-${env}-infra`;
const TRAEFIK = { namespace: "traefik", labels: { "app.kubernetes.io/name": "traefik" } };
const PROMETHEUS = { namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" } };
const REDIS_OPERATOR = { namespace: "redis-operator", labels: { name: "redis-operator" } };
const STRIMZI = { namespace: "strimzi", labels: { name: "strimzi-cluster-operator" } };
const API_SERVER = "172.16.0.2/32";

let graph: NetworkGraph;
let ipSeq = 0;
const pod = (name: string, namespace: string, labels: Record<string, string>): PodRef => ({ name, namespace, labels, ip: `10.8.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}` });

function envPods(env: Env) {
  const ns = infraNs(env);
  const kafkaNode = kafkaNodePodSelector("kafka");
  return {
    app: pod(`${env}/web`, appNs(env), { ...webAppPodSelector("web"), "app.kubernetes.io/instance": "web" }),
    debug: pod(`${env}/debug`, appNs(env), { run: "debug" }),
    mongo0: pod(`${env}/mongodb-0`, ns, mongoPodSelector("mongodb")),
    mongo1: pod(`${env}/mongodb-1`, ns, mongoPodSelector("mongodb")),
    backup: pod(`${env}/mongodb-backup`, ns, mongoBackupPodSelector("mongodb")),
    redisLeader: pod(`${env}/redis-leader-0`, ns, { app: "redis-leader", role: "leader", redis_setup_type: "cluster" }),
    redisFollower: pod(`${env}/redis-follower-0`, ns, { app: "redis-follower", role: "follower", redis_setup_type: "cluster" }),
    kafkaBroker: pod(`${env}/kafka-broker-0`, ns, { ...kafkaBrokerPodSelector("kafka"), "strimzi.io/pool-name": "broker" }),
    kafkaController: pod(`${env}/kafka-controller-3`, ns, { ...kafkaNode, "strimzi.io/controller-role": "true", "strimzi.io/pool-name": "controller" }),
    entityOperator: pod(`${env}/kafka-entity-operator`, ns, { ...kafkaNode, "strimzi.io/name": "kafka-entity-operator" }),
  };
}
const pods = { dev: envPods("dev"), prod: envPods("prod") };
const infraPods = (env: Env) => {
  const p = pods[env];
  return [p.mongo0, p.mongo1, p.backup, p.redisLeader, p.redisFollower, p.kafkaBroker, p.kafkaController, p.entityOperator];
};
const traefik = pod("traefik", TRAEFIK.namespace, TRAEFIK.labels);
const prometheus = pod("prometheus", PROMETHEUS.namespace, PROMETHEUS.labels);
const redisOperator = pod("redis-operator", REDIS_OPERATOR.namespace, REDIS_OPERATOR.labels);
const strimzi = pod("strimzi", STRIMZI.namespace, STRIMZI.labels);
const attacker = pod("default/attacker", "default", { app: "web" });
const kubeDns = pod("kube-dns", "kube-system", { "k8s-app": "kube-dns" });
const PROBE_PORTS = [22, 53, 80, 443, 3000, 6379, 9090, 9091, 9092, 9093, 9121, 16379, 27017];

beforeAll(async () => {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    for (const env of ENVS) {
      for (const ns of [appNs(env), infraNs(env)]) {
        new IsolatedNamespace(ns, { env, platform: "diaspomoney", deletionProtection: false }, { provider });
      }
      new NetworkFlows(
        `flows-${env}`,
        {
          resourceName: "flows",
          flows: platformFlows({
            app: { namespace: appNs(env), podSelector: { matchLabels: webAppPodSelector("web") }, port: 3000 },
            infraNamespace: infraNs(env),
            ingressController: { namespace: TRAEFIK.namespace, podSelector: { matchLabels: TRAEFIK.labels } },
            prometheus: { namespace: PROMETHEUS.namespace, podSelector: { matchLabels: PROMETHEUS.labels } },
            dns: false, // IsolatedNamespace allows DNS
            mongodb: { podSelector: { matchLabels: mongoPodSelector("mongodb") }, backupPodSelector: { matchLabels: mongoBackupPodSelector("mongodb") } },
            redis: { podSelector: redisPodSelector("redis") },
            kafka: { brokerPodSelector: { matchLabels: kafkaBrokerPodSelector("kafka") }, clusterPodSelector: { matchLabels: { "strimzi.io/cluster": "kafka" } } },
            operators: [
              { name: "redis-operator", namespace: REDIS_OPERATOR.namespace, podSelector: { matchLabels: REDIS_OPERATOR.labels }, target: "redis" },
              { name: "strimzi", namespace: STRIMZI.namespace, podSelector: { matchLabels: STRIMZI.labels }, target: "kafka" },
            ],
            apiServerCidrs: [API_SERVER],
          }),
        },
        { provider },
      );
    }
  });
  graph = new NetworkGraph(policiesFromPlan(plan.resources));
  expect(graph.policies.length).toBeGreaterThan(20);
});

describe("NetworkPolicy graph of the DiaspoMoney envs", () => {
  for (const env of ENVS) {
    it(`${env}: the app reaches MongoDB, Redis and Kafka on their data ports`, () => {
      const p = pods[env];
      expect(graph.explain(p.app, p.mongo0, 27017)).toMatchObject({ allowed: true });
      expect(graph.allows(p.app, p.redisLeader, 6379)).toBe(true);
      expect(graph.allows(p.app, p.redisFollower, 6379)).toBe(true);
      expect(graph.allows(p.app, p.kafkaBroker, 9093)).toBe(true);
      expect(graph.allows(p.app, kubeDns, 53, "UDP")).toBe(true);
    });

    it(`${env}: the app reaches nothing else in infra`, () => {
      const p = pods[env];
      for (const target of infraPods(env)) {
        for (const port of PROBE_PORTS) {
          const expected =
            (target === p.mongo0 || target === p.mongo1 ? port === 27017 : false) ||
            ((target === p.redisLeader || target === p.redisFollower) && port === 6379) ||
            (target === p.kafkaBroker && port === 9093);
          expect(graph.allows(p.app, target, port), `${p.app.name} → ${target.name}:${port}`).toBe(expected);
        }
      }
      expect(graph.allows(p.app, { name: "internet", ip: "142.250.180.14" }, 443)).toBe(false);
    });

    it(`${env}: Traefik and Prometheus reach the app; nobody else does`, () => {
      const p = pods[env];
      expect(graph.allows(traefik, p.app, 3000)).toBe(true);
      expect(graph.allows(prometheus, p.app, 3000)).toBe(true);
      expect(graph.allows(traefik, p.app, 22)).toBe(false);
      expect(graph.allows(attacker, p.app, 3000)).toBe(false);
      expect(graph.allows(p.debug, p.app, 3000)).toBe(false);
    });

    it(`${env}: members, operators, the backup and Prometheus reach only what they need`, () => {
      const p = pods[env];
      expect(graph.allows(p.mongo0, p.mongo1, 27017)).toBe(true);
      expect(graph.allows(p.redisLeader, p.redisFollower, 16379)).toBe(true);
      expect(graph.allows(p.kafkaBroker, p.kafkaController, 9090)).toBe(true);
      expect(graph.allows(p.entityOperator, p.kafkaBroker, 9091)).toBe(true);
      expect(graph.allows(p.entityOperator, { name: "apiserver", ip: "172.16.0.2" }, 443)).toBe(true);
      expect(graph.allows(redisOperator, p.redisLeader, 6379)).toBe(true);
      expect(graph.allows(redisOperator, p.mongo0, 27017)).toBe(false);
      expect(graph.allows(strimzi, p.kafkaController, 9090)).toBe(true);
      expect(graph.allows(strimzi, p.kafkaBroker, 9093)).toBe(false);
      expect(graph.allows(prometheus, p.redisLeader, 9121)).toBe(true);
      expect(graph.allows(prometheus, p.mongo0, 27017)).toBe(false);
      expect(graph.allows(p.backup, p.mongo0, 27017)).toBe(true);
      expect(graph.allows(p.backup, { name: "storage.googleapis.com", ip: "142.250.180.27" }, 443)).toBe(true);
      expect(graph.allows(p.backup, { name: "metadata", ip: "169.254.169.254" }, 80)).toBe(true);
      // The Internet rule excludes private ranges: it never reaches pods.
      expect(graph.allows(p.backup, p.app, 443)).toBe(false);
      expect(graph.allows(p.backup, p.redisLeader, 6379)).toBe(false);
    });
  }

  it("dev cannot reach prod infrastructure, nor prod dev's", () => {
    for (const [from, to] of [["dev", "prod"], ["prod", "dev"]] as const) {
      for (const source of [pods[from].app, ...infraPods(from)]) {
        for (const target of [pods[to].app, ...infraPods(to)]) {
          for (const port of PROBE_PORTS) expect(graph.allows(source, target, port), `${source.name} → ${target.name}:${port}`).toBe(false);
        }
      }
    }
  });

  it("nothing outside an env reaches its infrastructure, except operators and Prometheus on their ports", () => {
    const outsiders = [traefik, prometheus, redisOperator, strimzi, attacker, kubeDns, pods.dev.debug, pods.prod.debug];
    const allowedPaths = new Set<string>();
    for (const env of ENVS) {
      for (const target of infraPods(env)) {
        for (const source of outsiders) {
          for (const port of PROBE_PORTS) if (graph.allows(source, target, port)) allowedPaths.add(`${source.name} → ${target.name}:${port}`);
        }
      }
    }
    expect([...allowedPaths].sort()).toEqual(
      ENVS.flatMap((env) => [
        `prometheus → ${env}/redis-follower-0:9121`,
        `prometheus → ${env}/redis-leader-0:9121`,
        `redis-operator → ${env}/redis-follower-0:6379`,
        `redis-operator → ${env}/redis-leader-0:6379`,
        ...["kafka-broker-0", "kafka-controller-3", "kafka-entity-operator"].flatMap((t) => [`strimzi → ${env}/${t}:9090`, `strimzi → ${env}/${t}:9091`]),
      ]).sort(),
    );
  });
});

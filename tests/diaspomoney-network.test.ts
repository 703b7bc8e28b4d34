/**
 * The NetworkPolicies of the real DiaspoMoney stacks, walked as a graph: the default-deny and DNS
 * policies of the namespaces (diaspomoney-shared), the Traefik, monitoring and operator policies
 * (diaspomoney-shared), and each env's allow-flows (diaspomoney-dev, diaspomoney-prod), exactly as
 * the offline preview records them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { kafkaBrokerPodSelector, kafkaNodePodSelector } from "../components/k8s/kafka";
import { mongoBackupPodSelector, mongoPodSelector } from "../components/k8s/mongodb";
import { NetworkGraph, policiesFromPlan, type PodRef } from "../components/k8s/network-flows/graph";
import { webAppPodSelector } from "../components/k8s/web-app";
import { previewStack } from "../engine/preview";
import { diaspomoneyNamespaces, SHARED_NAMESPACES } from "../stacks/diaspomoney";

let graph: NetworkGraph;
let seq = 0;
const pod = (name: string, namespace: string, labels: Record<string, string>): PodRef => ({ name, namespace, labels, ip: `10.24.${Math.floor(++seq / 250)}.${seq % 250}` });

const envPods = (env: "dev" | "prod") => {
  const ns = diaspomoneyNamespaces(env);
  return {
    app: pod(`${env}/web`, ns.app, webAppPodSelector("web")),
    stranger: pod(`${env}/debug`, ns.app, { run: "debug" }),
    mongo: pod(`${env}/mongodb-0`, ns.infra, mongoPodSelector("mongodb")),
    backup: pod(`${env}/mongodb-backup`, ns.infra, mongoBackupPodSelector("mongodb")),
    redis: pod(`${env}/redis-leader-0`, ns.infra, { app: "redis-leader", role: "leader" }),
    kafka: pod(`${env}/kafka-broker-0`, ns.infra, { ...kafkaBrokerPodSelector("kafka"), ...kafkaNodePodSelector("kafka") }),
  };
};
const pods = { dev: envPods("dev"), prod: envPods("prod") };
const traefik = pod("traefik", SHARED_NAMESPACES.traefik, { "app.kubernetes.io/name": "traefik" });
const attacker = pod("default/attacker", "default", { app: "web" });
const DATA_PORTS = [27017, 6379, 9093];

beforeAll(async () => {
  const plans = await Promise.all(["diaspomoney-shared", "diaspomoney-dev", "diaspomoney-prod"].map((s) => previewStack(s)));
  graph = new NetworkGraph(policiesFromPlan(plans.flatMap((p) => p.evaluation.resources)));
  expect(graph.policies.length).toBeGreaterThan(30);
});

describe("DiaspoMoney network policies as deployed", () => {
  for (const env of ["dev", "prod"] as const) {
    it(`${env}: the app reaches MongoDB, Redis and Kafka on their data ports, and Traefik reaches the app`, () => {
      const p = pods[env];
      expect(graph.explain(p.app, p.mongo, 27017)).toMatchObject({ allowed: true });
      expect(graph.explain(p.app, p.redis, 6379)).toMatchObject({ allowed: true });
      expect(graph.explain(p.app, p.kafka, 9093)).toMatchObject({ allowed: true });
      expect(graph.explain(traefik, p.app, 3000)).toMatchObject({ allowed: true });
      expect(graph.allows(p.backup, p.mongo, 27017)).toBe(true);
    });

    it(`${env}: other pods of the app namespace and pods elsewhere do not reach the infrastructure`, () => {
      const p = pods[env];
      for (const target of [p.mongo, p.redis, p.kafka]) {
        for (const port of DATA_PORTS) {
          expect(graph.allows(p.stranger, target, port), `${p.stranger.name} → ${target.name}:${port}`).toBe(false);
          expect(graph.allows(attacker, target, port), `${attacker.name} → ${target.name}:${port}`).toBe(false);
          expect(graph.allows(traefik, target, port), `traefik → ${target.name}:${port}`).toBe(false);
        }
      }
      expect(graph.allows(attacker, p.app, 3000)).toBe(false);
    });
  }

  it("dev cannot reach prod's app or infrastructure, nor prod dev's", () => {
    for (const [from, to] of [["dev", "prod"], ["prod", "dev"]] as const) {
      for (const source of Object.values(pods[from])) {
        for (const target of Object.values(pods[to])) {
          for (const port of [...DATA_PORTS, 3000]) expect(graph.allows(source, target, port), `${source.name} → ${target.name}:${port}`).toBe(false);
        }
      }
    }
  });
});

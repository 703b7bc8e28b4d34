/**
 * The NetworkPolicies of the real ShareYourSales stacks, walked as a graph (the shared stack's
 * default-deny, Traefik, monitoring and operator policies, and each env's flows): Traefik reaches
 * the services and the frontend, each service and worker reaches exactly the data services
 * DATA_CLIENTS gives it, publishers and workers reach RabbitMQ, and nothing else gets through.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { clamavPodSelector, CLAMD_PORT } from "../components/k8s/clamav";
import { elasticsearchPodSelector, ELASTICSEARCH_HTTP_PORT } from "../components/k8s/elasticsearch";
import { NetworkGraph, policiesFromPlan, type PodRef } from "../components/k8s/network-flows/graph";
import { POSTGRES_PORT, postgresPodSelector } from "../components/k8s/postgres-cluster";
import { queueWorkerPodSelector } from "../components/k8s/queue-worker";
import { RABBITMQ_AMQPS_PORT, rabbitmqPodSelector } from "../components/k8s/rabbitmq";
import { webAppPodSelector } from "../components/k8s/web-app";
import { previewStack } from "../engine/preview";
import { SHARED_NAMESPACES } from "../stacks/gke-cluster-foundation";
import { DATA_CLIENTS, SERVICE_PORTS, SERVICES, WORKERS, shareyoursalesNamespaces } from "../stacks/shareyoursales";

let graph: NetworkGraph;
let seq = 0;
const pod = (name: string, namespace: string, labels: Record<string, string>): PodRef => ({ name, namespace, labels, ip: `10.44.${Math.floor(++seq / 250)}.${seq % 250}` });

const SERVICE_NAMES = Object.keys(SERVICES) as (keyof typeof SERVICES)[];
const WORKER_NAMES = Object.keys(WORKERS).map((w) => `${w}-worker`);
const PUBLISHERS = SERVICE_NAMES.filter((s) => Object.values(WORKERS).some((w) => (w.publishers as readonly string[]).includes(s)));

const envPods = (env: "dev" | "prod") => {
  const ns = shareyoursalesNamespaces(env);
  const clients: Record<string, PodRef> = {};
  for (const s of [...SERVICE_NAMES, "frontend"]) clients[s] = pod(`${env}/${s}`, ns.app, webAppPodSelector(s));
  for (const w of WORKER_NAMES) clients[w] = pod(`${env}/${w}`, ns.app, queueWorkerPodSelector(w));
  clients.stranger = pod(`${env}/debug`, ns.app, { run: "debug" });
  const data = {
    postgres: { pod: pod(`${env}/postgres-1`, ns.infra, postgresPodSelector("postgres")), port: POSTGRES_PORT },
    rabbitmq: { pod: pod(`${env}/rabbitmq-server-0`, ns.infra, rabbitmqPodSelector("rabbitmq")), port: RABBITMQ_AMQPS_PORT },
    redis: { pod: pod(`${env}/redis-leader-0`, ns.infra, { app: "redis-leader", role: "leader" }), port: 6379 },
    elasticsearch: { pod: pod(`${env}/search-es-default-0`, ns.infra, elasticsearchPodSelector("search")), port: ELASTICSEARCH_HTTP_PORT },
    clamav: { pod: pod(`${env}/clamav`, ns.infra, clamavPodSelector("clamav")), port: CLAMD_PORT },
  };
  return { clients, data };
};
const pods = { dev: envPods("dev"), prod: envPods("prod") };
const traefik = pod("traefik", SHARED_NAMESPACES.traefik, { "app.kubernetes.io/name": "traefik" });
const attacker = pod("default/attacker", "default", { app: "auth" });

/** Who may reach each data service: DATA_CLIENTS, plus RabbitMQ's publishers and workers. */
const ALLOWED: Record<keyof ReturnType<typeof envPods>["data"], readonly string[]> = {
  postgres: DATA_CLIENTS.postgres,
  rabbitmq: [...PUBLISHERS, ...WORKER_NAMES],
  redis: DATA_CLIENTS.redis,
  elasticsearch: DATA_CLIENTS.elasticsearch,
  clamav: DATA_CLIENTS.clamav,
};

beforeAll(async () => {
  const plans = await Promise.all(["shareyoursales-shared", "shareyoursales-dev", "shareyoursales-prod"].map((s) => previewStack(s)));
  graph = new NetworkGraph(policiesFromPlan(plans.flatMap((p) => p.evaluation.resources)));
  expect(graph.policies.length).toBeGreaterThan(100);
});

describe("ShareYourSales network policies as deployed", () => {
  for (const env of ["dev", "prod"] as const) {
    it(`${env}: Traefik reaches the five services and the frontend on their ports, and the infrastructure on none`, () => {
      const { clients, data } = pods[env];
      for (const s of SERVICE_NAMES) expect(graph.explain(traefik, clients[s], SERVICE_PORTS[s]), s).toMatchObject({ allowed: true });
      expect(graph.allows(traefik, clients.frontend, 3000)).toBe(true);
      for (const [name, d] of Object.entries(data)) expect(graph.allows(traefik, d.pod, d.port), name).toBe(false);
    });

    it(`${env}: each service and worker reaches exactly the data services it uses, workers reach RabbitMQ, nothing else`, () => {
      const { clients, data } = pods[env];
      const seen: string[] = [];
      for (const [client, source] of Object.entries(clients)) {
        for (const [name, d] of Object.entries(data) as [keyof typeof ALLOWED, { pod: PodRef; port: number }][]) {
          const expected = ALLOWED[name].includes(client);
          expect(graph.allows(source, d.pod, d.port), `${client} → ${name}:${d.port}`).toBe(expected);
          if (expected) seen.push(`${client}→${name}`);
        }
      }
      // The matrix exercised both answers: every worker reaches RabbitMQ, analytics reaches Elasticsearch.
      for (const w of WORKER_NAMES) expect(seen).toContain(`${w}→rabbitmq`);
      expect(seen).toContain("analytics→elasticsearch");
      expect(seen).not.toContain("payment→redis");
    });

    it(`${env}: a pod outside the env reaches neither its services nor its data`, () => {
      const { clients, data } = pods[env];
      for (const d of Object.values(data)) expect(graph.allows(attacker, d.pod, d.port)).toBe(false);
      expect(graph.allows(attacker, clients.auth, SERVICE_PORTS.auth)).toBe(false);
    });
  }

  it("dev cannot reach prod's services or data, nor prod dev's", () => {
    for (const [from, to] of [["dev", "prod"], ["prod", "dev"]] as const) {
      for (const source of Object.values(pods[from].clients)) {
        for (const d of Object.values(pods[to].data)) expect(graph.allows(source, d.pod, d.port), `${source.name} → ${d.pod.name}`).toBe(false);
      }
    }
  });
});

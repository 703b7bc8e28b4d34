import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../model/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runPolicyPack } from "../../../engine/policy/run";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { QueueWorker, resolveQueueWorkerArgs, type QueueWorkerArgs, type QueueWorkerRedisClusterListTrigger } from "./index";

const base: QueueWorkerArgs = {
  namespace: "shareyoursales-prod",
  image: "europe-west1-docker.pkg.dev/sys/apps/email-worker:1.0.0",
  queue: "email",
  broker: { secretName: "rabbitmq-email-worker" },
};
const SO = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const TA = "kubernetes:keda.sh/v1alpha1:TriggerAuthentication";

async function plan(args: Partial<QueueWorkerArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new QueueWorker("email-worker", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

describe("QueueWorker", () => {
  it("creates the worker, its ScaledObject and TriggerAuthentication, valid against KEDA's CRDs", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      "kubernetes:apps/v1:Deployment": 1,
      "kubernetes:core/v1:ServiceAccount": 1,
      [SO]: 1,
      [TA]: 1,
      "platform:k8s:QueueWorker": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    // The CRs are validated (not skipped as unknown kinds).
    expect(validateRecordedResource(p.one(SO))).toBeDefined();
    expect(validateRecordedResource(p.one(TA))).toBeDefined();
    expect(schemaErrors(p)).toEqual([]);
    // …and the check bites: a field KEDA does not know, or a wrong kind, is an error.
    const so = p.one(SO);
    (so.inputs.spec as Record<string, unknown>).maxReplicas = 3;
    (valueAt(so.inputs, "spec.triggers[0].authenticationRef") as Record<string, unknown>).kind = "Secret";
    expect(validateRecordedResource(so)?.errors.join("\n")).toMatch(/unknown field "maxReplicas"[\s\S]*authenticationRef\/kind/);
    const component = p.one("platform:k8s:QueueWorker");
    for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(r.parent, r.name).toBe(component.urn);
      expect(r.name.startsWith("email-worker-"), r.name).toBe(true);
    }
  });

  it("scales on the queue's length: rabbitmq trigger in QueueLength mode, messages per replica as the value", async () => {
    const p = await plan({ minReplicas: 2, maxReplicas: 8, messagesPerReplica: 50, pollingIntervalSeconds: 15 });
    const so = p.one(SO).inputs;
    expect(valueAt(so, "spec.scaleTargetRef")).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "email-worker" });
    expect(valueAt(so, "spec.minReplicaCount")).toBe(2);
    expect(valueAt(so, "spec.maxReplicaCount")).toBe(8);
    expect(valueAt(so, "spec.pollingInterval")).toBe(15);
    expect(valueAt(so, "spec.triggers")).toEqual([
      {
        type: "rabbitmq",
        metadata: { protocol: "amqp", mode: "QueueLength", value: "50", queueName: "email" },
        authenticationRef: { name: "email-worker", kind: "TriggerAuthentication" },
      },
    ]);
    // KEDA's HPA owns the count after creation.
    expect(p.one("kubernetes:apps/v1:Deployment").options.ignoreChanges).toEqual(["spec.replicas"]);
    expect(valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.replicas")).toBe(2);
  });

  it("defaults: 1 to 5 replicas, 20 messages per replica, KEDA's 30 s poll and 300 s cooldown, DLQ <queue>.dlq", () => {
    const r = resolveQueueWorkerArgs("w", base);
    expect([r.minReplicas, r.maxReplicas, r.messagesPerReplica, r.pollingIntervalSeconds, r.cooldownPeriodSeconds]).toEqual([1, 5, 20, 30, 300]);
    expect(r.trigger).toEqual({
      kind: "rabbitmq",
      queue: "email",
      deadLetterQueue: "email.dlq",
      broker: { secretName: "rabbitmq-email-worker", urlKey: "url", usernameKey: "username", passwordKey: "password" },
    });
    expect(r.podDisruptionBudget).toBe(false);
  });

  it("reads the broker's URL and credentials from the Secret in its own namespace", async () => {
    const p = await plan({ broker: { secretName: "email-amqp", urlKey: "uri", vhost: "events" } });
    const ta = p.one(TA).inputs;
    expect(valueAt(ta, "metadata.namespace")).toBe("shareyoursales-prod");
    expect(valueAt(ta, "spec.secretTargetRef")).toEqual([
      { parameter: "host", name: "email-amqp", key: "uri" },
      { parameter: "username", name: "email-amqp", key: "username" },
      { parameter: "password", name: "email-amqp", key: "password" },
    ]);
    expect(valueAt(ta, "spec.configMapTargetRef")).toBeUndefined();
    expect(valueAt(p.one(SO).inputs, "spec.triggers[0].metadata.vhostName")).toBe("events");
    expect(valueAt(p.one(SO).inputs, "metadata.namespace")).toBe("shareyoursales-prod");
  });

  it("trusts a private broker CA: KEDA gets ca + tls=enable, the worker gets the CA file", async () => {
    const p = await plan({ broker: { secretName: "email-amqp", ca: { secretName: "platform-ca" } } });
    const ta = p.one(TA).inputs;
    expect(valueAt(ta, "spec.secretTargetRef[3]")).toEqual({ parameter: "ca", name: "platform-ca", key: "ca.crt" });
    expect(valueAt(ta, "spec.configMapTargetRef")).toEqual([{ parameter: "tls", name: "email-worker-keda-tls", key: "tls" }]);
    expect(valueAt(p.one("kubernetes:core/v1:ConfigMap").inputs, "data")).toEqual({ tls: "enable" });
    const c = valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec.containers[0]") as Record<string, unknown>;
    expect((c.env as { name: string; value?: string }[]).find((e) => e.name === "AMQP_CA_FILE")?.value).toBe("/etc/platform-ca/ca.crt");
    expect(valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec.volumes[1].secret")).toEqual({
      secretName: "platform-ca",
      items: [{ key: "ca.crt", path: "ca.crt" }],
    });
    expect(schemaErrors(p)).toEqual([]);
  });

  it("gives the worker its queue and dead-letter queue, and the broker credentials only through secretKeyRef", async () => {
    const d = (await plan({ deadLetterQueue: "email-failed", env: { LOG_LEVEL: "info" } })).one("kubernetes:apps/v1:Deployment").inputs;
    expect(valueAt(d, "spec.template.spec.containers[0].env")).toEqual([
      { name: "QUEUE_NAME", value: "email" },
      { name: "DEAD_LETTER_QUEUE_NAME", value: "email-failed" },
      { name: "AMQP_URL", valueFrom: { secretKeyRef: { name: "rabbitmq-email-worker", key: "url" } } },
      { name: "AMQP_USERNAME", valueFrom: { secretKeyRef: { name: "rabbitmq-email-worker", key: "username" } } },
      { name: "AMQP_PASSWORD", valueFrom: { secretKeyRef: { name: "rabbitmq-email-worker", key: "password" } } },
      { name: "LOG_LEVEL", value: "info" },
    ]);
  });

  it("runs restricted: own ServiceAccount without token, non-root, read-only root, resources", async () => {
    const p = await plan();
    expect(p.one("kubernetes:core/v1:ServiceAccount").inputs.automountServiceAccountToken).toBe(false);
    const pod = valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec") as Record<string, unknown>;
    expect(pod.serviceAccountName).toBe("email-worker");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    const c = valueAt(pod, "containers[0]") as Record<string, unknown>;
    expect(valueAt(c, "securityContext.readOnlyRootFilesystem")).toBe(true);
    expect(valueAt(c, "securityContext.capabilities.drop")).toEqual(["ALL"]);
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
  });

  it("probes by exec: a heartbeat file under a writable path by default, or the image's own commands", async () => {
    const c = valueAt((await plan()).one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec.containers[0]") as Record<string, unknown>;
    const heartbeat = ["/bin/sh", "-c", "test $(( $(date +%s) - $(stat -c %Y /tmp/worker-heartbeat) )) -lt 120"];
    expect(valueAt(c, "readinessProbe.exec.command")).toEqual(heartbeat);
    expect(valueAt(c, "livenessProbe.exec.command")).toEqual(heartbeat);
    expect(valueAt(c, "livenessProbe.periodSeconds")).toBe(60);
    const own = valueAt(
      (await plan({ probes: { livenessCommand: ["celery", "inspect", "ping"], readinessCommand: ["celery", "status"] } })).one("kubernetes:apps/v1:Deployment").inputs,
      "spec.template.spec.containers[0]",
    );
    expect(valueAt(own, "livenessProbe.exec.command")).toEqual(["celery", "inspect", "ping"]);
    expect(valueAt(own, "readinessProbe.exec.command")).toEqual(["celery", "status"]);
  });

  it("passes the policy pack's workload rules as a prod stack would judge them", async () => {
    const p = await plan({ minReplicas: 2 });
    const run = await runPolicyPack({ stack: "diaspomoney-prod", resources: [...p.resources] });
    const mine = run.results.filter((x) => x.urn && p.resources.some((r) => r.urn === x.urn));
    expect(mine.map((x) => `${x.policy}: ${x.message}`)).toEqual([]);
  });

  it("adds a PodDisruptionBudget only when at least two replicas stay up", async () => {
    expect((await plan({ minReplicas: 1 })).counts()["kubernetes:policy/v1:PodDisruptionBudget"]).toBeUndefined();
    const p = await plan({ minReplicas: 2 });
    expect(valueAt(p.one("kubernetes:policy/v1:PodDisruptionBudget").inputs, "spec")).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "email-worker", "app.kubernetes.io/component": "worker" } },
    });
  });

  it("scales to zero with a cooldown, and starts with one replica before KEDA's first poll", async () => {
    const p = await plan({ minReplicas: 0, cooldownPeriodSeconds: 600 });
    expect(valueAt(p.one(SO).inputs, "spec.minReplicaCount")).toBe(0);
    expect(valueAt(p.one(SO).inputs, "spec.cooldownPeriod")).toBe(600);
    expect(valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.replicas")).toBe(1);
  });

  it("refuses contradictory or unsafe arguments, naming what was expected and what was given", () => {
    const bad: [Partial<QueueWorkerArgs>, RegExp][] = [
      [{ image: "email-worker:latest" }, /image .* is not pinned/],
      [{ minReplicas: 3, maxReplicas: 2 }, /maxReplicas \(2\) is below minReplicas \(3\)/],
      [{ minReplicas: -1 }, /minReplicas must be an integer ≥ 0, got -1/],
      [{ maxReplicas: 0, minReplicas: 0 }, /maxReplicas must be an integer ≥ 1, got 0/],
      [{ messagesPerReplica: 0 }, /messagesPerReplica must be an integer ≥ 1, got 0/],
      [{ pollingIntervalSeconds: 1 }, /pollingIntervalSeconds must be an integer from 5 to 3600.*got 1/],
      [{ cooldownPeriodSeconds: 60 }, /cooldownPeriodSeconds \(60\) only applies when scaling to zero, but minReplicas is 1/],
      [{ deadLetterQueue: "email" }, /deadLetterQueue must differ from queue/],
      [{ queue: "bad queue" }, /queue must be a RabbitMQ queue name.*got "bad queue"/],
      [{ env: { SMTP_PASSWORD: "x" } }, /env.SMTP_PASSWORD looks sensitive/],
      [{ env: { QUEUE_NAME: "x" } }, /QUEUE_NAME is set by the component/],
      [{ secretEnv: { AMQP_URL: { secretName: "s", key: "k" } } }, /AMQP_URL is set by the component/],
      [{ probes: { livenessCommand: [], readinessCommand: ["true"] } }, /must both be non-empty commands/],
      [{ probes: { heartbeatFile: "/var/run/hb" } }, /heartbeatFile "\/var\/run\/hb" is not under a writable path \(\/tmp\)/],
      [{ probes: { heartbeatTimeoutSeconds: 5 } }, /heartbeatTimeoutSeconds must be an integer ≥ 10, got 5/],
      [{ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "512Mi" } } }, /limits.memory \(512Mi\) is below/],
      [{ runAsUser: 0 }, /runAsUser must be a non-root numeric user/],
    ];
    for (const [args, message] of bad) {
      expect(() => resolveQueueWorkerArgs("w", { ...base, ...args }), JSON.stringify(args)).toThrow(ComponentArgsError);
      expect(() => resolveQueueWorkerArgs("w", { ...base, ...args }), JSON.stringify(args)).toThrow(message);
    }
  });

  describe("on a Redis Cluster list (CRM Courtier's Laravel queues)", () => {
    const redisTrigger: QueueWorkerRedisClusterListTrigger = {
      kind: "redis-cluster-list",
      addresses: ["crm-redis-leader.crm-data.svc:6379"],
      listName: "crm_database_queues:{high}",
      password: { secretName: "crm-redis-auth" },
      tls: { ca: { secretName: "crm-redis-ca" } },
    };
    const redisBase = { queue: undefined, broker: undefined, trigger: redisTrigger } as Partial<QueueWorkerArgs>;

    it("scales on the list's length with KEDA's redis-cluster scaler, valid against the CRDs", async () => {
      const p = await plan({ ...redisBase, maxReplicas: 6 });
      expect(valueAt(p.one(SO).inputs, "spec.triggers")).toEqual([
        {
          type: "redis-cluster",
          metadata: { addresses: "crm-redis-leader.crm-data.svc:6379", listName: "crm_database_queues:{high}", listLength: "20", enableTLS: "true" },
          authenticationRef: { name: "email-worker", kind: "TriggerAuthentication" },
        },
      ]);
      expect(valueAt(p.one(SO).inputs, "spec.maxReplicaCount")).toBe(6);
      // Password and CA come from Secrets of the worker's namespace; no ConfigMap (tls is metadata here).
      expect(valueAt(p.one(TA).inputs, "spec")).toEqual({
        secretTargetRef: [
          { parameter: "password", name: "crm-redis-auth", key: "password" },
          { parameter: "ca", name: "crm-redis-ca", key: "ca.crt" },
        ],
      });
      expect(p.counts()["kubernetes:core/v1:ConfigMap"]).toBeUndefined();
      expect(schemaErrors(p)).toEqual([]);
      expect(validateRecordedResource(p.one(SO))).toBeDefined();
      expect(validateRecordedResource(p.one(TA))).toBeDefined();
    });

    it("gives the worker the cluster, its list, the password by secretKeyRef and the CA file", async () => {
      const p = await plan({ ...redisBase, trigger: { ...redisTrigger, addresses: ["a.crm-data.svc:6379", "b.crm-data.svc:6379"], listLength: 50 } });
      const c = valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec.containers[0]") as Record<string, unknown>;
      expect(c.env).toEqual([
        { name: "REDIS_CLUSTER_ADDRESSES", value: "a.crm-data.svc:6379,b.crm-data.svc:6379" },
        { name: "REDIS_LIST_NAME", value: "crm_database_queues:{high}" },
        { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "crm-redis-auth", key: "password" } } },
        { name: "REDIS_CA_FILE", value: "/etc/platform-ca/ca.crt" },
      ]);
      expect(valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec.volumes[1].secret")).toEqual({
        secretName: "crm-redis-ca",
        items: [{ key: "ca.crt", path: "ca.crt" }],
      });
      expect(valueAt(p.one(SO).inputs, "spec.triggers[0].metadata.addresses")).toBe("a.crm-data.svc:6379,b.crm-data.svc:6379");
      expect(valueAt(p.one(SO).inputs, "spec.triggers[0].metadata.listLength")).toBe("50");
    });

    it("without TLS only when said (tls: false): no CA, no enableTLS", async () => {
      const p = await plan({ ...redisBase, trigger: { ...redisTrigger, tls: false } });
      expect(valueAt(p.one(SO).inputs, "spec.triggers[0].metadata.enableTLS")).toBeUndefined();
      expect(valueAt(p.one(TA).inputs, "spec.secretTargetRef")).toEqual([{ parameter: "password", name: "crm-redis-auth", key: "password" }]);
      expect(schemaErrors(p)).toEqual([]);
    });

    it("defaults the target so that 5 replicas are all busy at the document's 100-job alert", () => {
      const r = resolveQueueWorkerArgs("w", { ...base, ...redisBase });
      expect(r.messagesPerReplica * r.maxReplicas).toBe(100);
      expect(r.trigger).toEqual({
        kind: "redis-cluster-list",
        addresses: ["crm-redis-leader.crm-data.svc:6379"],
        listName: "crm_database_queues:{high}",
        password: { secretName: "crm-redis-auth", key: "password" },
        tls: { ca: { secretName: "crm-redis-ca", key: "ca.crt" } },
      });
    });

    it("refuses RabbitMQ arguments beside it, bad addresses, a list without hash tag, a missing tls", () => {
      const t = (x: Partial<QueueWorkerRedisClusterListTrigger>) => ({ ...redisBase, trigger: { ...redisTrigger, ...x } as QueueWorkerRedisClusterListTrigger });
      const bad: [Partial<QueueWorkerArgs>, RegExp][] = [
        [{ ...redisBase, queue: "high" }, /queue configure the RabbitMQ trigger, but trigger is a redis-cluster-list/],
        [{ ...redisBase, broker: { secretName: "x" }, messagesPerReplica: 5 }, /broker, messagesPerReplica configure the RabbitMQ trigger/],
        [{ ...redisBase, deadLetterQueue: "x" }, /deadLetterQueue configure the RabbitMQ trigger/],
        [{ queue: undefined }, /queue and broker are required for the default RabbitMQ trigger \(got no queue and broker\)/],
        [t({ kind: "redis" as "redis-cluster-list" }), /trigger.kind must be "redis-cluster-list".*got "redis"/],
        [t({ addresses: [] }), /trigger.addresses is empty/],
        [t({ addresses: ["redis://crm-redis:6379"] }), /trigger.addresses has "redis:\/\/crm-redis:6379", expected a lowercase host:port/],
        [t({ addresses: ["crm-redis:70000"] }), /expected a lowercase host:port/],
        [t({ addresses: ["a:6379", "a:6379"] }), /lists a node twice/],
        [t({ listName: "queues:high" }), /listName "queues:high" has no \{…\} hash tag/],
        [t({ listName: "queues:{}" }), /has no \{…\} hash tag/],
        [t({ listName: "a,b{x}" }), /listName must be a Redis key .* got "a,b\{x\}"/],
        [t({ listLength: 0 }), /trigger.listLength must be an integer ≥ 1 \(jobs per replica\), got 0/],
        [t({ tls: undefined }), /trigger.tls is missing: expected \{ ca: \{ secretName \} \}.*or false/],
        [{ ...redisBase, secretEnv: { REDIS_PASSWORD: { secretName: "s", key: "k" } } }, /REDIS_PASSWORD is set by the component \(from trigger\)/],
      ];
      for (const [args, message] of bad) {
        expect(() => resolveQueueWorkerArgs("w", { ...base, ...args }), JSON.stringify(args)).toThrow(ComponentArgsError);
        expect(() => resolveQueueWorkerArgs("w", { ...base, ...args }), JSON.stringify(args)).toThrow(message);
      }
      // Without the trigger, the REDIS_* names are the worker's own.
      expect(() => resolveQueueWorkerArgs("w", { ...base, env: { REDIS_HOST: "cache" } })).not.toThrow();
    });

    it("passes the policy pack's workload rules", async () => {
      const p = await plan({ ...redisBase, minReplicas: 2 });
      const run = await runPolicyPack({ stack: "diaspomoney-prod", resources: [...p.resources] });
      const mine = run.results.filter((x) => x.urn && p.resources.some((r) => r.urn === x.urn));
      expect(mine.map((x) => `${x.policy}: ${x.message}`)).toEqual([]);
    });
  });
});

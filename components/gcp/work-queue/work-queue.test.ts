import type { StackValidationPolicy } from "@pulumi/policy";
import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { UNKNOWN, type RecordedResource } from "../../../engine/evaluate";
import { valueAt } from "../../../engine/plan";
import { analyzeDeployability } from "../../../engine/deployability";
import { runPolicyPack } from "../../../engine/policy/run";
import deadLetterRule from "../../../policies/workload/gcp-pubsub-subscription-require-dead-letter";
import { runProgram } from "../../../tests/harness";
import { configFor, DEL, mutate } from "../../../tests/policies/helpers";
import { WORKLOAD_SPECS } from "../../../tests/policies/specs/workload";
import type { StackChange } from "../../../tests/policies/specs/types";
import { ComponentArgsError } from "../../common/conventions";
import { ProjectServices } from "../project-services";
import { resolveWorkQueueArgs, WORK_QUEUE_TYPE, WorkQueue, type WorkQueueArgs } from "./index";

const TOPIC = "gcp:pubsub/topic:Topic";
const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
const TOPIC_IAM = "gcp:pubsub/topicIAMMember:TopicIAMMember";
const SUBSCRIPTION_IAM = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember";
const ACCOUNT = "gcp:serviceaccount/account:Account";
const ACCOUNT_IAM = "gcp:serviceaccount/iAMMember:IAMMember";
const INVOKER = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember";
const IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity";
const AGENT = "serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com";
const WORKER_URL = "https://payments-worker-abc123-oa.a.run.app";

const base: WorkQueueArgs = {
  regions: ["europe-west6"],
  projectNumber: "123456789012",
  project: "cc-prod",
  worker: { serviceName: "payments-worker-service", region: "europe-west6", url: WORKER_URL },
};

function run(args: WorkQueueArgs, name = "payments", stack = "test") {
  return runProgram(
    () => {
      const provider = new gcp.Provider("gcp", { project: "cc-prod", region: "europe-west6" });
      new WorkQueue(name, args, { providers: [provider] });
    },
    { stack },
  );
}

function expectArgsError(args: WorkQueueArgs, message: RegExp) {
  let caught: unknown;
  try {
    resolveWorkQueueArgs("payments", args);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ComponentArgsError);
  expect((caught as Error).message).toMatch(new RegExp(`^${WORK_QUEUE_TYPE} "payments": `));
  expect((caught as Error).message).toMatch(message);
}

describe("WorkQueue: inventory", () => {
  it("creates two topics, a push and a dead-letter subscription, the push identity and the IAM dead-lettering needs, all parented", async () => {
    const { plan } = await run({ ...base, labels: { platform: "cryptocare" }, publishers: { api: "api-run@cc-prod.iam.gserviceaccount.com" } });
    expect(plan.counts()).toEqual({
      [TOPIC]: 2,
      [SUBSCRIPTION]: 2,
      [TOPIC_IAM]: 2,
      [SUBSCRIPTION_IAM]: 1,
      [ACCOUNT]: 1,
      [ACCOUNT_IAM]: 1,
      [INVOKER]: 1,
      [IDENTITY]: 1,
      [WORK_QUEUE_TYPE]: 1,
      "pulumi:providers:gcp": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = plan.one(WORK_QUEUE_TYPE);
    for (const child of plan.resources.filter((r) => r.custom && r.type !== "pulumi:providers:gcp")) {
      expect(child.parent, child.name).toBe(component.urn);
      expect(child.name.startsWith("payments-"), child.name).toBe(true);
      expect(child.provider, child.name).toMatch(/pulumi:providers:gcp::gcp::/);
    }
  });

  it("keeps both topics' messages in the given regions, protected, labelled", async () => {
    const { plan } = await run({ ...base, labels: { platform: "cryptocare" } });
    for (const name of ["payments-topic", "payments-dead-letter-topic"]) {
      const t = plan.one(TOPIC, name);
      expect(t.inputs).toMatchObject({
        project: "cc-prod",
        messageStoragePolicy: { allowedPersistenceRegions: ["europe-west6"], enforceInTransit: false },
        labels: { platform: "cryptocare" },
        deletionPolicy: "PREVENT",
      });
      expect(t.inputs.kmsKeyName).toBeUndefined();
      expect(t.options.protect).toBe(true);
    }
    expect(plan.one(TOPIC, "payments-topic").inputs.messageRetentionDuration).toBeUndefined();
  });

  it("pushes to the worker with an OIDC token, exponential backoff and a dead-letter policy (defaults)", async () => {
    const { plan } = await run(base);
    const sub = plan.one(SUBSCRIPTION, "payments-subscription");
    expect(sub.inputs).toMatchObject({
      project: "cc-prod",
      ackDeadlineSeconds: 60,
      messageRetentionDuration: "604800s",
      retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
      deadLetterPolicy: { maxDeliveryAttempts: 5 },
      expirationPolicy: { ttl: "" },
      deletionPolicy: "PREVENT",
    });
    expect(valueAt(sub.inputs, "pushConfig.pushEndpoint")).toBe(`${WORKER_URL}/`);
    expect(valueAt(sub.inputs, "pushConfig.oidcToken.audience")).toBe(WORKER_URL);
    expect(valueAt(sub.inputs, "pushConfig.oidcToken.serviceAccountEmail")).toBe(UNKNOWN);
    expect(sub.options.protect).toBe(true);
    // The topic ids are unknown in a preview: the links are the property dependencies.
    expect(sub.propertyDependencies.topic).toEqual([plan.one(TOPIC, "payments-topic").urn]);
    expect(sub.propertyDependencies.deadLetterPolicy).toEqual([plan.one(TOPIC, "payments-dead-letter-topic").urn]);
    // Deliveries start at creation: the invoker grant, the token right, the DLQ grant and sink come first.
    for (const [type, name] of [
      [INVOKER, "payments-invoker"],
      [ACCOUNT_IAM, "payments-push-token-creator"],
      [TOPIC_IAM, "payments-dead-letter-publisher"],
      [SUBSCRIPTION, "payments-dead-letter-subscription"],
    ]) {
      expect(sub.dependencies, name).toContain(plan.one(type, name).urn);
    }
  });

  it("keeps dead letters on a never-expiring pull subscription, acknowledged ones included, for 7 days", async () => {
    const { plan } = await run(base);
    const dlq = plan.one(SUBSCRIPTION, "payments-dead-letter-subscription");
    expect(dlq.inputs).toMatchObject({ messageRetentionDuration: "604800s", retainAckedMessages: true, expirationPolicy: { ttl: "" } });
    expect(dlq.inputs.pushConfig).toBeUndefined();
    expect(dlq.inputs.deadLetterPolicy).toBeUndefined();
    expect(dlq.propertyDependencies.topic).toEqual([plan.one(TOPIC, "payments-dead-letter-topic").urn]);
    expect(dlq.options.protect).toBe(true);
  });

  it("grants the Pub/Sub service agent publish on the dead-letter topic and subscribe on the main subscription only", async () => {
    const { plan } = await run(base);
    const publisher = plan.one(TOPIC_IAM, "payments-dead-letter-publisher");
    expect(publisher.inputs).toMatchObject({ role: "roles/pubsub.publisher", member: AGENT });
    expect(publisher.propertyDependencies.topic).toEqual([plan.one(TOPIC, "payments-dead-letter-topic").urn]);
    const subscriber = plan.one(SUBSCRIPTION_IAM, "payments-dead-letter-subscriber");
    expect(subscriber.inputs).toMatchObject({ role: "roles/pubsub.subscriber", member: AGENT });
    expect(subscriber.propertyDependencies.subscription).toEqual([plan.one(SUBSCRIPTION, "payments-subscription").urn]);
    expect(plan.ofType("gcp:projects/iAMMember:IAMMember")).toEqual([]);
    // On a fresh project IAM refuses a binding to an agent that does not exist yet: each grant waits for it.
    const identity = plan.one(IDENTITY, "payments-pubsub-agent");
    expect(identity.inputs).toMatchObject({ project: "cc-prod", service: "pubsub.googleapis.com" });
    for (const grant of [publisher, subscriber, plan.one(ACCOUNT_IAM, "payments-push-token-creator")]) expect(grant.dependencies, grant.name).toContain(identity.urn);
  });

  it("creates the push identity and lets it invoke the worker service only", async () => {
    const { plan } = await run(base);
    const account = plan.one(ACCOUNT, "payments-push");
    expect(account.inputs).toMatchObject({ project: "cc-prod", accountId: "payments-push" });
    expect(plan.one(INVOKER, "payments-invoker").inputs).toMatchObject({
      project: "cc-prod",
      location: "europe-west6",
      name: "payments-worker-service",
      role: "roles/run.invoker",
    });
    const tokenCreator = plan.one(ACCOUNT_IAM, "payments-push-token-creator");
    expect(tokenCreator.inputs).toMatchObject({ role: "roles/iam.serviceAccountTokenCreator", member: AGENT });
    expect(tokenCreator.propertyDependencies.serviceAccountId).toEqual([account.urn]);
  });

  it("lets each publisher publish to the main topic only", async () => {
    const { plan } = await run({ ...base, publishers: { api: "api-run@cc-prod.iam.gserviceaccount.com", webhooks: "hooks-run@cc-prod.iam.gserviceaccount.com" } });
    const topicUrn = plan.one(TOPIC, "payments-topic").urn;
    const publishers = plan.ofType(TOPIC_IAM).filter((m) => m.name !== "payments-dead-letter-publisher");
    expect(publishers.map((p) => [p.name, p.inputs.role, p.inputs.member])).toEqual([
      ["payments-publisher-api", "roles/pubsub.publisher", "serviceAccount:api-run@cc-prod.iam.gserviceaccount.com"],
      ["payments-publisher-webhooks", "roles/pubsub.publisher", "serviceAccount:hooks-run@cc-prod.iam.gserviceaccount.com"],
    ]);
    for (const p of publishers) expect(p.propertyDependencies.topic).toEqual([topicUrn]);
  });

  it("passes CMEK, retention, backoff, attempts, path and audience through", async () => {
    const key = "projects/cc-prod/locations/europe-west6/keyRings/data/cryptoKeys/pubsub";
    const { plan } = await run({
      ...base,
      kmsKeyName: key,
      messageRetentionDuration: "86400s",
      minimumBackoff: "30s",
      maximumBackoff: "300s",
      maxDeliveryAttempts: 10,
      ackDeadlineSeconds: 120,
      deadLetterRetentionDuration: "1209600s",
      worker: { ...base.worker, url: `${WORKER_URL}/`, path: "/pubsub", audience: "payments-worker", requestTimeoutSeconds: 120 },
    });
    expect(plan.one(TOPIC, "payments-topic").inputs).toMatchObject({ kmsKeyName: key, messageRetentionDuration: "86400s" });
    expect(plan.one(TOPIC, "payments-dead-letter-topic").inputs.kmsKeyName).toBe(key);
    const sub = plan.one(SUBSCRIPTION, "payments-subscription");
    expect(sub.inputs).toMatchObject({ ackDeadlineSeconds: 120, retryPolicy: { minimumBackoff: "30s", maximumBackoff: "300s" }, deadLetterPolicy: { maxDeliveryAttempts: 10 } });
    expect(valueAt(sub.inputs, "pushConfig.pushEndpoint")).toBe(`${WORKER_URL}/pubsub`);
    expect(valueAt(sub.inputs, "pushConfig.oidcToken.audience")).toBe("payments-worker");
    expect(plan.one(SUBSCRIPTION, "payments-dead-letter-subscription").inputs.messageRetentionDuration).toBe("1209600s");
  });

  it("drops protection and lets Pulumi delete everything when deletionProtection is off", async () => {
    const { plan } = await run({ ...base, deletionProtection: false });
    for (const r of [...plan.ofType(TOPIC), ...plan.ofType(SUBSCRIPTION)]) {
      expect(r.options.protect, r.name).toBe(false);
      expect(r.inputs.deletionPolicy, r.name).toBe("DELETE");
    }
  });
});

describe("WorkQueue: deployability", () => {
  it("on a fresh project, with its three APIs enabled by ProjectServices, nothing is created out of order", async () => {
    const { plan } = await runProgram(
      () => {
        const provider = new gcp.Provider("gcp", { project: "cc-prod", region: "europe-west6" });
        const services = new ProjectServices("cc", { project: "cc-prod", services: ["iam.googleapis.com", "pubsub.googleapis.com", "run.googleapis.com"] }, { providers: [provider] });
        new WorkQueue("payments", base, { providers: [provider], dependsOn: [services] });
      },
      { stack: "diaspomoney-prod" },
    );
    const report = analyzeDeployability({ stack: "diaspomoney-prod", resources: plan.resources, upstream: [] });
    expect(report.findings.map((f) => `${f.check} ${f.urn}: ${f.message}`)).toEqual([]);
  });
});

describe("resolveWorkQueueArgs", () => {
  it("resolves the defaults", () => {
    const r = resolveWorkQueueArgs("payments", base);
    expect(r).toMatchObject({
      regions: ["europe-west6"],
      enforceInTransit: false,
      ackDeadlineSeconds: 60,
      minimumBackoff: "10s",
      maximumBackoff: "600s",
      maxDeliveryAttempts: 5,
      subscriptionRetentionDuration: "604800s",
      deadLetterRetentionDuration: "604800s",
      publishers: [],
      pushAccountId: "payments-push",
      labels: {},
      deletionProtection: true,
      worker: { path: "/", audience: WORKER_URL, project: "cc-prod" },
    });
    expect(r.messageRetentionDuration).toBeUndefined();
  });

  it("takes the worker's URL, without its trailing slash, as the token audience", () => {
    expect(resolveWorkQueueArgs("payments", { ...base, worker: { ...base.worker, url: `${WORKER_URL}/` } }).worker.audience).toBe(WORKER_URL);
  });

  it("refuses no regions, a malformed region or a duplicate", () => {
    expectArgsError({ ...base, regions: [] }, /regions must list at least one region.*got none/);
    expectArgsError({ ...base, regions: ["Europe West 6"] }, /"Europe West 6" is not a Google Cloud region id/);
    expectArgsError({ ...base, regions: ["europe-west6", "europe-west6"] }, /lists a region twice/);
  });

  it("refuses a worker outside the storage regions", () => {
    expectArgsError({ ...base, worker: { ...base.worker, region: "europe-west3" } }, /worker.region "europe-west3" is not one of regions \(europe-west6\)/);
  });

  it("refuses delivery attempts outside Pub/Sub's 5–100", () => {
    expectArgsError({ ...base, maxDeliveryAttempts: 4 }, /maxDeliveryAttempts must be a whole number from 5 to 100.*got 4/);
    expectArgsError({ ...base, maxDeliveryAttempts: 101 }, /got 101/);
    expectArgsError({ ...base, maxDeliveryAttempts: 5.5 }, /got 5.5/);
    expect(resolveWorkQueueArgs("payments", { ...base, maxDeliveryAttempts: 100 }).maxDeliveryAttempts).toBe(100);
  });

  it("refuses an ack deadline outside 10–600 s or shorter than the worker's request timeout", () => {
    expectArgsError({ ...base, ackDeadlineSeconds: 5 }, /ackDeadlineSeconds must be a whole number from 10 to 600, got 5/);
    expectArgsError({ ...base, ackDeadlineSeconds: 601 }, /got 601/);
    expectArgsError({ ...base, worker: { ...base.worker, requestTimeoutSeconds: 300 } }, /ackDeadlineSeconds \(60\) must be at least the worker's request timeout \(worker.requestTimeoutSeconds 300\)/);
    expect(resolveWorkQueueArgs("payments", { ...base, ackDeadlineSeconds: 300, worker: { ...base.worker, requestTimeoutSeconds: 300 } }).ackDeadlineSeconds).toBe(300);
  });

  it("refuses malformed or inverted backoff bounds", () => {
    expectArgsError({ ...base, minimumBackoff: "10" }, /minimumBackoff must be a duration from "0s" to "600s", got "10"/);
    expectArgsError({ ...base, maximumBackoff: "601s" }, /maximumBackoff must be a duration .* got "601s"/);
    expectArgsError({ ...base, minimumBackoff: "120s", maximumBackoff: "60s" }, /minimumBackoff \("120s"\) must not exceed maximumBackoff \("60s"\)/);
  });

  it("refuses retentions outside 10 minutes–31 days", () => {
    expectArgsError({ ...base, messageRetentionDuration: "60s" }, /messageRetentionDuration must be a duration in seconds from "600s" to "2678400s".*got "60s"/);
    expectArgsError({ ...base, subscriptionRetentionDuration: "2678401s" }, /subscriptionRetentionDuration .* got "2678401s"/);
    expectArgsError({ ...base, deadLetterRetentionDuration: "7d" }, /deadLetterRetentionDuration .* got "7d"/);
  });

  it("refuses a malformed project number, worker path, publisher or push account id", () => {
    expectArgsError({ ...base, projectNumber: "cc-prod" }, /projectNumber must be the project's number \(digits\), got "cc-prod"/);
    expectArgsError({ ...base, worker: { ...base.worker, path: "pubsub" } }, /worker.path must start with "\/", got "pubsub"/);
    expectArgsError({ ...base, publishers: { api: "serviceAccount:api@cc-prod.iam.gserviceaccount.com" } }, /publishers.api must be a service account email/);
    expectArgsError({ ...base, publishers: { api: "allUsers" } }, /got "allUsers"/);
    expectArgsError({ ...base, publishers: { API: "api@cc-prod.iam.gserviceaccount.com" } }, /key "API" must be lowercase/);
    expectArgsError({ ...base, pushAccountId: "p" }, /push service account id "p" must be 6-30 characters/);
  });
});

/** The rule runs alone, mandatory, as rules.test.ts runs it once policies/pack.ts lists it. */
const rule = { ...(deadLetterRule as StackValidationPolicy), enforcementLevel: "mandatory" as const };
async function ruleResults(resources: RecordedResource[]) {
  const out = await runPolicyPack({ stack: "test", resources, config: {}, policies: [rule] });
  return out.results.filter((r) => r.policy === rule.name);
}

function applyStack(resources: RecordedResource[], change: StackChange): RecordedResource[] {
  if ("remove" in change) return resources.filter((r) => r.name !== change.remove);
  if ("add" in change) return [...resources, change.add];
  if (!resources.some((r) => r.name === change.target)) throw new Error(`no fixture named ${change.target}`);
  return resources.map((r) => (r.name === change.target ? mutate(r, change.changes) : r));
}

describe("gcp-pubsub-subscription-require-dead-letter", () => {
  it("the WorkQueue's plan passes the rest of the pack in a Swiss prod stack", async () => {
    // configFor's stack (diaspomoney-prod) with Swiss residency: the pack checks a config is its stack's.
    const { plan } = await run({ ...base, kmsKeyName: "projects/cc-prod/locations/europe-west6/keyRings/data/cryptoKeys/pubsub" }, "payments", "diaspomoney-prod");
    const out = await runPolicyPack({ stack: "diaspomoney-prod", resources: [...plan.resources], config: configFor({ allowedLocations: ["europe-west6"] }) });
    expect(out.results.map((r) => `${r.policy} ${r.urn}: ${r.message}`)).toEqual([]);
  });

  it("a queue stored outside the stack's locations fails residency on both topics", async () => {
    const { plan } = await run({ ...base, regions: ["europe-west3"], worker: { ...base.worker, region: "europe-west3" } }, "payments", "diaspomoney-prod");
    const out = await runPolicyPack({ stack: "diaspomoney-prod", resources: [...plan.resources], config: configFor({ allowedLocations: ["europe-west6"] }) });
    const residency = out.results.filter((r) => r.policy === "gcp-location-resource-require-allowed-location");
    expect(residency.map((r) => r.urn).sort()).toEqual([plan.one(TOPIC, "payments-dead-letter-topic").urn, plan.one(TOPIC, "payments-topic").urn].sort());
  });

  it("passes the WorkQueue's own plan (ids unknown: the sink is found through its topic dependency)", async () => {
    const { plan } = await run(base);
    expect(await ruleResults([...plan.resources])).toEqual([]);
  });

  it("fails the WorkQueue's push subscription without its dead-letter policy, and then its sink too", async () => {
    const { plan } = await run(base);
    // Without the policy, nothing dead-letters to the sink's topic any more: both are reported.
    const stripped = plan.resources.map((r) => {
      if (r.name !== "payments-subscription") return r;
      const copy = mutate(r, { deadLetterPolicy: DEL });
      delete copy.propertyDependencies.deadLetterPolicy;
      return copy;
    });
    const found = await ruleResults(stripped);
    expect(found.map((f) => f.urn).sort()).toEqual([plan.one(SUBSCRIPTION, "payments-dead-letter-subscription").urn, plan.one(SUBSCRIPTION, "payments-subscription").urn].sort());
  });

  const spec = WORKLOAD_SPECS["gcp-pubsub-subscription-require-dead-letter"];
  if (spec.kind !== "stack") throw new Error("a stack spec");
  it("spec: passes its compliant fixture", async () => {
    expect(await ruleResults(spec.fixture)).toEqual([]);
  });
  for (const [label, change] of Object.entries(spec.failing)) {
    it(`spec: fails: ${label}`, async () => {
      const found = await ruleResults(applyStack(spec.fixture, change));
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((f) => f.enforcementLevel === "mandatory")).toBe(true);
    });
  }
  for (const [label, change] of Object.entries(spec.compliant ?? {})) {
    it(`spec: passes: ${label}`, async () => {
      expect(await ruleResults(applyStack(spec.fixture, change))).toEqual([]);
    });
  }
});

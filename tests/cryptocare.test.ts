/**
 * cryptocare.md's figures per phase, read back from the offline plans of the prod stack at each
 * phase (mvp, p1, p2, p3): API servers 1 → 2 → 4 → autoscaled, the database 4 GB/2 vCPU → a primary
 * and a replica at 8 GB/4 vCPU → 16 GB/8 vCPU, Redis from P1, blue/green from P1 and canary from P2,
 * PagerDuty and tracing from P1, formal SLOs at P3; the queues with retries, backoff and a dead-letter
 * queue; residency (europe-west6, the German instance in europe-west3) and no reference across
 * the two; the upgrade path that only grows; cost per phase against § 8.1.
 */
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET } from "../engine/evaluate";
import { valueAt } from "../engine/plan";
import { runPolicyPack } from "../engine/policy/run";
import { prepareStack, previewPrepared } from "../engine/preview";
import { budgetedUsd, compareToBudget, type StackBudget } from "../model/cost/budget";
import { convertUsd } from "../model/cost/currency";
import { estimateStackCost } from "../model/cost/estimate";
import type { RecordedResource } from "../model/plan-values";
import { statefulKind } from "../model/stateful";
import { apiRevisionSuffix, CRYPTOCARE_INDICATORS, CRYPTOCARE_PHASE_NAMES, CRYPTOCARE_PHASES, CRYPTOCARE_QUEUES, type CryptocarePhase } from "../stacks/cryptocare";
import { stackBudget } from "../stacks/budgets";
import { cryptocareUsage } from "../stacks/usage/cryptocare";
import { stackFileSettings } from "./harness";

const RUN = "gcp:cloudrunv2/service:Service";
const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const REDIS = "gcp:redis/instance:Instance";

const plans = new Map<string, Promise<RecordedResource[]>>();
/** The prod stack's resources at a phase (each previewed once per file). */
function atPhase(phase: CryptocarePhase, stack = "cryptocare-prod"): Promise<RecordedResource[]> {
  const key = `${stack}@${phase}`;
  let p = plans.get(key);
  if (!p) {
    const platform = stack.replace(/-prod$/, "");
    p = previewPrepared(prepareStack(stack, stackFileSettings(stack, { [`${platform}:phase`]: phase }))).then((x) => x.evaluation.resources);
    plans.set(key, p);
  }
  return p;
}

const byName = (rs: RecordedResource[], type: string, name: string) => {
  const found = rs.filter((r) => r.type === type && r.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0].inputs;
};
const ofType = (rs: RecordedResource[], type: string) => rs.filter((r) => r.type === type);

describe("cryptocare-prod: each phase's figures (§ 1.2, § 4.1.2, § 6.3)", () => {
  it("runs 1, then 2, then 4 API servers, then autoscales from 4 (manual scaling until phase 2)", async () => {
    const api = async (p: CryptocarePhase) => byName(await atPhase(p), RUN, "cryptocare-api-service");
    // § 4.1.1 "API: 1 x Standard (4GB RAM, 2 vCPUs)"; § 6.3 "1 | API servers | Scaling manuel".
    expect((await api("mvp")).scaling).toMatchObject({ scalingMode: "MANUAL", manualInstanceCount: 1 });
    // § 4.1.2 "1 | Load balancer + 2 API servers | 2 x 4GB RAM, 2 vCPUs".
    expect((await api("p1")).scaling).toMatchObject({ scalingMode: "MANUAL", manualInstanceCount: 2 });
    // § 4.1.2 "2 | Scale à 4 API servers | 4 x 8GB RAM, 4 vCPUs"; § 6.3 "2 | Auto-scaling basé CPU/mémoire".
    expect((await api("p2")).scaling).toMatchObject({ scalingMode: "AUTOMATIC", minInstanceCount: 4 });
    expect((await api("p3")).scaling).toMatchObject({ scalingMode: "AUTOMATIC", minInstanceCount: 4, maxInstanceCount: 20 });
    const limits = async (p: CryptocarePhase) => valueAt(await api(p), "template.containers[0].resources.limits");
    expect(await limits("mvp")).toMatchObject({ cpu: "2", memory: "4Gi" });
    expect(await limits("p1")).toMatchObject({ cpu: "2", memory: "4Gi" });
    expect(await limits("p2")).toMatchObject({ cpu: "4", memory: "8Gi" });
  });

  it("grows the database from 4 GB/2 vCPU to a primary and a read replica at 8 GB/4 vCPU, then 16 GB/8 vCPU", async () => {
    const sql = async (p: CryptocarePhase) => ofType(await atPhase(p), SQL);
    const tierOf = (r: RecordedResource) => valueAt(r.inputs, "settings.tier");
    const mvp = await sql("mvp");
    expect(mvp.map(tierOf)).toEqual(["db-custom-2-4096"]);
    for (const [p, tier] of [["p1", "db-custom-4-8192"], ["p2", "db-custom-8-16384"], ["p3", "db-custom-8-16384"]] as const) {
      const all = await sql(p);
      expect(all.map(tierOf), p).toEqual([tier, tier]);
      const replica = all.filter((r) => r.inputs.masterInstanceName !== undefined);
      expect(replica, `${p}: one read replica`).toHaveLength(1);
    }
    // § 1.3 "Disponibilité: 99.9%": a regional (HA) primary in prod, PITR, backups kept in the region.
    const primary = (await sql("p2")).find((r) => r.inputs.masterInstanceName === undefined)!;
    expect(valueAt(primary.inputs, "settings.availabilityType")).toBe("REGIONAL");
    expect(valueAt(primary.inputs, "settings.backupConfiguration.pointInTimeRecoveryEnabled")).toBe(true);
    expect(valueAt(primary.inputs, "settings.backupConfiguration.location")).toBe("europe-west6");
  });

  it("adds Redis at phase 1 (Standard HA, TLS, AUTH), CDN and Cloud Armor in every phase", async () => {
    expect(ofType(await atPhase("mvp"), REDIS)).toHaveLength(0);
    for (const p of ["p1", "p2", "p3"] as const) {
      const [redis] = ofType(await atPhase(p), REDIS);
      expect(redis?.inputs, p).toMatchObject({ tier: "STANDARD_HA", memorySizeGb: CRYPTOCARE_PHASES[p].redisGb, authEnabled: true, transitEncryptionMode: "SERVER_AUTHENTICATION" });
    }
    for (const p of CRYPTOCARE_PHASE_NAMES) {
      const rs = await atPhase(p);
      expect(ofType(rs, "gcp:compute/backendBucket:BackendBucket")[0]?.inputs.enableCdn, p).toBe(true);
      expect(ofType(rs, "gcp:compute/securityPolicy:SecurityPolicy"), p).toHaveLength(1);
    }
  });

  it("releases all at once at MVP, blue/green from phase 1 and canary from phase 2 (§ 4.2.2)", async () => {
    const traffic = async (p: CryptocarePhase, stable?: string) => {
      const rs = stable
        ? (await previewPrepared(prepareStack("cryptocare-prod", stackFileSettings("cryptocare-prod", { "cryptocare:phase": p, "cryptocare:release": `{ stableRevision: cryptocare-api-2-5-0, canaryPercent: 10, generation: 0 }` })))).evaluation.resources
        : await atPhase(p);
      return byName(rs, RUN, "cryptocare-api-service").traffics as Record<string, unknown>[];
    };
    expect(await traffic("mvp")).toEqual([expect.objectContaining({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 })]);
    const blueGreen = await traffic("p1", "cryptocare-api-2-5-0");
    expect(blueGreen).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ revision: "cryptocare-api-2-5-0", percent: 100 }),
        expect.objectContaining({ revision: expect.stringMatching(/^cryptocare-api-2-6-0-[0-9a-f]{6}$/), percent: 0, tag: "candidate" }),
      ]),
    );
    const canary = await traffic("p2", "cryptocare-api-2-5-0");
    expect(canary).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ revision: "cryptocare-api-2-5-0", percent: 90 }),
        expect.objectContaining({ revision: expect.stringMatching(/^cryptocare-api-2-6-0-[0-9a-f]{6}$/), percent: 10 }),
      ]),
    );
  });

  it("names the API revision after its image and its template: a phase move or a new credential with the same image never reuses a name", () => {
    const base = { phase: "p2", sizing: "document", images: { api: "europe-west6-docker.pkg.dev/p/apps/api:2.6.0", worker: "x" }, release: { canaryPercent: 10, generation: 0 }, secrets: undefined } as const;
    const names = new Set([
      apiRevisionSuffix(base),
      apiRevisionSuffix({ ...base, phase: "p3" }),
      apiRevisionSuffix({ ...base, release: { ...base.release, generation: 1 } }),
      apiRevisionSuffix({ ...base, secrets: { zoomClientSecret: "s" } as never }),
      apiRevisionSuffix({ ...base, images: { ...base.images, api: "europe-west6-docker.pkg.dev/p/apps/api:2.7.0" } }),
    ]);
    expect(names.size).toBe(5);
    expect(apiRevisionSuffix(base)).toMatch(/^2-6-0-[0-9a-f]{6}$/);
    // The same inputs give the same name: a preview of an unchanged stack changes nothing.
    expect(apiRevisionSuffix({ ...base })).toBe(apiRevisionSuffix(base));
  });

  it("gives every workload that reads Redis its AUTH secret and CA, not only the API", async () => {
    const rs = await atPhase("p1");
    for (const name of ["cryptocare-api-service", ...Object.keys(CRYPTOCARE_QUEUES).map((q) => `cryptocare-worker-${q}-service`)]) {
      const env = (valueAt(byName(rs, RUN, name), "template.containers[0].envs") as { name: string }[]).map((e) => e.name);
      expect(env, name).toEqual(expect.arrayContaining(["REDIS_HOST", "REDIS_AUTH", "REDIS_CA_CERT"]));
    }
  });

  it("puts payments, Zoom and webhooks through queues with exponential backoff and a dead-letter queue; workers scale out from phase 2", async () => {
    for (const p of CRYPTOCARE_PHASE_NAMES) {
      const rs = await atPhase(p);
      for (const q of Object.keys(CRYPTOCARE_QUEUES)) {
        const sub = byName(rs, "gcp:pubsub/subscription:Subscription", `cryptocare-${q}-subscription`);
        expect(sub.retryPolicy, `${p} ${q}`).toMatchObject({ minimumBackoff: "10s", maximumBackoff: "600s" });
        expect(valueAt(sub, "deadLetterPolicy.maxDeliveryAttempts"), `${p} ${q}`).toBe(5);
        const topic = byName(rs, "gcp:pubsub/topic:Topic", `cryptocare-${q}-topic`);
        expect(valueAt(topic, "messageStoragePolicy.allowedPersistenceRegions"), `${p} ${q}`).toEqual(["europe-west6"]);
        const worker = byName(rs, RUN, `cryptocare-worker-${q}-service`);
        // § 6.3 "2 | API workers | Auto-scaling basé longueur queue": one instance before phase 2.
        expect(valueAt(worker, "scaling.maxInstanceCount"), `${p} ${q}`).toBe(CRYPTOCARE_PHASES[p].workerMaxInstances);
        expect(worker.ingress, `${p} ${q}`).toBe("INGRESS_TRAFFIC_INTERNAL_ONLY");
      }
    }
    expect(CRYPTOCARE_PHASES.p1.workerMaxInstances).toBe(1);
    expect(CRYPTOCARE_PHASES.p2.workerMaxInstances).toBeGreaterThan(1);
  });

  it("turns on tracing (in the region) and PagerDuty from phase 1, formal SLOs at phase 3", async () => {
    const settings = (rs: RecordedResource[]) => ofType(rs, "gcp:observability/projectSettings:ProjectSettings");
    expect(settings(await atPhase("mvp"))).toHaveLength(0);
    expect(settings(await atPhase("p1"))[0]?.inputs).toMatchObject({ defaultStorageLocation: "europe-west6" });
    const channels = (rs: RecordedResource[]) => ofType(rs, "gcp:monitoring/notificationChannel:NotificationChannel").map((r) => r.inputs.type);
    expect(channels(await atPhase("mvp"))).not.toContain("pagerduty");
    // PagerDuty only once its key is set, and only from phase 1; the key never reaches the plan.
    const CIPHERTEXT = "v1:AAAAbm90LWEtcmVhbC1jaXBoZXJ0ZXh0LWp1c3QtYS1tYXJrZXI=";
    const withKey = async (p: CryptocarePhase) => {
      const preview = await previewPrepared(prepareStack("cryptocare-prod", stackFileSettings("cryptocare-prod", { "cryptocare:phase": p, "cryptocare:secrets": `\n    pagerDutyServiceKey:\n      secure: ${CIPHERTEXT}` })));
      expect(JSON.stringify(preview.digest)).not.toContain(CIPHERTEXT);
      return preview.evaluation.resources;
    };
    expect(channels(await withKey("mvp"))).not.toContain("pagerduty");
    const p1 = await withKey("p1");
    expect(channels(p1)).toContain("pagerduty");
    const pagerDuty = ofType(p1, "gcp:monitoring/notificationChannel:NotificationChannel").find((r) => r.inputs.type === "pagerduty")!;
    expect(valueAt(pagerDuty.inputs, "sensitiveLabels.serviceKey")).toEqual(BLINDED_SECRET);
    // § 1.3 critical and § 8.3 inflection thresholds, from the MVP on.
    const mvp = await atPhase("mvp");
    const alert = (name: string) => {
      const policy = byName(mvp, "gcp:monitoring/alertPolicy:AlertPolicy", `cryptocare-api-${name}`);
      return { severity: policy.severity, threshold: valueAt(policy, "conditions[0].conditionThreshold.thresholdValue"), duration: valueAt(policy, "conditions[0].conditionThreshold.duration") };
    };
    // § 1.3: "< 500ms (95ème percentile)", "Taux d'erreur: < 0.1%".
    expect(alert("latency-critical")).toMatchObject({ severity: "CRITICAL", threshold: 500 });
    expect(alert("errors-critical")).toMatchObject({ severity: "CRITICAL", threshold: 0.001 });
    // § 8.3: "CPU utilisation | >70% soutenu", "Temps réponse API | >400ms (p95)", "Taux d'erreur | >0.5%".
    expect(alert("cpu-inflection")).toMatchObject({ severity: "WARNING", threshold: 0.7, duration: "900s" });
    expect(alert("latency-inflection")).toMatchObject({ severity: "WARNING", threshold: 400 });
    expect(alert("errors-inflection")).toMatchObject({ severity: "WARNING", threshold: 0.005 });
    // § 1.3 "Disponibilité: 99.9%": the uptime SLO from the MVP on.
    expect(valueAt(byName(mvp, "gcp:monitoring/slo:Slo", "cryptocare-availability-slo"), "goal")).toBe(0.999);
    const slos = (rs: RecordedResource[]) => ofType(rs, "gcp:monitoring/slo:Slo").length;
    expect(slos(await atPhase("p3"))).toBeGreaterThan(slos(await atPhase("p2")));
  });
});

describe("cryptocare: moving prod to the next phase only grows", () => {
  /** Inputs that force Google (or the provider) to replace the resource when they change. */
  const REPLACING: Record<string, string[]> = {
    [SQL]: ["region", "databaseVersion", "encryptionKeyName", "project", "masterInstanceName"],
    [REDIS]: ["tier", "region", "locationId", "authorizedNetwork", "connectMode", "transitEncryptionMode", "customerManagedKey", "reservedIpRange"],
    "gcp:pubsub/topic:Topic": ["project", "name"],
    "gcp:pubsub/subscription:Subscription": ["project", "name", "topic"],
    "gcp:storage/bucket:Bucket": ["name", "location", "project"],
    "gcp:secretmanager/secret:Secret": ["secretId", "replication", "project"],
    "gcp:kms/keyRing:KeyRing": ["name", "location", "project"],
    "gcp:kms/cryptoKey:CryptoKey": ["name", "keyRing"],
  };

  for (const [from, to] of [["mvp", "p1"], ["p1", "p2"], ["p2", "p3"]] as const) {
    it(`${from} → ${to}: no resource goes away, and no stateful one changes an input that replaces it`, async () => {
      const before = await atPhase(from);
      const after = new Map((await atPhase(to)).map((r) => [r.urn, r]));
      const gone = before.filter((r) => !after.has(r.urn)).map((r) => r.urn);
      expect(gone).toEqual([]);
      for (const r of before) {
        if (!statefulKind(r.type, r.custom, r.inputs)) continue;
        const next = after.get(r.urn)!;
        for (const field of REPLACING[r.type] ?? []) {
          expect(JSON.stringify(next.inputs[field]), `${r.name}.${field}`).toBe(JSON.stringify(r.inputs[field]));
        }
        // Nothing lost: every stateful resource of a prod stack is protected at every phase.
        expect(next.options.protect, `${to}: ${r.name} protected`).toBe(true);
      }
    });
  }
});

describe("cryptocare: residency per stack (§ 7.2)", () => {
  const LOCATED: Record<string, string[]> = {
    [SQL]: ["region", "settings.backupConfiguration.location"],
    [REDIS]: ["region"],
    [RUN]: ["location"],
    "gcp:storage/bucket:Bucket": ["location"],
    "gcp:kms/keyRing:KeyRing": ["location"],
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": ["location"],
    "gcp:observability/projectSettings:ProjectSettings": ["defaultStorageLocation"],
    "gcp:pubsub/topic:Topic": ["messageStoragePolicy.allowedPersistenceRegions[0]"],
    "gcp:secretmanager/secret:Secret": ["replication.userManaged.replicas[0].location"],
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": ["region"],
  };
  for (const [stack, region, phase] of [["cryptocare-prod", "europe-west6", "p3"], ["cryptocare-de-prod", "europe-west3", "p3"]] as const) {
    it(`${stack}: every located resource, backups, logs and traces included, is in ${region}; the policy pack agrees`, async () => {
      const rs = await atPhase(phase, stack);
      let checked = 0;
      for (const r of rs) {
        // A read replica has no backups of its own (Cloud SQL refuses a backup configuration on one).
        const paths = (LOCATED[r.type] ?? []).filter((path) => !(r.type === SQL && r.inputs.masterInstanceName !== undefined && path.includes("backup")));
        for (const path of paths) {
          expect(String(valueAt(r.inputs, path)).toLowerCase(), `${r.name} ${path}`).toBe(region);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(20);
      const result = await runPolicyPack({ stack, resources: rs });
      const residency = result.results.filter((x) => /location|foreign|residen/.test(x.policy));
      expect(residency).toEqual([]);
      expect(result.mandatoryViolations).toBe(0);
    });
  }

  it("the policy pack catches a German reference or location slipped into the Swiss plan", async () => {
    const rs = await atPhase("p2");
    const bucket = rs.find((r) => r.type === "gcp:storage/bucket:Bucket")!;
    const grant: RecordedResource = {
      ...bucket,
      urn: bucket.urn.replace(/::[^:]+$/, "::cryptocare-frontend-de-reader").replace("gcp:storage/bucket:Bucket", "gcp:storage/bucketIAMMember:BucketIAMMember"),
      type: "gcp:storage/bucketIAMMember:BucketIAMMember",
      name: "cryptocare-frontend-de-reader",
      inputs: { bucket: "cryptocare-prod-7310-frontend", role: "roles/storage.objectViewer", member: "serviceAccount:cryptocare-de-api-run@cryptocare-de-prod-7310.iam.gserviceaccount.com" },
    };
    const foreign = await runPolicyPack({ stack: "cryptocare-prod", resources: [...rs, grant] });
    expect(foreign.results.filter((x) => x.policy === "gcp-project-deny-foreign-data-reference").map((x) => x.message).join("\n")).toMatch(/cryptocare-de-prod-7310/);
    const moved = rs.map((r) => (r.type === SQL && r.inputs.masterInstanceName !== undefined ? { ...r, inputs: { ...r.inputs, region: "europe-west3" } } : r));
    const located = await runPolicyPack({ stack: "cryptocare-prod", resources: moved });
    expect(located.results.filter((x) => x.policy === "gcp-location-resource-require-allowed-location" && x.enforcementLevel === "mandatory")).toHaveLength(1);
  });

  it("the German instance names no Swiss project, and the Swiss instance no German one", async () => {
    const ch = JSON.stringify((await atPhase("p2")).map((r) => r.inputs));
    const de = JSON.stringify((await atPhase("p2", "cryptocare-de-prod")).map((r) => r.inputs));
    expect(ch).not.toMatch(/cryptocare-de-prod-7310|europe-west3/);
    expect(de).not.toMatch(/cryptocare-(dev|rct|prod)-7310|europe-west6/);
  });

  it("the German instance composes the same components as the Swiss prod, under its own prefix", async () => {
    const shape = async (stack: string, prefix: string) =>
      (await atPhase("p2", stack))
        .filter((r) => !r.custom)
        .map((r) => `${r.type}::${r.name.replace(prefix, "<instance>")}`)
        .sort();
    expect(await shape("cryptocare-de-prod", "cryptocare-de")).toEqual(await shape("cryptocare-prod", "cryptocare"));
  });

  it("refuses a German instance before phase 2, and reduced sizes in prod, naming the key", () => {
    expect(() => prepareStack("cryptocare-de-prod", stackFileSettings("cryptocare-de-prod", { "cryptocare-de:phase": "p1" }))).toThrow(/phase.*p2 or p3.*Phase 2.*"p1"/s);
    expect(() => prepareStack("cryptocare-prod", stackFileSettings("cryptocare-prod", { "cryptocare:sizing": "reduced" }))).toThrow(/sizing.*"document" in a prod-like stack.*"reduced"/s);
    expect(() => prepareStack("cryptocare-prod", stackFileSettings("cryptocare-prod", { "cryptocare:phase": "p4" }))).toThrow(/cryptocare:phase.*mvp.*p3.*"p4"/s);
    expect(() => prepareStack("cryptocare-prod", stackFileSettings("cryptocare-prod", { "cryptocare:phase": "mvp", "cryptocare:release": "{ stableRevision: cryptocare-api-2-5-0, canaryPercent: 10, generation: 0 }" }))).toThrow(/release\.stableRevision.*unset at phase mvp/s);
  });
});

describe("cryptocare: cost per phase against § 8.1", () => {
  const costAt = async (phase: CryptocarePhase, stack = "cryptocare-prod") => {
    const env = "prod" as const;
    const platform = stack.replace(/-prod$/, "");
    const estimate = estimateStackCost({ stack, resources: await atPhase(phase, stack), upstreamResources: [], usage: cryptocareUsage(env, phase, platform) });
    const base = stackBudget("cryptocare-prod")!;
    const p = CRYPTOCARE_PHASES[phase];
    const budget: StackBudget = { ...base, monthly: { low: p.budgetChf, high: p.budgetChf }, users: p.users };
    return { estimate, cmp: compareToBudget(budgetedUsd(estimate), budget, convertUsd) };
  };

  it("each phase's Swiss prod estimate is under its budget, and cost per user falls with the phases", async () => {
    let previous = Infinity;
    for (const phase of CRYPTOCARE_PHASE_NAMES) {
      const { cmp } = await costAt(phase);
      expect(cmp.over, `${phase}: CHF ${cmp.estimate} vs ${CRYPTOCARE_PHASES[phase].budgetChf}`).toBe(false);
      expect(cmp.perUser!, phase).toBeLessThan(previous);
      previous = cmp.perUser!;
    }
  });

  it("flags a phase whose cost per user is over § 8.3's 0.25 CHF review trigger, and only those", async () => {
    for (const phase of CRYPTOCARE_PHASE_NAMES) {
      const { cmp } = await costAt(phase);
      const over = cmp.perUser! > CRYPTOCARE_INDICATORS.costPerUserReviewChf;
      expect(Boolean(cmp.reviews?.length), `${phase}: ${cmp.perUser} CHF/user`).toBe(over);
    }
  });

  it("states the budget of prod only; dev and rct are reported beside it", () => {
    expect(stackBudget("cryptocare-prod")).toMatchObject({ currency: "CHF", monthly: { high: 4000 }, users: 20000 });
    expect(stackBudget("cryptocare-dev")).toBeUndefined();
    expect(stackBudget("cryptocare-rct")).toBeUndefined();
  });
});

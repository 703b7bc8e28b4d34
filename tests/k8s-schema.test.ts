import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, UNKNOWN } from "../engine/evaluate";
import { kubernetesObjectOf, re2ToJsPattern, validateKubernetesObject, validateRecordedResource, VENDORED_CRDS_DIR, vendoredCustomResourceKinds } from "../model/k8s-schema";

const deployment = (replicas: unknown = 3) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "diaspomoney-dev", labels: { app: "web" } },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "ghcr.io/x/web:1.2.3", ports: [{ containerPort: 3000 }] }] } },
  },
});

const kafka = (replicas: unknown = 3) => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "Kafka",
  metadata: { name: "events", namespace: "diaspomoney-dev-infra" },
  spec: {
    kafka: {
      listeners: [{ name: "tls", port: 9093, type: "internal", tls: true }],
      config: { "min.insync.replicas": 2 },
    },
    entityOperator: { topicOperator: {}, userOperator: {} },
  },
  // Not a Kafka field: used below through a KafkaNodePool.
  _replicas: replicas,
});

const nodePool = (replicas: unknown) => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaNodePool",
  metadata: { name: "brokers", namespace: "diaspomoney-dev-infra", labels: { "strimzi.io/cluster": "events" } },
  spec: { replicas, roles: ["broker", "controller"], storage: { type: "persistent-claim", size: "100Gi" } },
});

describe("validateKubernetesObject: built-in kinds", () => {
  it("accepts a valid Deployment", () => {
    expect(validateKubernetesObject(deployment())).toEqual({ valid: true, errors: [] });
  });

  it("rejects a wrong field type with its path", () => {
    const r = validateKubernetesObject(deployment("3"));
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual(["/spec/replicas: must be integer"]);
  });

  it("rejects a label value that is not a string", () => {
    const r = validateKubernetesObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "x", labels: { tier: 1 } } });
    expect(r.errors).toEqual(["/metadata/labels/tier: must be string"]);
  });

  it("tolerates unknown values and blinded secrets as opaque leaves", () => {
    const d = deployment(UNKNOWN);
    (d.metadata as Record<string, unknown>).namespace = UNKNOWN;
    d.spec.template.spec.containers[0].image = UNKNOWN;
    expect(validateKubernetesObject(d)).toEqual({ valid: true, errors: [] });
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { password: BLINDED_SECRET } };
    expect(validateKubernetesObject(secret).valid).toBe(true);
    // ...but a real error next to an unknown is still reported.
    const both = deployment(UNKNOWN);
    (both.spec.template.spec.containers[0].ports[0] as Record<string, unknown>).containerPort = "http";
    expect(validateKubernetesObject(both).errors).toEqual(["/spec/template/spec/containers/0/ports/0/containerPort: must be integer"]);
  });

  it("says when a kind has no schema at all", () => {
    const r = validateKubernetesObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } });
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatch(/no schema for example.com\/v1 Widget: .*no vendored CRD/);
  });
});

describe("validateKubernetesObject: custom resources against vendored CRDs", () => {
  it("serves the CRDs the project uses, Strimzi only at v1", () => {
    const kinds = vendoredCustomResourceKinds();
    for (const k of [
      "kafka.strimzi.io/v1/Kafka",
      "kafka.strimzi.io/v1/KafkaNodePool",
      "kafka.strimzi.io/v1/KafkaTopic",
      "kafka.strimzi.io/v1/KafkaUser",
      "mongodbcommunity.mongodb.com/v1/MongoDBCommunity",
      "redis.redis.opstreelabs.in/v1beta2/RedisCluster",
      "cert-manager.io/v1/ClusterIssuer",
      "cert-manager.io/v1/Certificate",
      "traefik.io/v1alpha1/IngressRoute",
      "traefik.io/v1alpha1/Middleware",
      "traefik.io/v1alpha1/TLSOption",
      "monitoring.coreos.com/v1/ServiceMonitor",
      "monitoring.coreos.com/v1/PrometheusRule",
    ]) {
      expect(kinds).toContain(k);
    }
    expect(kinds.filter((k) => k.includes("v1beta2/Kafka"))).toEqual([]);
  });

  it("accepts a valid KafkaNodePool and rejects a string replicas with its path", () => {
    expect(validateKubernetesObject(nodePool(3))).toEqual({ valid: true, errors: [] });
    const bad = validateKubernetesObject(nodePool("three"));
    expect(bad.valid).toBe(false);
    expect(bad.errors).toContain("/spec/replicas: must be integer");
  });

  it("rejects a Strimzi Kafka with a bad replicas type and an undeclared field", () => {
    const { _replicas, ...k } = kafka();
    void _replicas;
    expect(validateKubernetesObject(k)).toEqual({ valid: true, errors: [] });
    const bad = { ...k, spec: { ...k.spec, kafka: { ...k.spec.kafka, replicas: "3" } } };
    const r = validateKubernetesObject(bad);
    expect(r.valid).toBe(false);
    // Strimzi v1 dropped spec.kafka.replicas (node pools own it): the field is unknown, not just mistyped.
    expect(r.errors).toContain('/spec/kafka: unknown field "replicas"');
  });

  it("points at a wrong enum value in a Traefik TLSOption", () => {
    const tls = { apiVersion: "traefik.io/v1alpha1", kind: "TLSOption", metadata: { name: "default" }, spec: { minVersion: "VersionTLS12", sniStrict: "yes" } };
    const r = validateKubernetesObject(tls);
    expect(r.errors).toEqual(["/spec/sniStrict: must be boolean"]);
  });

  it("rejects a served-nowhere version, naming what the vendored CRD serves", () => {
    const r = validateKubernetesObject({ ...nodePool(3), apiVersion: "kafka.strimzi.io/v1beta2" });
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatch(/kafka.strimzi.io\/v1beta2 KafkaNodePool.*serves kafka.strimzi.io\/v1/);
  });

  it("checks the metadata of a custom resource as an ObjectMeta", () => {
    const r = validateKubernetesObject({ ...nodePool(3), metadata: { name: "brokers", labels: { replicas: 3 } } });
    expect(r.errors).toEqual(["/metadata/labels/replicas: must be string"]);
  });

  it("tolerates unknown values inside a custom resource", () => {
    const cr = nodePool(UNKNOWN);
    (cr.metadata as Record<string, unknown>).namespace = UNKNOWN;
    expect(validateKubernetesObject(cr)).toEqual({ valid: true, errors: [] });
  });
});

describe("recorded Pulumi resources", () => {
  it("maps type tokens to objects (core group, CustomResource inputs) and skips non-objects", () => {
    expect(kubernetesObjectOf({ type: "kubernetes:core/v1:Namespace", custom: true, inputs: { metadata: { name: "a" } } })).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "a" },
    });
    const cr = kubernetesObjectOf({ type: "kubernetes:kafka.strimzi.io/v1:KafkaNodePool", custom: true, inputs: nodePool(3) });
    expect(cr?.apiVersion).toBe("kafka.strimzi.io/v1");
    expect(kubernetesObjectOf({ type: "kubernetes:helm.sh/v3:Release", custom: true, inputs: {} })).toBeUndefined();
    expect(kubernetesObjectOf({ type: "kubernetes:apps/v1:DeploymentPatch", custom: true, inputs: {} })).toBeUndefined();
    expect(kubernetesObjectOf({ type: "pulumi:providers:kubernetes", custom: true, inputs: {} })).toBeUndefined();
  });

  it("validates a recorded Deployment with unknown inputs, and reports a real error", () => {
    const ok = validateRecordedResource({ type: "kubernetes:apps/v1:Deployment", custom: true, inputs: { ...deployment(), metadata: { namespace: UNKNOWN } } });
    expect(ok).toEqual({ valid: true, errors: [] });
    const bad = validateRecordedResource({ type: "kubernetes:apps/v1:Deployment", custom: true, inputs: deployment(-1.5) });
    expect(bad?.valid).toBe(false);
    expect(bad?.errors).toContain("/spec/replicas: must be integer");
  });

  it("reads only vendored CRDs inside the repository", () => {
    expect(VENDORED_CRDS_DIR).toBe(join(__dirname, "..", "vendor", "crds"));
    expect(readFileSync(join(__dirname, "..", "engine", "k8s-schema.ts"), "utf8")).not.toMatch(/\.\.\/shared|work\/shared/);
  });
});

describe("RE2 inline flags in CRD patterns", () => {
  it.each([
    ["^(?i)(abort|warn)?$", ["abort", "Warn", "ABORT", ""], ["abrt", "warning"]],
    ["(?i)^[a-c]x\\d$", ["ax1", "Cx9", "bX0"], ["dx1", "axz"]],
    ["^(?i)[^a-c]$", ["d", "Z"], ["a", "B"]],
  ])("%s becomes an equivalent JavaScript pattern", (pattern, matching, notMatching) => {
    const re = new RegExp(re2ToJsPattern(pattern));
    for (const m of matching) expect(re.test(m), m).toBe(true);
    for (const m of notMatching) expect(re.test(m), m).toBe(false);
  });

  it("leaves patterns without inline flags unchanged", () => {
    expect(re2ToJsPattern("^[a-z0-9]+$")).toBe("^[a-z0-9]+$");
  });
});

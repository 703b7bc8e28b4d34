/**
 * Secrets by value, one concern across runtimes (lib/sensitive.ts judges name AND value):
 * Kubernetes Secrets (data decoded), ConfigMaps (configuration files), Cloud Run env (v1, v2),
 * container env of every pod template, Helm values (tests/policies/specs/platform.ts). Fields that
 * name a Secret are references, not literal secrets; a literal under the same key still fails.
 */
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET, DEL, mutate, res, runRule, UNKNOWN } from "./helpers";
import { deployment } from "./specs/kubernetes";
import { SECRET_RUNTIME_FIXTURES } from "./specs/platform";

const RULE = "platform-secrets-input-deny-literal-secret";
const ENV_RULE = "k8s-core-container-require-secret-env";
const { k8sSecret, redisConfig, cloudRunV2, cloudRunV1 } = SECRET_RUNTIME_FIXTURES;
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const middleware = (secret: string) =>
  res("kubernetes:traefik.io/v1alpha1:Middleware", "basic-auth", { apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: { name: "basic-auth", namespace: "monitoring" }, spec: { basicAuth: { secret } } });
const release = (secrets: string[]) =>
  res("kubernetes:helm.sh/v3:Release", "monitoring", { chart: "kube-prometheus-stack", values: { alertmanager: { alertmanagerSpec: { secrets } } } });

async function messages(rule: string, ...resources: Parameters<typeof runRule>[1]): Promise<string[]> {
  return (await runRule(rule, resources)).results.map((r) => r.message);
}

describe(`${RULE} and Secret references`, () => {
  it("accepts a Traefik basicAuth.secret naming a Secret, and Alertmanager's list of Secret names", async () => {
    const run = await runRule(RULE, [middleware("monitoring-basic-auth"), release(["alertmanager-receivers"])]);
    expect(run.results).toEqual([]);
  });

  it("still refuses a literal credential under the same keys", async () => {
    const run = await runRule(RULE, [middleware("admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"), release(["Sup3r-Secret!"])]);
    expect(run.results.map((r) => r.message)).toEqual([
      expect.stringMatching(/spec\.basicAuth\.secret looks like an htpasswd entry/),
      expect.stringMatching(/values\.alertmanager\.alertmanagerSpec\.secrets\.0 is a literal value/),
    ]);
  });
});

describe(`${RULE}: Kubernetes Secrets, judged decoded`, () => {
  it("passes the compliant Secret (a username, a Pulumi secret, a file path)", async () => {
    expect(await messages(RULE, k8sSecret)).toEqual([]);
  });
  it.each([
    ["data.password: base64 Passw0rd", { "data.password": b64("Passw0rd") }, /data\.password is a literal value for password \(base64-decoded\)/],
    ["data.MONGO_URI: base64 connection string with credentials", { "data.MONGO_URI": b64("mongodb://app:S3cret@mongo-0:27017/app") }, /data\.MONGO_URI looks like credentials in a URL \(base64-decoded\)/],
    ["data.DATABASE_URL: postgres with credentials", { "data.DATABASE_URL": b64("postgres://app:pw@db:5432/app") }, /credentials in a URL/],
    ["stringData.JWT_SECRET literal", { "stringData.JWT_SECRET": "changeme" }, /stringData\.JWT_SECRET is a literal value/],
    ['stringData.password "secret:…"', { "stringData.password": "secret:db-password" }, /stringData\.password is a literal value/],
    ["data that is not base64 (cannot be judged: refused)", { "data.token": "not base64!" }, /data\.token is not base64 text/],
    ["redis.conf in a Secret with requirepass", { "stringData.redis\u2024conf": "appendonly yes\nrequirepass hunter22\n" }, /holds requirepass is a literal value/],
  ])("fails: %s", async (_l, changes, message) => {
    expect(await messages(RULE, mutate(k8sSecret, changes))).toEqual([expect.stringMatching(message)]);
  });
  it.each([
    ["data.password unknown (generated)", { "data.password": UNKNOWN }],
    ["stringData.password a Pulumi secret", { "stringData.password": { ...BLINDED_SECRET } }],
    ["stringData.TOKEN_TTL_SECONDS", { "stringData.TOKEN_TTL_SECONDS": "3600" }],
    ["data.JWT_ISSUER", { "data.JWT_ISSUER": b64("https://auth.diaspomoney.fr") }],
  ])("passes: %s", async (_l, changes) => {
    expect(await messages(RULE, mutate(k8sSecret, changes))).toEqual([]);
  });
});

describe(`${RULE}: ConfigMaps and their configuration files`, () => {
  it("passes requirepass from the environment, and a JWT issuer", async () => {
    expect(await messages(RULE, redisConfig)).toEqual([]);
  });
  it("fails requirepass with a literal in a redis.conf", async () => {
    const bad = mutate(redisConfig, { "data.redis\u2024conf": "appendonly yes\nrequirepass s3cr3t-redis\n" });
    expect(await messages(RULE, bad)).toEqual([expect.stringMatching(/data\.redis\.conf \(line 2, requirepass\) is a literal value for requirepass/)]);
  });
  it("fails a literal password entry and an application.properties password line", async () => {
    expect(await messages(RULE, mutate(redisConfig, { "data.DB_PASSWORD": "hunter2" }))).toEqual([expect.stringMatching(/data\.DB_PASSWORD is a literal value/)]);
    expect(await messages(RULE, mutate(redisConfig, { "data.application\u2024properties": "server.port=8080\nspring.datasource.password=hunter2\n" }))).toEqual([
      expect.stringMatching(/line 2, spring\.datasource\.password/),
    ]);
  });
});

describe(`${RULE}: Cloud Run env (v2 and v1)`, () => {
  it("passes env from Secret Manager and non-secret literals", async () => {
    expect(await messages(RULE, cloudRunV2, cloudRunV1)).toEqual([]);
  });
  it.each([
    ["v2: literal DB_PASSWORD", cloudRunV2, { "template.containers.0.envs.1": { name: "DB_PASSWORD", value: "hunter2" } }, /template\.containers\.0\.envs\.1\.value is a literal value for DB_PASSWORD/],
    ["v2: ENCRYPTION_KEY literal", cloudRunV2, { "template.containers.0.envs.0": { name: "ENCRYPTION_KEY", value: "k3y-material-0123" } }, /literal value for ENCRYPTION_KEY/],
    ["v2: a connection string with credentials under an innocent name", cloudRunV2, { "template.containers.0.envs.0": { name: "MONGO", value: "mongodb://u:p@h/db" } }, /credentials in a URL/],
    ["v1: literal JWT_SECRET", cloudRunV1, { "template.spec.containers.0.envs.0": { name: "JWT_SECRET", value: "changeme" } }, /literal value for JWT_SECRET/],
  ])("fails: %s", async (_l, fixture, changes, message) => {
    expect(await messages(RULE, mutate(fixture, changes))).toEqual([expect.stringMatching(message)]);
  });
  it("a Secret Manager secret version's payload in plain text fails; a Pulumi secret or unknown passes", async () => {
    const version = (secretData: unknown) => res("gcp:secretmanager/secretVersion:SecretVersion", "jwt-v1", { secret: "projects/p/secrets/jwt", secretData });
    expect(await messages(RULE, version("anything-at-all"))).toEqual([expect.stringMatching(/secretData is the payload of a Secret Manager secret/)]);
    expect(await messages(RULE, version({ ...BLINDED_SECRET }), version(UNKNOWN))).toEqual([]);
  });
});

describe(`${ENV_RULE}: container env, name and value`, () => {
  const C = "spec.template.spec.containers.0";
  const withEnv = (env: unknown) => mutate(deployment, { [`${C}.env.1`]: env });
  it.each([
    ["ENCRYPTION_KEY literal", { name: "ENCRYPTION_KEY", value: "0123456789abcdef" }, /env ENCRYPTION_KEY is a literal value/],
    ["MYSQL_PWD literal", { name: "MYSQL_PWD", value: "root123" }, /env MYSQL_PWD is a literal value/],
    ["a base64 connection string under an innocent name", { name: "BOOTSTRAP", value: b64("postgres://app:pw@db:5432/app") }, /credentials in a URL \(base64-encoded\)/],
    ['"secret:…" is not a reference', { name: "DB_PASSWORD", value: "secret:db-password" }, /env DB_PASSWORD is a literal value/],
    ["JWT secret from a ConfigMap", { name: "JWT_SECRET", valueFrom: { configMapKeyRef: { name: "cfg", key: "jwt" } } }, /env JWT_SECRET comes from a ConfigMap/],
  ])("fails: %s", async (_l, env, message) => {
    expect(await messages(ENV_RULE, withEnv(env))).toEqual([expect.stringMatching(message)]);
  });
  it.each([
    ["JWT_ISSUER", { name: "JWT_ISSUER", value: "https://auth.diaspomoney.fr" }],
    ["TOKEN_TTL_SECONDS", { name: "TOKEN_TTL_SECONDS", value: "3600" }],
    ["DB_PASSWORD_FILE (a path to a mounted Secret)", { name: "DB_PASSWORD_FILE", value: "/run/secrets/db/password" }],
    ["secretKeyRef", { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
    ["an unknown value", { name: "DB_PASSWORD", value: UNKNOWN }],
    ["an unknown source", { name: "DB_PASSWORD", valueFrom: UNKNOWN }],
    ["a Pulumi secret", { name: "DB_PASSWORD", value: { ...BLINDED_SECRET } }],
    ["an env expansion", { name: "DB_PASSWORD", value: "$(ROOT_PASSWORD)" }],
  ])("passes: %s", async (_l, env) => {
    expect(await messages(ENV_RULE, withEnv(env))).toEqual([]);
  });
  it("passes a container with no env at all", async () => {
    expect(await messages(ENV_RULE, mutate(deployment, { [`${C}.env`]: DEL }))).toEqual([]);
  });
  it("is the only rule reporting a pod's env (one finding per concern)", async () => {
    const bad = withEnv({ name: "DB_PASSWORD", value: "hunter2" });
    expect(await messages(ENV_RULE, bad)).toHaveLength(1);
    expect(await messages(RULE, bad)).toEqual([]);
  });
  it("leaves no env list unjudged: a Strimzi container template's env is judged by the input rule", async () => {
    const kafka = res("kubernetes:kafka.strimzi.io/v1beta2:Kafka", "kafka", {
      apiVersion: "kafka.strimzi.io/v1beta2",
      kind: "Kafka",
      metadata: { name: "kafka", namespace: "diaspomoney-prod-infra" },
      spec: { kafka: { template: { kafkaContainer: { env: [{ name: "KAFKA_SSL_KEY_PASSWORD", value: "changeit" }] } } } },
    });
    expect(await messages(RULE, kafka)).toEqual([expect.stringMatching(/spec\.kafka\.template\.kafkaContainer\.env\.0\.value is a literal value for KAFKA_SSL_KEY_PASSWORD/)]);
  });
  it("judges the pod templates of operators' custom resources too", async () => {
    const mongo = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongo", {
      apiVersion: "mongodbcommunity.mongodb.com/v1",
      kind: "MongoDBCommunity",
      metadata: { name: "mongo", namespace: "diaspomoney-prod" },
      spec: { statefulSet: { spec: { template: { spec: { containers: [{ name: "mongod", env: [{ name: "MONGO_INITDB_ROOT_PASSWORD", value: "Passw0rd" }] }] } } } } },
    });
    expect(await messages(ENV_RULE, mongo)).toEqual([expect.stringMatching(/MONGO_INITDB_ROOT_PASSWORD is a literal value/)]);
  });
});

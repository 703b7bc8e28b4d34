/** Specs of the cross-cutting rules: literal secrets, the config check. */
import { BLINDED_SECRET, DEL, res, UNKNOWN } from "../helpers";
import type { RuleSpec } from "./types";

const user = res("gcp:sql/user:User", "orders-app-user", { instance: UNKNOWN, name: "app", password: { ...BLINDED_SECRET } });
const release = res("kubernetes:helm.sh/v3:Release", "grafana", {
  chart: "grafana",
  namespace: "diaspomoney-prod-infra",
  values: { adminUser: "admin", admin: { existingSecret: "grafana-admin", passwordKey: "password" } },
});

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/**
 * The literal-secret rule's fixture: a chart release whose values hold every shape a secret can
 * take in our runtimes (a password field, env name/value pairs as charts and Cloud Run write them,
 * a configuration file, a base64 blob), all compliant: references, descriptions of secrets, and
 * values that are Pulumi secrets or unknown.
 */
const secretsRelease = res("kubernetes:helm.sh/v3:Release", "redis", {
  chart: "redis",
  namespace: "diaspomoney-prod-infra",
  values: {
    auth: { enabled: true, existingSecret: "redis-auth", existingSecretPasswordKey: "redis-password", password: { ...BLINDED_SECRET } },
    extraEnvVars: [
      { name: "JWT_ISSUER", value: "https://auth.diaspomoney.fr" },
      { name: "TOKEN_TTL_SECONDS", value: "3600" },
      { name: "DB_PASSWORD_FILE", value: "/run/secrets/db/password" },
      { name: "DB_PASSWORD", value: UNKNOWN },
    ],
    commonConfiguration: "appendonly yes\nappendfsync everysec\nrequirepass ${REDIS_PASSWORD}\n",
    secretManagerRef: "projects/diaspomoney-prod/secrets/redis-password/versions/latest",
    bootstrap: b64("mongodb://mongo-0.mongo:27017/app?replicaSet=rs0"),
    metrics: { enabled: true },
  },
});

/** Compliant neighbours of every other runtime the rule judges (they run in every case of the spec). */
const k8sSecret = res("kubernetes:core/v1:Secret", "app-db", {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "app-db", namespace: "diaspomoney-prod" },
  data: { username: b64("app"), password: { ...BLINDED_SECRET } },
  stringData: { "DB_PASSWORD_FILE": "/run/secrets/db/password", database: "app" },
});
const redisConfig = res("kubernetes:core/v1:ConfigMap", "redis-config", {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "redis-config", namespace: "diaspomoney-prod" },
  data: { "redis.conf": "appendonly yes\nrequirepass ${REDIS_PASSWORD}\nmasterauth ${REDIS_PASSWORD}\n", JWT_ISSUER: "https://auth.diaspomoney.fr" },
});
const cloudRunV2 = res("gcp:cloudrunv2/service:Service", "api", {
  location: "europe-west6",
  template: {
    serviceAccount: "api@diaspomoney-prod.iam.gserviceaccount.com",
    containers: [{
      image: "europe-west6-docker.pkg.dev/p/apps/api:1.2.3",
      envs: [
        { name: "TOKEN_TTL_SECONDS", value: "900" },
        { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret: "db-password", version: "latest" } } },
      ],
    }],
  },
});
const cloudRunV1 = res("gcp:cloudrun/service:Service", "worker", {
  location: "europe-west6",
  template: { spec: { serviceAccountName: "worker@diaspomoney-prod.iam.gserviceaccount.com", containers: [{ image: "europe-west6-docker.pkg.dev/p/apps/worker:1.2.3", envs: [{ name: "JWT_SECRET", valueFrom: { secretKeyRef: { name: "jwt", key: "latest" } } }] }] } },
});

/** Cases of the other runtimes (tests/policies/secret-references.test.ts runs them). */
export const SECRET_RUNTIME_FIXTURES = { k8sSecret, redisConfig, cloudRunV2, cloudRunV1 };

export const PLATFORM_SPECS: Record<string, RuleSpec> = {
  "platform-secrets-input-deny-literal-secret": {
    kind: "resource",
    fixture: secretsRelease,
    others: [user, k8sSecret, redisConfig, cloudRunV2, cloudRunV1],
    failing: {
      "literal password": { "values.auth.password": "hunter2-but-longer" },
      'password "Passw0rd" (not a key name)': { "values.auth.password": "Passw0rd" },
      '"secret:…" (not a reference syntax)': { "values.auth.password": "secret:redis-password" },
      "a word as the password": { "values.auth.password": "password" },
      "private key anywhere": { "values.metrics.tls": "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----" },
      "jwt token anywhere": { "values.metrics.token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" },
      "base64 connection string with credentials": { "values.bootstrap": b64("mongodb://app:S3cret-pass@mongo-0.mongo:27017/app") },
      "postgres URL with credentials": { "values.metrics.dsn": "postgres://app:hunter2@db:5432/app" },
      "ENCRYPTION_KEY env literal": { "values.extraEnvVars.0": { name: "ENCRYPTION_KEY", value: "0123456789abcdef0123456789abcdef" } },
      "MYSQL_PWD env literal": { "values.extraEnvVars.0": { name: "MYSQL_PWD", value: "root123" } },
      "DB_PASSWORD env literal": { "values.extraEnvVars.3.value": "hunter2" },
      "requirepass in configuration text": { "values.commonConfiguration": "appendonly yes\nrequirepass s3cr3t-redis\n" },
      "a private key under a reference key": { "values.auth.existingSecret": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----" },
    },
    compliant: {
      "generated password (unknown)": { "values.auth.password": UNKNOWN },
      "no password": { "values.auth.password": DEL },
      "a Secret Manager reference": { "values.auth.password": "projects/diaspomoney-prod/secrets/redis-password/versions/3" },
      "an env expansion": { "values.auth.password": "${REDIS_PASSWORD}" },
      "a key name under a *Key field": { "values.auth.existingSecretPasswordKey": "password" },
      "URL with the password from the environment": { "values.metrics.dsn": "redis://:${REDIS_PASSWORD}@redis:6379/0" },
      "URL without credentials": { "values.metrics.dsn": "postgres://db:5432/app" },
    },
  },
  "platform-policy-config-require-stack-facts": {
    kind: "stack",
    fixture: [user, release],
    failing: {
      // The config is diaspomoney-prod's; a resource whose URN names another stack means the wrong file was passed.
      "a resource of another stack": { add: { ...user, name: "other-user", urn: "urn:pulumi:diaspomoney-dev::platform-infra::gcp:sql/user:User::other-user" } },
    },
    failsWithoutConfig: true,
  },
};

/** A Helm release with a literal admin password in its values (the secrets rule walks values too). */
export const helmRelease = release;

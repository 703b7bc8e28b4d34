/**
 * The `references` check: each reference kind, broken once in a minimal plan, is caught with a
 * message naming the consumer, the reference, the namespace searched and what to do; the same
 * plans with the reference fixed (by this stack, the upstream stack, an operator's naming or an
 * external declaration) are clean.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../engine/evaluate";
import { EXTERNAL_REFERENCES_ANNOTATION, referencesCheck } from "../../engine/deployability/references";
import { findings, res } from "./helpers";

const APP = "shop";
const INFRA = "shop-infra";
const m = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, namespace, ...extra } });

/** A Deployment in `namespace` whose pod spec is `pod`. */
const deployment = (pod: Record<string, unknown>, namespace = APP, annotations?: Record<string, string>) =>
  res("kubernetes:apps/v1:Deployment", "web-deployment", {
    ...m("web", namespace, annotations ? { annotations } : {}),
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: pod } },
  });
const container = (extra: Record<string, unknown>) => ({ containers: [{ name: "app", image: "web:1.0.0", ...extra }] });
const secret = (name: string, namespace: string, stringData: unknown = { password: "x" }) => res("kubernetes:core/v1:Secret", `${namespace}-${name}`, { ...m(name, namespace), stringData });
const configMap = (name: string, namespace: string, data: Record<string, string> = { "app.conf": "x" }) => res("kubernetes:core/v1:ConfigMap", `${namespace}-${name}`, { ...m(name, namespace), data });
const envSecret = (name: string, key = "password") => container({ env: [{ name: "PASSWORD", valueFrom: { secretKeyRef: { name, key } } }] });

const traefikRelease = (allowCrossNamespace?: boolean) =>
  res("kubernetes:helm.sh/v3:Release", "traefik-release", {
    name: "traefik",
    chart: "traefik",
    namespace: "traefik",
    values: { providers: { kubernetesCRD: allowCrossNamespace === undefined ? { enabled: true } : { enabled: true, allowCrossNamespace } } },
  });
const route = (spec: Record<string, unknown>) => res("kubernetes:traefik.io/v1alpha1:IngressRoute", "web-ingressroute", { ...m("web", APP), spec: { entryPoints: ["websecure"], ...spec } });
const service = (name: string, namespace = APP) => res("kubernetes:core/v1:Service", `${namespace}-${name}-service`, { ...m(name, namespace), spec: { ports: [{ port: 80 }] } });
const middleware = (name: string, namespace: string) => res("kubernetes:traefik.io/v1alpha1:Middleware", `${namespace}-${name}`, { ...m(name, namespace), spec: { headers: {} } });
const certificate = (issuerRef: Record<string, unknown>, namespace = APP, secretName = "web-tls") =>
  res("kubernetes:cert-manager.io/v1:Certificate", `${namespace}-certificate`, { ...m("web-tls", namespace), spec: { secretName, dnsNames: ["shop.example.com"], issuerRef } });

describe("references check", () => {
  it("a secretKeyRef to a Secret that exists only in another namespace is caught, naming both namespaces", () => {
    const f = findings(referencesCheck, [secret("redis-auth", INFRA), deployment(envSecret("redis-auth"))]);
    expect(f).toHaveLength(1);
    expect(f[0]!.urn).toMatch(/Deployment::web-deployment$/);
    expect(f[0]!.message).toContain(`Deployment ${APP}/web spec.template.spec.containers[app].env[PASSWORD].valueFrom.secretKeyRef refers to Secret "redis-auth" (key "password")`);
    expect(f[0]!.message).toContain(`no Secret "redis-auth" exists in namespace "${APP}"`);
    expect(f[0]!.message).toContain(`one exists in "${INFRA}", which this consumer does not read`);
    expect(f[0]!.message).toContain("a pod reads Secrets and ConfigMaps only in its own namespace");
    expect(f[0]!.remediation).toMatch(/Make the Secret exist in namespace "shop"/);
  });

  it("the same reference is clean when the Secret is in the pod's namespace, in this stack or the upstream one", () => {
    expect(findings(referencesCheck, [secret("redis-auth", APP), deployment(envSecret("redis-auth"))])).toEqual([]);
    expect(findings(referencesCheck, [deployment(envSecret("redis-auth"))], [secret("redis-auth", APP)])).toEqual([]);
  });

  it("a missing key of a Secret whose keys are known is caught; unknown data is not a finding", () => {
    const f = findings(referencesCheck, [secret("db", APP, { uri: "x" }), deployment(envSecret("db", "password"))]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/reads key "password" of Secret shop\/db, which Secret shop\/db in the plan creates with keys "uri"/);
    expect(f[0]!.remediation).toMatch(/add "password"/);
    expect(findings(referencesCheck, [secret("db", APP, UNKNOWN), deployment(envSecret("db", "password"))])).toEqual([]);
  });

  it("an unknown name or an optional reference is never a finding", () => {
    expect(findings(referencesCheck, [deployment(envSecret(UNKNOWN))])).toEqual([]);
    const optional = container({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "absent", key: "k", optional: true } } }] });
    expect(findings(referencesCheck, [deployment(optional)])).toEqual([]);
  });

  it("configMapKeyRef, envFrom, secret/configMap volumes, projected sources and imagePullSecrets are each resolved", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["configMapKeyRef", container({ env: [{ name: "CONF", valueFrom: { configMapKeyRef: { name: "conf", key: "app.conf" } } }] }), 'ConfigMap "conf"'],
      ["envFrom secret", container({ envFrom: [{ secretRef: { name: "env" } }] }), "envFrom[0].secretRef refers to Secret \"env\""],
      ["envFrom configMap", container({ envFrom: [{ configMapRef: { name: "env" } }] }), "envFrom[0].configMapRef refers to ConfigMap \"env\""],
      ["secret volume", { ...container({}), volumes: [{ name: "ca", secret: { secretName: "ca", items: [{ key: "ca.crt", path: "ca.crt" }] } }] }, 'volumes[ca].secret refers to Secret "ca" (key "ca.crt")'],
      ["configMap volume", { ...container({}), volumes: [{ name: "conf", configMap: { name: "conf" } }] }, 'volumes[conf].configMap refers to ConfigMap "conf"'],
      ["projected", { ...container({}), volumes: [{ name: "all", projected: { sources: [{ secret: { name: "p" } }] } }] }, 'volumes[all].projected.sources[0].secret refers to Secret "p"'],
      ["imagePullSecrets", { ...container({}), imagePullSecrets: [{ name: "registry" }] }, 'imagePullSecrets[0] refers to Secret "registry"'],
    ];
    for (const [label, pod, expected] of cases) {
      const f = findings(referencesCheck, [deployment(pod)]);
      expect(f, label).toHaveLength(1);
      expect(f[0]!.message, label).toContain(expected);
      expect(f[0]!.message, label).toContain(`in namespace "${APP}"`);
    }
    // Present in the pod's namespace: clean.
    const pod = {
      ...container({ envFrom: [{ secretRef: { name: "env" } }, { configMapRef: { name: "conf" } }] }),
      volumes: [{ name: "conf", configMap: { name: "conf" } }],
    };
    expect(findings(referencesCheck, [secret("env", APP), configMap("conf", APP), deployment(pod)])).toEqual([]);
  });

  it("a CronJob's pod template is read too", () => {
    const cron = res("kubernetes:batch/v1:CronJob", "backup", {
      ...m("backup", INFRA),
      spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { spec: envSecret("mongodb-admin-backup", "connectionString.standard") } } } },
    });
    const f = findings(referencesCheck, [cron]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain("CronJob shop-infra/backup spec.jobTemplate.spec.template.spec.containers[app]");
  });

  it("a reference something outside Pulumi creates can be declared external on the consumer", () => {
    const pod = { ...container({}), imagePullSecrets: [{ name: "registry" }] };
    expect(findings(referencesCheck, [deployment(pod, APP, { [EXTERNAL_REFERENCES_ANNOTATION]: "Secret/registry" })])).toEqual([]);
    // The declaration is per kind and namespace: a ConfigMap of that name is still checked.
    const both = { ...pod, volumes: [{ name: "c", configMap: { name: "registry" } }] };
    expect(findings(referencesCheck, [deployment(both, APP, { [EXTERNAL_REFERENCES_ANNOTATION]: "Secret/registry" })])).toHaveLength(1);
  });

  describe("operators' documented naming", () => {
    it("MongoDBCommunity: the connection-string Secret <mdb>-<db>-<user> in the resource's namespace", () => {
      const mdb = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", {
        ...m("mongodb", INFRA),
        spec: { users: [{ name: "app", db: "admin", passwordSecretRef: { name: "mongodb-app-password" } }] },
      });
      const pw = secret("mongodb-app-password", INFRA);
      const reader = deployment(envSecret("mongodb-admin-app", "connectionString.standard"), INFRA);
      expect(findings(referencesCheck, [pw, mdb, reader])).toEqual([]);
      // Wrong key: the operator's keys are known.
      const f = findings(referencesCheck, [pw, mdb, deployment(envSecret("mongodb-admin-app", "uri"), INFRA)]);
      expect(f[0]!.message).toMatch(/reads key "uri" of Secret shop-infra\/mongodb-admin-app, which the MongoDB operator from MongoDBCommunity shop-infra\/mongodb/);
    });

    it("MongoDBCommunity: connectionStringSecretNamespace in another namespace is not counted (the operator's Secret is garbage-collected)", () => {
      const mdb = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", {
        ...m("mongodb", INFRA),
        spec: { users: [{ name: "app", db: "admin", passwordSecretRef: { name: "pw" }, connectionStringSecretNamespace: APP }] },
      });
      const f = findings(referencesCheck, [secret("pw", INFRA), mdb, deployment(envSecret("mongodb-admin-app", "connectionString.standard"))]);
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toContain(`no Secret "mongodb-admin-app" exists in namespace "${APP}"`);
    });

    it("MongoDBCommunity: its own Secret references (user password, TLS, metrics) are resolved in its namespace", () => {
      const mdb = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", {
        ...m("mongodb", INFRA),
        spec: {
          users: [{ name: "app", db: "admin", passwordSecretRef: { name: "mongodb-app-password" } }],
          security: { tls: { enabled: true, certificateKeySecretRef: { name: "mongodb-server-tls" }, caCertificateSecretRef: { name: "mongodb-server-tls" } } },
          prometheus: { username: "prometheus", passwordSecretRef: { name: "mongodb-metrics" } },
        },
      });
      const f = findings(referencesCheck, [mdb]);
      expect(f.map((x) => x.message.split(" refers to ")[1]!.split(",")[0])).toEqual([
        'Secret "mongodb-app-password" (key "password")',
        'Secret "mongodb-server-tls" (key "tls.crt")',
        'Secret "mongodb-server-tls" (key "ca.crt")',
        'Secret "mongodb-metrics" (key "password")',
      ]);
      expect(f[0]!.message).toContain("the operator reads it in the custom resource's namespace");
      const cert = res("kubernetes:cert-manager.io/v1:Certificate", "server", { ...m("mongodb-server", INFRA), spec: { secretName: "mongodb-server-tls", issuerRef: { name: "ca", kind: "ClusterIssuer" } } });
      const issuer = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "ca", { metadata: { name: "ca" }, spec: { selfSigned: {} } });
      expect(findings(referencesCheck, [secret("mongodb-app-password", INFRA), secret("mongodb-metrics", INFRA), issuer, cert, mdb])).toEqual([]);
    });

    it("Strimzi: the KafkaUser's Secret <user>, the cluster CA <cluster>-cluster-ca-cert, and the KafkaUser's password secretKeyRef", () => {
      const kafka = res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka", { ...m("kafka", INFRA), spec: { kafka: { listeners: [] } } });
      const user = res("kubernetes:kafka.strimzi.io/v1:KafkaUser", "user", {
        ...m("app", INFRA),
        spec: { authentication: { type: "scram-sha-512", password: { valueFrom: { secretKeyRef: { name: "app-password", key: "password" } } } } },
      });
      const reader = deployment(
        { ...envSecret("app", "sasl.jaas.config"), volumes: [{ name: "ca", secret: { secretName: "kafka-cluster-ca-cert", items: [{ key: "ca.crt", path: "ca.crt" }] } }] },
        INFRA,
      );
      const f = findings(referencesCheck, [kafka, user, reader]);
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toContain('KafkaUser shop-infra/app spec.authentication.password.valueFrom.secretKeyRef refers to Secret "app-password"');
      expect(findings(referencesCheck, [kafka, secret("app-password", INFRA), user, reader])).toEqual([]);
    });

    it("Strimzi: a metrics ConfigMap and a listener certificate are resolved in the Kafka's namespace", () => {
      const kafka = res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka", {
        ...m("kafka", INFRA),
        spec: {
          kafka: {
            listeners: [{ name: "tls", port: 9093, type: "internal", tls: true, configuration: { brokerCertChainAndKey: { secretName: "kafka-server-tls", certificate: "tls.crt", key: "tls.key" } } }],
            metricsConfig: { type: "jmxPrometheusExporter", valueFrom: { configMapKeyRef: { name: "kafka-metrics", key: "kafka-metrics-config.yml" } } },
          },
        },
      });
      const f = findings(referencesCheck, [configMap("kafka-metrics", INFRA, { other: "x" }), kafka]);
      expect(f.map((x) => x.message)).toEqual([
        expect.stringContaining('spec.kafka.listeners[tls].configuration.brokerCertChainAndKey refers to Secret "kafka-server-tls" (key "tls.crt")'),
        expect.stringContaining('reads key "kafka-metrics-config.yml" of ConfigMap shop-infra/kafka-metrics'),
      ]);
    });

    it("OT redis-operator: the RedisCluster's password Secret and additional config ConfigMap are read in its namespace", () => {
      const redis = res("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis", {
        ...m("redis", INFRA),
        spec: { clusterSize: 3, kubernetesConfig: { image: "redis:7", redisSecret: { name: "redis-auth", key: "password" } }, redisConfig: { additionalRedisConfig: "redis-config" } },
      });
      const f = findings(referencesCheck, [secret("redis-auth", APP), redis]);
      expect(f.map((x) => x.message.split(" refers to ")[1]!.split(",")[0])).toEqual(['Secret "redis-auth" (key "password")', 'ConfigMap "redis-config"']);
      expect(findings(referencesCheck, [secret("redis-auth", INFRA), configMap("redis-config", INFRA), redis])).toEqual([]);
    });
  });

  describe("Traefik IngressRoutes", () => {
    const tlsSecretCert = certificate({ name: "letsencrypt", kind: "ClusterIssuer" });
    const issuer = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "letsencrypt", { metadata: { name: "letsencrypt" }, spec: { acme: {} } });
    const base = [traefikRelease(false), issuer, tlsSecretCert, service("web")];
    const good = { routes: [{ kind: "Rule", match: "Host(`shop.example.com`)", middlewares: [{ name: "headers" }], services: [{ name: "web", port: 80 }] }], tls: { secretName: "web-tls" } };

    it("a route whose middleware, service and TLS secret are in its namespace is clean", () => {
      expect(findings(referencesCheck, [...base, middleware("headers", APP), route(good)])).toEqual([]);
    });

    it("a middleware in another namespace is refused while allowCrossNamespace is false (read from the Traefik release)", () => {
      const spec = { ...good, routes: [{ ...good.routes[0], middlewares: [{ name: "headers", namespace: "traefik" }] }] };
      const f = findings(referencesCheck, [...base, middleware("headers", "traefik"), route(spec)]);
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toContain('IngressRoute shop/web spec.routes[0].middlewares[0] refers to Middleware "traefik/headers" in another namespace');
      expect(f[0]!.message).toContain("providers.kubernetesCRD.allowCrossNamespace: false");
      expect(f[0]!.message).toContain('Traefik looks only in "shop"');
      expect(f[0]!.remediation).toMatch(/Create the Middleware in "shop"/);
      // The chart's default is false too.
      const dflt = findings(referencesCheck, [traefikRelease(undefined), issuer, tlsSecretCert, service("web"), middleware("headers", "traefik"), route(spec)]);
      expect(dflt).toHaveLength(1);
      // Cross-namespace allowed: resolved in the named namespace.
      const allowed = [traefikRelease(true), issuer, tlsSecretCert, service("web")];
      expect(findings(referencesCheck, [...allowed, middleware("headers", "traefik"), route(spec)])).toEqual([]);
      // The release found by its chart name, also from an OCI reference.
      const oci = res("kubernetes:helm.sh/v3:Release", "traefik-release", { name: "traefik", chart: "oci://ghcr.io/traefik/helm/traefik", namespace: "traefik", values: { providers: { kubernetesCRD: { allowCrossNamespace: true } } } });
      expect(findings(referencesCheck, [oci, issuer, tlsSecretCert, service("web"), middleware("headers", "traefik"), route(spec)])).toEqual([]);
      const missing = findings(referencesCheck, [...allowed, route(spec)]);
      expect(missing[0]!.message).toContain('no Middleware "headers" exists in namespace "traefik"');
    });

    it("a missing service, middleware or TLS secret is caught in the route's namespace", () => {
      const f = findings(referencesCheck, [traefikRelease(false), route(good)]);
      expect(f.map((x) => x.message.split(" refers to ")[1]!.split(",")[0])).toEqual(['Middleware "headers"', 'Service "web"', 'Secret "web-tls" (key "tls.crt")']);
      expect(f[2]!.message).toContain("Traefik reads an IngressRoute's TLS secret in the route's namespace");
    });

    it("naming the TLSOption `default` is caught (Traefik registers it as `default`, not `<ns>-default`); not naming it is clean", () => {
      const tlsDefault = res("kubernetes:traefik.io/v1alpha1:TLSOption", "tls-default", { ...m("default", "traefik"), spec: { minVersion: "VersionTLS13" } });
      const spec = { ...good, tls: { secretName: "web-tls", options: { name: "default", namespace: "traefik" } } };
      const f = findings(referencesCheck, [...base, middleware("headers", APP), route(spec)], [tlsDefault]);
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toContain('spec.tls.options refers to the TLSOption "default" (namespace "traefik")');
      expect(f[0]!.message).toContain('resolves to "traefik-default", which does not exist');
      expect(f[0]!.remediation).toMatch(/Remove tls.options/);
      // A TLSOption of another name in the route's namespace resolves.
      const own = res("kubernetes:traefik.io/v1alpha1:TLSOption", "tls13", { ...m("tls13", APP), spec: {} });
      expect(findings(referencesCheck, [...base, middleware("headers", APP), own, route({ ...good, tls: { secretName: "web-tls", options: { name: "tls13" } } })])).toEqual([]);
    });

    it("a weighted canary route resolves both services; a chart-rendered service (kube-prometheus-stack) resolves by its naming", () => {
      const canary = { ...good, routes: [{ ...good.routes[0], services: [{ name: "web", port: 80, weight: 90 }, { name: "web-canary", port: 80, weight: 10 }] }] };
      const f = findings(referencesCheck, [...base, middleware("headers", APP), route(canary)]);
      expect(f.map((x) => x.message)).toEqual([expect.stringContaining('refers to Service "web-canary"')]);
      const kps = res("kubernetes:helm.sh/v3:Release", "kps", { name: "kube-prometheus-stack", chart: "kube-prometheus-stack", namespace: APP, values: { fullnameOverride: "kps", grafana: { fullnameOverride: "grafana" } } });
      const ui = { ...good, routes: [{ ...good.routes[0], services: [{ name: "kps-prometheus", port: 9090 }, { name: "grafana", port: 80 }] }] };
      expect(findings(referencesCheck, [...base, kps, middleware("headers", APP), route(ui)])).toEqual([]);
    });
  });

  describe("cert-manager", () => {
    it("an Issuer is looked up in the Certificate's namespace, a ClusterIssuer cluster-wide", () => {
      const issuer = res("kubernetes:cert-manager.io/v1:Issuer", "ca", { ...m("ca-issuer", INFRA), spec: { ca: { secretName: "ca-key-pair" } } });
      const caCert = res("kubernetes:cert-manager.io/v1:Certificate", "ca", { ...m("ca", INFRA), spec: { isCA: true, secretName: "ca-key-pair", issuerRef: { name: "ca-issuer", kind: "Issuer" } } });
      const f = findings(referencesCheck, [issuer, caCert, certificate({ name: "ca-issuer", kind: "Issuer" }, APP)]);
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toContain('Certificate shop/web-tls spec.issuerRef refers to Issuer "ca-issuer", but no Issuer "ca-issuer" exists in namespace "shop"');
      expect(f[0]!.message).toContain("an Issuer is read in the Certificate's namespace");
      expect(f[0]!.message).toContain("cert-manager would never issue the certificate");
      const cluster = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "prod", { metadata: { name: "letsencrypt-production" }, spec: { acme: {} } });
      expect(findings(referencesCheck, [certificate({ name: "letsencrypt-production", kind: "ClusterIssuer" }, APP)], [cluster])).toEqual([]);
      const staging = findings(referencesCheck, [certificate({ name: "letsencrypt-staging", kind: "ClusterIssuer" }, APP)], [cluster]);
      expect(staging[0]!.message).toContain('refers to ClusterIssuer "letsencrypt-staging", but no ClusterIssuer "letsencrypt-staging" exists cluster-wide');
    });

    it("a Certificate's issuerRef without kind means Issuer; another group (an external issuer) is not checked", () => {
      expect(findings(referencesCheck, [certificate({ name: "x" })])[0]!.message).toContain('refers to Issuer "x"');
      expect(findings(referencesCheck, [certificate({ name: "x", kind: "AWSPCAIssuer", group: "awspca.cert-manager.io" })])).toEqual([]);
    });

    it("a ClusterIssuer's CA Secret is read in cert-manager's cluster resource namespace", () => {
      const cm = res("kubernetes:helm.sh/v3:Release", "cm", { name: "cert-manager", chart: "cert-manager", namespace: "cert-manager", values: {} });
      const ci = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "ca", { metadata: { name: "data-ca" }, spec: { ca: { secretName: "data-ca-key-pair" } } });
      const wrongPlace = res("kubernetes:cert-manager.io/v1:Certificate", "ca-cert", { ...m("data-ca", INFRA), spec: { isCA: true, secretName: "data-ca-key-pair", issuerRef: { name: "self", kind: "ClusterIssuer" } } });
      const self = res("kubernetes:cert-manager.io/v1:ClusterIssuer", "self", { metadata: { name: "self" }, spec: { selfSigned: {} } });
      const f = findings(referencesCheck, [cm, self, wrongPlace, ci]);
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toContain('ClusterIssuer default/data-ca spec.ca.secretName refers to Secret "data-ca-key-pair" (key "tls.key"), but no Secret "data-ca-key-pair" exists in namespace "cert-manager"');
      const rightPlace = res("kubernetes:cert-manager.io/v1:Certificate", "ca-cert", { ...m("data-ca", "cert-manager"), spec: { isCA: true, secretName: "data-ca-key-pair", issuerRef: { name: "self", kind: "ClusterIssuer" } } });
      expect(findings(referencesCheck, [cm, self, rightPlace, ci])).toEqual([]);
    });
  });

  it("a ServiceMonitor's basic-auth Secret and an Ingress's TLS Secret and backend are resolved in their namespace", () => {
    const sm = res("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "sm", {
      ...m("mongodb", INFRA),
      spec: { selector: {}, endpoints: [{ port: "prometheus", basicAuth: { username: { name: "mongodb-metrics", key: "username" }, password: { name: "mongodb-metrics", key: "password" } } }] },
    });
    const f = findings(referencesCheck, [secret("mongodb-metrics", APP, { username: "prometheus", password: "x" }), sm]);
    expect(f).toHaveLength(2);
    expect(f[0]!.message).toContain('ServiceMonitor shop-infra/mongodb spec.endpoints[0].basicAuth.username refers to Secret "mongodb-metrics"');
    expect(findings(referencesCheck, [secret("mongodb-metrics", INFRA, { username: "prometheus", password: "x" }), sm])).toEqual([]);
    const ingress = res("kubernetes:networking.k8s.io/v1:Ingress", "ing", {
      ...m("web", APP),
      spec: { tls: [{ secretName: "web-tls", hosts: ["shop.example.com"] }], rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
    });
    expect(findings(referencesCheck, [ingress]).map((x) => x.message.split(" refers to ")[1]!.split(",")[0])).toEqual(['Secret "web-tls"', 'Service "web"']);
    expect(findings(referencesCheck, [secret("web-tls", APP, { "tls.crt": "x", "tls.key": "y" }), service("web"), ingress])).toEqual([]);
  });
});

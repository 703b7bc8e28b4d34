/**
 * The stateful-kinds contract is one list (model/stateful.ts): what the plan diff flags when it is
 * deleted or replaced, and what prod must protect. It covers every type the stack tests used to
 * list on their own, the operators' data-service CRs, and charts that install a data service.
 */
import { describe, expect, it } from "vitest";
import { statefulKind } from "./stateful";

describe("statefulKind", () => {
  it.each([
    ["gcp:sql/databaseInstance:DatabaseInstance", "database"],
    ["gcp:sql/database:Database", "database"],
    ["gcp:storage/bucket:Bucket", "bucket"],
    ["gcp:kms/keyRing:KeyRing", "encryption key"],
    ["gcp:kms/cryptoKey:CryptoKey", "encryption key"],
    ["gcp:container/cluster:Cluster", "cluster"],
    ["gcp:redis/instance:Instance", "cache"],
    ["gcp:secretmanager/secret:Secret", "secret store"],
    ["kubernetes:core/v1:PersistentVolumeClaim", "volume claim"],
    ["kubernetes:apps/v1:StatefulSet", "StatefulSet"],
  ])("%s holds state (%s)", (type, kind) => {
    expect(statefulKind(type, true)).toBe(kind);
  });

  it.each([
    "kubernetes:kafka.strimzi.io/v1:Kafka",
    "kubernetes:kafka.strimzi.io/v1:KafkaNodePool",
    "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity",
    "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster",
  ])("the data-service CR %s holds state", (type) => {
    expect(statefulKind(type, true)).toMatch(/^data service \(/);
  });

  it("a firm's MariaDB database holds state; its user and grant are identities, recreated without loss", () => {
    expect(statefulKind("kubernetes:k8s.mariadb.com/v1alpha1:Database", true)).toMatch(/^data service \(Database\)$/);
    expect(statefulKind("kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", true)).toMatch(/^data service \(/);
    expect(statefulKind("kubernetes:k8s.mariadb.com/v1alpha1:User", true)).toBeUndefined();
    expect(statefulKind("kubernetes:k8s.mariadb.com/v1alpha1:Grant", true)).toBeUndefined();
    expect(statefulKind("kubernetes:k8s.mariadb.com/v1alpha1:SqlJob", true)).toBeUndefined();
  });

  it("a Helm release of a data-service chart holds state; an operator's chart or another chart does not", () => {
    expect(statefulKind("kubernetes:helm.sh/v3:Release", true, { chart: "bitnami/postgresql" })).toBe("data service (chart bitnami/postgresql)");
    expect(statefulKind("kubernetes:helm.sh/v3:Release", true, { chart: "traefik" })).toBeUndefined();
    for (const chart of ["oci://quay.io/strimzi-helm/strimzi-kafka-operator", "mongodb-kubernetes", "redis-operator"]) {
      expect(statefulKind("kubernetes:helm.sh/v3:Release", true, { chart })).toBeUndefined();
    }
  });

  it("a data service's client kinds (a KafkaUser is an identity) hold none; its topics do", () => {
    expect(statefulKind("kubernetes:kafka.strimzi.io/v1:KafkaUser", true)).toBeUndefined();
    expect(statefulKind("kubernetes:kafka.strimzi.io/v1:KafkaTopic", true)).toBe("data service (KafkaTopic)");
  });

  it("stateless resources, Kubernetes' own API groups and components hold none", () => {
    expect(statefulKind("kubernetes:apps/v1:Deployment", true)).toBeUndefined();
    expect(statefulKind("kubernetes:networking.k8s.io/v1:NetworkPolicy", true)).toBeUndefined();
    expect(statefulKind("gcp:sql/databaseInstance:DatabaseInstance", false)).toBeUndefined();
  });
});

/**
 * create-order: each class of first-deploy ordering defect is caught on a minimal plan, and the
 * waits Pulumi really honours (dependencies, property dependencies, the provider, the parent chain)
 * prove the order.
 */
import { describe, expect, it } from "vitest";
import { createOrderCheck, WaitGraph } from "../../engine/deployability/create-order";
import { UNKNOWN } from "../../engine/evaluate";
import { findings, res } from "./helpers";

const ns = res("kubernetes:core/v1:Namespace", "shop-ns", { metadata: { name: "shop" } });
const cm = (o = {}) => res("kubernetes:core/v1:ConfigMap", "shop-config", { metadata: { name: "config", namespace: "shop" } }, o);

describe("create-order: namespaces", () => {
  it("flags a namespaced object that does not wait for the Namespace this stack creates", () => {
    const f = findings(createOrderCheck, [ns, cm()]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/ConfigMap "shop-config" in namespace "shop" does not wait for Namespace "shop-ns"/);
    expect(f[0]!.remediation).toMatch(/depend on the Namespace/);
  });

  it("accepts the wait through a property dependency, an ancestor component's dependsOn, or an upstream namespace", () => {
    expect(findings(createOrderCheck, [ns, cm({ propertyDependencies: { metadata: [ns] } })])).toEqual([]);
    const comp = res("platform:k8s:App", "app", {}, { dependsOn: [ns] });
    expect(findings(createOrderCheck, [ns, comp, cm({ parent: comp })])).toEqual([]);
    expect(findings(createOrderCheck, [cm()], [ns])).toEqual([]);
  });

  it("counts a dependency on a component as a wait on every custom resource under it", () => {
    const comp = res("platform:k8s:IsolatedNamespace", "shop");
    const nsChild = res("kubernetes:core/v1:Namespace", "shop-ns", { metadata: { name: "shop" } }, { parent: comp });
    expect(findings(createOrderCheck, [comp, nsChild, cm({ dependsOn: [comp] })])).toEqual([]);
  });

  it("treats an unknown namespace as cannot tell", () => {
    const unknownNs = res("kubernetes:core/v1:ConfigMap", "c", { metadata: { name: "c", namespace: UNKNOWN } });
    expect(findings(createOrderCheck, [ns, unknownNs])).toEqual([]);
  });
});

describe("create-order: CRDs", () => {
  const traefik = res("kubernetes:helm.sh/v3:Release", "traefik-release", { chart: "traefik", version: "41.3.0", namespace: "default" });
  const route = (o = {}) => res("kubernetes:traefik.io/v1alpha1:IngressRoute", "route", { metadata: { name: "r", namespace: "default" } }, o);

  it("flags a custom resource created alongside, but not after, the release that ships its CRD", () => {
    const f = findings(createOrderCheck, [traefik, route()]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/IngressRoute "route" \(traefik.io\) does not wait for Release "traefik-release"/);
  });

  it("flags a custom resource whose CRD nothing installs, naming the chart that ships it", () => {
    const f = findings(createOrderCheck, [res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka", { metadata: { namespace: "default" } })]);
    expect(f[0]!.message).toMatch(/neither this stack nor its upstream stack installs the kafka.strimzi.io CRDs .*strimzi-kafka-operator/);
  });

  it("accepts the wait, or an installer in the upstream stack", () => {
    expect(findings(createOrderCheck, [traefik, route({ dependsOn: [traefik] })])).toEqual([]);
    expect(findings(createOrderCheck, [route()], [traefik])).toEqual([]);
  });

  it("knows GKE installs the VPA CRDs only when the cluster's vertical pod autoscaling is on", () => {
    const vpa = res("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler", "web-vpa", { metadata: { namespace: "default" } });
    const cluster = (enabled: boolean) => res("gcp:container/cluster:Cluster", "gke", { verticalPodAutoscaling: { enabled } });
    expect(findings(createOrderCheck, [vpa], [cluster(false)])[0]!.message).toMatch(/neither this stack nor its upstream stack installs the autoscaling.k8s.io CRDs \(installed by: GKE cluster verticalPodAutoscaling.enabled\)/);
    expect(findings(createOrderCheck, [vpa], [cluster(true)])).toEqual([]);
    expect(findings(createOrderCheck, [cluster(true), vpa])[0]!.message).toMatch(/does not wait for Cluster "gke"/);
  });

  it("knows cert-manager installs its CRDs only with crds.enabled", () => {
    const cert = res("kubernetes:cert-manager.io/v1:Certificate", "cert", { metadata: { namespace: "default" } });
    const off = res("kubernetes:helm.sh/v3:Release", "cm", { chart: "cert-manager", namespace: "default", values: {} });
    expect(findings(createOrderCheck, [off, cert])[0]!.message).toMatch(/installs the cert-manager.io CRDs/);
    const on = res("kubernetes:helm.sh/v3:Release", "cm", { chart: "cert-manager", namespace: "default", values: { crds: { enabled: true } } });
    expect(findings(createOrderCheck, [on, cert])[0]!.message).toMatch(/does not wait for Release "cm"/);
  });

  it.each([
    // [group/version, kind, chart, values that turn the CRDs off]
    ["keda.sh/v1alpha1", "ScaledObject", "keda", { crds: { install: false } }],
    ["eventing.keda.sh/v1alpha1", "CloudEventSource", "keda", { crds: { install: false } }],
    ["elasticsearch.k8s.elastic.co/v1", "Elasticsearch", "eck-operator", { installCRDs: false }],
    ["kibana.k8s.elastic.co/v1", "Kibana", "eck-operator", { installCRDs: false }],
    ["postgresql.cnpg.io/v1", "Cluster", "cloudnative-pg", { crds: { create: false } }],
    ["barmancloud.cnpg.io/v1", "ObjectStore", "plugin-barman-cloud", { crds: { create: false } }],
  ])("knows %s %s comes with chart %s by default, and not with %j", (apiVersion, kind, chart, off) => {
    const cr = res(`kubernetes:${apiVersion}:${kind}`, "cr", { metadata: { namespace: "infra" } });
    const release = (values: unknown, extra = {}) => res("kubernetes:helm.sh/v3:Release", "op", { chart, namespace: "ops", values, ...extra });
    expect(findings(createOrderCheck, [release({}), cr])[0]!.message).toMatch(/does not wait for Release "op"/);
    expect(findings(createOrderCheck, [release({}), res(`kubernetes:${apiVersion}:${kind}`, "cr", { metadata: { namespace: "infra" } }, { dependsOn: [release({})] })])).toEqual([]);
    // Rendered from templates/: skipCrds (Helm's crds/ directory only) leaves them on.
    expect(findings(createOrderCheck, [release({}, { skipCrds: true }), cr])[0]!.message).toMatch(/does not wait for Release "op"/);
    expect(findings(createOrderCheck, [release(off), cr])[0]!.message).toMatch(new RegExp(`installs the ${apiVersion.split("/")[0]!.replace(/\./g, "\\.")} CRDs`));
  });

  it("knows the k8s.mariadb.com CRDs come with the mariadb-operator-crds chart, not with the operator's", () => {
    const mdb = res("kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", "shard", { metadata: { namespace: "infra" } });
    const crds = res("kubernetes:helm.sh/v3:Release", "crds", { chart: "oci://ghcr.io/mariadb-operator/charts/mariadb-operator-crds", namespace: "mariadb-operator", values: {}, skipCrds: true });
    const operator = res("kubernetes:helm.sh/v3:Release", "op", { chart: "oci://ghcr.io/mariadb-operator/charts/mariadb-operator", namespace: "mariadb-operator", values: { crds: { enabled: false } } }, { dependsOn: [crds] });
    expect(findings(createOrderCheck, [operator, mdb])[0]!.message).toMatch(/installs the k8s\.mariadb\.com CRDs \(shipped by the mariadb-operator-crds chart/);
    expect(findings(createOrderCheck, [crds, operator, mdb])[0]!.message).toMatch(/does not wait for Release "crds"/);
    // Waiting for the operator's release, which waits for the CRDs' release, is enough.
    const afterOperator = res("kubernetes:k8s.mariadb.com/v1alpha1:MariaDB", "shard", { metadata: { namespace: "infra" } }, { dependsOn: [operator] });
    expect(findings(createOrderCheck, [crds, operator, afterOperator])).toEqual([]);
  });

  it("knows the RabbitMQ chart ships its CRDs in crds/, which skipCrds leaves out", () => {
    const cluster = res("kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "bus", { metadata: { namespace: "infra" } });
    const chart = "oci://ghcr.io/cloudpirates-io/helm-charts/rabbitmq-cluster-operator";
    expect(findings(createOrderCheck, [res("kubernetes:helm.sh/v3:Release", "rmq", { chart, namespace: "rabbitmq-system", values: {} }), cluster])[0]!.message).toMatch(/does not wait for Release "rmq"/);
    expect(findings(createOrderCheck, [res("kubernetes:helm.sh/v3:Release", "rmq", { chart, namespace: "rabbitmq-system", values: {}, skipCrds: true }), cluster])[0]!.message).toMatch(/installs the rabbitmq\.com CRDs/);
  });
});

describe("create-order: GCP APIs", () => {
  const kms = res("gcp:projects/service:Service", "p-cloudkms", { service: "cloudkms.googleapis.com" });
  const keyring = (o = {}) => res("gcp:kms/keyRing:KeyRing", "quickfund-keyring", { location: "europe-west1" }, o);

  it("flags a GCP resource that does not wait for the Service enabling its API", () => {
    const f = findings(createOrderCheck, [kms, keyring()]);
    expect(f[0]!.message).toMatch(/KeyRing "quickfund-keyring" calls cloudkms.googleapis.com but does not wait for Service "p-cloudkms"/);
  });

  it("flags an API the stack never enables when it enables others", () => {
    const f = findings(createOrderCheck, [kms, keyring({ dependsOn: [kms] }), res("gcp:storage/bucket:Bucket", "docs", { location: "EU" }, { dependsOn: [kms] })]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/Bucket "docs" calls storage.googleapis.com, which this stack never enables/);
  });

  it("accepts the wait, an API enabled upstream, or a stack that manages no APIs at all", () => {
    expect(findings(createOrderCheck, [kms, keyring({ dependsOn: [kms] })])).toEqual([]);
    expect(findings(createOrderCheck, [keyring()], [kms])).toEqual([]);
    expect(findings(createOrderCheck, [keyring()])).toEqual([]);
  });

  describe("per project (an env stack in its own project, the cluster's project upstream)", () => {
    const clusterKms = res("gcp:projects/service:Service", "platform-cloudkms", { project: "cluster-project", service: "cloudkms.googleapis.com" });

    it("flags a resource in another project than the one where the upstream stack enabled its API", () => {
      const f = findings(createOrderCheck, [keyring({}), res("gcp:kms/keyRing:KeyRing", "env-keyring", { project: "env-project", location: "europe-west1" })], [clusterKms]);
      expect(f).toHaveLength(1);
      expect(f[0]!.message).toMatch(/KeyRing "env-keyring" calls cloudkms.googleapis.com in project env-project, .* \(it is enabled in cluster-project only: APIs are enabled per project\)/);
      expect(f[0]!.remediation).toMatch(/ProjectServices list of env-project/);
    });

    it("reads the project from the resource's explicit provider when the resource has no project input", () => {
      const provider = res("pulumi:providers:gcp", "gcp", { project: "env-project" });
      const viaProvider = res("gcp:kms/keyRing:KeyRing", "env-keyring", { location: "europe-west1" }, { provider: `${provider.urn}::04da6b54` });
      expect(findings(createOrderCheck, [provider, viaProvider], [clusterKms])[0]!.message).toMatch(/in project env-project/);
      const upstreamProvider = res("pulumi:providers:gcp", "gcp-up", { project: "cluster-project" });
      const viaUpstream = res("gcp:kms/keyRing:KeyRing", "k2", { location: "europe-west1" }, { provider: `${upstreamProvider.urn}::04da6b54` });
      expect(findings(createOrderCheck, [viaUpstream], [upstreamProvider, clusterKms])).toEqual([]);
    });

    it("accepts the API enabled in the resource's own project, and treats an unknown project as any project", () => {
      const envKms = res("gcp:projects/service:Service", "env-cloudkms", { project: "env-project", service: "cloudkms.googleapis.com" });
      const envRing = res("gcp:kms/keyRing:KeyRing", "env-keyring", { project: "env-project", location: "europe-west1" }, { dependsOn: [envKms] });
      expect(findings(createOrderCheck, [envKms, envRing], [clusterKms])).toEqual([]);
      expect(findings(createOrderCheck, [res("gcp:kms/keyRing:KeyRing", "k", { project: UNKNOWN })], [clusterKms])).toEqual([]);
    });
  });
});

describe("create-order: service agents", () => {
  const key = res("gcp:kms/cryptoKey:CryptoKey", "k", {});
  const gcsMember = "serviceAccount:service-123@gs-project-accounts.iam.gserviceaccount.com";
  const grant = (o = {}) => res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "k-gcs", { role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: gcsMember }, o);

  it("flags a grant to the Cloud Storage agent before anything creates it", () => {
    const f = findings(createOrderCheck, [key, grant({ propertyDependencies: { cryptoKeyId: [key] } })]);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/grants serviceAccount:service-123@gs-project-accounts.* \(the Cloud Storage service agent\) but waits for nothing that creates that agent/);
    expect(f[0]!.remediation).toMatch(/ServiceIdentity for storage.googleapis.com/);
  });

  it("accepts the grant once it waits for a ServiceIdentity of that service", () => {
    const id = res("gcp:projects/serviceIdentity:ServiceIdentity", "gcs-agent", { service: "storage.googleapis.com" });
    expect(findings(createOrderCheck, [id, key, grant({ dependsOn: [id] })])).toEqual([]);
    const wrong = res("gcp:projects/serviceIdentity:ServiceIdentity", "sql-agent", { service: "sqladmin.googleapis.com" });
    expect(findings(createOrderCheck, [wrong, key, grant({ dependsOn: [wrong] })])).toHaveLength(1);
  });

  it("accepts the GKE agent after container.googleapis.com is enabled (the API creates it)", () => {
    const container = res("gcp:projects/service:Service", "p-container", { service: "container.googleapis.com" });
    const gke = (o = {}) => res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gke", { member: "serviceAccount:service-9@container-engine-robot.iam.gserviceaccount.com" }, o);
    expect(findings(createOrderCheck, [container, gke({ dependsOn: [container] })]).filter((f) => /agent/.test(f.message))).toEqual([]);
    expect(findings(createOrderCheck, [gke()])[0]!.message).toMatch(/the GKE service agent/);
  });

  it("knows the Memorystore agent (CryptoCare's Redis CMEK) and judges grants spelled iAMMember", () => {
    const redis = res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "cache", { member: "serviceAccount:service-9@cloud-redis.iam.gserviceaccount.com" });
    expect(findings(createOrderCheck, [redis])[0]!.remediation).toMatch(/ServiceIdentity for redis.googleapis.com/);
    const id = res("gcp:projects/serviceIdentity:ServiceIdentity", "redis-agent", { service: "redis.googleapis.com" });
    expect(findings(createOrderCheck, [id, { ...redis, dependencies: [id.urn] }]).filter((f) => /agent/.test(f.message))).toEqual([]);
    // gcp:serviceaccount/iAMMember (a Pub/Sub push account's token creator) was never judged before.
    const tokenCreator = res("gcp:serviceaccount/iAMMember:IAMMember", "push-token", { role: "roles/iam.serviceAccountTokenCreator", member: "serviceAccount:service-9@gcp-sa-pubsub.iam.gserviceaccount.com" });
    expect(findings(createOrderCheck, [tokenCreator])[0]!.remediation).toMatch(/ServiceIdentity for pubsub.googleapis.com/);
  });

  it("maps gcp-sa-* agents to their service", () => {
    const g = res("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "ar", { member: "serviceAccount:service-9@gcp-sa-artifactregistry.iam.gserviceaccount.com" });
    expect(findings(createOrderCheck, [g])[0]!.remediation).toMatch(/ServiceIdentity for artifactregistry.googleapis.com/);
  });
});

describe("WaitGraph", () => {
  it("follows the provider and a custom parent, transitively", () => {
    const cluster = res("gcp:container/cluster:Cluster", "c");
    const provider = res("pulumi:providers:kubernetes", "k8s", {}, { dependsOn: [cluster] });
    const parent = res("kubernetes:core/v1:Namespace", "n", {}, { provider: `${provider.urn}::id` });
    const child = res("kubernetes:core/v1:ConfigMap", "m", {}, { parent });
    const waits = new WaitGraph([cluster, provider, parent, child]).waitsFor(child.urn);
    expect([...waits].sort()).toEqual([cluster.urn, provider.urn, parent.urn].sort());
  });
});

describe("create-order on the real stacks (the issue's first-deploy defects)", () => {
  it("quickfund: the key ring records its wait on cloudkms.googleapis.com, the GCS agent exists before its grant, nothing is flagged", async () => {
    const { previewStack } = await import("../../engine/preview");
    const resources = (await previewStack("quickfund-prod")).evaluation.resources;
    const kms = resources.find((r) => r.type === "gcp:projects/service:Service" && r.inputs.service === "cloudkms.googleapis.com")!;
    expect(resources.find((r) => r.name === "quickfund-keyring")!.dependencies).toContain(kms.urn);
    const gcsGrant = resources.find((r) => r.name === "quickfund-storage-documents-cloud-storage")!;
    const agent = resources.find((r) => r.type === "gcp:projects/serviceIdentity:ServiceIdentity" && r.inputs.service === "storage.googleapis.com")!;
    expect(gcsGrant.dependencies).toContain(agent.urn);
    expect(createOrderCheck.run({ stack: "quickfund-prod", resources, upstream: [] })).toEqual([]);
  }, 60_000);
});

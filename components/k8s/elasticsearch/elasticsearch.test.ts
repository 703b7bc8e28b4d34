import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { validateRecordedResource } from "../../../model/k8s-schema";
import { runPolicyPack } from "../../../engine/policy/run";
import { runProgram } from "../../../tests/harness";
import { configFor, TEST_STACK } from "../../../tests/policies/helpers";
import { appRolesYaml, ElasticsearchCluster, resolveElasticsearchClusterArgs, type ElasticsearchClusterArgs } from "./index";

const base: ElasticsearchClusterArgs = { namespace: "shareyoursales-prod-infra", nodeCount: 3, resourceName: "search" };
const ISSUER = { name: "shareyoursales-prod-data-ca-issuer", kind: "ClusterIssuer" as const };
const ES = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch";
const SECRET = "kubernetes:core/v1:Secret";

async function plan(args: Partial<ElasticsearchClusterArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new ElasticsearchCluster("search", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

function secretAt(p: Plan, namespace: string, name: string) {
  const s = p.ofType(SECRET).find((x) => valueAt(x.inputs, "metadata.namespace") === namespace && valueAt(x.inputs, "metadata.name") === name);
  expect(s, `Secret ${namespace}/${name}`).toBeDefined();
  return s!;
}

describe("ElasticsearchCluster", () => {
  it("creates an ECK Elasticsearch valid against ECK 3.5.0's CRD, pinned to 9.4.3", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      [ES]: 1,
      [SECRET]: 2,
      "random:index/randomPassword:RandomPassword": 1,
      "platform:k8s:ElasticsearchCluster": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    expect(schemaErrors(p)).toEqual([]);
    const es = p.one(ES).inputs;
    expect(valueAt(es, "metadata.name")).toBe("search");
    expect(valueAt(es, "spec.version")).toBe("9.4.3");
    expect(valueAt(es, "spec.image")).toBe("docker.elastic.co/elasticsearch/elasticsearch:9.4.3");
  });

  it("runs nodeCount master+data+ingest nodes on elasticsearch-data claims of the given size and class", async () => {
    for (const nodeCount of [1, 3]) {
      const p = await plan({ nodeCount, storage: { size: "50Gi", storageClassName: "standard-rwo" } });
      const set = (valueAt(p.one(ES).inputs, "spec.nodeSets") as Record<string, unknown>[])[0]!;
      expect(set.count).toBe(nodeCount);
      expect(valueAt(set, "config")).toEqual({ "node.roles": ["master", "data", "ingest"], "node.store.allow_mmap": false });
      expect(valueAt(set, "volumeClaimTemplates")).toEqual([
        { metadata: { name: "elasticsearch-data" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "standard-rwo", resources: { requests: { storage: "50Gi" } } } },
      ]);
    }
    const d = resolveElasticsearchClusterArgs("s", base);
    expect(d.storage).toEqual({ size: "20Gi", storageClassName: "premium-rwo" });
  });

  it("runs the pod under Pod Security restricted with no sysctl init container, sizing the heap from the memory limit", async () => {
    const spec = valueAt((await plan()).one(ES).inputs, "spec.nodeSets[0].podTemplate.spec") as Record<string, unknown>;
    expect(spec.initContainers).toBeUndefined();
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    const [container] = spec.containers as Record<string, unknown>[];
    expect(container!.name).toBe("elasticsearch");
    expect(container!.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container!.resources).toEqual({ requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } });
    // Heap from the limit (Elasticsearch ≥ 7.11): no ES_JAVA_OPTS that could drift from it.
    expect(container!.env).toBeUndefined();
    expect(valueAt(spec, "topologySpreadConstraints[0].labelSelector.matchLabels")).toEqual({ "elasticsearch.k8s.elastic.co/cluster-name": "search" });
  });

  it("keeps ECK's HTTPS with its self-signed CA by default, and serves the issuer's certificate when given", async () => {
    expect(valueAt((await plan()).one(ES).inputs, "spec.http")).toEqual({ tls: { selfSignedCertificate: { disabled: false } } });
    const p = await plan({ tls: { issuer: ISSUER } });
    expect(valueAt(p.one(ES).inputs, "spec.http")).toEqual({ tls: { certificate: { secretName: "search-server-tls" } } });
    const cert = p.one("kubernetes:cert-manager.io/v1:Certificate").inputs;
    expect(valueAt(cert, "spec.issuerRef")).toEqual({ ...ISSUER, group: "cert-manager.io" });
    expect(valueAt(cert, "spec.privateKey.encoding")).toBe("PKCS8");
    expect(valueAt(cert, "spec.dnsNames")).toEqual([
      "search-es-http",
      "search-es-http.shareyoursales-prod-infra",
      "search-es-http.shareyoursales-prod-infra.svc",
      "search-es-http.shareyoursales-prod-infra.svc.cluster.local",
    ]);
    expect(p.one(ES).dependencies).toContain(p.one("kubernetes:cert-manager.io/v1:Certificate").urn);
    expect(schemaErrors(p)).toEqual([]);
  });

  it("gives the app user a generated password in a basic-auth file-realm Secret and a role limited to the app's indices", async () => {
    const p = await plan();
    const es = p.one(ES).inputs;
    expect(valueAt(es, "spec.auth")).toEqual({ fileRealm: [{ secretName: "search-app-filerealm" }], roles: [{ secretName: "search-app-roles" }] });
    const realm = secretAt(p, "shareyoursales-prod-infra", "search-app-filerealm");
    expect(valueAt(realm.inputs, "type")).toBe("kubernetes.io/basic-auth");
    // The generated password makes stringData opaque in the plan: never a literal.
    expect(typeof valueAt(realm.inputs, "stringData.password")).not.toBe("string");
    // Kubernetes Secrets' data is blinded in a plan: the roles file is read from the function that writes it.
    expect(valueAt(secretAt(p, "shareyoursales-prod-infra", "search-app-roles").inputs, "type")).toBe("Opaque");
    const roles = parse(appRolesYaml("app-indices", resolveElasticsearchClusterArgs("s", base).appUser.indices, resolveElasticsearchClusterArgs("s", base).appUser.privileges));
    expect(roles).toEqual({
      "app-indices": {
        cluster: ["monitor"],
        indices: [
          {
            names: ["products", "products-*", "influencers", "influencers-*", "merchants", "merchants-*"],
            privileges: ["read", "write", "create_index", "view_index_metadata", "manage"],
          },
        ],
      },
    });
    expect(p.one(ES).dependencies).toContain(realm.urn);
  });

  it("writes username, password and url to each client namespace", async () => {
    const p = await plan({ tls: { issuer: ISSUER }, appUser: { name: "shareyoursales", clientNamespaces: ["shareyoursales-prod"] } });
    const client = secretAt(p, "shareyoursales-prod", "search-shareyoursales-credentials");
    expect(valueAt(client.inputs, "type")).toBe("Opaque");
    expect(typeof valueAt(client.inputs, "stringData.password")).not.toBe("string");
    const r = resolveElasticsearchClusterArgs("s", { ...base, tls: { issuer: ISSUER }, appUser: { clientNamespaces: ["shareyoursales-prod"] } });
    expect(r.appUser.clientNamespaces).toEqual(["shareyoursales-prod"]);
    expect(p.ofType(SECRET)).toHaveLength(3);
  });

  it("keeps claims on deletion when protected, bounds rolling changes, and leaves ECK's PDB in place", async () => {
    const p = await plan();
    const es = p.one(ES);
    expect(es.options.protect).toBe(true);
    expect(valueAt(es.inputs, "spec.volumeClaimDeletePolicy")).toBe("DeleteOnScaledownOnly");
    expect(valueAt(es.inputs, "spec.updateStrategy")).toEqual({ changeBudget: { maxUnavailable: 1 } });
    // ECK's default budget: no eviction unless green, at most one node otherwise.
    expect(valueAt(es.inputs, "spec.podDisruptionBudget")).toBeUndefined();
    const dev = (await plan({ nodeCount: 1, deletionProtection: false })).one(ES);
    expect(dev.options.protect).toBe(false);
    expect(valueAt(dev.inputs, "spec.volumeClaimDeletePolicy")).toBe("DeleteOnScaledownAndClusterDeletion");
  });

  it("exposes the HTTPS service, port, selector and the CA secret name", async () => {
    let c: ElasticsearchCluster | undefined;
    await runProgram(() => {
      c = new ElasticsearchCluster("search", base, { provider: new k8s.Provider("k8s", {}) });
    });
    const get = <T>(o: { apply: (f: (v: T) => void) => unknown }) => new Promise<T>((res) => o.apply(res));
    expect(await get(c!.httpServiceName)).toBe("search-es-http");
    expect(await get(c!.httpPort)).toBe(9200);
    expect(await get(c!.url)).toBe("https://search-es-http.shareyoursales-prod-infra.svc:9200");
    expect(await get(c!.caSecretName)).toBe("search-es-http-certs-public");
    expect(c!.podSelector).toEqual({ "elasticsearch.k8s.elastic.co/cluster-name": "search" });
  });

  it("refuses two nodes, unsafe change budgets, unpinned or mismatched images and old versions", () => {
    const r = (a: Partial<ElasticsearchClusterArgs>) => () => resolveElasticsearchClusterArgs("s", { ...base, ...a });
    expect(r({ nodeCount: 2 })).toThrow(/nodeCount 2 is refused.*expected 1 \(dev\/rct\) or 3 or more/);
    expect(r({ nodeCount: 0 })).toThrow(/positive integer, got 0/);
    expect(r({ maxUnavailable: 2 })).toThrow(/maxUnavailable must be an integer from 1 to 1 for 3 node\(s\).*got 2/);
    expect(r({ maxUnavailable: 0 })).toThrow(/got 0/);
    expect(resolveElasticsearchClusterArgs("s", { ...base, nodeCount: 5, maxUnavailable: 2 }).maxUnavailable).toBe(2);
    expect(r({ image: "docker.elastic.co/elasticsearch/elasticsearch" })).toThrow(/is not pinned/);
    expect(r({ image: "docker.elastic.co/elasticsearch/elasticsearch:9.3.0" })).toThrow(/image tag "9.3.0" differs from version "9.4.3"/);
    expect(r({ version: "8.7.1" })).toThrow(/8\.8\.0 or later/);
    expect(r({ version: "9.4" })).toThrow(/full x\.y\.z/);
    expect(r({ resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "1", memory: "2Gi" } } })).toThrow(/limits\.memory \(2Gi\) is below/);
  });

  it("refuses client namespaces without a ClusterIssuer, wildcard indices and the all privilege", () => {
    const r = (a: Partial<ElasticsearchClusterArgs>) => () => resolveElasticsearchClusterArgs("s", { ...base, ...a });
    expect(r({ appUser: { clientNamespaces: ["shareyoursales-prod"] } })).toThrow(/needs tls.issuer of kind ClusterIssuer, got no issuer.*search-es-http-certs-public/);
    expect(r({ tls: { issuer: { name: "x" } }, appUser: { clientNamespaces: ["shareyoursales-prod"] } })).toThrow(/got kind Issuer/);
    expect(r({ tls: { issuer: ISSUER }, appUser: { clientNamespaces: ["shareyoursales-prod-infra"] } })).toThrow(/cluster's own namespace/);
    expect(r({ appUser: { indices: ["*"] } })).toThrow(/not a literal index name/);
    expect(r({ appUser: { indices: [] } })).toThrow(/grant nothing/);
    expect(r({ appUser: { privileges: ["all"] } })).toThrow(/"all" is refused/);
    expect(r({ appUser: { privileges: ["superuser"] } })).toThrow(/not an Elasticsearch index privilege/);
    expect(r({ appUser: { name: "elastic" } })).toThrow(/reserved by ECK/);
  });

  it("passes the whole policy pack as a prod data service with 3 nodes; 1 node is flagged in prod", async () => {
    const pack = async (nodeCount: number) => {
      const { plan } = await runProgram(
        () => new ElasticsearchCluster("search", { ...base, nodeCount, tls: { issuer: ISSUER }, appUser: { clientNamespaces: ["shareyoursales-prod"] } }, { provider: new k8s.Provider("k8s", {}) }),
        { stack: TEST_STACK },
      );
      const run = await runPolicyPack({ stack: TEST_STACK, resources: [...plan.resources], config: configFor() });
      return run.diagnostics.map((d) => d.diagnostic.policyName);
    };
    expect(await pack(3)).toEqual([]);
    expect(await pack(1)).toEqual(["k8s-data-service-require-replicas"]);
  });
});

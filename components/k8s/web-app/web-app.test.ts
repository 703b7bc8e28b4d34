import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { ComponentArgsError } from "../../common/conventions";
import { WebApp, resolveWebAppArgs, type WebAppArgs } from "./index";
import { isPinnedImage } from "../../../model/images";

const base: WebAppArgs = { namespace: "diaspomoney-prod", image: "europe-west1-docker.pkg.dev/dm/apps/web:1.4.2", replicas: 5 };
const ingress = { host: "app.diaspomoney.fr", issuer: { name: "letsencrypt-prod" } };

async function plan(args: Partial<WebAppArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new WebApp("web", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

describe("WebApp", () => {
  it("creates the deployment set, all with the explicit provider and valid against upstream schemas", async () => {
    const p = await plan({ ingress });
    expect(p.counts()).toEqual({
      "kubernetes:apps/v1:Deployment": 1,
      "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": 1,
      "kubernetes:cert-manager.io/v1:Certificate": 1,
      "kubernetes:core/v1:Service": 1,
      "kubernetes:core/v1:ServiceAccount": 1,
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": 1,
      "kubernetes:policy/v1:PodDisruptionBudget": 1,
      "kubernetes:traefik.io/v1alpha1:IngressRoute": 1,
      "kubernetes:traefik.io/v1alpha1:Middleware": 1,
      "platform:k8s:WebApp": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    const component = p.one("platform:k8s:WebApp");
    for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(r.parent, r.name).toBe(component.urn);
      expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes::k8s::/);
      expect(r.name.startsWith("web-"), r.name).toBe(true);
    }
    expect(schemaErrors(p)).toEqual([]);
  });

  it("runs the document's replicas with an HPA from replicas to max on the 70% CPU target", async () => {
    const p = await plan({ autoscaling: { maxReplicas: 12 } });
    expect(valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.replicas")).toBe(5);
    const hpa = p.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs;
    expect(valueAt(hpa, "spec.minReplicas")).toBe(5);
    expect(valueAt(hpa, "spec.maxReplicas")).toBe(12);
    expect(valueAt(hpa, "spec.metrics[0].resource.target")).toEqual({ type: "Utilization", averageUtilization: 70 });
    expect(valueAt(hpa, "spec.scaleTargetRef.name")).toBe("web");
    // The HPA owns the replica count after creation.
    expect(p.one("kubernetes:apps/v1:Deployment").options.ignoreChanges).toEqual(["spec.replicas"]);
  });

  it("defaults maxReplicas to twice the replicas", () => {
    expect(resolveWebAppArgs("web", base).autoscaling).toEqual({ minReplicas: 5, maxReplicas: 10, targetCpuUtilizationPercent: 70 });
  });

  it("applies the restricted security context, a read-only root filesystem with writable emptyDirs, probes and resources", async () => {
    const d = (await plan()).one("kubernetes:apps/v1:Deployment").inputs;
    const pod = valueAt(d, "spec.template.spec") as Record<string, unknown>;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = valueAt(d, "spec.template.spec.containers[0]") as Record<string, unknown>;
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect((c.volumeMounts as { mountPath: string }[]).map((m) => m.mountPath)).toEqual(["/tmp", "/app/.next/cache"]);
    expect((pod.volumes as { emptyDir?: unknown }[]).every((v) => v.emptyDir)).toBe(true);
    expect(valueAt(c, "readinessProbe.httpGet.path")).toBe("/api/health");
    expect(valueAt(c, "livenessProbe.httpGet.path")).toBe("/api/health");
    expect(valueAt(c, "resources.requests.cpu")).toBe("250m");
    expect(valueAt(c, "resources.limits.memory")).toBe("512Mi");
    expect(valueAt(d, "spec.strategy.rollingUpdate.maxUnavailable")).toBe(0);
    const spread = pod.topologySpreadConstraints as { topologyKey: string; whenUnsatisfiable: string }[];
    expect(spread.find((s) => s.topologyKey === "topology.kubernetes.io/zone")?.whenUnsatisfiable).toBe("DoNotSchedule");
  });

  it("waives the read-only root filesystem only with a reason, recorded on the pod", async () => {
    const d = (await plan({ writableRootFilesystemReason: "legacy image writes its build id at start" })).one("kubernetes:apps/v1:Deployment").inputs;
    expect(valueAt(d, "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem")).toBe(false);
    expect(valueAt(d, "spec.template.metadata.annotations")).toEqual({ "platform.diaspomoney.fr/waiver-writable-root-filesystem": "legacy image writes its build id at start" });
    expect(() => resolveWebAppArgs("web", { ...base, writableRootFilesystemReason: "" })).toThrow(/must explain/);
  });

  it("passes sensitive values only through secretKeyRef", async () => {
    const d = (await plan({ env: { NODE_ENV: "production" }, secretEnv: { MONGODB_URI: { secretName: "mongodb-admin-app", key: "connectionString.standardSrv" } } }))
      .one("kubernetes:apps/v1:Deployment").inputs;
    expect(valueAt(d, "spec.template.spec.containers[0].env")).toEqual([
      { name: "NODE_ENV", value: "production" },
      { name: "MONGODB_URI", valueFrom: { secretKeyRef: { name: "mongodb-admin-app", key: "connectionString.standardSrv" } } },
    ]);
    for (const key of ["DB_PASSWORD", "JWT_SECRET", "STRIPE_API_KEY", "MONGODB_URI", "AUTH_TOKEN"]) {
      expect(() => resolveWebAppArgs("web", { ...base, env: { [key]: "x" } }), key).toThrow(ComponentArgsError);
    }
  });

  it("refuses unpinned images loudly", () => {
    for (const image of ["nginx", "nginx:latest", "registry.example.com:5000/web", "europe-west1-docker.pkg.dev/dm/apps/web:latest"]) {
      expect(isPinnedImage(image), image).toBe(false);
      expect(() => resolveWebAppArgs("web", { ...base, image }), image).toThrow(/platform:k8s:WebApp "web": image .* is not pinned/);
    }
    expect(isPinnedImage("registry.example.com:5000/web:1.2.3")).toBe(true);
    expect(isPinnedImage(`web@sha256:${"a".repeat(64)}`)).toBe(true);
  });

  it("refuses an HPA maximum below the replicas and limits below requests", () => {
    expect(() => resolveWebAppArgs("web", { ...base, autoscaling: { maxReplicas: 3 } })).toThrow(/maxReplicas \(3\) is below replicas \(5\)/);
    expect(() => resolveWebAppArgs("web", { ...base, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "500m", memory: "1Gi" } } })).toThrow(/limits.cpu/);
  });

  it("scrapes the metrics path and keeps it off the public route", async () => {
    const p = await plan({ ingress, metrics: { labels: { release: "kube-prometheus-stack" } } });
    const sm = p.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").inputs;
    expect(valueAt(sm, "spec.endpoints[0]")).toMatchObject({ port: "http", path: "/api/monitoring/metrics" });
    expect(valueAt(sm, "metadata.labels.release")).toBe("kube-prometheus-stack");
    const route = p.one("kubernetes:traefik.io/v1alpha1:IngressRoute").inputs;
    expect(valueAt(route, "spec.entryPoints")).toEqual(["websecure"]);
    expect(valueAt(route, "spec.routes[0].match")).toBe("Host(`app.diaspomoney.fr`) && !PathPrefix(`/api/monitoring/metrics`)");
    // Its own security-headers Middleware, in the route's namespace; no TLS option named (Traefik's `default` applies).
    expect(valueAt(route, "spec.routes[0].middlewares")).toEqual([{ name: "web-security-headers" }]);
    expect(valueAt(route, "spec.tls")).toEqual({ secretName: "web-tls" });
    const mw = p.one("kubernetes:traefik.io/v1alpha1:Middleware").inputs;
    expect(valueAt(mw, "metadata")).toMatchObject({ name: "web-security-headers", namespace: "diaspomoney-prod" });
    expect(valueAt(mw, "spec.headers")).toMatchObject({ stsSeconds: 31536000, frameDeny: true, contentTypeNosniff: true });
    const cert = p.one("kubernetes:cert-manager.io/v1:Certificate").inputs;
    expect(valueAt(cert, "spec.dnsNames")).toEqual(["app.diaspomoney.fr"]);
    expect(valueAt(cert, "spec.issuerRef")).toEqual({ name: "letsencrypt-prod", kind: "ClusterIssuer", group: "cert-manager.io" });
  });

  it("has no public route without ingress args", async () => {
    const p = await plan();
    expect(p.ofType("kubernetes:traefik.io/v1alpha1:IngressRoute")).toHaveLength(0);
    expect(p.ofType("kubernetes:cert-manager.io/v1:Certificate")).toHaveLength(0);
    expect(valueAt(p.one("kubernetes:core/v1:Service").inputs, "spec.type")).toBe("ClusterIP");
  });

  it("uses a named Middleware and TLSOption instead when given", async () => {
    const p = await plan({ ingress: { ...ingress, tlsOption: { name: "tls13" }, securityHeadersMiddleware: { name: "headers" } } });
    expect(p.ofType("kubernetes:traefik.io/v1alpha1:Middleware")).toHaveLength(0);
    const route = p.one("kubernetes:traefik.io/v1alpha1:IngressRoute").inputs;
    expect(valueAt(route, "spec.routes[0].middlewares")).toEqual([{ name: "headers" }]);
    expect(valueAt(route, "spec.tls.options")).toEqual({ name: "tls13" });
  });

  it("has no VPA by default; asked for, one that only recommends, over the stable Deployment, valid against the vendored CRD", async () => {
    expect((await plan()).ofType("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler")).toEqual([]);
    const p = await plan({ verticalPodAutoscaler: true });
    const vpa = p.one("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler", "web-vpa").inputs;
    expect(valueAt(vpa, "spec.updatePolicy.updateMode")).toBe("Off");
    expect(valueAt(vpa, "spec.targetRef")).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment" });
    expect(validateRecordedResource(p.one("kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler", "web-vpa"))?.valid).toBe(true);
    expect(schemaErrors(p)).toEqual([]);
  });

  it("has no canary by default; a canary is a second Deployment and Service the route weighs against the stable one", async () => {
    const stable = await plan({ ingress });
    expect(stable.ofType("kubernetes:apps/v1:Deployment")).toHaveLength(1);
    expect(valueAt(stable.one("kubernetes:traefik.io/v1alpha1:IngressRoute").inputs, "spec.routes[0].services")).toEqual([{ kind: "Service", name: "web", port: "http" }]);
    const p = await plan({ ingress, canary: { image: "europe-west1-docker.pkg.dev/dm/apps/web:1.5.0", weightPercent: 10 } });
    const canary = p.one("kubernetes:apps/v1:Deployment", "web-canary-deployment").inputs;
    expect(valueAt(canary, "spec.template.spec.containers[0].image")).toBe("europe-west1-docker.pkg.dev/dm/apps/web:1.5.0");
    expect(valueAt(canary, "spec.selector.matchLabels")).toMatchObject({ "app.platform/track": "canary" });
    expect(valueAt(p.one("kubernetes:apps/v1:Deployment", "web-deployment").inputs, "spec.selector.matchLabels")).toMatchObject({ "app.platform/track": "stable" });
    expect(valueAt(p.one("kubernetes:core/v1:Service", "web-service").inputs, "spec.selector")).toMatchObject({ "app.platform/track": "stable" });
    expect(valueAt(p.one("kubernetes:traefik.io/v1alpha1:IngressRoute").inputs, "spec.routes[0].services")).toEqual([
      { kind: "Service", name: "web", port: "http", weight: 90 },
      { kind: "Service", name: "web-canary", port: "http", weight: 10 },
    ]);
    expect(schemaErrors(p)).toEqual([]);
    expect(() => resolveWebAppArgs("web", { ...base, ingress, canary: { image: "web:1.5.0", weightPercent: 101 } })).toThrow(/weightPercent/);
    expect(() => resolveWebAppArgs("web", { ...base, canary: { image: "web:1.5.0", weightPercent: 10 } })).toThrow(/needs ingress/);
  });

  it("passes values the stack holds as secrets through a Secret of its own, and mounts only the CA certificate it trusts", async () => {
    const p = await plan({ secretValues: { SENTRY_DSN: "https://key@o1.ingest.sentry.io/1" }, trustedCa: { secretName: "data-ca-trust" } });
    const envSecret = p.one("kubernetes:core/v1:Secret");
    expect(valueAt(envSecret.inputs, "metadata.name")).toBe("web-env");
    expect(JSON.stringify(envSecret.inputs)).not.toContain("o1.ingest.sentry.io");
    const c = valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec.containers[0]") as Record<string, unknown[]>;
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: "SENTRY_DSN", valueFrom: { secretKeyRef: { name: "web-env", key: "SENTRY_DSN" } } },
        { name: "NODE_EXTRA_CA_CERTS", value: "/etc/platform-ca/ca.crt" },
      ]),
    );
    expect(c.volumeMounts).toContainEqual({ name: "trusted-ca", mountPath: "/etc/platform-ca", readOnly: true });
    expect(valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec.volumes")).toContainEqual({
      name: "trusted-ca",
      secret: { secretName: "data-ca-trust", items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
    expect((await plan()).ofType("kubernetes:core/v1:Secret")).toHaveLength(0);
  });
});

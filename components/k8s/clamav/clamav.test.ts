import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { validateRecordedResource } from "../../../model/k8s-schema";
import type { Plan } from "../../../engine/plan";
import { valueAt } from "../../../engine/plan";
import { runPolicyPack } from "../../../engine/policy/run";
import { runProgram } from "../../../tests/harness";
import { isPinnedImage } from "../../../model/images";
import { ComponentArgsError } from "../../common/conventions";
import { parseQuantity } from "../common/pod-security";
import { resolveNetworkFlowsArgs } from "../network-flows";
import { CLAMAV_IMAGE, CLAMD_PORT, ClamavScanner, clamavFlows, clamdConf, freshclamConf, freshnessCheck, resolveClamavScannerArgs, type ClamavScannerArgs } from "./index";

const base: ClamavScannerArgs = { namespace: "shareyoursales-prod" };

async function plan(args: Partial<ClamavScannerArgs> = {}): Promise<Plan> {
  const { plan } = await runProgram(() => {
    const provider = new k8s.Provider("k8s", {});
    new ClamavScanner("clamav", { ...base, ...args }, { provider });
  });
  return plan;
}

function schemaErrors(p: Plan): string[] {
  return p.resources.flatMap((r) => {
    const v = validateRecordedResource(r);
    return v && !v.valid ? v.errors.map((e) => `${r.type}::${r.name} ${e}`) : [];
  });
}

type Container = Record<string, unknown> & { name: string };
const containers = (p: Plan, field = "containers") => valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, `spec.template.spec.${field}`) as Container[];
const container = (p: Plan, name: string) => [...containers(p), ...containers(p, "initContainers")].find((c) => c.name === name)!;

describe("ClamavScanner", () => {
  it("creates clamd + freshclam, an internal Service, a PDB, all valid against the Kubernetes schemas", async () => {
    const p = await plan();
    expect(p.counts()).toEqual({
      "kubernetes:apps/v1:Deployment": 1,
      "kubernetes:core/v1:ConfigMap": 1,
      "kubernetes:core/v1:Service": 1,
      "kubernetes:core/v1:ServiceAccount": 1,
      "kubernetes:policy/v1:PodDisruptionBudget": 1,
      "platform:k8s:ClamavScanner": 1,
      "pulumi:providers:kubernetes": 1,
      "pulumi:pulumi:Stack": 1,
    });
    expect(schemaErrors(p)).toEqual([]);
    const component = p.one("platform:k8s:ClamavScanner");
    for (const r of p.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(r.parent, r.name).toBe(component.urn);
      expect(r.name.startsWith("clamav-"), r.name).toBe(true);
    }
  });

  it("serves clamd on TCP 3310 through a ClusterIP Service only", async () => {
    const p = await plan();
    const svc = p.one("kubernetes:core/v1:Service").inputs;
    expect(valueAt(svc, "spec.type")).toBe("ClusterIP");
    expect(valueAt(svc, "spec.ports")).toEqual([{ name: "clamd", port: 3310, targetPort: "clamd", protocol: "TCP" }]);
    expect(CLAMD_PORT).toBe(3310);
    expect(p.resources.some((r) => /Ingress|IngressRoute/.test(r.type))).toBe(false);
    expect(container(p, "clamd").ports).toEqual([{ name: "clamd", containerPort: 3310, protocol: "TCP" }]);
  });

  it("runs 2 replicas by default behind a PDB, with the pinned official image", async () => {
    const p = await plan();
    expect(valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.replicas")).toBe(2);
    expect(valueAt(p.one("kubernetes:policy/v1:PodDisruptionBudget").inputs, "spec.maxUnavailable")).toBe(1);
    expect(CLAMAV_IMAGE).toMatch(/^docker\.io\/clamav\/clamav:\d+\.\d+\.\d+$/);
    expect(isPinnedImage(CLAMAV_IMAGE)).toBe(true);
    for (const c of [...containers(p), ...containers(p, "initContainers")]) expect(c.image, c.name).toBe(CLAMAV_IMAGE);
    expect(valueAt((await plan({ replicas: 1 })).one("kubernetes:apps/v1:Deployment").inputs, "spec.replicas")).toBe(1);
  });

  it("is ready only when clamd answers PING on its port; liveness asks only that the port accept", async () => {
    const clamd = container(await plan(), "clamd");
    expect(valueAt(clamd, "readinessProbe.exec.command")).toEqual(["/usr/local/bin/clamdcheck.sh"]);
    expect(valueAt(clamd, "startupProbe.exec.command")).toEqual(["/usr/local/bin/clamdcheck.sh"]);
    // Loading the signatures takes minutes on a small CPU share: the startup probe allows 6 (the image's own start period).
    expect((valueAt(clamd, "startupProbe.periodSeconds") as number) * (valueAt(clamd, "startupProbe.failureThreshold") as number)).toBe(360);
    expect(valueAt(clamd, "livenessProbe.tcpSocket.port")).toBe("clamd");
  });

  it("sets honest memory: the limit holds two signature sets during a concurrent reload", async () => {
    const p = await plan();
    const clamd = container(p, "clamd");
    expect(clamd.resources).toEqual({ requests: { cpu: "500m", memory: "1536Mi" }, limits: { cpu: "2", memory: "3Gi" } });
    expect(container(p, "freshclam").resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
    expect(clamdConf(resolveClamavScannerArgs("c", base))).toMatch(/^ConcurrentDatabaseReload yes$/m);
    // Half the memory is allowed when reloads block instead.
    const r = resolveClamavScannerArgs("c", {
      ...base,
      concurrentDatabaseReload: false,
      clamdResources: { requests: { cpu: "500m", memory: "1536Mi" }, limits: { memory: "1536Mi" } },
      freshclamResources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
    });
    expect(clamdConf(r)).toMatch(/^ConcurrentDatabaseReload no$/m);
    // clamd then drops its set before loading the new one: freshclam tests the set first.
    expect(freshclamConf(r)).toMatch(/^TestDatabases yes$/m);
    expect(freshclamConf(resolveClamavScannerArgs("c", base))).toMatch(/^TestDatabases no$/m);
    expect(() => resolveClamavScannerArgs("c", { ...base, concurrentDatabaseReload: false, clamdResources: r.clamdResources })).toThrow(
      /freshclamResources.limits.memory must be at least 1280Mi without concurrentDatabaseReload .* got 512Mi/,
    );
    expect(parseQuantity(r.clamdResources.limits.memory)).toBe(1536 * 1024 ** 2);
  });

  it("runs restricted as the image's clamav user, with writable paths only on emptyDirs", async () => {
    const p = await plan();
    const pod = valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.spec") as Record<string, unknown>;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, fsGroup: 101, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of [...containers(p), ...containers(p, "initContainers")]) {
      expect(valueAt(c, "securityContext.readOnlyRootFilesystem"), c.name).toBe(true);
      expect(valueAt(c, "securityContext.allowPrivilegeEscalation"), c.name).toBe(false);
    }
    expect(pod.volumes).toEqual([
      { name: "config", configMap: { name: "clamav-config" } },
      { name: "db", emptyDir: { sizeLimit: "1Gi" } },
      { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
    ]);
  });

  it("keeps the signatures fresh: seeded from the image, freshclam daemon notifying clamd, mirror and check rate from args", async () => {
    const p = await plan({ freshclamChecksPerDay: 24, databaseMirror: "clamav-mirror.example.org" });
    expect(valueAt(container(p, "seed-databases"), "args[0]")).toMatch(/cp -R \/var\/lib\/clamav\/\. \/var\/lib\/clamav-db\//);
    expect(container(p, "freshclam").command).toEqual(["freshclam", "--daemon", "--foreground", "--stdout", "--config-file=/etc/clamav-platform/freshclam.conf"]);
    const conf = valueAt(p.one("kubernetes:core/v1:ConfigMap").inputs, "data") as Record<string, string>;
    expect(conf["freshclam.conf"]).toMatch(/^DatabaseMirror clamav-mirror\.example\.org$/m);
    expect(conf["freshclam.conf"]).toMatch(/^Checks 24$/m);
    expect(conf["freshclam.conf"]).toMatch(/^NotifyClamd \/etc\/clamav-platform\/clamd\.conf$/m);
    expect(conf["freshclam.conf"]).toMatch(/^DatabaseDirectory \/var\/lib\/clamav-db$/m);
    expect(conf["clamd.conf"]).toMatch(/^DatabaseDirectory \/var\/lib\/clamav-db$/m);
    expect(conf["clamd.conf"]).toMatch(/^LocalSocket \/tmp\/clamd\.sock$/m);
    expect(freshclamConf(resolveClamavScannerArgs("c", base))).toMatch(/^DatabaseMirror database\.clamav\.net$/m);
  });

  it("caps streams at the document's 5 MB upload limit and rolls the pods when the config changes", async () => {
    expect(clamdConf(resolveClamavScannerArgs("c", base))).toMatch(/^StreamMaxLength 5M$/m);
    expect(clamdConf(resolveClamavScannerArgs("c", base))).toMatch(/^TCPSocket 3310$/m);
    const hash = (p: Plan) => valueAt(p.one("kubernetes:apps/v1:Deployment").inputs, "spec.template.metadata.annotations") as Record<string, string>;
    expect(hash(await plan())["platform/config-hash"]).not.toBe(hash(await plan({ streamMaxLengthMb: 25 }))["platform/config-hash"]);
  });

  it("passes the policy pack's workload rules as a prod stack would judge them; freshclam has probes too", async () => {
    const p = await plan();
    const run = await runPolicyPack({ stack: "diaspomoney-prod", resources: [...p.resources] });
    const mine = run.results.filter((x) => x.urn && p.resources.some((r) => r.urn === x.urn));
    expect(mine.map((x) => `${x.policy}: ${x.message}`)).toEqual([]);
    const freshclam = container(p, "freshclam");
    expect(valueAt(freshclam, "livenessProbe.exec.command[2]")).toBe(freshnessCheck(48));
    expect(freshnessCheck(48)).toContain("-lt 172800");
    expect(valueAt(freshclam, "readinessProbe.exec.command[2]")).toMatch(/daily\.cld .*daily\.cvd/);
    // The check bites: without the sidecar's probes, prod refuses the Deployment.
    delete container(p, "freshclam").readinessProbe;
    const again = await runPolicyPack({ stack: "diaspomoney-prod", resources: [...p.resources] });
    expect(again.results.map((x) => x.policy)).toContain("k8s-core-container-require-probes");
  });

  it("states its flows for NetworkFlows: clients to 3310, the scanner to the mirror on 443 (never to private ranges)", () => {
    const flows = clamavFlows("shareyoursales-prod", "clamav", [{ namespace: "shareyoursales-prod", podSelector: { matchLabels: { app: "product" } } }]);
    expect(flows).toEqual([
      {
        name: "clamav-scan-1",
        from: { namespace: "shareyoursales-prod", podSelector: { matchLabels: { app: "product" } } },
        to: { namespace: "shareyoursales-prod", podSelector: { matchLabels: { "app.kubernetes.io/name": "clamav", "app.kubernetes.io/component": "antivirus" } } },
        ports: [{ port: 3310 }],
      },
      {
        name: "clamav-mirror",
        from: { namespace: "shareyoursales-prod", podSelector: { matchLabels: { "app.kubernetes.io/name": "clamav", "app.kubernetes.io/component": "antivirus" } } },
        to: { cidrs: ["0.0.0.0/0"], except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"] },
        ports: [{ port: 443 }],
      },
    ]);
    // NetworkFlows accepts them as they are.
    expect(() => resolveNetworkFlowsArgs("flows", { flows })).not.toThrow();
  });

  it("refuses arguments that would not run or not scan, naming what was expected and what was given", () => {
    const bad: [Partial<ClamavScannerArgs>, RegExp][] = [
      [{ image: "clamav/clamav:latest" }, /image .* is not pinned/],
      [{ image: "clamav/clamav" }, /image .* is not pinned/],
      [{ replicas: 0 }, /replicas must be a positive integer, got 0/],
      [{ clamdResources: { requests: { cpu: "500m", memory: "1536Mi" }, limits: { memory: "2Gi" } } }, /limits.memory must be at least 2560Mi \(two signature sets during a concurrent reload\), got 2Gi/],
      [{ clamdResources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "3Gi" } } }, /requests.memory must be at least 1280Mi .* got 512Mi/],
      [{ freshclamResources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "128Mi" } } }, /freshclamResources.limits.memory \(128Mi\) is below/],
      [{ streamMaxLengthMb: 0 }, /streamMaxLengthMb must be an integer from 1 to 4095.*got 0/],
      [{ maxThreads: 0 }, /maxThreads must be an integer from 1 to 64, got 0/],
      [{ freshclamChecksPerDay: 48 }, /at most one check per hour\), got 48/],
      [{ databaseMirror: "https://database.clamav.net" }, /databaseMirror must be a host name .* got "https:\/\/database.clamav.net"/],
      [{ databaseSizeLimit: "100Mi" }, /databaseSizeLimit must be a quantity of at least 512Mi .* got "100Mi"/],
      [{ scratchSizeLimit: "lots" }, /scratchSizeLimit must be a Kubernetes quantity, got "lots"/],
    ];
    for (const [args, message] of bad) {
      expect(() => resolveClamavScannerArgs("c", { ...base, ...args }), JSON.stringify(args)).toThrow(ComponentArgsError);
      expect(() => resolveClamavScannerArgs("c", { ...base, ...args }), JSON.stringify(args)).toThrow(message);
    }
  });
});

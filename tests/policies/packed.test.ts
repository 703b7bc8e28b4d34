/**
 * The pack runs on its own, as `pulumi policy publish` ships it: `npm pack` in policies/ alone
 * (its `prepack` bundles the rules and the model code they import, policies/build.ts), unpacked
 * into a fresh directory whose node_modules holds only the dependencies policies/package.json
 * declares (symlinks into the root's node_modules: a package it forgot to declare cannot be
 * found). Started there through its own entry.js, as the CLI starts it, it must catch real
 * violations over gRPC: a fact rule citing its document, the schema validator on a built-in kind
 * (kubernetes-models) and on a custom resource (the vendored CRDs), and a stack rule.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedResource } from "../../model/plan-values";
import { toAnalyzerWire } from "../../engine/policy/wire";
import { PROJECT_ROOT } from "../../engine/project";
import { packageOf, RUNTIME_DEPENDENCIES } from "../../policies/build";
import { analyzerClient, configureRequest, proto, Struct } from "./analyzer-grpc";
import { configFor, mutate } from "./helpers";
import { sqlInstance } from "./specs/gcp";
import { deployment, dumpBucket, dumpJob, mongoCr } from "./specs/kubernetes";


/* eslint-disable @typescript-eslint/no-explicit-any -- the gRPC stubs are untyped */
const POLICIES = join(PROJECT_ROOT, "policies");
const RETENTION_SOURCE = 'diaspomoney.md § Backup ("MongoDB - Backup quotidien")';

let work: string;
let packDir: string;
let server: ChildProcess | undefined;
let client: any;
let serverLog = "";

function declared(): Record<string, string> {
  return (JSON.parse(readFileSync(join(POLICIES, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies;
}

let call: <T>(method: string, req: unknown) => Promise<T>;

function messages(resp: any): { policy: string; message: string }[] {
  return resp.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage() }));
}

async function analyze(r: RecordedResource) {
  const req = new proto.AnalyzeRequest();
  req.setType(r.type);
  req.setProperties(Struct.fromJavaScript(toAnalyzerWire(r.inputs)));
  req.setUrn(r.urn);
  req.setName(r.name);
  req.setOptions(new proto.AnalyzerResourceOptions());
  return messages(await call("analyze", req));
}

async function analyzeStack(resources: RecordedResource[]) {
  const req = new proto.AnalyzeStackRequest();
  req.setResourcesList(
    resources.map((r) => {
      const ar = new proto.AnalyzerResource();
      ar.setType(r.type);
      ar.setProperties(Struct.fromJavaScript(toAnalyzerWire(r.inputs)));
      ar.setUrn(r.urn);
      ar.setName(r.name);
      ar.setOptions(new proto.AnalyzerResourceOptions());
      return ar;
    }),
  );
  return messages(await call("analyzeStack", req));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "policy-pack-"));
  // The real publish path: npm pack runs prepack (the bundle), then packs package.json `files`.
  execFileSync("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: POLICIES, stdio: ["ignore", "ignore", "pipe"] });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
  execFileSync("tar", ["xzf", join(work, tarball), "-C", work]);
  packDir = join(work, "package");
  for (const dep of Object.keys(declared())) {
    mkdirSync(dirname(join(packDir, "node_modules", dep)), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, "node_modules", dep), join(packDir, "node_modules", dep), "dir");
  }
  const port = await new Promise<string>((resolve, reject) => {
    server = spawn(process.execPath, ["entry.js"], { cwd: packDir, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (b: Buffer) => {
      serverLog += b.toString();
      const m = /^(\d+)\s*$/m.exec(serverLog);
      if (m) resolve(m[1]);
    });
    server.stderr!.on("data", (b: Buffer) => (serverLog += b.toString()));
    server.on("exit", (code) => reject(new Error(`the packed pack exited (${code}) before serving:\n${serverLog}`)));
  });
  ({ client, call } = analyzerClient(port));
  // Every policy mandatory with the prod facts, the retention figure citing its document.
  const config = configFor({ sources: { minBackupRetentionDays: RETENTION_SOURCE } });
  await call("configure", configureRequest(config));
}, 120_000);

afterAll(() => {
  client?.close();
  server?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the policy pack packed alone", () => {
  it("ships the bundle, the vendored CRDs and its manifest, and no TypeScript", () => {
    const files = execFileSync("find", [".", "-path", "./node_modules", "-prune", "-o", "-type", "f", "-print"], { cwd: packDir, encoding: "utf8" }).split("\n").filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(["./entry.js", "./PulumiPolicy.yaml", "./package.json", "./dist/index.js"]));
    expect(files.some((f) => f.startsWith("./dist/vendor/crds/strimzi/"))).toBe(true);
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
  });

  it("declares exactly the packages its bundle requires (plus those required at run time), at the root's versions", () => {
    const bundle = readFileSync(join(packDir, "dist", "index.js"), "utf8");
    const required = new Set([...bundle.matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]).filter((s) => !s.startsWith("node:")).map(packageOf));
    expect(Object.keys(declared()).sort()).toEqual([...new Set([...required, ...Object.keys(RUNTIME_DEPENDENCIES)])].sort());
    const root = (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies;
    const drift = Object.entries(declared()).filter(([name, version]) => root[name] !== undefined && root[name] !== version);
    expect(drift).toEqual([]);
  });

  it("catches a fact rule's violation and cites the document behind the figure", async () => {
    const found = await analyze(mutate(sqlInstance, { "settings.backupConfiguration.backupRetentionSettings.retainedBackups": 7 }));
    const retention = found.filter((d) => d.policy === "gcp-sql-instance-require-backup-retention");
    expect(retention).toHaveLength(1);
    expect(retention[0].message).toContain(`[minBackupRetentionDays 30: ${RETENTION_SOURCE}]`);
  });

  it("validates a built-in kind against kubernetes-models' schema", async () => {
    const found = await analyze(mutate(deployment, { "spec.replicas": "five" }));
    expect(found.filter((d) => d.policy === "k8s-schema-object-require-valid-schema").map((d) => d.message)).toEqual([expect.stringMatching(/\/spec\/replicas/)]);
    expect((await analyze(deployment)).filter((d) => d.policy === "k8s-schema-object-require-valid-schema")).toEqual([]);
  });

  it("validates a custom resource against its vendored CRD", async () => {
    const found = await analyze(mutate(mongoCr, { "spec.members": "three" }));
    expect(found.filter((d) => d.policy === "k8s-schema-object-require-valid-schema").map((d) => d.message)).toEqual([expect.stringMatching(/\/spec\/members/)]);
  });

  it("runs stack rules: a backup bucket deleting dumps before the stack's minimum", async () => {
    const found = await analyzeStack([dumpJob, mutate(dumpBucket, { "lifecycleRules.0.condition.age": 1 })]);
    expect(found.filter((d) => d.policy === "k8s-backup-cronjob-require-bucket-retention").map((d) => d.message)).toEqual([
      expect.stringMatching(/deletes the dumps of CronJob mongodb-dump .* after 1 day\(s\); the stack keeps backups at least 30 days/),
    ]);
  });
});

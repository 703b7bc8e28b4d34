/**
 * The GitHub workflows parse, keep cloud credentials away from pull requests (no id-token under a PR
 * trigger; cloud jobs on protected refs only, one identity per environment), pin actions by commit SHA,
 * grant minimal permissions, keep untrusted input out of scripts and outputs, judge a PR with the base
 * branch's policy pack, label the fork-written comment as such, deploy
 * with the documented branch mapping in upstreamStacksOf's order, give Pulumi what a real run needs
 * (gke-gcloud-auth-plugin, a bootstrapped stack file, the policy pack and its config), and call only
 * npm scripts that exist and are documented.
 */
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { branchEnvs, ENV_TRAITS } from "../model/envs";

const ROOT = path.join(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}
interface Job {
  name?: string;
  if?: string;
  permissions?: Record<string, string> | string;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  strategy?: { matrix?: unknown };
  steps?: Step[];
  needs?: string | string[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const text = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(DIR, f), "utf8")]));
const workflows = Object.fromEntries(files.map((f) => [f, parse(text[f]) as Workflow]));
const byName = (name: string): [string, Workflow] => {
  const hit = Object.entries(workflows).find(([, w]) => w.name === name);
  if (!hit) throw new Error(`no workflow named ${name}: ${Object.values(workflows).map((w) => w.name).join(", ")}`);
  return hit;
};
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);
const runs = (w: Workflow) => steps(w).map((s) => s.run ?? "").join("\n");
const isPulumi = (s: Step) => (s.uses ?? "").startsWith("pulumi/actions@") || /^\s*pulumi (preview|up|refresh|destroy)\b/m.test(s.run ?? "");
/** The jobs that run the Pulumi CLI against a stack. */
const pulumiJobs = (w: Workflow): [string, Job][] => Object.entries(w.jobs).filter(([, j]) => (j.steps ?? []).some(isPulumi));
const pulumiStep = (j: Job): Step => j.steps!.find((s) => (s.uses ?? "").startsWith("pulumi/actions@"))!;
/** The stacks of the repository: `stacks/Pulumi.<stack>.yaml`. */
const stackFiles = () =>
  fs
    .readdirSync(path.join(ROOT, "stacks"))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
const CLOUD_ACTIONS = /^(google-github-actions\/auth|google-github-actions\/setup-gcloud|pulumi\/actions)@/;
/** A third-party action pinned by a full 40-hex commit SHA, the version it is in a comment. */
const PINNED = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/;
const TRUSTED_REFS = `contains(fromJSON('["refs/heads/develop","refs/heads/rct","refs/heads/main"]'), github.ref)`;
/** Triggers under which a job runs code a pull request's author wrote. */
const PR_TRIGGERS = ["pull_request", "pull_request_target", "issue_comment", "workflow_run"];
/**
 * A workflow step's script under bash, as the runner runs it, without blocking: the tests that run
 * one script for several branches start them all at once (a script is a few jq processes, and
 * their start-up, not their work, was most of these tests' time).
 */
function bash(script: string, options: SpawnOptions): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-eo", "pipefail", "-c", script], { ...options, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (err) => resolve({ status: null, stderr: String(err) }));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

const holdsIdToken = (w: Workflow, j: Job) => JSON.stringify(j.permissions ?? w.permissions ?? {}).includes("id-token");

describe("workflows", () => {
  it("parse, each with a name, triggers and jobs", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const [f, w] of Object.entries(workflows)) {
      expect(w.name, f).toBeTruthy();
      expect(w.on, f).toBeTruthy();
      expect(Object.keys(w.jobs).length, f).toBeGreaterThan(0);
    }
  });

  it("pin every third-party action by full commit SHA, with its version in a comment (local ./ actions aside)", () => {
    let pinned = 0;
    for (const [f, t] of Object.entries(text)) {
      const lines = t.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
      // Every `uses:` line of the text is a step of the parsed workflow (nothing hides in a flow map).
      expect(lines.length, f).toBe(steps(workflows[f]).filter((s) => s.uses).length);
      for (const l of lines) {
        const ref = l.replace(/^\s*(-\s+)?uses:\s*/, "");
        if (ref.startsWith("./")) continue;
        expect(ref, `${f}: ${ref}`).toMatch(PINNED);
        pinned++;
      }
    }
    expect(pinned).toBeGreaterThan(10);
    // The check itself: a tag, a branch or a short SHA is refused.
    for (const bad of ["actions/checkout@v4", "actions/checkout@main", "actions/checkout@11d5960 # v4", "actions/checkout@11d5960a326750d5838078e36cf38b85af677262"]) expect(bad).not.toMatch(PINNED);
  });

  it("dependabot keeps the pinned actions and the npm dependencies current", () => {
    const d = parse(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as { version: number; updates: { "package-ecosystem": string; directory: string }[] };
    expect(d.version).toBe(2);
    expect(d.updates.map((u) => u["package-ecosystem"]).sort()).toEqual(["github-actions", "npm"]);
    for (const u of d.updates) expect(u.directory).toBe("/");
  });

  it("CODEOWNERS requires review for the workflows, the policy pack, its config and the policy engine", () => {
    const owners = fs
      .readFileSync(path.join(ROOT, ".github", "CODEOWNERS"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(/\s+/));
    for (const p of ["/.github/", "/policies/", "/policies/config/", "/engine/policy/"]) {
      const rule = owners.find(([pattern]) => pattern === p);
      expect(rule, p).toBeDefined();
      expect(rule!.slice(1).length, `${p} has an owner`).toBeGreaterThan(0);
      for (const o of rule!.slice(1)) expect(o, p).toMatch(/^@[\w.-]+(\/[\w.-]+)?$/);
    }
  });

  it("grant minimal permissions: contents: read at the top, and per job only what that job uses", () => {
    for (const [f, w] of Object.entries(workflows)) {
      const top = w.permissions ?? {};
      const topOk = JSON.stringify(top) === JSON.stringify({ contents: "read" }) || (w.name === "PR comment" && JSON.stringify(top) === JSON.stringify({ contents: "read", actions: "read", "pull-requests": "write" }));
      expect(topOk, `${f}: top-level permissions ${JSON.stringify(top)}`).toBe(true);
      expect(typeof w.permissions, `${f}: no write-all / read-all`).toBe("object");
      for (const [name, job] of Object.entries(w.jobs)) {
        if (job.permissions === undefined) continue;
        expect(typeof job.permissions, `${f} ${name}`).toBe("object");
        const perms = job.permissions as Record<string, string>;
        const s = job.steps ?? [];
        for (const [scope, level] of Object.entries(perms)) {
          const why: Record<string, boolean> = {
            contents: level === "read",
            "id-token": level === "write" && s.some((x) => (x.uses ?? "").startsWith("google-github-actions/auth@")),
            actions: level === "read" && s.some((x) => /\bgh api\b/.test(x.run ?? "")),
          };
          expect(why[scope] ?? false, `${f} ${name}: ${scope}: ${level} is not needed by the job's steps`).toBe(true);
        }
      }
    }
  });

  it("interpolate no expression into a run: script (untrusted input reaches scripts through env only)", () => {
    let scripts = 0;
    for (const [f, w] of Object.entries(workflows)) {
      for (const [name, job] of Object.entries(w.jobs)) {
        for (const s of job.steps ?? []) {
          if (s.run === undefined) continue;
          scripts++;
          expect(s.run, `${f} ${name} ${s.name ?? ""}`).not.toMatch(/\$\{\{/);
        }
        // Nor into a github-script body, which is JavaScript evaluated as written.
        for (const s of job.steps ?? []) if (s.uses?.startsWith("actions/github-script@")) expect(String(s.with?.script ?? ""), `${f} ${name}`).not.toMatch(/\$\{\{/);
      }
    }
    expect(scripts).toBeGreaterThan(5);
  });

  it("use no repository secrets and no long-lived keys anywhere", () => {
    for (const [f, t] of Object.entries(text)) {
      expect(t, f).not.toMatch(/secrets\./);
      expect(t, f).not.toMatch(/credentials_json|GOOGLE_APPLICATION_CREDENTIALS|PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE/);
    }
    expect(Object.values(workflows).some((w) => "pull_request_target" in w.on)).toBe(false);
  });

  it("pull_request: npm ci, tests, offline preview + diff, offline policy check; no credentials", () => {
    const [f, w] = byName("Pull request");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(w.permissions).toEqual({ contents: "read" });
    for (const [name, job] of Object.entries(w.jobs)) {
      expect(job.permissions, `${f} ${name}`).toBeUndefined();
      for (const s of job.steps ?? []) if (s.uses) expect(s.uses, `${f} ${name}`).not.toMatch(CLOUD_ACTIONS);
    }
    expect(text[f]).not.toMatch(/id-token|github\.token|GITHUB_TOKEN/);
    const r = runs(w);
    expect(r).toMatch(/^npm ci$/m);
    expect(r).toMatch(/^npm test$/m);
    expect(r).toMatch(/npm run preview:pr -- --base "\$BASE_SHA"/);
    // The policy job's command fails the check run on a mandatory violation (exit 1).
    const policy = Object.values(w.jobs).find((j) => (j.steps ?? []).some((s) => /npm run preview -- --all/.test(s.run ?? "")));
    expect(policy).toBeDefined();
    expect(steps(w).some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
  });

  it("the PR comment is one per PR, updated in place, posted without running PR code", () => {
    const [f, w] = byName("PR comment");
    expect(Object.keys(w.on)).toEqual(["workflow_run"]);
    expect((w.on.workflow_run as { workflows: string[] }).workflows).toEqual(["Pull request"]);
    expect(steps(w).some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
    expect(runs(w).trim()).toBe("");
    expect(text[f]).toContain("<!-- platform-infra:offline-preview -->");
    expect(text[f]).toContain("updateComment");
    expect(text[f]).toContain("workflow_run.head_sha");
  });

  it("the marker the comment workflow looks for is the one preview:pr writes", async () => {
    const { COMMENT_MARKER } = await import("../engine/diff/markdown");
    expect(text[byName("PR comment")[0]]).toContain(COMMENT_MARKER);
  });

  it("credentials never meet a pull request's code: no id-token or cloud action under a PR trigger", () => {
    let checked = 0;
    for (const [f, w] of Object.entries(workflows)) {
      if (!PR_TRIGGERS.some((trigger) => trigger in w.on)) continue;
      expect(JSON.stringify(w.permissions ?? {}), f).not.toContain("id-token");
      for (const [name, job] of Object.entries(w.jobs)) {
        checked++;
        expect(holdsIdToken(w, job), `${f} ${name}: id-token under ${Object.keys(w.on).join(", ")}`).toBe(false);
        for (const s of job.steps ?? []) expect(s.uses ?? "", `${f} ${name}`).not.toMatch(CLOUD_ACTIONS);
        expect(job.environment, `${f} ${name}`).toBeUndefined();
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    // Every job that holds id-token runs on a trusted ref: a push to a protected branch (Deploy) or
    // a dispatch/schedule that its `if` limits to those branches (Cloud preview), in an environment.
    for (const [f, w] of Object.entries(workflows)) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const auth = (job.steps ?? []).some((s) => (s.uses ?? "").startsWith("google-github-actions/auth@"));
        expect(holdsIdToken(w, job), `${f} ${name}: id-token only where auth runs`).toBe(auth);
        if (!auth) continue;
        expect(job.environment, `${f} ${name}: an environment`).toBeTruthy();
        const triggers = Object.keys(w.on);
        const pushOnly = triggers.length === 1 && triggers[0] === "push";
        expect(pushOnly || (job.if ?? "").includes(TRUSTED_REFS), `${f} ${name}: trusted refs only (${triggers.join(", ")})`).toBe(true);
        if (!pushOnly) for (const trigger of triggers) expect(["workflow_dispatch", "schedule"], `${f}: ${trigger}`).toContain(trigger);
      }
    }
  });

  it("one identity per environment: each job with credentials takes its env's own service account, fail-closed", () => {
    let checked = 0;
    for (const [f, w] of Object.entries(workflows)) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const steps_ = job.steps ?? [];
        const authAt = steps_.findIndex((s) => (s.uses ?? "").startsWith("google-github-actions/auth@"));
        if (authAt < 0) continue;
        checked++;
        const auth = steps_[authAt];
        expect(Object.keys(auth.with!).sort(), `${f} ${name}`).toEqual(["service_account", "workload_identity_provider"]);
        expect(auth.with!.service_account, `${f} ${name}`).toBe("${{ env.GCP_SERVICE_ACCOUNT }}");
        const kind = w.name === "Deploy" ? "DEPLOY" : "PREVIEW";
        const sa = String((job as Job & { env?: Record<string, string> }).env?.GCP_SERVICE_ACCOUNT ?? "");
        for (const env of ["dev", "rct", "prod"]) expect(sa, `${f} ${name}`).toContain(`matrix.environment == '${env}' && vars.GCP_${kind}_SERVICE_ACCOUNT_${env.toUpperCase()}`);
        expect(sa, `${f} ${name}: no shared identity`).not.toMatch(/vars\.GCP_(DEPLOY|PREVIEW)_SERVICE_ACCOUNT\b(?!_)/);
        expect(sa.trim().endsWith("|| '' }}"), `${f} ${name}: an unknown env gets no identity`).toBe(true);
        // An empty service account would make auth use the bare WIF principal: stop before auth.
        const guard = steps_.findIndex((s) => s.name === "Environment identity configured");
        expect(guard, `${f} ${name}`).toBeGreaterThanOrEqual(0);
        expect(guard, `${f} ${name}`).toBeLessThan(authAt);
        const r = spawnSync("bash", ["-eo", "pipefail", "-c", steps_[guard].run!], { encoding: "utf8", env: { ...process.env, GCP_SERVICE_ACCOUNT: "", ENVIRONMENT: "rct" } });
        expect(r.status, `${f} ${name}`).toBe(1);
        expect(r.stderr).toContain(`GCP_${kind}_SERVICE_ACCOUNT_RCT`);
        expect(spawnSync("bash", ["-eo", "pipefail", "-c", steps_[guard].run!], { env: { ...process.env, GCP_SERVICE_ACCOUNT: "sa@p.iam.gserviceaccount.com", ENVIRONMENT: "rct" } }).status).toBe(0);
      }
    }
    expect(checked).toBe(3);
    for (const t of Object.values(text)) expect(t).not.toMatch(/GCP_(DEPLOY|PREVIEW)_SERVICE_ACCOUNT \}\}/);
  });

  it("prod and shared stacks never share a secrets key with non-prod stacks", () => {
    const providers = new Map<string, string>();
    for (const s of stackFiles()) {
      const doc = parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${s}.yaml`), "utf8")) as { secretsprovider: string };
      providers.set(s, doc.secretsprovider);
    }
    for (const [s, p] of providers) {
      const tier = s.endsWith("-prod") ? "prod" : s.endsWith("-shared") ? "shared" : "nonprod";
      for (const [o, q] of providers) {
        if (o === s) continue;
        const other = o.endsWith("-prod") ? "prod" : o.endsWith("-shared") ? "shared" : "nonprod";
        if (tier !== other || tier === "nonprod") expect(q, `${s} and ${o} share ${p}`).not.toBe(p);
      }
    }
  });

  it("prod and shared stacks never share a GCP project with non-prod stacks, and each key lives in its stack's project", () => {
    const tierOf = (s: string) => (s.endsWith("-prod") ? "prod" : s.endsWith("-shared") ? "shared" : "nonprod");
    const stacks = stackFiles().map((s) => {
      const doc = parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${s}.yaml`), "utf8")) as { secretsprovider: string; config: Record<string, { projectId?: string }> };
      const gcp = Object.entries(doc.config).find(([k]) => k.endsWith(":gcp"))![1];
      return { stack: s, tier: tierOf(s), project: gcp.projectId!, keyProject: /^gcpkms:\/\/projects\/([^/]+)\//.exec(doc.secretsprovider)![1]! };
    });
    for (const a of stacks) {
      expect(a.keyProject, `${a.stack}: its stack-secrets key is in ${a.keyProject}, not its project ${a.project}`).toBe(a.project);
      for (const b of stacks) {
        if (a.tier === "nonprod" && b.tier !== "nonprod") expect(b.project, `${a.stack} and ${b.stack} share project ${a.project}`).not.toBe(a.project);
      }
    }
  });

  it("each DiaspoMoney env stack names the shared stack's cluster project and has a project of its own", () => {
    const read = (s: string) => (parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${s}.yaml`), "utf8")) as { config: Record<string, Record<string, unknown>> }).config;
    const shared = read("diaspomoney-shared");
    for (const env of ["dev", "rct", "prod"]) {
      const access = read(`diaspomoney-${env}`)["diaspomoney:access"]!;
      expect(access.clusterProject, env).toBe(shared["diaspomoney:gcp"]!.projectId);
      expect(read(`diaspomoney-${env}`)["diaspomoney:gcp"]!.projectId, env).not.toBe(shared["diaspomoney:gcp"]!.projectId);
    }
  });

  it("Cloud preview runs a protected branch's code only, each stack in its env's preview environment", () => {
    const [f, w] = byName("Cloud preview");
    expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(JSON.stringify(w), f).not.toMatch(/pull_request|head\.sha|head_ref|refs\/pull/);
    for (const [name, job] of Object.entries(w.jobs)) expect(job.if ?? "", name).toContain(TRUSTED_REFS);
    const preview = Object.values(w.jobs).find((j) => (j.steps ?? []).some((s) => s.uses?.startsWith("pulumi/actions@")))!;
    expect(preview.environment).toBe("${{ matrix.environment }}-preview");
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write" });
    for (const s of preview.steps!) if (s.uses?.startsWith("actions/checkout@")) expect(s.with ?? {}).not.toHaveProperty("ref");
    const pulumi = pulumiStep(preview);
    expect(pulumi.uses).toMatch(/^pulumi\/actions@[0-9a-f]{40}$/);
    expect(pulumi.with).toMatchObject({ command: "preview", policyPacks: "policies" });
    expect(String(pulumi.with!.policyPackConfigs)).toBe("policies/config/${{ matrix.stack }}.json");
    expect(String(pulumi.with!["cloud-url"])).toMatch(/^gs:\/\//);
    // pulumi/actions passes secrets-provider to `stack init` only (upsert), never to `stack select`:
    // each stack's provider and data key are its stack file's secretsprovider and encryptedkey.
    expect(pulumi.with).not.toHaveProperty("secrets-provider");
    expect(pulumi.with).not.toHaveProperty("upsert");
    expect(JSON.parse(w.env!.BRANCH_ENVS)).toEqual(JSON.parse(byName("Deploy")[1].env!.BRANCH_ENVS));
  });

  it("map each deploying branch to the env the traits table names (BRANCH_ENVS = branchEnvs(), one owner)", () => {
    const [deployFile, deploy] = byName("Deploy");
    const [previewFile, preview] = byName("Cloud preview");
    for (const [file, w] of [[deployFile, deploy], [previewFile, preview]] as const) {
      expect(JSON.parse(w.env!.BRANCH_ENVS), file).toEqual(branchEnvs());
    }
    // Every app env's GitHub environment is the env the matrix names (main → prod, behind reviewers).
    for (const env of Object.values(branchEnvs())) expect(ENV_TRAITS[env].githubEnvironment).toBe(env);
    // The workflows push-trigger exactly the deploying branches.
    expect([...(deploy.on.push as { branches: string[] }).branches].sort()).toEqual(Object.keys(branchEnvs()).sort());
  });

  it("deploys on push with diaspomoney.md's branch mapping, prod behind its environment, one up per stack at a time", () => {
    const [, w] = byName("Deploy");
    expect(Object.keys(w.on)).toEqual(["push"]);
    const branches = (w.on.push as { branches: string[] }).branches;
    expect(branches).toEqual(["develop", "rct", "main"]);
    const mapping = JSON.parse(w.env!.BRANCH_ENVS) as Record<string, string>;
    expect(mapping).toEqual({ develop: "dev", rct: "rct", main: "prod" });
    // The matrix's environment is the env the branch maps to: main → prod (required reviewers).
    expect(runs(w)).toContain("{stack: ., environment: $env");
    expect(runs(w)).toContain(".[$b] // empty");
    const deploys = pulumiJobs(w);
    expect(deploys.map(([name]) => name).sort()).toEqual(["deploy", "deploy-after-upstream"]);
    for (const [name, deploy] of deploys) {
      expect(deploy.environment, name).toBe("${{ matrix.environment }}");
      // Both waves share the per-stack group: one `up` per stack at a time, whichever job runs it.
      expect(deploy.concurrency, name).toEqual({ group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
      const pulumi = pulumiStep(deploy);
      expect(pulumi.uses, name).toMatch(/^pulumi\/actions@[0-9a-f]{40}$/);
      expect(pulumi.with, name).toMatchObject({ command: "up", "stack-name": "${{ matrix.stack }}", policyPacks: "policies", "policyPackConfigs": "policies/config/${{ matrix.stack }}.json" });
      expect(String(pulumi.with!["cloud-url"]), name).toMatch(/^gs:\/\//);
      expect(pulumi.with, name).not.toHaveProperty("secrets-provider");
      expect(pulumi.with, name).not.toHaveProperty("upsert");
      expect(deploy.steps!.some((s) => (s.uses ?? "").startsWith("google-github-actions/auth@") && "workload_identity_provider" in (s.with ?? {})), name).toBe(true);
      expect(deploy.needs, name).toEqual(expect.arrayContaining(["plan", "verify"]));
    }
  });

  it("installs gke-gcloud-auth-plugin, which the clusters' kubeconfig execs, after auth and before Pulumi in every job that runs Pulumi", async () => {
    const { gkeKubeconfig } = await import("../components/gcp/gke-cluster/index");
    const kubeconfig = JSON.parse(gkeKubeconfig("ctx", "gke.example")) as { users: { user: { exec: { command: string } } }[] };
    const plugin = kubeconfig.users[0].user.exec.command;
    expect(plugin).toBe("gke-gcloud-auth-plugin");
    let checked = 0;
    for (const [f, w] of Object.entries(workflows)) {
      for (const [name, job] of pulumiJobs(w)) {
        const at = (pred: (s: Step) => boolean) => job.steps!.findIndex(pred);
        const pulumi = at((s) => isPulumi(s));
        const gcloud = at((s) => (s.uses ?? "").startsWith("google-github-actions/setup-gcloud@"));
        const auth = at((s) => (s.uses ?? "").startsWith("google-github-actions/auth@"));
        expect(gcloud, `${f} ${name}: setup-gcloud`).toBeGreaterThanOrEqual(0);
        const components = String(job.steps![gcloud].with?.install_components ?? "").split(",").map((c) => c.trim());
        expect(components, `${f} ${name}`).toContain(plugin);
        expect(job.steps![gcloud].with, `${f} ${name}: the plugin needs the runner's own gcloud`).not.toHaveProperty("skip_install");
        // setup-gcloud signs gcloud in with the credentials auth made; the plugin asks gcloud for tokens.
        expect(auth, `${f} ${name}: auth before setup-gcloud`).toBeGreaterThanOrEqual(0);
        expect(auth, `${f} ${name}: auth before setup-gcloud`).toBeLessThan(gcloud);
        expect(gcloud, `${f} ${name}: the plugin is installed before Pulumi runs`).toBeLessThan(pulumi);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it("every job that runs Pulumi first refuses a stack file with no encryptedkey, with the bootstrap command", () => {
    const scripts = Object.values(workflows).flatMap((w) => pulumiJobs(w)).map(([name, job]) => {
      const i = job.steps!.findIndex((s) => s.name === "Stack file bootstrapped");
      expect(i, `${name}: a "Stack file bootstrapped" step`).toBeGreaterThanOrEqual(0);
      expect(i, `${name}: checked before Pulumi`).toBeLessThan(job.steps!.findIndex((s) => isPulumi(s)));
      expect(job.steps![i].env, name).toEqual({ STACK: "${{ matrix.stack }}" });
      return job.steps![i].run!;
    });
    expect(new Set(scripts).size, "one check, the same in every job").toBe(1);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bootstrap-"));
    try {
      fs.mkdirSync(path.join(tmp, "stacks"));
      const kms = "gcpkms://projects/p/locations/europe-west1/keyRings/pulumi/cryptoKeys/stack-secrets";
      const check = (stack: string, content?: string) => {
        if (content !== undefined) fs.writeFileSync(path.join(tmp, "stacks", `Pulumi.${stack}.yaml`), content);
        const r = spawnSync("bash", ["-eo", "pipefail", "-c", scripts[0]], { cwd: tmp, encoding: "utf8", env: { ...process.env, STACK: stack } });
        return { status: r.status, stderr: r.stderr };
      };
      const missing = check("quickfund-dev", `# comment\nsecretsprovider: ${kms}\nconfig:\n  quickfund:domains: ["dev.quickfund.fr"]\n`);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("stacks/Pulumi.quickfund-dev.yaml has no encryptedkey");
      expect(missing.stderr).toContain(`pulumi stack init quickfund-dev --secrets-provider ${kms}`);
      // The CLI may fold a long value onto the next line.
      const folded = check("quickfund-rct", `secretsprovider: >-\n  ${kms}\nconfig: {}\n`);
      expect(folded.status).toBe(1);
      expect(folded.stderr).toContain(`--secrets-provider ${kms}`);
      expect(check("quickfund-prod", `config: {}\nencryptedkey: CiQAbc==\n`)).toMatchObject({ status: 1, stderr: expect.stringContaining("names no secretsprovider") });
      expect(check("diaspomoney-dev")).toMatchObject({ status: 1, stderr: expect.stringContaining("no stack file stacks/Pulumi.diaspomoney-dev.yaml") });
      expect(check("diaspomoney-rct", `secretsprovider: ${kms}\nencryptedkey: CiQAbc==\nconfig: {}\n`).status).toBe(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("each stack's Pulumi step finds its project, its stack file, the policy pack and its --policy-pack-config file", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: string; main?: string };
    expect(project.stackConfigDir).toBe("stacks");
    expect(fs.existsSync(path.join(ROOT, project.main!))).toBe(true);
    const stacks = stackFiles();
    expect(stacks.length).toBeGreaterThanOrEqual(7);
    for (const w of Object.values(workflows)) {
      for (const [name, job] of pulumiJobs(w)) {
        const p = pulumiStep(job).with!;
        expect(fs.existsSync(path.join(ROOT, String(p["work-dir"]), "Pulumi.yaml")), name).toBe(true);
        expect(fs.existsSync(path.join(ROOT, String(p.policyPacks), "PulumiPolicy.yaml")), name).toBe(true);
        for (const stack of stacks) {
          const config = String(p.policyPackConfigs).replace("${{ matrix.stack }}", stack);
          expect(fs.existsSync(path.join(ROOT, config)), `${name}: ${config}`).toBe(true);
        }
      }
    }
  });

  const hasJq = spawnSync("jq", ["--version"]).status === 0;
  /** Runs the Deploy plan step for a branch in `cwd` (which holds a `stacks/` directory). */
  const deployPlan = async (cwd: string, branch: string) => {
    const [, w] = byName("Deploy");
    const step = Object.values(w.jobs).flatMap((j) => j.steps ?? []).find((s) => (s.run ?? "").includes("BRANCH_ENVS"))!;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-out-"));
    try {
      const file = path.join(out, "github-output");
      fs.writeFileSync(file, "");
      const r = await bash(step.run!, { cwd, env: { ...process.env, GITHUB_REF_NAME: branch, GITHUB_OUTPUT: file, BRANCH_ENVS: w.env!.BRANCH_ENVS } });
      if (r.status !== 0) return { failed: r.stderr };
      const o = Object.fromEntries(fs.readFileSync(file, "utf8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      return { env: o.env, first_count: o.first_count, first: JSON.parse(o.first), after_upstream_count: o.after_upstream_count, after_upstream: JSON.parse(o.after_upstream) };
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  };

  it.skipIf(!hasJq)("the plan step selects the stacks of the mapped env (shared ones from main only), shared first", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-plan-"));
    try {
      fs.mkdirSync(path.join(tmp, "stacks"));
      for (const s of ["quickfund-dev", "quickfund-rct", "quickfund-prod", "diaspomoney-dev", "diaspomoney-prod", "diaspomoney-shared"]) fs.writeFileSync(path.join(tmp, "stacks", `Pulumi.${s}.yaml`), "");
      fs.writeFileSync(path.join(tmp, "stacks", "quickfund.ts"), "");
      const none = { include: [] };
      const [develop, rct, main, feature] = await Promise.all(["develop", "rct", "main", "feature/x"].map((branch) => deployPlan(tmp, branch)));
      expect(develop).toEqual({
        env: "dev",
        first_count: "2",
        // diaspomoney-shared deploys from main only: on develop its env stack has no upstream to wait for.
        first: { include: [{ stack: "diaspomoney-dev", environment: "dev" }, { stack: "quickfund-dev", environment: "dev" }] },
        after_upstream_count: "0",
        after_upstream: none,
      });
      expect(rct).toMatchObject({ env: "rct", first: { include: [{ stack: "quickfund-rct", environment: "rct" }] }, after_upstream_count: "0" });
      expect(main).toEqual({
        env: "prod",
        first_count: "2",
        first: { include: [{ stack: "diaspomoney-shared", environment: "prod" }, { stack: "quickfund-prod", environment: "prod" }] },
        after_upstream_count: "1",
        after_upstream: { include: [{ stack: "diaspomoney-prod", environment: "prod", after: "diaspomoney-shared" }] },
      });
      expect(feature).toHaveProperty("failed");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasJq)("the deploy order agrees with upstreamStacksOf for every stack of the repository", async () => {
    const { upstreamStacksOf } = await import("../engine/deployability/upstream");
    const [, w] = byName("Deploy");
    const after = w.jobs["deploy-after-upstream"];
    expect(after.needs).toEqual(expect.arrayContaining(["plan", "verify", "deploy"]));
    expect(after.strategy?.matrix).toBe("${{ fromJSON(needs.plan.outputs.after_upstream) }}");
    expect(w.jobs.deploy.strategy?.matrix).toBe("${{ fromJSON(needs.plan.outputs.first) }}");
    const deployedOn = new Map<string, string>();
    const plans = await Promise.all(
      Object.keys(JSON.parse(w.env!.BRANCH_ENVS) as Record<string, string>).map(async (branch) => {
        const plan = await deployPlan(ROOT, branch);
        if ("failed" in plan) throw new Error(`${branch}: ${plan.failed}`);
        return { branch, ...plan };
      }),
    );
    for (const { branch, first, after_upstream } of plans) {
      const wave1 = (first.include as { stack: string }[]).map((e) => e.stack);
      const wave2 = after_upstream.include as { stack: string; after: string }[];
      const thisPush = new Set([...wave1, ...wave2.map((e) => e.stack)]);
      for (const s of thisPush) {
        expect(deployedOn.get(s), `${s} deploys from one branch only`).toBeUndefined();
        deployedOn.set(s, branch);
      }
      for (const s of wave1) {
        const inPush = upstreamStacksOf(s).filter((u) => thisPush.has(u));
        expect(inPush, `${branch}: ${s} deploys in the first wave, so none of its upstreams deploys in this push`).toEqual([]);
      }
      for (const e of wave2) {
        const inPush = upstreamStacksOf(e.stack).filter((u) => thisPush.has(u));
        expect(e.after.split(" "), `${branch}: ${e.stack} waits for exactly its upstreams in this push`).toEqual(inPush);
        for (const u of inPush) expect(wave1, `${branch}: ${u} deploys in the first wave, before ${e.stack}`).toContain(u);
      }
    }
    // Every stack deploys from some branch, and an upstream never deploys from a later env's branch only.
    expect([...deployedOn.keys()].sort()).toEqual(stackFiles());
    for (const s of stackFiles()) for (const u of upstreamStacksOf(s)) expect(deployedOn.has(u), `${s}'s upstream ${u} has a stack file and a branch`).toBe(true);
  });

  it("a stack after its upstream deploys only if that upstream's job succeeded in this run", async () => {
    const [, w] = byName("Deploy");
    const job = w.jobs["deploy-after-upstream"];
    // It runs when `deploy` failed (each stack checks its own upstreams), never when cancelled.
    expect(job.if).toContain("!cancelled()");
    expect(job.if).toContain("needs.verify.result == 'success'");
    expect(job.permissions).toMatchObject({ actions: "read" });
    const gate = job.steps![0];
    expect(gate.name).toBe("Upstream stacks deployed in this run");
    // The gate finds an upstream's job by its display name, "pulumi up <stack>".
    expect(gate.run).toContain('name="pulumi up $up"');
    expect(w.jobs.deploy.name).toBe("pulumi up ${{ matrix.stack }}");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-gate-"));
    try {
      // A stand-in for `gh api`: prints the jobs of the run as the step's --jq would (each case's
      // own list, named by TEST_JOBS_TSV, so that the cases can run at once).
      const gh = path.join(tmp, "gh");
      fs.writeFileSync(gh, `#!/bin/sh\ncat "$TEST_JOBS_TSV"\n`, { mode: 0o755 });
      let cases = 0;
      const gate_ = (jobs: [string, string][], stack: string, after: string) => {
        const list = path.join(tmp, `jobs-${cases++}.tsv`);
        fs.writeFileSync(list, jobs.map((j) => j.join("\t")).join("\n") + "\n");
        return bash(gate.run!, { cwd: tmp, env: { ...process.env, PATH: `${tmp}:${process.env.PATH}`, TEST_JOBS_TSV: list, STACK: stack, AFTER: after, GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "1" } });
      };
      const ran: [string, string][] = [["Stacks to deploy", "success"], ["pulumi up quickfund-prod", "failure"], ["pulumi up diaspomoney-shared", "success"], ["pulumi up diaspomoney-prod", "pending"]];
      const [succeeded, failed, skipped, notRun] = await Promise.all([
        gate_(ran, "diaspomoney-prod", "diaspomoney-shared"),
        gate_([["pulumi up diaspomoney-shared", "failure"]], "diaspomoney-prod", "diaspomoney-shared"),
        gate_([["pulumi up diaspomoney-shared", "skipped"]], "diaspomoney-prod", "diaspomoney-shared"),
        gate_([["pulumi up quickfund-prod", "success"]], "diaspomoney-prod", "diaspomoney-shared"),
      ]);
      expect(succeeded.status, succeeded.stderr).toBe(0);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain("diaspomoney-prod deploys after diaspomoney-shared");
      expect(failed.stderr).toContain("(failure)");
      expect(skipped.status).toBe(1);
      expect(notRun).toMatchObject({ status: 1, stderr: expect.stringContaining("(not run)") });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasJq)("the cloud preview plan writes its output with a random heredoc delimiter, the stacks of the branch's env", async () => {
    const [, w] = byName("Cloud preview");
    const step = w.jobs.plan.steps!.find((s) => (s.run ?? "").includes("GITHUB_OUTPUT"))!;
    expect(step.run).toMatch(/delimiter="EOF_\$\(openssl rand -hex \d+\)"/);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cloud-plan-"));
    try {
      fs.mkdirSync(path.join(tmp, "stacks"));
      for (const s of ["quickfund-dev", "quickfund-prod", "diaspomoney-prod", "diaspomoney-shared"]) fs.writeFileSync(path.join(tmp, "stacks", `Pulumi.${s}.yaml`), "");
      const read = async (branch: string) => {
        const file = path.join(tmp, `out-${branch.replace(/\W/g, "_")}`);
        fs.writeFileSync(file, "");
        const r = await bash(step.run!, { cwd: tmp, env: { ...process.env, GITHUB_REF_NAME: branch, GITHUB_OUTPUT: file, BRANCH_ENVS: w.env!.BRANCH_ENVS } });
        return { status: r.status, out: fs.readFileSync(file, "utf8") };
      };
      const [main, dev, feature] = await Promise.all(["main", "develop", "feature/x"].map(read));
      expect(main.status).toBe(0);
      const m = /^stacks<<(EOF_[0-9a-f]{32})\n(.*)\n\1\n$/s.exec(main.out);
      expect(m, main.out).not.toBeNull();
      expect(JSON.parse(m![2])).toEqual({ include: ["diaspomoney-prod", "diaspomoney-shared", "quickfund-prod"].map((stack) => ({ stack, environment: "prod" })) });
      expect(dev.out.split("\n")[0]).not.toBe(main.out.split("\n")[0]); // a new delimiter each run
      expect(JSON.parse(dev.out.split("\n")[1])).toEqual({ include: [{ stack: "quickfund-dev", environment: "dev" }] });
      expect(feature.status).toBe(1);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("no workflow that handles a pull request writes to $GITHUB_OUTPUT; any other multi-line write uses a random delimiter", () => {
    for (const [f, w] of Object.entries(workflows)) {
      for (const [name, job] of Object.entries(w.jobs)) {
        for (const s of job.steps ?? []) {
          const r = s.run ?? "";
          if (!r.includes("GITHUB_OUTPUT")) continue;
          expect(PR_TRIGGERS.some((trigger) => trigger in w.on), `${f} ${name}: writes $GITHUB_OUTPUT under a PR trigger`).toBe(false);
          // A heredoc output must use a generated delimiter, never a fixed word the content could hold.
          for (const m of r.matchAll(/\w<<\$?\{?(\w+)/g)) expect(m[1], `${f} ${name}`).toBe("delimiter");
        }
      }
    }
  });

  it("the policy gate judges the PR with the base commit's pack and config, before it runs", () => {
    const [, w] = byName("Pull request");
    const job = Object.values(w.jobs).find((j) => (j.steps ?? []).some((s) => /npm run preview -- --all/.test(s.run ?? "")))!;
    const checkout = job.steps!.find((s) => s.uses?.startsWith("actions/checkout@"))!;
    expect(checkout.with).toMatchObject({ "fetch-depth": 0, "persist-credentials": false });
    const at = job.steps!.findIndex((s) => s.name === "Policy pack and config from the base commit");
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeGreaterThan(job.steps!.findIndex((s) => s.run === "npm ci"));
    expect(at).toBeLessThan(job.steps!.findIndex((s) => /npm run preview -- --all/.test(s.run ?? "")));
    const step = job.steps![at];
    expect(step.env).toEqual({ BASE_SHA: "${{ github.event.pull_request.base.sha }}" });
    // Run it in a repository whose head relaxes a rule, waives a violation and adds a stack.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "base-rules-"));
    const git = (...args: string[]) => {
      const r = spawnSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { cwd: tmp, encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    try {
      git("init", "-q");
      fs.mkdirSync(path.join(tmp, "policies", "config"), { recursive: true });
      fs.writeFileSync(path.join(tmp, "policies", "rule.ts"), "strict\n");
      fs.writeFileSync(path.join(tmp, "policies", "config", "app-prod.json"), '{"level":"mandatory"}\n');
      git("add", "-A");
      git("commit", "-q", "-m", "base");
      const base = git("rev-parse", "HEAD");
      fs.writeFileSync(path.join(tmp, "policies", "rule.ts"), "relaxed\n");
      fs.writeFileSync(path.join(tmp, "policies", "bypass.ts"), "export {}\n");
      fs.writeFileSync(path.join(tmp, "policies", "config", "app-prod.json"), '{"level":"disabled"}\n');
      fs.writeFileSync(path.join(tmp, "policies", "config", "new-dev.json"), '{"level":"advisory"}\n');
      git("add", "-A");
      git("commit", "-q", "-m", "head");
      // What npm ci installed for the workspace stays.
      fs.mkdirSync(path.join(tmp, "policies", "node_modules", "dep"), { recursive: true });
      fs.writeFileSync(path.join(tmp, "policies", "node_modules", "dep", "index.js"), "");
      const r = spawnSync("bash", ["-eo", "pipefail", "-c", step.run!], { cwd: tmp, encoding: "utf8", env: { ...process.env, BASE_SHA: base } });
      expect(fs.existsSync(path.join(tmp, "policies", "node_modules", "dep", "index.js"))).toBe(true);
      expect(r.status, r.stderr).toBe(0);
      expect(fs.readFileSync(path.join(tmp, "policies", "rule.ts"), "utf8")).toBe("strict\n");
      expect(fs.existsSync(path.join(tmp, "policies", "bypass.ts"))).toBe(false);
      expect(fs.readFileSync(path.join(tmp, "policies", "config", "app-prod.json"), "utf8")).toBe('{"level":"mandatory"}\n');
      // A stack the PR adds has no base config: its own file, announced.
      expect(fs.readFileSync(path.join(tmp, "policies", "config", "new-dev.json"), "utf8")).toBe('{"level":"advisory"}\n');
      expect(r.stdout).toContain("::notice file=policies/config/new-dev.json::");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("the PR comment says its content came from the PR's own code and that the required check is the authority", () => {
    const [f, w] = byName("PR comment");
    const script = String(steps(w).find((s) => s.uses?.startsWith("actions/github-script@"))!.with!.script);
    expect(script).toContain("produced by this pull request's own code");
    expect(script).toContain("Offline policy check");
    // The conclusion comes from GitHub's event, not from the artifact.
    expect(script).toContain("context.payload.workflow_run.conclusion");
    // The banner follows the marker whatever the artifact starts with.
    expect(script).toMatch(/body = `\$\{marker\}\\n\$\{banner\}/);
    expect(text[f]).not.toMatch(/GITHUB_OUTPUT/);
  });

  it("call only npm scripts that package.json has and the README (or docs/) documents", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const docs = [path.join(ROOT, "README.md"), ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join(ROOT, "docs", f))]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f, "utf8"))
      .join("\n");
    const used = new Set<string>();
    for (const w of Object.values(workflows)) {
      for (const m of runs(w).matchAll(/\bnpm run(?:\s+-s)?\s+([\w:.-]+)/g)) used.add(m[1]);
      if (/\bnpm test\b/.test(runs(w))) used.add("test");
    }
    expect([...used].sort()).toEqual(expect.arrayContaining(["preview", "preview:pr", "test"]));
    for (const s of used) {
      expect(pkg.scripts[s], `package.json script ${s}`).toBeDefined();
      const documented = s === "test" ? /\bnpm (run )?test\b/.test(docs) : docs.includes(`npm run ${s}`);
      expect(documented, `npm run ${s} documented in README.md or docs/*.md`).toBe(true);
    }
  });
});

/**
 * The GitHub workflows parse, keep cloud credentials away from pull requests (and forks), deploy
 * with the documented branch mapping, and call only npm scripts that exist and are documented.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}
interface Job {
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
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";
const CLOUD_ACTIONS = /^(google-github-actions\/auth|pulumi\/actions)@/;

describe("workflows", () => {
  it("parse, each with a name, triggers and jobs; actions pinned to a major version", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const [f, w] of Object.entries(workflows)) {
      expect(w.name, f).toBeTruthy();
      expect(w.on, f).toBeTruthy();
      expect(Object.keys(w.jobs).length, f).toBeGreaterThan(0);
      for (const s of steps(w)) if (s.uses) expect(s.uses, f).toMatch(/^[\w.-]+\/[\w./-]+@v\d+$/);
    }
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

  it("every job that can obtain cloud credentials on a pull request is guarded against forks", () => {
    const [, w] = byName("Cloud preview");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    for (const [name, job] of Object.entries(w.jobs)) expect(job.if ?? "", name).toContain(FORK_GUARD);
    const preview = Object.values(w.jobs).find((j) => (j.steps ?? []).some((s) => s.uses?.startsWith("pulumi/actions@")))!;
    const pulumi = preview.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(pulumi.uses).toBe("pulumi/actions@v7");
    expect(pulumi.with).toMatchObject({ command: "preview", policyPacks: "policies", "comment-on-pr": true });
    expect(String(pulumi.with!.policyPackConfigs)).toBe("policies/config/${{ matrix.stack }}.json");
    expect(String(pulumi.with!["cloud-url"])).toMatch(/^gs:\/\//);
    expect(String(pulumi.with!["secrets-provider"])).toMatch(/^gcpkms:\/\//);
    expect(preview.permissions).toMatchObject({ "id-token": "write" });
    const auth = preview.steps!.find((s) => s.uses?.startsWith("google-github-actions/auth@"))!;
    expect(Object.keys(auth.with!).sort()).toEqual(["service_account", "workload_identity_provider"]);
    // Any other pull_request workflow with cloud access must be guarded the same way.
    for (const [f, other] of Object.entries(workflows)) {
      if (!("pull_request" in other.on)) continue;
      for (const [name, job] of Object.entries(other.jobs)) {
        const cloud = (job.steps ?? []).some((s) => CLOUD_ACTIONS.test(s.uses ?? "")) || JSON.stringify(job.permissions ?? {}).includes("id-token");
        if (cloud) expect(job.if ?? "", `${f} ${name}`).toContain(FORK_GUARD);
      }
    }
  });

  it("deploys on push with diaspomoney.md's branch mapping, prod behind its environment, one up per stack at a time", () => {
    const [, w] = byName("Deploy");
    expect(Object.keys(w.on)).toEqual(["push"]);
    const branches = (w.on.push as { branches: string[] }).branches;
    expect(branches).toEqual(["develop", "rct", "main"]);
    const mapping = JSON.parse(w.env!.BRANCH_ENVS) as Record<string, string>;
    expect(mapping).toEqual({ develop: "dev", rct: "rct", main: "prod" });
    const deploy = Object.values(w.jobs).find((j) => (j.steps ?? []).some((s) => s.uses?.startsWith("pulumi/actions@")))!;
    expect(deploy.environment).toBe("${{ matrix.environment }}");
    // The matrix's environment is the env the branch maps to: main → prod (required reviewers).
    expect(runs(w)).toContain('{stack: ., environment: $env}');
    expect(runs(w)).toContain('.[$b] // empty');
    expect(deploy.concurrency).toEqual({ group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
    const pulumi = deploy.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(pulumi.uses).toBe("pulumi/actions@v7");
    expect(pulumi.with).toMatchObject({ command: "up", "stack-name": "${{ matrix.stack }}", policyPacks: "policies" });
    expect(String(pulumi.with!["cloud-url"])).toMatch(/^gs:\/\//);
    expect(String(pulumi.with!["secrets-provider"])).toMatch(/^gcpkms:\/\//);
    expect(deploy.steps!.some((s) => s.uses === "google-github-actions/auth@v2" && "workload_identity_provider" in (s.with ?? {}))).toBe(true);
    expect(deploy.needs).toEqual(expect.arrayContaining(["verify"]));
  });

  const hasJq = spawnSync("jq", ["--version"]).status === 0;
  it.skipIf(!hasJq)("the plan step selects the stacks of the mapped env (shared ones from main only)", () => {
    const [, w] = byName("Deploy");
    const step = Object.values(w.jobs).flatMap((j) => j.steps ?? []).find((s) => (s.run ?? "").includes("BRANCH_ENVS"))!;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-plan-"));
    try {
      fs.mkdirSync(path.join(tmp, "stacks"));
      for (const s of ["quickfund-dev", "quickfund-rct", "quickfund-prod", "diaspomoney-prod", "diaspomoney-shared"]) fs.writeFileSync(path.join(tmp, "stacks", `Pulumi.${s}.yaml`), "");
      fs.writeFileSync(path.join(tmp, "stacks", "quickfund.ts"), "");
      const deploys = (branch: string) => {
        const out = path.join(tmp, `out-${branch.replace(/\W/g, "_")}`);
        fs.writeFileSync(out, "");
        const r = spawnSync("bash", ["-eo", "pipefail", "-c", step.run!], { cwd: tmp, encoding: "utf8", env: { ...process.env, GITHUB_REF_NAME: branch, GITHUB_OUTPUT: out, BRANCH_ENVS: w.env!.BRANCH_ENVS } });
        if (r.status !== 0) return { failed: r.stderr };
        const o = Object.fromEntries(fs.readFileSync(out, "utf8").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
        return { env: o.env, count: o.count, matrix: JSON.parse(o.matrix) };
      };
      expect(deploys("develop")).toEqual({ env: "dev", count: "1", matrix: { include: [{ stack: "quickfund-dev", environment: "dev" }] } });
      expect(deploys("rct")).toEqual({ env: "rct", count: "1", matrix: { include: [{ stack: "quickfund-rct", environment: "rct" }] } });
      expect(deploys("main")).toEqual({
        env: "prod",
        count: "3",
        matrix: {
          include: [
            { stack: "diaspomoney-prod", environment: "prod" },
            { stack: "diaspomoney-shared", environment: "prod" },
            { stack: "quickfund-prod", environment: "prod" },
          ],
        },
      });
      expect(deploys("feature/x")).toHaveProperty("failed");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
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

/**
 * Architecture diagrams (engine/diagram/, issue 16): what the model reads from the plans, the
 * Mermaid it writes, the marks of the pull-request block, the CLI's arguments, and the scale proof
 * (CRM Courtier with 200 firms, Mermaid's limits). Plans come from the worker's memoised previews.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError, EXIT } from "../engine/cli/args";
import { architectureSections, diffTrees } from "../engine/cli/preview-pr";
import { main as diagramMain, parseArgs } from "../engine/cli/diagram";
import {
  architectureBlock,
  architectureOfPreview,
  buildArchitecture,
  changedNeighbourhood,
  compareArchitectures,
  labelText,
  MERMAID_LIMITS,
  renderMermaid,
  sanitiseId,
  withinLimits,
  type Architecture,
} from "../engine/diagram";
import { renderMarkdownDetailed } from "../engine/diff";
import { architectureAt, stackSection } from "../engine/diff/markdown";
import { previewStack } from "../engine/preview";
import { UNKNOWN, type RecordedResource } from "../model/plan-values";
import type { StackDiff } from "../engine/diff/types";

async function arch(stack: string): Promise<Architecture> {
  return architectureOfPreview(await previewStack(stack));
}
const block = (a: Architecture, kind: string, name: string) => {
  const b = a.blocks.find((x) => x.kind === kind && x.name === name);
  if (!b) throw new Error(`no ${kind} ${name} in ${a.stack}: ${a.blocks.map((x) => `${x.kind} ${x.name}`).join(", ")}`);
  return b;
};
const edge = (a: Architecture, from: string, to: string) => a.edges.find((e) => e.from === from && e.to === to);

describe("diagram model: what the plans say", () => {
  it("quickfund-prod: the load balancer serves both Cloud Run services, the API reaches its database and bucket, keys encrypt them", async () => {
    const a = await arch("quickfund-prod");
    const lb = block(a, "HttpsLoadBalancer", "quickfund");
    const api = block(a, "CloudRunService", "quickfund-api");
    const db = block(a, "Postgres", "quickfund");
    const docs = block(a, "Bucket", "quickfund-documents");
    expect(edge(a, "x_internet", lb.id)?.kind).toBe("traffic");
    expect(edge(a, lb.id, api.id)?.label).toBe("HTTPS");
    expect(edge(a, lb.id, block(a, "CloudRunService", "quickfund-frontend").id)).toBeDefined();
    expect(edge(a, api.id, db.id)?.label).toMatch(/SQL/);
    expect(edge(a, api.id, docs.id)?.label).toBe("IAM storage.objectCreator, storage.objectViewer");
    expect(edge(a, block(a, "EncryptionKeys", "quickfund").id, db.id)?.kind).toBe("cmek");
    // Labels: tier, region and the policy flags, from the recorded inputs.
    expect(db.details).toContain("POSTGRES_16 db-custom-2-7680 REGIONAL");
    expect(db.details.join(" ")).toMatch(/encrypted \(CMEK\) · backed up · PITR · protected/);
    expect(db.stateful).toBe(true);
    // Boundaries: the database sits in the VPC, inside the project.
    const vpc = a.groups.find((g) => g.id === db.group)!;
    expect(vpc.kind).toBe("network");
    expect(a.groups.find((g) => g.id === vpc.parent)?.label).toBe("GCP project quickfund-prod-4821");
  });

  it("diaspomoney-dev: the app reaches its data on their ports with their credentials; backups go to the bucket; shared-stack namespaces are external", async () => {
    const a = await arch("diaspomoney-dev");
    const web = block(a, "WebApp", "web");
    const mongo = block(a, "MongoReplicaSet", "mongodb");
    expect(edge(a, web.id, mongo.id)?.label).toBe("27017 · credentials");
    expect(edge(a, web.id, block(a, "KafkaCluster", "kafka").id)?.label).toBe("9093 · credentials");
    expect(edge(a, mongo.id, block(a, "Bucket", "diaspomoney-dev-mongodb-backups").id)).toMatchObject({ kind: "backup", label: "backups" });
    expect(edge(a, "x_ns_traefik", web.id)?.label).toBe("3000");
    expect(edge(a, "x_ns_monitoring", mongo.id)?.kind).toBe("monitoring");
    expect(a.groups.find((g) => g.id === web.group)?.label).toBe("namespace diaspomoney-dev");
    expect(a.groups.find((g) => g.kind === "cluster")?.label).toBe("Kubernetes cluster of diaspomoney-shared");
    expect(web.details[0]).toBe("3 pods, HPA 3–6");
  });

  it("shareyoursales-prod: Workload Identity grants and the CDN's backend bucket become edges", async () => {
    const a = await arch("shareyoursales-prod");
    const product = block(a, "WebApp", "product");
    expect(edge(a, product.id, block(a, "Bucket", "shareyoursales-prod-images").id)?.label).toBe("IAM storage.objectAdmin");
    expect(edge(a, block(a, "PostgresCluster", "postgres").id, block(a, "Bucket", "shareyoursales-prod-postgres-backups").id)?.kind).toBe("backup");
    expect(edge(a, block(a, "HttpsLoadBalancer", "shareyoursales-prod-media-cdn").id, block(a, "Bucket", "shareyoursales-prod-images").id)?.label).toBe("objects");
  });

  it("diaspomoney-shared: the GKE cluster is a boundary inside the VPC; operators spread over namespaces sit at the cluster level", async () => {
    const a = await arch("diaspomoney-shared");
    const cluster = a.groups.find((g) => g.kind === "cluster")!;
    expect(cluster.label).toMatch(/^GKE diaspomoney · europe-west1 · .*private nodes · Secrets KMS-encrypted/);
    expect(a.groups.find((g) => g.id === cluster.parent)?.kind).toBe("network");
    expect(block(a, "Operators", "operators").group).toBe(cluster.id);
    expect(a.groups.find((g) => g.id === block(a, "MonitoringStack", "monitoring").group)?.label).toBe("namespace monitoring");
    expect(a.blocks.some((b) => b.kind === "GkeCluster" || b.kind === "IsolatedNamespace" || b.kind === "NetworkFlows")).toBe(false);
  });

  it("collapses CRM Courtier's firms into one block with a count, and says how many firms each shard holds", async () => {
    const a = await arch("crm-courtier-prod");
    expect(a.tenants).toBe(20);
    const firms = a.blocks.filter((b) => b.kind === "tenants");
    expect(firms.map((b) => b.name)).toEqual(["firms ×20"]);
    const shards = a.blocks.filter((b) => b.kind === "MariadbShard");
    const counts = shards.map((s) => Number(/(\d+) firms?/.exec(s.details.join(" "))?.[1]));
    expect(counts.reduce((x, y) => x + y, 0)).toBe(20);
    expect(a.blocks.some((b) => /cabinet-/.test(b.id))).toBe(false);
  });

  it("is deterministic: the same plan in any order draws the same text", async () => {
    const p = await previewStack("shareyoursales-dev");
    const once = renderMermaid(architectureOfPreview(p));
    const shuffled = [...p.evaluation.resources].reverse();
    expect(renderMermaid(buildArchitecture({ stack: p.stack, resources: shuffled, outputs: p.evaluation.outputs }))).toBe(once);
  });

  it("never prints an unknown value, a secret wrapper or a value of a Secret", async () => {
    for (const stack of ["quickfund-prod", "diaspomoney-prod", "crm-courtier-prod"]) {
      const p = await previewStack(stack);
      const text = renderMermaid(architectureOfPreview(p));
      expect(text).not.toContain(UNKNOWN);
      expect(text).not.toMatch(/ciphertext|\[secret\]|4dabf18193072939515e22adb298388d/);
      for (const r of p.evaluation.resources.filter((x) => x.type === "kubernetes:core/v1:Secret")) {
        for (const v of Object.values((r.inputs.stringData ?? {}) as Record<string, unknown>)) if (typeof v === "string" && v.length > 12) expect(text).not.toContain(v);
      }
    }
  });
});

describe("diagram Mermaid text", () => {
  it("sanitises ids and labels: no keyword can be an id, no quote or HTML can break out", () => {
    expect(sanitiseId("c", "end")).toBe("c_end");
    expect(sanitiseId("c", "WebApp my.app/v2")).toBe("c_WebApp_my_app_v2");
    expect(labelText('a "quoted" <script>x</script> #1; [b] | c')).toBe("a 'quoted' scriptx/script 1 b c");
    const a: Architecture = { stack: "s", groups: [], blocks: [{ id: "c_x", kind: "WebApp", name: 'evil"]; click c_x call alert()', details: [], fingerprint: "" }], edges: [] };
    const text = renderMermaid(a);
    expect(text).toContain(`c_x["WebApp evil' click c_x call alert()"]`);
    expect(text.split("\n").filter((l) => l.trim().startsWith("click"))).toEqual([]);
  });

  it("the largest stack's diagram stays under Mermaid's limits (maxTextSize 50,000, maxEdges 500; every stack: diagram-fresh.test.ts)", async () => {
    const a = await arch("shareyoursales-prod");
    const text = renderMermaid(a);
    expect(withinLimits(text, a)).toMatchObject({ ok: true });
    expect(text.length).toBeLessThan(MERMAID_LIMITS.maxTextSize / 2);
  });

  it("CRM Courtier with 200 firms draws the same blocks and flows as with 20, one firms block ×200, under the limits", async () => {
    const p = await previewStack("crm-courtier-prod");
    const { resources, outputs } = withSyntheticFirms(p.evaluation.resources, p.evaluation.outputs, 200);
    const a20 = architectureOfPreview(p);
    const a200 = buildArchitecture({ stack: p.stack, resources, outputs });
    expect(resources.length).toBeGreaterThan(p.evaluation.resources.length + 1000);
    expect(a200.tenants).toBe(200);
    expect(a200.blocks.map((b) => b.id)).toEqual(a20.blocks.map((b) => b.id));
    expect(a200.edges.length).toBe(a20.edges.length);
    expect(a200.blocks.find((b) => b.kind === "tenants")?.name).toBe("firms ×200");
    const text = renderMermaid(a200);
    expect(withinLimits(text, a200).ok).toBe(true);
    expect(text.length).toBeLessThan(MERMAID_LIMITS.maxTextSize / 4);
  });
});

/**
 * The 20-firm plan with `n` firms: every resource of firm `cabinet-01` copied under a new id (as
 * the stack would make it: stacks/crm-courtier.ts names every firm child from the firm's id alone).
 */
function withSyntheticFirms(resources: readonly RecordedResource[], outputs: Record<string, unknown>, n: number): { resources: RecordedResource[]; outputs: Record<string, unknown> } {
  const firms = { ...(outputs.firms as Record<string, unknown>) };
  const template = "cabinet-01";
  const own = resources.filter((r) => r.urn.includes(`-${template}`) || r.urn.endsWith(template));
  const out = [...resources];
  for (let k = Object.keys(firms).length + 1; k <= n; k++) {
    const id = `synthetic-${k}`;
    for (const r of own) out.push(JSON.parse(JSON.stringify(r).split(template).join(id)) as RecordedResource);
    firms[id] = firms[template];
  }
  return { resources: out, outputs: { ...outputs, firms } };
}

describe("diagram marks for the pull-request comment", () => {
  it("marks an added block and its flows, a changed block, a removed block", async () => {
    const head = await arch("quickfund-prod");
    const bucket = block(head, "Bucket", "quickfund-documents");
    const db = block(head, "Postgres", "quickfund");
    const base: Architecture = {
      ...head,
      blocks: head.blocks.filter((b) => b.id !== bucket.id).map((b) => (b.id === db.id ? { ...b, fingerprint: "older" } : b)).concat([{ id: "c_Bucket_old", kind: "Bucket", name: "old", details: [], fingerprint: "x", group: bucket.group! }]),
      edges: head.edges.filter((e) => e.from !== bucket.id && e.to !== bucket.id),
    };
    const m = compareArchitectures(base, head);
    expect(m.counts).toEqual({ added: 1, changed: 1, removed: 1 });
    expect(m.marks.blocks).toMatchObject({ [bucket.id]: "added", [db.id]: "changed", c_Bucket_old: "removed" });
    const text = renderMermaid(m.architecture, { marks: m.marks });
    expect(text).toContain(`class ${bucket.id} added`);
    expect(text).toMatch(/class .*c_Bucket_old.* removed/);
    expect(text).toMatch(/linkStyle [\d,]+ stroke:#1a7f37/);
    expect(text).toContain('c_Bucket_old["REMOVED: Bucket old"]');
    // The compact form keeps what changed and its neighbours only.
    const small = changedNeighbourhood(m).architecture;
    expect(small.blocks.map((b) => b.id)).toContain(bucket.id);
    expect(small.edges.length).toBeLessThan(m.architecture.edges.length);
    expect(small.blocks.every((b) => m.marks.blocks[b.id] || small.edges.some((e) => e.from === b.id || e.to === b.id))).toBe(true);
  });

  it("draws the block from two saved plans (PreviewDigest): the base without the documents bucket, the head with it", async () => {
    const p = await previewStack("quickfund-prod");
    const base = { ...p.digest, steps: p.digest.steps.filter((st) => !st.urn.includes("quickfund-documents")) };
    const b = architectureBlock("quickfund-prod", base, p.digest)!;
    expect(b.full).toMatch(/^<details><summary>Architecture after this change: 1 added, \d+ changed, 0 removed block\(s\)<\/summary>\n\n```mermaid\nflowchart LR\n/);
    expect(b.full).toContain("class c_Bucket_quickfund_documents added");
    expect(b.compact.length).toBeLessThan(b.full.length);
    expect(architectureBlock("quickfund-prod", p.digest, undefined)).toBeUndefined();
    // A new stack: everything is added.
    expect(architectureBlock("quickfund-prod", undefined, p.digest)!.full).toMatch(/Architecture after this change: \d+ added, 0 changed, 0 removed/);
  });

  it("preview:pr gives every changed stack with a head plan its block, and none to an unchanged or deleted one", async () => {
    const p = await previewStack("quickfund-prod");
    const without = { ...p.digest, steps: p.digest.steps.filter((st) => !st.urn.includes("quickfund-documents")) };
    const tree = (plans: [string, typeof p.digest][]) => ({ plans: new Map(plans), failed: new Map<string, string>(), noCli: false, stacks: plans.map(([s]) => s), ms: 0 });
    const base = tree([["quickfund-prod", without], ["quickfund-dev", p.digest], ["gone-dev", p.digest]]);
    const head = tree([["quickfund-prod", p.digest], ["quickfund-dev", p.digest]]);
    const sections = architectureSections(diffTrees(base, head), base, head);
    expect(Object.keys(sections)).toEqual(["quickfund-prod"]);
    expect(sections["quickfund-prod"]!.full).toContain("class c_Bucket_quickfund_documents added");
  });

  it("puts a collapsed block in the stack's section, compact when the comment must shrink, then a note", () => {
    const d: StackDiff = {
      stack: "quickfund-prod",
      base: { present: true, resources: 1 },
      head: { present: true, resources: 2 },
      resources: [{ kind: "create", urn: "urn:pulumi:s::p::gcp:storage/bucket:Bucket::b", type: "gcp:storage/bucket:Bucket", name: "b", custom: true, properties: [], options: [] }],
      counts: { create: 1, update: 0, delete: 0, rename: 0 },
      flags: [],
      policies: { introduced: [], fixed: [], headMandatory: 0 },
      outputs: [],
      config: [],
      secretsNotCompared: 0,
      notes: [],
    };
    const section = { full: "<details><summary>Architecture after this change: FULL</summary>", compact: "<details><summary>Architecture after this change: SMALL</summary>" };
    expect(stackSection(d, 0, undefined, section)).toContain("FULL");
    expect(stackSection(d, 4, undefined, section)).toContain("SMALL");
    expect(architectureAt(section, 6)).toContain("SMALL");
    expect(architectureAt(section, 7)).toMatch(/omitted to fit/);
    const big = { full: `x${"y".repeat(70_000)}`, compact: "SMALL-ONE" };
    const r = renderMarkdownDetailed([d], { architecture: { "quickfund-prod": big } });
    expect(r.markdown.length).toBeLessThanOrEqual(60_000);
    expect(r.markdown).toContain("SMALL-ONE");
  });
});

describe("npm run diagram: arguments and --check", () => {
  const usage = (argv: string[]) => {
    try {
      parseArgs(argv);
    } catch (e) {
      if (e instanceof CliError) return e;
      throw e;
    }
    throw new Error(`${argv.join(" ")} was accepted`);
  };

  it("refuses svg (no renderer here), an unknown format, stacks with --all, nothing, an unknown stack", () => {
    expect(usage(["quickfund-dev", "--format", "svg"]).message).toMatch(/Chromium/);
    expect(usage(["quickfund-dev", "--format", "png"]).message).toMatch(/expected mermaid/);
    expect(usage(["--all", "quickfund-dev"]).message).toMatch(/not both/);
    expect(usage([]).message).toMatch(/no stack given/);
    expect(usage(["nope-dev"]).code).toBe(EXIT.usage);
    expect(usage(["quickfund-dev", "--out", "/proc/x"]).message).toMatch(/refusing to write under \/proc/);
  });

  it("writes a page, then --check passes; a stale page fails --check with exit 1 naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "diagram-"));
    const lines: string[] = [];
    const sink = (s: string) => void lines.push(s);
    expect(await diagramMain(["quickfund-dev", "--check", "--out", dir], sink, sink)).toBe(EXIT.findings);
    expect(lines.join("\n")).toMatch(/quickfund-dev\.md: out of date/);
    expect(await diagramMain(["quickfund-dev", "--out", dir], sink, sink)).toBe(EXIT.ok);
    const page = readFileSync(join(dir, "quickfund-dev.md"), "utf8");
    expect(page).toMatch(/^# Architecture of `quickfund-dev`/);
    expect(page).toContain("```mermaid\nflowchart LR\n  %% quickfund-dev: generated by npm run diagram");
    lines.length = 0;
    expect(await diagramMain(["quickfund-dev", "--check", "--out", dir], sink, sink)).toBe(EXIT.ok);
    expect(lines.join("\n")).toMatch(/all pages current/);
  });
});

/**
 * `npm run diagram -- <stack>... | --all [--out DIR] [--format mermaid] [--check]`: one architecture
 * diagram per stack, drawn from its offline plan (engine/diagram/), written as
 * `<DIR>/<stack>.md` (default docs/architecture/, which GitHub renders), with an index page when
 * every stack is drawn. `--check` writes nothing and exits 1 naming each page that differs from
 * its plan (or that no stack draws any more).
 *
 * Only Mermaid: an SVG needs a renderer, and the maintained one (@mermaid-js/mermaid-cli) drives a
 * headless Chromium, which neither this repository's dependencies nor an offline CI machine have.
 *
 * Exit codes: 0 written (or current), 1 a page is stale (`--check`) or a diagram exceeds Mermaid's
 * limits, 2 usage or config error, 3 program failure.
 */
// First: defers the SDK's load-time imports of typescript and arborist (engine/fast-load.ts).
import "../fast-load";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { architectureOfPreview, DOCS_DIR, pageDiagram, renderPage, withinLimits, MERMAID_LIMITS, type Architecture } from "../diagram";
import { previewStack, StackUsageError } from "../preview";
import { StackConfigError } from "../../stacks/config";
import { checkOutputPath, CliError, EXIT, parseCli, runMain } from "./args";
import { selectStacks } from "./stack-args";

const USAGE = "usage: npm run diagram -- <stack>... | --all [--out DIR] [--format mermaid] [--check]";

export interface DiagramArgs {
  stacks: string[];
  all: boolean;
  out: string;
  check: boolean;
}

export function parseArgs(argv: readonly string[]): DiagramArgs {
  const p = parseCli(argv, { all: "boolean", out: "string", format: "string", check: "boolean" });
  if (p.help) throw new CliError(USAGE, EXIT.ok);
  const format = p.values.format ?? "mermaid";
  if (format === "svg") throw new CliError("--format svg: not available; the maintained renderer (@mermaid-js/mermaid-cli) needs a headless Chromium this repository does not install. GitHub renders the Mermaid pages natively");
  if (format !== "mermaid") throw new CliError(`--format ${format}: expected mermaid`);
  const stacks = selectStacks(p, USAGE);
  const out = p.values.out ?? DOCS_DIR;
  checkOutputPath(out, "--out", "dir");
  return { stacks: [...new Set(stacks)].sort(), all: p.flags.all === true, out, check: p.flags.check === true };
}

/** The index page listing every stack's diagram. */
export function renderIndex(archs: readonly Architecture[]): string {
  const rows = [...archs].sort((x, y) => (x.stack < y.stack ? -1 : 1)).map((a) => `| [\`${a.stack}\`](${a.stack}.md) | ${a.blocks.filter((b) => !b.external).length} | ${a.edges.length} | ${pageDiagram(a).length.toLocaleString("en-US")} |`);
  return [
    "# Architecture diagrams",
    "",
    "One page per stack, drawn from its offline plan by `npm run diagram -- --all` (engine/diagram/). Do not edit:",
    "a test (tests/diagram-fresh.test.ts) fails when a page differs from its plan; `npm run diagram -- --all --check`",
    "says which.",
    "",
    "| stack | blocks | flows | Mermaid characters |",
    "|---|--:|--:|--:|",
    ...rows,
    "",
    "## How a diagram is drawn",
    "",
    "- **Blocks** are the stack's components (`platform:*` types), not their child resources; a component made of",
    "  components (a `Monolith` of Cloud Run services) is a box around them. Namespaces, NetworkFlows, the shared",
    "  stack reference, API enablement and the cluster and VPC themselves are boundaries or edges, not blocks.",
    "- **Boundaries**: GCP project, then VPC (a block whose resources depend on the network), then the Kubernetes",
    "  cluster (this stack's GKE cluster, or the one the shared stack gives), then the namespace where the block's",
    "  pods run. A namespace another stack owns (Traefik's, Prometheus', an operator's) is a rounded external node.",
    "- **Flows**: the NetworkPolicies' rules with their ports; a pod's Secrets and `<svc>.<ns>.svc` settings",
    "  (credentials); IAM grants, followed through Workload Identity to the pods that use the account (backups",
    "  to their bucket are thick arrows); dependencies between GCP resources (load balancer → service, service",
    "  → database); CMEK keys; Cloud Monitoring alerts and Prometheus scrapes.",
    "- **Labels**: replicas (pods, HPA / KEDA ranges, operator members), tiers and chart versions, regions, and",
    "  the flags the policies care about: encrypted (CMEK) or TLS, backed up, PITR, versioned, protected.",
    "- **Tenants**: a stack output `firms` (or `tenants`) keyed by id collapses every resource named after a",
    "  tenant into one `firms ×N` block, and each block says how many firms it serves: CRM Courtier draws the",
    "  same blocks and flows with 20 firms or 200.",
    "- **Limits**: GitHub renders with Mermaid's defaults, `maxTextSize` 50,000 characters and `maxEdges` 500",
    "  (mermaid.js.org/config/schema-docs/config.html); `npm run diagram` exits 1 when a diagram exceeds either.",
    "- **SVG**: not produced. The maintained renderer, @mermaid-js/mermaid-cli, drives a headless Chromium",
    "  through Puppeteer, which this repository does not depend on and an offline CI machine cannot download.",
    "",
  ].join("\n");
}

export const INDEX_PAGE = "README.md";

/** Every page `--all` produces, by file name. */
export function pagesFor(archs: readonly Architecture[], all: boolean): Map<string, string> {
  const pages = new Map(archs.map((a) => [`${a.stack}.md`, renderPage(a)]));
  if (all) pages.set(INDEX_PAGE, renderIndex(archs));
  return pages;
}

export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  const args = parseArgs(argv);
  const archs: Architecture[] = [];
  for (const stack of args.stacks) {
    try {
      archs.push(architectureOfPreview(await previewStack(stack)));
    } catch (e) {
      if (e instanceof StackUsageError || e instanceof StackConfigError) throw new CliError(e.message.split("\n")[0]!);
      throw e;
    }
  }
  const pages = pagesFor(archs, args.all);
  let stale = 0;
  let tooBig = 0;
  if (!args.check) mkdirSync(args.out, { recursive: true });
  for (const a of archs) {
    const limits = withinLimits(pageDiagram(a), a);
    if (!limits.ok) {
      tooBig++;
      err(`${a.stack}: ${limits.chars} characters and ${limits.edges} edges exceed Mermaid's limits (${MERMAID_LIMITS.maxTextSize} characters, ${MERMAID_LIMITS.maxEdges} edges)`);
    }
  }
  for (const [name, text] of pages) {
    const file = path.join(args.out, name);
    const current = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    if (current === text) continue;
    stale++;
    if (args.check) err(`${path.relative(process.cwd(), file) || file}: out of date with its plan; run npm run diagram -- ${args.all ? "--all" : name.replace(/\.md$/, "")}`);
    else {
      writeFileSync(file, text);
      out(`wrote ${path.relative(process.cwd(), file) || file}`);
    }
  }
  // With --all, a page no stack draws any more is an orphan.
  if (args.all && existsSync(args.out)) {
    for (const name of readdirSync(args.out).filter((f) => f.endsWith(".md") && !pages.has(f)).sort()) {
      stale++;
      if (args.check) err(`${path.join(args.out, name)}: no stack draws it any more; run npm run diagram -- --all to delete it`);
      else {
        rmSync(path.join(args.out, name));
        out(`deleted ${path.join(args.out, name)}`);
      }
    }
  }
  const largest = [...archs].map((a) => ({ stack: a.stack, chars: pageDiagram(a).length, edges: a.edges.length })).sort((x, y) => y.chars - x.chars)[0];
  if (largest) out(`${archs.length} diagram(s); largest ${largest.stack}: ${largest.chars} characters, ${largest.edges} edges (Mermaid's limits: ${MERMAID_LIMITS.maxTextSize}, ${MERMAID_LIMITS.maxEdges})${stale === 0 ? "; all pages current" : ""}`);
  if (tooBig) return EXIT.findings;
  return args.check && stale ? EXIT.findings : EXIT.ok;
}

if (require.main === module) runMain("diagram", () => main(process.argv.slice(2)));

import { describe, expect, it } from "vitest";
import { COMMENT_MARKER, GITHUB_COMMENT_LIMIT, MAX_LEVEL, diffDigests, renderMarkdown, renderMarkdownDetailed, renderTerminal } from "../../engine/diff";
import type { PreviewDigest } from "../../engine/digest";
import { fixture, plan } from "./helpers";

/** A stack whose every resource changes `props` properties (and, if asked, loses its protection). */
function bigPair(stack: string, resources: number, props: number, danger = false): [PreviewDigest, PreviewDigest] {
  const mk = (v: number) =>
    plan(
      stack,
      Array.from({ length: resources }, (_, i) => ({
        type: "kubernetes:apps/v1:Deployment",
        name: `service-${String(i).padStart(4, "0")}-with-a-long-descriptive-name`,
        protect: danger && v === 0 ? true : undefined,
        inputs: {
          metadata: { name: `svc-${i}`, labels: Object.fromEntries(Array.from({ length: props }, (_, k) => [`label-${k}`, `value-${v}-${k}-padding-padding-padding`])) },
          spec: { replicas: danger && v === 1 ? 1 : 3 },
        },
      })),
      { outputs: Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`out${k}`, `o-${v}-${k}`])) },
    );
  return [mk(0), mk(1)];
}

describe("markdown comment", () => {
  it("has the marker, a summary table and a collapsed section per stack", () => {
    const md = renderMarkdown([diffDigests(fixture("base"), fixture("head-changes")), diffDigests(fixture("base"), fixture("base"), { stack: "quickfund-dev" })], {
      title: "Offline preview",
    });
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md).toContain("| stack | + | ~ | - | danger | new violations |");
    expect(md).toContain("| quickfund-prod | 1 | 5 | 2 | **9** | **1 (1 mandatory)** |");
    expect(md).toMatch(/<details open><summary><b>quickfund-prod<\/b>/);
    expect(md).toContain("1 other stack(s) unchanged");
    expect(md).not.toContain("quickfund-dev |");
    // Every fence is closed and every section too.
    expect((md.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect((md.match(/<details/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
  });

  it("says so when nothing changed", () => {
    const md = renderMarkdown([diffDigests(fixture("base"), fixture("base"))]);
    expect(md).toContain("No stack changes");
  });

  it("escapes names from plans: no HTML, no mentions, no fence breaks", () => {
    const evil = "x</details><img src=x>@octocat```";
    const d = diffDigests(plan("s", []), plan("s", [{ type: "gcp:storage/bucket:Bucket", name: evil, inputs: { note: "@octocat ```\n</details>" } }]), { stack: "s" });
    d.flags.push({ kind: "policy-introduced", level: "warning", name: evil, message: "see @octocat <b>now</b>" });
    const md = renderMarkdown([d]);
    // Inside fences and code spans text is inert; everywhere else it must be escaped.
    const prose = md.replace(/^```[\s\S]*?^```/gm, "").replace(/(`+)[^`]*?\1/g, "");
    expect(prose).not.toContain("<img");
    expect(prose).not.toContain("<b>now");
    expect(prose).not.toContain("@octocat");
    expect(md).not.toContain("@octocat```");
    expect((prose.match(/<\/details>/g) ?? []).length).toBe(1);
  });

  it("stays under GitHub's 65,536-character limit with a huge diff, keeping dangers and the table", () => {
    const stacks = ["quickfund", "diaspomoney", "shareyoursales", "crm-courtier", "cryptocare"].flatMap((p) => ["dev", "rct", "prod"].map((e) => `${p}-${e}`));
    const diffs = stacks.map((s) => {
      const [b, h] = bigPair(s, 300, 12, s === "diaspomoney-prod");
      return diffDigests(b, h, { stack: s });
    });
    const full = renderTerminal(diffs);
    expect(full.length).toBeGreaterThan(2_000_000);
    const started = Date.now();
    const { markdown, levels, truncated } = renderMarkdownDetailed(diffs);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(markdown.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(truncated).toBe(false);
    for (const s of stacks) expect(markdown).toContain(`| ${s} |`);
    // The danger stack is the most important: it is summarised last and least.
    const dangerLevel = levels["diaspomoney-prod"];
    for (const s of stacks) expect(levels[s]).toBeGreaterThanOrEqual(dangerLevel);
    expect(markdown).toContain("**replicas lowered**");
    expect(markdown).toContain("Some details were summarised");
    expect((markdown.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  it("summarises the least important parts first: one level at a time, least important stack first", () => {
    const stacks = ["quickfund-dev", "quickfund-rct", "quickfund-prod"];
    const diffs = stacks.map((s) => {
      const [b, h] = bigPair(s, 10, 6);
      return diffDigests(b, h, { stack: s });
    });
    const full = renderMarkdownDetailed(diffs, { budget: 1_000_000 });
    expect(Object.values(full.levels)).toEqual([0, 0, 0]);
    // A budget a little under the full size: only the outputs of the dev stack (least important) go.
    const small = renderMarkdownDetailed(diffs, { budget: full.markdown.length - 500 });
    expect(small.levels).toEqual({ "quickfund-dev": 1, "quickfund-rct": 0, "quickfund-prod": 0 });
    expect(small.markdown).toMatch(/Outputs\*\*: 50 changes \(summarised\)/);
    expect(small.markdown.length).toBeLessThanOrEqual(full.markdown.length - 500);
    // Tighter: every stack goes through a level before any stack reaches the next.
    for (const budget of [20_000, 10_000, 5_000, 3_000]) {
      const r = renderMarkdownDetailed(diffs, { budget });
      expect(r.markdown.length).toBeLessThanOrEqual(budget);
      const ls = stacks.map((s) => r.levels[s]);
      expect(Math.max(...ls) - Math.min(...ls)).toBeLessThanOrEqual(1);
      expect(ls[0]).toBeGreaterThanOrEqual(ls[2]); // dev summarised at least as much as prod
    }
  });

  it("drops whole sections only after the most summarised level, and never the table", () => {
    const diffs = Array.from({ length: 400 }, (_, i) => {
      const [b, h] = bigPair(`stack-${i}-dev`, 3, 2);
      return diffDigests(b, h, { stack: `stack-${i}-dev` });
    });
    const r = renderMarkdownDetailed(diffs, { budget: 30_000 });
    expect(r.markdown.length).toBeLessThanOrEqual(30_000);
    expect(Object.values(r.levels).every((l) => l === MAX_LEVEL)).toBe(true);
    expect(r.markdown).toContain("| stack-0-dev |");
  });
});

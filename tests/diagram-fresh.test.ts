/**
 * The committed architecture pages (docs/architecture/) are what the plans draw: a change that
 * moves a block or a flow must regenerate them (`npm run diagram -- --all`). The plans are the
 * worker's memoised previews, which the stack tests compute anyway, so this costs the drawing only.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pagesFor } from "../engine/cli/diagram";
import { architectureOfPreview, DOCS_DIR, pageDiagram, pagePath, withinLimits } from "../engine/diagram";
import { previewStack } from "../engine/preview";
import { allStacks } from "../stacks/registry";

describe("docs/architecture is current", () => {
  it("every stack's page, and the index, equal what its plan draws; no orphan page; every diagram within Mermaid's limits", async () => {
    const archs = [];
    for (const stack of allStacks()) archs.push(architectureOfPreview(await previewStack(stack)));
    const pages = pagesFor(archs, true);
    const stale: string[] = [];
    for (const [name, text] of pages) {
      const file = `${DOCS_DIR}/${name}`;
      if (!existsSync(file) || readFileSync(file, "utf8") !== text) stale.push(name);
    }
    expect(stale, "out of date with its plan: run npm run diagram -- --all").toEqual([]);
    const orphans = readdirSync(DOCS_DIR).filter((f) => f.endsWith(".md") && !pages.has(f));
    expect(orphans, "no stack draws these: run npm run diagram -- --all").toEqual([]);
    expect(existsSync(pagePath(allStacks()[0]!))).toBe(true);
    // GitHub renders with Mermaid's defaults: maxTextSize 50,000 characters, maxEdges 500.
    const over = archs.filter((a) => !withinLimits(pageDiagram(a), a).ok).map((a) => a.stack);
    expect(over).toEqual([]);
  });
});

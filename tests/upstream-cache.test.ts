import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { upstreamResources } from "../engine/deployability/upstream";
import { sourceFingerprint } from "../engine/source-fingerprint";

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
afterEach(() => {
  delete process.env.PLATFORM_INFRA_CACHE;
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "fingerprint-"));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("sourceFingerprint", () => {
  const base = { "components/a.ts": "export const a = 1;\n", "vendor/crds/x.yaml": "kind: X\n", "Pulumi.yaml": "name: p\n" };

  it("is the same for the same content, wherever the tree lives", () => {
    expect(sourceFingerprint(tree(base))).toBe(sourceFingerprint(tree(base)));
  });

  it("changes with a source file, a vendored file, the project file or a new file", () => {
    const before = sourceFingerprint(tree(base));
    expect(sourceFingerprint(tree({ ...base, "components/a.ts": "export const a = 2;\n" }))).not.toBe(before);
    expect(sourceFingerprint(tree({ ...base, "vendor/crds/x.yaml": "kind: Y\n" }))).not.toBe(before);
    expect(sourceFingerprint(tree({ ...base, "Pulumi.yaml": "name: q\n" }))).not.toBe(before);
    expect(sourceFingerprint(tree({ ...base, "stacks/new.ts": "" }))).not.toBe(before);
  });

  it("ignores tests, prose and hidden files, which no evaluation reads", () => {
    const before = sourceFingerprint(tree(base));
    expect(sourceFingerprint(tree({ ...base, "components/a.test.ts": "x", "components/README.md": "y" }))).toBe(before);
    // A README example test's transient file, written next to a component while others walk the tree.
    expect(sourceFingerprint(tree({ ...base, "components/.readme-example-123.ts": "x" }))).toBe(before);
  });
});

describe("upstream plans kept by content", () => {
  it("gives an env stack the same upstream resources from the cache as from a fresh evaluation", async () => {
    const first = await upstreamResources("diaspomoney-dev"); // evaluated (or read, on a rerun)
    const cached = await upstreamResources("diaspomoney-dev"); // read from the cache
    process.env.PLATFORM_INFRA_CACHE = "off";
    const fresh = await upstreamResources("diaspomoney-dev");
    expect(first.stacks).toEqual(["diaspomoney-shared"]);
    expect(cached.resources).toEqual(fresh.resources);
    expect(first.resources).toEqual(fresh.resources);
    expect(fresh.resources.some((r) => r.type === "gcp:container/nodePool:NodePool")).toBe(true);
  });
});

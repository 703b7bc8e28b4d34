/**
 * `npm run generate`: one command owns every generated file. The committed tree is current, and on
 * a scratch directory the command finds a stale file, a missing one and an orphan, then fixes them.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate, GENERATORS, type Generator } from "../engine/cli/generate";

describe("npm run generate", () => {
  it("finds every generated file of this checkout current, with no orphan", () => {
    expect(GENERATORS.map((g) => g.name)).toEqual(["stack schemas", "policy configs", "rule table"]);
    expect(generate(true)).toEqual({ stale: [], orphans: [] });
  }, 60_000);

  it("reports stale, missing and orphaned files under --check without writing, then fixes them", () => {
    const dir = mkdtempSync(join(tmpdir(), "generate-"));
    const gen: Generator = {
      name: "fixture",
      from: "a test",
      files: () => [
        { path: join(dir, "a.json"), text: "A\n" },
        { path: join(dir, "b.json"), text: "B\n" },
      ],
      owns: { dir, pattern: /\.json$/ },
    };
    writeFileSync(join(dir, "a.json"), "old\n");
    writeFileSync(join(dir, "gone.json"), "left behind by a removed stack\n");
    writeFileSync(join(dir, "notes.txt"), "not the generator's\n");

    const checked = generate(true, [gen]);
    expect(checked).toEqual({ stale: [join(dir, "a.json"), join(dir, "b.json")], orphans: [join(dir, "gone.json")] });
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("old\n");
    expect(existsSync(join(dir, "b.json"))).toBe(false);

    generate(false, [gen]);
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("A\n");
    expect(readFileSync(join(dir, "b.json"), "utf8")).toBe("B\n");
    expect(existsSync(join(dir, "gone.json"))).toBe(false);
    expect(existsSync(join(dir, "notes.txt"))).toBe(true);
    expect(generate(true, [gen])).toEqual({ stale: [], orphans: [] });
  });
});

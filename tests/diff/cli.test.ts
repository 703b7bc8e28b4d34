import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main, parseArgs } from "../../engine/cli/diff";
import { FIXTURES } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "diff-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("npm run diff", () => {
  it("parses its arguments", () => {
    expect(parseArgs(["a.json", "b.json"])).toEqual({ base: "a.json", head: "b.json", format: "terminal" });
    expect(parseArgs(["a", "b", "--format=markdown", "--out", "x.md", "--budget", "20000"])).toEqual({ base: "a", head: "b", format: "markdown", out: "x.md", budget: 20000 });
  });

  it("exits 2 on usage errors and unreadable plans", () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(main([])).toBe(2);
      expect(main(["a.json"])).toBe(2);
      expect(main(["a.json", "b.json", "--format", "html"])).toBe(2);
      expect(main([path.join(FIXTURES, "base.json"), path.join(tmp, "missing.json")])).toBe(2);
      fs.writeFileSync(path.join(tmp, "not-a-plan.json"), "{}");
      expect(main([path.join(FIXTURES, "base.json"), path.join(tmp, "not-a-plan.json")])).toBe(2);
      expect(main([path.join(FIXTURES, "base.json"), FIXTURES])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });

  it("writes markdown for two plan files", () => {
    const out = path.join(tmp, "c.md");
    expect(main([path.join(FIXTURES, "base.json"), path.join(FIXTURES, "head-rename.json"), "--format", "markdown", "--out", out])).toBe(0);
    const md = fs.readFileSync(out, "utf8");
    expect(md).toContain("| quickfund-prod | 1 | 0 | 1 | **1** | 0 |");
    expect(md).toContain('`aliases: [{ name: "orders-instance" }]`');
  });

  it("compares two directories of plans, stack by stack", () => {
    const b = path.join(tmp, "base");
    const h = path.join(tmp, "head");
    fs.mkdirSync(b);
    fs.mkdirSync(h);
    fs.copyFileSync(path.join(FIXTURES, "base.json"), path.join(b, "quickfund-prod.json"));
    fs.copyFileSync(path.join(FIXTURES, "head-changes.json"), path.join(h, "quickfund-prod.json"));
    fs.copyFileSync(path.join(FIXTURES, "base.json"), path.join(b, "quickfund-rct.json"));
    fs.copyFileSync(path.join(FIXTURES, "base.json"), path.join(h, "quickfund-rct.json"));
    fs.copyFileSync(path.join(FIXTURES, "secrets-head.json"), path.join(h, "cryptocare-dev.json"));
    const out = path.join(tmp, "dirs.json");
    expect(main([b, h, "--format", "json", "--out", out])).toBe(0);
    const j = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(j.summary.map((s: { stack: string }) => s.stack)).toEqual(["cryptocare-dev", "quickfund-prod"]);
    expect(j.unchanged).toEqual(["quickfund-rct"]);
    expect(j.stacks[0].notes).toEqual(["base: no plan in base (new stack)"]);
  });
});

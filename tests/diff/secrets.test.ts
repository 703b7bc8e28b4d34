import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../engine/cli/diff";
import { diffDigests, renderJson, renderMarkdown, renderTerminal, type StackDiff } from "../../engine/diff";
import { PLANTED } from "./fixtures/generate";
import { FIXTURES, SECRET, fixture, plan } from "./helpers";

function allOutputs(diffs: StackDiff[]): string {
  return [JSON.stringify(diffs), renderJson(diffs), renderMarkdown(diffs), renderMarkdown(diffs, { budget: 2_000 }), renderTerminal(diffs, { color: true, showUnchanged: true })].join("\n");
}

describe("secrets never appear in any output", () => {
  it("the planted values are in the fixtures (so the test can fail)", () => {
    const raw = fs.readFileSync(path.join(FIXTURES, "secrets-base.json"), "utf8") + fs.readFileSync(path.join(FIXTURES, "secrets-head.json"), "utf8");
    for (const p of PLANTED) expect(raw).toContain(p);
  });

  it("in either direction, in every renderer", () => {
    const diffs = [
      diffDigests(fixture("secrets-base"), fixture("secrets-head")),
      diffDigests(fixture("secrets-head"), fixture("secrets-base")),
      diffDigests(undefined, fixture("secrets-base"), { stack: "new" }),
      diffDigests(fixture("secrets-base"), undefined, { stack: "gone" }),
    ];
    const out = allOutputs(diffs.slice(0, 2));
    for (const p of PLANTED) expect(out).not.toContain(p);
    // A one-sided diff may print a plain config value (PLANTED[3] is plain in base); nothing else.
    const oneSided = allOutputs(diffs.slice(2));
    for (const p of PLANTED.slice(0, 3)) expect(oneSided).not.toContain(p);
    // What can be said is said.
    expect(out).toContain("now a secret (values not shown)");
    expect(out).toContain("no longer a secret (values not shown)");
    expect(out).toContain("[secret] added");
  });

  it("hides plain values under sensitive keys, and secrets nested in shown objects", () => {
    const base = plan("s", [{ type: "gcp:sql/user:User", name: "u", inputs: { password: "PLAIN-PW-A", db: { apiKey: "PLAIN-KEY-A", host: "h1" }, items: [{ name: "x", token: "TOK-A" }] } }]);
    const head = plan("s", [
      { type: "gcp:sql/user:User", name: "u", inputs: { password: "PLAIN-PW-B", db: { apiKey: "PLAIN-KEY-B", host: "h2" }, items: [{ name: "y", token: "TOK-B", pass: SECRET }] } },
    ]);
    const d = diffDigests(base, head);
    const out = allOutputs([d]);
    for (const s of ["PLAIN-PW-A", "PLAIN-PW-B", "PLAIN-KEY-A", "PLAIN-KEY-B", "TOK-A", "TOK-B"]) expect(out).not.toContain(s);
    expect(out).toContain("h1");
    expect(out).toContain("h2");
  });

  it("through the CLI, in every format", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-secrets-"));
    try {
      for (const format of ["terminal", "markdown", "json"]) {
        const out = path.join(dir, `out.${format}`);
        const code = main([path.join(FIXTURES, "secrets-base.json"), path.join(FIXTURES, "secrets-head.json"), "--format", format, "--out", out]);
        expect(code).toBe(0);
        const text = fs.readFileSync(out, "utf8");
        expect(text.length).toBeGreaterThan(100);
        for (const p of PLANTED) expect(text).not.toContain(p);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

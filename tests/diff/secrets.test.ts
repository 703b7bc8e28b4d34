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

describe("secrets with keyed digests (one preview:pr run)", () => {
  const secret = (digest?: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]", ...(digest ? { hmacSha256: digest } : {}) });

  it("reports a changed secret without showing either value, and an unchanged one as unchanged", async () => {
    const { diffValues, sharedSecrets } = await import("../../engine/diff/values");
    const changed: import("../../engine/diff/types").PropertyChange[] = [];
    diffValues(secret("aaa"), secret("bbb"), "secretData", changed, { secretsNotCompared: 0 });
    expect(changed).toEqual([{ path: "secretData", change: "changed", before: { kind: "secret" }, after: { kind: "secret" }, secret: "changed" }]);
    const same: import("../../engine/diff/types").PropertyChange[] = [];
    diffValues(secret("aaa"), secret("aaa"), "secretData", same, { secretsNotCompared: 0 });
    expect(same).toEqual([]);
    expect(sharedSecrets(secret("aaa"), secret("bbb"))).toBe(0);
    // Without digests (plans from two runs, or from the real CLI) nothing can be said.
    expect(sharedSecrets(secret(), secret())).toBe(1);
  });

  it("the engine digests a secret only when given a key, and the digest depends on the key", async () => {
    const { blindSecrets, SECRET_DIGEST_KEY_ENV } = await import("../../engine/evaluate");
    const envelope = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cr3t-value" };
    const saved = process.env[SECRET_DIGEST_KEY_ENV];
    try {
      delete process.env[SECRET_DIGEST_KEY_ENV];
      expect(blindSecrets(envelope)).toEqual(secret());
      process.env[SECRET_DIGEST_KEY_ENV] = "key-one";
      const one = blindSecrets(envelope) as Record<string, string>;
      process.env[SECRET_DIGEST_KEY_ENV] = "key-two";
      const two = blindSecrets(envelope) as Record<string, string>;
      expect(one.hmacSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(one.hmacSha256).not.toBe(two.hmacSha256);
      expect(JSON.stringify([one, two])).not.toContain("s3cr3t-value");
    } finally {
      if (saved === undefined) delete process.env[SECRET_DIGEST_KEY_ENV];
      else process.env[SECRET_DIGEST_KEY_ENV] = saved;
    }
  });
});

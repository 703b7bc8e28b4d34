/**
 * Plans memoised per test process (engine/preview.ts, turned on by tests/setup/memoise-previews.ts):
 * one evaluation per stack configuration, a private copy for every caller.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { prepareStack, previewPrepared, previewStack } from "../engine/preview";
import { PROJECT_ROOT } from "../engine/project";
import { SECRET_DIGEST_KEY_ENV } from "../engine/secret-digest";

const STACK = "quickfund-dev";

describe("memoised previews", () => {
  afterEach(() => {
    delete process.env[SECRET_DIGEST_KEY_ENV];
  });

  it("evaluates a stack once and hands every caller its own copy", async () => {
    const first = await previewStack(STACK);
    const second = await previewStack(STACK);
    // One evaluation: both copies carry its timing to the nanosecond.
    expect(second.evaluation.durationMs).toBe(first.evaluation.durationMs);
    expect(second).toEqual(first);
    expect(second.evaluation.resources).not.toBe(first.evaluation.resources);
    // A caller that mutates its plan changes nobody else's.
    first.evaluation.resources.length = 0;
    first.digest.steps[0].urn = "mutated";
    const third = await previewStack(STACK);
    expect(third.evaluation.resources.length).toBe(second.evaluation.resources.length);
    expect(third.digest.steps[0].urn).toBe(second.digest.steps[0].urn);
  });

  it("evaluates a candidate stack file of other content afresh", async () => {
    const root = mkdtempSync(join(tmpdir(), "memo-"));
    mkdirSync(join(root, "stacks"));
    const file = `stacks/Pulumi.${STACK}.yaml`;
    writeFileSync(join(root, file), readFileSync(join(PROJECT_ROOT, file), "utf8"));
    const same = await previewPrepared(prepareStack(STACK, root));
    const ours = await previewStack(STACK);
    // The same content is the same plan, whatever the directory.
    expect(same.evaluation.durationMs).toBe(ours.evaluation.durationMs);

    const content = readFileSync(join(PROJECT_ROOT, file), "utf8");
    expect(content).toContain("ops+dev@quickfund.fr");
    writeFileSync(join(root, file), content.replace("ops+dev@quickfund.fr", "memo-probe@quickfund.fr"));
    const other = await previewPrepared(prepareStack(STACK, root));
    expect(other.evaluation.durationMs).not.toBe(ours.evaluation.durationMs);
    expect(JSON.stringify(other.digest)).toContain("memo-probe@quickfund.fr");
    expect(JSON.stringify(ours.digest)).not.toContain("memo-probe@quickfund.fr");
  });

  it("evaluates afresh under another secret digest key (digests depend on it)", async () => {
    const plain = await previewStack(STACK);
    process.env[SECRET_DIGEST_KEY_ENV] = "memo-test-key";
    const keyed = await previewStack(STACK);
    expect(keyed.evaluation.durationMs).not.toBe(plain.evaluation.durationMs);
  });
});

/** Secrets never appear in plain text: not from config, not in plans, not in what the preview prints. */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BLINDED_SECRET } from "../engine/evaluate";
import { prepareStack, previewPrepared } from "../engine/preview";
import { PROJECT_ROOT } from "../engine/project";
import { OFFLINE_SECRET_PLACEHOLDER } from "../stacks/stack-file";

const CIPHERTEXT = "v1:AAAAbm90LWEtcmVhbC1jaXBoZXJ0ZXh0LWp1c3QtYS1tYXJrZXI=";

describe("secrets from stack config", () => {
  it("reach Secret Manager as secrets and never appear in the plan, its config section or its diagnostics", async () => {
    const root = mkdtempSync(join(tmpdir(), "secrets-"));
    mkdirSync(join(root, "stacks"));
    const prod = readFileSync(join(PROJECT_ROOT, "stacks/Pulumi.quickfund-prod.yaml"), "utf8");
    writeFileSync(
      join(root, "stacks/Pulumi.quickfund-prod.yaml"),
      `${prod.trimEnd()}\n  quickfund:secrets:\n    stripeApiKey:\n      secure: ${CIPHERTEXT}\n`,
    );
    const preview = await previewPrepared(prepareStack("quickfund-prod", root));
    const plan = JSON.stringify(preview.digest);
    expect(plan).not.toContain(CIPHERTEXT);
    expect(plan).not.toContain(OFFLINE_SECRET_PLACEHOLDER);
    expect(preview.digest.config?.["quickfund:secrets"]).toBe("[secret]");
    // The Stripe key now has a version, whose data is a blinded secret.
    const versions = preview.evaluation.resources.filter((r) => r.type === "gcp:secretmanager/secretVersion:SecretVersion");
    const stripe = versions.find((v) => v.name.includes("stripe"));
    expect(stripe?.inputs.secretData).toEqual(BLINDED_SECRET);
    // And the preview no longer warns that it is empty, while Twilio still is.
    const warnings = preview.evaluation.diagnostics.map((d) => d.message).join("\n");
    expect(warnings).not.toMatch(/stripe-api-key" has no value/);
    expect(warnings).toMatch(/twilio-auth-token" has no value/);
  });

  it("generated credentials (database password, JWT key) are never known to the plan", async () => {
    const preview = await previewPrepared(prepareStack("quickfund-prod"));
    const passwords = preview.evaluation.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(passwords.length).toBeGreaterThanOrEqual(2);
    for (const p of passwords) expect(p.options.additionalSecretOutputs).toContain("result");
    for (const user of preview.evaluation.resources.filter((r) => r.type === "gcp:sql/user:User")) {
      expect(["04da6b54-80e4-46f7-96ec-b56ff0331ba9", BLINDED_SECRET]).toContainEqual(user.inputs.password);
    }
  });
});

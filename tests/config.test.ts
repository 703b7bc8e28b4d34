/**
 * One test per class of bad configuration: each must fail before any resource is declared, with
 * one message naming the stack file, the key path, what was expected and what was given.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeConfigValue, deepMerge, describeSchema, resolveConfig, secretString, StackConfigError } from "../stacks/config";
import { main as previewMain } from "../engine/cli/preview";
import { prepareStack } from "../engine/preview";
import { PROJECT_ROOT } from "../engine/project";
import { diaspomoney, diaspomoneyShared } from "../stacks/diaspomoney";
import { quickfund } from "../stacks/quickfund";
import { OFFLINE_SECRET_PLACEHOLDER, loadStackFile } from "../stacks/stack-file";
import { runCliInProcess } from "./harness";

const PROD = readFileSync(join(PROJECT_ROOT, "stacks/Pulumi.quickfund-prod.yaml"), "utf8");
const DIASPOMONEY_DEV = readFileSync(join(PROJECT_ROOT, "stacks/Pulumi.diaspomoney-dev.yaml"), "utf8");
const DIASPOMONEY_SHARED = readFileSync(join(PROJECT_ROOT, "stacks/Pulumi.diaspomoney-shared.yaml"), "utf8");

/** A throwaway project root holding one stack file. */
function withStackFile(stack: string, content: string): string {
  const root = mkdtempSync(join(tmpdir(), "stackcfg-"));
  mkdirSync(join(root, "stacks"));
  writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), content);
  return root;
}

/** The prod stack file with extra config lines appended under `config:`. */
function prodWith(lines: string): string {
  return `${PROD.trimEnd()}\n${lines}\n`;
}

function errorOf(fn: () => unknown): StackConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StackConfigError) return err;
    throw err;
  }
  throw new Error("expected a StackConfigError");
}

describe("stack configuration errors", () => {
  it("a wrong type names file, key, expectation and value (the issue's own example)", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:database:\n    backupIntervalHours: daily"));
    expect(errorOf(() => prepareStack("quickfund-prod", root)).message).toBe(
      'stacks/Pulumi.quickfund-prod.yaml: quickfund:database.backupIntervalHours: expected a number from 1 to 48, got "daily"',
    );
  });

  it("a value out of range", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:database:\n    backupIntervalHours: 72"));
    expect(errorOf(() => prepareStack("quickfund-prod", root)).message).toBe(
      "stacks/Pulumi.quickfund-prod.yaml: quickfund:database.backupIntervalHours: expected a number from 1 to 48, got 72",
    );
  });

  it("a cross-field rule (Cloud SQL backs up daily: an interval under 24 h cannot be met)", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:database:\n    backupIntervalHours: 6"));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toBe("quickfund:database.backupIntervalHours");
    expect(err.expected).toMatch(/at least 24: Cloud SQL takes one automated backup a day/);
    expect(err.got).toBe("6");
  });

  it("an unknown top-level key, with a did-you-mean", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:databse:\n    tier: db-custom-2-7680"));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toBe("quickfund:databse");
    expect(err.expected).toMatch(/did you mean database\?/);
    expect(err.got).toBe("an unknown key");
  });

  it("an unknown nested key (a typo must not pass silently)", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:database:\n    backupRetentionDay: 30"));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toBe("quickfund:database.backupRetentionDay");
    expect(err.expected).toMatch(/did you mean backupRetentionDays\?/);
  });

  it("a key in a foreign namespace", () => {
    const root = withStackFile("quickfund-prod", prodWith("  gcp:project: somewhere-else"));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toBe("gcp:project");
    expect(err.expected).toMatch(/"quickfund:" namespace/);
  });

  it("a value not allowed by an enum", () => {
    const root = withStackFile("quickfund-prod", PROD.replace("region: europe-west1", "region: us-central1"));
    expect(errorOf(() => prepareStack("quickfund-prod", root)).message).toBe(
      'stacks/Pulumi.quickfund-prod.yaml: quickfund:gcp.region: expected one of europe-west1, europe-west9, got "us-central1"',
    );
  });

  it("an item of a list", () => {
    const root = withStackFile("quickfund-prod", PROD.replace('["quickfund.fr", "www.quickfund.fr"]', '["quickfund.fr", "not a host"]'));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toBe("quickfund:domains[1]");
    expect(err.got).toBe('"not a host"');
  });

  it("a secret in plain text is refused and never echoed", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:secrets:\n    stripeApiKey: sk_live_do_not_print"));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toBe("quickfund:secrets.stripeApiKey");
    expect(err.expected).toMatch(/a secret/);
    expect(err.message).not.toContain("sk_live_do_not_print");
  });

  it("an env rule: a prod-like env cannot drop deletion protection (the env's trait, every platform)", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:deletionProtection: false"));
    expect(errorOf(() => prepareStack("quickfund-prod", root)).message).toBe(
      "stacks/Pulumi.quickfund-prod.yaml: quickfund:deletionProtection: expected true in a prod-like stack (prod: stateful resources are protected against deletion, model/envs.ts), got false",
    );
    const shared = withStackFile("diaspomoney-shared", `${DIASPOMONEY_SHARED.trimEnd()}\n  diaspomoney:deletionProtection: false\n`);
    expect(errorOf(() => prepareStack("diaspomoney-shared", shared)).keyPath).toBe("diaspomoney:deletionProtection");
    // Not prod-like: dev may turn it off.
    const dev = withStackFile("quickfund-dev", `${readFileSync(join(PROJECT_ROOT, "stacks/Pulumi.quickfund-dev.yaml"), "utf8").trimEnd()}\n  quickfund:deletionProtection: false\n`);
    expect(() => prepareStack("quickfund-dev", dev)).not.toThrow();
  });

  it("an env rule: the API keeps a warm instance in a prod-like env", () => {
    const root = withStackFile("quickfund-prod", PROD.replace("  quickfund:api:\n", "  quickfund:api:\n    minInstances: 0\n"));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toBe("quickfund:api.minInstances");
    expect(err.expected).toMatch(/at least 1 in a prod-like stack/);
    expect(err.got).toBe("0");
  });

  it("malformed YAML names the line", () => {
    const root = withStackFile("quickfund-prod", prodWith("  quickfund:domains: [unclosed"));
    const err = errorOf(() => prepareStack("quickfund-prod", root));
    expect(err.keyPath).toMatch(/^line \d+, column \d+$/);
    expect(err.expected).toBe("well-formed YAML");
  });

  it("an unknown stack file key", () => {
    const root = withStackFile("quickfund-prod", `confg:\n  quickfund:deletionProtection: true\n`);
    expect(errorOf(() => prepareStack("quickfund-prod", root)).keyPath).toBe("confg");
  });

  it("a missing stack file", () => {
    const root = mkdtempSync(join(tmpdir(), "stackcfg-"));
    const err = errorOf(() => prepareStack("quickfund-rct", root));
    expect(err.file).toBe("stacks/Pulumi.quickfund-rct.yaml");
    expect(err.got).toBe("no such file");
  });

  it("an unknown platform, a known-but-unbuilt one, and an unknown env", () => {
    expect(errorOf(() => prepareStack("acme-dev")).message).toMatch(/stacks\/Pulumi\.acme-dev\.yaml: stack name: expected a platform one of .*quickfund.*, got "acme"/);
    expect(errorOf(() => prepareStack("nosuchplatform-prod")).got).toBe('"nosuchplatform"');
    expect(errorOf(() => prepareStack("quickfund-staging")).message).toMatch(/expected an env of quickfund: one of dev, rct, prod, got "staging"/);
    expect(errorOf(() => prepareStack("quickfund")).keyPath).toBe("stack name");
  });

  it("the preview command exits 2 with one line and no stack trace", async () => {
    // The CLI's `main` in this process: what it prints and returns is the point here. The process
    // (the launcher's bundle, runMain's exit code, stderr alone) is tests/cli-hostile.test.ts's,
    // whose stack file with a YAML alias bomb takes this same path: a StackConfigError, exit 2.
    const res = await runCliInProcess(previewMain, ["quickfund-staging"]);
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split("\n")).toEqual([
      'stacks/Pulumi.quickfund-staging.yaml: stack name: expected an env of quickfund: one of dev, rct, prod, got "staging"',
    ]);
    expect(res.stdout).toBe("");
  });
});

describe("one strict schema per kind of DiaspoMoney stack", () => {
  it("a missing required key of an env stack is a schema error naming the key", () => {
    const root = withStackFile("diaspomoney-dev", DIASPOMONEY_DEV.replace(/  diaspomoney:probe:\n    notificationEmails:\n      - \S+\n/, ""));
    expect(errorOf(() => prepareStack("diaspomoney-dev", root)).message).toBe(
      "stacks/Pulumi.diaspomoney-dev.yaml: diaspomoney:probe: expected an object with keys notificationEmails, got nothing (the key is missing)",
    );
  });

  it("a missing required key inside a key whose other figures come from the profile", () => {
    const root = withStackFile("diaspomoney-dev", DIASPOMONEY_DEV.replace(/  diaspomoney:access:\n    clusterProject: \S+\n/, ""));
    const err = errorOf(() => prepareStack("diaspomoney-dev", root));
    expect(err.keyPath).toBe("diaspomoney:access.clusterProject");
    expect(err.got).toBe("nothing (the key is missing)");
  });

  it("a foundation key in an env stack (and an env key in the foundation) is an unknown key", () => {
    const env = withStackFile("diaspomoney-dev", `${DIASPOMONEY_DEV.trimEnd()}\n  diaspomoney:cluster:\n    machineType: e2-standard-8\n`);
    const err = errorOf(() => prepareStack("diaspomoney-dev", env));
    expect(err.keyPath).toBe("diaspomoney:cluster");
    expect(err.got).toBe("an unknown key");
    const shared = withStackFile("diaspomoney-shared", `${DIASPOMONEY_SHARED.trimEnd()}\n  diaspomoney:app:\n    replicas: 2\n`);
    expect(errorOf(() => prepareStack("diaspomoney-shared", shared)).keyPath).toBe("diaspomoney:app");
  });

  it("a missing required key of the foundation names it", () => {
    const root = withStackFile("diaspomoney-shared", DIASPOMONEY_SHARED.replace(/  diaspomoney:edge:\n    acmeEmail: \S+\n/, ""));
    const err = errorOf(() => prepareStack("diaspomoney-shared", root));
    expect(err.keyPath).toBe("diaspomoney:edge.acmeEmail");
    expect(err.got).toBe("nothing (the key is missing)");
  });

  it("access by kubeconfig requires the kubeconfig, as a secret", () => {
    const base = DIASPOMONEY_DEV.replace("  diaspomoney:access:\n", "  diaspomoney:access:\n    source: kubeconfig\n");
    const missing = errorOf(() => prepareStack("diaspomoney-dev", withStackFile("diaspomoney-dev", base)));
    expect(missing.keyPath).toBe("diaspomoney:access.kubeconfig");
    expect(missing.expected).toMatch(/^a secret/);
    expect(missing.got).toBe("nothing (the key is missing)");
    const plain = errorOf(() => prepareStack("diaspomoney-dev", withStackFile("diaspomoney-dev", base.replace("    source: kubeconfig\n", "    source: kubeconfig\n    kubeconfig: apiVersion-v1-do-not-print\n"))));
    expect(plain.keyPath).toBe("diaspomoney:access.kubeconfig");
    expect(plain.expected).toMatch(/a secret/);
    expect(plain.message).not.toContain("do-not-print");
  });

  it("the env stack's figures come from its env row, the stack file's win", () => {
    const prod = diaspomoney.defaults("prod") as { app: { replicas: number; host: string }; deletionProtection: boolean };
    expect(prod.app).toMatchObject({ replicas: 5, host: "app.diaspomoney.fr" });
    // The trait, not a row figure.
    expect(prod.deletionProtection).toBe(true);
    expect((diaspomoney.defaults("dev") as { deletionProtection: boolean }).deletionProtection).toBe(false);
    expect(() => diaspomoney.defaults("shared")).toThrow(/an env of diaspomoney: one of dev, rct, prod, got "shared"/);
    expect(diaspomoneyShared.envs).toEqual(["shared"]);
  });
});

describe("secure values", () => {
  it("become a secret key with a placeholder that never carries the ciphertext", () => {
    const root = withStackFile(
      "quickfund-prod",
      prodWith("  quickfund:secrets:\n    stripeApiKey:\n      secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=\n    twilioAuthToken:\n      secure: v1:b3RoZXI="),
    );
    const loaded = loadStackFile(root, "quickfund-prod");
    expect(loaded.secretKeys).toEqual(["quickfund:secrets"]);
    expect(loaded.config["quickfund:secrets"]).toContain(OFFLINE_SECRET_PLACEHOLDER);
    expect(loaded.config["quickfund:secrets"]).not.toContain("c2VjcmV0");
    // And the stack is valid with them.
    expect(() => prepareStack("quickfund-prod", root)).not.toThrow();
  });

  it("are handed to the program as Pulumi secrets", async () => {
    const schema = z.strictObject({ token: secretString("a token") });
    const compliance = quickfund.compliance("dev");
    const def = { name: "t", schemaId: "t", document: "t.md", schema, envs: { dev: { profile: {}, compliance } }, compose: () => ({}) };
    const cfg = resolveConfig(def, { stack: "t-dev", env: "dev", config: { "t:token": "abc" }, secretKeys: ["t:token"] });
    const out = cfg.token as unknown as { isSecret: Promise<boolean> };
    expect(await out.isSecret).toBe(true);
  });
});

describe("the stack file's secrets provider and data key", () => {
  const KMS = "gcpkms://projects/quickfund-prod-4821/locations/europe-west1/keyRings/pulumi/cryptoKeys/stack-secrets";
  const config = PROD.slice(PROD.indexOf("config:"));

  it("a bootstrapped file loads: secretsprovider (folded as the CLI may write it), encryptedkey and secure values", () => {
    const root = withStackFile("quickfund-prod", `secretsprovider: >-\n  ${KMS}\nencryptedkey: CiQAbcdEFgh0123456789abcdef==\n${config.trimEnd()}\n  quickfund:secrets:\n    stripeApiKey:\n      secure: v1:c2VjcmV0\n`);
    const loaded = loadStackFile(root, "quickfund-prod");
    expect(loaded.secretsProvider).toBe(KMS);
    expect(loaded.encryptedKey).toBe("CiQAbcdEFgh0123456789abcdef==");
    expect(loaded.secretKeys).toEqual(["quickfund:secrets"]);
    expect(() => prepareStack("quickfund-prod", root)).not.toThrow();
  });

  it("a passphrase provider's encryptionsalt, or an encryptedkey that is not a string, is refused", () => {
    const salt = errorOf(() => loadStackFile(withStackFile("quickfund-prod", `encryptionsalt: v1:abc\n${PROD}`), "quickfund-prod"));
    expect(salt.keyPath).toBe("encryptionsalt");
    expect(salt.expected).toContain("encryptedkey");
    const empty = errorOf(() => loadStackFile(withStackFile("quickfund-prod", `encryptedkey: ""\n${PROD}`), "quickfund-prod"));
    expect(empty.message).toBe('stacks/Pulumi.quickfund-prod.yaml: encryptedkey: expected a non-empty string, as the Pulumi CLI writes it, got ""');
  });

  it("no stack file of the repository holds a secure value without the encryptedkey that decrypts it", () => {
    const stacks = readdirSync(join(PROJECT_ROOT, "stacks")).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
    expect(stacks.length).toBeGreaterThanOrEqual(7);
    for (const stack of stacks) {
      const loaded = loadStackFile(PROJECT_ROOT, stack);
      expect(loaded.secretsProvider, stack).toMatch(/^gcpkms:\/\//);
      // `pulumi config set --secret` on a bootstrapped stack writes both; a secure value alone was
      // encrypted under another stack's data key, and no CLI can decrypt it.
      if (loaded.secretKeys.length > 0) expect(loaded.encryptedKey, `${stack}: ${loaded.secretKeys.join(", ")}`).toBeTruthy();
    }
  });
});

describe("config helpers", () => {
  it("decode the CLI's string form", () => {
    expect(decodeConfigValue('{"a":1}')).toEqual({ a: 1 });
    expect(decodeConfigValue("[1,2]")).toEqual([1, 2]);
    expect(decodeConfigValue("true")).toBe(true);
    expect(decodeConfigValue("42")).toBe(42);
    expect(decodeConfigValue("0042")).toBe("0042");
    expect(decodeConfigValue("europe-west1")).toBe("europe-west1");
  });

  it("merge profiles deeply but replace lists", () => {
    expect(deepMerge({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });

  it("describe schemas in words", () => {
    expect(describeSchema(z.number().int().min(0).max(3))).toBe("a whole number from 0 to 3");
    expect(describeSchema(z.enum(["ZONAL", "REGIONAL"]))).toBe("one of ZONAL, REGIONAL");
    expect(describeSchema(z.array(z.boolean()).min(1))).toBe("a list of at least 1 items, each true or false");
    expect(describeSchema(z.number().int())).toBe("a whole number");
    expect(describeSchema(z.number().max(1))).toBe("a number of at most 1");
    expect(describeSchema(z.string().regex(/^a+$/))).toBe("a string matching /^a+$/");
    expect(describeSchema(z.array(z.string()).min(2).max(2))).toBe("a list of exactly 2 items, each a string");
    expect(describeSchema(secretString("a token").optional())).toMatch(/^a secret/);
  });
});

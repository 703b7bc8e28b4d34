/**
 * Reads `stacks/Pulumi.<stack>.yaml` the way the Pulumi CLI would hand it to the program: every
 * `namespace:key` as a string (objects as JSON), plus the list of secret keys. Secure values cannot
 * be decrypted offline (no key): they become a placeholder that is never printed.
 *
 * Top-level keys, as the Pulumi CLI writes them: `config`; `secretsprovider` (the gcpkms:// key
 * URL); `encryptedkey`, the stack's data key encrypted by that KMS key, which `pulumi stack init
 * --secrets-provider gcpkms://…` writes once and which must be committed: without it the CLI makes
 * a new data key and rewrites the file on every run, and `secure:` values encrypted under another
 * data key cannot be decrypted (docs/pull-requests.md § One-time stack bootstrap; the deploy and
 * cloud preview workflows refuse a stack file without it); `environment` (Pulumi ESC imports).
 * Anything else is refused, `encryptionsalt` included: it belongs to the passphrase provider,
 * which this project does not use.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, isMap, isScalar, isSeq, type Node, LineCounter } from "yaml";
import { StackConfigError, stackFile } from "./config-error";

/** What a secure value becomes offline; the program wraps it as a Pulumi secret, so it is blinded everywhere. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-for-a-secure-value";

export interface LoadedStackFile {
  /** `namespace:key` → value in the CLI's string form. */
  config: Record<string, string>;
  secretKeys: string[];
  /** The file's `secretsprovider`, when set (the real CLI needs one: gcpkms://... in this project). */
  secretsProvider?: string;
  /** The file's `encryptedkey` (the KMS-encrypted data key), once the stack was bootstrapped. Opaque offline. */
  encryptedKey?: string;
}

const TOP_LEVEL_KEYS = new Set(["config", "secretsprovider", "encryptedkey", "environment"]);

/** Replaces `{secure: ...}` by the placeholder; reports whether any was found. */
function replaceSecure(value: unknown, onSecret: () => void): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceSecure(v, onSecret));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === "secure") {
      onSecret();
      // Distinct per ciphertext, so that a changed secure value still reads as changed to the
      // plan diff's keyed digests; the placeholder itself is a secret and never printed.
      const fingerprint = createHash("sha256").update(String(obj.secure)).digest("hex").slice(0, 16);
      return `${OFFLINE_SECRET_PLACEHOLDER}:${fingerprint}`;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = replaceSecure(v, onSecret);
    return out;
  }
  return value;
}

export function loadStackFile(projectRoot: string, stack: string): LoadedStackFile {
  const rel = stackFile(stack);
  const path = join(projectRoot, rel);
  if (!existsSync(path)) {
    throw new StackConfigError(rel, "stack file", `a stack file for stack "${stack}" (create it, even with an empty \`config: {}\`)`, "no such file");
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(path, "utf8"), { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : "the document";
    throw new StackConfigError(rel, where, "well-formed YAML", `a syntax error: ${e.message.split("\n")[0]}`);
  }
  const root = doc.contents as Node | null;
  if (root === null) return { config: {}, secretKeys: [] };
  if (!isMap(root)) throw new StackConfigError(rel, "(top level)", "a mapping with a `config:` key", describeNode(root));
  let data: Record<string, unknown>;
  try {
    // maxAliasCount bounds an alias bomb ("billion laughs"): refused as this file's error, not a crash.
    data = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (e) {
    throw new StackConfigError(rel, "the document", "YAML without excessive aliases", `a document that cannot be expanded: ${(e as Error).message.split("\n")[0]}`);
  }
  for (const key of Object.keys(data)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      throw new StackConfigError(rel, key, `one of the stack file keys ${[...TOP_LEVEL_KEYS].join(", ")}`, "an unknown key");
    }
  }
  const rawConfig = data.config ?? {};
  if (rawConfig === null || typeof rawConfig !== "object" || Array.isArray(rawConfig)) {
    throw new StackConfigError(rel, "config", "a mapping of `namespace:key` to values", JSON.stringify(rawConfig));
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(rawConfig as Record<string, unknown>)) {
    if (!/^[^:\s]+:[^:\s]+$/.test(key)) {
      throw new StackConfigError(rel, key, "a key of the form `namespace:key` (e.g. `quickfund:database`)", JSON.stringify(key));
    }
    let secret = false;
    const plain = replaceSecure(value, () => (secret = true));
    if (secret) secretKeys.push(key);
    config[key] = typeof plain === "string" ? plain : plain !== null && typeof plain === "object" ? JSON.stringify(plain) : String(plain);
  }
  for (const key of ["secretsprovider", "encryptedkey"] as const) {
    if (data[key] !== undefined && (typeof data[key] !== "string" || data[key] === "")) {
      throw new StackConfigError(rel, key, "a non-empty string, as the Pulumi CLI writes it", JSON.stringify(data[key]));
    }
  }
  const secretsProvider = data.secretsprovider as string | undefined;
  const encryptedKey = data.encryptedkey as string | undefined;
  return { config, secretKeys, ...(secretsProvider ? { secretsProvider } : {}), ...(encryptedKey ? { encryptedKey } : {}) };
}

function describeNode(node: Node): string {
  if (isSeq(node)) return "a list";
  if (isScalar(node)) return JSON.stringify(node.value);
  return "something else";
}

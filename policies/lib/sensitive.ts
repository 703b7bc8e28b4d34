/**
 * The one judgement of "is this a secret in plain text?", shared by every secrets rule and every
 * runtime (Kubernetes Secrets, container env, Cloud Run env, Helm values, ConfigMap files): a value
 * is judged on its NAME (what the field or variable is called) and on its VALUE (what it looks
 * like), never on one alone.
 *
 * - A name is sensitive when its head word (the last one: `DB_PASSWORD`, `adminPassword`,
 *   `ENCRYPTION_KEY`, `MYSQL_PWD`, `requirepass`) is a credential, and not when the name describes
 *   or points at one (`DB_PASSWORD_FILE`, `TOKEN_TTL_SECONDS`, `JWT_ISSUER`, `passwordSecretRef`,
 *   `existingSecret`).
 * - A value is a secret by its shape whatever its name (a private key, a token format, credentials
 *   in a URL), also once base64-decoded.
 * - A value is not a secret when it is a reference with a real syntax (a Secret Manager resource
 *   name, `sm://project/secret`, a `${VAR}` / `$(VAR)` expansion, a `{{ template }}`), empty, or a
 *   boolean. `secret:…` is not a reference syntax of anything we run: it is judged like any value.
 * Unknown values (provider-computed) and Pulumi secrets are not literals: callers skip them.
 */
import { memoByString } from "./memo";

/** Words that, as the head of a name, make it a credential. */
const CREDENTIAL_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "secret",
  "secrets",
  "passwords",
  "token",
  "tokens",
  "credential",
  "credentials",
  "apikey",
  "privatekey",
  "secretkey",
  "accesskey",
  "clientsecret",
  "requirepass",
  "masterauth",
  "htpasswd",
]);
/** Credential words that also end longer unseparated names (`adminpassword`, `authtoken`). */
const CREDENTIAL_SUFFIX = /(password|passwd|passphrase|secret|token|apikey|privatekey|secretkey|accesskey|credentials?|requirepass|masterauth)$/;
/** `<qualifier> key` is a credential (`ENCRYPTION_KEY`, `apiKey`, `signing-key`); `key` alone is not. */
const KEY_QUALIFIERS = new Set(["api", "private", "secret", "access", "encryption", "signing", "master", "auth", "hmac", "crypto", "session", "cookie", "jwt", "license", "service", "account", "sa", "ssh", "tls", "gpg", "pgp", "aes", "client", "webhook", "app", "admin", "root"]);
/**
 * Head words that describe or point at a credential instead of holding one. A name ending in one
 * of these is not sensitive by name (its value is still judged by its shape).
 */
const DESCRIPTOR_WORDS = new Set([
  "name", "names", "ref", "refs", "reference", "id", "ids", "selector", "path", "paths", "file", "files", "dir", "mount", "volume", "version", "versions",
  "type", "kind", "enabled", "enable", "disabled", "length", "ttl", "seconds", "secs", "minutes", "hours", "days", "ms", "expiry", "expiration", "expires",
  "rotation", "period", "url", "uri", "endpoint", "policy", "mode", "source", "store", "template", "count", "format", "algorithm", "alg", "provider",
  "issuer", "audience", "aud", "annotations", "annotation", "labels", "label", "header", "field", "prefix", "suffix", "location", "namespace", "size",
  "bits", "min", "max", "required", "strength", "rules", "schema", "owner", "user", "username", "role", "scope", "scopes", "env", "key", "keys", "hint",
  "encoding", "lifetime", "timeout", "interval", "retries", "limit", "enforce", "optional", "generate", "generated", "create", "secretref",
]);
/** Words that, before a credential word, make the name point at a stored credential (`existingSecret`, `useSecret`). */
const REFERENCE_PREFIXES = new Set(["existing", "use", "from", "external", "with", "auto", "generate", "create", "mount", "k8s", "kube"]);

/** `DB_PASSWORD_FILE` → [db, password, file]; `passwordSecretRef` → [password, secret, ref]. */
export function nameWords(name: string): string[] {
  return [...wordsOf(name)];
}

/**
 * nameWords, kept per name (read-only): every key of every resource's inputs is split, several
 * times, and a plan repeats the same few hundred keys on thousands of resources.
 */
const wordsOf: (name: string) => readonly string[] = memoByString(splitName, 10_000);

function splitName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Is this field or variable name a credential (its head word), rather than a description of or a pointer to one? */
export function isSensitiveName(name: string): boolean {
  const words = wordsOf(name);
  const head = words[words.length - 1];
  if (!head || DESCRIPTOR_WORDS.has(head)) return false;
  const before = words[words.length - 2];
  if (before && REFERENCE_PREFIXES.has(before) && words.length === 2) return false;
  if (CREDENTIAL_WORDS.has(head)) return true;
  if (head === "key" || head === "keys") return false;
  if (words.length === 1 && CREDENTIAL_SUFFIX.test(head)) return true;
  return false;
}

/** `ENCRYPTION_KEY`, `apiKey`, `signing-key`: a qualified key, a credential by name. */
function isQualifiedKey(name: string): boolean {
  const words = wordsOf(name);
  const head = words[words.length - 1];
  const before = words[words.length - 2];
  return head === "key" && before !== undefined && KEY_QUALIFIERS.has(before);
}

/** A credential by name: a credential head word, or a qualified key. */
export function isCredentialName(name: string): boolean {
  return isSensitiveName(name) || isQualifiedKey(name);
}

/** A name whose head word points at a key inside a Secret (`passwordKey`, `secretKey`), whose value is a key name. */
function namesAKey(name: string): boolean {
  const words = wordsOf(name);
  return words.length >= 2 && (words[words.length - 1] === "key" || words[words.length - 1] === "keys") && !isQualifiedKey(name);
}

/**
 * Qualifiers that, before `secret`, make the name point at a Kubernetes Secret holding certificate
 * material (CloudNativePG's `serverTLSSecret`, `serverCASecret`, `clientCASecret`,
 * `replicationTLSSecret`): the value is that Secret's name. Certificate material itself has a
 * shape (a PEM key), which the value check still catches.
 */
const CERTIFICATE_SECRET_QUALIFIERS = new Set(["tls", "ca", "cert", "certs", "certificate"]);
/** A Kubernetes object name (DNS-1123 subdomain) with at least one separator: a reference, never a credential's value. */
const KUBERNETES_OBJECT_NAME = /^[a-z0-9]+(?:[-.][a-z0-9]+)+$/;

/** `serverTLSSecret: "postgres-server-tls"`: a field naming the Secret that holds a certificate. */
function namesACertificateSecret(name: string, value: string): boolean {
  const words = wordsOf(name);
  return words[words.length - 1] === "secret" && CERTIFICATE_SECRET_QUALIFIERS.has(words[words.length - 2] ?? "") && value.length <= 253 && KUBERNETES_OBJECT_NAME.test(value);
}

/** Values that are credentials by their shape. */
export const SECRET_VALUE_PATTERNS: { what: string; re: RegExp }[] = [
  { what: "a private key", re: /-----BEGIN (?:[A-Z ]+ )?PRIVATE KEY-----/ },
  { what: "a JSON Web Token", re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { what: "a Google service account key", re: /"type"\s*:\s*"service_account"[\s\S]*"private_key"/ },
  { what: "a Stripe secret key", re: /\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}/ },
  { what: "a GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{30,}/ },
  { what: "an AWS access key", re: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: "a Slack token", re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { what: "a Twilio auth token", re: /\bSK[0-9a-f]{32}\b/ },
  { what: "a Google API key", re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: "an htpasswd entry", re: /^[^:\s]+:(\$apr1\$|\$2[aby]\$|\{SHA\})\S+$/m },
  // A password in a URL (`mongodb://user:pass@host`, `postgres://u:p@h/db`, `redis://:pass@host`); `${VAR}` is not one.
  { what: "credentials in a URL", re: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:(?!\$\{|\$\()[^/\s@]+@/i },
];

/** A reference with a real syntax, or a value that holds nothing (empty, a boolean, a template). */
export function isReferenceOrPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    v === "" ||
    v === "true" ||
    v === "false" ||
    // Secret Manager resource names.
    /^projects\/[^/\s]+\/secrets\/[^/\s]+(\/versions\/[^/\s]+)?$/.test(v) ||
    // berglas / Cloud Run references: sm://<project>/<secret>[#<version>].
    /^sm:\/\/[a-z][a-z0-9-]*\/[A-Za-z0-9_-]+(#[0-9]+|#latest)?$/.test(v) ||
    // Shell / Kubernetes expansions and templates, the whole value.
    /^\$\{[A-Za-z_][A-Za-z0-9_.:-]*\}$/.test(v) ||
    /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(v) ||
    /^\$[A-Z_][A-Z0-9_]*$/.test(v) ||
    /^\{\{.*\}\}$/.test(v)
  );
}

/**
 * A value that names a key of a Secret (`password`, `admin-password`, `jwt_secret`, `tls.key`):
 * lower-case identifier words, one of them a credential word. `Passw0rd` or `mykey` are not.
 */
export function isKeyName(value: string): boolean {
  if (value.length > 63 || !/^[a-z]+([-_.][a-z]+)*$/.test(value)) return false;
  return value.split(/[-_.]/).some((w) => CREDENTIAL_WORDS.has(w) || CREDENTIAL_SUFFIX.test(w) || ["key", "crt", "cert", "pem", "auth"].includes(w));
}

/** Base64 text that decodes to printable text (what a Secret's `data` holds), else undefined. */
export function decodeBase64(value: string): string | undefined {
  const v = value.trim();
  if (v.length < 4 || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return undefined;
  const text = Buffer.from(v, "base64").toString("utf8");
  return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes("\ufffd") ? text : undefined;
}

/** The secret shape a value has, if any (checked on the value and, when it is base64 text, on its decoding). */
export const secretShape: (value: string) => string | undefined = memoByString(computeSecretShape, 10_000);

function computeSecretShape(value: string): string | undefined {
  for (const p of SECRET_VALUE_PATTERNS) if (p.re.test(value)) return p.what;
  if (value.length >= 16) {
    const decoded = decodeBase64(value);
    if (decoded !== undefined) for (const p of SECRET_VALUE_PATTERNS) if (p.re.test(decoded)) return `${p.what} (base64-encoded)`;
  }
  return undefined;
}

/**
 * The one judgement: why the literal `value` of a field or variable called `name` is a secret in
 * plain text, or undefined. `name` may be empty (a list element, a value with no name).
 */
export function secretFinding(name: string, value: string): string | undefined {
  if (isReferenceOrPlaceholder(value)) return undefined;
  const shape = secretShape(value);
  if (shape) return `looks like ${shape}`;
  if (!name || !isCredentialName(name)) return undefined;
  // `passwordKey: "password"`, `secretKey: "jwt-secret"`: a name pointing at a key, holding a key name.
  if ((namesAKey(name) || isQualifiedKey(name)) && isKeyName(value)) return undefined;
  if (namesACertificateSecret(name, value)) return undefined;
  return `is a literal value for ${name}`;
}

/**
 * Credentials written into configuration text (a redis.conf, an .ini, a .env, a properties
 * file): `requirepass <x>`, `masterauth <x>`, `<name> = <x>`, `<name>: <x>`, `export NAME=x`,
 * judged line by line with `secretFinding` (name and value). Returns one finding per line.
 */
export function configTextFindings(text: string): { line: number; name: string; why: string }[] {
  const out: { line: number; name: string; why: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";") || line.startsWith("//")) return;
    const m = /^(requirepass|masterauth|masteruser)\s+(.+)$/i.exec(line) ?? /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.+)$/.exec(line);
    if (!m) return;
    const value = m[2].trim().replace(/^(["'])(.*)\1$/, "$2");
    if (/^[|>]-?$/.test(value) || /^[[{]/.test(value)) return;
    const why = secretFinding(m[1], value);
    if (why) out.push({ line: i + 1, name: m[1], why });
  });
  return out;
}

/** What looks like a secret: sensitive key names, and values that are secrets whatever their key. */

/** Key or env var names that hold a credential. */
export const SENSITIVE_NAME = /(pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential|jwt|auth[_-]?key|access[_-]?key|client[_-]?secret|dsn|connection[_-]?string)/i;

/**
 * Names that refer to a secret rather than hold one (`secretName`, `passwordSecretRef`,
 * `tokenSecret`, `secretKeyRef`, `existingSecret`, `secretId`), or describe a policy about secrets.
 */
export const REFERENCE_NAME =
  /(name|ref|refs|id|ids|selector|path|file|mount|version|versions|type|kind|enabled|length|expir\w*|ttl|rotation\w*|url|uri|key[_-]?ref|secretref|existing\w*|policy|mode|source|store|template|count|format|algorithm|provider|issuer|annotations?|labels?)$/i;

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
  { what: "credentials in a URL", re: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

/** Placeholder values that are obviously not secrets (empty, templated, a secret reference). */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return v === "" || v === "[secret]" || /^\$\{[^}]+\}$/.test(v) || /^\{\{.*\}\}$/.test(v) || /^(projects\/|secret:|sm:\/\/|vault:)/.test(v) || v === "true" || v === "false";
}

/** A value that names a key or a secret (`password`, `admin-password`, `jwt_secret`) rather than holding one. */
export function isKeyName(value: string): boolean {
  return value.length <= 40 && /^[a-z][a-z0-9_.-]*$/i.test(value) && SENSITIVE_NAME.test(value) && !/\d{3,}/.test(value);
}

import { defineResourceRule } from "../lib/rule";
import { isKeyName, isPlaceholder, REFERENCE_NAME, SECRET_VALUE_PATTERNS, SENSITIVE_NAME } from "../lib/sensitive";
import { isUnknown, plain, SECRET_PLACEHOLDER } from "../lib/values";

/** Env var arrays are checked by k8s-core-container-require-secret-env (one finding per concern). */
const ENV_PATH = /(^|\.)(env|initContainers\.\d+\.env|containers\.\d+\.env)\.\d+\.value$/;

interface Walk {
  out: { path: string; why: string }[];
  /** In the Google provider, a field named `secret` names a Secret Manager secret (`secretKeyRef.secret`, `SecretVersion.secret`). */
  secretIsReference: boolean;
  /**
   * In Kubernetes objects and chart values, `secret`/`secrets` holding an object name names a
   * Secret (Traefik's `basicAuth.secret`, Alertmanager's `secrets: [...]`), it does not hold one.
   */
  kubernetes: boolean;
}

/** A Kubernetes object name (DNS-1123 subdomain): what a field naming a Secret holds. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function walk(value: unknown, path: string, key: string, underRef: boolean, w: Walk): void {
  const out = w.out;
  if (isUnknown(value) || value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}.${i}`, key, underRef, w));
    return;
  }
  if (typeof value === "object") {
    // Below `secretKeyRef`, `valueSource`, `passwordSecretRef`...: names of secrets, not secrets.
    const ref = underRef || (key !== "" && REFERENCE_NAME.test(key) && SENSITIVE_NAME.test(key)) || key === "valueSource" || key === "valueFrom";
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, path ? `${path}.${k}` : k, k, ref, w);
    return;
  }
  if (typeof value !== "string" || value === SECRET_PLACEHOLDER || isPlaceholder(value)) return;
  for (const p of SECRET_VALUE_PATTERNS) {
    if (p.re.test(value)) {
      out.push({ path, why: `looks like ${p.what}` });
      return;
    }
  }
  if (ENV_PATH.test(path) || underRef || (w.secretIsReference && key === "secret")) return;
  if (w.kubernetes && /^(secret|secrets|\d+)$/.test(key) && /(^|\.)secrets?(\.\d+)?$/.test(path) && OBJECT_NAME.test(value)) return;
  if (SENSITIVE_NAME.test(key) && !REFERENCE_NAME.test(key) && !isKeyName(value)) out.push({ path, why: `is a literal value for ${key}` });
}

export default defineResourceRule({
  name: "platform-secrets-input-deny-literal-secret",
  description: "No resource input holds a literal secret (password, token, private key, JWT secret) unless it is a Pulumi secret.",
  severity: "critical",
  remediationSteps:
    "Take the value from a `secure:` stack config (config.requireSecret), a generated @pulumi/random password, or Secret Manager; wrap anything sensitive in pulumi.secret(). Kubernetes workloads read it through secretKeyRef.",
  source: 'shareyoursales.md § Sécurité Insuffisante ("JWT Secret en dur"); quickfund.md § Accès ("Gestion secrets: Variables d\'environnement"); CONTRIBUTING.md § Stacks (secrets are secure: values or generated); CKV_SECRET_*',
  domain: "secrets",
  resources: ["every resource"],
  types: () => true,
  validate(r, report) {
    if (r.type === "pulumi:pulumi:Stack") r.notApplicable("the root stack has no inputs");
    const found: { path: string; why: string }[] = [];
    walk(plain(r.props), "", "", false, { out: found, secretIsReference: r.type.startsWith("gcp:"), kubernetes: r.type.startsWith("kubernetes:") });
    for (const f of found) report(`${f.path} ${f.why}: make it a Pulumi secret (or a secretKeyRef) instead of plain text.`);
  },
});

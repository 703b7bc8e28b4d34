import { defineResourceRule } from "../lib/rule";
import { configTextFindings, decodeBase64, isReferenceOrPlaceholder, nameWords, secretFinding, secretShape } from "../lib/sensitive";
import { isUnknown, plain, SECRET_PLACEHOLDER } from "../lib/values";
import { carriesPods } from "../lib/workload";

/**
 * One secret concern across every runtime, judged on name AND value (lib/sensitive.ts): Kubernetes
 * Secrets (`data` decoded from base64, `stringData`), ConfigMaps (entries and the configuration
 * files they hold: `requirepass` in a redis.conf), Cloud Run env (v1 and v2 `envs`), Helm release
 * values, operators' custom resources and any other input. The env of pod templates is judged by
 * k8s-core-container-require-secret-env with the same judgement (one finding per concern).
 */

interface Walk {
  out: { path: string; why: string }[];
  /** In the Google provider, a field named `secret` names a Secret Manager secret (`secretKeyRef.secret`, `SecretVersion.secret`). */
  secretIsReference: boolean;
  /**
   * In Kubernetes objects and chart values, `secret`/`secrets` holding an object name names a
   * Secret (Traefik's `basicAuth.secret`, Alertmanager's `secrets: [...]`), it does not hold one.
   */
  kubernetes: boolean;
  /** Pod templates' env lists belong to k8s-core-container-require-secret-env. */
  podEnvIsElsewhere: boolean;
}

/** A Kubernetes object name (DNS-1123 subdomain): what a field naming a Secret holds. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** A key under which names of secrets, not secrets, are written (`secretKeyRef`, `passwordSecretRef`, `existingSecret`, `valueFrom`). */
function isReferenceKey(key: string): boolean {
  if (key === "valueFrom" || key === "valueSource" || key === "envFrom") return true;
  const words = nameWords(key);
  const head = words[words.length - 1];
  const mentions = words.some((w) => /^(secret|secrets|password|token|credentials?|key)$/.test(w));
  return mentions && (["ref", "refs", "reference", "selector", "name", "names", "id", "source"].includes(head) || words[0] === "existing");
}

function judgeString(value: string, path: string, key: string, underRef: boolean, w: Walk): void {
  if (value === SECRET_PLACEHOLDER || isReferenceOrPlaceholder(value)) return;
  const shape = secretShape(value);
  if (shape) {
    w.out.push({ path, why: `looks like ${shape}` });
    return;
  }
  if (value.includes("\n")) {
    for (const f of configTextFindings(value)) w.out.push({ path: `${path} (line ${f.line}, ${f.name})`, why: f.why });
    return;
  }
  if (underRef || (w.secretIsReference && key === "secret")) return;
  if (w.kubernetes && /^(secret|secrets|\d+)$/.test(key) && /(^|\.)secrets?(\.\d+)?$/.test(path) && OBJECT_NAME.test(value)) return;
  const why = secretFinding(key, value);
  if (why) w.out.push({ path, why });
}

function walk(value: unknown, path: string, key: string, underRef: boolean, w: Walk): void {
  if (isUnknown(value) || value === null || value === undefined) return;
  if (Array.isArray(value)) {
    // A pod spec container's env (k8s-core-container-require-secret-env judges it); other env lists
    // (Strimzi's `template.kafkaContainer.env`, chart values) are judged here.
    if (w.podEnvIsElsewhere && key === "env" && /(^|\.)(containers|initContainers|ephemeralContainers)\.\d+\.env$/.test(path)) return;
    value.forEach((v, i) => walk(v, `${path}.${i}`, key, underRef, w));
    return;
  }
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    // A name/value pair (Cloud Run `envs`, chart `extraEnv`, Helm `set`): the value is judged under its name.
    if (typeof obj.name === "string" && typeof obj.value === "string" && !underRef) {
      judgeString(obj.value, `${path}.value`, obj.name, false, w);
      for (const [k, v] of Object.entries(obj)) if (k !== "value" && k !== "name") walk(v, `${path}.${k}`, k, underRef, w);
      return;
    }
    const ref = underRef || (key !== "" && isReferenceKey(key));
    for (const [k, v] of Object.entries(obj)) walk(v, path ? `${path}.${k}` : k, k, ref, w);
    return;
  }
  if (typeof value === "string") judgeString(value, path, key, underRef, w);
}

/** A Kubernetes Secret's entries: `data` is base64 (judged decoded), `stringData` plain; each under its key. */
function secretEntries(props: Record<string, unknown>, out: Walk["out"]): void {
  for (const field of ["data", "stringData"] as const) {
    const entries = props[field];
    if (entries === null || entries === undefined || isUnknown(entries) || typeof entries !== "object") continue;
    for (const [k, v] of Object.entries(entries as Record<string, unknown>)) {
      if (typeof v !== "string" || isUnknown(v) || v === SECRET_PLACEHOLDER) continue;
      let text = v;
      if (field === "data") {
        const decoded = decodeBase64(v) ?? (v === "" ? "" : undefined);
        if (decoded === undefined) {
          out.push({ path: `${field}.${k}`, why: "is not base64 text (a Secret's data must be): it cannot be judged, so it is refused" });
          continue;
        }
        text = decoded;
      }
      if (isReferenceOrPlaceholder(text)) continue;
      const shape = secretShape(text);
      const lines = text.includes("\n") ? configTextFindings(text) : [];
      const why = shape ? `looks like ${shape}` : lines.length ? `holds ${lines[0].name} ${lines[0].why} (line ${lines[0].line})` : secretFinding(k, text);
      if (why) out.push({ path: `${field}.${k}`, why: field === "data" ? `${why} (base64-decoded)` : why });
    }
  }
}

export default defineResourceRule({
  name: "platform-secrets-input-deny-literal-secret",
  description:
    "No resource input holds a literal secret unless it is a Pulumi secret: judged on name and value, in every runtime (Kubernetes Secrets and ConfigMaps, Cloud Run env, Helm values, custom resources, any input).",
  severity: "critical",
  remediationSteps:
    "Take the value from a `secure:` stack config (config.requireSecret), a generated @pulumi/random password, or Secret Manager; wrap anything sensitive in pulumi.secret(). Kubernetes workloads read it through secretKeyRef or a mounted Secret file, Cloud Run through valueSource.secretKeyRef, configuration files through an env expansion (`requirepass ${REDIS_PASSWORD}`) or a Secret.",
  source: 'shareyoursales.md § Sécurité Insuffisante ("JWT Secret en dur"); quickfund.md § Accès ("Gestion secrets: Variables d\'environnement"); CONTRIBUTING.md § Stacks (secrets are secure: values or generated)',
  domain: "secrets",
  resources: ["every resource"],
  types: () => true,
  validate(r, report) {
    if (r.type === "pulumi:pulumi:Stack") r.notApplicable("the root stack has no inputs");
    const props = plain(r.props) as Record<string, unknown>;
    const found: { path: string; why: string }[] = [];
    const w: Walk = { out: found, secretIsReference: r.type.startsWith("gcp:"), kubernetes: r.type.startsWith("kubernetes:"), podEnvIsElsewhere: r.type.startsWith("kubernetes:") && carriesPods(r.type) };
    if (/^kubernetes:(core\/)?v1:Secret$/.test(r.type)) {
      secretEntries(props, found);
      const { data: _d, stringData: _s, ...rest } = props;
      void _d;
      void _s;
      walk(rest, "", "", false, w);
    } else if (r.type === "gcp:secretmanager/secretVersion:SecretVersion" && typeof props.secretData === "string" && !isUnknown(props.secretData) && props.secretData !== SECRET_PLACEHOLDER) {
      // A secret version's payload is a secret by definition, whatever it looks like.
      found.push({ path: "secretData", why: "is the payload of a Secret Manager secret, in plain text" });
      const { secretData: _p, ...rest } = props;
      void _p;
      walk(rest, "", "", false, w);
    } else {
      walk(props, "", "", false, w);
    }
    for (const f of found) report(`${f.path} ${f.why}: make it a Pulumi secret (or a reference to a stored secret) instead of plain text.`);
  },
});

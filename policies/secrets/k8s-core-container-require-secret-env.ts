import { defineResourceRule } from "../lib/rule";
import { isCredentialName, secretFinding } from "../lib/sensitive";
import { isUnknown, list, prop, SECRET_PLACEHOLDER, str } from "../lib/values";
import { carriesPods, eachContainer, POD_TYPES_DESCRIPTION } from "../lib/workload";

/**
 * The pod side of the one secret concern (platform-secrets-input-deny-literal-secret judges every
 * other input with the same lib/sensitive.ts judgement, name AND value): a container's variable is
 * refused when its literal value is a secret (`DB_PASSWORD=hunter2`, `ENCRYPTION_KEY=…`,
 * `MYSQL_PWD=…`, a `mongodb://user:pass@…` URL under any name), or when a credential-named variable
 * is read from a ConfigMap. `JWT_ISSUER`, `TOKEN_TTL_SECONDS` or `DB_PASSWORD_FILE=/run/secrets/db`
 * describe or point at a secret and pass.
 *
 * Env from a Secret (`valueFrom.secretKeyRef`) or files from a mounted Secret: both are accepted.
 * Files are the better channel where the image supports them (`*_FILE` variables: postgres, mariadb
 * and most official images read them): a file is not inherited by child processes nor printed by a
 * crash dump of the environment, which is why Checkov's CKV_K8S_35 prefers it. We do not require
 * files, because the documents' applications read their credentials from environment variables
 * (quickfund.md § Accès: "Gestion secrets: Variables d'environnement") and the operators we run
 * inject theirs as secretKeyRef env; what the documents forbid is the secret in plain text
 * (shareyoursales.md: "JWT Secret en dur"), which both channels avoid. So this rule refuses
 * literals and ConfigMaps, not secretKeyRef, and does not cite CKV_K8S_35.
 */
export default defineResourceRule({
  name: "k8s-core-container-require-secret-env",
  description:
    "Containers receive secrets only from a Secret (env valueFrom.secretKeyRef, or a mounted Secret file): no env value is a literal secret (judged on name and value), and no credential-named variable comes from a ConfigMap.",
  severity: "critical",
  remediationSteps:
    "Store the value in a Kubernetes Secret (from a Pulumi secret or an external secret store) and reference it with env[].valueFrom.secretKeyRef, or mount the Secret and point a `*_FILE` variable at the file.",
  source: 'shareyoursales.md § Sécurité Insuffisante ("JWT Secret en dur"); quickfund.md § Accès ("Gestion secrets: Variables d\'environnement")',
  domain: "secrets",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    eachContainer(r, ({ container }) => {
      for (const e of list(prop(container.c, "env"))) {
        if (isUnknown(e)) continue;
        const name = str(prop(e, "name")) ?? "";
        const value = prop(e, "value");
        if (typeof value === "string" && !isUnknown(value) && value !== SECRET_PLACEHOLDER) {
          const why = secretFinding(name, value);
          if (why) report(`${container.where}: env ${name || "(unnamed)"} ${why}.`);
          continue;
        }
        const from = prop(e, "valueFrom");
        // Unknown source: cannot tell, and nothing known shows a violation.
        if (from === undefined || isUnknown(from) || !isCredentialName(name)) continue;
        if (prop(from, "configMapKeyRef") !== undefined) report(`${container.where}: env ${name} comes from a ConfigMap.`);
      }
    });
  },
});

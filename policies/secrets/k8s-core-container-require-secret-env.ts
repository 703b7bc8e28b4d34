import { defineResourceRule } from "../lib/rule";
import { SENSITIVE_NAME } from "../lib/sensitive";
import { isUnknown, list, prop, str } from "../lib/values";
import { eachContainer, WORKLOAD_TYPES } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-require-secret-env",
  description: "Sensitive environment variables (passwords, tokens, keys, JWT secrets) come only from a Secret (valueFrom.secretKeyRef), never a literal or a ConfigMap.",
  severity: "critical",
  remediationSteps: "Store the value in a Kubernetes Secret (from a Pulumi secret or an external secret store) and reference it with env[].valueFrom.secretKeyRef.",
  source: 'shareyoursales.md § Sécurité Insuffisante ("JWT Secret en dur"); quickfund.md § Accès ("Gestion secrets: Variables d\'environnement"); CKV_K8S_35',
  domain: "secrets",
  resources: WORKLOAD_TYPES,
  types: WORKLOAD_TYPES,
  validate(r, report) {
    eachContainer(r, ({ container }) => {
      for (const e of list(prop(container.c, "env"))) {
        const name = str(prop(e, "name"));
        if (!name || !SENSITIVE_NAME.test(name)) continue;
        const from = prop(e, "valueFrom");
        if (isUnknown(from)) continue;
        if (prop(from, "secretKeyRef") !== undefined) continue;
        if (prop(e, "value") !== undefined) report(`${container.where}: env ${name} is a literal value.`);
        else if (prop(from, "configMapKeyRef") !== undefined) report(`${container.where}: env ${name} comes from a ConfigMap.`);
        else report(`${container.where}: env ${name} does not come from a secretKeyRef.`);
      }
    });
  },
});

import { INGRESS, INGRESS_ROUTE } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

const WEAK = /TLSv1(\.0|\.1)?(\s|$)/;

export default defineResourceRule({
  name: "k8s-networking-ingress-require-tls",
  description: "Every Ingress and Traefik IngressRoute terminates TLS (1.2 or later) for all its hosts.",
  severity: "high",
  remediationSteps:
    "Ingress: add spec.tls covering every rule host (cert-manager issues the certificate); do not list TLSv1/TLSv1.1 in nginx ssl-protocols. IngressRoute: use the websecure entry point and set spec.tls (certResolver or secretName).",
  source: 'diaspomoney.md § Security Layer ("Traefik - Reverse proxy + SSL", "Let\'s Encrypt"); quickfund.md § Sécurité ("HTTPS partout")',
  domain: "encryption",
  resources: [INGRESS, INGRESS_ROUTE],
  types: [INGRESS, INGRESS_ROUTE],
  validate(r, report) {
    if (r.type === INGRESS) {
      const tls = r.get("spec.tls");
      if (isUnknown(tls)) return;
      const entries = list(tls);
      if (entries.length === 0) {
        report("spec.tls is empty: the Ingress serves plain HTTP.");
        return;
      }
      const covered = new Set(entries.flatMap((t) => list(prop(t, "hosts")).map((h) => str(h) ?? "")));
      for (const rule of list(r.get("spec.rules"))) {
        const host = str(prop(rule, "host"));
        if (host && !covered.has(host) && !covered.has("")) report(`host ${host} is not covered by spec.tls.`);
      }
      const annotations = r.get("metadata.annotations");
      const p = str(prop(annotations, "nginx.ingress.kubernetes.io/ssl-protocols"));
      if (p && WEAK.test(p)) report(`nginx.ingress.kubernetes.io/ssl-protocols "${p}" allows TLS below 1.2.`);
      return;
    }
    const tls = r.get("spec.tls");
    if (isUnknown(tls)) return;
    if (tls === undefined || tls === null) report("spec.tls is not set: the IngressRoute serves plain HTTP.");
  },
});

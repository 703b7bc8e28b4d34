import { TLS_OPTION } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown } from "../lib/values";

export default defineResourceRule({
  name: "k8s-traefik-tlsoption-require-tls12",
  description: "Traefik TLS options do not lower the minimum TLS version below 1.2 (Traefik's default is 1.2).",
  severity: "high",
  remediationSteps: "Set spec.minVersion: VersionTLS12 or VersionTLS13 (or leave it unset: Traefik defaults to VersionTLS12).",
  source: 'diaspomoney.md § Sécurité ("TLS 1.3 - Transport")',
  domain: "encryption",
  resources: [TLS_OPTION],
  types: [TLS_OPTION],
  validate(r, report) {
    const v = r.get("spec.minVersion");
    if (isUnknown(v) || v === undefined) return;
    if (v !== "VersionTLS12" && v !== "VersionTLS13") report(`spec.minVersion is ${String(v)}.`);
  },
});

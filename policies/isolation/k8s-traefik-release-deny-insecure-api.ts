import { chartName, HELM_RELEASE } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";
import { carriesPods, eachContainer } from "../lib/workload";

const HELM_TYPES = [HELM_RELEASE, "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"];
const INSECURE_FLAG = /^--api\.insecure(=(true|1|yes))?$/i;

export default defineResourceRule({
  name: "k8s-traefik-release-deny-insecure-api",
  description: "Traefik never serves its API and dashboard insecurely (api.insecure, `--api.insecure`), in its Helm values or in a container's arguments, nor exposes its internal `traefik` entry point.",
  severity: "critical",
  remediationSteps: "Remove api.insecure (Helm values) and --api.insecure (additionalArguments, container args); if the dashboard is needed, publish it through an IngressRoute to api@internal behind an authentication Middleware.",
  source: "Traefik documentation § API, Security (\"Enabling the API in production is not recommended\"; \"it should be at least secured by authentication\"); diaspomoney.md § Security Layer (\"Traefik - Reverse proxy + SSL\")",
  domain: "isolation",
  resources: ["kubernetes:helm.sh/v3:Release, helm.sh Chart (traefik chart)", "pod templates (container args)"],
  types: (t) => HELM_TYPES.includes(t) || carriesPods(t),
  validate(r, report) {
    const flags = (args: unknown, where: string) => {
      for (const a of list(args)) {
        const s = str(a);
        if (s && INSECURE_FLAG.test(s.trim())) report(`${where}: ${s} serves the Traefik API and dashboard without authentication.`);
      }
    };
    if (HELM_TYPES.includes(r.type)) {
      const chart = chartName(prop(r.props, "chart"));
      if (chart !== "traefik") r.notApplicable("not the traefik chart");
      const values = prop(r.props, "values");
      if (isUnknown(values)) return;
      const insecure = prop(prop(values, "api"), "insecure");
      if (insecure === true || str(insecure) === "true") report("values.api.insecure is true: the API and dashboard answer on the traefik entry point without authentication.");
      flags(prop(values, "additionalArguments"), "values.additionalArguments");
      const expose = prop(prop(prop(values, "ports"), "traefik"), "expose");
      if (expose === true || (expose && typeof expose === "object" && Object.values(expose).some((x) => x === true)))
        report("values.ports.traefik.expose publishes the internal traefik entry point (API, dashboard, ping) on the Service.");
      return;
    }
    eachContainer(r, ({ container }) => {
      flags(prop(container.c, "args"), `${container.where}.args`);
      flags(prop(container.c, "command"), `${container.where}.command`);
    });
  },
});

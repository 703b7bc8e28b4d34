import { chartName, HELM_RELEASE, INGRESS_ROUTE, namespaceOf } from "../lib/k8s";
import { defineStackRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

const MIDDLEWARE = "kubernetes:traefik.io/v1alpha1:Middleware";
/** Charts whose UIs are admin consoles (held in code). */
const ADMIN_UI_CHARTS = new Set(["kube-prometheus-stack", "prometheus", "grafana", "alertmanager", "loki", "kibana"]);
/** Service names of admin consoles, whatever namespace routes to them. */
const ADMIN_UI_SERVICE = /(prometheus|grafana|alertmanager|kibana|dashboard)/i;
const AUTH_KINDS = ["basicAuth", "forwardAuth", "digestAuth"];

export default defineStackRule({
  name: "k8s-traefik-ingressroute-require-auth",
  description:
    "Every Traefik IngressRoute to an admin console (Prometheus, Grafana, Alertmanager: a service so named, or any route in the namespace of a monitoring chart's release) passes through an authentication Middleware (basicAuth, forwardAuth, digestAuth) declared in the stack.",
  severity: "critical",
  remediationSteps: "Add the monitoring basic-auth (or forward-auth/SSO) Middleware to every route of the IngressRoute; keep the Middleware in the stack so that the rule can see it.",
  source: 'diaspomoney.md § Monitoring (prometheus/grafana/alertmanager.diaspomoney.fr are public hostnames) and § Security Layer ("Traefik - Reverse proxy + SSL")',
  domain: "isolation",
  resources: [INGRESS_ROUTE, MIDDLEWARE, "kubernetes:helm.sh/v3:Release (monitoring charts)"],
  validate(s, report) {
    const uiNamespaces = new Set<string>();
    for (const rel of s.ofType(HELM_RELEASE)) {
      const chart = chartName(prop(rel.props, "chart"));
      const ns = str(prop(rel.props, "namespace"));
      if (chart && ns && ADMIN_UI_CHARTS.has(chart)) uiNamespaces.add(ns);
    }
    const auth = new Map<string, boolean>();
    for (const mw of s.ofType(MIDDLEWARE)) {
      const ns = namespaceOf(mw.props);
      const name = str(prop(prop(mw.props, "metadata"), "name"));
      const spec = prop(mw.props, "spec");
      if (typeof ns === "string" && name) auth.set(`${ns}/${name}`, isUnknown(spec) || AUTH_KINDS.some((k) => prop(spec, k) !== undefined));
    }
    for (const route of s.ofType(INGRESS_ROUTE)) {
      const ns = namespaceOf(route.props);
      const name = str(prop(prop(route.props, "metadata"), "name")) ?? route.name;
      list(prop(prop(route.props, "spec"), "routes")).forEach((rt, i) => {
        if (isUnknown(rt)) return;
        const services = list(prop(rt, "services")).map((x) => str(prop(x, "name")) ?? "");
        const admin = (typeof ns === "string" && uiNamespaces.has(ns)) || services.some((x) => ADMIN_UI_SERVICE.test(x));
        if (!admin) return;
        const mws = list(prop(rt, "middlewares"));
        if (mws.some(isUnknown)) return;
        const ok = mws.some((m) => {
          const mns = str(prop(m, "namespace")) ?? (typeof ns === "string" ? ns : undefined);
          const mname = str(prop(m, "name"));
          return mns !== undefined && mname !== undefined && auth.get(`${mns}/${mname}`) === true;
        });
        if (!ok) report(`IngressRoute ${name}: routes[${i}] (${services.join(", ") || "no service"}) reaches an admin console with no authentication Middleware of the stack.`, route.urn);
      });
    }
  },
});

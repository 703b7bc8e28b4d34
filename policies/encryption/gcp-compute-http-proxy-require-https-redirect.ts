import { HTTP_PROXY, REGION_HTTP_PROXY, REGION_URL_MAP, URL_MAP } from "../lib/gcp";
import { defineStackRule } from "../lib/rule";
import { at, isSet, isUnknown, list, prop } from "../lib/values";

/** What a URL map sends to a backend instead of redirecting: its default, path matchers' defaults, path rules and route rules. */
function servesContent(props: unknown): string | undefined {
  if (isSet(prop(props, "defaultService"))) return "defaultService";
  if (isSet(prop(props, "defaultRouteAction"))) return "defaultRouteAction";
  for (const [i, pm] of list(prop(props, "pathMatchers")).entries()) {
    if (isSet(prop(pm, "defaultService"))) return `pathMatchers[${i}].defaultService`;
    if (isSet(prop(pm, "defaultRouteAction"))) return `pathMatchers[${i}].defaultRouteAction`;
    for (const rule of list(prop(pm, "pathRules"))) if (isSet(prop(rule, "service")) || isSet(prop(rule, "routeAction"))) return `pathMatchers[${i}].pathRules`;
    for (const rule of list(prop(pm, "routeRules"))) if (isSet(prop(rule, "service")) || isSet(prop(rule, "routeAction"))) return `pathMatchers[${i}].routeRules`;
  }
  return undefined;
}

export default defineStackRule({
  name: "gcp-compute-http-proxy-require-https-redirect",
  description: "A plain-HTTP load balancer front (target HTTP proxy) only redirects to HTTPS: its URL map has defaultUrlRedirect.httpsRedirect and sends nothing to a backend.",
  severity: "high",
  remediationSteps:
    "Point the HTTP proxy at a redirect-only URL map: defaultUrlRedirect { httpsRedirect: true, redirectResponseCode: MOVED_PERMANENTLY_DEFAULT } and no defaultService, path matchers or route rules (the HttpsLoadBalancer component does this). Serve the app only through the HTTPS proxy.",
  source: 'quickfund.md § Sécurité ("HTTPS partout: Obligatoire"); diaspomoney.md § Sécurité ("TLS 1.3 - Transport")',
  domain: "encryption",
  resources: [HTTP_PROXY, REGION_HTTP_PROXY, `${URL_MAP} / ${REGION_URL_MAP} they use`],
  validate(s, report) {
    for (const proxy of s.ofType(HTTP_PROXY, REGION_HTTP_PROXY)) {
      const maps = (proxy.propertyDependencies?.urlMap ?? []).filter((m) => m.type === URL_MAP || m.type === REGION_URL_MAP);
      if (maps.length === 0) {
        // The URL map is not in this plan (an existing one by id): nothing to read.
        if (!isSet(at(proxy.props, "urlMap"))) report(`HTTP proxy ${proxy.name} has no urlMap.`, proxy.urn);
        continue;
      }
      for (const map of maps) {
        const serving = servesContent(map.props);
        if (serving) {
          report(`HTTP proxy ${proxy.name} serves URL map ${map.name}, which sends plain-HTTP traffic to a backend (${serving}) instead of redirecting to HTTPS.`, proxy.urn);
          continue;
        }
        const redirect = at(map.props, "defaultUrlRedirect.httpsRedirect");
        if (isUnknown(redirect)) continue;
        if (redirect !== true) report(`HTTP proxy ${proxy.name} uses URL map ${map.name}, whose defaultUrlRedirect.httpsRedirect is not true: plain HTTP is not upgraded to HTTPS.`, proxy.urn);
      }
    }
  },
});

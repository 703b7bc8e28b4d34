import { describeExposure, exposure } from "../lib/cidr";
import { GKE_CLUSTER } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-restrict-control-plane",
  description: "The GKE control plane is reachable only privately, or from authorized networks that do not add up to the Internet (0.0.0.0/0, 0.0.0.0/1 + 128.0.0.0/1, more than a /8 of public addresses).",
  severity: "high",
  remediationSteps:
    "Either set privateClusterConfig.enablePrivateEndpoint: true (or controlPlaneEndpointsConfig.ipEndpointsConfig.enabled: false with the DNS endpoint), or set masterAuthorizedNetworksConfig.cidrBlocks to the admin ranges (never 0.0.0.0/0) with gcpPublicCidrsAccessEnabled false.",
  source: "CIS GKE v1.8 5.6.3 (Control Plane Authorized Networks is enabled), 5.6.4 (private endpoint enabled, public access disabled); CKV_GCP_18, CKV_GCP_20",
  domain: "isolation",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const man = r.get("masterAuthorizedNetworksConfig");
    // Authorized networks that add up to everything are wrong whatever the endpoint: on a private
    // endpoint they still open it to every address that can route to it (peered networks, VPN).
    if (!isUnknown(man) && man !== undefined && man !== null) {
      const blocks = prop(man, "cidrBlocks");
      if (!isUnknown(blocks)) {
        const e = exposure(list(blocks).map((b) => (isUnknown(b) ? b : prop(b, "cidrBlock"))));
        for (const bad of e.invalid) report(`authorized network ${bad} is not a CIDR range.`);
        const open = describeExposure(e);
        if (open) report(`authorized networks open the control plane to ${open}.`);
      }
      if (prop(man, "gcpPublicCidrsAccessEnabled") === true) report("gcpPublicCidrsAccessEnabled lets any Google Cloud public IP reach the control plane.");
    }
    const privateEndpoint = r.get("privateClusterConfig.enablePrivateEndpoint");
    const ipEndpoints = r.get("controlPlaneEndpointsConfig.ipEndpointsConfig.enabled");
    if (privateEndpoint === true || ipEndpoints === false || isUnknown(privateEndpoint) || isUnknown(man)) return;
    if (man === undefined || man === null) report("the public endpoint is open to any address: set masterAuthorizedNetworksConfig or a private endpoint.");
  },
});

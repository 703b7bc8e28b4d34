import { GKE_CLUSTER, OPEN_CIDRS } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

export default defineResourceRule({
  name: "gcp-gke-cluster-restrict-control-plane",
  description: "The GKE control plane is reachable only privately, or from authorized networks that exclude 0.0.0.0/0.",
  severity: "high",
  remediationSteps:
    "Either set privateClusterConfig.enablePrivateEndpoint: true (or controlPlaneEndpointsConfig.ipEndpointsConfig.enabled: false with the DNS endpoint), or set masterAuthorizedNetworksConfig.cidrBlocks to the admin ranges (never 0.0.0.0/0) with gcpPublicCidrsAccessEnabled false.",
  source: "CIS GKE 5.6.3, 5.6.4; CKV_GCP_20",
  domain: "isolation",
  resources: [GKE_CLUSTER],
  types: [GKE_CLUSTER],
  validate(r, report) {
    const privateEndpoint = r.get("privateClusterConfig.enablePrivateEndpoint");
    const ipEndpoints = r.get("controlPlaneEndpointsConfig.ipEndpointsConfig.enabled");
    if (privateEndpoint === true || ipEndpoints === false || isUnknown(privateEndpoint)) return;
    const man = r.get("masterAuthorizedNetworksConfig");
    if (isUnknown(man)) return;
    if (man === undefined || man === null) {
      report("the public endpoint is open to any address: set masterAuthorizedNetworksConfig or a private endpoint.");
      return;
    }
    const blocks = list(prop(man, "cidrBlocks"));
    for (const b of blocks) {
      const cidr = str(prop(b, "cidrBlock"));
      if (cidr && OPEN_CIDRS.has(cidr)) report(`authorized network ${cidr} opens the control plane to the Internet.`);
    }
    if (prop(man, "gcpPublicCidrsAccessEnabled") === true) report("gcpPublicCidrsAccessEnabled lets any Google Cloud public IP reach the control plane.");
  },
});

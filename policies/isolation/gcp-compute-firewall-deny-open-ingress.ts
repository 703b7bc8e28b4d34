import { describeExposure, exposure } from "../lib/cidr";
import { FIREWALL } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, plain, prop, str } from "../lib/values";

const WEB_PORTS = [80, 443];

/** `"22"` → [22, 22], `"8000-8080"` → [8000, 8080]; undefined when it is not a port or range. */
function portRange(p: unknown): [number, number] | undefined {
  const s = typeof p === "number" ? String(p) : str(p);
  const m = s === undefined ? null : /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s.trim());
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 65535 ? [lo, hi] : undefined;
}

export default defineResourceRule({
  name: "gcp-compute-firewall-deny-open-ingress",
  description:
    "No firewall rule lets the Internet in, except TCP 80 and 443. Source ranges are read as address ranges (0.0.0.0/1 + 128.0.0.0/1 is the whole Internet; more than a /8 of public addresses counts as open), and an ingress rule with no source at all is open: GCP applies 0.0.0.0/0.",
  severity: "critical",
  remediationSteps:
    "Restrict sourceRanges to known ranges (IAP 35.235.240.0/20 for SSH, 35.191.0.0/16 and 130.211.0.0/22 for health checks) or use sourceTags / sourceServiceAccounts; only tcp:80/443 may be open to the Internet.",
  source: "CIS GCP v3.0 3.6 (SSH not open to the Internet), 3.7 (RDP not open to the Internet); CKV_GCP_2, CKV_GCP_3; VPC docs § Firewall rules, sources for ingress rules (no source means 0.0.0.0/0)",
  domain: "isolation",
  resources: [FIREWALL],
  types: [FIREWALL],
  validate(r, report) {
    const direction = r.get("direction");
    if (isUnknown(direction)) return;
    if ((str(direction) ?? "INGRESS") !== "INGRESS") r.notApplicable("egress rule");
    if (r.get("disabled") === true) r.notApplicable("disabled rule");
    const ranges = r.get("sourceRanges");
    // A source that is not a CIDR is wrong whatever the rule lets in: report it before anything unknown.
    const invalid = isUnknown(ranges) ? [] : exposure(list(ranges)).invalid;
    for (const bad of invalid) report(`sourceRanges entry ${bad} is not a CIDR range.`);
    const allows = r.get("allows");
    if (isUnknown(allows)) return;
    if (list(allows).length === 0) r.notApplicable("deny rule: it lets nothing in");
    const tags = r.get("sourceTags");
    const accounts = r.get("sourceServiceAccounts");
    if (isUnknown(ranges)) return;
    const rangeList = list(ranges);
    const otherSources = list(tags).length > 0 || list(accounts).length > 0;
    let from: string;
    if (rangeList.length === 0) {
      // Tags or service accounts alone name instances; with nothing at all, GCP uses 0.0.0.0/0.
      if (otherSources) return;
      from = "anywhere (no source given: GCP applies 0.0.0.0/0)";
    } else {
      const open = describeExposure(exposure(rangeList));
      if (!open) return;
      from = open;
    }
    for (const allow of list(allows)) {
      if (isUnknown(allow)) continue;
      const protocol = str(prop(allow, "protocol")) ?? "";
      const ports = list(prop(allow, "ports"));
      if (protocol !== "tcp" && protocol !== "6") {
        report(`allows ${protocol || "?"}${ports.length ? `:${ports.map(String).join(",")}` : ""} from ${from}.`);
        continue;
      }
      if (ports.length === 0) report(`allows every TCP port from ${from}.`);
      for (const p of ports) {
        if (isUnknown(p)) continue;
        const range = portRange(p);
        if (!range) report(`port ${JSON.stringify(plain(p))} is not a port or port range.`);
        else if (!(range[0] === range[1] && WEB_PORTS.includes(range[0]))) report(`allows tcp:${String(p)} from ${from}.`);
      }
    }
  },
});

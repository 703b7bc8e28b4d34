import { FIREWALL, OPEN_CIDRS } from "../lib/gcp";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

const WEB_PORTS = new Set(["80", "443"]);

export default defineResourceRule({
  name: "gcp-compute-firewall-deny-open-ingress",
  description: "No firewall rule lets the whole Internet (0.0.0.0/0) in, except TCP 80 and 443.",
  severity: "critical",
  remediationSteps: "Restrict sourceRanges to known ranges (IAP 35.235.240.0/20 for SSH, load balancer ranges for health checks); only tcp:80/443 may be open to 0.0.0.0/0.",
  source: "CIS GCP 3.6, 3.7; CKV_GCP_2, CKV_GCP_3",
  domain: "isolation",
  resources: [FIREWALL],
  types: [FIREWALL],
  validate(r, report) {
    const direction = r.get("direction");
    if (isUnknown(direction)) return;
    if ((str(direction) ?? "INGRESS") !== "INGRESS") r.notApplicable("egress rule");
    if (r.get("disabled") === true) r.notApplicable("disabled rule");
    const open = list(r.get("sourceRanges")).some((s) => OPEN_CIDRS.has(str(s) ?? ""));
    if (!open) return;
    for (const allow of list(r.get("allows"))) {
      const protocol = str(prop(allow, "protocol")) ?? "";
      const ports = list(prop(allow, "ports")).map((p) => str(p) ?? String(p));
      if (protocol !== "tcp" && protocol !== "6") {
        report(`allows ${protocol || "?"} from 0.0.0.0/0.`);
        continue;
      }
      if (ports.length === 0) report("allows every TCP port from 0.0.0.0/0.");
      for (const p of ports) if (!WEB_PORTS.has(p)) report(`allows tcp:${p} from 0.0.0.0/0.`);
    }
  },
});

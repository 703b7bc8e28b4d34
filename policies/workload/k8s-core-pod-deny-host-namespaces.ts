import { namespaceOf } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, num, prop } from "../lib/values";
import { carriesPods, eachContainer, eachPod, POD_TYPES_DESCRIPTION } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-pod-deny-host-namespaces",
  description:
    "Pods share no host namespace (hostNetwork, hostPID, hostIPC) and bind no host port, except in the namespaces the platform's facts (held in code) list as privileged (node-exporter).",
  severity: "high",
  remediationSteps: "Remove hostNetwork/hostPID/hostIPC and containers[].ports[].hostPort; expose the pod through a Service instead. Only a workload the platform's privilegedNamespaces fact lists (in code) may use them.",
  source: "PSS baseline Host Namespaces, Host Ports; CKV_K8S_17, CKV_K8S_18, CKV_K8S_19, CKV_K8S_26",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  facts: ["privilegedNamespaces"],
  validate(r, report) {
    const found: string[] = [];
    eachPod(r, (v) => {
      for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
        const x = prop(v.pod, f);
        if (x === true) found.push(`${v.where}.${f} is true`);
        else if (x !== undefined && x !== false && !isUnknown(x)) found.push(`${v.where}.${f} is not a boolean (${JSON.stringify(x)})`);
      }
    });
    eachContainer(r, ({ container }) => {
      list(prop(container.c, "ports")).forEach((p, i) => {
        const hp = prop(p, "hostPort");
        if (hp === undefined || isUnknown(hp) || num(hp) === 0) return;
        found.push(`${container.where}.ports[${i}] binds hostPort ${String(hp)}`);
      });
    });
    if (found.length === 0) return;
    const ns = namespaceOf(r.props, r.provider);
    if (typeof ns === "string" && r.facts.privilegedNamespaces.includes(ns)) r.notApplicable(`namespace ${ns} is privileged by the platform's facts`);
    const where = typeof ns === "string" ? ` (namespace ${ns})` : " (namespace not known yet: no exemption applies)";
    for (const f of found) report(`${f}${where}: the pod shares the node's namespaces or ports.`);
  },
});

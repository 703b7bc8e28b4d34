import { namespaceOf } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";
import { carriesPods, eachPod, POD_TYPES_DESCRIPTION } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-pod-deny-host-path",
  description: "Pods mount no hostPath volume (the container runtime socket least of all), except in the namespaces the platform's facts (held in code) list as privileged.",
  severity: "critical",
  remediationSteps: "Replace hostPath volumes with emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim. Never mount /var/run/docker.sock or containerd.sock.",
  source: "PSS baseline HostPath Volumes; CKV_K8S_27 (docker daemon socket)",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  facts: ["privilegedNamespaces"],
  validate(r, report) {
    const found: string[] = [];
    eachPod(r, (v) => {
      list(prop(v.pod, "volumes")).forEach((vol, i) => {
        const hp = prop(vol, "hostPath");
        if (hp === undefined) return;
        const path = isUnknown(hp) ? undefined : str(prop(hp, "path"));
        const socket = path && /(docker|containerd|crio|cri-dockerd)\.sock$|^\/var\/run\/?$|^\/run\/?$|^\/$/.test(path);
        found.push(`${v.where}.volumes[${i}] mounts hostPath ${path ?? "(path not known)"}${socket ? " (the node's container runtime or root)" : ""}`);
      });
    });
    if (found.length === 0) return;
    const ns = namespaceOf(r.props, r.provider);
    if (typeof ns === "string" && r.facts.privilegedNamespaces.includes(ns)) r.notApplicable(`namespace ${ns} is privileged by the platform's facts`);
    for (const f of found) report(`${f}: a pod reads or writes the node's filesystem.`);
  },
});

import { defineResourceRule } from "../lib/rule";
import { at, isUnknown, keys, list, prop, str } from "../lib/values";
import { carriesPods, eachContainer, eachPod, POD_TYPES_DESCRIPTION } from "../lib/workload";

/** Pod Security Standards (baseline): the SELinux types a pod may ask for. */
const SELINUX_TYPES = new Set(["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
/** Pod Security Standards (baseline): the safe sysctls. */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
/** Pod Security Standards (restricted): the volume types a pod may mount. */
const RESTRICTED_VOLUMES = new Set(["name", "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

export default defineResourceRule({
  name: "k8s-core-pod-deny-unsafe-security-options",
  description:
    "Pods use none of the other escapes the Pod Security Standards forbid: Windows HostProcess, an unconfined AppArmor profile, a custom SELinux user/role or type, an unmasked /proc, unsafe sysctls, or a volume type other than configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret.",
  severity: "high",
  remediationSteps: "Remove windowsOptions.hostProcess, appArmorProfile Unconfined, seLinuxOptions user/role (and types other than container_t…), procMount Unmasked, unsafe sysctls; mount data through a PersistentVolumeClaim, Secret, ConfigMap or emptyDir.",
  source: "PSS baseline HostProcess, AppArmor, SELinux, /proc Mount Type, Sysctls; PSS restricted Volume Types",
  domain: "workload",
  resources: POD_TYPES_DESCRIPTION,
  types: carriesPods,
  validate(r, report) {
    const checkSc = (sc: unknown, where: string) => {
      if (sc === undefined || isUnknown(sc)) return;
      if (prop(prop(sc, "windowsOptions"), "hostProcess") === true) report(`${where}.windowsOptions.hostProcess is true: the container runs as a process of the Windows node.`);
      const aa = str(prop(prop(sc, "appArmorProfile"), "type"));
      if (aa === "Unconfined") report(`${where}.appArmorProfile.type is Unconfined.`);
      const se = prop(sc, "seLinuxOptions");
      if (se !== undefined && !isUnknown(se)) {
        for (const f of ["user", "role"]) if (prop(se, f) !== undefined && !isUnknown(prop(se, f)) && prop(se, f) !== "") report(`${where}.seLinuxOptions.${f} is set: a custom SELinux ${f}.`);
        const t = prop(se, "type");
        if (typeof t === "string" && t !== "" && !SELINUX_TYPES.has(t)) report(`${where}.seLinuxOptions.type ${t} is not a container type.`);
      }
      const pm = prop(sc, "procMount");
      if (pm !== undefined && !isUnknown(pm) && pm !== "Default") report(`${where}.procMount is ${JSON.stringify(pm)}: the container sees the host's /proc unmasked.`);
    };
    eachPod(r, (v) => {
      const sc = prop(v.pod, "securityContext");
      checkSc(sc, `${v.where}.securityContext`);
      list(prop(sc, "sysctls")).forEach((s, i) => {
        const name = prop(s, "name");
        if (isUnknown(s) || isUnknown(name)) return;
        if (typeof name !== "string" || !SAFE_SYSCTLS.has(name)) report(`${v.where}.securityContext.sysctls[${i}] ${JSON.stringify(name)} is not a safe sysctl.`);
      });
      list(prop(v.pod, "volumes")).forEach((vol, i) => {
        if (isUnknown(vol)) return;
        // hostPath has its own rule (k8s-core-pod-deny-host-path).
        const kinds = keys(vol).filter((k) => !RESTRICTED_VOLUMES.has(k) && k !== "hostPath");
        if (kinds.length) report(`${v.where}.volumes[${i}] is a ${kinds.join("/")} volume: only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes are allowed.`);
      });
    });
    eachContainer(r, ({ container }) => checkSc(prop(container.c, "securityContext"), `${container.where}.securityContext`));
    for (const path of ["metadata.annotations", "spec.template.metadata.annotations", "spec.jobTemplate.spec.template.metadata.annotations"]) {
      const ann = at(r.props, path);
      for (const k of keys(ann)) if (k.startsWith(APPARMOR_ANNOTATION) && str(prop(ann, k)) === "unconfined") report(`annotation ${k} is unconfined.`);
    }
  },
});

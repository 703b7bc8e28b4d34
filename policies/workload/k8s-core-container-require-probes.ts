import { defineResourceRule } from "../lib/rule";
import { isSet, prop } from "../lib/values";
import { eachContainer, isLongRunningPodType } from "../lib/workload";

export default defineResourceRule({
  name: "k8s-core-container-require-probes",
  description: "Long-running containers have readiness and liveness probes (Jobs and CronJobs are exempt).",
  severity: "medium",
  remediationSteps: "Add readinessProbe and livenessProbe (e.g. httpGet /api/health) to every main container of Deployments, StatefulSets and DaemonSets.",
  source: 'cryptocare.md § 3.2.2 ("Implémentation de health checks"); diaspomoney.md § APIs ("Health Check: /api/health"); CKV_K8S_8, CKV_K8S_9',
  domain: "workload",
  resources: ["Pod, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet (every API version)"],
  types: isLongRunningPodType,
  validate(r, report) {
    eachContainer(
      r,
      ({ container }) => {
        for (const probe of ["readinessProbe", "livenessProbe"]) if (!isSet(prop(container.c, probe))) report(`${container.where}: ${probe} is not set.`);
      },
      { mainOnly: true, builtInOnly: true },
    );
  },
});

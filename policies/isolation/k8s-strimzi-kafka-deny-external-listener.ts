import { ofGroupKinds } from "../lib/pod-templates";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

const EXTERNAL = new Set(["loadbalancer", "nodeport", "route", "ingress"]);

export default defineResourceRule({
  name: "k8s-strimzi-kafka-deny-external-listener",
  description: "Strimzi Kafka listeners are internal (internal, cluster-ip): no loadbalancer, nodeport, route or ingress listener puts the brokers outside the cluster.",
  severity: "high",
  remediationSteps: "Use listener type internal (or cluster-ip); clients outside the cluster go through the application, never to the brokers directly.",
  source: "diaspomoney.md § Architecture Multi-Environnement (INTERNET → TRAEFIK → envs: data services stay in the -infra namespaces)",
  domain: "isolation",
  resources: ["kubernetes:kafka.strimzi.io/<version>:Kafka"],
  types: ofGroupKinds("kafka.strimzi.io/Kafka"),
  validate(r, report) {
    list(prop(prop(prop(r.props, "spec"), "kafka"), "listeners")).forEach((l, i) => {
      const type = prop(l, "type");
      if (isUnknown(l) || isUnknown(type)) return;
      const t = str(type);
      if (t === undefined) report(`listeners[${i}]: type ${JSON.stringify(type)} is not a listener type.`);
      else if (EXTERNAL.has(t.toLowerCase())) report(`listeners[${i}] (${str(prop(l, "name")) ?? "?"}): type ${t} exposes the brokers outside the cluster.`);
    });
  },
});

import { ofGroupKinds } from "../lib/pod-templates";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, num, prop } from "../lib/values";

/** Broker settings and the value a prod cluster needs; `dflt` is Kafka's own default when unset. */
const MINIMUMS: { key: string; min: number; dflt: number }[] = [
  { key: "default.replication.factor", min: 3, dflt: 1 },
  { key: "min.insync.replicas", min: 2, dflt: 1 },
  { key: "offsets.topic.replication.factor", min: 3, dflt: 3 },
  { key: "transaction.state.log.replication.factor", min: 3, dflt: 3 },
  { key: "transaction.state.log.min.isr", min: 2, dflt: 2 },
];

export default defineResourceRule({
  name: "k8s-strimzi-kafka-require-durable-replication",
  description:
    "In prod, Kafka keeps every record on 3 brokers and acknowledges it on 2 (default.replication.factor ≥ 3, min.insync.replicas ≥ 2, internal topics likewise) and never elects an out-of-sync leader (unclean.leader.election.enable false).",
  severity: "high",
  remediationSteps: "Set spec.kafka.config default.replication.factor: 3, min.insync.replicas: 2, offsets.topic.replication.factor: 3, transaction.state.log.replication.factor: 3, transaction.state.log.min.isr: 2, unclean.leader.election.enable: false.",
  source: 'diaspomoney.md § Backup ("Kafka - Retention des messages"), § Performance ("Kafka - Partitioning et réplication"); Apache Kafka documentation § Replication (min.insync.replicas, unclean leader election)',
  domain: "protection",
  resources: ["kubernetes:kafka.strimzi.io/<version>:Kafka"],
  scope: "prod",
  types: ofGroupKinds("kafka.strimzi.io/Kafka"),
  validate(r, report) {
    const config = prop(prop(prop(r.props, "spec"), "kafka"), "config");
    if (isUnknown(config)) return;
    for (const { key, min, dflt } of MINIMUMS) {
      const v = prop(config, key);
      if (isUnknown(v)) continue;
      const n = v === undefined ? dflt : num(v);
      if (n === undefined || !Number.isInteger(n)) report(`config ${key} is ${JSON.stringify(v)}, not a number.`);
      else if (n < min) report(`config ${key} is ${n}${v === undefined ? " (Kafka's default)" : ""}; prod needs at least ${min}.`);
    }
    const unclean = prop(config, "unclean.leader.election.enable");
    if (!isUnknown(unclean) && unclean !== undefined && unclean !== false && unclean !== "false")
      report(`config unclean.leader.election.enable is ${JSON.stringify(unclean)}: an out-of-sync replica may become leader and drop acknowledged records.`);
  },
});

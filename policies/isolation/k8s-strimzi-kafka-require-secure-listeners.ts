import { ofGroupKinds } from "../lib/pod-templates";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, list, prop, str } from "../lib/values";

export default defineResourceRule({
  name: "k8s-strimzi-kafka-require-secure-listeners",
  description: "Every Strimzi Kafka listener encrypts (tls: true) and authenticates its clients (authentication set), and the brokers authorize them (spec.kafka.authorization).",
  severity: "critical",
  remediationSteps: "Set tls: true and authentication { type: scram-sha-512 | tls | oauth } on every listener, and spec.kafka.authorization { type: simple } with KafkaUser ACLs.",
  source: 'diaspomoney.md § Sécurité ("TLS 1.3 - Transport"); Strimzi documentation § Securing access to Kafka (listener authentication, authorization)',
  domain: "isolation",
  resources: ["kubernetes:kafka.strimzi.io/<version>:Kafka"],
  types: ofGroupKinds("kafka.strimzi.io/Kafka"),
  validate(r, report) {
    const kafka = prop(prop(r.props, "spec"), "kafka");
    if (isUnknown(kafka)) return;
    const listeners = prop(kafka, "listeners");
    list(listeners).forEach((l, i) => {
      if (isUnknown(l)) return;
      const name = str(prop(l, "name")) ?? `#${i}`;
      const tls = prop(l, "tls");
      const auth = prop(l, "authentication");
      if (!isUnknown(tls) && tls !== true) report(`listeners[${i}] (${name}): tls is ${tls === undefined ? "not set" : JSON.stringify(tls)}: clients talk to the brokers in plain text.`);
      if (auth === undefined) report(`listeners[${i}] (${name}): no authentication: any client that reaches the port is accepted.`);
      else if (!isUnknown(auth) && !str(prop(auth, "type"))) report(`listeners[${i}] (${name}): authentication has no type.`);
    });
    const authz = prop(kafka, "authorization");
    if (authz === undefined) report("spec.kafka.authorization is not set: every authenticated client may read and write every topic.");
    else if (!isUnknown(authz) && !str(prop(authz, "type"))) report("spec.kafka.authorization has no type.");
  },
});

import { DATA_SERVICE_KINDS, groupKind, ofGroupKinds } from "../lib/pod-templates";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, prop, str } from "../lib/values";

const { mongodb: MONGODB, redis: REDIS, rabbitmq: RABBITMQ, elasticsearch: ELASTICSEARCH, mariadb: MARIADB } = DATA_SERVICE_KINDS;

export default defineResourceRule({
  name: "k8s-data-service-require-tls",
  description:
    "Operator-run data services accept only TLS connections: MongoDBCommunity (tls enabled, not optional), OT RedisCluster (TLS secret), RabbitmqCluster (TLS secret, non-TLS listeners off), ECK Elasticsearch (HTTP TLS not disabled), MariaDB (TLS enabled and required).",
  severity: "high",
  remediationSteps:
    "MongoDB: spec.security.tls.enabled true, optional false. Redis: spec.TLS.secret.secretName (a cert-manager certificate). RabbitMQ: spec.tls.secretName and disableNonTLSListeners true. Elasticsearch: keep spec.http.tls (never selfSignedCertificate.disabled without a certificate). MariaDB: spec.tls.enabled and required true.",
  source: 'diaspomoney.md § Sécurité ("TLS 1.3 - Transport"); quickfund.md § Sécurité données ("Chiffrement en transit (HTTPS/TLS)")',
  domain: "encryption",
  resources: ["MongoDBCommunity", "RedisCluster", "RabbitmqCluster", "Elasticsearch (ECK)", "MariaDB (mariadb-operator)"],
  types: ofGroupKinds(MONGODB, REDIS, RABBITMQ, ELASTICSEARCH, MARIADB),
  validate(r, report) {
    const spec = prop(r.props, "spec");
    if (isUnknown(spec)) return;
    const at = (path: string) => path.split(".").reduce<unknown>((o, k) => prop(o, k), spec);
    const mustBe = (path: string, want: boolean, what: string) => {
      const v = at(path);
      if (isUnknown(v)) return;
      if (v !== want) report(`spec.${path} is ${v === undefined ? "not set" : JSON.stringify(v)}: ${what}.`);
    };
    switch (groupKind(r.type)) {
      case MONGODB:
        mustBe("security.tls.enabled", true, "MongoDB accepts plain-text connections");
        if (at("security.tls.optional") === true) report("spec.security.tls.optional is true: clients may still connect without TLS.");
        break;
      case REDIS: {
        const tls = at("TLS");
        if (isUnknown(tls)) return;
        const secret = prop(prop(tls, "secret"), "secretName");
        if (tls === undefined) report("spec.TLS is not set: Redis serves plain text.");
        else if (!isUnknown(secret) && !str(secret)) report("spec.TLS.secret.secretName is not set: Redis has no certificate and serves plain text.");
        break;
      }
      case RABBITMQ: {
        const secret = at("tls.secretName");
        if (!isUnknown(secret) && !str(secret)) report("spec.tls.secretName is not set: RabbitMQ serves AMQP and management in plain text.");
        else mustBe("tls.disableNonTLSListeners", true, "RabbitMQ keeps its plain-text listeners open beside the TLS ones");
        break;
      }
      case ELASTICSEARCH: {
        const disabled = at("http.tls.selfSignedCertificate.disabled");
        const cert = at("http.tls.certificate.secretName");
        if (disabled === true && !isUnknown(cert) && !str(cert)) report("spec.http.tls.selfSignedCertificate.disabled is true with no certificate: Elasticsearch serves HTTP in plain text.");
        break;
      }
      case MARIADB: {
        const enabled = at("tls.enabled");
        if (enabled === false) report("spec.tls.enabled is false: MariaDB serves plain text.");
        mustBe("tls.required", true, "MariaDB still accepts plain-text connections");
        break;
      }
    }
  },
});

/** Specs of the Kubernetes rules. */
import { DEL, mutate, res, UNKNOWN } from "../helpers";
import { pgCluster } from "./cnpg";
import { bucket, sqlInstance } from "./gcp";
import type { RuleSpec } from "./types";

const NS = "diaspomoney-prod";
const POD_SECURITY = { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } };

export const container = {
  name: "web",
  image: "ghcr.io/diaspomoney/web:1.4.2",
  ports: [{ containerPort: 3000 }],
  env: [
    { name: "NODE_ENV", value: "production" },
    { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "web-db", key: "password" } } },
  ],
  resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  readinessProbe: { httpGet: { path: "/api/health", port: 3000 } },
  livenessProbe: { httpGet: { path: "/api/health", port: 3000 } },
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
};

export const deployment = res("kubernetes:apps/v1:Deployment", "web", {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: NS, labels: { app: "web" } },
  spec: {
    replicas: 5,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        serviceAccountName: "web",
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: [container],
        volumes: [{ name: "tmp", emptyDir: {} }],
      },
    },
  },
});

const C = "spec.template.spec.containers.0";
const namespace = res("kubernetes:core/v1:Namespace", "app-namespace", {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: NS, labels: { env: "prod", platform: "diaspomoney", "pod-security.kubernetes.io/enforce": "restricted" } },
});
const service = res("kubernetes:core/v1:Service", "web-svc", {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: NS },
  spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 80, targetPort: 3000 }] },
});
const ingress = res("kubernetes:networking.k8s.io/v1:Ingress", "web-ingress", {
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "web", namespace: NS },
  spec: {
    tls: [{ hosts: ["app.diaspomoney.fr"], secretName: "web-tls" }],
    rules: [{ host: "app.diaspomoney.fr", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }],
  },
});
export const ingressRoute = res("kubernetes:traefik.io/v1alpha1:IngressRoute", "web-route", {
  apiVersion: "traefik.io/v1alpha1",
  kind: "IngressRoute",
  metadata: { name: "web", namespace: NS },
  spec: { entryPoints: ["websecure"], routes: [{ match: "Host(`app.diaspomoney.fr`)", kind: "Rule", services: [{ name: "web", port: 80 }] }], tls: { certResolver: "letsencrypt" } },
});
const tlsOption = res("kubernetes:traefik.io/v1alpha1:TLSOption", "modern-tls", {
  apiVersion: "traefik.io/v1alpha1",
  kind: "TLSOption",
  metadata: { name: "default", namespace: "diaspomoney-prod-infra" },
  spec: { minVersion: "VersionTLS12" },
});
const quota = res("kubernetes:core/v1:ResourceQuota", "app-quota", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "quota", namespace: UNKNOWN }, spec: { hard: { pods: "50" } } }, {
  dependencies: [namespace.urn],
});
const denyAll = res(
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  "app-default-deny",
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: UNKNOWN }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
  { dependencies: [namespace.urn] },
);
const statefulSet = res("kubernetes:apps/v1:StatefulSet", "mongo", {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "mongo", namespace: "diaspomoney-prod-infra" },
  spec: { replicas: 3, serviceName: "mongo", selector: { matchLabels: { app: "mongo" } }, template: { metadata: { labels: { app: "mongo", tier: "data" } }, spec: { automountServiceAccountToken: false, securityContext: POD_SECURITY, containers: [container] } } },
});
const pdb = res("kubernetes:policy/v1:PodDisruptionBudget", "mongo-pdb", {
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "mongo", namespace: "diaspomoney-prod-infra" },
  spec: { maxUnavailable: 1, selector: { matchLabels: { app: "mongo" } } },
});
const backupJob = res("kubernetes:batch/v1:CronJob", "mongo-backup", {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "mongo-backup", namespace: "diaspomoney-prod-infra", labels: { "backup.platform/target": "mongo" }, annotations: { "backup.platform/retention-days": "30" } },
  spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", automountServiceAccountToken: false, securityContext: POD_SECURITY, containers: [container] } } } } },
});
const sqlPrimary = { ...structuredClone(sqlInstance), name: "ledger-instance", urn: sqlInstance.urn.replace("orders-instance", "ledger-instance") };
export const mongoCr = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", {
  apiVersion: "mongodbcommunity.mongodb.com/v1",
  kind: "MongoDBCommunity",
  metadata: { name: "mongodb", namespace: "diaspomoney-prod-infra" },
  spec: {
    members: 3,
    type: "ReplicaSet",
    version: "7.0.14",
    security: { authentication: { modes: ["SCRAM"] }, tls: { enabled: true, optional: false, certificateKeySecretRef: { name: "mongodb-tls" }, caCertificateSecretRef: { name: "mongodb-tls" } } },
    users: [{ name: "app", db: "admin", passwordSecretRef: { name: "mongodb-app" }, roles: [{ name: "readWrite", db: "app" }], scramCredentialsSecretName: "app" }],
  },
});
const mongoBackupJob = res("kubernetes:batch/v1:CronJob", "mongodb-backup", {
  ...structuredClone(backupJob.inputs),
  metadata: { name: "mongodb-backup", namespace: "diaspomoney-prod-infra", labels: { "backup.platform/target": "mongodb" }, annotations: { "backup.platform/retention-days": "30" } },
});
const mongoPdb = res("kubernetes:policy/v1:PodDisruptionBudget", "mongodb-pdb", {
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "mongodb", namespace: "diaspomoney-prod-infra" },
  spec: { maxUnavailable: 1, selector: { matchLabels: { app: "mongodb-svc" } } },
});


// ---- Fixtures of the issue-9 Kubernetes rules (host hardening, data services, availability) ----
const INFRA = "diaspomoney-prod-infra";
const webSa = res("kubernetes:core/v1:ServiceAccount", "web-sa", { apiVersion: "v1", kind: "ServiceAccount", automountServiceAccountToken: false, metadata: { name: "web", namespace: NS } });
const readerRole = res("kubernetes:rbac.authorization.k8s.io/v1:Role", "web-reader", {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "Role",
  metadata: { name: "config-reader", namespace: NS },
  rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
});
const readerBinding = res("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "web-reader-binding", {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: { name: "config-reader", namespace: NS },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "config-reader" },
  subjects: [{ kind: "ServiceAccount", name: "reader", namespace: NS }],
});
const traefikRelease = res("kubernetes:helm.sh/v3:Release", "traefik-release", {
  chart: "traefik",
  name: "traefik",
  namespace: "traefik",
  version: "41.3.0",
  repositoryOpts: { repo: "https://traefik.github.io/charts" },
  values: { api: { dashboard: false }, deployment: { replicas: 3 }, service: { spec: { type: "LoadBalancer" } } },
});
const monitoringRelease = res("kubernetes:helm.sh/v3:Release", "monitoring-release", {
  chart: "kube-prometheus-stack",
  name: "kube-prometheus-stack",
  namespace: "monitoring",
  version: "79.0.0",
  repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
  values: { fullnameOverride: "kps" },
});
const basicAuth = res("kubernetes:traefik.io/v1alpha1:Middleware", "monitoring-basic-auth", {
  apiVersion: "traefik.io/v1alpha1",
  kind: "Middleware",
  metadata: { name: "basic-auth", namespace: "monitoring" },
  spec: { basicAuth: { realm: "monitoring", removeHeader: true, secret: "monitoring-basic-auth" } },
});
const promRoute = res("kubernetes:traefik.io/v1alpha1:IngressRoute", "prometheus-route", {
  apiVersion: "traefik.io/v1alpha1",
  kind: "IngressRoute",
  metadata: { name: "prometheus", namespace: "monitoring" },
  spec: {
    entryPoints: ["websecure"],
    routes: [{ kind: "Rule", match: "Host(`prometheus.diaspomoney.fr`)", middlewares: [{ name: "basic-auth" }], services: [{ name: "kps-prometheus", port: 9090 }] }],
    tls: { secretName: "monitoring-tls" },
  },
});
const webFromTraefik = res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "web-from-traefik", {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "web-from-traefik", namespace: NS },
  spec: {
    podSelector: { matchLabels: { app: "web" } },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } }], ports: [{ port: 3000, protocol: "TCP" }] }],
    egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }], ports: [{ port: 443, protocol: "TCP" }] }],
  },
});
const traefikFromInternet = res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "traefik-from-internet", {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "allow-web-from-internet", namespace: "traefik" },
  spec: {
    podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 8443, protocol: "TCP" }] }],
  },
});
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
export const redisCr = res("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis-cluster", {
  apiVersion: "redis.redis.opstreelabs.in/v1beta2",
  kind: "RedisCluster",
  metadata: { name: "redis", namespace: INFRA },
  spec: {
    clusterSize: 3,
    clusterVersion: "v7",
    persistenceEnabled: true,
    port: 6379,
    TLS: { ca: "ca.crt", cert: "tls.crt", key: "tls.key", secret: { secretName: "redis-server-tls" } },
    kubernetesConfig: {
      image: "quay.io/opstree/redis:v7.0.15",
      redisSecret: { name: "redis-auth", key: "password" },
      resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    redisConfig: { additionalRedisConfig: "redis-config" },
    redisLeader: { replicas: 3, pdb: { enabled: true, maxUnavailable: 1 }, securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: false } },
    redisFollower: { replicas: 3, pdb: { enabled: true, maxUnavailable: 1 }, securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: false } },
    storage: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } } },
  },
});
const redisConf = res("kubernetes:core/v1:ConfigMap", "redis-aof-config", {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "redis-config", namespace: INFRA },
  data: { "redis-additional.conf": "appendonly yes\nappendfsync everysec\n" },
});
export const kafkaCr = res("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka", {
  apiVersion: "kafka.strimzi.io/v1",
  kind: "Kafka",
  metadata: { name: "kafka", namespace: INFRA, annotations: { "strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled" } },
  spec: {
    kafka: {
      version: "4.2.0",
      authorization: { type: "simple" },
      config: { "default.replication.factor": 3, "min.insync.replicas": 2, "offsets.topic.replication.factor": 3, "transaction.state.log.replication.factor": 3, "transaction.state.log.min.isr": 2, "unclean.leader.election.enable": false },
      listeners: [{ name: "tls", port: 9093, type: "internal", tls: true, authentication: { type: "scram-sha-512" } }],
      template: { pod: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } }, kafkaContainer: { securityContext: RESTRICTED_CONTAINER }, podDisruptionBudget: { maxUnavailable: 1 } },
    },
  },
});
const worker = { ...mutate(deployment, { "metadata.name": "worker", "spec.replicas": 2 }), name: "worker", urn: deployment.urn.replace("::web", "::worker") };
const hpa = res("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "web-hpa", {
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "web", namespace: NS },
  spec: { minReplicas: 5, maxReplicas: 15, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] },
});
const webPdb = res("kubernetes:policy/v1:PodDisruptionBudget", "web-pdb", {
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "web", namespace: NS },
  spec: { maxUnavailable: 1, selector: { matchLabels: { app: "web" } } },
});
export const dumpBucket = { ...mutate(bucket, { name: "diaspomoney-mongodb-backups-prod", lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 30 } }, { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 7, withState: "ARCHIVED" } }] }) };
dumpBucket.name = "mongodb-dumps";
dumpBucket.urn = bucket.urn.replace("db-backups", "mongodb-dumps");
export const dumpJob = res("kubernetes:batch/v1:CronJob", "mongodb-dump", {
  ...structuredClone(backupJob.inputs),
  metadata: { name: "mongodb-dump", namespace: INFRA, labels: { "backup.platform/target": "mongo" }, annotations: { "backup.platform/retention-days": "30" } },
});
((dumpJob.inputs.spec as { jobTemplate: { spec: { template: { spec: { containers: Record<string, unknown>[] } } } } }).jobTemplate.spec.template.spec.containers[0]).args = [
  'gcloud storage cp /backup/dump.gz "gs://diaspomoney-mongodb-backups-prod/mongodb/$(date +%F).gz"',
];

export const K8S_SPECS: Record<string, RuleSpec> = {
  "k8s-core-container-require-non-root": {
    kind: "resource",
    fixture: deployment,
    failing: { "runAsNonRoot false": { "spec.template.spec.securityContext.runAsNonRoot": false }, "runAsUser 0": { "spec.template.spec.securityContext.runAsUser": 0 } },
    compliant: { "set per container instead": { "spec.template.spec.securityContext.runAsNonRoot": DEL, [`${C}.securityContext.runAsNonRoot`]: true } },
  },
  "k8s-core-container-deny-privilege-escalation": {
    kind: "resource",
    fixture: deployment,
    failing: { "escalation allowed": { [`${C}.securityContext.allowPrivilegeEscalation`]: true }, "escalation unset": { [`${C}.securityContext.allowPrivilegeEscalation`]: DEL }, privileged: { [`${C}.securityContext.privileged`]: true } },
  },
  "k8s-core-container-drop-capabilities": {
    kind: "resource",
    fixture: deployment,
    failing: { "drop nothing": { [`${C}.securityContext.capabilities.drop`]: DEL }, "add NET_ADMIN": { [`${C}.securityContext.capabilities.add`]: ["NET_ADMIN"] } },
    compliant: { "add back NET_BIND_SERVICE": { [`${C}.securityContext.capabilities.add`]: ["NET_BIND_SERVICE"] } },
  },
  "k8s-core-container-require-seccomp": {
    kind: "resource",
    fixture: deployment,
    failing: { unconfined: { "spec.template.spec.securityContext.seccompProfile.type": "Unconfined" }, unset: { "spec.template.spec.securityContext.seccompProfile": DEL } },
  },
  "k8s-core-container-require-readonly-rootfs": {
    kind: "resource",
    fixture: deployment,
    failing: { writable: { [`${C}.securityContext.readOnlyRootFilesystem`]: false }, unset: { [`${C}.securityContext.readOnlyRootFilesystem`]: DEL } },
  },
  "k8s-core-container-require-resources": {
    kind: "resource",
    fixture: deployment,
    failing: {
      "no cpu request": { [`${C}.resources.requests.cpu`]: DEL },
      "no memory request": { [`${C}.resources.requests.memory`]: DEL },
      "no cpu limit": { [`${C}.resources.limits.cpu`]: DEL },
      "no memory limit": { [`${C}.resources.limits.memory`]: DEL },
    },
  },
  "k8s-core-container-require-probes": {
    kind: "resource",
    fixture: deployment,
    failing: { "no readiness": { [`${C}.readinessProbe`]: DEL }, "no liveness": { [`${C}.livenessProbe`]: DEL } },
  },
  "k8s-core-container-deny-latest-image": {
    kind: "resource",
    fixture: deployment,
    failing: { latest: { [`${C}.image`]: "ghcr.io/diaspomoney/web:latest" }, untagged: { [`${C}.image`]: "ghcr.io/diaspomoney/web" }, "registry port, no tag": { [`${C}.image`]: "registry:5000/web" } },
    compliant: { digest: { [`${C}.image`]: "ghcr.io/diaspomoney/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" } },
  },
  "k8s-core-container-require-secret-env": {
    kind: "resource",
    fixture: deployment,
    failing: {
      "literal password": { [`${C}.env.1`]: { name: "DATABASE_PASSWORD", value: "hunter2" } },
      "jwt secret from a ConfigMap": { [`${C}.env.1`]: { name: "JWT_SECRET", valueFrom: { configMapKeyRef: { name: "cfg", key: "jwt" } } } },
    },
  },
  "k8s-core-workload-deny-default-namespace": {
    kind: "resource",
    fixture: deployment,
    failing: { "default namespace": { "metadata.namespace": "default" }, "no namespace": { "metadata.namespace": DEL } },
    compliant: { "namespace from another resource (unknown)": { "metadata.namespace": UNKNOWN } },
  },
  "k8s-core-namespace-require-labels": {
    kind: "resource",
    fixture: namespace,
    failing: { "no env label": { "metadata.labels.env": DEL }, "no platform label": { "metadata.labels.platform": DEL }, "wrong env": { "metadata.labels.env": "dev" } },
  },
  "k8s-core-namespace-require-pod-security": {
    kind: "resource",
    fixture: namespace,
    failing: {
      "no PSS label": { "metadata.labels.pod-security\u2024kubernetes\u2024io/enforce": DEL },
      "baseline on an app namespace": { "metadata.labels.pod-security\u2024kubernetes\u2024io/enforce": "baseline", "metadata.annotations": { "platform.diaspomoney.fr/pod-security-reason": "operator" } },
      "baseline without a reason": { "metadata.name": "diaspomoney-prod-infra", "metadata.labels.pod-security\u2024kubernetes\u2024io/enforce": "baseline" },
      privileged: { "metadata.labels.pod-security\u2024kubernetes\u2024io/enforce": "privileged" },
      "privileged in a listed namespace without a reason": { "metadata.name": "monitoring-node-exporter", "metadata.labels.pod-security\u2024kubernetes\u2024io/enforce": "privileged" },
    },
    compliant: {
      "privileged in a namespace the document facts list, with a reason": { "metadata.name": "monitoring-node-exporter", "metadata.labels.pod-security\u2024kubernetes\u2024io/enforce": "privileged", "metadata.annotations": { "platform.diaspomoney.fr/pod-security-reason": "node-exporter reads host metrics" } },
      "baseline on an infra namespace with a reason": { "metadata.name": "diaspomoney-prod-infra", "metadata.labels.pod-security\u2024kubernetes\u2024io/enforce": "baseline", "metadata.annotations": { "platform.diaspomoney.fr/pod-security-reason": "the MongoDB operator's init containers" } },
    },
  },
  "k8s-core-service-deny-external-type": {
    kind: "resource",
    fixture: service,
    failing: {
      "load balancer": { "spec.type": "LoadBalancer" },
      "node port": { "spec.type": "NodePort" },
      // The ingress controller's Service comes from its Helm release: a name exempts nothing.
      "load balancer named like the ingress controller": { "spec.type": "LoadBalancer", "metadata.name": "traefik-public" },
    },
  },
  "k8s-networking-ingress-require-tls": {
    kind: "resource",
    fixture: ingress,
    failing: { "no tls": { "spec.tls": DEL }, "host not covered": { "spec.rules.0.host": "api.diaspomoney.fr" }, "weak protocols": { "metadata.annotations": { "nginx.ingress.kubernetes.io/ssl-protocols": "TLSv1 TLSv1.2" } } },
  },
  "k8s-traefik-tlsoption-require-tls12": {
    kind: "resource",
    fixture: tlsOption,
    failing: { "TLS 1.0": { "spec.minVersion": "VersionTLS10" }, "TLS 1.1": { "spec.minVersion": "VersionTLS11" } },
    compliant: { "Traefik default (1.2)": { "spec.minVersion": DEL } },
  },
  "k8s-schema-object-require-valid-schema": {
    kind: "resource",
    fixture: deployment,
    failing: { "removed API version (apps/v1beta2)": { apiVersion: "apps/v1beta2" }, "removed API version (extensions/v1beta1)": { apiVersion: "extensions/v1beta1" }, "replicas as a string": { "spec.replicas": "five" }, "port as a string": { "spec.template.spec.containers.0.ports.0.containerPort": "3000" }, "selector missing": { "spec.selector": DEL } },
    compliant: { "unknown value is opaque": { "metadata.namespace": UNKNOWN } },
  },
  "k8s-core-namespace-require-guardrails": {
    kind: "stack",
    fixture: [namespace, quota, denyAll],
    failing: {
      "no quota": { remove: "app-quota" },
      "no default deny": { remove: "app-default-deny" },
      "deny policy that allows ingress": { target: "app-default-deny", changes: { "spec.ingress": [{ from: [{ podSelector: {} }] }] } },
      "deny policy for some pods only": { target: "app-default-deny", changes: { "spec.podSelector": { matchLabels: { app: "web" } } } },
    },
    compliant: { "matched by known namespace name": { target: "app-quota", changes: { "metadata.namespace": NS } } },
    notApplicable: { "no namespace": { change: { remove: "app-namespace" }, reason: /no namespace/ } },
  },
  "k8s-policy-pdb-require-disruption-budget": {
    kind: "stack",
    fixture: [statefulSet, pdb, mongoCr, mongoPdb, deployment, webPdb],
    failing: {
      "web deployment without pdb": { remove: "web-pdb" },
      "web pdb selects other pods": { target: "web-pdb", changes: { "spec.selector.matchLabels.app": "api" } },
      "statefulset without pdb": { remove: "mongo-pdb" },
      "pdb allows no disruption": { target: "mongo-pdb", changes: { "spec.maxUnavailable": 0 } },
      "minAvailable = replicas": { target: "mongo-pdb", changes: { "spec.maxUnavailable": DEL, "spec.minAvailable": 3 } },
      "mongodb cr without pdb": { remove: "mongodb-pdb" },
    },
    compliant: { "minAvailable 2 of 3": { target: "mongo-pdb", changes: { "spec.maxUnavailable": DEL, "spec.minAvailable": 2 } } },
    notApplicable: { "rct stack": { facts: { env: "rct" }, change: { remove: "mongo-pdb" }, reason: /prod stacks only/ } },
  },
  "platform-data-service-require-backup-schedule": {
    kind: "stack",
    fixture: [statefulSet, backupJob, sqlPrimary, mongoCr, mongoBackupJob],
    failing: {
      "mongodb cr without backup": { remove: "mongodb-backup" },
      "no backup cronjob": { remove: "mongo-backup" },
      "weekly schedule": { target: "mongo-backup", changes: { "spec.schedule": "0 2 * * 0" } },
      "twice a week leaves 4 days": { target: "mongo-backup", changes: { "spec.schedule": "0 2 * * 1,5" } },
      "suspended": { target: "mongo-backup", changes: { "spec.suspend": true } },
      "cloud sql backups off": { target: "ledger-instance", changes: { "settings.backupConfiguration.enabled": false } },
      "cloud sql retention too short": { target: "ledger-instance", changes: { "settings.backupConfiguration.backupRetentionSettings.retainedBackups": 7 } },
    },
    compliant: {
      "every 2 days (quickfund)": { target: "mongo-backup", changes: { "spec.schedule": "0 3 */2 * *" } },
      // Retention is the bucket's (k8s-backup-cronjob-require-bucket-retention), not an annotation's.
      "no retention annotation": { target: "mongo-backup", changes: { "metadata.annotations": {} } },
    },
    notApplicable: { "dev stack": { facts: { env: "dev" }, change: { remove: "mongo-backup" }, reason: /prod stacks only/ } },
  },
  "k8s-core-object-deny-removed-api": {
    kind: "resource",
    fixture: deployment,
    failing: {
      "extensions/v1beta1 Deployment": { apiVersion: "extensions/v1beta1" },
      "apps/v1beta1 Deployment": { apiVersion: "apps/v1beta1" },
      "apps/v1beta2 Deployment": { apiVersion: "apps/v1beta2" },
    },
    compliant: { "apiVersion not known yet (the type token's apps/v1 applies)": { apiVersion: UNKNOWN } },
  },
  "k8s-core-pod-deny-host-namespaces": {
    kind: "resource",
    fixture: deployment,
    failing: {
      hostNetwork: { "spec.template.spec.hostNetwork": true },
      hostPID: { "spec.template.spec.hostPID": true },
      hostIPC: { "spec.template.spec.hostIPC": true },
      hostPort: { [`${C}.ports.0.hostPort`]: 3000 },
      "hostPID with a namespace not known yet": { "spec.template.spec.hostPID": true, "metadata.namespace": UNKNOWN },
      "hostNetwork of the wrong type": { "spec.template.spec.hostNetwork": "yes" },
    },
    compliant: { "explicitly false": { "spec.template.spec.hostNetwork": false, "spec.template.spec.hostPID": false }, "hostNetwork unknown": { "spec.template.spec.hostNetwork": UNKNOWN } },
    notApplicable: {
      "a namespace the platform's facts make privileged (node-exporter)": { changes: { "metadata.namespace": "monitoring-node-exporter", "spec.template.spec.hostPID": true }, reason: /privileged by the platform's facts/ },
    },
  },
  "k8s-core-pod-deny-host-path": {
    kind: "resource",
    fixture: deployment,
    failing: {
      "docker.sock": { "spec.template.spec.volumes.1": { name: "docker", hostPath: { path: "/var/run/docker.sock" } } },
      "any host directory": { "spec.template.spec.volumes.1": { name: "logs", hostPath: { path: "/var/log" } } },
      "host path not known yet": { "spec.template.spec.volumes.1": { name: "x", hostPath: UNKNOWN } },
    },
    compliant: { "emptyDir and secret volumes": { "spec.template.spec.volumes.1": { name: "tls", secret: { secretName: "web-tls" } } } },
    notApplicable: {
      "a namespace the platform's facts make privileged": { changes: { "metadata.namespace": "monitoring-node-exporter", "spec.template.spec.volumes.1": { name: "proc", hostPath: { path: "/proc" } } }, reason: /privileged by the platform's facts/ },
    },
  },
  "k8s-core-service-deny-external-ips": {
    kind: "resource",
    fixture: service,
    failing: { "an external IP": { "spec.externalIPs": ["203.0.113.10"] }, "an unknown external IP": { "spec.externalIPs": [UNKNOWN] } },
    compliant: { "empty list": { "spec.externalIPs": [] }, "list not known yet": { "spec.externalIPs": UNKNOWN } },
  },
  "k8s-networking-networkpolicy-deny-allow-all": {
    kind: "stack",
    fixture: [denyAll, webFromTraefik, traefikRelease, traefikFromInternet],
    failing: {
      "empty ingress rule {}": { target: "web-from-traefik", changes: { "spec.ingress": [{}] } },
      "ingress rule with ports but no from": { target: "web-from-traefik", changes: { "spec.ingress": [{ ports: [{ port: 3000 }] }] } },
      "ingress from 0.0.0.0/0": { target: "web-from-traefik", changes: { "spec.ingress.0.from": [{ ipBlock: { cidr: "0.0.0.0/0" } }] } },
      "ingress from 0.0.0.0/1 + 128.0.0.0/1": { target: "web-from-traefik", changes: { "spec.ingress.0.from": [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }] } },
      "ingress from ::/0": { target: "web-from-traefik", changes: { "spec.ingress.0.from": [{ ipBlock: { cidr: "::/0" } }] } },
      "an empty peer": { target: "web-from-traefik", changes: { "spec.ingress.0.from": [{}] } },
      "an unparsable cidr": { target: "web-from-traefik", changes: { "spec.ingress.0.from": [{ ipBlock: { cidr: "0.0.0.0" } }] } },
      "egress everywhere on every port": { target: "web-from-traefik", changes: { "spec.egress": [{}] } },
      "egress to 0.0.0.0/0 on every port": { target: "web-from-traefik", changes: { "spec.egress.0.ports": DEL } },
      "the controller's policy widened to every pod of its namespace": { target: "traefik-from-internet", changes: { "spec.podSelector": {} } },
      "internet ingress outside the controller's namespace": { target: "traefik-from-internet", changes: { "metadata.namespace": NS } },
      "controller chart no longer released": { remove: "traefik-release" },
    },
    compliant: {
      "a /1 alone is not everything": { target: "web-from-traefik", changes: { "spec.ingress.0.from": [{ ipBlock: { cidr: "0.0.0.0/1" } }] } },
      "peer list not known yet": { target: "web-from-traefik", changes: { "spec.ingress.0.from": UNKNOWN } },
    },
  },
  "k8s-core-pod-deny-service-account-token": {
    kind: "stack",
    fixture: [deployment, webSa, readerRole, readerBinding],
    failing: {
      "pod asks for the token": { target: "web", changes: { "spec.template.spec.automountServiceAccountToken": true } },
      "unset, on an account the stack does not declare": { target: "web", changes: { "spec.template.spec.automountServiceAccountToken": DEL, "spec.template.spec.serviceAccountName": "batch" } },
      "unset, on the namespace's default account": { target: "web", changes: { "spec.template.spec.automountServiceAccountToken": DEL, "spec.template.spec.serviceAccountName": DEL } },
    },
    compliant: {
      "unset, its ServiceAccount disables automounting": { target: "web-sa", changes: {} },
      "a pod whose account is bound to a Role needs the API": { target: "web", changes: { "spec.template.spec.automountServiceAccountToken": true, "spec.template.spec.serviceAccountName": "reader" } },
      "pod setting not known yet": { target: "web", changes: { "spec.template.spec.automountServiceAccountToken": UNKNOWN } },
    },
  },
  "k8s-rbac-binding-deny-admin-to-service-account": {
    kind: "stack",
    fixture: [readerRole, readerBinding],
    failing: {
      "cluster-admin to a workload account": { target: "web-reader-binding", changes: { "roleRef.kind": "ClusterRole", "roleRef.name": "cluster-admin" } },
      "wildcard verbs": { target: "web-reader", changes: { "rules.0.verbs": ["*"] } },
      "wildcard resources": { target: "web-reader", changes: { "rules.0.resources": ["*"] } },
      "admin to every authenticated caller": { target: "web-reader-binding", changes: { "roleRef.kind": "ClusterRole", "roleRef.name": "admin", subjects: [{ kind: "Group", name: "system:authenticated", apiGroup: "rbac.authorization.k8s.io" }] } },
      "edit to every service account": { target: "web-reader-binding", changes: { "roleRef.kind": "ClusterRole", "roleRef.name": "edit", subjects: [{ kind: "Group", name: "system:serviceaccounts", apiGroup: "rbac.authorization.k8s.io" }] } },
    },
    compliant: { "the view role": { target: "web-reader-binding", changes: { "roleRef.kind": "ClusterRole", "roleRef.name": "view" } } },
  },
  "k8s-traefik-ingressroute-require-auth": {
    kind: "stack",
    fixture: [monitoringRelease, basicAuth, promRoute, ingressRoute],
    failing: {
      "auth middleware stripped": { target: "prometheus-route", changes: { "spec.routes.0.middlewares": DEL } },
      "middleware that does not authenticate": { target: "monitoring-basic-auth", changes: { "spec.basicAuth": DEL, "spec.headers": { frameDeny: true } } },
      "middleware not in the stack": { remove: "monitoring-basic-auth" },
      "grafana routed from another namespace": { target: "web-route", changes: { "spec.routes.0.services.0.name": "grafana" } },
    },
    compliant: {
      "application routes need no auth middleware": { target: "web-route", changes: {} },
      "middleware list not known yet": { target: "prometheus-route", changes: { "spec.routes.0.middlewares": UNKNOWN } },
      "forwardAuth": { target: "monitoring-basic-auth", changes: { "spec.basicAuth": DEL, "spec.forwardAuth": { address: "http://oauth2-proxy.monitoring/oauth2/auth" } } },
    },
  },
  "k8s-traefik-release-deny-insecure-api": {
    kind: "resource",
    fixture: traefikRelease,
    failing: {
      "api.insecure": { "values.api.insecure": true },
      "--api.insecure argument": { "values.additionalArguments": ["--api.insecure"] },
      "--api.insecure=true argument": { "values.additionalArguments": ["--log.level=INFO", "--api.insecure=true"] },
      "traefik entry point exposed": { "values.ports.traefik.expose": { default: true } },
    },
    compliant: { "api.insecure false": { "values.api.insecure": false }, "values not known yet": { values: UNKNOWN } },
    notApplicable: { "another chart": { changes: { chart: "cert-manager" }, reason: /not the traefik chart/ } },
  },
  "k8s-data-service-require-tls": {
    kind: "resource",
    fixture: mongoCr,
    failing: {
      "MongoDB TLS off": { "spec.security.tls.enabled": false },
      "MongoDB TLS optional": { "spec.security.tls.optional": true },
      "MongoDB TLS removed": { "spec.security.tls": DEL },
    },
    compliant: { "tls settings not known yet": { "spec.security.tls.enabled": UNKNOWN } },
  },
  "k8s-redis-cluster-require-auth": {
    kind: "resource",
    fixture: redisCr,
    failing: { "AUTH removed": { "spec.kubernetesConfig.redisSecret": DEL }, "no secret key": { "spec.kubernetesConfig.redisSecret.key": DEL } },
    compliant: { "secret name not known yet": { "spec.kubernetesConfig.redisSecret.name": UNKNOWN } },
  },
  "k8s-strimzi-kafka-require-secure-listeners": {
    kind: "resource",
    fixture: kafkaCr,
    failing: {
      "plain-text listener": { "spec.kafka.listeners.0.tls": false },
      "no authentication": { "spec.kafka.listeners.0.authentication": DEL },
      "plain-text listener without authentication": { "spec.kafka.listeners.1": { name: "plain", port: 9092, type: "internal", tls: false } },
      "no authorization": { "spec.kafka.authorization": DEL },
    },
    compliant: { "mutual TLS authentication": { "spec.kafka.listeners.0.authentication": { type: "tls" } } },
  },
  "k8s-strimzi-kafka-deny-external-listener": {
    kind: "resource",
    fixture: kafkaCr,
    failing: {
      loadbalancer: { "spec.kafka.listeners.1": { name: "external", port: 9094, type: "loadbalancer", tls: true, authentication: { type: "tls" } } },
      nodeport: { "spec.kafka.listeners.0.type": "nodeport" },
      ingress: { "spec.kafka.listeners.0.type": "ingress" },
      route: { "spec.kafka.listeners.0.type": "route" },
    },
    compliant: { "cluster-ip": { "spec.kafka.listeners.0.type": "cluster-ip" }, "type not known yet": { "spec.kafka.listeners.0.type": UNKNOWN } },
  },
  "k8s-strimzi-kafka-require-durable-replication": {
    kind: "resource",
    fixture: kafkaCr,
    failing: {
      "default.replication.factor 1": { "spec.kafka.config.default\u2024replication\u2024factor": 1 },
      "default.replication.factor unset (Kafka's default 1)": { "spec.kafka.config.default\u2024replication\u2024factor": DEL },
      "min.insync.replicas 1": { "spec.kafka.config.min\u2024insync\u2024replicas": 1 },
      "min.insync.replicas not a number": { "spec.kafka.config.min\u2024insync\u2024replicas": "two" },
      "unclean leader election": { "spec.kafka.config.unclean\u2024leader\u2024election\u2024enable": true },
      "offsets topic on 1 broker": { "spec.kafka.config.offsets\u2024topic\u2024replication\u2024factor": 1 },
    },
    compliant: { "values as strings": { "spec.kafka.config.default\u2024replication\u2024factor": "3", "spec.kafka.config.min\u2024insync\u2024replicas": "2" } },
    notApplicable: { "dev stack": { facts: { env: "dev" }, changes: { "spec.kafka.config.min\u2024insync\u2024replicas": 1 }, reason: /prod stacks only/ } },
  },
  "k8s-data-service-require-replicas": {
    kind: "resource",
    fixture: mongoCr,
    variants: {
      // shareyoursales.md § Architecture Base de Données: a primary and 2 read replicas.
      "CloudNativePG Cluster": {
        fixture: pgCluster,
        failing: {
          "a lone primary": { "spec.instances": 1 },
          "instances unset (the CRD's default 1)": { "spec.instances": DEL },
          "instances not a number": { "spec.instances": "three" },
          "the operator's PodDisruptionBudgets off": { "spec.enablePDB": false },
        },
        compliant: { "a primary and 1 standby": { "spec.instances": 2 }, "enablePDB unset (the CRD's default true)": { "spec.enablePDB": DEL }, "instances not known yet": { "spec.instances": UNKNOWN } },
      },
    },
    failing: { "1 MongoDB member": { "spec.members": 1 }, "2 MongoDB members": { "spec.members": 2 }, "members not a number": { "spec.members": "three" } },
    compliant: { "5 members": { "spec.members": 5 } },
    notApplicable: { "rct stack": { facts: { env: "rct" }, changes: { "spec.members": 1 }, reason: /prod stacks only/ } },
  },
  "k8s-redis-cluster-require-aof": {
    kind: "stack",
    fixture: [redisCr, redisConf],
    failing: {
      "appendonly no": { target: "redis-aof-config", changes: { "data.redis-additional\u2024conf": "appendonly no\n" } },
      "appendonly yes overridden by a later no": { target: "redis-aof-config", changes: { "data.redis-additional\u2024conf": "appendonly yes\nappendonly no\n" } },
      "AOF never turned on": { target: "redis-aof-config", changes: { "data.redis-additional\u2024conf": "maxmemory-policy allkeys-lru\n" } },
      "ConfigMap not in the stack": { remove: "redis-aof-config" },
      "no additional config": { target: "redis-cluster", changes: { "spec.redisConfig": DEL } },
    },
    compliant: { "quoted yes with a comment": { target: "redis-aof-config", changes: { "data.redis-additional\u2024conf": 'appendonly "yes" # AOF\n' } } },
    notApplicable: {},
  },
  "k8s-apps-deployment-require-replicas": {
    kind: "stack",
    fixture: [deployment, hpa, worker],
    failing: {
      "a Deployment at 1 replica": { target: "worker", changes: { "spec.replicas": 1 } },
      "a Deployment with replicas unset (1)": { target: "worker", changes: { "spec.replicas": DEL } },
      "replicas not a number": { target: "worker", changes: { "spec.replicas": "two" } },
      "HPA minReplicas 1": { target: "web-hpa", changes: { "spec.minReplicas": 1 } },
      "HPA minReplicas unset (1)": { target: "web-hpa", changes: { "spec.minReplicas": DEL } },
      "HPA minReplicas below the declared replicas": { target: "web-hpa", changes: { "spec.minReplicas": 3 } },
      "HPA removed, Deployment at 1": { target: "web-hpa", changes: { "spec.scaleTargetRef.name": "worker", "spec.minReplicas": 1 } },
    },
    compliant: { "HPA minReplicas not known yet": { target: "web-hpa", changes: { "spec.minReplicas": UNKNOWN } } },
    notApplicable: { "dev stack": { facts: { env: "dev" }, change: { target: "web-hpa", changes: { "spec.minReplicas": 1 } }, reason: /prod stacks only/ } },
  },
  "k8s-backup-cronjob-require-bucket-retention": {
    kind: "stack",
    fixture: [dumpJob, dumpBucket],
    failing: {
      "bucket deletes dumps after a day": { target: "mongodb-dumps", changes: { "lifecycleRules.0.condition.age": 1 } },
      "bucket deletes dumps a day before the stack's minimum": { target: "mongodb-dumps", changes: { "lifecycleRules.0.condition.age": 29 } },
      "bucket age not a number": { target: "mongodb-dumps", changes: { "lifecycleRules.0.condition.age": "thirty" } },
    },
    compliant: {
      "noncurrent versions only": { target: "mongodb-dumps", changes: { "lifecycleRules.0.condition.withState": "ARCHIVED", "lifecycleRules.0.condition.age": 1 } },
      "another prefix": { target: "mongodb-dumps", changes: { "lifecycleRules.0.condition.matchesPrefixes": ["tmp/"], "lifecycleRules.0.condition.age": 1 } },
      "kept longer than the minimum": { target: "mongodb-dumps", changes: { "lifecycleRules.0.condition.age": 90 } },
      "no Delete rule: dumps are never deleted": { target: "mongodb-dumps", changes: { lifecycleRules: [] } },
      // The annotation is informational (model/backup.ts): the bucket's lifecycle decides.
      "annotation claims less than the bucket keeps": { target: "mongodb-dump", changes: { "metadata.annotations.backup\u2024platform/retention-days": "7" } },
    },
    notApplicable: { "without the stack's minimum": { facts: { minBackupRetentionDays: undefined }, reason: /stack facts not configured/ } },
  },
  "k8s-core-pod-deny-unsafe-security-options": {
    kind: "resource",
    fixture: deployment,
    failing: {
      "Windows HostProcess": { [`${C}.securityContext.windowsOptions.hostProcess`]: true },
      "AppArmor unconfined": { "spec.template.spec.securityContext.appArmorProfile.type": "Unconfined" },
      "AppArmor unconfined by annotation": { "spec.template.metadata.annotations": { "container.apparmor.security.beta.kubernetes.io/web": "unconfined" } },
      "custom SELinux user": { [`${C}.securityContext.seLinuxOptions.user`]: "system_u" },
      "SELinux type spc_t": { "spec.template.spec.securityContext.seLinuxOptions.type": "spc_t" },
      "unmasked /proc": { [`${C}.securityContext.procMount`]: "Unmasked" },
      "unsafe sysctl": { "spec.template.spec.securityContext.sysctls": [{ name: "kernel.msgmax", value: "65536" }] },
      "nfs volume": { "spec.template.spec.volumes.1": { name: "share", nfs: { server: "10.0.0.2", path: "/export" } } },
    },
    compliant: {
      "safe sysctl": { "spec.template.spec.securityContext.sysctls": [{ name: "net.ipv4.tcp_syncookies", value: "1" }] },
      "SELinux container_t level": { "spec.template.spec.securityContext.seLinuxOptions": { type: "container_t", level: "s0:c123,c456" } },
      "AppArmor RuntimeDefault": { "spec.template.spec.securityContext.appArmorProfile.type": "RuntimeDefault" },
      "projected and PVC volumes": { "spec.template.spec.volumes.1": { name: "token", projected: { sources: [] } }, "spec.template.spec.volumes.2": { name: "data", persistentVolumeClaim: { claimName: "data" } } },
    },
  },
};

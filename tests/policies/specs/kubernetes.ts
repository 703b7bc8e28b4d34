/** Specs of the Kubernetes rules. */
import { DEL, res, UNKNOWN } from "../helpers";
import { sqlInstance } from "./gcp";
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
  spec: { replicas: 3, serviceName: "mongo", selector: { matchLabels: { app: "mongo" } }, template: { metadata: { labels: { app: "mongo", tier: "data" } }, spec: { securityContext: POD_SECURITY, containers: [container] } } },
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
  spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", securityContext: POD_SECURITY, containers: [container] } } } } },
});
const sqlPrimary = { ...structuredClone(sqlInstance), name: "ledger-instance", urn: sqlInstance.urn.replace("orders-instance", "ledger-instance") };
const mongoCr = res("kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity", "mongodb", {
  apiVersion: "mongodbcommunity.mongodb.com/v1",
  kind: "MongoDBCommunity",
  metadata: { name: "mongodb", namespace: "diaspomoney-prod-infra" },
  spec: {
    members: 3,
    type: "ReplicaSet",
    version: "7.0.14",
    security: { authentication: { modes: ["SCRAM"] } },
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
    failing: { "load balancer": { "spec.type": "LoadBalancer" }, "node port": { "spec.type": "NodePort" } },
    notApplicable: { "the ingress controller": { changes: { "spec.type": "LoadBalancer", "metadata.name": "traefik" }, reason: /ingress controller/ } },
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
    failing: { "replicas as a string": { "spec.replicas": "five" }, "port as a string": { "spec.template.spec.containers.0.ports.0.containerPort": "3000" }, "selector missing": { "spec.selector": DEL } },
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
    fixture: [statefulSet, pdb, mongoCr, mongoPdb],
    failing: {
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
      "retention too short": { target: "mongo-backup", changes: { "metadata.annotations.backup\u2024platform/retention-days": "7" } },
      "retention not declared": { target: "mongo-backup", changes: { "metadata.annotations": {} } },
      "suspended": { target: "mongo-backup", changes: { "spec.suspend": true } },
      "cloud sql backups off": { target: "ledger-instance", changes: { "settings.backupConfiguration.enabled": false } },
      "cloud sql retention too short": { target: "ledger-instance", changes: { "settings.backupConfiguration.backupRetentionSettings.retainedBackups": 7 } },
    },
    compliant: { "every 2 days (quickfund)": { target: "mongo-backup", changes: { "spec.schedule": "0 3 */2 * *" } } },
    notApplicable: { "dev stack": { facts: { env: "dev" }, change: { remove: "mongo-backup" }, reason: /prod stacks only/ } },
  },
};

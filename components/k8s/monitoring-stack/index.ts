/**
 * The platform's monitoring (docs/platforms/diaspomoney.md § Monitoring Layer: Prometheus, Grafana,
 * Alertmanager; § URLs et Accès: prometheus./grafana./alertmanager.diaspomoney.fr): the pinned
 * kube-prometheus-stack chart, its UIs behind Traefik with basic auth and Let's Encrypt TLS, and
 * Alertmanager routes per § Alertes Configurées. No credential ever appears in the chart values:
 * Grafana's admin password and the receivers' secrets live in Kubernetes Secrets the chart
 * references by name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComponentArgsError, type CommonArgs } from "../../common/conventions";
import { acmeHttp01SolverAllowRule } from "../cert-manager";
import { DEFAULT_ADDON_ENV, addonNamespace, crdDependencies, pinnedHelmRelease, type CrdInstaller, type PinnedChart } from "../common/helm-addon";
import { apiServerEgress, IsolatedNamespace, type AllowRule } from "../namespace";
import { TRAEFIK_POD_LABELS } from "../traefik";

export const MONITORING_STACK_TYPE = "platform:k8s:MonitoringStack";

/**
 * kube-prometheus-stack 88.0.0 ships prometheus-operator v0.93.0, the release whose CRDs are
 * vendored (prometheus-community/helm-charts PR #7152: "appVersion v0.92.1 → v0.93.0, chart
 * version 87.21.0 → 88.0.0").
 */
export const KUBE_PROMETHEUS_STACK_CHART = {
  chart: "kube-prometheus-stack",
  version: "88.0.0",
  repo: "https://prometheus-community.github.io/helm-charts",
  // Its charts/crds subchart, on while the values keep `crds.enabled` (monitoringValues).
  crdGroups: ["monitoring.coreos.com"],
} as const satisfies PinnedChart;
const RELEASE_NAME = "kube-prometheus-stack";
/** Labels a PrometheusRule / ServiceMonitor needs for this Prometheus to load it (the chart's default selectors). */
export const PROMETHEUS_SELECTOR_LABELS = { release: RELEASE_NAME } as const;

// Deterministic Service names (fullnameOverride) for the IngressRoutes.
const FULLNAME = "kps";
const UIS = {
  prometheus: { service: `${FULLNAME}-prometheus`, port: 9090 },
  grafana: { service: "grafana", port: 80, podPort: 3000 },
  alertmanager: { service: `${FULLNAME}-alertmanager`, port: 9093 },
} as const;
const RECEIVERS_SECRET = "alertmanager-receivers";
const SECRETS_DIR = `/etc/alertmanager/secrets/${RECEIVERS_SECRET}`;

export interface AlertingArgs {
  /** Sender of alert emails. */
  emailFrom: string;
  /**
   * SMTP submission server, `host:587` (STARTTLS, required) or `host:465` (implicit TLS). Port 25 is
   * refused: Google Cloud blocks outbound connections to port 25, and a relay listening there
   * authenticates by source IP, which the cluster's NAT does not keep.
   */
  smtpSmarthost: string;
  /** SMTP AUTH user of the submission server (an account or an API-key user of the mail provider). */
  smtpUsername: string;
  /**
   * SMTP AUTH password (a secret config value). Required: a relay without authentication accepts
   * mail only from allow-listed IPs, and the cluster's egress goes through NAT addresses Google
   * allocates and may change, so unauthenticated alert mail is silently refused or lost.
   */
  smtpPassword: pulumi.Input<string>;
  /** On-call address: every critical and warning alert. */
  oncallEmail: string;
  /** § Alertes Configurées: "Security → Équipe sécurité". */
  securityEmail: string;
  /** § Alertes Configurées: "Payment → Équipe paiements". */
  paymentEmail: string;
  /**
   * Slack incoming webhook URL (a secret config value). Absent: critical and warning alerts go
   * by email only, and the stack says so in a warning.
   * @default no Slack receiver
   */
  slackWebhookUrl?: pulumi.Input<string>;
  /** @default "#alerts" */
  slackChannel?: string;
  /**
   * PagerDuty Events v2 routing key (a secret config value). Absent: critical alerts do not page,
   * and the stack says so in a warning.
   * @default no PagerDuty receiver
   */
  pagerDutyRoutingKey?: pulumi.Input<string>;
}

/**
 * A secret a deploy cannot do without but that a stack file may not hold yet: before a stack's
 * one-time bootstrap its file carries no `encryptedkey`, hence no `secure:` value
 * (docs/pull-requests.md § One-time stack bootstrap). A preview (offline or real) goes on with a
 * placeholder and warns, naming the key and the command; a deploy (`pulumi up` past its preview)
 * stops with an error before the program registers anything else. Call it before creating
 * resources, so that the refusal comes first.
 */
export function requireSecretToDeploy(value: pulumi.Input<string> | undefined, configKey: string, why: string): pulumi.Input<string> {
  if (value !== undefined && value !== "") return value;
  const message = `${configKey} is not set: ${why}. Set it with \`pulumi config set --secret --path ${configKey}\` on the bootstrapped stack.`;
  // RunError: the CLI prints the message alone, without a stack trace.
  if (!pulumi.runtime.isDryRun()) throw new pulumi.RunError(`refusing to deploy: ${message}`);
  pulumi.log.warn(`${message} A deploy is refused until then; this preview uses a placeholder.`);
  return pulumi.secret(`unset:${configKey}`);
}

export interface MonitoringStackArgs extends CommonArgs {
  /** Platform label (`diaspomoney`). */
  platform: string;
  /**
   * `env` label of the add-on's namespaces: the stack's foundation env, which the stack passes
   * (the component knows no env names).
   * @default DEFAULT_ADDON_ENV ("shared")
   */
  env?: string;
  /** CIDRs of the Kubernetes API server (GKE: `GkeCluster.masterIpv4CidrBlock`). */
  apiServerCidrs: string[];
  /** CIDRs of the nodes (kubelet 10250 and node-exporter 9100 listen on node IPs). */
  nodeCidrs: string[];
  /** DNS zone of the UIs: `prometheus.<domain>`, `grafana.<domain>`, `alertmanager.<domain>`. */
  domain: string;
  alerting: AlertingArgs;
  /** @default "monitoring" */
  namespace?: string;
  /**
   * Namespace of node-exporter, which needs host network, PID and paths (Pod Security
   * "privileged"); kept apart so that the rest of the stack stays "restricted".
   * @default "monitoring-node-exporter"
   */
  nodeExporterNamespace?: string;
  /** @default "traefik" */
  traefikNamespace?: string;
  /** @default "letsencrypt-production" */
  clusterIssuer?: string;
  /** Prometheus retention time. @default "15d" */
  retention?: string;
  /** Prometheus retention size, below the volume size. @default "45GB" */
  retentionSize?: string;
  /** Prometheus volume size. @default "50Gi" */
  storageSize?: string;
  /** @default "standard-rwo" (GKE's balanced persistent disk CSI class) */
  storageClassName?: string;
  /** Prometheus replicas (each scrapes everything). @default 2 */
  prometheusReplicas?: number;
  /** Alertmanager replicas (a gossip cluster). @default 2 */
  alertmanagerReplicas?: number;
  /**
   * What installs the CRDs of the stack's own custom resources: cert-manager's (Certificate) and
   * Traefik's (IngressRoute, Middleware); otherwise a first deploy may create them before their
   * CRDs exist ("no matches for kind"). Pass the components' `crds` (CrdInstaller: a release and
   * the API groups it installs) and each custom resource waits only for the release of its own
   * group; a plain resource is waited for by every custom resource.
   * @default [] (the CRDs already exist)
   */
  crdInstallers?: (CrdInstaller | pulumi.Resource)[];
}

export interface ResolvedMonitoringStackArgs {
  namespace: string;
  nodeExporterNamespace: string;
  traefikNamespace: string;
  platform: string;
  apiServerCidrs: string[];
  nodeCidrs: string[];
  domain: string;
  hosts: { prometheus: string; grafana: string; alertmanager: string };
  clusterIssuer: string;
  retention: string;
  retentionSize: string;
  storageSize: string;
  storageClassName: string;
  prometheusReplicas: number;
  alertmanagerReplicas: number;
  alerting: Omit<AlertingArgs, "smtpPassword" | "slackWebhookUrl" | "pagerDutyRoutingKey"> & {
    slackChannel: string;
    /** Port of the SMTP submission server (587 STARTTLS or 465 TLS), opened in the egress policy. */
    smtpPort: number;
    /** Which optional receivers have credentials (the values themselves stay out of the resolved args). */
    slack: boolean;
    pagerDuty: boolean;
  };
  labels: Record<string, string>;
  env: string;
  deletionProtection: boolean;
}

const GIB = 1024 ** 3;
/** Bytes of a Kubernetes quantity or a Prometheus size (`50Gi`, `45GB`). */
function bytes(quantity: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|KB|MB|GB|TB|K|M|G|T)?$/.exec(quantity);
  if (!m) return undefined;
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: GIB, Ti: 1024 ** 4, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}

export function resolveMonitoringStackArgs(name: string, args: MonitoringStackArgs): ResolvedMonitoringStackArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(MONITORING_STACK_TYPE, name, detail);
  };
  if (args.apiServerCidrs.length === 0) fail("apiServerCidrs is empty");
  if (args.nodeCidrs.length === 0) fail("nodeCidrs is empty: Prometheus could not scrape kubelets and node-exporter");
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(args.domain)) fail(`domain "${args.domain}" is not a DNS name`);
  const retention = args.retention ?? "15d";
  if (!/^\d+(ms|s|m|h|d|w|y)$/.test(retention)) fail(`retention "${retention}" is not a Prometheus duration`);
  const retentionSize = args.retentionSize ?? "45GB";
  const storageSize = args.storageSize ?? "50Gi";
  const rs = bytes(retentionSize);
  const ss = bytes(storageSize);
  if (rs === undefined || ss === undefined) fail(`retentionSize "${retentionSize}" or storageSize "${storageSize}" is not a size`);
  // Prometheus needs headroom for the WAL and compaction: a retention size at the volume size fills the disk.
  if (rs! > ss! * 0.9) fail(`retentionSize ${retentionSize} must stay below 90% of storageSize ${storageSize}`);
  const prometheusReplicas = args.prometheusReplicas ?? 2;
  const alertmanagerReplicas = args.alertmanagerReplicas ?? 2;
  if (prometheusReplicas < 1 || alertmanagerReplicas < 1) fail("replicas must be at least 1");
  const a = args.alerting;
  for (const [k, v] of Object.entries({ emailFrom: a.emailFrom, oncallEmail: a.oncallEmail, securityEmail: a.securityEmail, paymentEmail: a.paymentEmail })) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v ?? "")) fail(`alerting.${k} "${v}" is not an email address`);
  }
  if (!/^[^:\s]+:\d+$/.test(a.smtpSmarthost)) fail(`alerting.smtpSmarthost "${a.smtpSmarthost}" must be host:port`);
  const smtpPort = Number(a.smtpSmarthost.split(":")[1]);
  // Google Cloud blocks egress to port 25; 587 (submission, STARTTLS) and 465 (implicit TLS) carry SMTP AUTH.
  if (smtpPort !== 587 && smtpPort !== 465) fail(`alerting.smtpSmarthost "${a.smtpSmarthost}": use an authenticated submission port, 587 (STARTTLS) or 465 (TLS); Google Cloud blocks outbound port 25`);
  if (a.smtpPassword === undefined || a.smtpPassword === "") {
    fail(
      `alerting.smtpPassword is missing: Alertmanager would send through ${a.smtpSmarthost} without SMTP authentication, from NAT addresses no relay allow-list can rely on, so alert mail would be refused or lost; set the relay's SMTP AUTH password (a secret)`,
    );
  }
  if (!a.smtpUsername) fail("alerting.smtpUsername is empty: SMTP AUTH needs a user");
  return {
    namespace: args.namespace ?? "monitoring",
    nodeExporterNamespace: args.nodeExporterNamespace ?? "monitoring-node-exporter",
    traefikNamespace: args.traefikNamespace ?? "traefik",
    platform: args.platform,
    apiServerCidrs: args.apiServerCidrs,
    nodeCidrs: args.nodeCidrs,
    domain: args.domain,
    hosts: { prometheus: `prometheus.${args.domain}`, grafana: `grafana.${args.domain}`, alertmanager: `alertmanager.${args.domain}` },
    clusterIssuer: args.clusterIssuer ?? "letsencrypt-production",
    retention,
    retentionSize,
    storageSize,
    storageClassName: args.storageClassName ?? "standard-rwo",
    prometheusReplicas,
    alertmanagerReplicas,
    alerting: {
      emailFrom: a.emailFrom,
      smtpSmarthost: a.smtpSmarthost,
      smtpUsername: a.smtpUsername,
      oncallEmail: a.oncallEmail,
      securityEmail: a.securityEmail,
      paymentEmail: a.paymentEmail,
      slackChannel: a.slackChannel ?? "#alerts",
      smtpPort,
      slack: a.slackWebhookUrl !== undefined,
      pagerDuty: a.pagerDutyRoutingKey !== undefined,
    },
    labels: args.labels ?? {},
    env: args.env ?? DEFAULT_ADDON_ENV,
    deletionProtection: args.deletionProtection ?? true,
  };
}

/**
 * Alertmanager routing, docs/platforms/diaspomoney.md § Alertes Configurées:
 * "Critical → Email + Slack + PagerDuty", "Warning → Email + Slack", "Security → Équipe sécurité",
 * "Payment → Équipe paiements". Rules carry `severity` and `team` labels (see prometheus-rules).
 * Team routes `continue`, so a critical payment alert reaches both the payment team and on-call.
 * Secrets are read from files of the mounted Secret, never written in this configuration.
 */
export function alertmanagerConfig(r: ResolvedMonitoringStackArgs): Record<string, unknown> {
  const a = r.alerting;
  const email = (to: string) => ({ to, send_resolved: true });
  const slack = { api_url_file: `${SECRETS_DIR}/slack-webhook-url`, channel: a.slackChannel, send_resolved: true };
  return {
    global: {
      resolve_timeout: "5m",
      smtp_from: a.emailFrom,
      smtp_smarthost: a.smtpSmarthost,
      // Always authenticated (resolve refuses a relay without a password), always encrypted:
      // STARTTLS on 587 is required, 465 is TLS from the first byte.
      smtp_auth_username: a.smtpUsername,
      smtp_auth_password_file: `${SECRETS_DIR}/smtp-password`,
      smtp_require_tls: true,
    },
    route: {
      receiver: "oncall-email",
      group_by: ["alertname", "namespace", "severity"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        // kube-prometheus-stack's always-firing heartbeat.
        { receiver: "null", matchers: ['alertname="Watchdog"'] },
        { receiver: "security", matchers: ['team="security"'], continue: true },
        { receiver: "payment", matchers: ['team="payment"'], continue: true },
        { receiver: "critical", matchers: ['severity="critical"'] },
        { receiver: "warning", matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "namespace"] }],
    receivers: [
      { name: "null" },
      { name: "oncall-email", email_configs: [email(a.oncallEmail)] },
      {
        name: "critical",
        email_configs: [email(a.oncallEmail)],
        ...(a.slack ? { slack_configs: [slack] } : {}),
        ...(a.pagerDuty ? { pagerduty_configs: [{ routing_key_file: `${SECRETS_DIR}/pagerduty-routing-key`, send_resolved: true }] } : {}),
      },
      { name: "warning", email_configs: [email(a.oncallEmail)], ...(a.slack ? { slack_configs: [slack] } : {}) },
      { name: "security", email_configs: [email(a.securityEmail)] },
      { name: "payment", email_configs: [email(a.paymentEmail)] },
    ],
  };
}

export function monitoringValues(r: ResolvedMonitoringStackArgs, grafanaAdminSecret: string): Record<string, unknown> {
  const podSecurity = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } };
  const pdb = (replicas: number) => (replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false });
  return {
    fullnameOverride: FULLNAME,
    crds: { enabled: true },
    prometheus: {
      podDisruptionBudget: pdb(r.prometheusReplicas),
      prometheusSpec: {
        replicas: r.prometheusReplicas,
        retention: r.retention,
        retentionSize: r.retentionSize,
        storageSpec: {
          volumeClaimTemplate: {
            spec: { storageClassName: r.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: r.storageSize } } },
          },
        },
        securityContext: podSecurity,
        resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
      },
    },
    alertmanager: {
      podDisruptionBudget: pdb(r.alertmanagerReplicas),
      config: alertmanagerConfig(r),
      alertmanagerSpec: {
        replicas: r.alertmanagerReplicas,
        // Mounted at /etc/alertmanager/secrets/<name>/: the *_file fields of the config read it.
        secrets: [RECEIVERS_SECRET],
        securityContext: podSecurity,
        storage: {
          volumeClaimTemplate: { spec: { storageClassName: r.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } } },
        },
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      },
    },
    grafana: {
      fullnameOverride: "grafana",
      // The admin password is in a Secret the chart reads; never in these values.
      admin: { existingSecret: grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
      "grafana.ini": { server: { root_url: `https://${r.hosts.grafana}` }, analytics: { check_for_updates: false, reporting_enabled: false } },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    },
    prometheusOperator: {
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    },
    // GKE manages the control plane: these targets are not scrapeable.
    kubeEtcd: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    nodeExporter: { enabled: true },
    "prometheus-node-exporter": { namespaceOverride: r.nodeExporterNamespace },
  };
}

export class MonitoringStack extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;
  public readonly urls: pulumi.Output<{ prometheus: string; grafana: string; alertmanager: string }>;
  /** Basic-auth user of the UIs; its password is `basicAuthPassword` (secret). */
  public readonly basicAuthUser: pulumi.Output<string>;
  public readonly basicAuthPassword: pulumi.Output<string>;
  public readonly grafanaAdminPassword: pulumi.Output<string>;
  /** Labels a PrometheusRule/ServiceMonitor needs to be loaded. */
  public readonly prometheusSelectorLabels: pulumi.Output<Record<string, string>>;
  public readonly namespace: IsolatedNamespace;
  /** The release with the CRD groups it installs (`monitoring.coreos.com`: ServiceMonitor, PrometheusRule, ...). */
  public readonly crds: CrdInstaller;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MONITORING_STACK_TYPE, name, {}, opts);
    const r = resolveMonitoringStackArgs(name, args);
    // diaspomoney.md § Alertes Configurées: "Critical → Email + Slack + PagerDuty". Say what is missing.
    if (!r.alerting.slack) pulumi.log.warn(`${name}: no Slack webhook configured: critical and warning alerts go by email only`, this);
    if (!r.alerting.pagerDuty) pulumi.log.warn(`${name}: no PagerDuty routing key configured: critical alerts do not page anyone`, this);

    const allow: Record<string, AllowRule> = {
      apiserver: apiServerEgress(r.apiServerCidrs),
      // Grafana → Prometheus/Alertmanager, Alertmanager gossip, operator → Prometheus reloads.
      "same-namespace": { ingressFrom: [{ namespace: r.namespace }], egressTo: [{ namespace: r.namespace }] },
      "ui-from-traefik": {
        ingressFrom: [{ namespace: r.traefikNamespace, podLabels: { ...TRAEFIK_POD_LABELS } }],
        ports: [{ port: UIS.prometheus.port }, { port: UIS.grafana.podPort }, { port: UIS.alertmanager.port }],
      },
      // Prometheus scrapes every namespace and the nodes (kubelet/cAdvisor, node-exporter on host network).
      scrape: {
        podLabels: { "app.kubernetes.io/name": "prometheus" },
        egressTo: [{ namespace: "*" }, ...r.nodeCidrs.map((cidr) => ({ cidr }))],
      },
      // Slack, PagerDuty (443) and the SMTP submission server (587 or 465).
      "alertmanager-receivers": {
        podLabels: { "app.kubernetes.io/name": "alertmanager" },
        egressTo: [{ cidr: "0.0.0.0/0" }],
        ports: [...new Set([443, r.alerting.smtpPort])].map((port) => ({ port })),
      },
      // The operator's admission webhook (validates PrometheusRules).
      "webhook-from-apiserver": { ingressFrom: r.apiServerCidrs.map((cidr) => ({ cidr })), ports: [{ port: 10250 }] },
      "acme-solver": acmeHttp01SolverAllowRule(r.traefikNamespace),
    };
    this.namespace = addonNamespace(this, name, {
      namespace: r.namespace,
      env: r.env,
      platform: r.platform,
      labels: r.labels,
      deletionProtection: r.deletionProtection,
      quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", requestsStorage: "500Gi" },
      allow,
    });
    new IsolatedNamespace(
      `${name}-node-exporter-ns`,
      {
        namespace: r.nodeExporterNamespace,
        env: r.env,
        platform: r.platform,
        labels: r.labels,
        deletionProtection: r.deletionProtection,
        podSecurity: "privileged",
        podSecurityReason: "prometheus-node-exporter reads node metrics with hostNetwork, hostPID and read-only hostPath mounts",
      },
      { parent: this },
    );
    const ns = this.namespace.namespaceName;
    const child = { parent: this };

    const grafanaPassword = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, { parent: this });
    const grafanaSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      { metadata: { name: "grafana-admin", namespace: ns, labels: r.labels }, type: "Opaque", stringData: { "admin-user": "admin", "admin-password": grafanaPassword.result } },
      child,
    );
    const receiversSecret = new k8s.core.v1.Secret(
      `${name}-alertmanager-receivers`,
      {
        metadata: { name: RECEIVERS_SECRET, namespace: ns, labels: r.labels },
        type: "Opaque",
        stringData: pulumi.secret(
          Object.fromEntries(
            (
              [
                ["smtp-password", args.alerting.smtpPassword],
                ["slack-webhook-url", args.alerting.slackWebhookUrl],
                ["pagerduty-routing-key", args.alerting.pagerDutyRoutingKey],
              ] as const
            ).filter(([, v]) => v !== undefined),
          ) as Record<string, pulumi.Input<string>>,
        ),
      },
      child,
    );

    // The release reads both Secrets by name: they exist first.
    this.crds = pinnedHelmRelease(this, MONITORING_STACK_TYPE, name, {
      releaseName: RELEASE_NAME,
      chart: KUBE_PROMETHEUS_STACK_CHART,
      namespace: ns,
      values: monitoringValues(r, "grafana-admin"),
      // Prometheus and Alertmanager wait for their volumes before they are ready.
      timeoutSeconds: 900,
      dependsOn: [grafanaSecret, receiversSecret],
    });
    const release = this.crds.release;

    const basicAuthPassword = new random.RandomPassword(`${name}-basic-auth-password`, { length: 32, special: false }, { parent: this });
    const basicAuthSecret = new k8s.core.v1.Secret(
      `${name}-basic-auth`,
      // Traefik's BasicAuth reads kubernetes.io/basic-auth Secrets directly.
      { metadata: { name: "monitoring-basic-auth", namespace: ns, labels: r.labels }, type: "kubernetes.io/basic-auth", stringData: { username: "ops", password: basicAuthPassword.result } },
      child,
    );
    // The CRDs of Middleware/IngressRoute (Traefik's release) and Certificate (cert-manager's).
    const crdInstallers = args.crdInstallers ?? [];
    const traefikCrds = crdDependencies("traefik.io/v1alpha1", crdInstallers);
    const crOpts = { ...child, dependsOn: [release, basicAuthSecret, ...traefikCrds] };
    const auth = new k8s.apiextensions.CustomResource(
      `${name}-basic-auth-middleware`,
      {
        apiVersion: "traefik.io/v1alpha1",
        kind: "Middleware",
        metadata: { name: "basic-auth", namespace: ns, labels: r.labels },
        spec: { basicAuth: { secret: "monitoring-basic-auth", removeHeader: true, realm: "monitoring" } },
      },
      crOpts,
    );
    const tlsSecretName = "monitoring-tls";
    new k8s.apiextensions.CustomResource(
      `${name}-certificate`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "monitoring", namespace: ns, labels: r.labels },
        spec: {
          secretName: tlsSecretName,
          dnsNames: [r.hosts.prometheus, r.hosts.grafana, r.hosts.alertmanager],
          issuerRef: { name: r.clusterIssuer, kind: "ClusterIssuer", group: "cert-manager.io" },
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
      },
      { ...child, dependsOn: crdDependencies("cert-manager.io/v1", crdInstallers) },
    );
    for (const ui of ["prometheus", "grafana", "alertmanager"] as const) {
      new k8s.apiextensions.CustomResource(
        `${name}-${ui}-route`,
        {
          apiVersion: "traefik.io/v1alpha1",
          kind: "IngressRoute",
          metadata: { name: ui, namespace: ns, labels: r.labels },
          spec: {
            entryPoints: ["websecure"],
            routes: [
              {
                match: `Host(\`${r.hosts[ui]}\`)`,
                kind: "Rule",
                middlewares: [{ name: "basic-auth" }],
                services: [{ name: UIS[ui].service, port: UIS[ui].port }],
              },
            ],
            tls: { secretName: tlsSecretName },
          },
        },
        { ...crOpts, dependsOn: [release, auth, ...traefikCrds] },
      );
    }

    this.namespaceName = ns;
    this.urls = pulumi.output({ prometheus: `https://${r.hosts.prometheus}`, grafana: `https://${r.hosts.grafana}`, alertmanager: `https://${r.hosts.alertmanager}` });
    this.basicAuthUser = pulumi.output("ops");
    this.basicAuthPassword = pulumi.secret(basicAuthPassword.result);
    this.grafanaAdminPassword = pulumi.secret(grafanaPassword.result);
    this.prometheusSelectorLabels = pulumi.output<Record<string, string>>({ ...PROMETHEUS_SELECTOR_LABELS });
    this.registerOutputs({
      namespaceName: this.namespaceName,
      urls: this.urls,
      basicAuthUser: this.basicAuthUser,
      basicAuthPassword: this.basicAuthPassword,
      grafanaAdminPassword: this.grafanaAdminPassword,
      prometheusSelectorLabels: this.prometheusSelectorLabels,
    });
  }
}

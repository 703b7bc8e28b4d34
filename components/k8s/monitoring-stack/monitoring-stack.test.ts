import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BLINDED_SECRET } from "../../../engine/evaluate";
import { validateRecordedResource } from "../../../engine/k8s-schema";
import { valueAt } from "../../../engine/plan";
import { runProgram } from "../../../tests/harness";
import { chartValuesCheck } from "../../../engine/deployability/chart-values";
import { ComponentArgsError } from "../../common/conventions";
import type { CrdInstaller } from "../common/helm-addon";
import { alertmanagerConfig, requireSecretToDeploy, KUBE_PROMETHEUS_STACK_CHART, MonitoringStack, monitoringValues, resolveMonitoringStackArgs, type MonitoringStackArgs } from "./index";

const alerting = {
  emailFrom: "alerts@diaspomoney.fr",
  smtpSmarthost: "smtp.example.net:587",
  smtpUsername: "alerts",
  smtpPassword: "smtp-not-for-eyes",
  oncallEmail: "oncall@diaspomoney.fr",
  securityEmail: "security@diaspomoney.fr",
  paymentEmail: "payments@diaspomoney.fr",
  slackWebhookUrl: "https://hooks.slack.invalid/not-for-eyes",
  pagerDutyRoutingKey: "pd-not-for-eyes",
};
const base: MonitoringStackArgs = {
  platform: "diaspomoney",
  apiServerCidrs: ["172.16.0.0/28"],
  nodeCidrs: ["10.20.0.0/20"],
  domain: "diaspomoney.fr",
  alerting,
};
const IR = "kubernetes:traefik.io/v1alpha1:IngressRoute";

describe("resolveMonitoringStackArgs", () => {
  it("defaults: 15d / 45GB on 50Gi, 2 Prometheus and 2 Alertmanager replicas, production issuer", () => {
    const r = resolveMonitoringStackArgs("mon", base);
    expect(r).toMatchObject({ retention: "15d", retentionSize: "45GB", storageSize: "50Gi", prometheusReplicas: 2, alertmanagerReplicas: 2, clusterIssuer: "letsencrypt-production" });
    expect(r.hosts).toEqual({ prometheus: "prometheus.diaspomoney.fr", grafana: "grafana.diaspomoney.fr", alertmanager: "alertmanager.diaspomoney.fr" });
  });

  it("refuses a retention size that would fill the volume, a bad duration and bad emails", () => {
    expect(() => resolveMonitoringStackArgs("mon", { ...base, retentionSize: "50GB", storageSize: "50Gi" })).toThrow(/90%/);
    expect(() => resolveMonitoringStackArgs("mon", { ...base, retention: "two weeks" })).toThrow(ComponentArgsError);
    expect(() => resolveMonitoringStackArgs("mon", { ...base, alerting: { ...alerting, securityEmail: "sec" } })).toThrow(/securityEmail/);
  });

  it("refuses an unauthenticated SMTP relay and port 25, loudly", () => {
    const { smtpPassword: _none, ...noAuth } = alerting;
    // The case: Google Workspace's relay, no SMTP AUTH, from the cluster's NAT addresses.
    const gmailRelay = { ...noAuth, smtpSmarthost: "smtp-relay.gmail.com:587" } as unknown as MonitoringStackArgs["alerting"];
    expect(() => resolveMonitoringStackArgs("mon", { ...base, alerting: gmailRelay })).toThrow(ComponentArgsError);
    expect(() => resolveMonitoringStackArgs("mon", { ...base, alerting: gmailRelay })).toThrow(/smtpPassword is missing: .*smtp-relay\.gmail\.com:587 without SMTP authentication/);
    expect(() => resolveMonitoringStackArgs("mon", { ...base, alerting: { ...alerting, smtpSmarthost: "smtp.example.net:25" } })).toThrow(/587 \(STARTTLS\) or 465.*blocks outbound port 25/);
    expect(resolveMonitoringStackArgs("mon", { ...base, alerting: { ...alerting, smtpSmarthost: "smtp.example.net:465" } }).alerting.smtpPort).toBe(465);
  });
});

describe("alertmanagerConfig", () => {
  interface Receiver { name: string; [kind: string]: unknown }
  interface Route { matchers: string[]; receiver: string; continue?: boolean }
  const cfg = alertmanagerConfig(resolveMonitoringStackArgs("mon", base)) as { receivers: Receiver[]; route: { routes: Route[] } };
  const receiver = (n: string) => cfg.receivers.find((x) => x.name === n)!;

  it("routes security and payment to their teams (continuing), then critical and warning", () => {
    const routes = cfg.route.routes.map((x) => [x.matchers[0], x.receiver, x.continue ?? false]);
    expect(routes).toEqual([
      ['alertname="Watchdog"', "null", false],
      ['team="security"', "security", true],
      ['team="payment"', "payment", true],
      ['severity="critical"', "critical", false],
      ['severity="warning"', "warning", false],
    ]);
  });

  it("pages critical (email + Slack + PagerDuty), warns by email + Slack, with secrets read from files", () => {
    expect(Object.keys(receiver("critical")).sort()).toEqual(["email_configs", "name", "pagerduty_configs", "slack_configs"]);
    expect(Object.keys(receiver("warning")).sort()).toEqual(["email_configs", "name", "slack_configs"]);
    expect(valueAt(receiver("security"), "email_configs[0].to")).toBe("security@diaspomoney.fr");
    expect(valueAt(receiver("payment"), "email_configs[0].to")).toBe("payments@diaspomoney.fr");
    expect(valueAt(receiver("critical"), "pagerduty_configs[0].routing_key_file")).toMatch(/^\/etc\/alertmanager\/secrets\/alertmanager-receivers\//);
    expect(JSON.stringify(cfg)).not.toMatch(/not-for-eyes/);
  });

  it("always authenticates to the SMTP server over TLS, the password read from the mounted Secret", () => {
    expect(valueAt(cfg, "global")).toMatchObject({
      smtp_smarthost: "smtp.example.net:587",
      smtp_auth_username: "alerts",
      smtp_auth_password_file: "/etc/alertmanager/secrets/alertmanager-receivers/smtp-password",
      smtp_require_tls: true,
    });
  });
});

describe("monitoringValues", () => {
  it("sets retention and storage, references the Grafana Secret and isolates node-exporter", () => {
    const v = monitoringValues(resolveMonitoringStackArgs("mon", { ...base, retention: "30d", storageSize: "200Gi", retentionSize: "180GB" }), "grafana-admin");
    expect(valueAt(v, "prometheus.prometheusSpec")).toMatchObject({ retention: "30d", retentionSize: "180GB", storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "200Gi" } } } } } });
    expect(valueAt(v, "grafana.admin")).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    expect(valueAt(v, "grafana.adminPassword")).toBeUndefined();
    expect(valueAt(v, "prometheus-node-exporter.namespaceOverride")).toBe("monitoring-node-exporter");
  });
});

describe("MonitoringStack", () => {
  const run = () =>
    runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const mon = new MonitoringStack("mon", { ...base, alerting: { ...alerting, smtpPassword: pulumi.secret(alerting.smtpPassword) } }, { provider });
      return { grafana: mon.grafanaAdminPassword };
    });

  it("installs the pinned chart with no credential in its values; passwords are random and secret", async () => {
    const { plan, evaluation } = await run();
    const release = plan.one("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({ chart: "kube-prometheus-stack", version: KUBE_PROMETHEUS_STACK_CHART.version, namespace: "monitoring" });
    expect(JSON.stringify(plan.resources)).not.toMatch(/not-for-eyes/);
    expect(plan.ofType("random:index/randomPassword:RandomPassword").map((p) => p.name).sort()).toEqual(["mon-basic-auth-password", "mon-grafana-admin-password"]);
    const receivers = plan.one("kubernetes:core/v1:Secret", "mon-alertmanager-receivers");
    // The Kubernetes SDK marks a Secret's whole stringData as secret.
    expect(receivers.inputs.stringData).toEqual(BLINDED_SECRET);
    expect(release.dependencies).toContain(plan.one("kubernetes:core/v1:Secret", "mon-grafana-admin").urn);
    expect(evaluation.outputs.grafana).toEqual(BLINDED_SECRET);
  });

  it("routes the three hostnames through websecure, basic auth and the Let's Encrypt certificate", async () => {
    const { plan } = await run();
    const hosts = plan.ofType(IR).map((x) => valueAt(x.inputs, "spec.routes[0].match") as string).sort();
    expect(hosts).toEqual(["Host(`alertmanager.diaspomoney.fr`)", "Host(`grafana.diaspomoney.fr`)", "Host(`prometheus.diaspomoney.fr`)"]);
    for (const route of plan.ofType(IR)) {
      expect(route.inputs.spec).toMatchObject({ entryPoints: ["websecure"], routes: [{ middlewares: [{ name: "basic-auth" }] }], tls: { secretName: "monitoring-tls" } });
    }
    expect(plan.one("kubernetes:traefik.io/v1alpha1:Middleware").inputs.spec).toEqual({ basicAuth: { secret: "monitoring-basic-auth", removeHeader: true, realm: "monitoring" } });
    expect(plan.one("kubernetes:core/v1:Secret", "mon-basic-auth").inputs.type).toBe("kubernetes.io/basic-auth");
    expect(plan.one("kubernetes:cert-manager.io/v1:Certificate").inputs.spec).toMatchObject({ issuerRef: { name: "letsencrypt-production", kind: "ClusterIssuer" } });
    for (const r of plan.resources) {
      const v = validateRecordedResource(r);
      if (v) expect(v.errors, r.name).toEqual([]);
      if (r.type.startsWith("kubernetes:")) expect(r.provider, r.name).toMatch(/::k8s::/);
    }
  });

  it("creates its Certificate, Middleware and IngressRoutes after the releases that install their CRDs", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const traefik = new k8s.helm.v3.Release("traefik", { chart: "traefik", version: "41.3.0" }, { provider });
      const certManager = new k8s.helm.v3.Release("cert-manager", { chart: "cert-manager", version: "v1.21.1" }, { provider });
      new MonitoringStack("mon", { ...base, crdInstallers: [traefik, certManager] }, { provider });
    });
    const installers = ["traefik", "cert-manager"].map((n) => plan.one("kubernetes:helm.sh/v3:Release", n).urn);
    const crs = [...plan.ofType(IR), plan.one("kubernetes:traefik.io/v1alpha1:Middleware"), plan.one("kubernetes:cert-manager.io/v1:Certificate")];
    expect(crs).toHaveLength(5);
    for (const cr of crs) expect(cr.dependencies, cr.name).toEqual(expect.arrayContaining(installers));
  });

  it("given each release's CRD groups, makes each custom resource wait only for the release of its own group", async () => {
    const { plan } = await runProgram(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const traefik = new k8s.helm.v3.Release("traefik", { chart: "traefik", version: "41.3.0" }, { provider });
      const certManager = new k8s.helm.v3.Release("cert-manager", { chart: "cert-manager", version: "v1.21.1" }, { provider });
      const crdInstallers: CrdInstaller[] = [
        { release: traefik, crdGroups: ["traefik.io"] },
        { release: certManager, crdGroups: ["cert-manager.io"] },
      ];
      new MonitoringStack("mon", { ...base, crdInstallers }, { provider });
    });
    const [traefik, certManager] = ["traefik", "cert-manager"].map((n) => plan.one("kubernetes:helm.sh/v3:Release", n).urn);
    const certificate = plan.one("kubernetes:cert-manager.io/v1:Certificate");
    expect(certificate.dependencies).toContain(certManager);
    expect(certificate.dependencies).not.toContain(traefik);
    for (const cr of [...plan.ofType(IR), plan.one("kubernetes:traefik.io/v1alpha1:Middleware")]) {
      expect(cr.dependencies, cr.name).toContain(traefik);
      expect(cr.dependencies, cr.name).not.toContain(certManager);
    }
  });

  it("passes the chart-values check (kube-prometheus-stack 88.0.0 and its subcharts)", async () => {
    const { plan } = await run();
    expect(chartValuesCheck.run({ stack: "test", resources: plan.resources, upstream: [] })).toEqual([]);
  });

  it("lets Alertmanager out only on 443 and the SMTP submission port", async () => {
    const { plan } = await run();
    expect(valueAt(plan.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "mon-ns-allow-alertmanager-receivers").inputs, "spec.egress[0].ports")).toEqual([
      { port: 443, protocol: "TCP" },
      { port: 587, protocol: "TCP" },
    ]);
  });

  it("keeps the stack restricted and only node-exporter's namespace privileged, with its reason", async () => {
    const { plan } = await run();
    const levels = Object.fromEntries(
      plan.ofType("kubernetes:core/v1:Namespace").map((n) => [valueAt(n.inputs, "metadata.name"), (n.inputs.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"]]),
    );
    expect(levels).toEqual({ monitoring: "restricted", "monitoring-node-exporter": "privileged" });
  });
});

describe("MonitoringStack without optional receiver credentials", () => {
  it("drops the Slack and PagerDuty receivers, never SMTP auth", () => {
    const r = resolveMonitoringStackArgs("mon", {
      platform: "diaspomoney",
      apiServerCidrs: ["172.16.0.0/28"],
      nodeCidrs: ["10.20.0.0/20"],
      domain: "diaspomoney.fr",
      alerting: { emailFrom: "a@d.fr", smtpSmarthost: "smtp:587", smtpUsername: "a@d.fr", smtpPassword: "x", oncallEmail: "o@d.fr", securityEmail: "s@d.fr", paymentEmail: "p@d.fr" },
    });
    const cfg = alertmanagerConfig(r) as { global: Record<string, unknown>; receivers: { name: string; slack_configs?: unknown; pagerduty_configs?: unknown }[] };
    expect(cfg.global.smtp_auth_password_file).toBe("/etc/alertmanager/secrets/alertmanager-receivers/smtp-password");
    const critical = cfg.receivers.find((x) => x.name === "critical")!;
    expect(critical.slack_configs).toBeUndefined();
    expect(critical.pagerduty_configs).toBeUndefined();
  });
});

describe("requireSecretToDeploy (a stack file before its bootstrap holds no secret)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("passes a set secret through", () => {
    expect(requireSecretToDeploy("s3cret", "p:alerting.smtpPassword", "why")).toBe("s3cret");
  });

  it("lets a preview go on with a placeholder and a warning naming the key and the command", () => {
    vi.spyOn(pulumi.runtime, "isDryRun").mockReturnValue(true);
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    expect(requireSecretToDeploy(undefined, "p:alerting.smtpPassword", "mail would be refused")).toBeDefined();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^p:alerting\.smtpPassword is not set: mail would be refused\. Set it with `pulumi config set --secret --path p:alerting\.smtpPassword`.*A deploy is refused/));
  });

  it("refuses a deploy", () => {
    vi.spyOn(pulumi.runtime, "isDryRun").mockReturnValue(false);
    expect(() => requireSecretToDeploy("", "p:alerting.smtpPassword", "mail would be refused")).toThrow(/^refusing to deploy: p:alerting\.smtpPassword is not set/);
  });
});

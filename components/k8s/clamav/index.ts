/**
 * ClamavScanner: the antivirus the upload path calls before it stores a file (shareyoursales.md
 * § Sécurité, "3. Scan antivirus (ClamAV)"): clamd behind an internal ClusterIP Service on TCP 3310,
 * with freshclam beside it keeping the signatures fresh, and a PodDisruptionBudget.
 *
 * The Service is for pods of the cluster only: clamd's protocol has no authentication, and anyone who
 * reaches it can make it scan (CPU, memory) whatever they send. Never give it an ingress, a
 * LoadBalancer or a NodePort; open it to the upload path's pods only (network flows).
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError, mergeLabels, type CommonArgs, type Labels } from "../../common/conventions";
import { assertPinnedImage } from "../../common/images";
import { RFC1918, type CidrEndpoint, type Flow, type PodEndpoint } from "../network-flows";
import { assertResources, parseQuantity, restrictedContainerSecurityContext, restrictedPodSecurityContext, standardLabels, zoneSpread, type ResourceSpec } from "../common/pod-security";

export const CLAMAV_SCANNER_TYPE = "platform:k8s:ClamavScanner";

/** clamd's TCP port (INSTREAM, PING, VERSION): the only port of the Service. */
export const CLAMD_PORT = 3310;

/**
 * The official image at an exact patch version (Cisco-Talos/clamav-docker, 1.5.3 is the newest
 * release of the 1.5 feature line). The `<version>` tags come preloaded with the signature
 * databases, so a new pod starts from them and downloads only the differences, which is what the
 * ClamAV project asks of containers (its CDN rate-limits full downloads).
 */
export const CLAMAV_IMAGE = "docker.io/clamav/clamav:1.5.3";

/** The image's `clamav` user and group (alpine system ids: `adduser -u 100`, group created first free). */
export const CLAMAV_UID = 100;
export const CLAMAV_GID = 101;

/**
 * Where the official mirror is: Cloudflare's CDN, whose addresses are not fixed. A NetworkPolicy
 * cannot name a host, so the flow freshclam needs is HTTPS to public addresses (private, shared and
 * link-local ranges excluded: never a pod, a node or the metadata server); a private mirror
 * (`databaseMirror`) narrows it to one address.
 */
export const CLAMAV_MIRROR_EGRESS = {
  cidrs: ["0.0.0.0/0"],
  except: [...RFC1918, "100.64.0.0/10", "169.254.0.0/16"],
  port: 443,
} as const;

/**
 * The flows the scanner needs, in the shape NetworkFlows takes: each client (the upload path's
 * pods) → clamd on 3310, and the scanner's pods → the signature mirror on 443. DNS is the
 * namespace's built-in egress.
 */
export function clamavFlows(namespace: string, resourceName: string, clients: PodEndpoint[], mirror: CidrEndpoint = { cidrs: [...CLAMAV_MIRROR_EGRESS.cidrs], except: [...CLAMAV_MIRROR_EGRESS.except] }): Flow[] {
  const scanner = { namespace, podSelector: { matchLabels: clamavPodSelector(resourceName) } };
  return [
    ...clients.map((from, i) => ({ name: `${resourceName}-scan-${i + 1}`, from, to: scanner, ports: [{ port: CLAMD_PORT }] })),
    { name: `${resourceName}-mirror`, from: scanner, to: mirror, ports: [{ port: CLAMAV_MIRROR_EGRESS.port }] },
  ];
}

/** Where the pod keeps the databases (an emptyDir; the image's own copy is read-only). */
const DB_DIR = "/var/lib/clamav-db";
/** The image's preloaded databases. */
const IMAGE_DB_DIR = "/var/lib/clamav";
const CONFIG_DIR = "/etc/clamav-platform";

export interface ClamavScannerArgs extends CommonArgs {
  /** Namespace the scanner runs in (the upload path's, or the env's `-infra` namespace). */
  namespace: string;
  /**
   * clamd replicas. A scan failure blocks uploads, so two by default; 1 is enough where an upload
   * may wait for a restart (dev).
   * @default 2
   */
  replicas?: number;
  /**
   * ClamAV image; must be pinned (model/images.ts) and be an official `<version>` tag (with
   * databases) or a `_base` one (the pod then downloads the full set at start).
   * @default CLAMAV_IMAGE
   */
  image?: string;
  /**
   * clamd's resources. clamd holds the whole signature set in memory (CLAMD_SIGNATURE_SET_MEMORY)
   * and, with concurrentDatabaseReload, a second copy while it loads an update: the memory limit
   * must cover twice the set or the reload is OOM-killed (3Gi is the ClamAV manual's minimum for a
   * container). The request covers one set: the second is held for a minute or so a few times a day.
   * @default { requests: { cpu: "500m", memory: "1536Mi" }, limits: { cpu: "2", memory: "3Gi" } }
   */
  clamdResources?: ResourceSpec;
  /**
   * freshclam's resources (also used by the init container that seeds the databases). With
   * concurrentDatabaseReload, freshclam does not load the databases to test them (`TestDatabases
   * no`): clamd loads a new set beside the running one and keeps the running one if the new one
   * fails. Without it, clamd drops its set before loading the new one, so freshclam must test the
   * set first (`TestDatabases yes`), and its memory limit must hold one set.
   * @default { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }
   */
  freshclamResources?: ResourceSpec;
  /**
   * Reload the databases beside the running engine, so scans continue during the reload (about a
   * minute). Off, clamd stops answering while it reloads but needs half the memory.
   * @default true
   */
  concurrentDatabaseReload?: boolean;
  /**
   * Largest stream clamd accepts (INSTREAM), in MiB. shareyoursales.md § Sécurité:
   * `MAX_FILE_SIZE = 5 * 1024 * 1024  # 5MB`; a larger upload is refused before it is scanned.
   * @default 5
   */
  streamMaxLengthMb?: number;
  /**
   * Concurrent scans per replica (clamd's MaxThreads).
   * @default 10 (clamd's default)
   */
  maxThreads?: number;
  /**
   * freshclam's update checks per day. The ClamAV project asks for no more than one per hour.
   * @default 12 (freshclam's default: every two hours)
   */
  freshclamChecksPerDay?: number;
  /**
   * Host freshclam downloads from over HTTPS.
   * @default "database.clamav.net"
   */
  databaseMirror?: string;
  /**
   * Size limit of the databases' emptyDir (the set is about 300 MiB; an update briefly holds old
   * and new files).
   * @default "1Gi"
   */
  databaseSizeLimit?: string;
  /**
   * Size limit of the scratch emptyDir clamd unpacks archives into (MaxThreads concurrent scans).
   * @default "2Gi"
   */
  scratchSizeLimit?: string;
  /**
   * Zone spread: ScheduleAnyway places replicas in different zones when capacity allows, without
   * leaving a 3 GiB pod pending when it does not.
   * @default "ScheduleAnyway"
   */
  zoneSpreadPolicy?: "DoNotSchedule" | "ScheduleAnyway";
  /**
   * Name of the Kubernetes objects (the Service is `<resourceName>`).
   * @default the component name
   */
  resourceName?: string;
}

export interface ResolvedClamavScannerArgs {
  namespace: string;
  resourceName: string;
  replicas: number;
  image: string;
  clamdResources: ResourceSpec;
  freshclamResources: ResourceSpec;
  concurrentDatabaseReload: boolean;
  streamMaxLengthMb: number;
  maxThreads: number;
  freshclamChecksPerDay: number;
  databaseMirror: string;
  databaseSizeLimit: string;
  scratchSizeLimit: string;
  zoneSpreadPolicy: "DoNotSchedule" | "ScheduleAnyway";
  labels: Labels;
}

/**
 * Memory clamd needs for one loaded signature set. ClamAV's manual (docs.clamav.net, "ClamAV in
 * Docker", Memory (RAM) Requirements) gives "upwards of 1.2 GiB" for the engine, 2.4 GiB during a
 * concurrent reload, and 3 GiB as the container minimum; 1280Mi allows for the set's growth since.
 */
export const CLAMD_SIGNATURE_SET_MEMORY = "1280Mi";

const HOST_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** Applies ClamavScanner defaults and rejects arguments that would not run or not scan. */
export function resolveClamavScannerArgs(name: string, args: ClamavScannerArgs): ResolvedClamavScannerArgs {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(CLAMAV_SCANNER_TYPE, name, detail);
  };
  const image = args.image ?? CLAMAV_IMAGE;
  assertPinnedImage(CLAMAV_SCANNER_TYPE, name, "image", image);
  const replicas = args.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1) fail(`replicas must be a positive integer, got ${replicas}`);

  const concurrentDatabaseReload = args.concurrentDatabaseReload ?? true;
  const clamdResources = args.clamdResources ?? { requests: { cpu: "500m", memory: "1536Mi" }, limits: { cpu: "2", memory: "3Gi" } };
  assertResources(CLAMAV_SCANNER_TYPE, name, "clamdResources", clamdResources);
  const setMemory = parseQuantity(CLAMD_SIGNATURE_SET_MEMORY);
  const needed = concurrentDatabaseReload ? 2 * setMemory : setMemory;
  if (parseQuantity(clamdResources.limits.memory) < needed) {
    fail(
      `clamdResources.limits.memory must be at least ${needed / 1024 ** 2}Mi (${concurrentDatabaseReload ? "two signature sets during a concurrent reload" : "one signature set"}), got ${clamdResources.limits.memory}`,
    );
  }
  if (parseQuantity(clamdResources.requests.memory) < setMemory) {
    fail(`clamdResources.requests.memory must be at least ${CLAMD_SIGNATURE_SET_MEMORY} (the loaded signature set), got ${clamdResources.requests.memory}`);
  }
  const freshclamResources = args.freshclamResources ?? { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
  assertResources(CLAMAV_SCANNER_TYPE, name, "freshclamResources", freshclamResources);
  if (!concurrentDatabaseReload && parseQuantity(freshclamResources.limits.memory) < setMemory) {
    fail(
      `freshclamResources.limits.memory must be at least ${CLAMD_SIGNATURE_SET_MEMORY} without concurrentDatabaseReload (freshclam then tests each new set in memory before clamd drops its own), got ${freshclamResources.limits.memory}`,
    );
  }

  const streamMaxLengthMb = args.streamMaxLengthMb ?? 5;
  if (!Number.isInteger(streamMaxLengthMb) || streamMaxLengthMb < 1 || streamMaxLengthMb > 4095) {
    fail(`streamMaxLengthMb must be an integer from 1 to 4095 (clamd's limit is below 4 GiB), got ${streamMaxLengthMb}`);
  }
  const maxThreads = args.maxThreads ?? 10;
  if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > 64) fail(`maxThreads must be an integer from 1 to 64, got ${maxThreads}`);
  const freshclamChecksPerDay = args.freshclamChecksPerDay ?? 12;
  if (!Number.isInteger(freshclamChecksPerDay) || freshclamChecksPerDay < 1 || freshclamChecksPerDay > 24) {
    fail(`freshclamChecksPerDay must be an integer from 1 to 24 (the ClamAV project asks for at most one check per hour), got ${freshclamChecksPerDay}`);
  }
  const databaseMirror = args.databaseMirror ?? "database.clamav.net";
  if (!HOST_NAME.test(databaseMirror)) fail(`databaseMirror must be a host name (freshclam adds https://), got "${databaseMirror}"`);
  const databaseSizeLimit = args.databaseSizeLimit ?? "1Gi";
  if (!(parseQuantity(databaseSizeLimit) >= 512 * 1024 ** 2)) fail(`databaseSizeLimit must be a quantity of at least 512Mi (the signature set and an update), got "${databaseSizeLimit}"`);
  const scratchSizeLimit = args.scratchSizeLimit ?? "2Gi";
  if (!(parseQuantity(scratchSizeLimit) > 0)) fail(`scratchSizeLimit must be a Kubernetes quantity, got "${scratchSizeLimit}"`);

  return {
    namespace: args.namespace,
    resourceName: args.resourceName ?? name,
    replicas,
    image,
    clamdResources,
    freshclamResources,
    concurrentDatabaseReload,
    streamMaxLengthMb,
    maxThreads,
    freshclamChecksPerDay,
    databaseMirror,
    databaseSizeLimit,
    scratchSizeLimit,
    zoneSpreadPolicy: args.zoneSpreadPolicy ?? "ScheduleAnyway",
    labels: args.labels ?? {},
  };
}

/** clamd.conf: foreground, logs on stdout, TCP for clients and a local socket for freshclam's notices. */
export function clamdConf(r: Pick<ResolvedClamavScannerArgs, "streamMaxLengthMb" | "maxThreads" | "concurrentDatabaseReload">): string {
  return [
    "Foreground yes",
    "LogTime yes",
    `DatabaseDirectory ${DB_DIR}`,
    "TemporaryDirectory /tmp",
    "LocalSocket /tmp/clamd.sock",
    `TCPSocket ${CLAMD_PORT}`,
    `MaxThreads ${r.maxThreads}`,
    `StreamMaxLength ${r.streamMaxLengthMb}M`,
    `ConcurrentDatabaseReload ${r.concurrentDatabaseReload ? "yes" : "no"}`,
    // freshclam notifies clamd after an update; SelfCheck is the fallback when a notice is lost.
    "SelfCheck 3600",
    "",
  ].join("\n");
}

/** freshclam.conf: the mirror, the check rate, and a notice to the clamd of the same pod. */
export function freshclamConf(r: Pick<ResolvedClamavScannerArgs, "databaseMirror" | "freshclamChecksPerDay" | "concurrentDatabaseReload">): string {
  return [
    "Foreground yes",
    "LogTime yes",
    `DatabaseDirectory ${DB_DIR}`,
    `DatabaseMirror ${r.databaseMirror}`,
    `Checks ${r.freshclamChecksPerDay}`,
    "ScriptedUpdates yes",
    `TestDatabases ${r.concurrentDatabaseReload ? "no" : "yes"}`,
    `NotifyClamd ${CONFIG_DIR}/clamd.conf`,
    "",
  ].join("\n");
}

/**
 * Hours without a new daily signature set after which freshclam counts as stuck (our figure: ClamAV
 * publishes daily updates several times a day; two days also covers a CDN cool-down).
 */
export const FRESHCLAM_STALE_HOURS = 48;

/** A shell test: the newest daily set (`.cld` after an incremental update, `.cvd` after a full one) is younger than `hours`. */
export function freshnessCheck(hours: number): string {
  return `f=$(ls -t ${DB_DIR}/daily.cld ${DB_DIR}/daily.cvd 2>/dev/null | head -n 1); test -n "$f" && test $(( $(date +%s) - $(stat -c %Y "$f") )) -lt ${hours * 3600}`;
}

/** The label selector of the scanner's pods (for the upload path's network flow to 3310). */
export function clamavPodSelector(resourceName: string): Labels {
  return { "app.kubernetes.io/name": resourceName, "app.kubernetes.io/component": "antivirus" };
}

export class ClamavScanner extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;
  /** `<service>.<namespace>.svc.cluster.local:3310`, what the upload path's clamd client dials. */
  public readonly address: pulumi.Output<string>;
  /** Labels of the scanner's pods. */
  public readonly podSelector: Labels;

  constructor(name: string, args: ClamavScannerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CLAMAV_SCANNER_TYPE, name, {}, opts);
    const r = resolveClamavScannerArgs(name, args);
    const selector = clamavPodSelector(r.resourceName);
    const labels = standardLabels(r.resourceName, r.resourceName, "antivirus", r.labels);
    const meta = (suffix = "") => ({ name: `${r.resourceName}${suffix}`, namespace: r.namespace, labels });

    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: meta(), automountServiceAccountToken: false }, { parent: this });
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: meta("-config"), data: { "clamd.conf": clamdConf(r), "freshclam.conf": freshclamConf(r) } },
      { parent: this },
    );

    const mounts = {
      config: { name: "config", mountPath: CONFIG_DIR, readOnly: true },
      db: { name: "db", mountPath: DB_DIR },
      tmp: { name: "tmp", mountPath: "/tmp" },
    };
    const clamdCheck = { exec: { command: ["/usr/local/bin/clamdcheck.sh"] } };

    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta(),
        spec: {
          replicas: r.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: selector },
          // A replica loads its signatures for about a minute: keep the old one until the new one answers.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            // The config's content in the template: a changed clamd.conf rolls the pods.
            metadata: { labels: mergeLabels(labels, selector), annotations: { "platform/config-hash": createHash("sha256").update(clamdConf(r) + freshclamConf(r)).digest("hex").slice(0, 16) } },
            spec: {
              serviceAccountName: serviceAccount.metadata.name,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurityContext(CLAMAV_UID, CLAMAV_GID),
              topologySpreadConstraints: zoneSpread(selector, r.zoneSpreadPolicy),
              initContainers: [
                {
                  // Seeds the writable database directory from the image's preloaded set; only an
                  // image without one (a `_base` tag) downloads the full set here.
                  name: "seed-databases",
                  image: r.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["/bin/sh", "-c"],
                  args: [
                    `set -eu; cp -R ${IMAGE_DB_DIR}/. ${DB_DIR}/ 2>/dev/null || true; ` +
                      `if [ ! -f ${DB_DIR}/main.cvd ] && [ ! -f ${DB_DIR}/main.cld ]; then freshclam --foreground --stdout --config-file=${CONFIG_DIR}/freshclam.conf; fi`,
                  ],
                  resources: r.freshclamResources,
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [mounts.config, mounts.db, mounts.tmp],
                },
              ],
              containers: [
                {
                  name: "clamd",
                  image: r.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["clamd", `--config-file=${CONFIG_DIR}/clamd.conf`],
                  ports: [{ name: "clamd", containerPort: CLAMD_PORT, protocol: "TCP" }],
                  resources: r.clamdResources,
                  securityContext: restrictedContainerSecurityContext(),
                  // The image's own health check: PING on 3310 answers PONG only once the engine is loaded.
                  startupProbe: { ...clamdCheck, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 36 },
                  readinessProbe: { ...clamdCheck, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                  // A blocking reload delays PONG for a minute; liveness only asks that the port accept.
                  livenessProbe: { tcpSocket: { port: "clamd" }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 4 },
                  volumeMounts: [mounts.config, mounts.db, mounts.tmp],
                },
                {
                  name: "freshclam",
                  image: r.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["freshclam", "--daemon", "--foreground", "--stdout", `--config-file=${CONFIG_DIR}/freshclam.conf`],
                  resources: r.freshclamResources,
                  // freshclam serves no port. Readiness: a signature set is in place (a blocked
                  // download must not take the pod's clamd out of service). Liveness: the daily set
                  // changed within FRESHCLAM_STALE_HOURS; ClamAV publishes several a day, so an older
                  // one means freshclam is stuck, and only this container restarts.
                  readinessProbe: { exec: { command: ["/bin/sh", "-c", `ls ${DB_DIR}/daily.cld ${DB_DIR}/daily.cvd 2>/dev/null | grep -q .`] }, periodSeconds: 60, timeoutSeconds: 5 },
                  livenessProbe: {
                    exec: { command: ["/bin/sh", "-c", freshnessCheck(FRESHCLAM_STALE_HOURS)] },
                    initialDelaySeconds: 600,
                    periodSeconds: 600,
                    timeoutSeconds: 10,
                    failureThreshold: 3,
                  },
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [mounts.config, mounts.db, mounts.tmp],
                },
              ],
              volumes: [
                { name: "config", configMap: { name: config.metadata.name } },
                { name: "db", emptyDir: { sizeLimit: r.databaseSizeLimit } },
                { name: "tmp", emptyDir: { sizeLimit: r.scratchSizeLimit } },
              ],
              terminationGracePeriodSeconds: 30,
            },
          },
        },
      },
      { parent: this },
    );

    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: meta(),
        spec: { type: "ClusterIP", selector, ports: [{ name: "clamd", port: CLAMD_PORT, targetPort: "clamd", protocol: "TCP" }] },
      },
      { parent: this },
    );

    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: meta(), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
      { parent: this, dependsOn: [deployment] },
    );

    this.serviceName = service.metadata.name;
    this.address = pulumi.interpolate`${service.metadata.name}.${r.namespace}.svc.cluster.local:${CLAMD_PORT}`;
    this.podSelector = selector;
    this.registerOutputs({ serviceName: this.serviceName, address: this.address });
  }
}

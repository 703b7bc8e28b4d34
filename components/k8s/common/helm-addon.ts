/**
 * A cluster add-on installed from a pinned Helm chart in a namespace of its own: the pattern
 * Traefik, cert-manager, the monitoring stack and the operators share, written once.
 *
 * - `addonNamespace` makes the add-on's IsolatedNamespace, `${name}-ns`;
 * - `pinnedHelmRelease` installs the chart at its exact version as `${name}-release`, atomic, with
 *   bounded history;
 * - `helmAddon` does both, in that order.
 *
 * These are functions, not a component: the namespace and the release stay direct children of the
 * calling component (`{ parent }`), so that no URN changes (a URN is `<parent type chain>::<name>`).
 *
 * CRD ownership: each `PinnedChart` lists the API groups whose CRDs it installs (`crdGroups`), and
 * the release comes back as a `CrdInstaller`. A custom resource asks `crdDependencies(apiVersion,
 * installers)` for the releases it must wait for, so the create order of dependents is explicit and
 * a kind whose CRDs nobody installs fails at the call, not as "no matches for kind" on a fresh cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../../common/conventions";
import { IsolatedNamespace, type IsolatedNamespaceArgs } from "../namespace";

/**
 * The `env` label of an add-on's namespaces when the stack does not give one: add-ons are
 * installed once per cluster, by the platform's foundation stack (model/envs.ts, kind
 * "foundation"), whose env is `shared` today. The one place a component names it.
 */
export const DEFAULT_ADDON_ENV = "shared";

/** A Helm chart at one exact version, and the CRDs that version installs. */
export interface PinnedChart {
  /** Chart name in its repository. */
  readonly chart: string;
  /** An exact version (`41.3.0`, `v1.21.1`): never a range, so that a redeploy installs what was reviewed. */
  readonly version: string;
  /** An HTTP chart repository, or an `oci://` registry (the chart is then addressed as `<repo>/<chart>`). */
  readonly repo: string;
  /**
   * API groups whose CRDs this chart version installs (vendor/SOURCES.md § CRDs holds the vendored
   * copies). Custom resources of these groups wait for the release.
   * @default [] (the chart installs no CRD)
   */
  readonly crdGroups?: readonly string[];
}

export interface PinnedHelmReleaseArgs {
  /** The Helm release name in the cluster (at most 53 characters, Helm's limit). */
  releaseName: string;
  chart: PinnedChart;
  /** Namespace of the release (usually the add-on namespace's `namespaceName`). */
  namespace: pulumi.Input<string>;
  /** The chart values, built by the component (never credentials: those go in Secrets the chart references). */
  values: Record<string, unknown>;
  /** Seconds Helm waits for the release to be ready before rolling back (atomic). @default 600 */
  timeoutSeconds?: number;
  /**
   * What must exist before the release (Secrets its values reference, namespaces it writes into).
   * @default no dependsOn option
   */
  dependsOn?: pulumi.Resource[];
}

export interface ResolvedPinnedHelmRelease {
  releaseName: string;
  version: string;
  /** Where the chart comes from, in the Release's own fields. */
  source: { chart: string; repositoryOpts?: { repo: string } };
  timeoutSeconds: number;
  crdGroups: readonly string[];
}

/** Releases are atomic: a failed upgrade rolls back rather than leaving half an add-on. */
const RELEASE_DEFAULTS = { atomic: true, cleanupOnFail: true, maxHistory: 10 } as const;
/** Helm refuses release names above 53 characters (they become label values with suffixes). */
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;
/** An exact chart version: SemVer with an optional leading `v`, no range operator or wildcard. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** A Kubernetes API group: a DNS subdomain. */
const API_GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** A Helm release's chart source: an `oci://` registry goes into `chart`, an HTTP repository into `repositoryOpts`. */
export function helmChartSource(c: { chart: string; repo: string }): { chart: string; repositoryOpts?: { repo: string } } {
  return c.repo.startsWith("oci://") ? { chart: `${c.repo}/${c.chart}` } : { chart: c.chart, repositoryOpts: { repo: c.repo } };
}

/** Applies the defaults and refuses an unpinned chart or a release name Helm would refuse. */
export function resolvePinnedHelmRelease(componentType: string, name: string, args: Omit<PinnedHelmReleaseArgs, "namespace" | "values" | "dependsOn">): ResolvedPinnedHelmRelease {
  const fail = (detail: string): never => {
    throw new ComponentArgsError(componentType, name, detail);
  };
  const { chart } = args;
  if (!RELEASE_NAME.test(args.releaseName)) fail(`releaseName "${args.releaseName}" must be a DNS-1123 label of at most 53 characters (Helm's limit)`);
  if (!EXACT_VERSION.test(chart.version)) fail(`chart ${chart.chart} version "${chart.version}" is not pinned: expected an exact version such as 1.2.3 or v1.2.3, not a range`);
  if (!/^(https:\/\/|oci:\/\/)\S+$/.test(chart.repo)) fail(`chart ${chart.chart} repo "${chart.repo}" must be an https:// repository or an oci:// registry`);
  const timeoutSeconds = args.timeoutSeconds ?? 600;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 60) fail(`timeoutSeconds must be an integer of at least 60 (a chart's pods need time to become ready), got ${timeoutSeconds}`);
  const crdGroups = chart.crdGroups ?? [];
  const badGroup = crdGroups.find((g) => !API_GROUP.test(g));
  if (badGroup !== undefined) fail(`chart ${chart.chart} crdGroups has "${badGroup}", which is not an API group (a DNS subdomain such as cert-manager.io)`);
  return { releaseName: args.releaseName, version: chart.version, source: helmChartSource(chart), timeoutSeconds, crdGroups };
}

/** A release and the API groups whose CRDs it installs. */
export interface CrdInstaller {
  readonly release: k8s.helm.v3.Release;
  readonly crdGroups: readonly string[];
}

/** The add-on's namespace, `${name}-ns`, a child of `parent`. */
export function addonNamespace(parent: pulumi.ComponentResource, name: string, args: IsolatedNamespaceArgs): IsolatedNamespace {
  return new IsolatedNamespace(`${name}-ns`, args, { parent });
}

/** The pinned release, `${name}-release`, a child of `parent`; errors name `componentType` (the caller's type token). */
export function pinnedHelmRelease(parent: pulumi.ComponentResource, componentType: string, name: string, args: PinnedHelmReleaseArgs): CrdInstaller {
  const r = resolvePinnedHelmRelease(componentType, name, args);
  const release = new k8s.helm.v3.Release(
    `${name}-release`,
    {
      name: r.releaseName,
      namespace: args.namespace,
      ...r.source,
      version: r.version,
      values: args.values,
      ...RELEASE_DEFAULTS,
      timeout: r.timeoutSeconds,
    },
    args.dependsOn ? { parent, dependsOn: args.dependsOn } : { parent },
  );
  return { release, crdGroups: r.crdGroups };
}

export interface HelmAddonArgs extends Omit<PinnedHelmReleaseArgs, "namespace"> {
  /** The add-on's own namespace (restricted by default, default-deny, with the allow rules it needs). */
  namespace: IsolatedNamespaceArgs;
}

export interface HelmAddon extends CrdInstaller {
  readonly namespace: IsolatedNamespace;
}

/** Namespace then release: `${name}-ns` and `${name}-release`, both children of `parent`. */
export function helmAddon(parent: pulumi.ComponentResource, componentType: string, name: string, args: HelmAddonArgs): HelmAddon {
  const namespace = addonNamespace(parent, name, args.namespace);
  const installer = pinnedHelmRelease(parent, componentType, name, {
    releaseName: args.releaseName,
    chart: args.chart,
    namespace: namespace.namespaceName,
    values: args.values,
    ...(args.timeoutSeconds !== undefined ? { timeoutSeconds: args.timeoutSeconds } : {}),
    ...(args.dependsOn ? { dependsOn: args.dependsOn } : {}),
  });
  return { namespace, ...installer };
}

/** The API group of an `apiVersion` (`traefik.io/v1alpha1` → `traefik.io`; `v1` → the core group, ""). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function isCrdInstaller(x: CrdInstaller | pulumi.Resource): x is CrdInstaller {
  return "release" in x && "crdGroups" in x && Array.isArray((x as CrdInstaller).crdGroups);
}

/**
 * The releases a custom resource of `apiVersion` must wait for: each `CrdInstaller` that installs
 * its group. A plain resource (its CRDs unknown) is always waited for, as `dependsOn` did before.
 * Throws when only CrdInstallers are given and none installs the group: the kind would not exist.
 */
export function crdDependencies(apiVersion: string, installers: readonly (CrdInstaller | pulumi.Resource)[]): pulumi.Resource[] {
  const group = apiGroupOf(apiVersion);
  const out: pulumi.Resource[] = [];
  let owned = false;
  for (const i of installers) {
    if (!isCrdInstaller(i)) out.push(i);
    else if (i.crdGroups.includes(group)) {
      out.push(i.release);
      owned = true;
    }
  }
  if (!owned && out.length === 0 && installers.length > 0) {
    const known = installers.filter(isCrdInstaller).flatMap((i) => i.crdGroups);
    throw new Error(`no release given installs the CRDs of ${apiVersion} (group ${group}); the installers given install ${known.join(", ") || "no CRD"}`);
  }
  return out;
}

import { BLINDED_SECRET, UNKNOWN as UNKNOWN_SENTINEL } from "../../model/plan-values";
import { validateKubernetesObject } from "../../model/k8s-schema";
import { HELM_RELEASE, k8sKind, removedApi } from "../lib/k8s";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, plain, SECRET_PLACEHOLDER } from "../lib/values";

/**
 * Back to plan form for the validator: unknowns as Pulumi's sentinel and secrets as the blinded
 * envelope, both of which engine/k8s-schema.ts treats as opaque (never reported).
 */
function toPlanForm(v: unknown): unknown {
  if (isUnknown(v)) return UNKNOWN_SENTINEL;
  if (v === SECRET_PLACEHOLDER) return { ...BLINDED_SECRET };
  if (Array.isArray(v)) return v.map(toPlanForm);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlanForm(x)]));
  return v;
}

export default defineResourceRule({
  name: "k8s-schema-object-require-valid-schema",
  description: "Every Kubernetes object and custom resource validates against its upstream schema (kubernetes-models for built-in kinds, the vendored CRDs for custom resources).",
  severity: "high",
  remediationSteps: "Fix the field the error names (typo, wrong type, missing required field); for a custom resource, check the CRD version vendored under vendor/crds/.",
  source: "vendor/SOURCES.md § CRDs (pinned CRD versions); Kubernetes docs § API reference (kubernetes-models 4.5.1)",
  domain: "schema",
  resources: ["every kubernetes:<group>/<version>:<Kind> object (not Helm releases, *Patch, *List)"],
  types: (t) => t !== HELM_RELEASE && k8sKind(t) !== undefined,
  validate(r, report) {
    const kind = k8sKind(r.type)!;
    const obj = toPlanForm(plain(r.props)) as Record<string, unknown>;
    const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : kind.apiVersion;
    const k = typeof obj.kind === "string" ? obj.kind : kind.kind;
    // kubernetes-models still ships schemas of versions no cluster serves any more: those are not valid.
    const stale = [apiVersion, kind.apiVersion].find((v) => removedApi(v, k));
    const removed = stale ? removedApi(stale, k) : undefined;
    if (removed) {
      report(`${k}: ${stale} is not served by current GKE (removed in Kubernetes ${removed.removedIn}); the schema of ${removed.replacement} applies.`);
      return;
    }
    const result = validateKubernetesObject({ ...obj, apiVersion, kind: k });
    for (const e of result.errors) report(`${k}: ${e}`);
  },
});

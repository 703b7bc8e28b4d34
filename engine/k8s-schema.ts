/**
 * The Kubernetes schema validator lives in model/k8s-schema.ts: the policy pack and the components'
 * tests read it too, and they may not import the engine. Re-exported for the engine's callers.
 */
export * from "../model/k8s-schema";

/**
 * The NetworkPolicy evaluator moved to the engine (engine/deployability/netpol.ts), where the
 * deployability analysis' reachability check uses it; re-exported here for existing callers.
 */
export * from "../../../engine/deployability/netpol";

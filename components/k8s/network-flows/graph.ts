/**
 * NetworkPolicy semantics (model/netpol.ts), re-exported beside the component whose policies they
 * evaluate: its tests and the stack tests ask what its flows allow.
 */
export * from "../../../model/netpol";

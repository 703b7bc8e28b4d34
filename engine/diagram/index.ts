/**
 * Architecture diagrams drawn from offline plans (issue 16): the model (model.ts), its Mermaid
 * rendering (mermaid.ts), the marks between two plans (changes.ts), the page committed per stack
 * under docs/architecture/ (page.ts) and the pull-request block (pr.ts).
 */
export * from "./model";
export * from "./mermaid";
export * from "./changes";
export * from "./page";
export * from "./pr";
export * from "./from-plan";

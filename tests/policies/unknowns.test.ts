/**
 * One semantics for unknown values (issue 9): a fresh stack's provider-computed values never hide a
 * violation that its known inputs already show. For every failing case of every resource rule,
 * each top-level input the case did not change is made unknown in turn; the rule must still report.
 * Inputs a rule's decision rests on are listed, with the reason, in DECIDING.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN, type RecordedResource } from "../../engine/evaluate";
import { mutate, runRule } from "./helpers";
import { SPECS } from "./specs";

/**
 * Inputs on which a rule's decision itself rests: while one is unknown the rule cannot tell whether
 * it applies or whether the known values are a violation, so it says nothing rather than guess.
 * Everything else unknown must leave a violation standing.
 */
const DECIDING: Record<string, Record<string, string>> = {
  "gcp-sql-instance-require-pitr": { databaseVersion: "PITR means WAL archiving on PostgreSQL and binary logs on MySQL" },
  "gcp-sql-instance-require-audit-flags": { databaseVersion: "the CIS flags are PostgreSQL's" },
  "gcp-gke-cluster-restrict-control-plane": { privateClusterConfig: "a private endpoint makes a missing authorized-networks block harmless" },
  "gcp-compute-backend-service-require-cloud-armor": { loadBalancingScheme: "internal backends take no Cloud Armor policy" },
  "gcp-compute-firewall-deny-open-ingress": {
    direction: "an egress rule's sources mean nothing",
    sourceRanges: "whether the rule is open to the Internet is the range",
    allows: "what the rule lets in is the ports",
  },
  "gcp-cloudrun-service-restrict-ingress": { invokerIamDisabled: "ingress from all is fine while the invoker IAM check stands" },
  "k8s-networking-ingress-require-tls": { spec: "the routes and TLS blocks are the spec" },
  "k8s-traefik-release-deny-insecure-api": { chart: "only Traefik's chart has this API" },
};

describe("unknown inputs never hide a violation the known inputs show", () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    if (spec.kind !== "resource") continue;
    it(name, async () => {
      // Every variant in one run (one pack invocation per rule, not per variant): each is the same
      // resource under its own URN, so each one's verdict is read apart.
      const variants: { label: string; urn: string; resource: RecordedResource }[] = [];
      for (const [label, changes] of Object.entries(spec.failing)) {
        const bad = mutate(spec.fixture, changes);
        const touched = new Set(Object.keys(changes).map((k) => k.split(/[.[]/)[0]!));
        for (const key of Object.keys(bad.inputs)) {
          if (touched.has(key) || DECIDING[name]?.[key]) continue;
          const urn = `${bad.urn}-unknown-${variants.length}`;
          variants.push({ label: `${label}: unknown ${key}`, urn, resource: { ...bad, urn, inputs: { ...bad.inputs, [key]: UNKNOWN } } });
        }
      }
      const run = await runRule(name, [...(spec.others ?? []), ...variants.map((v) => v.resource)], spec.facts);
      const reported = new Set(run.results.filter((r) => r.policy === name && !r.waiver).map((r) => r.urn));
      const hidden = variants.filter((v) => !reported.has(v.urn)).map((v) => v.label);
      expect(hidden).toEqual([]);
    });
  }
});

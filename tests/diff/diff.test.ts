import { describe, expect, it } from "vitest";
import { aliasUrns, diffDigests, hasChanges, summarize } from "../../engine/diff";
import type { Flag, ResourceChange, StackDiff } from "../../engine/diff";
import { stableKeyFor } from "../../engine/diff/values";
import { SECRET, UNKNOWN, fixture, plan } from "./helpers";

const byName = (d: StackDiff, name: string): ResourceChange => {
  const r = d.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no change for ${name}: ${d.resources.map((x) => x.name).join(", ")}`);
  return r;
};
const flags = (d: StackDiff, kind: Flag["kind"]) => d.flags.filter((f) => f.kind === kind);

describe("diffDigests over the fixture plans", () => {
  const d = diffDigests(fixture("base"), fixture("head-changes"));

  it("counts added, changed and removed resources", () => {
    expect(d.stack).toBe("quickfund-prod");
    expect(d.counts).toEqual({ create: 1, update: 5, delete: 2, rename: 0 });
    expect(summarize(d)).toMatchObject({ add: 1, change: 5, remove: 2, newViolations: 1, newMandatory: 1 });
    expect(byName(d, "exports").kind).toBe("create");
    expect(byName(d, "settings").kind).toBe("delete");
  });

  it("gives property-level diffs with nested paths", () => {
    const db = byName(d, "orders-instance");
    expect(db.properties).toContainEqual({
      path: "settings.tier",
      change: "changed",
      before: { kind: "value", value: "db-custom-2-7680" },
      after: { kind: "value", value: "db-custom-4-15360" },
    });
    expect(byName(d, "documents").properties).toContainEqual({ path: "labels.team", change: "added", before: { kind: "absent" }, after: { kind: "value", value: "docs" } });
  });

  it("matches list items by a stable key: name, and port+protocol", () => {
    const db = byName(d, "orders-instance");
    expect(db.properties.map((p) => p.path)).toEqual(expect.arrayContaining(["settings.databaseFlags[name=max_connections].value", "settings.databaseFlags[name=log_connections]"]));
    // Only the TCP item of two port-53 items changed; an index-based diff could not tell them apart.
    expect(byName(d, "web-svc").properties).toEqual([
      { path: "spec.ports[port=53,protocol=TCP].targetPort", change: "changed", before: { kind: "value", value: 5353 }, after: { kind: "value", value: 8053 } },
    ]);
    const web = byName(d, "web");
    expect(web.properties.find((p) => p.path.endsWith("env[name=DB_HOST]"))?.change).toBe("removed");
    expect(web.properties.find((p) => p.path.endsWith("env[name=FEATURE_Y]"))?.change).toBe("added");
  });

  it("reports changed options: protect, retainOnDelete, aliases", () => {
    expect(byName(d, "documents").options).toEqual([
      { option: "protect", before: true, after: false },
      { option: "retainOnDelete", before: true, after: false },
    ]);
    expect(byName(d, "web").options).toEqual([{ option: "aliases", before: undefined, after: [{ name: "frontend" }] }]);
  });

  it("flags a stateful delete but not a stateless one", () => {
    expect(flags(d, "stateful-delete").map((f) => f.name)).toEqual(["uploads"]);
    expect(flags(d, "stateful-delete")[0].level).toBe("danger");
  });

  it("flags protection removed", () => {
    expect(flags(d, "protection-removed").map((f) => [f.name, f.message])).toEqual([
      ["documents", "protect: true → false"],
      ["documents", "retainOnDelete: true → false"],
    ]);
  });

  it("flags lowered replicas: Deployment, data-service CR members, database HA", () => {
    expect(flags(d, "replicas-lowered").map((f) => [f.name, f.path])).toEqual(
      expect.arrayContaining([
        ["web", "spec.replicas"],
        ["mongo", "spec.members"],
        ["orders-instance", "settings.availabilityType"],
      ]),
    );
  });

  it("flags lowered backup settings: retention count and point-in-time recovery", () => {
    expect(flags(d, "backup-lowered").map((f) => f.path)).toEqual([
      "settings.backupConfiguration.backupRetentionSettings.retainedBackups",
      "settings.backupConfiguration.pointInTimeRecoveryEnabled",
    ]);
  });

  it("reports policy violations introduced and fixed; a waived one is neither", () => {
    expect(d.policies.introduced.map((p) => [p.policy, p.name])).toEqual([["gcp-storage-bucket-require-retention", "exports"]]);
    expect(d.policies.fixed.map((p) => p.policy)).toEqual(["gcp-storage-bucket-require-versioning"]);
    expect(d.policies.headMandatory).toBe(1);
    expect(flags(d, "policy-introduced")[0].level).toBe("danger");
    expect(flags(d, "policy-fixed")[0].level).toBe("info");
  });

  it("diffs outputs and config", () => {
    expect(d.outputs.map((p) => p.path)).toEqual(["exports"]);
    expect(d.config).toEqual([
      { path: "quickfund:dbTier", change: "changed", before: { kind: "value", value: "db-custom-2-7680" }, after: { kind: "value", value: "db-custom-4-15360" } },
    ]);
  });

  it("orders danger first", () => {
    expect(d.flags[0].level).toBe("danger");
    expect(d.resources[0].name).toBe("uploads");
  });

  it("finds nothing between a plan and itself", () => {
    const same = diffDigests(fixture("base"), fixture("base"));
    expect(hasChanges(same)).toBe(false);
    expect(same.flags).toEqual([]);
  });
});

describe("renames", () => {
  it("flags renaming a database as a stateful rename and suggests the alias", () => {
    const d = diffDigests(fixture("base"), fixture("head-rename"));
    expect(d.counts).toEqual({ create: 0, update: 0, delete: 0, rename: 1 });
    const r = d.resources[0];
    expect(r).toMatchObject({ kind: "rename", name: "orders-main-instance", oldName: "orders-instance", stateful: "database" });
    expect(r.suggestion).toBe('aliases: [{ name: "orders-instance" }]');
    const f = flags(d, "stateful-rename");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ level: "danger", suggestion: 'aliases: [{ name: "orders-instance" }]' });
    // A rename is a delete + create in Pulumi's eyes.
    expect(summarize(d)).toMatchObject({ add: 1, remove: 1, danger: 1 });
  });

  it("treats a rename covered by an alias as an update, without danger", () => {
    const d = diffDigests(fixture("base"), fixture("head-rename-aliased"));
    expect(d.resources).toHaveLength(1);
    expect(d.resources[0]).toMatchObject({ kind: "update", aliased: true, oldName: "orders-instance", properties: [], options: [] });
    expect(d.flags).toEqual([]);
  });

  it("does not pair a delete and a create whose inputs mostly differ", () => {
    const base = plan("s", [{ type: "gcp:storage/bucket:Bucket", name: "a", inputs: { name: "a", location: "EU", versioning: { enabled: true } } }]);
    const head = plan("s", [{ type: "gcp:storage/bucket:Bucket", name: "b", inputs: { name: "b", location: "US", versioning: { enabled: false } } }]);
    const d = diffDigests(base, head);
    expect(d.counts).toEqual({ create: 1, update: 0, delete: 1, rename: 0 });
    expect(flags(d, "stateful-delete")).toHaveLength(1);
  });

  it("suggests a parent alias when a resource moves out of a component", () => {
    const parent = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";
    const base = plan("s", [{ type: "gcp:storage/bucket:Bucket", name: "docs", urn: "urn:pulumi:s::p::platform:gcp:Storage$gcp:storage/bucket:Bucket::docs", parent: "urn:pulumi:s::p::platform:gcp:Storage::docs", inputs: { name: "docs", location: "EU" } }]);
    const head = plan("s", [{ type: "gcp:storage/bucket:Bucket", name: "docs", parent, inputs: { name: "docs", location: "EU" } }]);
    const d = diffDigests(base, head);
    expect(d.resources[0].suggestion).toBe('aliases: [{ parent: "urn:pulumi:s::p::platform:gcp:Storage::docs" }]');
  });

  it("resolves alias specs and URNs", () => {
    const urn = "urn:pulumi:s::p::platform:gcp:Postgres$gcp:sql/databaseInstance:DatabaseInstance::new";
    expect(aliasUrns({ urn, type: "gcp:sql/databaseInstance:DatabaseInstance", custom: true, inputs: {}, aliases: [{ name: "old" }, { noParent: true }, "urn:x"] })).toEqual([
      "urn:pulumi:s::p::platform:gcp:Postgres$gcp:sql/databaseInstance:DatabaseInstance::old",
      "urn:pulumi:s::p::gcp:sql/databaseInstance:DatabaseInstance::new",
      "urn:x",
    ]);
  });
});

describe("property diff details", () => {
  const one = (before: Record<string, unknown>, after: Record<string, unknown>, type = "test:index:Thing") =>
    diffDigests(plan("s", [{ type, name: "x", inputs: before }]), plan("s", [{ type, name: "x", inputs: after }]));

  it("chooses stable keys in order and refuses non-unique ones", () => {
    expect(stableKeyFor([{ name: "a" }], [{ name: "b" }])).toEqual(["name"]);
    expect(stableKeyFor([{ port: 80, protocol: "TCP" }, { port: 80, protocol: "UDP" }], [])).toEqual(["port", "protocol"]);
    expect(stableKeyFor([{ containerPort: 80 }], [{ containerPort: 81 }])).toEqual(["containerPort"]);
    expect(stableKeyFor([{ name: "a" }, { name: "a" }], [])).toBeUndefined();
    expect(stableKeyFor([1, 2], [3])).toBeUndefined();
  });

  it("falls back to indexes for lists without a key", () => {
    const d = one({ rules: [{ action: "allow" }, { action: "deny" }] }, { rules: [{ action: "allow" }, { action: "log" }] });
    expect(d.resources[0].properties.map((p) => p.path)).toEqual(["rules[1].action"]);
  });

  it("treats unknown on both sides as equal and unknown vs known as a change", () => {
    expect(hasChanges(one({ a: UNKNOWN }, { a: UNKNOWN }))).toBe(false);
    expect(one({ a: UNKNOWN }, { a: "x" }).resources[0].properties[0]).toMatchObject({ before: { kind: "unknown" }, after: { kind: "value", value: "x" } });
  });

  it("lists short primitive lists whole and long ones as items added and removed", () => {
    expect(one({ l: ["a", "b"] }, { l: ["a", "c"] }).resources[0].properties).toEqual([
      { path: "l", change: "changed", before: { kind: "value", value: ["a", "b"] }, after: { kind: "value", value: ["a", "c"] } },
    ]);
    const long = Array.from({ length: 12 }, (_, i) => `h${i}`);
    const props = one({ l: long }, { l: [...long.slice(1), "h99"] }).resources[0].properties;
    expect(props.map((p) => [p.path, p.change])).toEqual([
      ["l[-]", "removed"],
      ["l[+]", "added"],
    ]);
  });

  it("flags replicas and backups lowered in Helm values and bucket retention", () => {
    const helm = one({ chart: "redis", values: { replica: { replicaCount: 3 } } }, { chart: "redis", values: { replica: { replicaCount: 1 } } }, "kubernetes:helm.sh/v3:Release");
    expect(flags(helm, "replicas-lowered")).toHaveLength(1);
    expect(helm.resources[0].stateful).toMatch(/data service/);
    const bucket = one({ retentionPolicy: { retentionPeriod: 2592000 } }, { retentionPolicy: { retentionPeriod: 86400 } }, "gcp:storage/bucket:Bucket");
    expect(flags(bucket, "backup-lowered")).toHaveLength(1);
    const backupOff = one({ settings: { backupConfiguration: { enabled: true } } }, { settings: {} }, "gcp:sql/databaseInstance:DatabaseInstance");
    expect(flags(backupOff, "backup-lowered")).toHaveLength(1);
    const raised = one({ spec: { replicas: 2 } }, { spec: { replicas: 3 } }, "kubernetes:apps/v1:StatefulSet");
    expect(raised.flags).toEqual([]);
  });

  it("flags a service's own deletion protection turned off", () => {
    const d = one({ deletionProtection: true }, { deletionProtection: false }, "gcp:sql/databaseInstance:DatabaseInstance");
    expect(flags(d, "protection-removed")).toHaveLength(1);
    const force = one({ forceDestroy: false }, { forceDestroy: true }, "gcp:storage/bucket:Bucket");
    expect(flags(force, "protection-removed")).toHaveLength(1);
  });

  it("flags a stateful replacement through replaceOnChanges", () => {
    const d = diffDigests(
      plan("s", [{ type: "kubernetes:apps/v1:StatefulSet", name: "db", replaceOnChanges: ["spec.volumeClaimTemplates"], inputs: { spec: { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storage: "10Gi" } }] } } }]),
      plan("s", [{ type: "kubernetes:apps/v1:StatefulSet", name: "db", replaceOnChanges: ["spec.volumeClaimTemplates"], inputs: { spec: { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storage: "20Gi" } }] } } }]),
    );
    expect(flags(d, "stateful-replace")).toHaveLength(1);
  });

  it("treats a whole missing base plan as a new stack", () => {
    const d = diffDigests(undefined, fixture("base"), { stack: "quickfund-prod", baseNote: "no plan in base" });
    expect(d.counts.create).toBe(fixture("base").steps.length);
    expect(d.notes).toEqual(["base: no plan in base"]);
    expect(d.flags.filter((f) => f.level === "danger")).toEqual([]);
  });

  it("keeps secrets out of the structured diff", () => {
    const d = one({ password: SECRET }, { password: "plain" });
    expect(d.resources[0].properties[0]).toEqual({ path: "password", change: "changed", before: { kind: "secret" }, after: { kind: "hidden" }, secret: "no-longer-secret" });
  });
});

describe("JSON-encoded provider inputs", () => {
  it("are diffed structurally", () => {
    const d = diffDigests(
      plan("s", [{ type: "pulumi:providers:gcp", name: "gcp", inputs: { defaultLabels: '{"env":"dev","platform":"quickfund"}' } }]),
      plan("s", [{ type: "pulumi:providers:gcp", name: "gcp", inputs: { defaultLabels: '{"env":"dev","platform":"quickfund","stack":"quickfund-dev"}' } }]),
    );
    expect(d.resources[0].properties).toEqual([{ path: "defaultLabels.stack", change: "added", before: { kind: "absent" }, after: { kind: "value", value: "quickfund-dev" } }]);
  });
});

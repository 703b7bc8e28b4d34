/**
 * Every stack, evaluated as `npm run preview` would: it evaluates cleanly, its resource names match
 * the committed snapshot (an accidental rename would replace a real database), and prod protects
 * every stateful resource.
 */
import { statefulKind } from "../model/stateful";
import { describe, expect, it } from "vitest";
import { previewStack, type StackPreview } from "../engine/preview";
import { PLATFORMS, allStacks } from "../stacks/registry";

const previews = new Map<string, Promise<StackPreview>>();
function preview(stack: string): Promise<StackPreview> {
  if (!previews.has(stack)) previews.set(stack, previewStack(stack));
  return previews.get(stack)!;
}

/** A URN's type chain (parent types and type), without names: the structure of a stack. */
const shape = (urn: string) => urn.split("::")[2];

describe.each(allStacks())("%s", (stack) => {
  it("evaluates cleanly: resources recorded, no errors", async () => {
    const p = await preview(stack);
    expect(p.evaluation.resources.length).toBeGreaterThan(5);
    expect(p.evaluation.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("keeps its resource names (snapshot: a rename replaces the resource; use aliases)", async () => {
    const p = await preview(stack);
    const names = p.evaluation.resources.map((r) => `${r.type}::${r.name}`).sort();
    expect(names).toMatchSnapshot();
  });

  it("writes a PreviewDigest with every resource and its inputs", async () => {
    const p = await preview(stack);
    expect(p.digest.steps).toHaveLength(p.evaluation.resources.length);
    const reads = p.evaluation.resources.filter((r) => r.readId !== undefined).length;
    expect(p.digest.changeSummary).toEqual({ create: p.evaluation.resources.length - reads, ...(reads ? { read: reads } : {}) });
    for (const step of p.digest.steps) {
      expect(step.op).toBe(step.newState?.id !== undefined ? "read" : "create");
      expect(step.newState?.urn).toBe(step.urn);
      expect(step.newState?.inputs).toBeTypeOf("object");
    }
  });

  it("sends every GCP and Kubernetes resource through an explicit provider, never an ambient one", async () => {
    const p = await preview(stack);
    const managed = p.evaluation.resources.filter((r) => r.custom && /^(gcp|kubernetes):/.test(r.type));
    expect(managed.length).toBeGreaterThan(0);
    const ambient = managed.filter((r) => !r.provider || /::default(_\d+)*(_\d+_\d+_\d+)?::/.test(r.provider)).map((r) => r.urn);
    expect(ambient).toEqual([]);
  });

  if (stack.endsWith("-prod")) {
    it("protects every stateful resource against deletion", async () => {
      const p = await preview(stack);
      // The one list of what holds data (model/stateful.ts), the same the plan diff warns with.
      const stateful = p.evaluation.resources.filter((r) => statefulKind(r.type, r.custom, r.inputs) !== undefined);
      expect(stateful.length).toBeGreaterThan(0);
      expect(stateful.filter((r) => !r.options.protect).map((r) => r.urn)).toEqual([]);
    });
  }
});

describe("env stacks of a platform differ only by data", () => {
  // One definition per kind of stack: its app envs must compose alike (a foundation has one env).
  const definitions = PLATFORMS.filter((p) => p.kind === "app" && p.envs.length > 1);
  // The same composition for every env: the same components with the same names and parents.
  // What a component declares inside may follow data (a 3-member replica set gets a
  // PodDisruptionBudget, a single member none), never the env's name.
  it.each(definitions.map((d) => d.name))("%s: its app envs compose the same components", async (platform) => {
    const definition = definitions.find((d) => d.name === platform)!;
    const envStacks = definition.envs.map((env) => `${platform}-${env}`);
    const sets = await Promise.all(
      envStacks.map(async (s) => {
        const env = s.slice(platform.length + 1);
        return (await preview(s)).evaluation.resources
          .filter((r) => !r.custom)
          // The env as a whole name segment only (`shareyoursales-prod-flows`, never `product`).
          .map((r) => `${shape(r.urn)}::${r.name.replace(new RegExp(`(?<![a-z0-9])${env}(?![a-z0-9])`, "g"), "<env>")}`)
          .sort();
      }),
    );
    expect(envStacks.length).toBeGreaterThanOrEqual(3);
    for (const set of sets.slice(1)) expect(set).toEqual(sets[0]);
  });
});

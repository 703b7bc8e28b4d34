/**
 * What an env means lives in one table (model/envs.ts): stacks read traits, never env names. A
 * platform lists its own envs; its foundation serves exactly those; deploy order follows the
 * traits. And adding an env is one row plus its stack files: proved on a scratch copy of the
 * repository, where a `stg` row and Quickfund's stg row and stack file give a stack that previews,
 * while every existing stack's plan stays byte for byte what it was.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { upstreamStacksOf } from "../engine/deployability/upstream";
import { valueAt } from "../engine/plan";
import { previewStack } from "../engine/preview";
import { PROJECT_ROOT } from "../engine/project";
import { APP_ENVS, ENV_TRAITS, STACK_ENVS } from "../model/envs";
import { z } from "zod";
import { diaspomoney, diaspomoneyShared } from "../stacks/diaspomoney";
import { definePlatform } from "../stacks/platform";
import { allStacks, PLATFORMS } from "../stacks/registry";

describe("envs as one table", () => {
  it("every definition's envs are of one kind, and a platform has at most one foundation definition", () => {
    for (const p of PLATFORMS) {
      expect(new Set(p.envs.map((e) => ENV_TRAITS[e].kind)), p.schemaId).toEqual(new Set([p.kind]));
    }
    for (const name of new Set(PLATFORMS.map((p) => p.name))) {
      expect(PLATFORMS.filter((p) => p.name === name && p.kind === "foundation").length, name).toBeLessThanOrEqual(1);
      const envs = PLATFORMS.filter((p) => p.name === name).flatMap((p) => p.envs);
      expect(new Set(envs).size, `${name}: two definitions share an env`).toBe(envs.length);
    }
  });

  it("a definition whose rows mix app envs and a foundation is refused at load, naming each env's kind", () => {
    const compliance = diaspomoney.compliance("dev");
    const row = { profile: {}, compliance };
    const mixed = { name: "t", schemaId: "t", document: "t.md", schema: z.strictObject({}), envs: { dev: row, shared: row }, compose: () => ({}) };
    expect(() => definePlatform(mixed)).toThrow("t (t): expected one or more envs of one kind (model/envs.ts), got dev (app), shared (foundation)");
    expect(() => definePlatform({ ...mixed, envs: { dev: row } })).not.toThrow();
  });

  it("deploy order follows the traits: an app env after its platform's foundation, a foundation after nothing", () => {
    expect(upstreamStacksOf("diaspomoney-prod")).toEqual(["diaspomoney-shared"]);
    expect(upstreamStacksOf("diaspomoney-dev")).toEqual(["diaspomoney-shared"]);
    expect(upstreamStacksOf("diaspomoney-shared")).toEqual([]);
    // A platform without a foundation deploys its envs on their own.
    expect(upstreamStacksOf("quickfund-prod")).toEqual([]);
    for (const stack of allStacks()) {
      for (const up of upstreamStacksOf(stack)) expect(ENV_TRAITS[up.slice(up.lastIndexOf("-") + 1) as keyof typeof ENV_TRAITS].kind).toBe("foundation");
    }
  });

  it("the foundation serves exactly the app envs its platform lists (not the global list)", async () => {
    expect(diaspomoneyShared.envs).toEqual(["shared"]);
    const plan = (await previewStack("diaspomoney-shared")).evaluation.resources;
    const namespaces = plan.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => valueAt(r.inputs, "metadata.name") as string);
    const envNamespaces = namespaces.filter((n) => n.startsWith("diaspomoney-")).sort();
    expect(envNamespaces).toEqual(diaspomoney.envs.flatMap((e) => [`diaspomoney-${e}`, `diaspomoney-${e}-infra`]).sort());
    expect(Object.keys(diaspomoneyShared.defaults("shared").namespaceQuotas as object)).toEqual([...diaspomoney.envs]);
  });

  it("the app envs are the table's app rows; a foundation row is prod-like and deploys from a prod-like row's branch", () => {
    expect(APP_ENVS).toEqual(STACK_ENVS.filter((e) => ENV_TRAITS[e].kind === "app"));
    for (const env of STACK_ENVS.filter((e) => ENV_TRAITS[e].kind === "foundation")) {
      expect(ENV_TRAITS[env].prodLike, env).toBe(true);
      expect(APP_ENVS.some((a) => ENV_TRAITS[a].prodLike && ENV_TRAITS[a].branch === ENV_TRAITS[env].branch), env).toBe(true);
    }
  });

  it("no stack module compares env names: per-env figures are rows, env meanings are traits", () => {
    const sources = readdirSync(join(PROJECT_ROOT, "stacks")).filter((f) => f.endsWith(".ts"));
    expect(sources.length).toBeGreaterThan(5);
    const offenders = sources.flatMap((f) => {
      const text = readFileSync(join(PROJECT_ROOT, "stacks", f), "utf8");
      return [...text.matchAll(/\benv\s*[!=]==?\s*"[a-z]+"|"[a-z]+"\s*[!=]==?\s*env\b/g)].map((m) => `${f}: ${m[0]}`);
    });
    expect(offenders).toEqual([]);
  });
});

describe("adding an env is one row plus its stack files", () => {
  const copy = mkdtempSync(join(tmpdir(), "add-env-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  /** Inserts a copy of the `rct` row, renamed `stg`, right after it; fails loudly when the anchor moved. */
  function addStgAfterRct(file: string, rowPattern: RegExp, rename: (row: string) => string): void {
    const path = join(copy, file);
    const text = readFileSync(path, "utf8");
    const row = rowPattern.exec(text)?.[1];
    if (!row) throw new Error(`${file}: expected an rct row matching ${rowPattern}, found none`);
    writeFileSync(path, text.replace(row, `${row}\n${rename(row)}`));
  }

  it("in a scratch copy: the new stack previews, and no existing stack's plan changes", async () => {
    for (const entry of readdirSync(PROJECT_ROOT)) {
      if (entry === "node_modules" || entry === ".git") continue;
      cpSync(join(PROJECT_ROOT, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(copy, "node_modules"), "dir");

    // 1. The env's row in the traits table (model/envs.ts).
    addStgAfterRct("model/envs.ts", /\n( {2}rct: \{[^\n]*\},)\n/, (row) =>
      row.replace("rct:", "stg:").replace('branch: "rct"', 'branch: "staging"').replace('githubEnvironment: "rct"', 'githubEnvironment: "stg"'),
    );
    // 2. Quickfund lists it: one row of figures (here rct's).
    addStgAfterRct("stacks/quickfund.ts", /\n( {4}rct: \{\n[\s\S]*?\n {4}\},)\n {4}prod: \{/, (row) => row.replace("    rct: {", "    stg: {"));
    // 3. Its stack file.
    writeFileSync(join(copy, "stacks/Pulumi.quickfund-stg.yaml"), readFileSync(join(copy, "stacks/Pulumi.quickfund-rct.yaml"), "utf8"));

    // The copy's own code, in this process: `npm run generate`'s generators (the new stack's policy
    // config among them), then a preview of every stack of the copy's registry into plans/. It
    // runs from the bundle the copy's own launcher builds (engine/build/launch.js), so nothing of
    // this checkout's modules stands in for the copy's; packages resolve through the copy's
    // node_modules link to the ones already loaded here, which spares a process's start (the SDK's
    // loading was a third of this test).
    const plans = join(copy, "plans");
    writeFileSync(
      join(copy, "preview-all.ts"),
      [
        'import { mkdirSync, writeFileSync } from "node:fs";',
        'import { generate } from "./engine/cli/generate";',
        'import { previewStack } from "./engine/preview";',
        'import { allStacks } from "./stacks/registry";',
        "export async function main(): Promise<string[]> {",
        "  const stale = generate(false).stale;",
        `  mkdirSync(${JSON.stringify(plans)}, { recursive: true });`,
        `  for (const stack of allStacks()) writeFileSync(${JSON.stringify(plans)} + "/" + stack + ".json", JSON.stringify((await previewStack(stack)).digest));`,
        "  return stale;",
        "}",
      ].join("\n"),
    );
    // Node's own require: the copy's launcher and bundle are plain CommonJS, not this run's modules.
    const requireInCopy = createRequire(join(copy, "package.json"));
    const { freshBundle } = requireInCopy("./engine/build/launch.js") as { freshBundle(o: { entry: string; bundle: string }): Promise<string> };
    const bundle = await freshBundle({ entry: "preview-all.ts", bundle: join(copy, ".preview/bundles/preview-all.cjs") });
    expect(bundle.startsWith(copy)).toBe(true);
    // As the preview CLI does: no stack trace for each of the SDK's thousands of caught errors.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let stale: string[];
    try {
      stale = await (requireInCopy(bundle) as { main(): Promise<string[]> }).main();
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(stale.join("\n")).toContain("quickfund-stg.json");

    const planOf = (stack: string) => JSON.parse(readFileSync(join(plans, `${stack}.json`), "utf8")) as { steps: { urn: string }[]; config: unknown; outputs: unknown };
    const stg = planOf("quickfund-stg");
    expect(stg.steps.length).toBeGreaterThan(5);
    expect(stg.steps.every((s) => s.urn.startsWith("urn:pulumi:quickfund-stg::"))).toBe(true);
    // Compared with this checkout's plans, through JSON as a reader of the files sees them.
    for (const stack of allStacks()) {
      const before = JSON.parse(JSON.stringify((await previewStack(stack)).digest)) as ReturnType<typeof planOf>;
      const after = planOf(stack);
      expect({ stack, config: after.config, steps: after.steps, outputs: after.outputs }).toEqual({ stack, config: before.config, steps: before.steps, outputs: before.outputs });
    }
  }, 180_000);
});

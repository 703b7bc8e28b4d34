/**
 * engine/build/launch.js: the CLIs run from a bundle that is rebuilt whenever a source changed,
 * so nothing stale can ever run. Checked on a small project of its own (same layout as ours).
 */
import { mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../engine/project";

const requireHere = createRequire(join(PROJECT_ROOT, "package.json"));
const { freshBundle } = requireHere("./engine/build/launch.js") as {
  freshBundle(opts: { root: string; entry: string; bundle: string }): Promise<string>;
};

function project(): { root: string; write(file: string, text: string): void } {
  const root = mkdtempSync(join(tmpdir(), "bundle-"));
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  write("engine/cli/args.ts", "export function runMain(_name: string, main: () => unknown): unknown { return main(); }\n");
  write("engine/cli/hello.ts", 'import { greeting } from "../greeting";\nimport { where } from "../lib";\nexport function main(): string { return `${greeting} from ${where()}`; }\n');
  write("engine/greeting.ts", 'export const greeting = "hello 1";\n');
  write("engine/lib/index.ts", "export const where = (): string => `lib/index.ts in ${__dirname}`;\n");
  return { root, write };
}

/** Builds (if needed) and runs a bundle in a fresh module instance; returns what main returned and the bundle's mtime. */
async function run(root: string): Promise<{ said: string; mtimeMs: number }> {
  const bundle = await freshBundle({ root, entry: "engine/cli/hello.ts", bundle: join(root, "out", "hello.cjs") });
  const loaded = createRequire(bundle);
  delete loaded.cache[bundle];
  const said = (loaded(bundle) as { main(): string }).main();
  return { said, mtimeMs: statSync(bundle).mtimeMs };
}

describe("CLI bundles (engine/build/launch.js)", () => {
  it("builds once, reuses the bundle while no source changes, and rebuilds on any change", async () => {
    const { root, write } = project();
    const first = await run(root);
    // __dirname keeps meaning the source file's directory (engine/project.ts relies on it).
    expect(first.said).toBe(`hello 1 from lib/index.ts in ${join(root, "engine/lib")}`);

    const again = await run(root);
    expect(again).toEqual(first);

    // A changed source: the next run rebuilds, and runs the new code.
    write("engine/greeting.ts", 'export const greeting = "hello 2";\n');
    expect((await run(root)).said).toMatch(/^hello 2 /);

    // A new file that changes what an import resolves to (lib.ts wins over lib/index.ts).
    write("engine/lib.ts", 'export const where = (): string => "lib.ts";\n');
    expect((await run(root)).said).toBe("hello 2 from lib.ts");
  });

  it("refuses to run what does not compile, naming the file", async () => {
    const { root, write } = project();
    await run(root);
    write("engine/greeting.ts", "export const greeting = ;\n");
    await expect(run(root)).rejects.toThrow(/greeting\.ts/);
  });
});

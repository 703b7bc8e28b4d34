/**
 * Every component README carries a runnable example (a ```ts example block) and the inventory it
 * must produce (a ```yaml inventory block: resource counts per type, plus the values and options
 * that matter). This test runs each example under the offline engine and checks it against its
 * inventory, so that the documentation cannot drift from the code (cloud-foundation-fabric style).
 */
import { readFileSync, readdirSync, statSync, writeFileSync, rmSync } from "node:fs";
import { join, dirname, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runProgram } from "./harness";
import { valueAt } from "../engine/plan";

const root = join(__dirname, "..");

function findReadmes(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...findReadmes(p));
    else if (entry === "README.md") out.push(p);
  }
  return out;
}

function block(markdown: string, info: string): string | undefined {
  const m = markdown.match(new RegExp("```" + info + "\\n([\\s\\S]*?)```"));
  return m?.[1];
}

interface Inventory {
  counts: Record<string, number>;
  values?: Record<string, Record<string, unknown>>;
  options?: Record<string, Record<string, unknown>>;
}

const readmes = findReadmes(join(root, "components")).filter((p) => !p.includes("node_modules"));

describe("component READMEs", () => {
  it("every component directory has a README with an example and an inventory", () => {
    const componentDirs = readmes.map(dirname);
    expect(componentDirs.length).toBeGreaterThan(0);
    for (const readme of readmes) {
      const md = readFileSync(readme, "utf8");
      expect(block(md, "ts example"), `${relative(root, readme)} has no \`\`\`ts example block`).toBeDefined();
      expect(block(md, "yaml inventory"), `${relative(root, readme)} has no \`\`\`yaml inventory block`).toBeDefined();
    }
  });

  for (const readme of readmes) {
    const md = readFileSync(readme, "utf8");
    const example = block(md, "ts example");
    const inventoryText = block(md, "yaml inventory");
    if (!example || !inventoryText) continue;
    it(`${relative(root, dirname(readme))}: the README example produces its inventory`, async () => {
      const inventory = parse(inventoryText) as Inventory;
      const file = join(dirname(readme), `.readme-example-${process.pid}.ts`);
      writeFileSync(file, example);
      try {
        const { plan } = await runProgram(async () => {
          await import(file);
        });
        expect(plan.counts()).toEqual({ "pulumi:pulumi:Stack": 1, ...inventory.counts });
        for (const [key, expected] of Object.entries(inventory.values ?? {})) {
          const [type, name] = splitKey(key);
          const res = plan.one(type, name);
          for (const [path, value] of Object.entries(expected)) {
            expect(valueAt(res.inputs, path), `${key} ${path}`).toEqual(value);
          }
        }
        for (const [key, expected] of Object.entries(inventory.options ?? {})) {
          const [type, name] = splitKey(key);
          const res = plan.one(type, name);
          for (const [path, value] of Object.entries(expected)) {
            expect(valueAt(res.options, path), `${key} option ${path}`).toEqual(value);
          }
        }
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
});

/** `type::name` → [type, name]; the type itself contains single colons. */
function splitKey(key: string): [string, string] {
  const i = key.lastIndexOf("::");
  if (i < 0) throw new Error(`inventory key ${key} must be "<type>::<name>"`);
  return [key.slice(0, i), key.slice(i + 2)];
}

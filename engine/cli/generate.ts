/**
 * `npm run generate [-- --check]`: every generated file of the repository, from its one source.
 * Each generator says which files it owns and what they should contain; `--check` writes nothing
 * and exits 1 naming each stale, missing or orphaned file (CI and the test suite run it), and a
 * plain run writes them and deletes orphans (a schema or config left behind by a removed stack).
 *
 * Adding a generated file: add a generator here; nothing else calls the writers.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CONFIG_DIR, policyConfigFiles } from "../../policies/config/generate";
import { README as POLICY_README, readmeWithTable } from "../../policies/rule-table";
import { stackCostFacts } from "../../stacks/budgets";
import { PLATFORMS } from "../../stacks/registry";
import { PROJECT_ROOT } from "../project";
import { CliError, EXIT, parseCli, runMain } from "./args";
import { renderSchema, schemaPath } from "./generate-schemas";

export interface GeneratedFile {
  path: string;
  text: string;
}

export interface Generator {
  name: string;
  /** The source the files come from, for the user. */
  from: string;
  files(): GeneratedFile[];
  /** A directory whose files matching `pattern` all belong to this generator: any it does not produce is an orphan. */
  owns?: { dir: string; pattern: RegExp };
}

export const GENERATORS: readonly Generator[] = [
  {
    name: "stack schemas",
    from: "each stack definition's zod schema (stacks/)",
    files: () => PLATFORMS.map((p) => ({ path: schemaPath(p.schemaId), text: renderSchema(p) })),
    owns: { dir: join(PROJECT_ROOT, "stacks", "schemas"), pattern: /\.schema\.json$/ },
  },
  {
    name: "policy configs",
    from: "each platform's ComplianceFacts, its budget and usage profile (stacks/budgets.ts) and the pack's rules (policies/config/generate.ts)",
    files: () => policyConfigFiles(PLATFORMS, CONFIG_DIR, stackCostFacts),
    owns: { dir: CONFIG_DIR, pattern: /^[a-z0-9-]+\.json$/ },
  },
  {
    name: "rule table",
    from: "the rules' metadata (policies/rule-table.ts)",
    files: () => [{ path: POLICY_README, text: readmeWithTable(readFileSync(POLICY_README, "utf8")) }],
  },
];

export interface GenerateResult {
  /** Files whose content differs from what their generator produces (or that do not exist). */
  stale: string[];
  /** Files in a generator's directory that no generator produces. */
  orphans: string[];
}

/** Compares (and unless `check`, writes) every generator's files. */
export function generate(check: boolean, generators: readonly Generator[] = GENERATORS): GenerateResult {
  const result: GenerateResult = { stale: [], orphans: [] };
  for (const g of generators) {
    const files = g.files();
    for (const f of files) {
      const current = existsSync(f.path) ? readFileSync(f.path, "utf8") : undefined;
      if (current === f.text) continue;
      result.stale.push(f.path);
      if (!check) writeFileSync(f.path, f.text);
    }
    if (!g.owns) continue;
    const produced = new Set(files.map((f) => f.path));
    for (const name of existsSync(g.owns.dir) ? readdirSync(g.owns.dir) : []) {
      const path = join(g.owns.dir, name);
      if (!g.owns.pattern.test(name) || produced.has(path)) continue;
      result.orphans.push(path);
      if (!check) rmSync(path);
    }
  }
  return result;
}

function main(argv: string[]): number {
  const p = parseCli(argv, { check: "boolean" }, { positional: false });
  if (p.help) throw new CliError(`usage: npm run generate [-- --check]\n${GENERATORS.map((g) => `  ${g.name}: from ${g.from}`).join("\n")}`);
  const check = p.flags.check === true;
  const { stale, orphans } = generate(check);
  const rel = (f: string) => relative(PROJECT_ROOT, f);
  for (const f of stale) (check ? console.error : console.log)(check ? `${rel(f)}: out of date; run npm run generate` : `wrote ${rel(f)}`);
  for (const f of orphans) (check ? console.error : console.log)(check ? `${rel(f)}: no generator produces it any more; run npm run generate to delete it` : `deleted ${rel(f)}`);
  if (!stale.length && !orphans.length) console.log(`generated files: all current (${GENERATORS.map((g) => g.name).join(", ")})`);
  return check && (stale.length || orphans.length) ? EXIT.findings : EXIT.ok;
}

if (require.main === module) runMain("generate", () => main(process.argv.slice(2)));

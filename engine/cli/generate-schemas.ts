/**
 * `npm run schemas`: writes stacks/schemas/<platform>.schema.json from each platform's zod schema,
 * so that editors validate stack files (`# yaml-language-server: $schema=...` at the top of each).
 * `--check` exits 1 when a checked-in schema is out of date (the test suite runs the same check).
 */
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { stackFileJsonSchema } from "../../stacks/config";
import { PLATFORMS } from "../../stacks/registry";
import { PROJECT_ROOT } from "../project";
import { CliError, EXIT, parseCli, runMain } from "./args";

export function schemaPath(platform: string): string {
  return join(PROJECT_ROOT, "stacks", "schemas", `${platform}.schema.json`);
}

export function renderSchema(platform: (typeof PLATFORMS)[number]): string {
  return JSON.stringify(stackFileJsonSchema(platform), null, 2) + "\n";
}

function main(argv: string[]): number {
  const p = parseCli(argv, { check: "boolean" }, { positional: false });
  if (p.help) throw new CliError("usage: npm run schemas [-- --check]");
  const check = p.flags.check === true;
  let stale = 0;
  for (const platform of PLATFORMS) {
    const path = schemaPath(platform.name);
    const text = renderSchema(platform);
    const current = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (current === text) continue;
    if (check) {
      console.error(`${path}: out of date; run npm run schemas`);
      stale++;
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
  return stale ? EXIT.findings : EXIT.ok;
}

if (require.main === module) runMain("schemas", () => main(process.argv.slice(2)));

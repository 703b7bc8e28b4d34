/** Where the project lives and what it is called (Pulumi.yaml `name`, which every URN carries). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const PROJECT_ROOT = join(__dirname, "..");

let cachedName: string | undefined;
export function projectName(): string {
  cachedName ??= (parse(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  return cachedName;
}

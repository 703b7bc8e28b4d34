/**
 * The stack files' JSON Schemas: stacks/schemas/<schemaId>.schema.json from each definition's zod
 * schema (one per kind of stack: `diaspomoney-shared` and `diaspomoney` apart), so that editors
 * validate stack files (`# yaml-language-server: $schema=./schemas/<schemaId>.schema.json` at the
 * top of each). Written by `npm run generate` (engine/cli/generate.ts) with every generated file.
 */
import { join } from "node:path";
import { stackFileJsonSchema } from "../../stacks/config-json-schema";
import type { PLATFORMS } from "../../stacks/registry";
import { PROJECT_ROOT } from "../project";

export function schemaPath(schemaId: string): string {
  return join(PROJECT_ROOT, "stacks", "schemas", `${schemaId}.schema.json`);
}

export function renderSchema(platform: (typeof PLATFORMS)[number]): string {
  return JSON.stringify(stackFileJsonSchema(platform), null, 2) + "\n";
}

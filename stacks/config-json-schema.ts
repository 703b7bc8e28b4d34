/**
 * The JSON Schema of a definition's stack files, for editors (`# yaml-language-server: $schema=`
 * at the top of each stack file; pulumi/pulumi#15423). A key is required when the zod schema
 * requires it and not every env's defaults (traits and profile row) supply it: what an editor
 * flags as missing is what the program would refuse.
 */
import { z } from "zod";
import { SECRET_META } from "./config-secrets";
import type { RegisteredPlatform } from "./platform";

const SECURE_VALUE_SCHEMA = {
  type: "object",
  description: "An encrypted value written by `pulumi config set --secret`.",
  properties: { secure: { type: "string" } },
  required: ["secure"],
  additionalProperties: false,
};

type JsonNode = Record<string, unknown>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** What every env supplies: keys present in all, recursively (a leaf present in all counts as supplied). */
function suppliedByAll(values: unknown[]): unknown {
  if (values.some((v) => v === undefined)) return undefined;
  if (!values.every(isPlainObject)) return values[0];
  const keys = Object.keys(values[0]).filter((k) => values.every((v) => k in v));
  return Object.fromEntries(keys.map((k) => [k, suppliedByAll(values.map((v) => v[k]))]).filter(([, v]) => v !== undefined));
}

/**
 * Drops from `required` what `supplied` fills entirely; returns whether the node still needs the
 * stack file to give something.
 */
function relaxSupplied(node: JsonNode, supplied: unknown): boolean {
  if (supplied === undefined) return Array.isArray(node.required) ? node.required.length > 0 : true;
  // A union (one shape per variant): the file must give something if any variant still needs it.
  const variants = (node.oneOf ?? node.anyOf) as JsonNode[] | undefined;
  if (Array.isArray(variants) && !node.properties) return variants.map((v) => relaxSupplied(v, supplied)).some(Boolean);
  const props = node.properties as Record<string, JsonNode> | undefined;
  if (!isPlainObject(supplied) || !props) {
    delete node.required;
    return false;
  }
  const required = ((node.required as string[] | undefined) ?? []).filter((k) => !(k in supplied) || relaxSupplied(props[k], supplied[k]));
  for (const [k, p] of Object.entries(props)) if (k in supplied && !required.includes(k)) relaxSupplied(p, supplied[k]);
  if (required.length) node.required = required;
  else delete node.required;
  return required.length > 0;
}

/** The JSON Schema of a zod schema (input side), with secret leaves as `{secure: ...}` values. */
function toJson(schema: z.ZodType): JsonNode {
  const json = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const meta = z.globalRegistry.get(ctx.zodSchema);
      if (meta?.[SECRET_META]) {
        for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonNode)[k];
        Object.assign(ctx.jsonSchema, SECURE_VALUE_SCHEMA, { description: meta.description });
      }
    },
  }) as JsonNode;
  delete json.$schema;
  return json;
}

/** The JSON Schema of a definition's stack files (`stacks/Pulumi.<platform>-<env>.yaml` for its envs). */
export function stackFileJsonSchema(def: RegisteredPlatform): JsonNode {
  const config = toJson(def.schema);
  relaxSupplied(config, suppliedByAll(def.envs.map((env) => def.defaults(env))));
  const ns = (key: string) => `${def.name}:${key}`;
  const properties = Object.fromEntries(Object.entries(config.properties as Record<string, JsonNode>).map(([k, v]) => [ns(k), v]));
  const required = ((config.required as string[] | undefined) ?? []).map(ns);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `https://platform-infra.local/schemas/${def.schemaId}.schema.json`,
    title: `Pulumi stack file of ${def.schemaId}: ${def.envs.map((env) => `stacks/Pulumi.${def.name}-${env}.yaml`).join(", ")}`,
    description: `Generated from the zod schema of ${def.schemaId} (stacks/) by \`npm run generate\`. Do not edit.`,
    type: "object",
    properties: {
      config: { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: false },
      secretsprovider: { type: "string", description: "Secrets provider, e.g. gcpkms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>" },
      encryptedkey: { type: "string" },
      environment: { description: "Pulumi ESC environments imported by this stack." },
    },
    ...(required.length ? { required: ["config"] } : {}),
    additionalProperties: false,
  };
}

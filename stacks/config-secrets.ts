/**
 * Secret leaves: a config value the schema marks secret must arrive as a `secure:` value (or
 * `pulumi config set --secret`), never in plain text, and reaches the program as a Pulumi secret.
 * The mark is zod metadata (`.meta()`), which the JSON Schema generator also reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { childSchema, unwrap } from "./config-schema";

/** The metadata key that marks a secret leaf. */
export const SECRET_META = "platformSecret";

/**
 * A secret string: accepted only as a `secure:` value (or `pulumi config set --secret`), never in
 * plain text in a stack file, and handed to the program as a Pulumi secret Output.
 */
export function secretString(description: string) {
  return z
    .string()
    .min(1)
    .meta({ description, [SECRET_META]: true })
    .transform((v) => pulumi.secret(v));
}

/** Whether a schema node is a secret leaf (see {@link secretString}). */
export function isSecretSchema(schema: z.ZodType): boolean {
  return unwrap(schema).meta()?.[SECRET_META] === true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The path of the first secret leaf present in a plain (non-secret) value, if any. */
export function findSecretLeaf(schema: z.ZodType | undefined, value: unknown, path: PropertyKey[]): PropertyKey[] | undefined {
  if (!schema || value === undefined) return undefined;
  if (isSecretSchema(schema)) return path;
  const children: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : isPlainObject(value) ? Object.entries(value) : [];
  for (const [key, child] of children) {
    const hit = findSecretLeaf(childSchema(schema, key), child, [...path, key]);
    if (hit) return hit;
  }
  return undefined;
}

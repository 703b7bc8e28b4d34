/**
 * Schema building blocks the platforms' schemas share, and how the config modules walk a schema
 * (down to the value's own schema, to the schema at a key path) through zod 4's public classes
 * only: an upgrade that changes zod's internals cannot silently break error messages.
 */
import { z } from "zod";
import { PINNED_IMAGE_PATTERN, PINNED_IMAGE_REQUIREMENT } from "../model/images";

/**
 * A container image from a registry (`registry/path`), pinned as model/images.ts defines it (the
 * components and the policy pack ask the same question).
 */
export const pinnedImage = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+[:@]/, "a container image with its registry host and path (registry/path:tag)")
  .regex(PINNED_IMAGE_PATTERN, PINNED_IMAGE_REQUIREMENT)
  .describe(`${PINNED_IMAGE_REQUIREMENT} (registry/path:tag or registry/path@sha256:...)`);

export const ipv4Cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/).describe("an IPv4 CIDR such as 10.10.0.0/20");
export const hostname = z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/).describe("a DNS hostname");
export const emailAddress = z.email().describe("an email address");
/** A time of day in UTC, `HH:MM` (backup and maintenance windows). */
export const utcTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).describe("a UTC time HH:MM");

/** A GCP project id (6 to 30 characters, lowercase, starting with a letter). */
export const gcpProjectId = z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/).describe("a GCP project id");

/** The `<platform>:gcp` key every GCP-hosted platform has: project, project number, region. */
export function gcpProjectSchema<const R extends readonly [string, ...string[]]>(regions: R) {
  return z.strictObject({
    projectId: gcpProjectId,
    /** Needed to name service agents without a cloud call (CMEK grants). */
    projectNumber: z.union([z.string().regex(/^\d{6,20}$/), z.number().int().positive()]).transform(String).describe("the GCP project number (digits)"),
    region: z.enum(regions),
  });
}

/** Strips optional/default/nullable/readonly wrappers and transforms down to the schema that describes the value. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable ||
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodReadonly ||
      s instanceof z.ZodNonOptional
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      // A transform validates its input: the input's schema is what the stack file must hold.
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
}

/** The schema of one child (an object's key, a list item, a map value) of `schema`, if it has one. */
export function childSchema(schema: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  const u = unwrap(schema);
  if (u instanceof z.ZodObject) return (u.shape as Record<string, z.ZodType>)[String(key)];
  if (u instanceof z.ZodArray) return u.element as z.ZodType;
  if (u instanceof z.ZodRecord) return u.valueType as z.ZodType;
  // A union (e.g. access by shared stack or by kubeconfig): the first variant that has the key.
  if (u instanceof z.ZodUnion) {
    for (const option of u.options as z.ZodType[]) {
      const child = childSchema(option, key);
      if (child) return child;
    }
  }
  return undefined;
}

/** The schema of the value at `path` inside `schema`, if the path exists in the schema. */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const key of path) {
    if (!s) return undefined;
    s = childSchema(s, key);
  }
  return s;
}

/** The keys an object schema knows (empty when `schema` is not an object). */
export function objectKeys(schema: z.ZodType): string[] {
  const u = unwrap(schema);
  return u instanceof z.ZodObject ? Object.keys(u.shape) : [];
}

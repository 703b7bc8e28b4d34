/** Fixture loading and small plan builders for the diff tests. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PreviewDigest, ResourceV3 } from "../../engine/digest";

export const FIXTURES = path.join(__dirname, "fixtures");

export function fixture(name: string): PreviewDigest {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as PreviewDigest;
}

export const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A plan of `stack` holding these resources (URN `urn:pulumi:<stack>::p::<type>::<name>`). */
export function plan(stack: string, resources: (Partial<ResourceV3> & { type: string; name: string })[], extra: Partial<PreviewDigest> = {}): PreviewDigest {
  return {
    steps: resources.map(({ name, ...r }) => {
      const urn = r.urn ?? `urn:pulumi:${stack}::p::${r.type}::${name}`;
      return { op: "create" as const, urn, newState: { custom: true, inputs: {}, ...r, urn }, detailedDiff: null };
    }),
    changeSummary: { create: resources.length },
    engine: { name: "offline-mock", project: "p", stack, limits: [] },
    policies: [],
    ...extra,
  };
}

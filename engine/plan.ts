/** Read-only queries over an evaluation's recorded resources, shared by the CLI, the policy run and the tests. */
import type { RecordedResource } from "../model/plan-values";

export class Plan {
  constructor(readonly resources: readonly RecordedResource[]) {}

  /** Resources of one type token, e.g. `gcp:sql/databaseInstance:DatabaseInstance`. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of a type (optionally with this logical name); throws if there is not exactly one. */
  one(type: string, name?: string): RecordedResource {
    const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (${names.join(", ") || "none"})`);
    }
    return found[0];
  }

  byUrn(urn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  /** Direct children of a resource. */
  children(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }

  /** Number of resources per type token, sorted by type. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of [...this.resources].sort((a, b) => a.type.localeCompare(b.type))) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
  }
}

/** Reads a dotted path (`settings.backupConfiguration.enabled`, `rules[0].action`) from an inputs object. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

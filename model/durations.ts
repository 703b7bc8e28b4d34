/** Protobuf durations, read alike by the components that check their arguments and by the policies that check the plan. */

/**
 * Parses a protobuf duration (`"7776000s"`, `"3.5s"`) into seconds; undefined for anything else, a
 * bare `90` included (the API refuses it: never read it as seconds), and for any non-string
 * (Pulumi's unknown sentinels included: none has the duration form).
 */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d+(?:\.\d{1,9})?)s$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

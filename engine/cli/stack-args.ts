/**
 * The stacks a CLI was asked for: `<stack>...` or `--all`, each name checked against the registry.
 * Apart from engine/cli/args.ts because it loads every platform definition (and the SDK), which
 * a CLI that only reads plans (`diff`) must not pay for.
 */
import { allStacks, parseStackName } from "../../stacks/registry";
import { CliError, type ParsedArgs } from "./args";

export function selectStacks(p: ParsedArgs, usage: string): string[] {
  if (p.flags.all && p.positional.length) throw new CliError(`give stacks or --all, not both; ${usage}`);
  const stacks = p.flags.all ? allStacks() : p.positional;
  if (stacks.length === 0) throw new CliError(`no stack given; ${usage}`);
  for (const s of stacks) {
    try {
      parseStackName(s);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  }
  return stacks;
}

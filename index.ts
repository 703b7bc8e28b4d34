/**
 * Pulumi entry point (loaded by pulumi-program.js under the real CLI). The stack name selects the
 * platform; `stacks/program.ts` holds the program that the offline engine also runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "./components/common/conventions";
import { StackConfigError } from "./stacks/config";
import { runProgram } from "./stacks/program";

// A configuration or argument error is the user's to fix: report it as one line, not a stack trace.
export = runProgram().catch((err: unknown) => {
  if (err instanceof StackConfigError || err instanceof ComponentArgsError) throw new pulumi.RunError(err.message);
  throw err;
});

/** The one error a bad stack file or config value raises: stack file, key, expected, given. */

/** One bad configuration value. The message is the whole user-facing error: no stack trace follows it. */
export class StackConfigError extends Error {
  constructor(
    /** The stack file, relative to the project root (`stacks/Pulumi.quickfund-prod.yaml`). */
    readonly file: string,
    /** The key path, `namespace:key.sub.path`, or what was wrong when there is no key. */
    readonly keyPath: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${file}: ${keyPath}: expected ${expected}, got ${got}`);
    this.name = "StackConfigError";
  }
}

export const stackFile = (stack: string): string => `stacks/Pulumi.${stack}.yaml`;

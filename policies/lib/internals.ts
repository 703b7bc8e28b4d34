/**
 * The parts of @pulumi/policy that the engine uses but its typings mark internal: the proxy that
 * makes unknown values throw, and its error. The offline runner and the parity test use them to
 * hand rules exactly what the CLI hands them. A change here after an upgrade fails the parity test.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T>(value: T): T;
  UnknownValueError: new (...args: never[]) => Error & { props: string[] };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deserialize = require("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: { toJavaScript(): Record<string, unknown> }, proxySecrets: boolean): Record<string, unknown>;
};

export const unknownCheckingProxy = proxy.unknownCheckingProxy;
export const UnknownValueError = proxy.UnknownValueError;
export const deserializeProperties = deserialize.deserializeProperties;

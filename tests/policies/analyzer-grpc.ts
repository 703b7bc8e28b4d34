/**
 * Talking to @pulumi/policy's analyzer server the way the Pulumi CLI does (gRPC, the SDK's
 * generated stubs), for the tests that run the pack as the CLI would: parity with the offline
 * runner, and the pack packed alone.
 */
import { dirname } from "node:path";
import type { PolicyPackConfigFile } from "../../engine/policy/config";

/* eslint-disable @typescript-eslint/no-require-imports -- the generated gRPC stubs are CommonJS-only */
/* eslint-disable @typescript-eslint/no-explicit-any */
const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (m: string) => require(require.resolve(m, { paths: [pulumiDir] }));
export const grpc = fromPulumi("@grpc/grpc-js") as any;
export const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as any;
export const proto = require("@pulumi/pulumi/proto/analyzer_pb") as any;
export const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as any;

/** A client of the analyzer listening on `port`, and a promise-returning call on it. */
export function analyzerClient(port: string): { client: any; call<T>(method: string, req: unknown): Promise<T> } {
  const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    client,
    call: <T>(method: string, req: unknown) => new Promise<T>((resolve, reject) => client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp)))),
  };
}

/** The ConfigureAnalyzer request the CLI sends for a `--policy-pack-config` file. */
export function configureRequest(config: PolicyPackConfigFile): unknown {
  const req = new proto.ConfigureAnalyzerRequest();
  const map = req.getPolicyconfigMap();
  for (const [name, entry] of Object.entries(config)) {
    const { enforcementLevel, ...props } = entry;
    const pc = new proto.PolicyConfig();
    pc.setEnforcementlevel(proto.EnforcementLevel[(enforcementLevel ?? "advisory").toUpperCase()]);
    pc.setProperties(Struct.fromJavaScript(props));
    map.set(name, pc);
  }
  return req;
}

/** Fields that name a Kubernetes Secret are references, not literal secrets; a literal under the same key still fails. */
import { describe, expect, it } from "vitest";
import { res, runRule } from "./helpers";

const RULE = "platform-secrets-input-deny-literal-secret";
const middleware = (secret: string) =>
  res("kubernetes:traefik.io/v1alpha1:Middleware", "basic-auth", { apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: { name: "basic-auth", namespace: "monitoring" }, spec: { basicAuth: { secret } } });
const release = (secrets: string[]) =>
  res("kubernetes:helm.sh/v3:Release", "monitoring", { chart: "kube-prometheus-stack", values: { alertmanager: { alertmanagerSpec: { secrets } } } });

describe(`${RULE} and Secret references`, () => {
  it("accepts a Traefik basicAuth.secret naming a Secret, and Alertmanager's list of Secret names", async () => {
    const run = await runRule(RULE, [middleware("monitoring-basic-auth"), release(["alertmanager-receivers"])]);
    expect(run.results).toEqual([]);
  });

  it("still refuses a literal credential under the same keys", async () => {
    const run = await runRule(RULE, [middleware("admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"), release(["Sup3r-Secret!"])]);
    expect(run.results.map((r) => r.message)).toEqual([
      expect.stringMatching(/spec\.basicAuth\.secret is a literal value for secret/),
      expect.stringMatching(/values\.alertmanager\.alertmanagerSpec\.secrets\.0 is a literal value/),
    ]);
  });
});

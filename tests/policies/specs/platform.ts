/** Specs of the cross-cutting rules: literal secrets, the config check. */
import { BLINDED_SECRET, DEL, res, UNKNOWN } from "../helpers";
import type { RuleSpec } from "./types";

const user = res("gcp:sql/user:User", "orders-app-user", { instance: UNKNOWN, name: "app", password: { ...BLINDED_SECRET } });
const release = res("kubernetes:helm.sh/v3:Release", "grafana", {
  chart: "grafana",
  namespace: "diaspomoney-prod-infra",
  values: { adminUser: "admin", admin: { existingSecret: "grafana-admin", passwordKey: "password" } },
});

export const PLATFORM_SPECS: Record<string, RuleSpec> = {
  "platform-secrets-input-deny-literal-secret": {
    kind: "resource",
    fixture: user,
    failing: {
      "literal password": { password: "hunter2-but-longer" },
      "private key anywhere": { name: "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----" },
      "jwt token anywhere": { name: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" },
    },
    compliant: { "generated password (unknown)": { password: UNKNOWN }, "no password": { password: DEL } },
  },
  "platform-policy-config-require-stack-facts": {
    kind: "stack",
    fixture: [user, release],
    failing: {},
    failsWithoutConfig: true,
  },
};

/** A Helm release with a literal admin password in its values (the secrets rule walks values too). */
export const helmRelease = release;

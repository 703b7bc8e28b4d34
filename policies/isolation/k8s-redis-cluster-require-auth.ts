import { ofGroupKinds } from "../lib/pod-templates";
import { defineResourceRule } from "../lib/rule";
import { isUnknown, prop, str } from "../lib/values";

export default defineResourceRule({
  name: "k8s-redis-cluster-require-auth",
  description: "OT RedisCluster requires clients to authenticate: kubernetesConfig.redisSecret names the Secret (and key) holding the password.",
  severity: "high",
  remediationSteps: "Set spec.kubernetesConfig.redisSecret { name, key } to a Secret holding a generated password (the RedisCluster component creates it).",
  source: "diaspomoney.md § Security Layer; Redis documentation § Security (Authentication)",
  domain: "isolation",
  resources: ["kubernetes:redis.redis.opstreelabs.in/<version>:RedisCluster"],
  types: ofGroupKinds("redis.redis.opstreelabs.in/RedisCluster"),
  validate(r, report) {
    const secret = prop(prop(prop(r.props, "spec"), "kubernetesConfig"), "redisSecret");
    if (isUnknown(secret)) return;
    const name = prop(secret, "name");
    const key = prop(secret, "key");
    if (secret === undefined) report("spec.kubernetesConfig.redisSecret is not set: Redis accepts every client without a password.");
    else {
      if (!isUnknown(name) && !str(name)) report("spec.kubernetesConfig.redisSecret.name is not set: Redis has no password.");
      if (!isUnknown(key) && !str(key)) report("spec.kubernetesConfig.redisSecret.key is not set: Redis has no password.");
    }
  },
});

import { CONFIG_MAP_TYPE, namespaceOf } from "../lib/k8s";
import { ofGroupKinds } from "../lib/pod-templates";
import { defineStackRule } from "../lib/rule";
import { isUnknown, keys, prop, str } from "../lib/values";

const isRedisCluster = ofGroupKinds("redis.redis.opstreelabs.in/RedisCluster");

/** The last `appendonly` directive of a redis.conf text (the last one wins), or undefined. */
function appendonly(conf: string): string | undefined {
  let last: string | undefined;
  for (const line of conf.split(/\r?\n/)) {
    const m = /^\s*appendonly\s+("?)([^\s"]+)\1\s*(#.*)?$/i.exec(line);
    if (m) last = m[2].toLowerCase();
  }
  return last;
}

export default defineStackRule({
  name: "k8s-redis-cluster-require-aof",
  description:
    "Where the document asks for Redis persistence (AOF), every RedisCluster names its additional redis.conf ConfigMap, the stack declares it, and its last `appendonly` directive is yes; `appendonly no` is refused everywhere.",
  severity: "high",
  remediationSteps: "Point spec.redisConfig.additionalRedisConfig at a ConfigMap of the stack whose redis.conf says `appendonly yes` (and appendfsync everysec); never `appendonly no`.",
  source: 'diaspomoney.md § Backup ("Redis - Persistence AOF")',
  domain: "backup",
  resources: ["kubernetes:redis.redis.opstreelabs.in/<version>:RedisCluster", CONFIG_MAP_TYPE],
  facts: ["persistenceRequired"],
  validate(s, report) {
    const maps = new Map<string, unknown>();
    for (const cm of s.ofType(CONFIG_MAP_TYPE)) {
      const ns = namespaceOf(cm.props);
      const name = str(prop(prop(cm.props, "metadata"), "name"));
      if (typeof ns === "string" && name) maps.set(`${ns}/${name}`, prop(cm.props, "data"));
    }
    for (const rc of s.resources.filter((r) => isRedisCluster(r.type))) {
      const ref = prop(prop(prop(rc.props, "spec"), "redisConfig"), "additionalRedisConfig");
      const ns = namespaceOf(rc.props);
      if (isUnknown(ref) || typeof ns !== "string") continue;
      const name = str(ref);
      if (!name) {
        if (s.facts.persistenceRequired) report(`RedisCluster ${rc.name}: spec.redisConfig.additionalRedisConfig is not set, so nothing turns AOF on (the document asks for AOF persistence).`, rc.urn);
        continue;
      }
      const data = maps.get(`${ns}/${name}`);
      if (data === undefined) {
        if (s.facts.persistenceRequired) report(`RedisCluster ${rc.name}: its redis.conf ConfigMap ${ns}/${name} is not in the stack; AOF cannot be shown to be on.`, rc.urn);
        continue;
      }
      if (isUnknown(data)) continue;
      let verdict: string | undefined;
      let unknown = false;
      for (const k of keys(data)) {
        const v = prop(data, k);
        if (isUnknown(v)) unknown = true;
        const a = str(v) !== undefined ? appendonly(str(v)!) : undefined;
        if (a !== undefined) verdict = a;
      }
      if (verdict !== undefined && verdict !== "yes") report(`RedisCluster ${rc.name}: ConfigMap ${ns}/${name} says \`appendonly ${verdict}\`: writes since the last snapshot are lost on restart.`, rc.urn);
      else if (verdict === undefined && !unknown && s.facts.persistenceRequired) report(`RedisCluster ${rc.name}: ConfigMap ${ns}/${name} never says \`appendonly yes\` (Redis's default is no).`, rc.urn);
    }
  },
});

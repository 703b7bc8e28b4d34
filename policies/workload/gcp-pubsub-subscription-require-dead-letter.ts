import { PUBSUB_SUBSCRIPTION as SUBSCRIPTION, PUBSUB_TOPIC as TOPIC } from "../lib/gcp";
import { defineStackRule } from "../lib/rule";
import { at, isSet, isUnknown, str } from "../lib/values";

/** `projects/p/topics/t` → { project: "p", topic: "t" }; a bare `t` → { topic: "t" }. */
function topicRef(v: unknown): { project?: string; topic: string } | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^projects\/([^/]+)\/topics\/([^/]+)$/.exec(s);
  return m ? { project: m[1], topic: m[2] } : { topic: s };
}

function sameTopic(a: { project?: string; topic: string }, b: { project?: string; topic: string }): boolean {
  return a.topic === b.topic && (a.project === undefined || b.project === undefined || a.project === b.project);
}

/** Topic resources of this stack that a property of `r` was computed from (a real preview's unknown ids). */
function topicsBehind(r: { propertyDependencies?: Record<string, { type: string; urn: string }[]> }, key: string): string[] {
  return (r.propertyDependencies?.[key] ?? []).filter((d) => d.type === TOPIC).map((d) => d.urn);
}

export default defineStackRule({
  name: "gcp-pubsub-subscription-require-dead-letter",
  description:
    "Every Pub/Sub subscription retries with backoff (retryPolicy.minimumBackoff) and moves a message that keeps failing to a dead-letter topic (deadLetterPolicy.deadLetterTopic, another topic, with maxDeliveryAttempts); only a dead-letter sink, a subscription on a topic another subscription of the stack dead-letters to, may go without.",
  severity: "high",
  remediationSteps:
    "Set retryPolicy { minimumBackoff, maximumBackoff } and deadLetterPolicy { deadLetterTopic: <another topic>, maxDeliveryAttempts: 5–100 }, give the dead-letter topic its own subscription, and grant the Pub/Sub service agent roles/pubsub.publisher on the dead-letter topic and roles/pubsub.subscriber on the subscription (the WorkQueue component does all of this).",
  source:
    'cryptocare.md § 6.1 ("Création paiements BTC: Queue + retries + fallback", "Création réunions Zoom: Backoff exponentiel + queue"); Pub/Sub docs § Handle message failures',
  domain: "workload",
  resources: [SUBSCRIPTION],
  validate(s, report) {
    const subscriptions = s.ofType(SUBSCRIPTION);
    if (subscriptions.length === 0) s.notApplicable("no Pub/Sub subscription in this stack");

    // What the stack's subscriptions dead-letter to: by value where the preview knows it, by the
    // topic resource the value comes from where it does not (a topic created in the same run).
    const deadLetterValues: { project?: string; topic: string }[] = [];
    const deadLetterTopics = new Set<string>();
    for (const sub of subscriptions) {
      const ref = topicRef(at(sub.props, "deadLetterPolicy.deadLetterTopic"));
      if (ref) deadLetterValues.push(ref);
      for (const urn of topicsBehind(sub, "deadLetterPolicy")) deadLetterTopics.add(urn);
    }

    for (const sub of subscriptions) {
      const policy = at(sub.props, "deadLetterPolicy");
      if (isUnknown(policy)) continue;
      const own = topicRef(at(sub.props, "topic"));
      if (!isSet(policy)) {
        const isSink = (own !== undefined && deadLetterValues.some((d) => sameTopic(d, own))) || topicsBehind(sub, "topic").some((urn) => deadLetterTopics.has(urn));
        if (!isSink) {
          report(`Pub/Sub subscription ${sub.name} has no deadLetterPolicy: a message that keeps failing is retried until it expires instead of being set aside, and its topic is no other subscription's dead-letter topic.`, sub.urn);
        }
        continue;
      }
      const deadLetterTopic = at(sub.props, "deadLetterPolicy.deadLetterTopic");
      const target = topicRef(deadLetterTopic);
      const deadLetterUrns = topicsBehind(sub, "deadLetterPolicy");
      const intoOwnTopic =
        (target !== undefined && own !== undefined && sameTopic(target, own)) || topicsBehind(sub, "topic").some((urn) => deadLetterUrns.includes(urn));
      if (!isUnknown(deadLetterTopic) && !target) report(`Pub/Sub subscription ${sub.name}: deadLetterPolicy.deadLetterTopic is not set, so failed messages have nowhere to go.`, sub.urn);
      else if (intoOwnTopic) report(`Pub/Sub subscription ${sub.name} dead-letters into its own topic: a failing message would loop instead of being set aside.`, sub.urn);
      const attempts = at(sub.props, "deadLetterPolicy.maxDeliveryAttempts");
      if (!isUnknown(attempts) && !isSet(attempts)) report(`Pub/Sub subscription ${sub.name}: deadLetterPolicy.maxDeliveryAttempts is not set; state how many attempts (5–100) a message gets before it is dead-lettered.`, sub.urn);
      const backoff = at(sub.props, "retryPolicy.minimumBackoff");
      if (!isUnknown(backoff) && !isSet(backoff)) {
        report(`Pub/Sub subscription ${sub.name} has no retryPolicy.minimumBackoff: a failed message is redelivered at once, hammering a rate-limited API instead of backing off.`, sub.urn);
      }
    }
  },
});

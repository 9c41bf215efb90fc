/**
 * Topic names and the environment variables that override them. Input topics belong to the
 * campaign platform (CONTRACT.md §2), output topics to operators (§4); the rest are the pipeline's own.
 */
export const TOPIC_DEFAULTS = {
  messageEvents: 'campaign.message-events',
  subscriptionEvents: 'campaign.subscription-events',
  profiles: 'campaign.profiles',
  connections: 'webhooks.connections',
  matched: 'webhooks.matched',
  deliveries: 'webhooks.deliveries',
  retries: 'webhooks.retries',
  outcomes: 'webhooks.outcomes',
  alerts: 'webhooks.alerts',
  deadLetter: 'webhooks.dead-letter',
} as const;

export type TopicRole = keyof typeof TOPIC_DEFAULTS;
export type TopicNames = Record<TopicRole, string>;

export const TOPIC_ENV: Record<TopicRole, string> = {
  messageEvents: 'TOPIC_MESSAGE_EVENTS',
  subscriptionEvents: 'TOPIC_SUBSCRIPTION_EVENTS',
  profiles: 'TOPIC_PROFILES',
  connections: 'TOPIC_CONNECTIONS',
  matched: 'TOPIC_MATCHED',
  deliveries: 'TOPIC_DELIVERIES',
  retries: 'TOPIC_RETRIES',
  outcomes: 'TOPIC_OUTCOMES',
  alerts: 'TOPIC_ALERTS',
  deadLetter: 'TOPIC_DEAD_LETTER',
};

/** Topics that keep only the latest value per key. */
export const COMPACTED_TOPICS: readonly TopicRole[] = ['profiles', 'connections'];

export function topicNames(env: Record<string, string | undefined>): TopicNames {
  const names = { ...TOPIC_DEFAULTS } as TopicNames;
  for (const role of Object.keys(TOPIC_DEFAULTS) as TopicRole[]) {
    const override = env[TOPIC_ENV[role]];
    if (override) names[role] = override;
  }
  return names;
}

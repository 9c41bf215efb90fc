import { setting } from '@campaign-webhooks/config';
import { z } from 'zod';

const apiKeys = z
  .string({ error: 'is required (project:key,project:key)' })
  .transform((value) => value.split(',').map((pair) => pair.trim()))
  .refine((pairs) => pairs.every((pair) => /^[^:\s]+:\S{16,}$/.test(pair)), {
    message: 'expected project:key pairs separated by commas, each key at least 16 characters',
  })
  .transform((pairs) =>
    pairs.map((pair) => {
      const colon = pair.indexOf(':');
      return { projectId: pair.slice(0, colon), key: pair.slice(colon + 1) };
    }),
  )
  // A key listed twice would let one project's caller in as the other.
  .refine((grants) => new Set(grants.map((grant) => grant.key)).size === grants.length, {
    message: 'expected each key listed once (a key grants one project)',
  });

export const adminConfigSchema = setting
  .kafkaServiceSettings({
    PORT: setting.port(3000),
    ...setting.recordingKafkaTuning,
    DATABASE_URL: setting.postgresUrl,
    ADMIN_API_KEYS: apiKeys,
    SECRETS_KEY: setting.secretsKey,
    ENDPOINT_POLICY: setting.endpointPolicy,
    LOG_LEVEL: setting.logLevel,
    DELIVERY_LOG_RETENTION_DAYS: setting.positiveInt(14),
    DELIVERY_LOG_GROUP_ID: z.string().default('webhooks.delivery-log'),
    /** Partitions of `webhooks.outcomes` whose batches are logged at once, sharing statements. */
    PARTITIONS_CONSUMED_CONCURRENTLY: setting.positiveInt(8),
    /** Requests per second each project's keys may make, on average, and in one burst. */
    ADMIN_RATE_LIMIT_PER_SECOND: setting.positiveInt(50),
    ADMIN_RATE_LIMIT_BURST: setting.positiveInt(200),
    /** Test sends wait this long for the endpoint, like deliveries. */
    DELIVERY_TIMEOUT_MS: setting.deliveryTimeoutMs,
    /** Test sends of "use static IP" connections leave through it, like their deliveries. */
    ...setting.staticEgress,
  })
  .superRefine(setting.oneStaticEgress);
export type AdminConfig = z.infer<typeof adminConfigSchema>;
export type ApiKeyGrant = AdminConfig['ADMIN_API_KEYS'][number];

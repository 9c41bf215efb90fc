import { setting } from '@campaign-webhooks/config';
import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from './app/retry-schedule';

const retrySchedule = z
  .string()
  .default(DEFAULT_RETRY_SCHEDULE)
  .transform((text, context) => {
    try {
      return parseRetrySchedule(text);
    } catch (error) {
      context.addIssue({
        code: 'custom',
        message: `expected durations separated by commas: ${(error as Error).message}`,
      });
      return z.NEVER;
    }
  });

export const deliveryConfigSchema = setting
  .kafkaServiceSettings({
    PORT: setting.port(3003),
    ...setting.kafkaTuning,
    KAFKA_GROUP_ID: z.string().default('webhooks.delivery'),
    LOG_LEVEL: setting.logLevel,
    SECRETS_KEY: setting.secretsKey,
    DELIVERY_TIMEOUT_MS: setting.deliveryTimeoutMs,
    ENDPOINT_POLICY: setting.endpointPolicy,
    RETRY_SCHEDULE: retrySchedule,
    MAX_IN_FLIGHT_PER_CONNECTION: setting.positiveInt(8),
    LANE_QUEUE_LIMIT: setting.positiveInt(200),
    BREAKER_RESET_MS: setting.durationMs(30_000, { max: 3_600_000 }),
    BREAKER_VOLUME_THRESHOLD: setting.positiveInt(5),
    BREAKER_ERROR_PERCENTAGE: z.coerce.number().int().min(1).max(100).default(50),
    BREAKER_WINDOW_MS: setting.durationMs(5_000, { max: 3_600_000 }),
    /** Off only to measure what the breakers cost (an A/B switch of the benchmark). */
    BREAKER_ENABLED: setting.boolean(true),
    FAILURES_BEFORE_ALERT: setting.positiveInt(3),
    WINDOW_PER_PARTITION: setting.positiveInt(1000),
    ...setting.staticEgress,
  })
  .superRefine(setting.oneStaticEgress);
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;

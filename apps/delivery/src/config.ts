import { setting } from '@campaign-webhooks/config';
import { z } from 'zod';

export const deliveryConfigSchema = z.object({
  PORT: setting.port(3003),
  KAFKA_BROKERS: setting.kafkaBrokers,
  KAFKA_GROUP_ID: z.string().default('webhooks.delivery'),
  LOG_LEVEL: setting.logLevel,
  DELIVERY_TIMEOUT_MS: setting.positiveInt(5000),
  ENDPOINT_POLICY: setting.endpointPolicy,
  PARTITIONS_CONSUMED_CONCURRENTLY: setting.positiveInt(4),
});
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;

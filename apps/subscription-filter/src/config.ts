import { setting } from '@campaign-webhooks/config';
import { z } from 'zod';

export const filterConfigSchema = setting.kafkaServiceSettings({
  PORT: setting.port(3001),
  ...setting.kafkaTuning,
  KAFKA_GROUP_ID: z.string().default('webhooks.subscription-filter'),
  LOG_LEVEL: setting.logLevel,
  PARTITIONS_CONSUMED_CONCURRENTLY: setting.positiveInt(8),
  /** Set anew when the input topics start their offsets again (recreated, or a new cluster). */
  DELIVERY_ID_NAMESPACE: z.string().max(200).optional(),
});
export type FilterConfig = z.infer<typeof filterConfigSchema>;

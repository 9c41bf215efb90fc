import { setting } from '@campaign-webhooks/config';
import { z } from 'zod';

export const rendererConfigSchema = setting.kafkaServiceSettings({
  PORT: setting.port(3002),
  ...setting.kafkaTuning,
  KAFKA_GROUP_ID: z.string().default('webhooks.renderer'),
  DATABASE_URL: setting.postgresUrl,
  LOG_LEVEL: setting.logLevel,
  PARTITIONS_CONSUMED_CONCURRENTLY: setting.positiveInt(8),
  PROFILE_CACHE_TTL_MS: setting.positiveInt(30_000),
});
export type RendererConfig = z.infer<typeof rendererConfigSchema>;

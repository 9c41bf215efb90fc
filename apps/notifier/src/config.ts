import { setting } from '@campaign-webhooks/config';
import { z } from 'zod';

export const notifierConfigSchema = z.object({
  PORT: setting.port(3004),
  KAFKA_BROKERS: setting.kafkaBrokers,
  KAFKA_GROUP_ID: z.string().default('webhooks.notifier'),
  LOG_LEVEL: setting.logLevel,
});
export type NotifierConfig = z.infer<typeof notifierConfigSchema>;

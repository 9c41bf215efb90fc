import { setting } from '@campaign-webhooks/config';
import { z } from 'zod';

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'smtp:' || url.protocol === 'smtps:') &&
      url.hostname !== '' &&
      (url.pathname === '' || url.pathname === '/')
    );
  } catch {
    return false;
  }
}

const smtpUrl = z
  .string({ error: 'is required (smtp://host:port, or smtps://user:password@host:port)' })
  .refine(isSmtpUrl, {
    message: 'expected smtp://host:port or smtps://host:port, optionally with user:password@',
  });

const sender = z
  .string()
  .default('campaign-webhooks <webhooks@localhost>')
  .refine((value) => value.includes('@') && !/[\r\n]/.test(value), {
    message: 'expected an email address, optionally as "Name <address>"',
  });

export const notifierConfigSchema = setting.kafkaServiceSettings({
  PORT: setting.port(3004),
  ...setting.recordingKafkaTuning,
  KAFKA_GROUP_ID: z.string().default('webhooks.notifier'),
  LOG_LEVEL: setting.logLevel,
  DATABASE_URL: setting.postgresUrl,
  SMTP_URL: smtpUrl,
  NOTIFY_FROM: sender,
  NOTIFY_INTERVAL_S: setting.positiveInt(3600),
});
export type NotifierConfig = z.infer<typeof notifierConfigSchema>;

import { parseConfig } from '@campaign-webhooks/config';
import { notifierConfigSchema } from './config';

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  SMTP_URL: 'smtps://mailer:pa55@smtp.example.com:465',
};

describe('notifier configuration', () => {
  it('defaults to an hourly interval', () => {
    expect(parseConfig(notifierConfigSchema, valid)).toMatchObject({
      NOTIFY_INTERVAL_S: 3600,
      SMTP_URL: valid.SMTP_URL,
    });
  });

  it('fetches fuller batches by default: nothing waits on what it records', () => {
    expect(parseConfig(notifierConfigSchema, valid)).toMatchObject({
      KAFKA_FETCH_MIN_BYTES: 1_048_576,
      KAFKA_FETCH_MAX_WAIT_MS: 250,
    });
  });

  it('requires SMTP_URL', () => {
    expect(() => parseConfig(notifierConfigSchema, { DATABASE_URL: valid.DATABASE_URL })).toThrow(
      /^invalid configuration: SMTP_URL is required/,
    );
  });

  it('refuses a malformed SMTP_URL without echoing it', () => {
    for (const SMTP_URL of ['http://mail.example.com', 'smtp://user:secret@', 'smtp://host/path']) {
      expect(() => parseConfig(notifierConfigSchema, { ...valid, SMTP_URL })).toThrow(
        'invalid configuration: SMTP_URL expected smtp://host:port or smtps://host:port, optionally with user:password@',
      );
    }
  });

  it('takes a URL ending in a slash, as URLs are often written', () => {
    const SMTP_URL = 'smtp://smtp.example.com:25/';
    expect(parseConfig(notifierConfigSchema, { ...valid, SMTP_URL })).toMatchObject({ SMTP_URL });
  });

  it('passes nodemailer options in the query string through, such as requireTLS=false', () => {
    const SMTP_URL = 'smtp://mailer:pa55@smtp.example.com:587?requireTLS=false';
    expect(parseConfig(notifierConfigSchema, { ...valid, SMTP_URL })).toMatchObject({ SMTP_URL });
  });

  it('refuses an interval that is not a positive number of seconds', () => {
    expect(() => parseConfig(notifierConfigSchema, { ...valid, NOTIFY_INTERVAL_S: '0' })).toThrow(
      /NOTIFY_INTERVAL_S/,
    );
  });
});

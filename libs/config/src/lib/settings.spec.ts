import { parseSecretsKey } from '@campaign-webhooks/secrets';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { z } from 'zod';
import { parseConfig } from './load-config';
import * as setting from './settings';

/** The line parseConfig stops with, or null when the settings are accepted. */
function problem(schema: z.ZodObject, env: Record<string, string>): string | null {
  try {
    parseConfig(schema, env);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('SECRETS_KEY', () => {
  const schema = z.object({ SECRETS_KEY: setting.secretsKey });
  const key = randomBytes(32).toString('base64');
  const decodes = (value: string) => {
    try {
      parseSecretsKey(value);
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    ['base64', key],
    ['base64 without its padding', key.slice(0, 43)],
    ['base64url', Buffer.from(key, 'base64').toString('base64url')],
    ['hex', Buffer.from(key, 'base64').toString('hex')],
    ['base64 with a trailing newline', `${key}\n`],
    ['base64 with a stray dot', `${key.slice(0, 20)}.${key.slice(20)}`],
    ['base64 with an inner newline', `${key.slice(0, 20)}\n${key.slice(20)}`],
    ['base64 with an extra =', `${key}=`],
    ['16 bytes of base64', randomBytes(16).toString('base64')],
  ])('takes %s exactly when the services can decode it', (_form, value) => {
    expect(problem(schema, { SECRETS_KEY: value }) === null).toBe(decodes(value));
  });

  it('refuses a key the services could not decode, without echoing it', () => {
    const value = `${key}=`;
    expect(problem(schema, { SECRETS_KEY: value })).toBe(
      'invalid configuration: SECRETS_KEY expected 32 bytes as base64 (44 characters) or 64 hex characters',
    );
  });
});

describe('static egress', () => {
  const schema = z.object(setting.staticEgress).superRefine(setting.oneStaticEgress);

  it('takes a local IPv4 or IPv6 address, or an HTTP(S) proxy', () => {
    expect(problem(schema, { STATIC_EGRESS_LOCAL_ADDRESS: '10.0.0.5' })).toBeNull();
    expect(problem(schema, { STATIC_EGRESS_LOCAL_ADDRESS: '2001:db8::5' })).toBeNull();
    expect(problem(schema, { STATIC_EGRESS_PROXY_URL: 'http://proxy.internal:3128' })).toBeNull();
    expect(problem(schema, {})).toBeNull();
  });

  it('refuses a local address that is not an IP address', () => {
    expect(problem(schema, { STATIC_EGRESS_LOCAL_ADDRESS: 'eth0' })).toBe(
      'invalid configuration: STATIC_EGRESS_LOCAL_ADDRESS expected an IPv4 or IPv6 address (got "eth0")',
    );
  });

  it('refuses both at once, naming both and not showing the proxy URL', () => {
    const env = {
      STATIC_EGRESS_LOCAL_ADDRESS: '10.0.0.5',
      STATIC_EGRESS_PROXY_URL: 'http://user:secret@proxy.internal:3128',
    };
    expect(problem(schema, env)).toBe(
      'invalid configuration: STATIC_EGRESS_PROXY_URL is set as well as STATIC_EGRESS_LOCAL_ADDRESS: ' +
        'choose one static egress, not both',
    );
  });
});

describe('durations', () => {
  const schema = z.object({ TIMEOUT_MS: setting.durationMs(5_000, { max: 60_000 }) });

  it('takes whole milliseconds up to the maximum', () => {
    expect(parseConfig(schema, {})).toEqual({ TIMEOUT_MS: 5_000 });
    expect(parseConfig(schema, { TIMEOUT_MS: '60000' })).toEqual({ TIMEOUT_MS: 60_000 });
  });

  it.each(['0', '60001', '2147483648', '1.5', 'soon'])(
    'refuses %s with one line naming the range',
    (value) => {
      expect(problem(schema, { TIMEOUT_MS: value })).toBe(
        `invalid configuration: TIMEOUT_MS expected whole milliseconds from 1 to 60000 (got "${value}")`,
      );
    },
  );

  it('bounds every Kafka timer: a timer past 2^31-1 ms would fire at once', () => {
    const tuning = z.object(setting.kafkaTuning);
    expect(parseConfig(tuning, { KAFKA_LINGER_MS: '0' }).KAFKA_LINGER_MS).toBe(0);
    for (const name of ['KAFKA_LINGER_MS', 'KAFKA_COMMIT_INTERVAL_MS', 'KAFKA_FETCH_MAX_WAIT_MS']) {
      expect(problem(tuning, { [name]: '2147483648' })).toMatch(
        new RegExp(`^invalid configuration: ${name} expected whole milliseconds from [01] to \\d+ `),
      );
    }
  });

  it('keeps a fetch wait below the consumers 10 s session timeout', () => {
    expect(problem(z.object(setting.kafkaTuning), { KAFKA_FETCH_MAX_WAIT_MS: '10000' })).toMatch(
      /KAFKA_FETCH_MAX_WAIT_MS expected whole milliseconds from 1 to 5000/,
    );
  });

  it('bounds the delivery timeout at a minute', () => {
    const timeout = z.object({ DELIVERY_TIMEOUT_MS: setting.deliveryTimeoutMs });
    expect(parseConfig(timeout, {})).toEqual({ DELIVERY_TIMEOUT_MS: 5_000 });
    expect(problem(timeout, { DELIVERY_TIMEOUT_MS: '2147483648' })).toBe(
      'invalid configuration: DELIVERY_TIMEOUT_MS expected whole milliseconds from 1 to 60000 (got "2147483648")',
    );
  });
});

describe('ports and brokers', () => {
  const schema = z.object({ PORT: setting.port(3000), KAFKA_BROKERS: setting.kafkaBrokers });

  it.each([' ', 'abc', '65536', '-1', '3000.5'])('refuses PORT=%j, naming it', (value) => {
    expect(problem(schema, { PORT: value })).toMatch(
      /^invalid configuration: PORT expected a port number from 0 to 65535/,
    );
  });

  it('takes a port, 0 for any free one, and the default when unset', () => {
    expect(parseConfig(schema, { PORT: '8080' }).PORT).toBe(8080);
    expect(parseConfig(schema, { PORT: '0' }).PORT).toBe(0);
    expect(parseConfig(schema, {}).PORT).toBe(3000);
  });

  it.each(['kafka:99999', 'kafka:0', 'kafka', 'a:9092,b'])('refuses KAFKA_BROKERS=%j', (value) => {
    expect(problem(schema, { KAFKA_BROKERS: value })).toMatch(
      /^invalid configuration: KAFKA_BROKERS expected/,
    );
  });

  it('takes names, IPv4 and bracketed IPv6 brokers', () => {
    expect(
      parseConfig(schema, { KAFKA_BROKERS: 'kafka-0:9092, 10.0.0.1:9093,[::1]:9094' }).KAFKA_BROKERS,
    ).toEqual(['kafka-0:9092', '10.0.0.1:9093', '[::1]:9094']);
  });
});

describe('topic overrides', () => {
  const schema = z.object(setting.topicOverrides);

  it('covers every topic a service may be told to rename', async () => {
    const { TOPIC_ENV } = await import('@campaign-webhooks/contracts');
    expect(Object.keys(setting.topicOverrides).sort()).toEqual(Object.values(TOPIC_ENV).sort());
  });

  it.each(['acme events', '..', 'a'.repeat(250), 'événements'])('refuses TOPIC_RETRIES=%j', (value) => {
    expect(problem(schema, { TOPIC_RETRIES: value })).toMatch(
      /^invalid configuration: TOPIC_RETRIES expected a Kafka topic name/,
    );
  });

  it('takes a legal name, and leaves an unset one to the default', () => {
    expect(parseConfig(schema, { TOPIC_RETRIES: 'acme_webhooks.retries-v2' })).toEqual({
      TOPIC_RETRIES: 'acme_webhooks.retries-v2',
    });
  });
});

describe("a service's Kafka settings", () => {
  const schema = setting.kafkaServiceSettings({ PORT: setting.port(3000) });
  const caFile = join(mkdtempSync(join(tmpdir(), 'kafka-ca-')), 'ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  it('connects in plaintext without a login by default, beside the settings of the service', () => {
    const config = parseConfig(schema, { PORT: '3100', TOPIC_RETRIES: 'acme.retries' });
    expect(config).toMatchObject({ PORT: 3100, TOPIC_RETRIES: 'acme.retries' });
    expect(setting.kafkaConnection(config)).toEqual({ brokers: ['127.0.0.1:9092'] });
  });

  it('turns the settings into TLS with an extra CA and a SASL login', () => {
    const config = parseConfig(schema, {
      KAFKA_BROKERS: 'kafka:9093',
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'webhooks',
      KAFKA_SASL_PASSWORD: 'pa55word',
    });
    expect(setting.kafkaConnection(config)).toEqual({
      brokers: ['kafka:9093'],
      ssl: { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: 'webhooks', password: 'pa55word' },
    });
    expect(setting.kafkaConnection({ ...config, KAFKA_TLS_CA_FILE: undefined }).ssl).toBe(true);
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'plain' }, /KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set/],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD is required/],
    [{ KAFKA_SASL_PASSWORD: 'secret' }, /KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is not/],
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, /KAFKA_SASL_MECHANISM/],
    [
      { KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: '/no/such/ca.pem' },
      /KAFKA_TLS_CA_FILE expected the path of a readable PEM file/,
    ],
    [{ KAFKA_TLS_CA_FILE: caFile }, /KAFKA_TLS_CA_FILE is set but KAFKA_TLS is not true/],
  ])('refuses %j in one line', (env, line) => {
    const message = problem(schema, env as Record<string, string>);
    expect(message).toMatch(/^invalid configuration: /);
    expect(message).toMatch(line);
    expect(message).not.toContain('secret');
  });
});

import { parseSecretsKey } from '@campaign-webhooks/secrets';
import { randomBytes } from 'node:crypto';
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

import { parseConfig } from '@campaign-webhooks/config';
import { adminConfigSchema } from './config';

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  ADMIN_API_KEYS: 'project-1:0123456789abcdef',
  SECRETS_KEY: '0'.repeat(64),
};

describe('admin-api configuration', () => {
  it('fetches the delivery log in fuller batches by default: nothing waits on it', () => {
    expect(parseConfig(adminConfigSchema, valid)).toMatchObject({
      KAFKA_FETCH_MIN_BYTES: 1_048_576,
      KAFKA_FETCH_MAX_WAIT_MS: 250,
      PARTITIONS_CONSUMED_CONCURRENTLY: 8,
    });
  });

  it('takes several keys per project, so a key can be rotated', () => {
    const config = parseConfig(adminConfigSchema, {
      ...valid,
      ADMIN_API_KEYS: 'acme:old-key-0123456789,acme:new-key-0123456789,globex:globex-key-012345',
    });
    expect(config.ADMIN_API_KEYS.map((grant) => grant.projectId)).toEqual(['acme', 'acme', 'globex']);
  });

  it('refuses a key listed twice, which would let one project read the other, without showing it', () => {
    const key = 'shared-key-0123456789';
    const parse = () =>
      parseConfig(adminConfigSchema, { ...valid, ADMIN_API_KEYS: `acme:${key},globex:${key}` });
    expect(parse).toThrow(
      'invalid configuration: ADMIN_API_KEYS expected each key listed once (a key grants one project)',
    );
    expect(parse).not.toThrow(key);
  });

  it('refuses two static egresses and a test-send timeout past a minute', () => {
    expect(() =>
      parseConfig(adminConfigSchema, {
        ...valid,
        STATIC_EGRESS_LOCAL_ADDRESS: '10.0.0.5',
        STATIC_EGRESS_PROXY_URL: 'http://proxy.internal:3128',
      }),
    ).toThrow(/STATIC_EGRESS_PROXY_URL is set as well as STATIC_EGRESS_LOCAL_ADDRESS/);
    expect(() => parseConfig(adminConfigSchema, { ...valid, DELIVERY_TIMEOUT_MS: '2147483648' })).toThrow(
      /DELIVERY_TIMEOUT_MS expected whole milliseconds from 1 to 60000/,
    );
  });
});

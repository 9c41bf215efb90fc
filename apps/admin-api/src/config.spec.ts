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
});

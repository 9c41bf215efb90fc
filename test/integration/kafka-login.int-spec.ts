import { parseConfig, setting } from '@campaign-webhooks/config';
import { createKafkaClient } from '@campaign-webhooks/kafka';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The services' Kafka login, against the test broker's SASL/PLAIN listener (KAFKA_SASL_PORT and
 * KAFKA_SASL_USERS, which `npm test` sets): the settings a service reads, turned into its client.
 */
const port = process.env['KAFKA_SASL_PORT'];
const [username, password] = (process.env['KAFKA_SASL_USERS'] ?? '').split(' ')[0].split(':');

const schema = z
  .object({ KAFKA_BROKERS: setting.kafkaBrokers, ...setting.kafkaSecurity })
  .superRefine(setting.kafkaLogin);
const logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

function clientLoggingInAs(user: string, secret: string) {
  const config = parseConfig(schema, {
    KAFKA_BROKERS: `127.0.0.1:${port}`,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: secret,
  });
  return createKafkaClient({ ...setting.kafkaConnection(config), clientId: 'login-test', logger });
}

describe('Kafka login (SASL/PLAIN)', () => {
  beforeAll(() => {
    if (!port || !password)
      throw new Error('KAFKA_SASL_PORT and KAFKA_SASL_USERS are not set: run through npm test');
  });

  it('logs in with the configured user, then creates, writes and reads a topic', async () => {
    const kafka = clientLoggingInAs(username, password);
    const topic = `login-test-${randomUUID()}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.send({ topic, messages: [{ key: 'k', value: 'logged in' }], acks: -1 });
      expect(await admin.fetchTopicOffsets(topic)).toEqual([
        expect.objectContaining({ partition: 0, high: '1', low: '0' }),
      ]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('is refused with a wrong password, and says it was the login', async () => {
    const admin = clientLoggingInAs(username, `${password}-wrong`).admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    await admin.disconnect();
  });
});

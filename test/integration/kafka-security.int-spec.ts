import { parseConfig, setting } from '@campaign-webhooks/config';
import { createKafkaClient } from '@campaign-webhooks/kafka';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/**
 * The services' Kafka login and TLS, against the test broker's SASL/PLAIN and TLS listeners
 * (KAFKA_SASL_PORT, KAFKA_SASL_USERS and KAFKA_TLS_PORT, which `npm test` sets): the settings a
 * service reads, turned into its client.
 */
const port = process.env['KAFKA_SASL_PORT'];
// The first user: name, then everything after the first colon, as deploy/local/kafka.sh reads it.
const firstUser = (process.env['KAFKA_SASL_USERS'] ?? '').split(' ')[0];
const username = firstUser.slice(0, firstUser.indexOf(':'));
const password = firstUser.slice(firstUser.indexOf(':') + 1);
const tlsPort = process.env['KAFKA_TLS_PORT'];
const caFile = join(process.env['LOCAL_STACK_DIR'] ?? '', 'kafka', 'tls', 'ca.pem');

const schema = setting.kafkaServiceSettings({});
const logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

function clientFor(env: Record<string, string>) {
  const config = parseConfig(schema, env);
  return createKafkaClient({ ...setting.kafkaConnection(config), clientId: 'security-test', logger });
}

function clientLoggingInAs(user: string, secret: string) {
  return clientFor({
    KAFKA_BROKERS: `127.0.0.1:${port}`,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: secret,
  });
}

/** Creates a topic, writes a record and reads the partition's offsets back. */
async function writeAndRead(kafka: Kafka): Promise<void> {
  const topic = `security-test-${randomUUID()}`;
  const admin = kafka.admin();
  const producer = kafka.producer();
  await admin.connect();
  await producer.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic, messages: [{ key: 'k', value: 'connected' }], acks: -1 });
    expect(await admin.fetchTopicOffsets(topic)).toEqual([
      expect.objectContaining({ partition: 0, high: '1', low: '0' }),
    ]);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
  }
}

describe('Kafka login (SASL/PLAIN)', () => {
  beforeAll(() => {
    if (!port || !password)
      throw new Error('KAFKA_SASL_PORT and KAFKA_SASL_USERS are not set: run through npm test');
  });

  it('logs in with the configured user, then creates, writes and reads a topic', async () => {
    await writeAndRead(clientLoggingInAs(username, password));
  });

  it('is refused with a wrong password, and says it was the login', async () => {
    const admin = clientLoggingInAs(username, `${password}-wrong`).admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    await admin.disconnect();
  });
});

describe('Kafka over TLS', () => {
  beforeAll(() => {
    if (!tlsPort) throw new Error('KAFKA_TLS_PORT is not set: run through npm test');
  });

  it('connects trusting the CA file, then creates, writes and reads a topic', async () => {
    await writeAndRead(
      clientFor({ KAFKA_BROKERS: `127.0.0.1:${tlsPort}`, KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: caFile }),
    );
  });

  it('refuses a broker whose certificate it cannot trust', async () => {
    // The services retry a broker for as long as they live; one try tells here.
    const config = parseConfig(schema, { KAFKA_BROKERS: `127.0.0.1:${tlsPort}`, KAFKA_TLS: 'true' });
    const { brokers, ssl } = setting.kafkaConnection(config);
    const admin = new Kafka({
      brokers,
      ssl,
      clientId: 'security-test',
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    await expect(admin.connect()).rejects.toThrow(/self-signed certificate/);
    await admin.disconnect();
  });
});

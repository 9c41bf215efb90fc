import { randomUUID } from 'node:crypto';
import { KafkaJSNonRetriableError, type Consumer } from 'kafkajs';
import { runAgainAfterCrashes } from '@campaign-webhooks/kafka';
import { kafka, publish, disconnectProducer } from '../support/kafka';

const silent = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};

describe('a consumer kafkajs leaves stopped after a crash', () => {
  let consumer: Consumer;
  let running = true;

  afterEach(async () => {
    running = false;
    await consumer.disconnect();
  });

  afterAll(() => disconnectProducer());

  it('runs again and consumes what it had not finished', async () => {
    const topic = `it.crash.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    consumer = kafka.consumer({ groupId: `it.crash.${randomUUID()}`, sessionTimeout: 10_000 });
    const crashes: boolean[] = [];
    consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push(payload.restart));
    const seen: string[] = [];
    let failNext = true;
    const run = async () => {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (failNext) {
            failNext = false;
            throw new KafkaJSNonRetriableError('not retriable');
          }
          seen.push(message.value?.toString() ?? '');
        },
      });
    };
    runAgainAfterCrashes(consumer, { name: 'it', logger: silent, shouldRun: () => running, run }, 500);
    await run();
    await publish(topic, [{ key: 'k', value: 'after the crash' }]);

    const deadline = Date.now() + 30_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // A fresh broker may add a crash of its own (no group coordinator yet); ours is among them.
    expect(crashes).toContain(false);
    expect(seen).toEqual(['after the crash']);
  });
});

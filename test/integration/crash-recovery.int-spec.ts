import { randomUUID } from 'node:crypto';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { PipelineRuntime } from '@campaign-webhooks/kafka';
import { disconnectProducer, publish } from '../support/kafka';
import { brokers, createTopics, eventually, silentLogger } from '../support/loops';

describe.each(['batch', 'windowed'] as const)('a %s consume loop that kafkajs leaves stopped', (kind) => {
  let runtime: PipelineRuntime | undefined;

  afterEach(() => runtime?.stop());
  afterAll(() => disconnectProducer());

  it('runs its consumer again and goes on consuming', async () => {
    const id = randomUUID();
    const topic = `it.crash.${id}`;
    const deadLetter = `it.crash.dl.${id}`;
    await createTopics(1, topic, deadLetter);

    const errors: string[] = [];
    const seen: string[] = [];
    let crashNext = true;
    runtime = new PipelineRuntime({
      brokers,
      clientId: 'it',
      logger: { ...silentLogger, error: (_fields, message) => void errors.push(message) },
      hooks: {
        // A hook that throws what kafkajs does not retry crashes the consumer for good.
        onConsumed: () => {
          if (!crashNext) return;
          crashNext = false;
          throw new KafkaJSNonRetriableError('not retriable');
        },
      },
    });
    const groupId = `it.crash.${id}`;
    if (kind === 'batch') {
      runtime.consume({
        groupId,
        topics: [topic],
        deadLetterTopic: deadLetter,
        stage: {
          handleBatch: async (records) =>
            records.map((record) => {
              seen.push(record.value?.toString() ?? '');
              return { produce: [] };
            }),
        },
      });
    } else {
      runtime.consumeWindowed({
        groupId,
        topics: [topic],
        handle: async (record) => void seen.push(record.value?.toString() ?? ''),
      });
    }
    await runtime.start();

    await publish(topic, [{ key: 'k', value: 'before the crash' }]);
    await eventually(() => errors.some((message) => message.includes('kafkajs does not retry')));
    await publish(topic, [{ key: 'k', value: 'after the crash' }]);
    await eventually(() => seen.includes('after the crash'), 30_000);
    expect(seen).toContain('before the crash');
  });
});

import type { ConsumerConfig, Kafka } from 'kafkajs';
import { BatchConsumer } from './batch-consumer';
import type { KafkaLogger } from './kafka-client';
import { WINDOWED_MAX_WAIT_MS, WindowedConsumer } from './windowed-consumer';

/** A Kafka client whose consumers only record the configuration they were built with. */
function recordingKafka(configs: ConsumerConfig[]): Kafka {
  return {
    consumer: (config: ConsumerConfig) => {
      configs.push(config);
      return { on: () => () => undefined, events: {} };
    },
  } as unknown as Kafka;
}

const logger = { error: () => undefined, warn: () => undefined } as unknown as KafkaLogger;
const common = { groupId: 'g', topics: ['t'], logger };

describe('fetch tuning', () => {
  it('reaches the kafkajs consumer of both consume loops', () => {
    const configs: ConsumerConfig[] = [];
    const kafka = recordingKafka(configs);
    const fetch = { minBytes: 16_384, maxWaitMs: 20 };
    new BatchConsumer({
      ...common,
      kafka,
      fetch,
      producer: { send: async () => undefined },
      deadLetterTopic: 'dl',
      stage: { handleBatch: async () => [] },
    });
    new WindowedConsumer({ ...common, kafka, fetch, handle: async () => undefined });
    for (const config of configs) expect(config).toMatchObject({ minBytes: 16_384, maxWaitTimeInMs: 20 });
    expect(configs).toHaveLength(2);
  });

  it('answers at once by default, and waits up to 1 s when idle', () => {
    const configs: ConsumerConfig[] = [];
    new BatchConsumer({
      ...common,
      kafka: recordingKafka(configs),
      producer: { send: async () => undefined },
      deadLetterTopic: 'dl',
      stage: { handleBatch: async () => [] },
    });
    expect(configs[0]).toMatchObject({ minBytes: 1, maxWaitTimeInMs: 1_000 });
  });

  it('never waits longer than WINDOWED_MAX_WAIT_MS in the windowed consumer', () => {
    const configs: ConsumerConfig[] = [];
    const kafka = recordingKafka(configs);
    new WindowedConsumer({ ...common, kafka, handle: async () => undefined });
    new WindowedConsumer({
      ...common,
      kafka,
      fetch: { minBytes: 65_536, maxWaitMs: 250 },
      handle: async () => undefined,
    });
    expect(configs[0]).toMatchObject({ minBytes: 1, maxWaitTimeInMs: WINDOWED_MAX_WAIT_MS });
    expect(configs[1]).toMatchObject({ minBytes: 65_536, maxWaitTimeInMs: WINDOWED_MAX_WAIT_MS });
  });
});

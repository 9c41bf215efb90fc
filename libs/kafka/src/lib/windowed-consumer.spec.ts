import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { WindowedConsumer } from './windowed-consumer';

const silent = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };

const events = { FETCH_START: 'fetch.start', CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };

describe('WindowedConsumer', () => {
  it('keeps every partition paused when a rebalance comes while it stops', async () => {
    const { consumer, listeners, eachBatch } = fakeConsumer();
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.deliveries'],
      logger: silent,
      windowPerPartition: 1,
      // Never finishes: the grace runs its full length.
      handle: () => new Promise<void>(() => undefined),
    });
    await windowed.start();
    // Two records for a window of one: the partition pauses with the second held back.
    await eachBatch()({
      batch: { topic: 'webhooks.deliveries', partition: 0, messages: [message('0'), message('1')] },
      resolveOffset: jest.fn(),
      heartbeat: () => Promise.resolve(),
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
    expect(consumer.pause).toHaveBeenCalledWith([{ topic: 'webhooks.deliveries', partitions: [0] }]);

    const stopped = windowed.stop(50);
    listeners.get(events.GROUP_JOIN)?.({ payload: { memberAssignment: { 'webhooks.deliveries': [0] } } });
    await stopped;
    expect(consumer.resume).not.toHaveBeenCalled();
  });

  it('tells the records in hand of a partition a rebalance took away, and only those', async () => {
    const { consumer, listeners, eachBatch } = fakeConsumer();
    const signals = new Map<number, AbortSignal>();
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.retries'],
      logger: silent,
      // Waits for its due time until the partition is taken away.
      handle: (record, revoked) => {
        signals.set(record.partition, revoked);
        return new Promise<void>((resolve) => revoked.addEventListener('abort', () => resolve()));
      },
    });
    await windowed.start();
    for (const partition of [0, 1]) {
      await eachBatch()({
        batch: { topic: 'webhooks.retries', partition, messages: [message('0')] },
        resolveOffset: jest.fn(),
        heartbeat: () => Promise.resolve(),
        isRunning: () => true,
        isStale: () => false,
      } as unknown as EachBatchPayload);
    }

    listeners.get(events.GROUP_JOIN)?.({ payload: { memberAssignment: { 'webhooks.retries': [1] } } });

    expect(signals.get(0)?.aborted).toBe(true);
    expect(signals.get(1)?.aborted).toBe(false);
    await windowed.stop(10);
  });

  it('stops between a crash and its restart, when kafkajs has no group to pause', async () => {
    const consumer = {
      events,
      on: jest.fn(),
      // What kafkajs throws once a crash has taken its consumer group away.
      pause: jest.fn(() => {
        throw new Error('Consumer group was not initialized, consumer#run must be called first');
      }),
      commitOffsets: jest.fn(() => Promise.resolve()),
      disconnect: jest.fn(() => Promise.resolve()),
    };
    const onStopping = jest.fn();
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.deliveries'],
      logger: silent,
      handle: () => Promise.resolve(),
      onStopping,
    });

    await expect(windowed.stop(10)).resolves.toBeUndefined();
    expect(onStopping).toHaveBeenCalled();
    expect(consumer.disconnect).toHaveBeenCalled();
  });
});

/** A kafkajs consumer that runs nothing: the test hands batches to `eachBatch()` and emits events. */
function fakeConsumer() {
  const listeners = new Map<string, (event: { payload: unknown }) => void>();
  let handBatch: (payload: EachBatchPayload) => Promise<void> = () => Promise.resolve();
  const consumer = {
    events,
    on: jest.fn((event: string, listener: (event: { payload: unknown }) => void) =>
      listeners.set(event, listener),
    ),
    connect: jest.fn(() => Promise.resolve()),
    subscribe: jest.fn(() => Promise.resolve()),
    run: jest.fn((config: { eachBatch: typeof handBatch }) => {
      handBatch = config.eachBatch;
      return Promise.resolve();
    }),
    pause: jest.fn(),
    resume: jest.fn(),
    commitOffsets: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
  };
  return { consumer, listeners, eachBatch: () => handBatch };
}

function message(offset: string): KafkaMessage {
  return {
    offset,
    key: null,
    value: Buffer.from('{}'),
    headers: {},
    timestamp: '0',
    attributes: 0,
  } as KafkaMessage;
}

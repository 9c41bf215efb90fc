import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { WindowedConsumer } from './windowed-consumer';

const silent = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };

const events = {
  FETCH_START: 'fetch.start',
  CRASH: 'consumer.crash',
  GROUP_JOIN: 'consumer.group_join',
  STOP: 'consumer.stop',
  DISCONNECT: 'consumer.disconnect',
};

describe('WindowedConsumer', () => {
  it('keeps every partition paused when a rebalance comes while it stops', async () => {
    const { consumer, emit, eachBatch } = fakeConsumer();
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
    await eachBatch()(batch('webhooks.deliveries', 0, ['0', '1']));
    expect(consumer.pause).toHaveBeenCalledWith([{ topic: 'webhooks.deliveries', partitions: [0] }]);

    const stopped = windowed.stop(50);
    emit(events.GROUP_JOIN, { memberAssignment: { 'webhooks.deliveries': [0] } });
    await stopped;
    expect(consumer.resume).not.toHaveBeenCalled();
  });

  it('tells the records in hand of a partition a rebalance took away, and only those', async () => {
    const { consumer, emit, eachBatch } = fakeConsumer();
    const signals = new Map<number, AbortSignal>();
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.retries'],
      logger: silent,
      // Waits for its due time until the partition is taken away.
      handle: (record, revoked) => {
        signals.set(record.partition, revoked);
        return untilRevoked(revoked);
      },
    });
    await windowed.start();
    for (const partition of [0, 1]) await eachBatch()(batch('webhooks.retries', partition, ['0']));

    emit(events.GROUP_JOIN, { memberAssignment: { 'webhooks.retries': [1] } });

    expect(signals.get(0)?.aborted).toBe(true);
    expect(signals.get(1)?.aborted).toBe(false);
    await windowed.stop(10);
  });

  it('tells every record in hand that its partition is gone when the consumer crashes', async () => {
    const { consumer, emit, eachBatch } = fakeConsumer();
    const signals: AbortSignal[] = [];
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.retries'],
      logger: silent,
      handle: (_record, revoked) => {
        signals.push(revoked);
        return untilRevoked(revoked);
      },
    });
    await windowed.start();
    for (const partition of [0, 1]) await eachBatch()(batch('webhooks.retries', partition, ['0', '1']));

    // kafkajs has left the group: the other members take these partitions.
    emit(events.CRASH, crashed({ restart: true }));

    expect(signals).toHaveLength(4);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    await windowed.stop(10);
  });

  it('reads a partition afresh after a crash, committing nothing of its old window', async () => {
    const { consumer, emit, eachBatch } = fakeConsumer();
    const handed: { offset: string; revoked: AbortSignal }[] = [];
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.retries'],
      logger: silent,
      // 10 waits for its due time; the others finish at once.
      handle: (record, revoked) => {
        handed.push({ offset: record.offset, revoked });
        return record.offset === '10' ? untilRevoked(revoked) : Promise.resolve();
      },
    });
    await windowed.start();
    await eachBatch()(batch('webhooks.retries', 0, ['10', '11', '12']));

    emit(events.CRASH, crashed({ restart: true }));
    await flush();
    // kafkajs runs it again and the partition comes back, its committed offset still 10.
    emit(events.GROUP_JOIN, { memberAssignment: { 'webhooks.retries': [0] } });
    await eachBatch()(batch('webhooks.retries', 0, ['10', '11', '12']));
    await flush();

    expect(handed.map(({ offset }) => offset)).toEqual(['10', '11', '12', '10', '11', '12']);
    expect(handed[0].revoked.aborted).toBe(true);
    expect(handed[3].revoked.aborted).toBe(false);
    await windowed.stop(10);
    // The old window, its 10 finished by the abort, would commit 13 and skip the new owner's 10.
    const committed = consumer.commitOffsets.mock.calls.flatMap(([offsets]) => offsets);
    expect(committed).toEqual([{ topic: 'webhooks.retries', partition: 0, offset: '10' }]);
  });

  it('drops what a full window held back at a crash, resuming nothing in the old group', async () => {
    const { consumer, emit, eachBatch } = fakeConsumer();
    const handled: string[] = [];
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.retries'],
      logger: silent,
      windowPerPartition: 1,
      handle: (record, revoked) => {
        handled.push(record.offset);
        return untilRevoked(revoked);
      },
    });
    await windowed.start();
    const held = batch('webhooks.retries', 0, ['0', '1']);
    await eachBatch()(held);
    expect(consumer.pause).toHaveBeenCalledTimes(1);

    emit(events.CRASH, crashed({ restart: false }));
    await flush();

    // The aborted record made room; the held-back one is left to whoever reads the partition next.
    expect(handled).toEqual(['0']);
    expect(held.resolveOffset).not.toHaveBeenCalledWith('1');
    expect(consumer.resume).not.toHaveBeenCalled();
    await windowed.stop(10);
  });

  it('tells the records in hand when the consumer leaves its group without stop()', async () => {
    const { consumer, emit, eachBatch } = fakeConsumer();
    const signals: AbortSignal[] = [];
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.retries'],
      logger: silent,
      handle: (_record, revoked) => {
        signals.push(revoked);
        return untilRevoked(revoked);
      },
    });
    await windowed.start();
    await eachBatch()(batch('webhooks.retries', 0, ['0']));

    // What kafkajs emits as it disconnects, before it reports the crash that made it.
    emit(events.STOP, null);

    expect(signals[0].aborted).toBe(true);
    await windowed.stop(10);
  });

  it('leaves the records in hand alone when it stops gracefully', async () => {
    const { consumer, eachBatch } = fakeConsumer();
    const signals: AbortSignal[] = [];
    const windowed = new WindowedConsumer({
      kafka: { consumer: () => consumer } as unknown as Kafka,
      groupId: 'webhooks.delivery',
      topics: ['webhooks.retries'],
      logger: silent,
      handle: (_record, revoked) => {
        signals.push(revoked);
        return untilRevoked(revoked);
      },
    });
    await windowed.start();
    await eachBatch()(batch('webhooks.retries', 0, ['5', '6']));

    await windowed.stop(10);

    expect(consumer.disconnect).toHaveBeenCalled();
    expect(signals.map((signal) => signal.aborted)).toEqual([false, false]);
    expect(consumer.commitOffsets).toHaveBeenCalledWith([
      { topic: 'webhooks.retries', partition: 0, offset: '5' },
    ]);
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

/**
 * A kafkajs consumer that runs nothing: the test hands batches to `eachBatch()` and emits events.
 * As kafkajs's, `disconnect` leaves the group (STOP) and then disconnects (DISCONNECT).
 */
function fakeConsumer() {
  const listeners = new Map<string, ((event: { payload: unknown }) => void)[]>();
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener({ payload });
  };
  let handBatch: (payload: EachBatchPayload) => Promise<void> = () => Promise.resolve();
  const consumer = {
    events,
    on: jest.fn((event: string, listener: (event: { payload: unknown }) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    }),
    connect: jest.fn(() => Promise.resolve()),
    subscribe: jest.fn(() => Promise.resolve()),
    run: jest.fn((config: { eachBatch: typeof handBatch }) => {
      handBatch = config.eachBatch;
      return Promise.resolve();
    }),
    pause: jest.fn(),
    resume: jest.fn(),
    commitOffsets: jest.fn<Promise<void>, [offsets: CommittedOffset[]]>(() => Promise.resolve()),
    disconnect: jest.fn(() => {
      emit(events.STOP, null);
      emit(events.DISCONNECT, null);
      return Promise.resolve();
    }),
  };
  return { consumer, emit, eachBatch: () => handBatch };
}

type CommittedOffset = { topic: string; partition: number; offset: string };

/** kafkajs's CRASH payload; it has left the group by the time it emits it. */
function crashed({ restart }: { restart: boolean }) {
  return { error: new Error('coordinator not available'), groupId: 'webhooks.delivery', restart };
}

function batch(topic: string, partition: number, offsets: string[]): EachBatchPayload {
  return {
    batch: { topic, partition, messages: offsets.map(message) },
    resolveOffset: jest.fn(),
    heartbeat: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
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

/** A handler waiting for a far due time: it ends only when the partition is taken away. */
function untilRevoked(revoked: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => revoked.addEventListener('abort', () => resolve()));
}

/** Lets the records' promise chains run: an aborted record frees its place in the window. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

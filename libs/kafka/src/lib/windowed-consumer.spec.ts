import { consumerEvents, fakeKafkaConsumer, fetchedBatch } from './kafka-consumer.fixture';
import { WindowedConsumer, type WindowedConsumerOptions } from './windowed-consumer';

const silent = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };

describe('WindowedConsumer', () => {
  it('keeps every partition paused when a rebalance comes while it stops', async () => {
    const { windowed, consumer, emit, handBatch } = windowedConsumer({
      topics: ['webhooks.deliveries'],
      windowPerPartition: 1,
      // Never finishes: the grace runs its full length.
      handle: () => new Promise<void>(() => undefined),
    });
    await windowed.start();
    // Two records for a window of one: the partition pauses with the second held back.
    await handBatch(fetchedBatch('webhooks.deliveries', 0, ['0', '1']));
    expect(consumer.pause).toHaveBeenCalledWith([{ topic: 'webhooks.deliveries', partitions: [0] }]);

    const stopped = windowed.stop(50);
    emit(consumerEvents.GROUP_JOIN, { memberAssignment: { 'webhooks.deliveries': [0] } });
    await stopped;
    expect(consumer.resume).not.toHaveBeenCalled();
  });

  it('tells the records in hand of a partition a rebalance took away, and only those', async () => {
    const signals = new Map<number, AbortSignal>();
    const { windowed, emit, handBatch } = windowedConsumer({
      // Waits for its due time until the partition is taken away.
      handle: (record, revoked) => {
        signals.set(record.partition, revoked);
        return untilRevoked(revoked);
      },
    });
    await windowed.start();
    for (const partition of [0, 1]) await handBatch(fetchedBatch('webhooks.retries', partition, ['0']));

    emit(consumerEvents.GROUP_JOIN, { memberAssignment: { 'webhooks.retries': [1] } });

    expect(signals.get(0)?.aborted).toBe(true);
    expect(signals.get(1)?.aborted).toBe(false);
    await windowed.stop(10);
  });

  it('tells every record in hand that its partition is gone when the consumer crashes', async () => {
    const signals: AbortSignal[] = [];
    const { windowed, emit, handBatch } = windowedConsumer({ handle: heldUntilRevoked(signals) });
    await windowed.start();
    for (const partition of [0, 1]) await handBatch(fetchedBatch('webhooks.retries', partition, ['0', '1']));

    // kafkajs has left the group: the other members take these partitions.
    emit(consumerEvents.CRASH, crashed({ restart: true }));

    expect(signals).toHaveLength(4);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    await windowed.stop(10);
  });

  it('reads a partition afresh after a crash, committing nothing of its old window', async () => {
    const handed: { offset: string; revoked: AbortSignal }[] = [];
    const { windowed, consumer, emit, handBatch } = windowedConsumer({
      // 10 waits for its due time; the others finish at once.
      handle: (record, revoked) => {
        handed.push({ offset: record.offset, revoked });
        return record.offset === '10' ? untilRevoked(revoked) : Promise.resolve();
      },
    });
    await windowed.start();
    await handBatch(fetchedBatch('webhooks.retries', 0, ['10', '11', '12']));

    emit(consumerEvents.CRASH, crashed({ restart: true }));
    await flush();
    // kafkajs runs it again and the partition comes back, its committed offset still 10.
    emit(consumerEvents.GROUP_JOIN, { memberAssignment: { 'webhooks.retries': [0] } });
    await handBatch(fetchedBatch('webhooks.retries', 0, ['10', '11', '12']));
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
    const handled: string[] = [];
    const { windowed, consumer, emit, handBatch } = windowedConsumer({
      windowPerPartition: 1,
      handle: (record, revoked) => {
        handled.push(record.offset);
        return untilRevoked(revoked);
      },
    });
    await windowed.start();
    const held = fetchedBatch('webhooks.retries', 0, ['0', '1']);
    await handBatch(held);
    expect(consumer.pause).toHaveBeenCalledTimes(1);

    emit(consumerEvents.CRASH, crashed({ restart: false }));
    await flush();

    // The aborted record made room; the held-back one is left to whoever reads the partition next.
    expect(handled).toEqual(['0']);
    expect(held.resolveOffset).not.toHaveBeenCalledWith('1');
    expect(consumer.resume).not.toHaveBeenCalled();
    await windowed.stop(10);
  });

  it('tells the records in hand when the consumer leaves its group without stop()', async () => {
    const signals: AbortSignal[] = [];
    const { windowed, emit, handBatch } = windowedConsumer({ handle: heldUntilRevoked(signals) });
    await windowed.start();
    await handBatch(fetchedBatch('webhooks.retries', 0, ['0']));

    // What kafkajs emits as it disconnects, before it reports the crash that made it.
    emit(consumerEvents.STOP, null);

    expect(signals[0].aborted).toBe(true);
    await windowed.stop(10);
  });

  it('leaves the records in hand alone when it stops gracefully', async () => {
    const signals: AbortSignal[] = [];
    const { windowed, consumer, handBatch } = windowedConsumer({ handle: heldUntilRevoked(signals) });
    await windowed.start();
    await handBatch(fetchedBatch('webhooks.retries', 0, ['5', '6']));

    await windowed.stop(10);

    expect(consumer.disconnect).toHaveBeenCalled();
    expect(signals.map((signal) => signal.aborted)).toEqual([false, false]);
    expect(consumer.commitOffsets).toHaveBeenCalledWith([
      { topic: 'webhooks.retries', partition: 0, offset: '5' },
    ]);
  });

  it('stops between a crash and its restart, when kafkajs has no group to pause', async () => {
    const onStopping = jest.fn();
    const { windowed, consumer } = windowedConsumer({
      topics: ['webhooks.deliveries'],
      handle: () => Promise.resolve(),
      onStopping,
    });
    // What kafkajs throws once a crash has taken its consumer group away.
    consumer.pause.mockImplementation(() => {
      throw new Error('Consumer group was not initialized, consumer#run must be called first');
    });

    await expect(windowed.stop(10)).resolves.toBeUndefined();
    expect(onStopping).toHaveBeenCalled();
    expect(consumer.disconnect).toHaveBeenCalled();
  });
});

/**
 * A WindowedConsumer of the delivery group, of the retry topic unless told otherwise, over a
 * kafkajs consumer that runs nothing.
 */
function windowedConsumer(
  options: Pick<WindowedConsumerOptions, 'handle'> & Partial<WindowedConsumerOptions>,
) {
  const fake = fakeKafkaConsumer();
  const windowed = new WindowedConsumer({
    kafka: fake.kafka,
    groupId: 'webhooks.delivery',
    topics: ['webhooks.retries'],
    logger: silent,
    ...options,
  });
  return { windowed, ...fake };
}

/** kafkajs's CRASH payload; it has left the group by the time it emits it. */
function crashed({ restart }: { restart: boolean }) {
  return { error: new Error('coordinator not available'), groupId: 'webhooks.delivery', restart };
}

/** A handler waiting for a far due time: it ends only when the partition is taken away. */
function untilRevoked(revoked: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => revoked.addEventListener('abort', () => resolve()));
}

/** `untilRevoked` as the whole handler, keeping each record's `revoked` in `signals`. */
function heldUntilRevoked(signals: AbortSignal[]): WindowedConsumerOptions['handle'] {
  return (_record, revoked) => {
    signals.push(revoked);
    return untilRevoked(revoked);
  };
}

/** Lets the records' promise chains run: an aborted record frees its place in the window. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

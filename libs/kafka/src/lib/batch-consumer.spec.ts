import { KafkaJSProtocolError } from 'kafkajs';
import { BatchConsumer, type BatchStage } from './batch-consumer';
import { consumerEvents, fakeKafkaConsumer, fetchedBatch } from './kafka-consumer.fixture';
import { TransientError } from './stage-errors';

const silent = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };

const TOPIC = 'webhooks.events';

const loops: BatchConsumer[] = [];
const stopAll = () => Promise.all(loops.splice(0).map((loop) => loop.stop(10)));

describe('BatchConsumer', () => {
  afterEach(() => stopAll());

  it('skips what it handled of a partition it kept through a rebalance, fetched again from there', async () => {
    const seen: string[] = [];
    const { handBatch, joinGroup } = await started(noting(seen));
    joinGroup([0]);
    await handBatch(batchOf(offsets(0, 9)));

    joinGroup([0]);
    const again = batchOf(offsets(0, 12));
    await handBatch(again);

    expect(seen).toEqual(offsets(0, 12).map(String));
    expect(again.resolveOffset).toHaveBeenLastCalledWith('12');
  });

  it('handles a partition again from the committed offset once a rebalance took it away in between', async () => {
    const seen: string[] = [];
    const { handBatch, joinGroup } = await started(noting(seen));
    joinGroup([0]);
    await handBatch(batchOf(offsets(0, 2)));
    joinGroup([]);
    joinGroup([0]);
    await handBatch(batchOf(offsets(0, 2)));

    expect(seen).toEqual(['0', '1', '2', '0', '1', '2']);
  });

  it('handles every partition again from the committed offset after a crash, which left the group', async () => {
    const seen: string[] = [];
    const { handBatch, joinGroup, crash } = await started(noting(seen));
    joinGroup([0]);
    await handBatch(batchOf(offsets(0, 2)));
    crash();
    joinGroup([0]);
    await handBatch(batchOf(offsets(0, 2)));

    expect(seen).toEqual(['0', '1', '2', '0', '1', '2']);
  });

  describe('retrying a transient failure', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(async () => {
      const stopped = stopAll();
      await jest.advanceTimersByTimeAsync(10);
      await stopped;
      jest.useRealTimers();
    });

    it.each(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'])(
      'gives the batch up, unresolved, once a heartbeat answers %s',
      async (type) => {
        const { producer, handBatch, joinGroup } = await started({
          handleBatch: () => Promise.reject(new TransientError('the database is down')),
        });
        joinGroup([0]);
        const batch = batchOf(offsets(0, 2), () => Promise.reject(protocolError(type)));
        let handled = false;
        void handBatch(batch).then(() => (handled = true));

        await jest.advanceTimersByTimeAsync(10_000);
        expect(handled).toBe(true);
        expect(producer.send).not.toHaveBeenCalled();
        expect(batch.resolveOffset).not.toHaveBeenCalled();
      },
    );

    it('keeps retrying through a heartbeat failure that is not about the group', async () => {
      let failures = 3;
      const { producer, handBatch, joinGroup } = await started({
        handleBatch: async (records) => {
          if (failures-- > 0) throw new TransientError('the database is down');
          return records.map(() => ({ produce: [{ topic: 'out', key: null, value: 'x' }] }));
        },
      });
      joinGroup([0]);
      const batch = batchOf(offsets(0, 2), () => Promise.reject(new Error('Connection timeout')));
      void handBatch(batch);

      await jest.advanceTimersByTimeAsync(10_000);
      expect(producer.send).toHaveBeenCalledTimes(1);
      expect(batch.resolveOffset).toHaveBeenCalledWith('2');
    });
  });
});

/** A started BatchConsumer over a kafkajs consumer that runs nothing: the test hands it batches. */
async function started(stage: BatchStage) {
  const { kafka, emit, handBatch } = fakeKafkaConsumer();
  const producer = { send: jest.fn(() => Promise.resolve()) };
  const loop = new BatchConsumer({
    kafka,
    producer,
    groupId: 'webhooks.filter',
    topics: [TOPIC],
    deadLetterTopic: 'webhooks.dead-letter',
    stage,
    logger: silent,
  });
  loops.push(loop);
  await loop.start();
  return {
    producer,
    /** As kafkajs emits after each join: the partitions of TOPIC this member now owns. */
    joinGroup: (partitions: number[]) =>
      emit(consumerEvents.GROUP_JOIN, { memberAssignment: { [TOPIC]: partitions } }),
    /** As kafkajs emits once a crash has made it leave the group, and it will start again by itself. */
    crash: () => emit(consumerEvents.CRASH, { error: new Error('boom'), restart: true }),
    handBatch,
  };
}

/** A stage that keeps the offset of each record it handles in `seen`, and produces nothing. */
function noting(seen: string[]): BatchStage {
  return {
    handleBatch: async (records) => {
      seen.push(...records.map((record) => record.offset));
      return records.map(() => ({ produce: [] }));
    },
  };
}

/** Partition 0's batch of the given offsets. */
function batchOf(messageOffsets: number[], heartbeat?: () => Promise<void>) {
  return fetchedBatch(TOPIC, 0, messageOffsets.map(String), heartbeat);
}

function offsets(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** What a kafkajs heartbeat rejects with when the group has moved on, or is moving. */
function protocolError(type: string): KafkaJSProtocolError {
  return new KafkaJSProtocolError(Object.assign(new Error(type), { type, code: 0, retriable: false }));
}

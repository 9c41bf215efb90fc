import type { EachBatchPayload, Kafka } from 'kafkajs';
import { CompactedTopicReader } from './compacted-topic-reader';
import { notLeader } from './kafka-errors.fixture';

const silent = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
const topic = 'webhooks.connections';

function fakeKafka(fetchTopicOffsets: jest.Mock) {
  const listeners = new Map<string, (event: { payload: object }) => void>();
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: {
      FETCH_START: 'fetch.start',
      END_BATCH_PROCESS: 'end.batch.process',
      CRASH: 'consumer.crash',
    },
    on: jest.fn((event: string, listener: (event: { payload: object }) => void) => {
      listeners.set(event, listener);
    }),
    connect: jest.fn(() => Promise.resolve()),
    subscribe: jest.fn(() => Promise.resolve()),
    run: jest.fn((config: { eachBatch: typeof eachBatch }) => {
      eachBatch = config.eachBatch;
      return Promise.resolve();
    }),
    disconnect: jest.fn(() => Promise.resolve()),
  };
  const admin = {
    connect: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
    fetchTopicOffsets,
  };
  /** Hands a batch to the reader as kafkajs does: eachBatch, then END_BATCH_PROCESS. */
  const hand = async (partition: number, records: FeedRecord[]) => {
    const lastOffset = String(records[records.length - 1].offset);
    const batch = {
      topic,
      partition,
      messages: records.map(({ offset, key, version }) => ({
        offset: String(offset),
        key: Buffer.from(key),
        value: version === null ? null : Buffer.from(JSON.stringify({ version })),
      })),
      isEmpty: () => records.length === 0,
      lastOffset: () => lastOffset,
    };
    if (!eachBatch) throw new Error('the reader is not running');
    await eachBatch({ batch } as unknown as EachBatchPayload);
    listeners.get(consumer.events.END_BATCH_PROCESS)?.({ payload: { partition, lastOffset } });
  };
  return { kafka: { consumer: () => consumer, admin: () => admin } as unknown as Kafka, consumer, hand };
}

/** A change-feed record: a version of a connection, or a tombstone (null). */
interface FeedRecord {
  offset: number;
  key: string;
  version: number | null;
}

/** Applies records as ConnectionIndex does: an older version is refused only while a newer is held. */
function connectionTable() {
  const held = new Map<string, number>();
  const apply = jest.fn((key: string, value: Buffer | null) => {
    if (value === null) {
      held.delete(key);
      return;
    }
    const { version } = JSON.parse(value.toString()) as { version: number };
    if ((held.get(key) ?? 0) > version) return;
    held.set(key, version);
  });
  return { held, apply };
}

const ends = (...highs: number[]) =>
  highs.map((high, partition) => ({ partition, offset: String(high), high: String(high), low: '0' }));

async function startedReader(fetchTopicOffsets: jest.Mock) {
  const { kafka, hand } = fakeKafka(fetchTopicOffsets);
  const table = connectionTable();
  const reader = new CompactedTopicReader({ kafka, topic, name: 'test', logger: silent, apply: table.apply });
  await reader.start();
  return { reader, table, hand };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('CompactedTopicReader', () => {
  it('starts once the broker stops answering "not the leader" for the topic', async () => {
    const fetchTopicOffsets = jest
      .fn()
      .mockRejectedValueOnce(notLeader())
      .mockResolvedValue([{ partition: 0, offset: '0', high: '0', low: '0' }]);
    const { kafka, consumer } = fakeKafka(fetchTopicOffsets);
    const reader = new CompactedTopicReader({
      kafka,
      topic,
      name: 'test',
      logger: silent,
      apply: jest.fn(),
    });

    await reader.start();

    expect(fetchTopicOffsets).toHaveBeenCalledTimes(2);
    expect(consumer.run).toHaveBeenCalledTimes(1);
    expect(reader.isCaughtUp).toBe(true);
  });

  describe('after a rejoin, which fetches the partition again from its beginning', () => {
    const created: FeedRecord[] = [
      { offset: 0, key: 'x', version: 1 },
      { offset: 1, key: 'y', version: 1 },
    ];
    const deleted: FeedRecord[] = [
      { offset: 2, key: 'y', version: 2 },
      { offset: 3, key: 'x', version: null },
    ];

    it('never applies again what it applied, so a deleted connection never comes back', async () => {
      const { reader, table, hand } = await startedReader(jest.fn().mockResolvedValue(ends(4)));
      await hand(0, created);
      await hand(0, deleted);
      expect(reader.isCaughtUp).toBe(true);
      expect(table.held.has('x')).toBe(false);

      await hand(0, created);
      expect(table.held.has('x')).toBe(false);
      await expect(reader.catchUp(1_000)).resolves.toBe(true);
      expect(table.held.has('x')).toBe(false);
      await hand(0, deleted);

      expect(table.held).toEqual(new Map([['y', 2]]));
      expect(table.apply).toHaveBeenCalledTimes(4);
    });

    it('applies the records past what it applied, in the batches handed again and after', async () => {
      const fetchTopicOffsets = jest.fn().mockResolvedValue(ends(4));
      const { reader, table, hand } = await startedReader(fetchTopicOffsets);
      await hand(0, created);
      await hand(0, deleted);
      table.apply.mockClear();

      fetchTopicOffsets.mockResolvedValue(ends(6, 1));
      let caughtUp: boolean | undefined;
      void reader.catchUp(1_000).then((result) => (caughtUp = result));
      await flush();
      await hand(0, created);
      await hand(0, [...deleted, { offset: 4, key: 'z', version: 1 }]);
      await hand(1, [{ offset: 0, key: 'w', version: 1 }]);
      await flush();
      expect(caughtUp).toBeUndefined();
      await hand(0, [{ offset: 5, key: 'y', version: null }]);
      await flush();

      expect(caughtUp).toBe(true);
      expect(table.held).toEqual(
        new Map([
          ['z', 1],
          ['w', 1],
        ]),
      );
      expect(table.apply.mock.calls.map(([key]) => key)).toEqual(['z', 'w', 'y']);
    });
  });
});

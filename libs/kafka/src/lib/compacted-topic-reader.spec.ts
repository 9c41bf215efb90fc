import type { Kafka } from 'kafkajs';
import { CompactedTopicReader } from './compacted-topic-reader';
import { notLeader } from './kafka-errors.fixture';

const silent = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };

function fakeKafka(fetchTopicOffsets: jest.Mock) {
  const consumer = {
    events: { FETCH_START: 'fetch.start', CRASH: 'consumer.crash' },
    on: jest.fn(),
    connect: jest.fn(() => Promise.resolve()),
    subscribe: jest.fn(() => Promise.resolve()),
    run: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
  };
  const admin = {
    connect: jest.fn(() => Promise.resolve()),
    disconnect: jest.fn(() => Promise.resolve()),
    fetchTopicOffsets,
  };
  return { kafka: { consumer: () => consumer, admin: () => admin } as unknown as Kafka, consumer };
}

describe('CompactedTopicReader', () => {
  it('starts once the broker stops answering "not the leader" for the topic', async () => {
    const fetchTopicOffsets = jest
      .fn()
      .mockRejectedValueOnce(notLeader())
      .mockResolvedValue([{ partition: 0, offset: '0', high: '0', low: '0' }]);
    const { kafka, consumer } = fakeKafka(fetchTopicOffsets);
    const reader = new CompactedTopicReader({
      kafka,
      topic: 'webhooks.connections',
      name: 'test',
      logger: silent,
      apply: jest.fn(),
    });

    await reader.start();

    expect(fetchTopicOffsets).toHaveBeenCalledTimes(2);
    expect(consumer.run).toHaveBeenCalledTimes(1);
    expect(reader.isCaughtUp).toBe(true);
  });
});

import type { Kafka } from 'kafkajs';
import { ConsumerLagSampler } from './consumer-lag';

function sampler(admin: { fetchOffsets: jest.Mock; fetchTopicOffsets: jest.Mock }) {
  const kafka = {
    admin: () => ({ ...admin, connect: async () => undefined, disconnect: async () => undefined }),
  };
  const reported: [string, number, number][] = [];
  const hooks = {
    onLag: (_group: string, topic: string, partition: number, lag: number) =>
      reported.push([topic, partition, lag]),
    onLagUnknown: jest.fn(),
  };
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
  const lag = new ConsumerLagSampler(
    kafka as unknown as Kafka,
    [{ groupId: 'g', topics: ['t'] }],
    hooks,
    logger,
    60_000,
  );
  return { lag, reported, hooks, logger };
}

describe('ConsumerLagSampler', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(() => stop?.());

  it('counts a partition never committed from its earliest record kept, not from 0', async () => {
    const { lag, reported } = sampler({
      fetchOffsets: jest.fn(async () => [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '900' },
            { partition: 1, offset: '-1' },
          ],
        },
      ]),
      fetchTopicOffsets: jest.fn(async () => [
        { partition: 0, offset: '1000', high: '1000', low: '500' },
        { partition: 1, offset: '1000', high: '1000', low: '700' },
      ]),
    });
    // The first sample is taken at start.
    await lag.start();
    stop = () => lag.stop();

    expect(reported).toEqual([
      ['t', 0, 100],
      ['t', 1, 300],
    ]);
  });

  it('withdraws its figures when a sample fails, and warns once per failing streak', async () => {
    const fetchOffsets = jest.fn(async () => {
      throw new Error('Connection error: connect ECONNREFUSED');
    });
    const { lag, hooks, logger } = sampler({ fetchOffsets, fetchTopicOffsets: jest.fn() });
    await lag.start();
    stop = () => lag.stop();
    await lag.sample();

    expect(hooks.onLagUnknown).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});

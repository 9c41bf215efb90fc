import { notReadyReasons, PipelineRuntime } from './pipeline-runtime';

describe('notReadyReasons', () => {
  const now = 1_000_000;
  const table = { name: 'table webhooks.connections', isCaughtUp: true, lastActivityAt: now - 1_000 };
  const loop = { name: 'consumer group webhooks.delivery', lastActivityAt: now - 14_000 };

  it('is empty when connected, caught up and every loop fetched within 15 s', () => {
    expect(notReadyReasons(true, [table], [table, loop], now)).toEqual([]);
  });

  it('names each cause', () => {
    const behind = { ...table, isCaughtUp: false };
    const stuck = { ...loop, lastActivityAt: now - 15_000 };
    expect(notReadyReasons(false, [behind], [behind, stuck], now)).toEqual([
      'producer not connected',
      'table webhooks.connections not caught up',
      'consumer group webhooks.delivery has not fetched for 15 s or more',
    ]);
  });
});

describe('PipelineRuntime.stop', () => {
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };

  it('gives up at its deadline when a loop cannot stop (the broker unreachable), and says so', async () => {
    const runtime = new PipelineRuntime({
      brokers: ['127.0.0.1:1'],
      clientId: 'test',
      logger,
      stopDeadlineMs: 100,
    });
    const loop = runtime.consume({
      groupId: 'g',
      topics: ['t'],
      deadLetterTopic: 'dlq',
      stage: { handleBatch: async () => [] },
    });
    jest.spyOn(loop, 'stop').mockReturnValue(new Promise(() => undefined));

    const startedAt = Date.now();
    await runtime.stop();

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(90);
    expect(logger.warn).toHaveBeenCalledWith(
      { deadlineMs: 100 },
      expect.stringMatching(/^Kafka not stopped within 0.1 s/),
    );
  });
});

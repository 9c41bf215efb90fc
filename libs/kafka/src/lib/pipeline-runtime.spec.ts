import { notReadyReasons } from './pipeline-runtime';

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

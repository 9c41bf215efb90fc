import type { Consumer } from 'kafkajs';
import { OffsetCommitter, partitionKey, type PartitionOffset } from './offset-committer';

const silent = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
const INTERVAL_MS = 250;

/**
 * A committer over a fake broker whose commits answer only when the test lands them. `done` is
 * partition 0's done offset, `broker` the offset the broker holds.
 */
function committerOverFakeBroker() {
  const state = { done: 0n, broker: undefined as string | undefined, mostInFlight: 0 };
  const inFlight: { land: () => void; fail: () => void }[] = [];
  const commitOffsets = jest.fn(
    (offsets: { topic: string; partition: number; offset: string }[]) =>
      new Promise<void>((resolve, reject) => {
        inFlight.push({
          land: () => {
            state.broker = offsets[0].offset;
            resolve();
          },
          fail: () => reject(new Error('The coordinator is not aware of this member')),
        });
        state.mostInFlight = Math.max(state.mostInFlight, inFlight.length);
      }),
  );
  const done = (): PartitionOffset[] => [{ topic: 't', partition: 0, offset: state.done }];
  const committer = new OffsetCommitter({ commitOffsets } as unknown as Consumer, done, silent, INTERVAL_MS);
  /** Lands the commits in flight, the newest first: as an older one kafkajs still retries would. */
  const landNewestFirst = async () => {
    while (inFlight.length > 0) inFlight.pop()?.land();
    await jest.advanceTimersByTimeAsync(0);
  };
  return { committer, commitOffsets, state, inFlight, landNewestFirst };
}

describe('OffsetCommitter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('never starts a commit while one is in flight, so an older one cannot land after a newer one', async () => {
    const { committer, commitOffsets, state, landNewestFirst } = committerOverFakeBroker();
    committer.start();
    state.done = 5n;
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(commitOffsets).toHaveBeenCalledTimes(1);

    // The first commit is still being retried (a coordinator moving) when the next would be due.
    state.done = 10n;
    await jest.advanceTimersByTimeAsync(4 * INTERVAL_MS);
    await landNewestFirst();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    await landNewestFirst();

    expect(state.broker).toBe('10');
    expect(state.mostInFlight).toBe(1);
    committer.stop();
  });

  it('commits the offsets of a failed commit again, with what is done since', async () => {
    const { committer, commitOffsets, state, inFlight, landNewestFirst } = committerOverFakeBroker();
    committer.start();
    state.done = 5n;
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    state.done = 7n;
    inFlight.pop()?.fail();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);

    expect(commitOffsets).toHaveBeenLastCalledWith([{ topic: 't', partition: 0, offset: '7' }]);
    await landNewestFirst();
    expect(state.broker).toBe('7');
    committer.stop();
  });

  it('commits at stop only once the commit in flight has landed, and then what is left', async () => {
    const { committer, commitOffsets, state, landNewestFirst } = committerOverFakeBroker();
    committer.start();
    state.done = 5n;
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    state.done = 10n;

    committer.stop();
    const last = committer.commit();
    await jest.advanceTimersByTimeAsync(0);
    expect(commitOffsets).toHaveBeenCalledTimes(1);

    await landNewestFirst();
    expect(commitOffsets).toHaveBeenCalledTimes(2);
    await landNewestFirst();
    await last;
    expect(state.broker).toBe('10');
  });

  it('does not count a commit that lands after a rebalance took the partition away', async () => {
    const { committer, commitOffsets, state, landNewestFirst } = committerOverFakeBroker();
    committer.start();
    state.done = 5n;
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    committer.keepOnly(new Set());
    await landNewestFirst();

    // Back from another member, which committed less: what is done from there is committed again.
    committer.keepOnly(new Set([partitionKey('t', 0)]));
    state.done = 4n;
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(commitOffsets).toHaveBeenLastCalledWith([{ topic: 't', partition: 0, offset: '4' }]);
    committer.stop();
  });
});

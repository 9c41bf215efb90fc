import { ConnectionIndex } from '@campaign-webhooks/connections';
import { connectionSnapshot } from '@campaign-webhooks/contracts';
import { ConnectionFeed } from './connection-feed';

const snapshot = (id: string, version: number) => JSON.stringify(connectionSnapshot({ id, version }));

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A reader whose catch-ups finish when the test says. */
function controlledReader() {
  const pending: ((caughtUp: boolean) => void)[] = [];
  const catchUp = jest.fn(() => new Promise<boolean>((resolve) => pending.push(resolve)));
  return { reader: { catchUp }, pending, catchUp };
}

describe('ConnectionFeed', () => {
  it('is behind on an older version or an unknown connection, not on a deletion it applied', () => {
    const index = new ConnectionIndex();
    const feed = new ConnectionFeed(index, controlledReader().reader);
    index.applyChange('a', snapshot('a', 2));
    index.applyChange('gone', snapshot('gone', 1));
    index.applyChange('gone', null);

    expect(feed.isBehind('a', 2)).toBe(false);
    expect(feed.isBehind('a', 1)).toBe(false);
    expect(feed.isBehind('a', undefined)).toBe(false);
    expect(feed.isBehind('a', 3)).toBe(true);
    expect(feed.isBehind('new', 1)).toBe(true);
    expect(feed.isBehind('gone', 1)).toBe(false);
  });

  it('shares a catch-up, and one asked for while it runs waits for the next', async () => {
    const { reader, pending, catchUp } = controlledReader();
    const feed = new ConnectionFeed(new ConnectionIndex(), reader);
    const settled: string[] = [];
    const track = (name: string, caughtUp: Promise<boolean>) =>
      caughtUp.then((result) => settled.push(`${name}:${result}`));

    const first = track('first', feed.catchUp());
    const second = track('second', feed.catchUp());
    const third = track('third', feed.catchUp());
    await flush();
    expect(catchUp).toHaveBeenCalledTimes(1);

    pending[0](true);
    await first;
    await flush();
    // The first settled; the two that came while it ran share the next one.
    expect(settled).toEqual(['first:true']);
    expect(catchUp).toHaveBeenCalledTimes(2);
    // One more, asked for while the second runs, waits for a third.
    const fourth = track('fourth', feed.catchUp());
    pending[1](false);
    await Promise.all([second, third]);
    await flush();
    expect(settled).toEqual(['first:true', 'second:false', 'third:false']);
    expect(catchUp).toHaveBeenCalledTimes(3);
    pending[2](true);
    await fourth;
    expect(settled.at(-1)).toBe('fourth:true');
  });

  it('never runs two catch-ups at once, even for a caller that asks again as soon as one ends', async () => {
    let running = 0;
    let most = 0;
    const reader = {
      catchUp: async () => {
        most = Math.max(most, ++running);
        await flush();
        running--;
        return true;
      },
    };
    const feed = new ConnectionFeed(new ConnectionIndex(), reader);

    const again = feed.catchUp().then(() => feed.catchUp());
    await Promise.all([again, feed.catchUp(), feed.catchUp()]);

    expect(most).toBe(1);
  });

  it('takes a connection still unknown after a catch-up as gone, and waits on it no more', async () => {
    const index = new ConnectionIndex();
    const catchUp = jest.fn(async () => true);
    const feed = new ConnectionFeed(index, { catchUp });

    expect(feed.isBehind('never-seen', 1)).toBe(true);
    expect(await feed.catchUp(['never-seen'])).toBe(true);

    expect(feed.isBehind('never-seen', 1)).toBe(false);
    expect(feed.get('never-seen')).toBeUndefined();
  });

  it('starts a fresh catch-up after one that failed', async () => {
    const catchUp = jest
      .fn<Promise<boolean>, [number]>()
      .mockRejectedValueOnce(new Error('broker gone'))
      .mockResolvedValue(true);
    const feed = new ConnectionFeed(new ConnectionIndex(), { catchUp }, 250);

    await expect(feed.catchUp()).rejects.toThrow('broker gone');
    expect(await feed.catchUp()).toBe(true);
    expect(catchUp).toHaveBeenLastCalledWith(250);
  });
});

import { ConnectionIndex } from '@campaign-webhooks/connections';
import { ConnectionFeed } from './connection-feed';

const snapshot = (id: string, version: number) =>
  JSON.stringify({
    id,
    project_id: 'acme',
    name: id,
    url: 'https://hooks.example.com/' + id,
    auth_type: 'none',
    credentials: null,
    message_events: ['message_send'],
    channels: ['email'],
    subscription_events: [],
    exclude_integration_sources: false,
    require_external_message_id: false,
    use_static_ip: false,
    notify_on_error_email: null,
    active: true,
    templates: {},
    version,
    updated_at: '2026-12-06T00:00:00.000Z',
  });

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

    const first = feed.catchUp();
    const second = feed.catchUp();
    const third = feed.catchUp();
    expect(catchUp).toHaveBeenCalledTimes(1);
    expect(second).toBe(third);

    pending[0](true);
    expect(await first).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(catchUp).toHaveBeenCalledTimes(2);
    pending[1](false);
    expect(await second).toBe(false);

    const fourth = feed.catchUp();
    expect(catchUp).toHaveBeenCalledTimes(3);
    pending[2](true);
    expect(await fourth).toBe(true);
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

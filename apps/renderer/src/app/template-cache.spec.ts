import { connectionSnapshot } from '@campaign-webhooks/contracts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TemplateCache } from './template-cache';

const render = (cache: TemplateCache, templates: Record<string, unknown>) =>
  cache.for(connectionSnapshot({ version: 6, templates }), 'message_send')?.render({
    event: 'message_send',
    time: 1,
    project_id: 'acme',
    connection_name: 'c',
    properties: {},
    profile: null,
  });

describe('TemplateCache', () => {
  it('compiles a template once while the connection keeps it', () => {
    const cache = new TemplateCache();
    const connection = connectionSnapshot({ templates: { message_send: { kind: '{{event}}' } } });

    const first = cache.for(connection, 'message_send');
    expect(first).not.toBeNull();
    expect(cache.for(connection, 'message_send')).toBe(first);
    expect(cache.for(connection, 'message_open')).toBeNull();
  });

  it('falls back to the default body for a saved template that no longer compiles, and says so once', () => {
    const warn = jest.fn();
    const cache = new TemplateCache({ warn });
    const connection = connectionSnapshot({ templates: { message_send: { to: '{{no_such_field}}' } } });

    expect(cache.for(connection, 'message_send')).toBeNull();
    expect(cache.for(connection, 'message_send')).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      {
        connection_id: connection.id,
        event: 'message_send',
        errors: [expect.stringMatching(/^Unknown placeholder \{\{no_such_field\}\}/)],
      },
      'saved template no longer compiles; the default body goes out instead',
    );
  });

  it('takes the template of a correction published at the same version', () => {
    // A change the database rolled back reached the feed as version 6, then the committed row did.
    const cache = new TemplateCache();

    expect(render(cache, { message_send: { rolled: 'back' } })).toBe('{"rolled":"back"}');
    expect(render(cache, { message_send: { kept: '{{event}}' } })).toBe('{"kept":"message_send"}');
    expect(render(cache, {})).toBeUndefined();
  });

  it('lets go of the templates of a connection the feed replaced or deleted', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const cache = new TemplateCache();
    const compiledFor = (templates: Record<string, unknown>) =>
      new WeakRef(cache.for(connectionSnapshot({ templates }), 'message_send') as object);
    const dropped = compiledFor({ message_send: { kind: '{{event}}' } });
    expect(dropped.deref()).toBeDefined();

    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();

    expect(dropped.deref()).toBeUndefined();
  });
});

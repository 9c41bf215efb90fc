import { connectionSnapshot } from '@campaign-webhooks/contracts';
import { TemplateCache } from './template-cache';

const render = (cache: TemplateCache, templates: Record<string, unknown>) =>
  cache
    .for(connectionSnapshot({ version: 6, templates }), 'message_send')
    ?.render({
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

  it('takes the template of a correction published at the same version', () => {
    // A change the database rolled back reached the feed as version 6, then the committed row did.
    const cache = new TemplateCache();

    expect(render(cache, { message_send: { rolled: 'back' } })).toBe('{"rolled":"back"}');
    expect(render(cache, { message_send: { kept: '{{event}}' } })).toBe('{"kept":"message_send"}');
    expect(render(cache, {})).toBeUndefined();
  });
});
